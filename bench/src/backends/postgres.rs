//! PostgreSQL: `PostgresStore::connect` against raw sqlx on a pool with the same options.

use std::sync::Arc;

use authly_session_postgres::sqlx::{self, PgPool};
use authly_session_postgres::{PostgresDialect, PostgresStore};

use super::{Measured, store_side, table_name};
use crate::report::{Role, SideInfo};
use crate::run::{Plan, Side, run_cells};
use crate::targets::BenchError;
use crate::targets::raw_sql::RawSql;
use crate::workload::Workload;

/// Measures `PostgresStore` and raw sqlx on two fresh tables, dropped afterwards.
pub async fn measure(
    url: &str,
    workload: &Arc<Workload>,
    plan: &Plan,
    aa: bool,
) -> Result<Measured, BenchError> {
    let base = PostgresStore::connect(url).await?;
    let pool = base.pool().clone();
    let tables = [table_name("store"), table_name("raw")];
    let result = measure_on(&base, &pool, &tables, workload, plan, aa).await;
    let cleanup = drop_tables(&pool, &tables).await;
    pool.close().await;
    let measured = result?;
    cleanup?;
    Ok(measured)
}

async fn measure_on(
    base: &PostgresStore,
    pool: &PgPool,
    [store_table, raw_table]: &[String; 2],
    workload: &Arc<Workload>,
    plan: &Plan,
    aa: bool,
) -> Result<Measured, BenchError> {
    let store = base.on_table(store_table)?;
    store.migrate().await?;
    base.on_table(raw_table)?.migrate().await?;
    // The raw side gets a pool of its own, built from the store's pool and connect options.
    let raw_pool = pool
        .options()
        .clone()
        .connect_with((*pool.connect_options()).clone())
        .await?;
    let version: String = sqlx::query_scalar("SHOW server_version")
        .fetch_one(pool)
        .await?;
    let size = pool.options().get_max_connections();
    let sides = vec![
        store_side(
            aa,
            format!("`PostgresStore::connect` defaults: one PgPool of at most {size} connections"),
            store,
            || RawSql::<PostgresDialect>::new(pool.clone(), pool.clone(), store_table),
        ),
        Side::new(
            SideInfo {
                name: "raw".into(),
                setup: format!(
                    "raw sqlx: its own PgPool with the store's pool and connect options \
                     (at most {size} connections), the store's statements"
                ),
                role: Role::Floor,
            },
            RawSql::<PostgresDialect>::new(raw_pool.clone(), raw_pool.clone(), raw_table),
        ),
    ];
    let cells = run_cells("postgres", &sides, workload, plan).await;
    raw_pool.close().await;
    Ok(Measured {
        server: format!("PostgreSQL {version}"),
        sides: sides.into_iter().map(|s| s.info).collect(),
        cells: cells?,
    })
}

async fn drop_tables(pool: &PgPool, tables: &[String; 2]) -> Result<(), BenchError> {
    for table in tables {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP TABLE IF EXISTS \"{table}\""
        )))
        .execute(pool)
        .await?;
        sqlx::query("DELETE FROM authly_session_schema WHERE table_name = $1")
            .bind(table)
            .execute(pool)
            .await?;
    }
    Ok(())
}
