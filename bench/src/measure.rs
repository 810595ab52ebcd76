//! The driver: one operation from C tasks for a fixed time, every latency recorded.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::targets::{BenchError, Target};
use crate::workload::{Op, Rng, Workload};

/// What one or more timed runs of a cell recorded.
#[derive(Debug, Default)]
pub struct Sample {
    /// The latency of every successful operation, in nanoseconds (unsorted).
    pub latencies_ns: Vec<u64>,
    /// Failed operations (not in `latencies_ns`).
    pub errors: u64,
    /// The first failure, for the report.
    pub first_error: Option<String>,
    /// Wall time from the first task's start to the last task's end, summed over runs.
    pub elapsed: Duration,
}

/// A cell's figures: throughput and latency percentiles.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stats {
    /// Successful operations.
    pub ops: u64,
    /// Successful operations per second of wall time.
    pub ops_per_sec: f64,
    /// Median latency, in milliseconds.
    pub p50_ms: f64,
    /// 99th-percentile latency, in milliseconds.
    pub p99_ms: f64,
}

impl Sample {
    /// Adds another run of the same cell.
    pub fn merge(&mut self, other: Sample) {
        self.latencies_ns.extend(other.latencies_ns);
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
        self.elapsed += other.elapsed;
    }

    /// Throughput and percentiles (nearest rank) of everything recorded.
    pub fn stats(&self) -> Stats {
        let mut sorted = self.latencies_ns.clone();
        sorted.sort_unstable();
        let ops = sorted.len() as u64;
        let seconds = self.elapsed.as_secs_f64();
        Stats {
            ops,
            ops_per_sec: if seconds > 0.0 {
                ops as f64 / seconds
            } else {
                0.0
            },
            p50_ms: percentile(&sorted, 0.50) as f64 / 1e6,
            p99_ms: percentile(&sorted, 0.99) as f64 / 1e6,
        }
    }
}

/// The nearest-rank percentile `p` (0 to 1) of `sorted`; 0 when empty.
pub fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// One timed run of a cell: an operation, from how many tasks, for how long, and the seed the
/// tasks pick their sessions by.
#[derive(Clone, Copy, Debug)]
pub struct Run {
    /// The operation.
    pub op: Op,
    /// How many tasks run it at once.
    pub concurrency: u32,
    /// How long they run.
    pub duration: Duration,
    /// Seeds each task's generator.
    pub seed: u64,
}

/// Runs `run.op` on `target` from `run.concurrency` tasks until `run.duration` has passed; each
/// task times only the operation itself (choosing or building its session is outside the clock).
pub async fn drive<T: Target>(target: Arc<T>, workload: Arc<Workload>, run: Run) -> Sample {
    let Run {
        op,
        concurrency,
        duration,
        seed,
    } = run;
    let start = Instant::now();
    let deadline = start + duration;
    let tasks: Vec<_> = (0..concurrency)
        .map(|task| {
            let target = Arc::clone(&target);
            let workload = Arc::clone(&workload);
            let mut rng = Rng::new(seed.wrapping_mul(1_000_003).wrapping_add(u64::from(task)));
            tokio::spawn(async move {
                let mut sample = Sample::default();
                while Instant::now() < deadline {
                    let (took, result) = once(&*target, &workload, op, &mut rng).await;
                    match result {
                        Ok(()) => sample.latencies_ns.push(took.as_nanos() as u64),
                        Err(error) => {
                            sample.errors += 1;
                            if sample.first_error.is_none() {
                                sample.first_error = Some(error.to_string());
                            }
                        }
                    }
                }
                sample
            })
        })
        .collect();
    let mut total = Sample::default();
    for task in tasks {
        match task.await {
            Ok(sample) => total.merge(sample),
            Err(panic) => {
                total.errors += 1;
                total.first_error.get_or_insert_with(|| panic.to_string());
            }
        }
    }
    total.elapsed = start.elapsed();
    total
}

/// One timed operation.
async fn once<T: Target>(
    target: &T,
    workload: &Workload,
    op: Op,
    rng: &mut Rng,
) -> (Duration, Result<(), BenchError>) {
    match op {
        Op::Load => {
            let id = workload.pick(rng);
            let start = Instant::now();
            let result = target.load(id).await;
            let took = start.elapsed();
            let result = result.and_then(|found| {
                if found {
                    Ok(())
                } else {
                    Err("a pre-populated session was not found".into())
                }
            });
            (took, result)
        }
        Op::Save => {
            let session = workload.updated(rng);
            let start = Instant::now();
            let result = target.save(&session).await;
            (start.elapsed(), result)
        }
        Op::CreateDelete => {
            let session = workload.fresh(rng);
            let start = Instant::now();
            let result = target.create_delete(&session).await;
            (start.elapsed(), result)
        }
    }
}

#[cfg(test)]
mod tests {
    use authly_session::Session;

    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let sorted: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&sorted, 0.50), 50);
        assert_eq!(percentile(&sorted, 0.99), 99);
        assert_eq!(percentile(&sorted, 1.0), 100);
        assert_eq!(percentile(&[7], 0.99), 7);
        assert_eq!(percentile(&[], 0.5), 0);
    }

    #[test]
    fn stats_divide_by_wall_time_and_merge_adds_up() {
        let mut a = Sample {
            latencies_ns: vec![2_000_000, 1_000_000],
            elapsed: Duration::from_secs(1),
            ..Sample::default()
        };
        a.merge(Sample {
            latencies_ns: vec![3_000_000, 4_000_000],
            errors: 1,
            first_error: Some("boom".into()),
            elapsed: Duration::from_secs(1),
        });
        let stats = a.stats();
        assert_eq!(stats.ops, 4);
        assert_eq!(stats.ops_per_sec, 2.0);
        assert_eq!(stats.p50_ms, 2.0);
        assert_eq!(stats.p99_ms, 4.0);
        assert_eq!(a.errors, 1);
        assert_eq!(a.first_error.as_deref(), Some("boom"));
    }

    /// Sleeps a millisecond per operation and misses every load.
    struct Slow;

    impl Target for Slow {
        async fn load(&self, _: &str) -> Result<bool, BenchError> {
            tokio::time::sleep(Duration::from_millis(1)).await;
            Ok(false)
        }
        async fn save(&self, _: &Session) -> Result<(), BenchError> {
            tokio::time::sleep(Duration::from_millis(1)).await;
            Ok(())
        }
        async fn create_delete(&self, _: &Session) -> Result<(), BenchError> {
            Err("refused".into())
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn drive_records_latencies_and_errors() {
        let workload = Arc::new(Workload::new(10));
        let target = Arc::new(Slow);
        let run = |op, concurrency, millis| {
            let duration = Duration::from_millis(millis);
            let run = Run {
                op,
                concurrency,
                duration,
                seed: 1,
            };
            drive(Arc::clone(&target), Arc::clone(&workload), run)
        };
        let saves = run(Op::Save, 4, 100).await;
        let stats = saves.stats();
        assert_eq!(saves.errors, 0);
        assert!(stats.ops >= 8, "{stats:?}");
        assert!(stats.p50_ms >= 1.0, "{stats:?}");
        let loads = run(Op::Load, 2, 20).await;
        assert_eq!(loads.stats().ops, 0);
        assert!(loads.errors > 0);
        assert!(loads.first_error.unwrap().contains("not found"));
        let failed = run(Op::CreateDelete, 1, 5).await;
        assert_eq!(failed.first_error.as_deref(), Some("refused"));
    }
}
