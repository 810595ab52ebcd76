//! `MySqlStore`: construction and migration.

use std::sync::Arc;

use authly_session::{SessionError, TableName};
use sqlx::MySqlPool;

use crate::connect;
use crate::queries::{
    MIGRATE_LOCK, MIGRATE_LOCK_NAME, MIGRATE_LOCK_WAIT_SECS, MIGRATE_UNLOCK, Queries,
};

/// A [`SessionStore`](authly_session::SessionStore) in a MySQL 8 or MariaDB 10.11+ table.
///
/// Cheap to clone: clones share the pool and the SQL text. Sessions are kept under their handle
/// (never the id) in a binary-collated column, the identity as versioned JSON in a `MEDIUMTEXT`
/// column, and the expiry as UTC in `DATETIME(6)`, compared against the application's clock
/// passed as a bound parameter (the connection's time zone plays no part).
#[derive(Clone)]
pub struct MySqlStore {
    pub(crate) pool: MySqlPool,
    pub(crate) table: Arc<TableName>,
    pub(crate) queries: Arc<Queries>,
}

impl MySqlStore {
    /// A store on table `authly_sessions` of `pool`'s database.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// use authly_session_mysql::{MySqlStore, sqlx::MySqlPool};
    /// let pool = MySqlPool::connect("mysql://app@localhost/app").await?;
    /// let store = MySqlStore::new(pool);
    /// store.migrate().await?;
    /// # Ok(()) }
    /// ```
    pub fn new(pool: MySqlPool) -> Self {
        let table = TableName::new("authly_sessions").expect("the default table name is valid");
        Self::build(pool, table)
    }

    /// A store on table `table` of `pool`'s database; `table` must match
    /// `[A-Za-z_][A-Za-z0-9_]{0,62}` (no `schema.table`: the database is the URL's).
    ///
    /// # Errors
    ///
    /// [`SessionError::InvalidConfiguration`] for any other name.
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
    pub fn with_table_name(pool: MySqlPool, table: &str) -> Result<Self, SessionError> {
        Ok(Self::build(pool, TableName::new(table)?))
    }

    /// Connects to `url` (e.g. `mysql://user:password@host/db`, or `mariadb://...`) with a pool
    /// of its own: at most 10 connections, and a 5 s acquire timeout, so with the server down
    /// every operation fails within 5 s instead of hanging. The store uses table
    /// `authly_sessions`.
    ///
    /// # Errors
    ///
    /// [`SessionError::InvalidConfiguration`] for a malformed URL; [`SessionError::Backend`],
    /// naming host, port and database (never the password), when the server cannot be reached.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), authly_session::SessionError> {
    /// let store = authly_session_mysql::MySqlStore::connect("mysql://app@localhost/app").await?;
    /// store.migrate().await?;
    /// # Ok(()) }
    /// ```
    pub async fn connect(url: &str) -> Result<Self, SessionError> {
        Ok(Self::new(connect::open(url).await?))
    }

    /// This store on another table of the same database (same pool).
    ///
    /// # Errors
    ///
    /// [`SessionError::InvalidConfiguration`] for an invalid table name.
    pub fn on_table(&self, table: &str) -> Result<Self, SessionError> {
        Self::with_table_name(self.pool.clone(), table)
    }

    fn build(pool: MySqlPool, table: TableName) -> Self {
        MySqlStore {
            pool,
            queries: Arc::new(Queries::new(&table)),
            table: Arc::new(table),
        }
    }

    /// Creates the table (with its indexes) and the schema-version table if missing, and records
    /// the schema version. Idempotent, and safe from several processes at once: it holds the
    /// server-wide named lock `authly_session.migrate` (`GET_LOCK`) while it runs, waiting up to
    /// 60 s for another process's migration.
    ///
    /// # Errors
    ///
    /// [`SessionError::Backend`] when the server refuses a statement or the lock stays taken.
    pub async fn migrate(&self) -> Result<(), SessionError> {
        let failed = |e| SessionError::backend(format!("migrate table {}", self.table), e);
        let mut conn = self.pool.acquire().await.map_err(failed)?;
        // Never hand a connection that may hold the lock back to the pool (even if this future
        // is dropped halfway): closing it releases the lock on the server.
        conn.close_on_drop();
        let locked: Option<i64> = sqlx::query_scalar(MIGRATE_LOCK)
            .bind(MIGRATE_LOCK_NAME)
            .bind(MIGRATE_LOCK_WAIT_SECS)
            .fetch_one(&mut *conn)
            .await
            .map_err(failed)?;
        if locked != Some(1) {
            return Err(SessionError::backend(
                format!("migrate table {}", self.table),
                std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!(
                        "lock {MIGRATE_LOCK_NAME:?} still held by another migration after {MIGRATE_LOCK_WAIT_SECS} s"
                    ),
                ),
            ));
        }
        let result = async {
            // DDL commits implicitly in MySQL: the lock, not a transaction, keeps runs apart.
            for (version, sql) in &self.queries.migrations {
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql.as_str()))
                    .execute(&mut *conn)
                    .await?;
                sqlx::query(self.queries.record_version.clone())
                    .bind(self.table.to_string())
                    .bind(version)
                    .execute(&mut *conn)
                    .await?;
            }
            Ok::<(), sqlx::Error>(())
        }
        .await;
        let unlocked = sqlx::query_scalar::<_, Option<i64>>(MIGRATE_UNLOCK)
            .bind(MIGRATE_LOCK_NAME)
            .fetch_one(&mut *conn)
            .await;
        result.and(unlocked.map(drop)).map_err(failed)?;
        tracing::debug!(table = %self.table, "session table migrated");
        Ok(())
    }

    /// The pool the store runs on.
    pub fn pool(&self) -> &MySqlPool {
        &self.pool
    }

    /// The table this store keeps sessions in.
    pub fn table(&self) -> &TableName {
        &self.table
    }
}

impl std::fmt::Debug for MySqlStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MySqlStore")
            .field("table", &self.table)
            .finish_non_exhaustive()
    }
}
