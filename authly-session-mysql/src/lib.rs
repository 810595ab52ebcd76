//! MySQL and MariaDB session store for authly-session (MySQL 8.0+, MariaDB 10.11+).
//!
//! [`MySqlStore`] keeps sessions in one table (default `authly_sessions`), keyed by the session
//! handle (never the id) in a binary-collated column, so ids stay case-sensitive under MySQL's
//! case-insensitive default collations. Each operation is one statement with bound parameters;
//! the application's clock decides expiry; `migrate()` is safe to run from every app instance at
//! start-up.
//!
//! # Examples
//!
//! ```no_run
//! use authly_session::{Identity, Session, SessionStore};
//! use authly_session_mysql::MySqlStore;
//!
//! # async fn demo() -> Result<(), authly_session::SessionError> {
//! let store = MySqlStore::connect("mysql://app:secret@localhost/app").await?;
//! store.migrate().await?;
//! let session = Session::new(Identity::new("github", "12345"), chrono::Duration::hours(8));
//! store.save_session(&session).await?;
//! let loaded = store.load_session(&session.id).await?.expect("just saved");
//! assert_eq!(loaded.identity, session.identity);
//! # Ok(()) }
//! ```

mod connect;
mod queries;
mod retry;
mod session_store;
mod store;

pub use authly_session;
pub use sqlx;
pub use store::MySqlStore;

/// The README's examples, compiled as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
