//! The scale modes of a SQL store, both on tables bulk-filled with the rows the store writes:
//! - scale: the store on a table of a million sessions beside the same store on the job's
//!   10,000, every operation interleaved as in a comparison;
//! - cleanup: `delete_expired` through a million expired rows while loads of the job's live
//!   sessions run, beside the same loads just before the cleanup.

use std::sync::Arc;
use std::time::{Duration, Instant};

use authly_session::{SessionError, SessionStore};
use authly_session_sql::sqlx::{
    self, AssertSqlSafe, ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Type,
};
use authly_session_sql::{Dialect, SqlStore};
use authly_test_servers::Backend;

use super::Job;
use super::fill::fill;
use crate::measure::{Run, Sample, drive};
use crate::report::{CLEANUP_SIDE, CellResult, Cleanup, IDLE_SIDE, Role};
use crate::run::{Side, run_cells};
use crate::targets::{BenchError, StoreTarget};
use crate::workload::{Op, Workload};

/// How long each load run lasts while the cleanup goes on: short, so the loads stop soon after
/// the cleanup does.
const CLEANUP_ROUND: Duration = Duration::from_millis(100);

/// The most `delete_expired` calls a cleanup makes: each removes rows (a call cut short by the
/// store's timeout keeps what it removed), so this is far more than a million rows need.
const MAX_CLEANUP_CALLS: u64 = 10_000;

/// Fills `large` with `rows` sessions and `small` with the job's, then measures the store on
/// both (`large` as the store, `small` as its baseline). `setup` says how the store connects;
/// `tasks` is how many connections fill a table at once.
pub async fn scale<D: Dialect>(
    backend: Backend,
    small: SqlStore<D>,
    large: SqlStore<D>,
    job: &Job,
    rows: usize,
    setup: &str,
    tasks: usize,
) -> Result<(Vec<Side>, Vec<CellResult>), BenchError>
where
    SqlStore<D>: SessionStore,
    for<'c> &'c mut <D::Database as Database>::Connection: Executor<'c, Database = D::Database>,
    <D::Database as Database>::Arguments: IntoArguments<D::Database> + Default,
    for<'q> String: Encode<'q, D::Database> + Type<D::Database>,
{
    let many = Arc::new(Workload::new(rows));
    for (store, workload) in [(&small, &job.workload), (&large, &many)] {
        timed_fill(backend, store, workload, tasks).await?;
    }
    let sides = vec![
        Side::new(
            "store",
            Role::Store,
            format!("{setup}; a table of {rows} sessions"),
            StoreTarget(large),
        )
        .filled_with(many),
        Side::new(
            "store-small",
            Role::Baseline,
            format!(
                "the same store setup on a table of {} sessions",
                job.workload.len()
            ),
            StoreTarget(small),
        )
        .filled_with(Arc::clone(&job.workload)),
    ];
    let cells = run_cells(backend, &sides, job).await?;
    Ok((sides, cells))
}

