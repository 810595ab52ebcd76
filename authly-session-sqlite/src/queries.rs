//! The SQLite dialect: every statement the store runs, built once per table.

use std::sync::Arc;

use authly_session::{DELETE_EXPIRED_BATCH, TableName};
use sqlx::{AssertSqlSafe, SqlSafeStr, SqlStr};

/// The schema this release creates, and the version [`Queries::record_version`] records.
pub(crate) const MIGRATIONS: &[(i64, &str)] =
    &[(1, include_str!("../migrations/0001_create_sessions.sql"))];

/// SQL text for one table. Cloning a statement is a reference-count bump.
pub(crate) struct Queries {
    pub(crate) load: SqlStr,
    pub(crate) upsert: SqlStr,
    pub(crate) delete: SqlStr,
    pub(crate) touch: SqlStr,
    pub(crate) end_live: SqlStr,
    pub(crate) delete_expired: SqlStr,
    pub(crate) list: SqlStr,
    pub(crate) delete_identity: SqlStr,
    pub(crate) record_version: SqlStr,
    pub(crate) migrations: Vec<(i64, String)>,
}

fn sql(text: String) -> SqlStr {
    // The only spliced text is a TableName, validated at construction.
    AssertSqlSafe(Arc::<str>::from(text)).into_sql_str()
}

impl Queries {
    pub(crate) fn new(table: &TableName) -> Self {
        let t = table.quoted('"');
        Queries {
            load: sql(format!(
                "SELECT data, expires_at FROM {t} WHERE handle = ?1 AND expires_at > ?2"
            )),
            upsert: sql(format!(
                "INSERT INTO {t} (handle, identity_key, data, expires_at) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (handle) DO UPDATE SET identity_key = excluded.identity_key, \
                 data = excluded.data, expires_at = excluded.expires_at"
            )),
            delete: sql(format!("DELETE FROM {t} WHERE handle = ?1")),
            touch: sql(format!(
                "UPDATE {t} SET expires_at = ?2 WHERE handle = ?1 AND expires_at > ?3"
            )),
            end_live: sql(format!(
                "DELETE FROM {t} WHERE handle = ?1 AND expires_at > ?2"
            )),
            delete_expired: sql(format!(
                "DELETE FROM {t} WHERE rowid IN \
                 (SELECT rowid FROM {t} WHERE expires_at <= ?1 LIMIT {DELETE_EXPIRED_BATCH})"
            )),
            list: sql(format!(
                "SELECT handle, data, expires_at FROM {t} WHERE identity_key = ?1 AND expires_at > ?2"
            )),
            delete_identity: sql(format!("DELETE FROM {t} WHERE identity_key = ?1")),
            record_version: sql(table.render(
                "INSERT INTO authly_session_schema (table_name, version) VALUES (?1, ?2) \
                 ON CONFLICT (table_name) DO UPDATE SET version = max(version, excluded.version)",
                '"',
            )),
            migrations: MIGRATIONS
                .iter()
                .map(|(v, text)| (*v, table.render(text, '"')))
                .collect(),
        }
    }
}
