//! What a SQL backend supplies: only what differs between databases.

use std::future::Future;

use authly_session::{SessionError, TableName};
use chrono::{DateTime, Utc};
use sqlx::{Database, Decode, Encode, Pool, Type};

use crate::{SqlStore, Statements};

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

    /// How `expires_at` is bound and read: exact to the microsecond, in UTC.
    type Expiry: for<'q> Encode<'q, Self::Database>
        + for<'r> Decode<'r, Self::Database>
        + Type<Self::Database>
        + Send
        + 'static;

    /// The database's name, for messages.
    const NAME: &'static str;

    /// A table name as this database accepts it (e.g. PostgreSQL allows `schema.table`).
    ///
    /// # Errors
    ///
    /// [`SessionError::InvalidConfiguration`] for an invalid name.
    fn table_name(name: &str) -> Result<TableName, SessionError>;

    /// The SQL of every operation on `table`.
    fn statements(table: &TableName) -> Statements;

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

    /// Opens the pools for `url` with settings fit for sessions, including an acquire timeout.
    fn connect(
        url: &str,
    ) -> impl Future<Output = Result<Pools<Self::Database>, SessionError>> + Send;

    /// Creates the store's table, indexes and schema-version record if missing: idempotent, and
    /// safe from several processes at once.
    fn migrate(store: &SqlStore<Self>) -> impl Future<Output = Result<(), SessionError>> + Send;
}
