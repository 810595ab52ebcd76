//! The PostgreSQL dialect: its SQL, its time type, how it connects and migrates.

use authly_session::SessionError;
use authly_session_sql::pool::{Options, SERVER_STATEMENT_LIMIT, open_pool_with, server_location};
use authly_session_sql::{
    Dialect, IDENTITY_BATCH, PerRow, Placeholder, Pools, SqlStore, Statements, TableName,
    run_migrations,
};
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgQueryResult, Postgres};

use crate::PgTimestamp;

/// SQLSTATE `query_canceled`: `statement_timeout` ended the statement.
const QUERY_CANCELED: &str = "57014";

/// SQLSTATE `lock_not_available`: `lock_timeout` ended the wait for a lock.
const LOCK_NOT_AVAILABLE: &str = "55P03";

/// The advisory lock `migrate()` holds for its transaction, so concurrent migrations queue.
const MIGRATE_LOCK_KEY: i64 = 0x6175_7468_6c79_5f73;

/// PostgreSQL, as [`PostgresStore`](crate::PostgresStore) speaks it: `TIMESTAMPTZ` times read as
/// raw microseconds ([`PgTimestamp`], so `'infinity'` is corrupt data, not a panic), the JSON in
/// `TEXT` (JSONB refuses `\u0000`), `schema.table` names.
#[derive(Debug)]
pub enum PostgresDialect {}

impl Dialect for PostgresDialect {
    type Database = Postgres;
    type Expiry = PgTimestamp;
    const NAME: &'static str = "PostgreSQL";
    const PLACEHOLDER: Placeholder = Placeholder::Dollar;
    const QUOTE: char = '"';
    authly_session_sql::migration_files!();
    const READ_VERSION: &'static str =
        "SELECT version FROM authly_session_schema WHERE table_name = $1";
    const RECORD_VERSION: &'static str = "INSERT INTO authly_session_schema AS s (table_name, version) \
        VALUES ($1, $2) ON CONFLICT (table_name) DO UPDATE SET version = EXCLUDED.version";

    fn table_name(name: &str) -> Result<TableName, SessionError> {
        TableName::with_optional_schema(name)
    }

    fn statements(table: &TableName, expired_batch: u64) -> Statements {
        let t = table.quoted(Self::QUOTE);
        Statements {
            load: format!(
                "SELECT data, created_at, last_seen_at, expires_at FROM {t} \
                 WHERE handle = $1 AND expires_at > $2"
            ),
            upsert: PerRow {
                head: format!(
                    "INSERT INTO {t} (handle, identity_key, data, created_at, last_seen_at, expires_at) VALUES "
                ),
                width: 6,
                tail: " \
                 ON CONFLICT (handle) DO UPDATE SET identity_key = EXCLUDED.identity_key, \
                 data = EXCLUDED.data, created_at = EXCLUDED.created_at, \
                 last_seen_at = EXCLUDED.last_seen_at, expires_at = EXCLUDED.expires_at"
                    .to_owned(),
            },
            update: format!(
                "UPDATE {t} SET identity_key = $1, data = $2, last_seen_at = $3, expires_at = $4 \
                 WHERE handle = $5 AND expires_at > $6"
            ),
            delete: PerRow {
                head: format!("DELETE FROM {t} WHERE handle IN ("),
                width: 1,
                tail: ")".to_owned(),
            },
            touch: format!(
                "UPDATE {t} SET expires_at = $1, last_seen_at = $2 WHERE handle = $3 AND expires_at > $4"
            ),
            end_live: format!("DELETE FROM {t} WHERE handle = $1 AND expires_at > $2"),
            // A TID scan over one batch of expired rows. SKIP LOCKED lets cleaners of several
            // app instances share the backlog; the outer test re-checks a row touched meanwhile.
            delete_expired: format!(
                "DELETE FROM {t} WHERE ctid = ANY(ARRAY(\
                 SELECT ctid FROM {t} WHERE expires_at <= $1 \
                 LIMIT {expired_batch} FOR UPDATE SKIP LOCKED)) \
                 AND expires_at <= $1"
            ),
            // Keyset pages along the identity index (identity_key, handle).
            list: format!(
                "SELECT handle, data, created_at, last_seen_at, expires_at FROM {t} \
                 WHERE identity_key = $1 AND handle > $2 ORDER BY handle LIMIT {IDENTITY_BATCH}"
            ),
            // One batch along the identity index, then primary-key lookups. FOR UPDATE waits for
            // rows being written (a row locked here cannot change identity) and passes over rows
            // deleted meanwhile, so a batch is short only when the identity has no more rows; the
            // index order makes concurrent sign-outs lock in the same order.
            delete_identity: format!(
                "DELETE FROM {t} WHERE handle = ANY(ARRAY(\
                 SELECT handle FROM {t} WHERE identity_key = $1 \
                 ORDER BY handle LIMIT {IDENTITY_BATCH} FOR UPDATE))"
            ),
        }
    }

