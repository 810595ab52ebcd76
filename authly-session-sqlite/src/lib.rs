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
mod dialect;

pub use authly_session;
pub use dialect::SqliteDialect;
pub use sqlx;

/// A [`SessionStore`](authly_session::SessionStore) in a SQLite database.
///
/// [`connect`](authly_session_sql::SqlStore::connect) opens (creating if needed) a file database
/// in WAL mode with a 5 s busy timeout, all writes through one connection and reads on a pool
/// of eight, or `sqlite::memory:` as one database shared by the whole store. `new(pool)` and
/// `with_table_name(pool, table)` use a pool you built, for reads and writes alike. Cheap to
/// clone: clones share the pools.
///
/// # Examples
///
/// ```
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use authly_session_sqlite::{SqliteStore, sqlx::SqlitePool};
/// let pool = SqlitePool::connect("sqlite::memory:").await?;
/// assert!(SqliteStore::with_table_name(pool.clone(), "web_sessions").is_ok());
/// assert!(SqliteStore::with_table_name(pool, "web sessions; --").is_err());
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
pub type SqliteStore = authly_session_sql::SqlStore<SqliteDialect>;

/// The README's examples, compiled as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
