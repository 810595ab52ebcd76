//! MySQL and MariaDB session store for authly-session (MySQL 8.0+, MariaDB 10.11+).
//!
//! [`MySqlStore`] keeps sessions in one table (default `authly_sessions`), keyed by the session
//! handle (never the id) in a binary-collated column, so ids stay case-sensitive under MySQL's
//! case-insensitive default collations. Statements use bound parameters only; saves and deletes
//! that arrive together share multi-row statements; the application's clock decides expiry; `migrate()` is safe to run from every app instance at
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

mod dialect;

pub use authly_session;
pub use dialect::MySqlDialect;
pub use sqlx;

/// A [`SessionStore`](authly_session::SessionStore) in a MySQL or MariaDB table.
///
/// `new(pool)` uses table `authly_sessions`; `with_table_name(pool, name)` another (validated:
/// `[A-Za-z_][A-Za-z0-9_]{0,62}`; the database is the URL's); `connect(url)` opens its own pool
/// (`mysql://` or `mariadb://`; at most 10 connections, 5 s acquire timeout, so with the server
/// down every operation fails within 5 s); `migrate()` creates the schema under a named lock.
/// Writes that InnoDB picks as deadlock victims run again (at most 8 tries). Cheap to clone.
///
/// # Examples
///
/// ```
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use authly_session_mysql::{MySqlStore, sqlx::MySqlPool};
/// // A lazy pool: nothing connects until the store is used.
/// let pool = MySqlPool::connect_lazy("mysql://app@localhost/app")?;
/// assert!(MySqlStore::with_table_name(pool.clone(), "web_sessions").is_ok());
/// assert!(MySqlStore::with_table_name(pool, "web sessions; --").is_err());
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
pub type MySqlStore = authly_session_sql::SqlStore<MySqlDialect>;

/// The README's examples, compiled as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
