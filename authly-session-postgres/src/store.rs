//! `PostgresStore`: construction and migration.

use std::sync::Arc;

use authly_session::{SessionError, TableName};
use sqlx::PgPool;

use crate::connect;
use crate::queries::{MIGRATE_LOCK, MIGRATE_LOCK_KEY, Queries};

/// A [`SessionStore`](authly_session::SessionStore) in a PostgreSQL table.
///
/// Cheap to clone: clones share the pool and the SQL text. Sessions are kept under their handle
/// (never the id), the identity as versioned JSON in a `TEXT` column, and the expiry as
/// `TIMESTAMPTZ`, compared against the application's clock passed as a bound parameter.
#[derive(Clone)]
pub struct PostgresStore {
    pub(crate) pool: PgPool,
    pub(crate) table: Arc<TableName>,
    pub(crate) queries: Arc<Queries>,
}

impl PostgresStore {
    /// A store on table `authly_sessions` of `pool` (in the connection's `search_path`).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// use authly_session_postgres::{PostgresStore, sqlx::PgPool};
    /// let pool = PgPool::connect("postgres://app@localhost/app").await?;
    /// let store = PostgresStore::new(pool);
    /// store.migrate().await?;
    /// # Ok(()) }
    /// ```
    pub fn new(pool: PgPool) -> Self {
        let table = TableName::new("authly_sessions").expect("the default table name is valid");
        Self::build(pool, table)
    }

    /// A store on table `table` of `pool`: `table` or `schema.table`, each part matching
    /// `[A-Za-z_][A-Za-z0-9_]{0,62}`. The names are quoted, so they are case-sensitive.
    ///
    /// # Errors
    ///
    /// [`SessionError::InvalidConfiguration`] for any other name.
    ///
    /// # Examples
    ///
    /// ```
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// use authly_session_postgres::{PostgresStore, sqlx::PgPool};
    /// // A lazy pool: nothing connects until the store is used.
    /// let pool = PgPool::connect_lazy("postgres://app@localhost/app")?;
    /// assert!(PostgresStore::with_table_name(pool.clone(), "auth.web_sessions").is_ok());
    /// assert!(PostgresStore::with_table_name(pool, "web sessions; --").is_err());
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn with_table_name(pool: PgPool, table: &str) -> Result<Self, SessionError> {
        Ok(Self::build(pool, TableName::with_optional_schema(table)?))
    }

    /// Connects to `url` (e.g. `postgres://user:password@host/db`) with a pool of its own: at
    /// most 10 connections, and a 5 s acquire timeout, so with the server down every operation
    /// fails within 5 s instead of hanging. The store uses table `authly_sessions`.
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
    /// let store = authly_session_postgres::PostgresStore::connect("postgres://app@localhost/app").await?;
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

    fn build(pool: PgPool, table: TableName) -> Self {
        PostgresStore {
            pool,
            queries: Arc::new(Queries::new(&table)),
            table: Arc::new(table),
        }
    }

    /// Creates the table, its indexes and the schema-version table if missing, and records the
    /// schema version. Idempotent, and safe from several processes at once: it runs in one
    /// transaction holding a transaction-scoped advisory lock. The schema of a `schema.table`
    /// name must exist.
    ///
    /// # Errors
    ///
    /// [`SessionError::Backend`] when the server refuses a statement (the whole migration is
    /// then rolled back).
    pub async fn migrate(&self) -> Result<(), SessionError> {
        let failed = |e| SessionError::backend(format!("migrate table {}", self.table), e);
        let mut tx = self.pool.begin().await.map_err(failed)?;
        sqlx::query(MIGRATE_LOCK)
            .bind(MIGRATE_LOCK_KEY)
            .execute(&mut *tx)
            .await
            .map_err(failed)?;
        for (version, sql) in &self.queries.migrations {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql.as_str()))
                .execute(&mut *tx)
                .await
                .map_err(failed)?;
            sqlx::query(self.queries.record_version.clone())
                .bind(self.table.to_string())
                .bind(version)
                .execute(&mut *tx)
                .await
                .map_err(failed)?;
        }
        tx.commit().await.map_err(failed)?;
        tracing::debug!(table = %self.table, "session table migrated");
        Ok(())
    }

    /// The pool the store runs on.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The table this store keeps sessions in.
    pub fn table(&self) -> &TableName {
        &self.table
    }
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("table", &self.table)
            .finish_non_exhaustive()
    }
}
