//! `SqliteStore`: construction and migration.

use std::sync::Arc;

use authly_session::{SessionError, TableName};
use sqlx::SqlitePool;

use crate::connect;
use crate::queries::Queries;

/// A [`SessionStore`](authly_session::SessionStore) in a SQLite database.
///
/// Cheap to clone: clones share the pools. Sessions are kept under their handle (never the id),
/// with expiry as integer microseconds since the epoch, so comparisons are exact and time-zone
/// free.
#[derive(Clone)]
pub struct SqliteStore {
    pub(crate) writer: SqlitePool,
    pub(crate) reader: SqlitePool,
    pub(crate) table: Arc<TableName>,
    pub(crate) queries: Arc<Queries>,
}

impl SqliteStore {
    /// A store on table `authly_sessions` of `pool`, used for reads and writes alike.
    ///
    /// # Examples
    ///
    /// ```
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// use authly_session_sqlite::{SqliteStore, sqlx::SqlitePool};
    /// let pool = SqlitePool::connect("sqlite::memory:").await?;
    /// let store = SqliteStore::new(pool);
    /// store.migrate().await?;
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn new(pool: SqlitePool) -> Self {
        let table = TableName::new("authly_sessions").expect("the default table name is valid");
        Self::build(pool.clone(), pool, table)
    }

    /// A store on table `table` of `pool`.
    ///
    /// # Errors
    ///
    /// [`SessionError::InvalidConfiguration`] unless `table` matches `[A-Za-z_][A-Za-z0-9_]{0,62}`.
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
    pub fn with_table_name(pool: SqlitePool, table: &str) -> Result<Self, SessionError> {
        Ok(Self::build(pool.clone(), pool, TableName::new(table)?))
    }

    /// Opens (creating if needed) the database at `url` with settings fit for sessions: a file
    /// database in WAL mode with a 5 s busy timeout, all writes through one connection and reads
    /// on a pool of their own; `sqlite::memory:` as one database shared by the whole store.
    ///
    /// # Errors
    ///
    /// [`SessionError::InvalidConfiguration`] for a malformed URL; [`SessionError::Backend`],
    /// naming the path, when the database cannot be opened or created.
    ///
    /// # Examples
    ///
    /// ```
    /// # async fn demo() -> Result<(), authly_session::SessionError> {
    /// let store = authly_session_sqlite::SqliteStore::connect("sqlite::memory:").await?;
    /// store.migrate().await?;
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn connect(url: &str) -> Result<Self, SessionError> {
        let pools = connect::open(url).await?;
        let table = TableName::new("authly_sessions").expect("the default table name is valid");
        Ok(Self::build(pools.writer, pools.reader, table))
    }

    /// This store on another table of the same database (same pools).
    ///
    /// # Errors
    ///
    /// [`SessionError::InvalidConfiguration`] for an invalid table name.
    pub fn on_table(&self, table: &str) -> Result<Self, SessionError> {
        Ok(Self::build(
            self.writer.clone(),
            self.reader.clone(),
            TableName::new(table)?,
        ))
    }

    fn build(writer: SqlitePool, reader: SqlitePool, table: TableName) -> Self {
        SqliteStore {
            writer,
            reader,
            queries: Arc::new(Queries::new(&table)),
            table: Arc::new(table),
        }
    }

    /// Creates the table, its indexes and the schema-version record if missing (idempotent, and
    /// safe from several processes at once: it runs in one immediate transaction).
    ///
    /// # Errors
    ///
    /// [`SessionError::Backend`] when the database refuses a statement.
    pub async fn migrate(&self) -> Result<(), SessionError> {
        let failed = |e| SessionError::backend(format!("migrate table {}", self.table), e);
        let mut conn = self.writer.acquire().await.map_err(failed)?;
        sqlx::raw_sql("BEGIN IMMEDIATE")
            .execute(&mut *conn)
            .await
            .map_err(failed)?;
        let result = async {
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
        let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
        let ended = sqlx::raw_sql(end).execute(&mut *conn).await;
        result.and(ended.map(drop)).map_err(failed)
    }

    /// The pool writes go through (the only pool, unless the store came from [`SqliteStore::connect`]).
    pub fn pool(&self) -> &SqlitePool {
        &self.writer
    }

    /// The table this store keeps sessions in.
    pub fn table(&self) -> &TableName {
        &self.table
    }
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("table", &self.table)
            .finish_non_exhaustive()
    }
}
