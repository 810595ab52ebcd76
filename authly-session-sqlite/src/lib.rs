//! SQLite session store for authly-session: the embedded default.
//!
//! [`SqliteStore`] keeps sessions in one table (default `authly_sessions`), keyed by the
//! session handle, never the id. [`SqliteStore::connect`] opens a file in WAL mode with all
//! writes through one connection, so many concurrent requests queue instead of failing with
//! "database is locked".
//!
//! # Examples
//!
//! ```
//! use authly_session::{Identity, Session, SessionStore};
//! use authly_session_sqlite::SqliteStore;
//!
//! # async fn demo() -> Result<(), authly_session::SessionError> {
//! let store = SqliteStore::connect("sqlite::memory:").await?;
//! store.migrate().await?;
//! let session = Session::new(Identity::new("github", "12345"), chrono::Duration::hours(8));
//! store.save_session(&session).await?;
//! let loaded = store.load_session(&session.id).await?.expect("just saved");
//! assert_eq!(loaded.identity, session.identity);
//! # Ok(()) }
//! # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
//! ```

mod connect;
mod queries;
mod session_store;
mod store;

pub use authly_session;
pub use sqlx;
pub use store::SqliteStore;