    fn to_expiry(time: DateTime<Utc>) -> PgTimestamp {
        PgTimestamp::from_utc(time)
    }

    fn from_expiry(value: PgTimestamp) -> Option<DateTime<Utc>> {
        value.to_utc()
    }

    fn rows_affected(result: &PgQueryResult) -> u64 {
        result.rows_affected()
    }

    fn is_timeout(error: &sqlx::Error) -> bool {
        error
            .as_database_error()
            .and_then(|e| e.code())
            .is_some_and(|code| code == QUERY_CANCELED || code == LOCK_NOT_AVAILABLE)
    }

    /// One pool whose connections have the server end a statement, or a wait for a lock, after
    /// [`SERVER_STATEMENT_LIMIT`] (`statement_timeout`, `lock_timeout`, sent at connect).
    async fn connect(url: &str) -> Result<Pools<Postgres>, SessionError> {
        let location =
            |o: &Options<Postgres>| server_location(o.get_host(), o.get_port(), o.get_database());
        let limit = format!("{}ms", SERVER_STATEMENT_LIMIT.as_millis());
        let limits = |options: Options<Postgres>| {
            options.options([("statement_timeout", &limit), ("lock_timeout", &limit)])
        };
        let pool = open_pool_with::<Postgres>(url, Self::NAME, location, limits, |pool| pool);
        Ok(Pools::single(pool.await?))
    }

    /// One transaction holding an advisory lock, so concurrent migrations queue and a failed
    /// one leaves nothing half done. The server ends its statements and lock waits after the
    /// store's timeout (not [`SERVER_STATEMENT_LIMIT`]): a store given a longer timeout can
    /// run a migration that takes longer.
    async fn migrate(store: &SqlStore<Self>, target: i64) -> Result<(), SessionError> {
        let failed = |e| SessionError::backend(format!("migrate table {}", store.table()), e);
        let mut tx = store.pool().begin().await.map_err(failed)?;
        let limit = format!("{}ms", store.timeout().as_millis());
        sqlx::query("SELECT set_config('statement_timeout', $1, true), set_config('lock_timeout', $1, true)")
            .bind(limit)
            .execute(&mut *tx)
            .await
            .map_err(failed)?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(MIGRATE_LOCK_KEY)
            .execute(&mut *tx)
            .await
            .map_err(failed)?;
        run_migrations(store, &mut tx, target).await?;
        tx.commit().await.map_err(failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_statement_names_the_configured_table_only() {
        let table = TableName::with_optional_schema("auth.logins").unwrap();
        let s = PostgresDialect::statements(&table, 10);
        for statement in s.all() {
            assert!(statement.contains(r#""auth"."logins""#), "{statement}");
            assert!(!statement.contains("authly_sessions"), "{statement}");
        }
        let migration = table.render(PostgresDialect::MIGRATIONS[0].sql, '"');
        assert!(migration.contains(r#"CREATE TABLE IF NOT EXISTS "auth"."logins""#));
        assert!(migration.contains(r#""logins_expires_idx" ON "auth"."logins""#));
        let version_table = table.render(PostgresDialect::VERSION_TABLE, '"');
        assert!(version_table.contains(r#""auth"."authly_session_schema""#));
    }

    #[test]
    fn delete_expired_is_bounded_by_the_batch_size() {
        let s = PostgresDialect::statements(&TableName::new("t").unwrap(), 1234);
        assert!(s.delete_expired.contains("LIMIT 1234 "));
    }
}
