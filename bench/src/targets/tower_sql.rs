//! The SQL peer: tower-sessions-sqlx-store 0.15 on PostgreSQL and MySQL/MariaDB. It runs on
//! sqlx 0.8, linked beside the stores' sqlx 0.9 (two crates, no shared native library). Its
//! SQLite store cannot be linked here: sqlx 0.8's `libsqlite3-sys` and sqlx 0.9's both claim
//! `links = "sqlite3"`, which Cargo allows once per build.
//!
//! The peer keeps one row per session (id, msgpack record, expiry) with no identity index.

use std::str::FromStr;
use std::time::Duration;

use tower_sessions_sqlx_store::sqlx::mysql::{MySqlConnectOptions, MySqlPoolOptions, MySqlSslMode};
use tower_sessions_sqlx_store::sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgSslMode};
use tower_sessions_sqlx_store::sqlx::{self, Database, MySql, Pool, Postgres};
use tower_sessions_sqlx_store::{MySqlStore, PostgresStore};

use super::BenchError;
use super::tower::Tower;
use crate::workload::Workload;

/// The peer on one table, the pool it runs on, and how that pool is set up.
pub struct Peer<S, DB: Database> {
    /// What is measured.
    pub target: Tower<S>,
    /// Its pool, closed after measuring.
    pub pool: Pool<DB>,
    /// Pool size, timeouts and TLS, as the report states them.
    pub setup: String,
}

/// The acquire timeout of the stores' own pools, given to the peer's too.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// tower-sessions' PostgreSQL store on table `schema.table` of `url`, over a pool of
/// `connections` without TLS; the table is created by the store's `migrate()`.
pub async fn postgres(
    url: &str,
    schema: &str,
    table: &str,
    connections: u32,
    workload: &Workload,
) -> Result<Peer<PostgresStore, Postgres>, BenchError> {
    let options = PgConnectOptions::from_str(url)?.ssl_mode(PgSslMode::Disable);
    let pool = pool_options(PgPoolOptions::new(), connections)
        .connect_with(options)
        .await?;
    let store = PostgresStore::new(pool.clone())
        .with_schema_name(schema)?
        .with_table_name(table)?;
    store.migrate().await?;
    let tls: String = sqlx::query_scalar(
        "SELECT COALESCE((SELECT version FROM pg_stat_ssl WHERE pid = pg_backend_pid() AND ssl), \
         'none')",
    )
    .fetch_one(&pool)
    .await?;
    let setup = setup("PgPool", &pool, &tls);
    Ok(Peer {
        target: Tower::new(store, workload)?,
        pool,
        setup,
    })
}

/// tower-sessions' MySQL store on table `table` of database `schema` at `url`, as
/// [`postgres`].
pub async fn mysql(
    url: &str,
    schema: &str,
    table: &str,
    connections: u32,
    workload: &Workload,
) -> Result<Peer<MySqlStore, MySql>, BenchError> {
    let options = MySqlConnectOptions::from_str(url)?.ssl_mode(MySqlSslMode::Disabled);
    let pool = pool_options(MySqlPoolOptions::new(), connections)
        .connect_with(options)
        .await?;
    let store = MySqlStore::new(pool.clone())
        .with_schema_name(schema)?
        .with_table_name(table)?;
    store.migrate().await?;
    let (_, tls): (String, String) = sqlx::query_as("SHOW SESSION STATUS LIKE 'Ssl_version'")
        .fetch_one(&pool)
        .await?;
    let tls = if tls.is_empty() { "none".into() } else { tls };
    let setup = setup("MySqlPool", &pool, &tls);
    Ok(Peer {
        target: Tower::new(store, workload)?,
        pool,
        setup,
    })
}

fn pool_options<DB: Database>(
    options: sqlx::pool::PoolOptions<DB>,
    connections: u32,
) -> sqlx::pool::PoolOptions<DB> {
    options
        .max_connections(connections)
        .min_connections(0)
        .acquire_timeout(ACQUIRE_TIMEOUT)
}

fn setup<DB: Database>(pool_type: &str, pool: &Pool<DB>, tls: &str) -> String {
    let options = pool.options();
    format!(
        "tower-sessions-sqlx-store 0.15 (sqlx 0.8, its `SessionStore` trait): one {pool_type} \
         (max_connections={}, acquire_timeout={:?}, test_before_acquire={}), TLS: {tls}; \
         rows of id, msgpack record and expiry (primary key only); `save` is an upsert, \
         `create` an existence check and an insert in one transaction",
        options.get_max_connections(),
        options.get_acquire_timeout(),
        options.get_test_before_acquire()
    )
}
