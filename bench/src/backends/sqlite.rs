//! SQLite on a file: `SqliteStore::connect` against raw sqlx twice, once on the very pools the
//! store opens (`SqliteDialect::connect`: one writer connection and a pool of readers, the floor)
//! and once with the naive setup (one pool of 32 connections with sqlx's default ping, where
//! writers spin in SQLite's busy handler). Every pool connects with the store's options.

use std::path::Path;

use authly_session_sql::Dialect;
use authly_session_sqlite::sqlx::pool::PoolOptions;
use authly_session_sqlite::sqlx::{self, Sqlite, SqlitePool};
use authly_session_sqlite::{SqliteDialect, SqliteStore};

use super::{Job, Measured, Mode, pool_setup, scale, store_side};
use crate::report::Role;
use crate::run::{Side, run_cells};
use crate::targets::BenchError;
use crate::targets::raw_sql::RawSql;
use authly_test_servers::Backend;

/// Connections of the naive single pool.
const NAIVE_POOL: u32 = 32;
/// The table every side uses (one database file per side).
const TABLE: &str = "authly_sessions";

/// Measures the three sides, each on a fresh database file in a new directory under
/// `work_dir`, removed afterwards.
pub async fn measure(work_dir: &Path, job: &Job) -> Result<Measured, BenchError> {
    let dir = work_dir.join(format!("sqlite-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let result = measure_in(&dir, job).await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// A pool of `options` on database `file`, connecting as `template`'s connections do.
async fn pool_like(
    options: PoolOptions<Sqlite>,
    template: &SqlitePool,
    file: &Path,
) -> Result<SqlitePool, BenchError> {
    let connect = (*template.connect_options()).clone().filename(file);
    Ok(options.connect_with(connect).await?)
}

async fn measure_in(dir: &Path, job: &Job) -> Result<Measured, BenchError> {
    let url = |file: &str| format!("sqlite://{}", dir.join(file).display());
    let store = SqliteStore::connect(&url("store.db")).await?;
    store.migrate().await?;
    if job.mode != Mode::Compare {
        return measure_scale(store, &url("small.db"), job).await;
    }

    let floor = SqliteDialect::connect(&url("raw.db")).await?;
    SqliteStore::new(floor.writer.clone()).migrate().await?;
    let (reader, writer) = (&floor.reader, &floor.writer);

    let naive_options = writer
        .options()
        .clone()
        .max_connections(NAIVE_POOL)
        .test_before_acquire(true);
    let naive = pool_like(naive_options, writer, &dir.join("raw-naive.db")).await?;
    SqliteStore::new(naive.clone()).migrate().await?;

    // The A/A twin reads the store's file through a reader pool like the store's own.
    let twin = if job.aa {
        let readers = pool_like(reader.options().clone(), reader, &dir.join("store.db")).await?;
        Some(RawSql::<SqliteDialect>::new(
            readers,
            store.pool().clone(),
            TABLE,
        ))
    } else {
        None
    };

    let (version, settings) = describe(reader).await?;
    let layout = format!(
        "a writer pool ({}) and a reader pool ({}); {settings}",
        pool_setup(writer),
        pool_setup(reader)
    );
    let sides = vec![
        store_side(
            job.aa,
            format!("`SqliteStore::connect` on a file: {layout}"),
            store.clone(),
            || twin.expect("built for an A/A run"),
        ),
        Side::new(
            "raw",
            Role::Floor,
            format!("raw sqlx on the store's own pools (`SqliteDialect::connect`): {layout}"),
            RawSql::<SqliteDialect>::new(reader.clone(), writer.clone(), TABLE),
        ),
        Side::new(
            "raw-naive",
            Role::Reference,
            format!(
                "raw sqlx, the naive setup: one SqlitePool for reads and writes ({}); {settings}",
                pool_setup(&naive)
            ),
            RawSql::<SqliteDialect>::new(naive.clone(), naive.clone(), TABLE),
        ),
    ];
    let cells = run_cells(Backend::Sqlite, &sides, job).await;
    for pool in [store.pool(), writer, reader, &naive] {
        pool.close().await;
    }
    Ok(Measured {
        server: server(&version),
        sides: sides.into_iter().map(|s| s.info).collect(),
        cells: cells?,
        cleanup: None,
    })
}

fn server(version: &str) -> String {
    format!("SQLite {version} (bundled with sqlx, in-process)")
}

/// The scale modes on `store` (its file's table), the smaller table of the scale mode in a
/// file of its own at `small_url`. One connection fills a table: SQLite has one writer.
async fn measure_scale(
    store: SqliteStore,
    small_url: &str,
    job: &Job,
) -> Result<Measured, BenchError> {
    let (version, settings) = describe(store.pool()).await?;
    let setup = format!(
        "`SqliteStore::connect` on a file: its writer pool ({}) and its reader pool; {settings}",
        pool_setup(store.pool())
    );
    let (sides, cells, cleanup) = match job.mode {
        Mode::Scale { rows } => {
            let small = SqliteStore::connect(small_url).await?;
            small.migrate().await?;
            let (sides, cells) = scale::scale(
                Backend::Sqlite,
                small.clone(),
                store.clone(),
                job,
                rows,
                &setup,
                1,
            )
            .await?;
            small.pool().close().await;
            (sides, cells, None)
        }
        Mode::Cleanup { rows } => {
            let (sides, cells, cleanup) =
                scale::cleanup(Backend::Sqlite, store.clone(), job, rows, &setup, 1).await?;
            (sides, cells, Some(cleanup))
        }
        Mode::Compare => return Err("not a scale mode".into()),
    };
    store.pool().close().await;
    Ok(Measured {
        server: server(&version),
        sides: sides.into_iter().map(|s| s.info).collect(),
        cells,
        cleanup,
    })
}

/// SQLite's version, and the settings the store's connections run with (read back from one).
async fn describe(pool: &SqlitePool) -> Result<(String, String), BenchError> {
    let (version, journal, synchronous, busy_ms): (String, String, i64, i64) = sqlx::query_as(
        "SELECT sqlite_version(), (SELECT journal_mode FROM pragma_journal_mode), \
         (SELECT synchronous FROM pragma_synchronous), (SELECT timeout FROM pragma_busy_timeout)",
    )
    .fetch_one(pool)
    .await?;
    let synchronous = ["OFF", "NORMAL", "FULL", "EXTRA"]
        .get(synchronous as usize)
        .copied()
        .unwrap_or("?");
    let settings =
        format!("journal_mode={journal}, synchronous={synchronous}, busy_timeout {busy_ms} ms");
    Ok((version, settings))
}
