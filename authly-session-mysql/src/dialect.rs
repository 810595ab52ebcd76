//! The MySQL / MariaDB dialect: its SQL, its time type, how it connects and migrates.

use authly_session::SessionError;
use authly_session_sql::pool::{Options, open_pool_with, server_location};
use authly_session_sql::{
    Dialect, IDENTITY_BATCH, PerRow, Placeholder, Pools, SqlStore, Statements, TableName,
    run_migrations,
};
use chrono::{DateTime, NaiveDateTime, Utc};
use sqlx::Executor;
use sqlx::mysql::{MySql, MySqlDatabaseError, MySqlQueryResult};

/// The server-wide named lock `migrate()` holds, so concurrent migrations queue.
const MIGRATE_LOCK_NAME: &str = "authly_session.migrate";

/// How long `migrate()` waits for another process's migration.
const MIGRATE_LOCK_WAIT_SECS: i64 = 60;

/// MySQL's error number for "Deadlock found when trying to get lock".
const ER_LOCK_DEADLOCK: u16 = 1213;

/// The error numbers of a server that gave up waiting: a row or metadata lock wait timeout
/// (1205, both servers), MariaDB's `max_statement_time` (1969), MySQL's `max_execution_time`
/// (3024).
const TIMEOUT_ERRORS: [u16; 3] = [1205, 1969, 3024];

/// Sets the connection's lock waits to [`SERVER_STATEMENT_LIMIT`](authly_session_sql::pool::SERVER_STATEMENT_LIMIT), in whole seconds.
const SET_LOCK_WAITS: &str = "SET SESSION innodb_lock_wait_timeout = 10, lock_wait_timeout = 10";

/// MySQL 8 and MariaDB 10.11+, as [`MySqlStore`](crate::MySqlStore) speaks them: a binary-collated
/// key column, so ids stay case-sensitive; `DATETIME(6)` holding UTC, bound as `NaiveDateTime`,
/// so the connection's `time_zone` never shifts expiry.
#[derive(Debug)]
pub enum MySqlDialect {}

impl Dialect for MySqlDialect {
    type Database = MySql;
    type Expiry = NaiveDateTime;
    const NAME: &'static str = "MySQL";
    const PLACEHOLDER: Placeholder = Placeholder::Question;
    const QUOTE: char = '`';
    authly_session_sql::migration_files!();
    const READ_VERSION: &'static str =
        "SELECT version FROM authly_session_schema WHERE table_name = ?";
    const RECORD_VERSION: &'static str = "INSERT INTO authly_session_schema (table_name, version) \
        VALUES (?, ?) ON DUPLICATE KEY UPDATE version = VALUES(version)";

    fn table_name(name: &str) -> Result<TableName, SessionError> {
        TableName::new(name)
    }

    fn statements(table: &TableName, expired_batch: u64) -> Statements {
        let t = table.quoted(Self::QUOTE);
        Statements {
            load: format!(
                "SELECT data, created_at, last_seen_at, expires_at FROM {t} \
                 WHERE handle = ? AND expires_at > ?"
            ),
            // VALUES(col) is the form MySQL 8 and MariaDB both accept (MySQL 8.0.20+ also has a
            // row alias, which MariaDB lacks).
            upsert: PerRow {
                head: format!(
                    "INSERT INTO {t} (handle, identity_key, data, created_at, last_seen_at, expires_at) VALUES "
                ),
                width: 6,
                tail: " \
                 ON DUPLICATE KEY UPDATE identity_key = VALUES(identity_key), data = VALUES(data), \
                 created_at = VALUES(created_at), last_seen_at = VALUES(last_seen_at), \
                 expires_at = VALUES(expires_at)"
                    .to_owned(),
            },
            update: format!(
                "UPDATE {t} SET identity_key = ?, data = ?, last_seen_at = ?, expires_at = ? \
                 WHERE handle = ? AND expires_at > ?"
            ),
            delete: PerRow {
                head: format!("DELETE FROM {t} WHERE handle IN ("),
                width: 1,
                tail: ")".to_owned(),
            },
            // sqlx connects with CLIENT_FOUND_ROWS, so a matched row counts even when the new
            // expiry equals the old one.
            touch: format!(
                "UPDATE {t} SET expires_at = ?, last_seen_at = ? WHERE handle = ? AND expires_at > ?"
            ),
            end_live: format!("DELETE FROM {t} WHERE handle = ? AND expires_at > ?"),
            // Ordered along the expiry index, so the batch is deterministic (safe for
            // statement-based replication) and read in index order.
            delete_expired: format!(
                "DELETE FROM {t} WHERE expires_at <= ? \
                 ORDER BY expires_at, handle LIMIT {expired_batch}"
            ),
            // Keyset pages along the identity index (identity_key, handle).
            list: format!(
                "SELECT handle, data, created_at, last_seen_at, expires_at FROM {t} \
                 WHERE identity_key = ? AND handle > ? ORDER BY handle LIMIT {IDENTITY_BATCH}"
            ),
            // A locking read along the identity index: a batch is short only when the identity
            // has no more rows.
            delete_identity: format!(
                "DELETE FROM {t} WHERE identity_key = ? \
                 ORDER BY handle LIMIT {IDENTITY_BATCH}"
            ),
        }
    }

