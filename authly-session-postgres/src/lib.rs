//! PostgreSQL session store for authly-session.
//!
//! [`PostgresStore`] keeps sessions in one table (default `authly_sessions`, or any
//! `table` / `schema.table`), keyed by the session handle, never the id. Each operation is one
//! statement with bound parameters; the application's clock decides expiry; `migrate()` is safe
//! to run from every app instance at start-up.
//!
//! # Examples
//!
//! ```no_run
//! use authly_session::{Identity, Session, SessionStore};
//! use authly_session_postgres::PostgresStore;
//!
//! # async fn demo() -> Result<(), authly_session::SessionError> {
//! let store = PostgresStore::connect("postgres://app:secret@localhost/app").await?;
//! store.migrate().await?;
//! let session = Session::new(Identity::new("github", "12345"), chrono::Duration::hours(8));
//! store.save_session(&session).await?;
//! let loaded = store.load_session(&session.id).await?.expect("just saved");
//! assert_eq!(loaded.identity, session.identity);
//! # Ok(()) }
//! ```

mod dialect;
mod timestamp;

pub use authly_session;
pub use dialect::PostgresDialect;
pub use sqlx;
pub use timestamp::PgTimestamp;

/// A [`SessionStore`](authly_session::SessionStore) in a PostgreSQL table.
///
/// `new(pool)` uses table `authly_sessions`; `with_table_name(pool, "auth.sessions")` another
/// (`table` or `schema.table`, validated); `connect(url)` opens its own pool (at most 10
/// connections, 5 s acquire timeout); `migrate()` creates the schema under an advisory lock.
/// Cheap to clone: clones share the pool.
///
/// # Examples
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use authly_session_postgres::{PostgresStore, sqlx::PgPool};
/// let pool = PgPool::connect("postgres://app@localhost/app").await?;
/// let store = PostgresStore::with_table_name(pool, "auth.sessions")?;
/// store.migrate().await?;
/// # Ok(()) }
/// ```
pub type PostgresStore = authly_session_sql::SqlStore<PostgresDialect>;

/// The README's examples, compiled as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
