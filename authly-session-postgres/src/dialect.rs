//! The PostgreSQL dialect: its SQL, its time type, how it connects and migrates.

use authly_session::{DELETE_EXPIRED_BATCH, SessionError, TableName};
use authly_session_sql::pool::open_pool;
use authly_session_sql::{Dialect, Pools, SqlStore, Statements};
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgQueryResult, Postgres};

/// The schema this release creates: `(version, SQL written for the table authly_sessions)`.
pub(crate) const MIGRATIONS: &[(i64, &str)] =
    &[(1, include_str!("../migrations/0001_create_sessions.sql"))];

/// The advisory lock `migrate()` holds for its transaction, so concurrent migrations queue.
const MIGRATE_LOCK_KEY: i64 = 0x6175_7468_6c79_5f73;

/// PostgreSQL, as [`PostgresStore`](crate::PostgresStore) speaks it: `TIMESTAMPTZ` expiry, the
/// JSON in `TEXT` (JSONB refuses `\u0000`), `schema.table` names.
#[derive(Debug)]
pub enum PostgresDialect {}

impl Dialect for PostgresDialect {
    type Database = Postgres;
    type Expiry = DateTime<Utc>;
    const NAME: &'static str = "PostgreSQL";

    fn table_name(name: &str) -> Result<TableName, SessionError> {
        TableName::with_optional_schema(name)
    }

    fn statements(table: &TableName) -> Statements {
        let t = table.quoted('"');
        Statements {
            load: format!("SELECT data, expires_at FROM {t} WHERE handle = $1 AND expires_at > $2"),
            upsert: format!(
                "INSERT INTO {t} (handle, identity_key, data, expires_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (handle) DO UPDATE SET identity_key = EXCLUDED.identity_key, \
                 data = EXCLUDED.data, expires_at = EXCLUDED.expires_at"
            ),
            delete: format!("DELETE FROM {t} WHERE handle = $1"),
            touch: format!("UPDATE {t} SET expires_at = $1 WHERE handle = $2 AND expires_at > $3"),
            end_live: format!("DELETE FROM {t} WHERE handle = $1 AND expires_at > $2"),
            // A TID scan over one batch of expired rows. SKIP LOCKED lets cleaners of several
            // app instances share the backlog; the outer test re-checks a row touched meanwhile.
            delete_expired: format!(
                "DELETE FROM {t} WHERE ctid = ANY(ARRAY(\
                 SELECT ctid FROM {t} WHERE expires_at <= $1 \
                 LIMIT {DELETE_EXPIRED_BATCH} FOR UPDATE SKIP LOCKED)) \
                 AND expires_at <= $1"
            ),
            list: format!(
                "SELECT handle, data, expires_at FROM {t} WHERE identity_key = $1 AND expires_at > $2"
            ),
            delete_identity: format!("DELETE FROM {t} WHERE identity_key = $1"),
        }
    }

    fn to_expiry(time: DateTime<Utc>) -> DateTime<Utc> {
        time
    }

    fn from_expiry(value: DateTime<Utc>) -> Option<DateTime<Utc>> {
        Some(value)
    }

    fn rows_affected(result: &PgQueryResult) -> u64 {
        result.rows_affected()
    }

    async fn connect(url: &str) -> Result<Pools<Postgres>, SessionError> {
        let pool = open_pool::<Postgres>(url, Self::NAME, |o| {
            format!(
                "{}:{}/{}",
                o.get_host(),
                o.get_port(),
                o.get_database().unwrap_or_default()
            )
        })
        .await?;
        Ok(Pools::single(pool))
    }

    /// One transaction holding an advisory lock: the DDL, then the version record.
    async fn migrate(store: &SqlStore<Self>) -> Result<(), SessionError> {
        let table = store.table();
        let failed = |e| SessionError::backend(format!("migrate table {table}"), e);
        let mut tx = store.pool().begin().await.map_err(failed)?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(MIGRATE_LOCK_KEY)
            .execute(&mut *tx)
            .await
            .map_err(failed)?;
        let record_version = table.render(
            "INSERT INTO authly_session_schema AS s (table_name, version) VALUES ($1, $2) \
             ON CONFLICT (table_name) DO UPDATE SET version = GREATEST(s.version, EXCLUDED.version)",
            '"',
        );
        for (version, template) in MIGRATIONS {
            sqlx::raw_sql(sqlx::AssertSqlSafe(table.render(template, '"')))
                .execute(&mut *tx)
                .await
                .map_err(failed)?;
            sqlx::query(sqlx::AssertSqlSafe(record_version.as_str()))
                .bind(table.to_string())
                .bind(version)
                .execute(&mut *tx)
                .await
                .map_err(failed)?;
        }
        tx.commit().await.map_err(failed)?;
        tracing::debug!(%table, "session table migrated");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use authly_session_sql::pool::parse_url;

    use super::*;

    #[test]
    fn accepts_its_own_urls_only() {
        for good in [
            "postgres://app@localhost/app",
            "postgresql://app:pw@db.example:6543/sessions?sslmode=require",
        ] {
            assert!(
                parse_url::<Postgres>(good, PostgresDialect::NAME).is_ok(),
                "{good}"
            );
        }
        for bad in [
            "mysql://root@localhost/test",
            "localhost",
            "",
            "postgres:/x",
        ] {
            let result = parse_url::<Postgres>(bad, PostgresDialect::NAME);
            assert!(
                matches!(result, Err(SessionError::InvalidConfiguration { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_configuration_error_does_not_repeat_the_url() {
        let error = parse_url::<Postgres>("postgres://user:se cret@[bad/x", PostgresDialect::NAME)
            .unwrap_err();
        assert!(!error.to_string().contains("se cret"), "{error}");
    }

    #[test]
    fn every_statement_names_the_configured_table_only() {
        let table = TableName::with_optional_schema("auth.logins").unwrap();
        let s = PostgresDialect::statements(&table);
        for statement in [
            &s.load,
            &s.upsert,
            &s.delete,
            &s.touch,
            &s.end_live,
            &s.delete_expired,
            &s.list,
            &s.delete_identity,
        ] {
            assert!(statement.contains(r#""auth"."logins""#), "{statement}");
            assert!(!statement.contains("authly_sessions"), "{statement}");
        }
        let migration = table.render(MIGRATIONS[0].1, '"');
        assert!(migration.contains(r#"CREATE TABLE IF NOT EXISTS "auth"."logins""#));
        assert!(migration.contains(r#""logins_expires_idx" ON "auth"."logins""#));
        assert!(migration.contains(r#""auth"."authly_session_schema""#));
    }

    #[test]
    fn delete_expired_is_bounded_by_the_batch_size() {
        let s = PostgresDialect::statements(&TableName::new("t").unwrap());
        assert!(
            s.delete_expired
                .contains(&format!("LIMIT {DELETE_EXPIRED_BATCH} "))
        );
    }
}
