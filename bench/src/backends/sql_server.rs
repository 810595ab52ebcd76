//! A SQL server (PostgreSQL, MySQL, MariaDB). Every side runs on a pool of its own of
//! [`SQL_POOL`] connections without TLS, against the server's own durability settings, on a
//! fresh table dropped afterwards:
//! - `store`: the store built by `SqlStore::with_table_name` on a pool made from `connect()`'s
//!   pool and connect options (its server-side statement and lock limits included), resized;
//! - `raw`: raw sqlx running the store's statements, one per request, on a pool made alike;
//! - `tower-sessions`: tower-sessions-sqlx-store 0.15 on sqlx 0.8 (left out when the run asks
//!   for TLS: its sqlx is built without a TLS backend).

use std::future::Future;

use authly_session::SessionStore;
use authly_session_mysql::MySqlDialect;
use authly_session_postgres::PostgresDialect;
use authly_session_sql::pool::Options;
use authly_session_sql::sqlx::mysql::MySqlSslMode;
use authly_session_sql::sqlx::postgres::PgSslMode;
use authly_session_sql::sqlx::{
    self, AssertSqlSafe, ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Type,
};
use authly_session_sql::{Dialect, SqlStore};
use authly_test_servers::Backend;
use tower_sessions_sqlx_store::sqlx as sqlx08;
use tower_sessions_sqlx_store::{MySqlStore, PostgresStore};

use super::{Job, Measured, Mode, pool_setup, scale, store_side, table_name};
use crate::report::Role;
use crate::run::{Side, run_cells};
use crate::targets::raw_sql::RawSql;
use crate::targets::tower_sql::{self, Peer};
use crate::targets::{BenchError, Target};
use crate::workload::Workload;

/// Connections of every side's pool.
pub const SQL_POOL: u32 = 32;

/// What the benchmark needs of a SQL server beyond the store's dialect.
pub trait SqlServer: Dialect {
    /// The store type (`PostgresStore`).
    const STORE: &'static str;
    /// The sqlx pool type (`PgPool`).
    const POOL: &'static str;
    /// The query that returns the server's version.
    const VERSION: &'static str;
    /// The query that returns the server's durability settings, as one text.
    const DURABILITY: &'static str;
    /// The query that returns two texts, the second the connection's TLS version (`none` or
    /// empty without TLS).
    const TLS: &'static str;
    /// The query that returns the schema (or database) new tables go in.
    const SCHEMA: &'static str;

    /// tower-sessions' store for this server.
    type Peer: tower_sessions_core::SessionStore;
    /// The sqlx 0.8 database it runs on.
    type PeerDb: sqlx08::Database;

    /// The server's product, as its version names it.
    fn product(version: &str) -> &'static str;

    /// `options` with TLS required (`tls`) or turned off.
    fn with_tls(options: Options<Self::Database>, tls: bool) -> Options<Self::Database>;

    /// tower-sessions' store on `schema.table` of `url`, on a pool of `connections`, no TLS.
    fn peer(
        url: &str,
        schema: &str,
        table: &str,
        connections: u32,
        workload: &Workload,
    ) -> impl Future<Output = Result<Peer<Self::Peer, Self::PeerDb>, BenchError>> + Send;
}

impl SqlServer for PostgresDialect {
    const STORE: &'static str = "PostgresStore";
    const POOL: &'static str = "PgPool";
    const VERSION: &'static str = "SHOW server_version";
    const DURABILITY: &'static str = "SELECT 'synchronous_commit=' || \
        current_setting('synchronous_commit') || ', fsync=' || current_setting('fsync') || \
        ', wal_sync_method=' || current_setting('wal_sync_method')";
    const TLS: &'static str = "SELECT 'tls', COALESCE((SELECT version FROM pg_stat_ssl \
        WHERE pid = pg_backend_pid() AND ssl), 'none')";
    const SCHEMA: &'static str = "SELECT current_schema()";

    type Peer = PostgresStore;
    type PeerDb = sqlx08::Postgres;

