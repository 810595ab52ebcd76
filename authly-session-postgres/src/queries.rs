//! The PostgreSQL dialect: every statement the store runs, built once per table.

use std::sync::Arc;

use authly_session::{DELETE_EXPIRED_BATCH, TableName};
use sqlx::{AssertSqlSafe, SqlSafeStr, SqlStr};

/// The schema this release creates, and the version [`Queries::record_version`] records.
pub(crate) const MIGRATIONS: &[(i64, &str)] =
    &[(1, include_str!("../migrations/0001_create_sessions.sql"))];

/// The key of the transaction-scoped advisory lock `migrate()` holds (the ASCII bytes of
/// `authly_s`), so migrations from several processes run one after the other. One key for every
/// table: they share the schema-version table.
pub(crate) const MIGRATE_LOCK_KEY: i64 = 0x6175_7468_6c79_5f73;

/// Takes the migration lock until the end of the transaction.
pub(crate) const MIGRATE_LOCK: &str = "SELECT pg_advisory_xact_lock($1)";

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
        let t = table.quoted('"');
        Queries {
            load: sql(format!(
                "SELECT data, expires_at FROM {t} WHERE handle = $1 AND expires_at > $2"
            )),
            upsert: sql(format!(
                "INSERT INTO {t} (handle, identity_key, data, expires_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (handle) DO UPDATE SET identity_key = EXCLUDED.identity_key, \
                 data = EXCLUDED.data, expires_at = EXCLUDED.expires_at"
            )),
            delete: sql(format!("DELETE FROM {t} WHERE handle = $1")),
            touch: sql(format!(
                "UPDATE {t} SET expires_at = $2 WHERE handle = $1 AND expires_at > $3"
            )),
            end_live: sql(format!(
                "DELETE FROM {t} WHERE handle = $1 AND expires_at > $2"
            )),
            // A TID scan over one batch of expired rows. SKIP LOCKED lets cleaners of several
            // app instances share the backlog; the outer test re-checks a row touched meanwhile.
            delete_expired: sql(format!(
                "DELETE FROM {t} WHERE ctid = ANY(ARRAY(\
                 SELECT ctid FROM {t} WHERE expires_at <= $1 \
                 LIMIT {DELETE_EXPIRED_BATCH} FOR UPDATE SKIP LOCKED)) \
                 AND expires_at <= $1"
            )),
            list: sql(format!(
                "SELECT handle, data, expires_at FROM {t} WHERE identity_key = $1 AND expires_at > $2"
            )),
            delete_identity: sql(format!("DELETE FROM {t} WHERE identity_key = $1")),
            record_version: sql(table.render(
                "INSERT INTO authly_session_schema AS s (table_name, version) VALUES ($1, $2) \
                 ON CONFLICT (table_name) DO UPDATE SET version = GREATEST(s.version, EXCLUDED.version)",
                '"',
            )),
            migrations: MIGRATIONS
                .iter()
                .map(|(v, text)| (*v, table.render(text, '"')))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_statement_names_the_configured_table_only() {
        let table = TableName::with_optional_schema("auth.logins").unwrap();
        let queries = Queries::new(&table);
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
                statement.as_str().contains(r#""auth"."logins""#),
                "{}",
                statement.as_str()
            );
            assert!(!statement.as_str().contains("authly_sessions"));
        }
        assert!(
            queries
                .record_version
                .as_str()
                .contains(r#""auth"."authly_session_schema""#)
        );
        let (version, migration) = &queries.migrations[0];
        assert_eq!(*version, 1);
        assert!(migration.contains(r#"CREATE TABLE IF NOT EXISTS "auth"."logins""#));
        assert!(migration.contains(r#""logins_expires_idx" ON "auth"."logins""#));
        assert!(migration.contains(r#""auth"."authly_session_schema""#));
    }

    #[test]
    fn delete_expired_is_bounded_by_the_batch_size() {
        let queries = Queries::new(&TableName::new("t").unwrap());
        assert!(
            queries
                .delete_expired
                .as_str()
                .contains(&format!("LIMIT {DELETE_EXPIRED_BATCH} "))
        );
    }
}
