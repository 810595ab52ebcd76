//! SQLite on a file: `SqliteStore::connect` against raw sqlx twice, once with the store's pool
//! layout (one writer connection + 8 readers: the floor) and once with the naive setup (one pool
//! of 32 connections, where writers spin in SQLite's busy handler).

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use authly_session_sqlite::sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use authly_session_sqlite::sqlx::{self, SqlitePool};
use authly_session_sqlite::{SqliteDialect, SqliteStore};

use super::{Measured, store_side};
use crate::report::{Role, SideInfo};
use crate::run::{Plan, Side, run_cells};
use crate::targets::BenchError;
use crate::targets::raw_sql::RawSql;
use crate::workload::Workload;

/// Read connections of the store's layout (`authly-session-sqlite/src/connect.rs`).
const STORE_READERS: u32 = 8;
/// Connections of the naive single pool.
const NAIVE_POOL: u32 = 32;
/// The busy timeout and acquire timeout `SqliteStore::connect` uses.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);
/// The table every side uses (one database file per side).
const TABLE: &str = "authly_sessions";

/// Measures the three sides, each on a fresh database file in a new directory under
/// `work_dir`, removed afterwards.
pub async fn measure(
    work_dir: &Path,
    workload: &Arc<Workload>,
    plan: &Plan,
    aa: bool,
) -> Result<Measured, BenchError> {
    let dir = work_dir.join(format!("sqlite-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let result = measure_in(&dir, workload, plan, aa).await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn url(dir: &Path, file: &str) -> String {
    format!("sqlite://{}", dir.join(file).display())
}

/// What `SqliteStore::connect` sets on every connection of a file database.
fn options(url: &str) -> Result<SqliteConnectOptions, BenchError> {
    Ok(SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .busy_timeout(BUSY_TIMEOUT)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal))
}

/// A pool of `size` connections; `ping` keeps sqlx's default liveness check before each acquire
/// (the store turns it off: `authly-session-sqlite/src/connect.rs`).
async fn pool(url: &str, size: u32, ping: bool) -> Result<SqlitePool, BenchError> {
    Ok(SqlitePoolOptions::new()
        .test_before_acquire(ping)
        .max_connections(size)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(options(url)?)
        .await?)
}

async fn measure_in(
    dir: &Path,
    workload: &Arc<Workload>,
    plan: &Plan,
    aa: bool,
) -> Result<Measured, BenchError> {
    let store_url = url(dir, "store.db");
    let store = SqliteStore::connect(&store_url).await?;
    store.migrate().await?;
    let twin = if aa {
        Some((
            pool(&store_url, STORE_READERS, false).await?,
            store.pool().clone(),
        ))
    } else {
        None
    };

    let floor_url = url(dir, "raw.db");
    let floor_writer = pool(&floor_url, 1, false).await?;
    let floor_reader = pool(&floor_url, STORE_READERS, false).await?;
    SqliteStore::new(floor_writer.clone()).migrate().await?;

    let naive = pool(&url(dir, "raw-naive.db"), NAIVE_POOL, true).await?;
    SqliteStore::new(naive.clone()).migrate().await?;

    let version: String = sqlx::query_scalar("SELECT sqlite_version()")
        .fetch_one(&naive)
        .await?;
    let settings = "WAL, synchronous=NORMAL, busy_timeout 5 s";
    let sides = vec![
        store_side(
            aa,
            format!(
                "`SqliteStore::connect` on a file: one writer connection + a pool of \
                 {STORE_READERS} readers, no ping before acquire ({settings})"
            ),
            store.clone(),
            || {
                let (reader, writer) = twin.expect("built for an A/A run");
                RawSql::<SqliteDialect>::new(reader, writer, TABLE)
            },
        ),
        Side::new(
            SideInfo {
                name: "raw".into(),
                setup: format!(
                    "raw sqlx with the store's layout: a 1-connection writer pool + a \
                     {STORE_READERS}-connection reader pool, no ping before acquire ({settings})"
                ),
                role: Role::Floor,
            },
            RawSql::<SqliteDialect>::new(floor_reader.clone(), floor_writer.clone(), TABLE),
        ),
        Side::new(
            SideInfo {
                name: "raw-naive".into(),
                setup: format!(
                    "raw sqlx, the naive setup: one SqlitePool of {NAIVE_POOL} connections for \
                     reads and writes, sqlx's default ping before acquire ({settings})"
                ),
                role: Role::Reference,
            },
            RawSql::<SqliteDialect>::new(naive.clone(), naive.clone(), TABLE),
        ),
    ];
    let cells = run_cells("sqlite", &sides, workload, plan).await;
    for pool in [store.pool(), &floor_writer, &floor_reader, &naive] {
        pool.close().await;
    }
    Ok(Measured {
        server: format!("SQLite {version} (bundled with sqlx, in-process)"),
        sides: sides.into_iter().map(|s| s.info).collect(),
        cells: cells?,
    })
}