    fn product(_: &str) -> &'static str {
        "PostgreSQL"
    }

    fn with_tls(options: Options<Self::Database>, tls: bool) -> Options<Self::Database> {
        options.ssl_mode(if tls {
            PgSslMode::Require
        } else {
            PgSslMode::Disable
        })
    }

    async fn peer(
        url: &str,
        schema: &str,
        table: &str,
        connections: u32,
        workload: &Workload,
    ) -> Result<Peer<PostgresStore, sqlx08::Postgres>, BenchError> {
        tower_sql::postgres(url, schema, table, connections, workload).await
    }
}

impl SqlServer for MySqlDialect {
    const STORE: &'static str = "MySqlStore";
    const POOL: &'static str = "MySqlPool";
    const VERSION: &'static str = "SELECT VERSION()";
    const DURABILITY: &'static str = "SELECT CAST(CONCAT('innodb_flush_log_at_trx_commit=', \
        @@innodb_flush_log_at_trx_commit, ', sync_binlog=', @@sync_binlog, ', log_bin=', \
        @@log_bin) AS CHAR)";
    const TLS: &'static str = "SHOW SESSION STATUS LIKE 'Ssl_version'";
    const SCHEMA: &'static str = "SELECT DATABASE()";

    type Peer = MySqlStore;
    type PeerDb = sqlx08::MySql;

    fn product(version: &str) -> &'static str {
        if version.to_lowercase().contains("mariadb") {
            "MariaDB"
        } else {
            "MySQL"
        }
    }

    fn with_tls(options: Options<Self::Database>, tls: bool) -> Options<Self::Database> {
        options.ssl_mode(if tls {
            MySqlSslMode::Required
        } else {
            MySqlSslMode::Disabled
        })
    }

    async fn peer(
        url: &str,
        schema: &str,
        table: &str,
        connections: u32,
        workload: &Workload,
    ) -> Result<Peer<MySqlStore, sqlx08::MySql>, BenchError> {
        tower_sql::mysql(url, schema, table, connections, workload).await
    }
}

/// Measures dialect `D`'s store on the server at `url` as `job` says: beside the raw side and
/// tower-sessions, or (scale and cleanup modes) on large tables. Every table is fresh and
/// dropped afterwards (also after a failure).
pub async fn measure<D: SqlServer>(
    backend: Backend,
    url: &str,
    job: &Job,
) -> Result<Measured, BenchError>
where
    SqlStore<D>: SessionStore,
    RawSql<D>: Target,
    for<'c> &'c mut <D::Database as Database>::Connection: Executor<'c, Database = D::Database>,
    <D::Database as Database>::Arguments: IntoArguments<D::Database> + Default,
    for<'r> String: Decode<'r, D::Database> + Type<D::Database>,
    for<'q> String: Encode<'q, D::Database>,
    for<'r> i64: Decode<'r, D::Database> + Type<D::Database>,
    usize: ColumnIndex<<D::Database as Database>::Row>,
{
    // `connect()` gives the store's pool and connect options (server-side limits included).
    let base = SqlStore::<D>::connect(url).await?;
    let tables = ["store", "raw", "tower", "small"].map(table_name);
    let measured = async {
        let pool = |tls| {
            let options = D::with_tls((*base.pool().connect_options()).clone(), tls);
            let pool_options = base.pool().options().clone().max_connections(SQL_POOL);
            async move { pool_options.connect_with(options).await }
        };
        let version: String = sqlx::query_scalar(D::VERSION)
            .fetch_one(base.pool())
            .await?;
        let durability: String = sqlx::query_scalar(D::DURABILITY)
            .fetch_one(base.pool())
            .await?;
        let server = format!("{} {version}; {durability}", D::product(&version));
        let store_pool = pool(job.tls).await?;
        let store_setup = side_setup::<D>(&store_pool, "store").await?;
        let store = SqlStore::<D>::with_table_name(store_pool.clone(), &tables[0])?;
        store.migrate().await?;
        let (sides, cells, cleanup) = match job.mode {
            Mode::Compare => {
                let raw_pool = pool(job.tls).await?;
                store.on_table(&tables[1])?.migrate().await?;
                let mut sides = vec![
                    store_side(job.aa, store_setup, store, || {
                        RawSql::<D>::new(store_pool.clone(), store_pool.clone(), &tables[0])
                    }),
                    Side::new(
                        "raw",
                        Role::Floor,
                        format!(
                            "{}, running the store's statements one per request",
                            side_setup::<D>(&raw_pool, "raw sqlx").await?
                        ),
                        RawSql::<D>::new(raw_pool.clone(), raw_pool.clone(), &tables[1]),
                    ),
                ];
                let peer = if job.tls {
                    eprintln!(
                        "authly-bench: {backend}: no tower-sessions side with TLS (its sqlx 0.8 \
                         is built without a TLS backend)"
                    );
                    None
                } else {
                    let schema: String =
                        sqlx::query_scalar(D::SCHEMA).fetch_one(base.pool()).await?;
                    let peer = D::peer(url, &schema, &tables[2], SQL_POOL, &job.workload).await?;
                    let pool = peer.pool.clone();
                    sides.push(Side::new(
                        "tower-sessions",
                        Role::Peer,
                        peer.setup,
                        peer.target,
                    ));
                    Some(pool)
                };
                let cells = run_cells(backend, &sides, job).await;
                raw_pool.close().await;
                if let Some(pool) = peer {
                    pool.close().await;
                }
                (sides, cells?, None)
            }
            Mode::Scale { rows } => {
                let small = store.on_table(&tables[3])?;
                small.migrate().await?;
                let (sides, cells) =
                    scale::scale(backend, small, store, job, rows, &store_setup, 4).await?;
                (sides, cells, None)
            }
            Mode::Cleanup { rows } => {
                let (sides, cells, cleanup) =
                    scale::cleanup(backend, store, job, rows, &store_setup, 4).await?;
                (sides, cells, Some(cleanup))
            }
        };
        store_pool.close().await;
        Ok::<_, BenchError>(Measured {
            server,
            sides: sides.into_iter().map(|s| s.info).collect(),
            cells,
            cleanup,
        })
    }
    .await;
    let dropped = drop_tables::<D>(base.pool(), &tables).await;
    base.pool().close().await;
    let measured = measured?;
    dropped?;
    Ok(measured)
}