/// Fills `store`'s table with `rows` expired sessions and the job's live ones, measures loads
/// of the live ones at the job's highest concurrency, then calls `delete_expired` until it
/// returns 0 while the same loads run.
pub async fn cleanup<D: Dialect>(
    backend: Backend,
    store: SqlStore<D>,
    job: &Job,
    rows: usize,
    setup: &str,
    tasks: usize,
) -> Result<(Vec<Side>, Vec<CellResult>, Cleanup), BenchError>
where
    SqlStore<D>: SessionStore,
    for<'c> &'c mut <D::Database as Database>::Connection: Executor<'c, Database = D::Database>,
    <D::Database as Database>::Arguments: IntoArguments<D::Database> + Default,
    for<'q> String: Encode<'q, D::Database> + Type<D::Database>,
    for<'r> i64: Decode<'r, D::Database> + Type<D::Database>,
    usize: ColumnIndex<<D::Database as Database>::Row>,
{
    let expired = Arc::new(Workload::expired(rows));
    timed_fill(backend, &store, &expired, tasks).await?;
    timed_fill(backend, &store, &job.workload, tasks).await?;
    let before = count(&store).await?;
    let concurrency = job.plan.concurrency.iter().copied().max().unwrap_or(32);
    let target = Arc::new(StoreTarget(store.clone()));
    let live = &job.workload;
    let run = |duration, seed| Run {
        op: Op::Load,
        concurrency,
        duration,
        seed,
    };
    drive(
        Arc::clone(&target),
        Arc::clone(live),
        run(job.plan.first_warm_up(), 1),
    )
    .await;
    let mut idle = Sample::default();
    for round in 0..job.plan.rounds {
        let seed = 10 + u64::from(round);
        idle.merge(
            drive(
                Arc::clone(&target),
                Arc::clone(live),
                run(job.plan.round(), seed),
            )
            .await,
        );
    }
    eprintln!("authly-bench: {backend}: delete_expired through {rows} expired rows, loads running");
    let start = Instant::now();
    let sweeper = {
        let store = store.clone();
        tokio::spawn(async move {
            let (mut calls, mut timeouts) = (0u64, 0u64);
            while calls < MAX_CLEANUP_CALLS {
                calls += 1;
                match store.delete_expired().await {
                    Ok(0) => return Ok((calls, timeouts, start.elapsed())),
                    Ok(_) => {}
                    Err(SessionError::Timeout { .. }) => timeouts += 1,
                    Err(error) => return Err(BenchError::from(error)),
                }
            }
            Err(format!("delete_expired still removing after {calls} calls").into())
        })
    };
    let mut during = Sample::default();
    let mut seed = 1_000;
    while !sweeper.is_finished() {
        seed += 1;
        during.merge(
            drive(
                Arc::clone(&target),
                Arc::clone(live),
                run(CLEANUP_ROUND, seed),
            )
            .await,
        );
    }
    let (calls, timeouts, took) = sweeper.await??;
    let after = count(&store).await?;
    let cleanup = Cleanup {
        expired_rows: rows as u64,
        removed: before.saturating_sub(after),
        seconds: took.as_secs_f64(),
        calls,
        timeouts,
        concurrency,
    };
    eprintln!(
        "authly-bench: {backend}: removed {} rows in {:.1} s ({:.0} rows/s, {calls} calls, \
         {timeouts} timeouts)",
        cleanup.removed,
        cleanup.seconds,
        cleanup.rows_per_sec()
    );
    let cells = vec![
        CellResult::new(Op::Load, concurrency, CLEANUP_SIDE, &during),
        CellResult::new(Op::Load, concurrency, IDLE_SIDE, &idle),
    ];
    for cell in &cells {
        eprintln!("authly-bench: {backend}: {}", cell.summary());
    }
    let table = format!(
        "{setup}; a table of {rows} expired and {} live sessions",
        job.workload.len()
    );
    let sides = vec![
        Side::new(
            CLEANUP_SIDE,
            Role::Store,
            format!("{table}: loads while `delete_expired` runs"),
            StoreTarget(store.clone()),
        ),
        Side::new(
            IDLE_SIDE,
            Role::Reference,
            "the same loads on the same table just before the cleanup".to_owned(),
            StoreTarget(store),
        ),
    ];
    Ok((sides, cells, cleanup))
}

/// Fills `store`'s table with `workload`'s sessions, saying how long it took.
async fn timed_fill<D: Dialect>(
    backend: Backend,
    store: &SqlStore<D>,
    workload: &Arc<Workload>,
    tasks: usize,
) -> Result<(), BenchError>
where
    for<'c> &'c mut <D::Database as Database>::Connection: Executor<'c, Database = D::Database>,
    <D::Database as Database>::Arguments: IntoArguments<D::Database> + Default,
    for<'q> String: Encode<'q, D::Database> + Type<D::Database>,
{
    let start = Instant::now();
    fill::<D>(store.pool(), store.table(), workload, tasks).await?;
    // The steady state a table reaches in service (autovacuum, statistics), not the state
    // right after a bulk load.
    let table = store.table().quoted(D::QUOTE);
    let settle = match D::NAME {
        "PostgreSQL" => format!("VACUUM (ANALYZE) {table}"),
        "MySQL" => format!("ANALYZE TABLE {table}"),
        _ => format!("ANALYZE {table}"),
    };
    sqlx::raw_sql(AssertSqlSafe(settle))
        .execute(store.pool())
        .await?;
    eprintln!(
        "authly-bench: {backend}: filled (then vacuumed and analysed) table {} with {} rows in {:.1} s",
        store.table(),
        workload.len(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Rows in `store`'s table.
async fn count<D: Dialect>(store: &SqlStore<D>) -> Result<u64, BenchError>
where
    for<'c> &'c mut <D::Database as Database>::Connection: Executor<'c, Database = D::Database>,
    <D::Database as Database>::Arguments: IntoArguments<D::Database>,
    for<'r> i64: Decode<'r, D::Database> + Type<D::Database>,
    usize: ColumnIndex<<D::Database as Database>::Row>,
{
    // A validated table name, quoted: safe to splice.
    let sql = format!("SELECT COUNT(*) FROM {}", store.table().quoted(D::QUOTE));
    let rows: i64 = sqlx::query_scalar(AssertSqlSafe(sql))
        .fetch_one(store.pool())
        .await?;
    Ok(u64::try_from(rows).unwrap_or(0))
}
