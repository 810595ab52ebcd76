//! The SQL plumbing the authly-session SQL stores share.
//!
//! [`SqlStore`] implements [`SessionStore`](authly_session::SessionStore) once, over any sqlx
//! database; each backend crate supplies a [`Dialect`] with what is truly its own (its SQL text,
//! how it binds a time, how it connects, which lock its migrations take) and names its store
//! `type PostgresStore = SqlStore<PostgresDialect>`. Statements are built once per table, with
//! bound parameters only; the application's clock is bound into each. Saves and deletes that
//! arrive together are coalesced into multi-row statements (`coalesce.rs`). Table names pass
//! one validator, [`TableName`], before any SQL is built.

mod bounded;
mod coalesce;
mod connection;
mod dialect;
mod migrate;
pub mod pool;
mod retry;
mod session_store;
mod statements;
mod store;
mod table_name;
#[cfg(feature = "testing")]
pub mod testing;

pub use dialect::{Dialect, Pools};
pub use migrate::{Migration, latest, run_migrations};
pub use statements::{
    DELETE_EXPIRED_BATCH, IDENTITY_BATCH, MAX_ROWS_PER_STATEMENT, PerRow, Placeholder, Statements,
};
pub use store::SqlStore;
pub use table_name::TableName;

pub use authly_session;
pub use sqlx;

/// The README's examples, compiled as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