    fn to_expiry(time: DateTime<Utc>) -> NaiveDateTime {
        time.naive_utc()
    }

    fn from_expiry(value: NaiveDateTime) -> Option<DateTime<Utc>> {
        Some(value.and_utc())
    }

    fn rows_affected(result: &MySqlQueryResult) -> u64 {
        result.rows_affected()
    }

    /// InnoDB locks index records, and statements that reach a row through different indexes (an
    /// upsert by primary key, a delete by identity, a touch that moves an indexed expiry) can
    /// deadlock under load. InnoDB then rolls back the victim's single-statement transaction
    /// whole, so running that statement again is safe and does what it would have done.
    fn is_retryable(error: &sqlx::Error) -> bool {
        error
            .as_database_error()
            .and_then(|e| e.try_downcast_ref::<MySqlDatabaseError>())
            .is_some_and(|e| e.number() == ER_LOCK_DEADLOCK)
    }

    fn is_timeout(error: &sqlx::Error) -> bool {
        error
            .as_database_error()
            .and_then(|e| e.try_downcast_ref::<MySqlDatabaseError>())
            .is_some_and(|e| TIMEOUT_ERRORS.contains(&e.number()))
    }

    /// One pool whose connections wait at most [`SERVER_STATEMENT_LIMIT`](authly_session_sql::pool::SERVER_STATEMENT_LIMIT) for a row lock
    /// (`innodb_lock_wait_timeout`) or a table's metadata lock (`lock_wait_timeout`, e.g. behind
    /// `LOCK TABLES`), set once per new connection; both MySQL and MariaDB know them.
    async fn connect(url: &str) -> Result<Pools<MySql>, SessionError> {
        let location =
            |o: &Options<MySql>| server_location(o.get_host(), o.get_port(), o.get_database());
        let limits = |pool: sqlx::pool::PoolOptions<MySql>| {
            pool.after_connect(|connection, _| {
                Box::pin(async move { connection.execute(SET_LOCK_WAITS).await.map(drop) })
            })
        };
        let pool = open_pool_with::<MySql>(url, Self::NAME, location, |o| o, limits);
        Ok(Pools::single(pool.await?))
    }

    /// Holds the named lock `authly_session.migrate` (`GET_LOCK`, waiting up to 60 s) while it
    /// runs the DDL and records the version: DDL commits implicitly in MySQL, so the lock, not a
    /// transaction, keeps concurrent runs apart.
    async fn migrate(store: &SqlStore<Self>, target: i64) -> Result<(), SessionError> {
        let table = store.table();
        let failed = |e| SessionError::backend(format!("migrate table {table}"), e);
        let mut conn = store.pool().acquire().await.map_err(failed)?;
        // Never hand a connection that may hold the lock back to the pool (even if this future
        // is dropped halfway): closing it releases the lock on the server.
        conn.close_on_drop();
        let locked: Option<i64> = sqlx::query_scalar("SELECT CAST(GET_LOCK(?, ?) AS SIGNED)")
            .bind(MIGRATE_LOCK_NAME)
            .bind(MIGRATE_LOCK_WAIT_SECS)
            .fetch_one(&mut *conn)
            .await
            .map_err(failed)?;
        if locked != Some(1) {
            return Err(SessionError::Timeout {
                context: format!(
                    "migrate table {table} (lock {MIGRATE_LOCK_NAME:?} still held by another \
                     migration after {MIGRATE_LOCK_WAIT_SECS} s)"
                ),
            });
        }
        let result = run_migrations(store, &mut conn, target).await;
        let unlocked =
            sqlx::query_scalar::<_, Option<i64>>("SELECT CAST(RELEASE_LOCK(?) AS SIGNED)")
                .bind(MIGRATE_LOCK_NAME)
                .fetch_one(&mut *conn)
                .await;
        result?;
        unlocked.map(drop).map_err(failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_statement_names_the_configured_table_only() {
        let table = TableName::new("order").unwrap();
        let s = MySqlDialect::statements(&table, 10);
        for statement in s.all() {
            assert!(statement.contains("`order`"), "{statement}");
            assert!(!statement.contains("authly_sessions"), "{statement}");
        }
        let migration = table.render(MySqlDialect::MIGRATIONS[0].sql, '`');
        assert!(migration.contains("CREATE TABLE IF NOT EXISTS `order`"));
        assert!(migration.contains("KEY `order_expires_idx` (expires_at)"));
        let version_table = table.render(MySqlDialect::VERSION_TABLE, '`');
        assert!(version_table.contains("`authly_session_schema`"));
    }

    #[test]
    fn the_lock_waits_are_the_server_statement_limit() {
        use authly_session_sql::pool::SERVER_STATEMENT_LIMIT;
        let seconds = SERVER_STATEMENT_LIMIT.as_secs();
        assert_eq!(
            SET_LOCK_WAITS,
            format!(
                "SET SESSION innodb_lock_wait_timeout = {seconds}, lock_wait_timeout = {seconds}"
            )
        );
    }

    #[test]
    fn delete_expired_is_bounded_by_the_batch_size() {
        let s = MySqlDialect::statements(&TableName::new("t").unwrap(), 1234);
        assert!(s.delete_expired.ends_with("LIMIT 1234"));
    }
}
