//! `SqlStore`: a session store on one table of a SQL database.

use std::sync::Arc;
use std::time::Duration;

use authly_session::SessionError;
use authly_session::store_kit::{Clock, OperationTimeout};
use sqlx::Pool;

use crate::coalesce::Coalescer;
use crate::migrate::latest;
use crate::statements::{DELETE_EXPIRED_BATCH, Prepared};
use crate::{Dialect, TableName};

/// The table a store uses unless told otherwise.
const DEFAULT_TABLE: &str = "authly_sessions";

/// A [`SessionStore`](authly_session::SessionStore) on one table of a SQL database, in dialect `D`.
///
/// Sessions are kept under their handle, never the id. Every operation, `migrate` included,
/// returns within the store's timeout (10 s unless [`SqlStore::with_timeout`] says otherwise),
/// with [`SessionError::Timeout`] when the database does not answer in time. Cheap to clone:
/// clones share the pools and the prepared SQL.
pub struct SqlStore<D: Dialect> {
    pub(crate) writer: Pool<D::Database>,
    pub(crate) reader: Pool<D::Database>,
    pub(crate) table: Arc<TableName>,
    pub(crate) statements: Arc<Prepared>,
    /// `table NAME`: where a decode error says the bad row is (built once, not per row).
    pub(crate) location: Arc<str>,
    /// The application's clock, which judges expiry (the system clock unless a test shifts it).
    pub(crate) clock: Clock,
    /// How long one operation may take, waiting for a connection included.
    pub(crate) timeout: OperationTimeout,
    /// The queue saves and deletes go through, shared by clones on the same table.
    pub(crate) writes: Arc<Coalescer<D>>,
}

impl<D: Dialect> SqlStore<D> {
    /// A store on table `authly_sessions` of `pool`, used for reads and writes alike.
    pub fn new(pool: Pool<D::Database>) -> Self {
        let table =
            D::table_name(DEFAULT_TABLE).expect("the default table name is valid in every dialect");
        Self::build(pool.clone(), pool, table)
    }

    /// A store on table `table` of `pool`.
    ///
    /// # Errors
    ///
    /// [`SessionError::InvalidConfiguration`] unless `table` matches
    /// `[A-Za-z_][A-Za-z0-9_]{0,62}` (PostgreSQL also takes `schema.table` of two such parts).
    pub fn with_table_name(pool: Pool<D::Database>, table: &str) -> Result<Self, SessionError> {
        Ok(Self::build(pool.clone(), pool, D::table_name(table)?))
    }

    /// Opens its own pools for `url`, with the dialect's settings (an acquire timeout of at most
    /// 10 s among them), on table `authly_sessions`.
    ///
    /// # Errors
    ///
    /// [`SessionError::InvalidConfiguration`] for a malformed URL, [`SessionError::Backend`] when
    /// the database cannot be reached. Neither holds a password.
    pub async fn connect(url: &str) -> Result<Self, SessionError> {
        let pools = D::connect(url).await?;
        let table =
            D::table_name(DEFAULT_TABLE).expect("the default table name is valid in every dialect");
        Ok(Self::build(pools.writer, pools.reader, table))
    }

    /// Creates the table, its indexes and the schema-version record if missing, or upgrades a
    /// table of an older schema version in place. Idempotent, and safe when several processes
    /// run it at once.
    ///
    /// # Errors
    ///
    /// [`SessionError::InvalidConfiguration`] when the table records a schema version newer than
    /// this release knows; [`SessionError::Backend`] when the database refuses a statement;
    /// [`SessionError::Timeout`] when it takes longer than the store's timeout (a migration that
    /// needs longer, e.g. to index a large table, runs on a store given a longer
    /// [`SqlStore::with_timeout`]).
    pub async fn migrate(&self) -> Result<(), SessionError> {
        self.migrate_to(latest(D::MIGRATIONS)).await
    }

    /// Brings the table to schema version `version` and no further (never down): what an older
    /// release's `migrate()` did, for tests of the upgrade path. A store of this release needs
    /// the newest version ([`SqlStore::migrate`]). Same locking and errors as `migrate`.
    ///
    /// # Errors
    ///
    /// As [`SqlStore::migrate`].
    pub async fn migrate_to(&self, version: i64) -> Result<(), SessionError> {
        self.timeout
            .within("migrate", D::migrate(self, version))
            .await
    }