/// How a side's pool is set up, with the TLS its connections run (read back from one).
async fn side_setup<D: SqlServer>(
    pool: &Pool<D::Database>,
    what: &str,
) -> Result<String, BenchError>
where
    for<'c> &'c mut <D::Database as Database>::Connection: Executor<'c, Database = D::Database>,
    <D::Database as Database>::Arguments: IntoArguments<D::Database>,
    for<'r> String: Decode<'r, D::Database> + Type<D::Database>,
    usize: ColumnIndex<<D::Database as Database>::Row>,
{
    let (_, tls): (String, String) = sqlx::query_as(D::TLS).fetch_one(pool).await?;
    let tls = if tls.is_empty() { "none" } else { &tls };
    let (store, pool_name) = (D::STORE, D::POOL);
    let how = if what == "store" {
        format!(
            "`{store}` (`SqlStore::with_table_name`) on one {pool_name} built from \
             `{store}::connect`'s pool and connect options, resized"
        )
    } else {
        format!("{what} on its own {pool_name} built alike")
    };
    Ok(format!("{how} ({}), TLS: {tls}", pool_setup(pool)))
}

/// Drops the tables and forgets their schema versions.
async fn drop_tables<D: Dialect>(
    pool: &Pool<D::Database>,
    tables: &[String],
) -> Result<(), BenchError>
where
    for<'c> &'c mut <D::Database as Database>::Connection: Executor<'c, Database = D::Database>,
{
    for table in tables {
        let table = D::table_name(table)?;
        // The names are plain identifiers (`table_name`): safe to quote into the SQL.
        for sql in [
            format!("DROP TABLE IF EXISTS {}", table.quoted(D::QUOTE)),
            format!(
                "DELETE FROM authly_session_schema WHERE table_name = '{}'",
                table.name()
            ),
        ] {
            sqlx::raw_sql(AssertSqlSafe(sql)).execute(pool).await?;
        }
    }
    Ok(())
}
