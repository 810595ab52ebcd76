//! The MySQL / MariaDB dialect: every statement the store runs, built once per table.

use std::sync::Arc;

use authly_session::{DELETE_EXPIRED_BATCH, TableName};
use sqlx::{AssertSqlSafe, SqlSafeStr, SqlStr};

/// The schema this release creates, and the version [`Queries::record_version`] records.
pub(crate) const MIGRATIONS: &[(i64, &str)] =
    &[(1, include_str!("../migrations/0001_create_sessions.sql"))];

/// The server-wide named lock `migrate()` holds, so migrations from several processes run one
/// after the other. One name for every table: they share the schema-version table.
pub(crate) const MIGRATE_LOCK_NAME: &str = "authly_session.migrate";

/// How long `migrate()` waits for another process's migration, in seconds.
pub(crate) const MIGRATE_LOCK_WAIT_SECS: i64 = 60;

/// Takes the named lock: 1 when taken, 0 on timeout, NULL on error.
pub(crate) const MIGRATE_LOCK: &str = "SELECT CAST(GET_LOCK(?, ?) AS SIGNED)";

/// Gives the named lock back.
pub(crate) const MIGRATE_UNLOCK: &str = "SELECT CAST(RELEASE_LOCK(?) AS SIGNED)";

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
    // The only spliced text is a TableName, validated at construction, and constants.
    AssertSqlSafe(Arc::<str>::from(text)).into_sql_str()
}

impl Queries {
    pub(crate) fn new(table: &TableName) -> Self {
        let t = table.quoted('`');
        Queries {
            load: sql(format!(
                "SELECT data, expires_at FROM {t} WHERE handle = ? AND expires_at > ?"
            )),
            // VALUES(col) is the form MySQL 8 and MariaDB both accept (MySQL 8.0.20+ also has a
            // row alias, which MariaDB lacks).
            upsert: sql(format!(
                "INSERT INTO {t} (handle, identity_key, data, expires_at) VALUES (?, ?, ?, ?) \
                 ON DUPLICATE KEY UPDATE identity_key = VALUES(identity_key), \
                 data = VALUES(data), expires_at = VALUES(expires_at)"
            )),
            delete: sql(format!("DELETE FROM {t} WHERE handle = ?")),
            // sqlx connects with CLIENT_FOUND_ROWS, so a matched row counts even when the new
            // expiry equals the old one.
            touch: sql(format!(
                "UPDATE {t} SET expires_at = ? WHERE handle = ? AND expires_at > ?"
            )),
            end_live: sql(format!(
                "DELETE FROM {t} WHERE handle = ? AND expires_at > ?"
            )),
            // Ordered along the expiry index, so the batch is deterministic (safe for
            // statement-based replication) and read in index order.
            delete_expired: sql(format!(
                "DELETE FROM {t} WHERE expires_at <= ? \
                 ORDER BY expires_at, handle LIMIT {DELETE_EXPIRED_BATCH}"
            )),
            list: sql(format!(
                "SELECT handle, data, expires_at FROM {t} WHERE identity_key = ? AND expires_at > ?"
            )),
            delete_identity: sql(format!("DELETE FROM {t} WHERE identity_key = ?")),
            record_version: sql(table.render(
                "INSERT INTO authly_session_schema (table_name, version) VALUES (?, ?) \
                 ON DUPLICATE KEY UPDATE version = GREATEST(version, VALUES(version))",
                '`',
            )),
            migrations: MIGRATIONS
                .iter()
                .map(|(v, text)| (*v, table.render(text, '`')))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_statement_names_the_configured_table_only() {
        let queries = Queries::new(&TableName::new("order").unwrap());
        for statement in [
            &queries.load,
            &queries.upsert,
            &queries.delete,
            &queries.touch,
            &queries.end_live,
            &queries.delete_expired,
            &queries.list,
            &queries.delete_identity,
        ] {
            assert!(
                statement.as_str().contains("`order`"),
                "{}",
                statement.as_str()
            );
            assert!(!statement.as_str().contains("authly_sessions"));
        }
        let (version, migration) = &queries.migrations[0];
        assert_eq!(*version, 1);
        assert!(migration.contains("CREATE TABLE IF NOT EXISTS `order`"));
        assert!(migration.contains("KEY `order_expires_idx` (expires_at)"));
        assert!(migration.contains("`authly_session_schema`"));
    }

    #[test]
    fn delete_expired_is_bounded_by_the_batch_size() {
        let queries = Queries::new(&TableName::new("t").unwrap());
        assert!(
            queries
                .delete_expired
                .as_str()
                .ends_with(&format!("LIMIT {DELETE_EXPIRED_BATCH}"))
        );
    }
}