    /// This store on another table of the same database (same pools).
    ///
    /// # Errors
    ///
    /// [`SessionError::InvalidConfiguration`] for an invalid table name.
    pub fn on_table(&self, table: &str) -> Result<Self, SessionError> {
        Ok(SqlStore {
            clock: self.clock,
            timeout: self.timeout,
            ..Self::build(
                self.writer.clone(),
                self.reader.clone(),
                D::table_name(table)?,
            )
        })
    }

    /// This store judging expiry by `clock` instead of the system clock: an app instance whose
    /// host clock is off, for tests of semantic 25. Same pools and table.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn demo(store: authly_session_sql::SqlStore<impl authly_session_sql::Dialect>) {
    /// use authly_session::store_kit::{Clock, OperationTimeout};
    /// let ahead = store.clone().with_clock(Clock::shifted(chrono::Duration::hours(3)));
    /// # drop(ahead);
    /// # }
    /// ```
    pub fn with_clock(self, clock: Clock) -> Self {
        SqlStore { clock, ..self }
    }

    /// This store giving up on an operation after `timeout` instead of 10 s: the operation then
    /// returns [`SessionError::Timeout`]. The time covers the whole operation, waiting for a
    /// pool connection included. Clamped to between 1 ms and one hour
    /// ([`OperationTimeout::new`]), so no value panics or waits forever.
    ///
    /// The pools [`SqlStore::connect`] opens also ask the server to end a statement, or a wait
    /// for a lock, after 10 s (PostgreSQL `statement_timeout` and `lock_timeout`, MySQL and
    /// MariaDB `lock_wait_timeout` and `innodb_lock_wait_timeout`), so a statement abandoned by
    /// a timeout never holds server resources for long; those errors are timeouts too. A
    /// timeout above 10 s therefore needs a pool of your own ([`SqlStore::new`]) with matching
    /// server settings. SQLite waits at most 5 s for a lock.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn demo(store: authly_session_sql::SqlStore<impl authly_session_sql::Dialect>) {
    /// use std::time::Duration;
    /// let store = store.with_timeout(Duration::from_secs(2));
    /// assert_eq!(store.timeout(), Duration::from_secs(2));
    /// # }
    /// ```
    pub fn with_timeout(self, timeout: Duration) -> Self {
        SqlStore {
            timeout: OperationTimeout::new(timeout),
            ..self
        }
    }

    /// How long one operation may take before it returns [`SessionError::Timeout`].
    pub fn timeout(&self) -> Duration {
        self.timeout.get()
    }

    /// The pool writes go through (the only pool, unless the dialect splits reads off).
    pub fn pool(&self) -> &Pool<D::Database> {
        &self.writer
    }

    /// The table this store keeps sessions in.
    pub fn table(&self) -> &TableName {
        &self.table
    }

    fn build(writer: Pool<D::Database>, reader: Pool<D::Database>, table: TableName) -> Self {
        let statements = Arc::new(Prepared::new(
            D::statements(&table, DELETE_EXPIRED_BATCH),
            D::PLACEHOLDER,
        ));
        SqlStore {
            writes: Arc::new(Coalescer::new(writer.clone(), statements.clone())),
            writer,
            reader,
            statements,
            location: Arc::from(format!("table {table}")),
            table: Arc::new(table),
            clock: Clock::system(),
            timeout: OperationTimeout::DEFAULT,
        }
    }
}

impl<D: Dialect> Clone for SqlStore<D> {
    fn clone(&self) -> Self {
        SqlStore {
            writer: self.writer.clone(),
            reader: self.reader.clone(),
            table: self.table.clone(),
            statements: self.statements.clone(),
            location: self.location.clone(),
            clock: self.clock,
            timeout: self.timeout,
            writes: self.writes.clone(),
        }
    }
}

impl<D: Dialect> std::fmt::Debug for SqlStore<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlStore")
            .field("database", &D::NAME)
            .field("table", &self.table)
            .field("timeout", &self.timeout.get())
            .finish_non_exhaustive()
    }
}
