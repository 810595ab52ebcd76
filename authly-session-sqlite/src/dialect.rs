//! The SQLite dialect: its SQL, its time type, how it connects and migrates.

use authly_session::{
    DELETE_EXPIRED_BATCH, SessionError, TableName, from_unix_micros, to_unix_micros,
};
use authly_session_sql::{Dialect, Pools, SqlStore, Statements};
use chrono::{DateTime, Utc};
use sqlx::sqlite::{Sqlite, SqliteQueryResult};

use crate::connect;

/// The schema this release creates: `(version, SQL written for the table authly_sessions)`.
pub(crate) const MIGRATIONS: &[(i64, &str)] =
    &[(1, include_str!("../migrations/0001_create_sessions.sql"))];

/// SQLite, as [`SqliteStore`](crate::SqliteStore) speaks it: expiry as integer microseconds
/// since the epoch, so comparisons are exact and time-zone free.
#[derive(Debug)]
pub enum SqliteDialect {}

impl Dialect for SqliteDialect {
    type Database = Sqlite;
    type Expiry = i64;
    const NAME: &'static str = "SQLite";

    fn table_name(name: &str) -> Result<TableName, SessionError> {
        TableName::new(name)
    }

    fn statements(table: &TableName) -> Statements {
        let t = table.quoted('"');
        Statements {
            load: format!("SELECT data, expires_at FROM {t} WHERE handle = ?1 AND expires_at > ?2"),
            upsert: format!(
                "INSERT INTO {t} (handle, identity_key, data, expires_at) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (handle) DO UPDATE SET identity_key = excluded.identity_key, \
                 data = excluded.data, expires_at = excluded.expires_at"
            ),
            delete: format!("DELETE FROM {t} WHERE handle = ?1"),
            touch: format!("UPDATE {t} SET expires_at = ?1 WHERE handle = ?2 AND expires_at > ?3"),
            end_live: format!("DELETE FROM {t} WHERE handle = ?1 AND expires_at > ?2"),
            delete_expired: format!(
                "DELETE FROM {t} WHERE rowid IN \
                 (SELECT rowid FROM {t} WHERE expires_at <= ?1 LIMIT {DELETE_EXPIRED_BATCH})"
            ),
            list: format!(
                "SELECT handle, data, expires_at FROM {t} WHERE identity_key = ?1 AND expires_at > ?2"
            ),
            delete_identity: format!("DELETE FROM {t} WHERE identity_key = ?1"),
        }
    }

    fn to_expiry(time: DateTime<Utc>) -> i64 {
        to_unix_micros(time)
    }

    fn from_expiry(value: i64) -> Option<DateTime<Utc>> {
        from_unix_micros(value)
    }

    fn rows_affected(result: &SqliteQueryResult) -> u64 {
        result.rows_affected()
    }

    async fn connect(url: &str) -> Result<Pools<Sqlite>, SessionError> {
        connect::open(url).await
    }

    /// One `BEGIN IMMEDIATE` transaction on the writer: the DDL, then the version record.
    async fn migrate(store: &SqlStore<Self>) -> Result<(), SessionError> {
        let table = store.table();
        let failed = |e| SessionError::backend(format!("migrate table {table}"), e);
        let record_version = table.render(
            "INSERT INTO authly_session_schema (table_name, version) VALUES (?1, ?2) \
             ON CONFLICT (table_name) DO UPDATE SET version = max(version, excluded.version)",
            '"',
        );
        let mut conn = store.pool().acquire().await.map_err(failed)?;
        sqlx::raw_sql("BEGIN IMMEDIATE")
            .execute(&mut *conn)
            .await
            .map_err(failed)?;
        let result = async {
            for (version, template) in MIGRATIONS {
                sqlx::raw_sql(sqlx::AssertSqlSafe(table.render(template, '"')))
                    .execute(&mut *conn)
                    .await?;
                sqlx::query(sqlx::AssertSqlSafe(record_version.as_str()))
                    .bind(table.to_string())
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
}
