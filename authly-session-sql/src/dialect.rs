//! What a SQL backend supplies: only what differs between databases.

use std::future::Future;

use authly_session::SessionError;
use chrono::{DateTime, Utc};
use sqlx::{Database, Decode, Encode, Pool, Type};

use crate::{Migration, Placeholder, SqlStore, Statements, TableName};

/// The pools a store runs on: writes through `writer`, reads through `reader` (the same pool,
/// unless the database gains from splitting them, as SQLite does).
pub struct Pools<DB: Database> {
    /// Where every write goes.
    pub writer: Pool<DB>,
    /// Where loads and listings go.
    pub reader: Pool<DB>,
}

impl<DB: Database> Pools<DB> {
    /// One pool for reads and writes alike (what a server database wants).
    pub fn single(pool: Pool<DB>) -> Self {
        Pools {
            writer: pool.clone(),
            reader: pool,
        }
    }
}

/// One SQL database's dialect: its statements, its time column, its connection and migration.
pub trait Dialect: Sized + Send + Sync + 'static {
    /// The sqlx database this dialect speaks to.
    type Database: Database;

    /// How a time (`expires_at`, `created_at`, `last_seen_at`) is bound and read: exact to the
    /// microsecond, in UTC.
    type Expiry: for<'q> Encode<'q, Self::Database>
        + for<'r> Decode<'r, Self::Database>
        + Type<Self::Database>
        + Clone
        + Send
        + 'static;

    /// The database's name, for messages.
    const NAME: &'static str;

    /// The character this database quotes identifiers with (`"` or `` ` ``).
    const QUOTE: char;

    /// How this database's statements write bound parameters.
    const PLACEHOLDER: Placeholder;

    /// How many coalesced write rounds may run at once (see [`SqlStore`]'s write coalescing):
    /// each holds one connection while it runs. Two by default, so one round's statement is
    /// on the wire while the next is being gathered; one where the database has a single writer.
    const WRITE_ROUNDS: usize = 2;

    /// The schema, oldest version first: the files of the backend crate's `migrations/`.
    const MIGRATIONS: &'static [Migration];

    /// Creates the schema-version table `authly_session_schema` if missing (idempotent).
    const VERSION_TABLE: &'static str;

    /// `(table_name)` → `version`: the version recorded for one sessions table.
    const READ_VERSION: &'static str;

    /// `(table_name, version)`: records that version for one sessions table.
    const RECORD_VERSION: &'static str;

    /// A table name as this database accepts it (e.g. PostgreSQL allows `schema.table`).
    ///
    /// # Errors
    ///
    /// [`SessionError::InvalidConfiguration`] for an invalid name.
    fn table_name(name: &str) -> Result<TableName, SessionError>;

    /// The SQL of every operation on `table`; `delete_expired` removes at most `expired_batch`
    /// rows per statement (the store's loop relies on exactly that number).
    fn statements(table: &TableName, expired_batch: u64) -> Statements;

    /// `time` as the `expires_at` column holds it.
    fn to_expiry(time: DateTime<Utc>) -> Self::Expiry;

    /// The inverse of [`Dialect::to_expiry`]; `None` for a value no time can have come from.
    fn from_expiry(value: Self::Expiry) -> Option<DateTime<Utc>>;

    /// How many rows a statement affected (matched, for an `UPDATE`).
    fn rows_affected(result: &<Self::Database as Database>::QueryResult) -> u64;

    /// Whether a failed write may simply run again (e.g. MySQL's deadlock victim, whose
    /// single-statement transaction was rolled back whole). No by default.
    fn is_retryable(_error: &sqlx::Error) -> bool {
        false
    }

    /// Whether a failed statement means the server gave up waiting (its own statement or lock
    /// timeout, SQLite's busy timeout): the store reports it as [`SessionError::Timeout`]. No by
    /// default.
    fn is_timeout(_error: &sqlx::Error) -> bool {
        false
    }

    /// Whether a connection whose statement was abandoned halfway (its operation's timeout
    /// passed) is closed rather than returned to the pool, where it would first wait for the
    /// abandoned statement's answer, which may never come. Yes by default; SQLite says no: its
    /// connection finishes the statement by itself within the busy timeout, and an in-memory
    /// database lives only as long as its one connection.
    const CLOSE_ABANDONED: bool = true;

    /// Opens the pools for `url` with settings fit for sessions, including an acquire timeout.
    fn connect(
        url: &str,
    ) -> impl Future<Output = Result<Pools<Self::Database>, SessionError>> + Send;

    /// Brings the store's table to schema version `target`: holds this database's lock (so
    /// several processes may migrate at once) around
    /// [`run_migrations`](crate::run_migrations), which does the work.
    fn migrate(
        store: &SqlStore<Self>,
        target: i64,
    ) -> impl Future<Output = Result<(), SessionError>> + Send;
}
