//! The SQL plumbing the authly-session SQL stores share.
//!
//! [`SqlStore`] implements [`SessionStore`](authly_session::SessionStore) once, over any sqlx
//! database; each backend crate supplies a [`Dialect`] with what is truly its own (its SQL text,
//! how it binds a time, how it connects and migrates) and names its store
//! `type PostgresStore = SqlStore<Postgres>`. Every operation is one statement, built once per
//! table, with bound parameters only; the application's clock is bound into each statement.

mod dialect;
pub mod pool;
mod session_store;
mod statements;
mod store;

pub use dialect::{Dialect, Pools};
pub use statements::Statements;
pub use store::SqlStore;

pub use authly_session;
pub use sqlx;
