//! The SQLite dialect: its SQL, its time type, how it connects and migrates.

use authly_session::SessionError;
use authly_session::store_kit::{from_unix_micros, to_unix_micros};
use authly_session_sql::{
    Dialect, IDENTITY_BATCH, PerRow, Placeholder, Pools, SqlStore, Statements, TableName,
    run_migrations,
};
use chrono::{DateTime, Utc};
use sqlx::sqlite::{Sqlite, SqliteQueryResult};

use crate::connect;

/// SQLite's primary result code `SQLITE_BUSY`: the busy timeout passed while another
/// connection held the lock.
const SQLITE_BUSY: i32 = 5;

/// SQLite, as [`SqliteStore`](crate::SqliteStore) speaks it: expiry as integer microseconds
/// since the epoch, so comparisons are exact and time-zone free.
#[derive(Debug)]
pub enum SqliteDialect {}

impl Dialect for SqliteDialect {
    type Database = Sqlite;
    type Expiry = i64;
    const NAME: &'static str = "SQLite";
    const PLACEHOLDER: Placeholder = Placeholder::NumberedQuestion;
    /// One writer connection: a second round would only wait for it.
    const WRITE_ROUNDS: usize = 1;
    const QUOTE: char = '"';
    authly_session_sql::migration_files!();
    const READ_VERSION: &'static str =
        "SELECT version FROM authly_session_schema WHERE table_name = ?1";
    const RECORD_VERSION: &'static str = "INSERT INTO authly_session_schema (table_name, version) \
        VALUES (?1, ?2) ON CONFLICT (table_name) DO UPDATE SET version = excluded.version";

    fn table_name(name: &str) -> Result<TableName, SessionError> {
        TableName::new(name)
    }

    fn statements(table: &TableName, expired_batch: u64) -> Statements {
        let t = table.quoted(Self::QUOTE);
        Statements {
            load: format!(
                "SELECT data, created_at, last_seen_at, expires_at FROM {t} \
                 WHERE handle = ?1 AND expires_at > ?2"
            ),
            upsert: PerRow {
                head: format!(
                    "INSERT INTO {t} (handle, identity_key, data, created_at, last_seen_at, expires_at) VALUES "
                ),
                width: 6,
                tail: " \
                 ON CONFLICT (handle) DO UPDATE SET identity_key = excluded.identity_key, \
                 data = excluded.data, created_at = excluded.created_at, \
                 last_seen_at = excluded.last_seen_at, expires_at = excluded.expires_at"
                    .to_owned(),
            },
            update: format!(
                "UPDATE {t} SET identity_key = ?1, data = ?2, last_seen_at = ?3, expires_at = ?4 \
                 WHERE handle = ?5 AND expires_at > ?6"
            ),
            delete: PerRow {
                head: format!("DELETE FROM {t} WHERE handle IN ("),
                width: 1,
                tail: ")".to_owned(),
            },
            touch: format!(
                "UPDATE {t} SET expires_at = ?1, last_seen_at = ?2 WHERE handle = ?3 AND expires_at > ?4"
            ),
            end_live: format!("DELETE FROM {t} WHERE handle = ?1 AND expires_at > ?2"),
            delete_expired: format!(
                "DELETE FROM {t} WHERE rowid IN \
                 (SELECT rowid FROM {t} WHERE expires_at <= ?1 LIMIT {expired_batch})"
            ),
            // Keyset pages along the identity index (identity_key, handle).
            list: format!(
                "SELECT handle, data, created_at, last_seen_at, expires_at FROM {t} \
                 WHERE identity_key = ?1 AND handle > ?2 ORDER BY handle LIMIT {IDENTITY_BATCH}"
            ),
            // One writer at a time: a batch is short only when the identity has no more rows.
            delete_identity: format!(
                "DELETE FROM {t} WHERE rowid IN \
                 (SELECT rowid FROM {t} WHERE identity_key = ?1 LIMIT {IDENTITY_BATCH})"
            ),
        }
    }

    fn to_expiry(time: DateTime<Utc>) -> i64 {
        to_unix_micros(time)
    }

    fn from_expiry(value: i64) -> Option<DateTime<Utc>> {
        from_unix_micros(value)
    }

    /// The connection finishes an abandoned statement by itself, within the busy timeout.
    const CLOSE_ABANDONED: bool = false;

    fn is_timeout(error: &sqlx::Error) -> bool {
        let code = error.as_database_error().and_then(|e| e.code());
        // The code is the extended result code; its low byte is the primary one.
        code.and_then(|code| code.parse::<i32>().ok())
            .is_some_and(|code| code & 0xff == SQLITE_BUSY)
    }

    fn rows_affected(result: &SqliteQueryResult) -> u64 {
        result.rows_affected()
    }

    async fn connect(url: &str) -> Result<Pools<Sqlite>, SessionError> {
        connect::open(url).await
    }

    /// One `BEGIN IMMEDIATE` transaction on the writer: it takes SQLite's write lock at once,
    /// so a concurrent migration waits (busy timeout) instead of failing halfway, and it rolls
    /// back if the future is dropped before it commits.
    async fn migrate(store: &SqlStore<Self>, target: i64) -> Result<(), SessionError> {
        let failed = |e| SessionError::backend(format!("migrate table {}", store.table()), e);
        // A transaction object, not raw BEGIN/COMMIT: if this future is dropped halfway, the
        // transaction rolls back before the (only) writer connection returns to the pool.
        let mut tx = store
            .pool()
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(failed)?;
        run_migrations(store, &mut tx, target).await?;
        tx.commit().await.map_err(failed)
    }
}
