//! A SQL server (PostgreSQL, MySQL, MariaDB): the store from its own `connect()` against raw
//! sqlx on a pool of its own, built from the store pool's pool and connect options, each on a
//! fresh table dropped afterwards.

use authly_session::SessionStore;
use authly_session_mysql::MySqlDialect;
use authly_session_postgres::PostgresDialect;
use authly_session_sql::sqlx::{
    self, AssertSqlSafe, ColumnIndex, Database, Decode, Executor, IntoArguments, Pool, Type,
};
use authly_session_sql::{Dialect, SqlStore};
use authly_test_servers::Backend;

use super::{Job, Measured, pool_setup, store_side, table_name};
use crate::report::Role;
use crate::run::{Side, run_cells};
use crate::targets::raw_sql::RawSql;
use crate::targets::{BenchError, Target};

/// What the report says of a SQL server's store, beyond its dialect.
pub trait SqlServer: Dialect {
    /// The store type (`PostgresStore`).
    const STORE: &'static str;
    /// The sqlx pool type (`PgPool`).
    const POOL: &'static str;
    /// The query that returns the server's version.
    const VERSION: &'static str;

    /// The server's product, as its version names it.
    fn product(version: &str) -> &'static str;
}

impl SqlServer for PostgresDialect {
    const STORE: &'static str = "PostgresStore";
    const POOL: &'static str = "PgPool";
    const VERSION: &'static str = "SHOW server_version";

    fn product(_: &str) -> &'static str {
        "PostgreSQL"
    }
}

impl SqlServer for MySqlDialect {
    const STORE: &'static str = "MySqlStore";
    const POOL: &'static str = "MySqlPool";
    const VERSION: &'static str = "SELECT VERSION()";

    fn product(version: &str) -> &'static str {
        if version.to_lowercase().contains("mariadb") {
            "MariaDB"
        } else {
            "MySQL"
        }
    }
}

/// Measures the store of dialect `D` and raw sqlx on two fresh tables of the server at `url`,
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
    <D::Database as Database>::Arguments: IntoArguments<D::Database>,
    for<'r> String: Decode<'r, D::Database> + Type<D::Database>,
    usize: ColumnIndex<<D::Database as Database>::Row>,
{
    let base = SqlStore::<D>::connect(url).await?;
    let pool = base.pool();
    let [store_table, raw_table] = [table_name("store"), table_name("raw")];
    let measured = async {
        let store = base.on_table(&store_table)?;
        store.migrate().await?;
        base.on_table(&raw_table)?.migrate().await?;
        let version: String = sqlx::query_scalar(D::VERSION).fetch_one(pool).await?;
        let raw_pool = pool
            .options()
            .clone()
            .connect_with((*pool.connect_options()).clone())
            .await?;
        let (store_name, pool_name, setup) = (D::STORE, D::POOL, pool_setup(pool));
        let sides = vec![
            store_side(
                job.aa,
                format!("`{store_name}::connect` defaults: one {pool_name} ({setup})"),
                store,
                || RawSql::<D>::new(pool.clone(), pool.clone(), &store_table),
            ),
            Side::new(
                "raw",
                Role::Floor,
                format!(
                    "raw sqlx: its own {pool_name} with the store's pool and connect options \
                     ({}), the store's statements",
                    pool_setup(&raw_pool)
                ),
                RawSql::<D>::new(raw_pool.clone(), raw_pool.clone(), &raw_table),
            ),
        ];
        let cells = run_cells(backend, &sides, job).await;
        raw_pool.close().await;
        Ok::<_, BenchError>(Measured {
            server: format!("{} {version}", D::product(&version)),
            sides: sides.into_iter().map(|s| s.info).collect(),
            cells: cells?,
        })
    }
    .await;
    let dropped = drop_tables::<D>(pool, &[store_table, raw_table]).await;
    pool.close().await;
    let measured = measured?;
    dropped?;
    Ok(measured)
}

/// Drops the tables and forgets their schema versions.
async fn drop_tables<D: Dialect>(
    pool: &Pool<D::Database>,
    tables: &[String; 2],
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
