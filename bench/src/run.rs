//! The cells of one backend: every operation at every concurrency, store and raw interleaved.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use authly_test_servers::Backend;

use crate::backends::Job;
use crate::measure::{Run, Sample, drive};
use crate::report::{CellResult, Role, SideInfo};
use crate::targets::{BenchError, Target};
use crate::workload::{Op, Workload};

/// A boxed future: one per cell and side, never per operation.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A [`Target`] with its type erased, so one backend can list a store and its raw drivers.
pub trait Runner: Send + Sync {
    /// Times `run` (see [`drive`]).
    fn measure(&self, workload: Arc<Workload>, run: Run) -> BoxFuture<'_, Sample>;

    /// Saves every session of `workload`, from a few tasks at once.
    fn populate(&self, workload: Arc<Workload>) -> BoxFuture<'_, Result<(), BenchError>>;
}

/// How many tasks fill a table before measuring.
const POPULATE_TASKS: usize = 8;

impl<T: Target> Runner for Arc<T> {
    fn measure(&self, workload: Arc<Workload>, run: Run) -> BoxFuture<'_, Sample> {
        Box::pin(drive(Arc::clone(self), workload, run))
    }

    fn populate(&self, workload: Arc<Workload>) -> BoxFuture<'_, Result<(), BenchError>> {
        Box::pin(async move {
            let tasks: Vec<_> = (0..POPULATE_TASKS)
                .map(|task| {
                    let target = Arc::clone(self);
                    let workload = Arc::clone(&workload);
                    tokio::spawn(async move {
                        for index in (task..workload.len()).step_by(POPULATE_TASKS) {
                            target.insert(&workload.session(index)).await?;
                        }
                        Ok::<(), BenchError>(())
                    })
                })
                .collect();
            for task in tasks {
                task.await??;
            }
            Ok(())
        })
    }
}

/// One side of the comparison: the store, or a raw driver.
pub struct Side {
    /// Name, setup and role, as reported.
    pub info: SideInfo,
    /// What runs it.
    pub runner: Box<dyn Runner>,
    /// Its own sessions, already in its table (the scale mode's bulk fill); `None`: the job's
    /// sessions, saved into its table before measuring.
    pub filled: Option<Arc<Workload>>,
}

impl Side {
    /// The side `name` in `role`, measuring `target`, set up as `setup` says.
    pub fn new<T: Target>(name: &str, role: Role, setup: String, target: T) -> Self {
        Side {
            info: SideInfo {
                name: name.to_owned(),
                setup,
                role,
            },
            runner: Box::new(Arc::new(target)),
            filled: None,
        }
    }

    /// This side on its own sessions, which its table already holds.
    pub fn filled_with(self, workload: Arc<Workload>) -> Self {
        Side {
            filled: Some(workload),
            ..self
        }
    }

    /// The sessions this side picks from.
    fn workload<'a>(&'a self, job: &'a Job) -> &'a Arc<Workload> {
        self.filled.as_ref().unwrap_or(&job.workload)
    }
}

/// How long and how often each cell runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// Measured time per side and cell, split over the rounds.
    pub seconds: f64,
    /// Concurrency levels, in order.
    pub concurrency: Vec<u32>,
    /// Each side runs this many times per cell, alternating with the other sides.
    pub rounds: u32,
    /// The operations measured, in order.
    pub ops: Vec<Op>,
}

impl Plan {
    /// Rounds of about half a second: short enough that a burst of load from elsewhere on the
    /// machine hits every side alike.
    pub fn default_rounds(seconds: f64) -> u32 {
        (seconds * 2.0).round().clamp(1.0, 1_000.0) as u32
    }

    /// The measured time of one round of one side.
    pub fn round(&self) -> Duration {
        Duration::from_secs_f64(self.seconds / f64::from(self.rounds.max(1)))
    }

    /// The unrecorded warm-up before a side's first round in a cell (pools grow to the new
    /// concurrency, caches fill): a tenth of the cell's time, from 0.2 to 1 second.
    pub fn first_warm_up(&self) -> Duration {
        Duration::from_secs_f64(self.seconds / 10.0)
            .clamp(Duration::from_millis(200), Duration::from_secs(1))
    }

    /// The warm-up before every later round, so the switch between sides stays unrecorded.
    pub fn warm_up(&self) -> Duration {
        (self.round() / 5).min(Duration::from_millis(100))
    }
}

/// Fills every side's table, then measures every cell. Within a cell the sides take turns,
/// round after round, each starting the cell in turn, so slow drift in the server (caches,
/// checkpoints, vacuum) does not favour one side.
pub async fn run_cells(
    backend: Backend,
    sides: &[Side],
    job: &Job,
) -> Result<Vec<CellResult>, BenchError> {
    let plan = &job.plan;
    for side in sides.iter().filter(|side| side.filled.is_none()) {
        let workload = &job.workload;
        eprintln!(
            "authly-bench: {backend}: filling the {} table with {} sessions",
            side.info.name,
            workload.len()
        );
        side.runner
            .populate(Arc::clone(workload))
            .await
            .map_err(|e| format!("{backend}: filling the {} table: {e}", side.info.name))?;
    }
    let mut results = Vec::new();
    let mut cell = 0usize;
    for &op in &plan.ops {
        for &concurrency in &plan.concurrency {
            let mut samples: Vec<Sample> = sides.iter().map(|_| Sample::default()).collect();
            for round in 0..plan.rounds.max(1) as usize {
                for turn in 0..sides.len() {
                    let index = (cell + round + turn) % sides.len();
                    let runner = &sides[index].runner;
                    let workload = sides[index].workload(job);
                    let seed = (cell * 1_000 + round * 10 + index) as u64;
                    let warm_up = Run {
                        op,
                        concurrency,
                        duration: if round == 0 {
                            plan.first_warm_up()
                        } else {
                            plan.warm_up()
                        },
                        seed: seed + 500,
                    };
                    runner.measure(Arc::clone(workload), warm_up).await;
                    let timed = Run {
                        duration: plan.round(),
                        seed,
                        ..warm_up
                    };
                    let sample = runner.measure(Arc::clone(workload), timed).await;
                    samples[index].merge(sample);
                }
            }
            for (side, sample) in sides.iter().zip(samples) {
                let result = CellResult::new(op, concurrency, &side.info.name, &sample);
                eprintln!("authly-bench: {backend}: {}", result.summary());
                results.push(result);
            }
            cell += 1;
        }
    }
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_split_the_time_and_warm_ups_are_bounded() {
        let plan = Plan {
            seconds: 5.0,
            concurrency: vec![1, 32],
            rounds: Plan::default_rounds(5.0),
            ops: Op::ALL.to_vec(),
        };
        assert_eq!(plan.rounds, 10);
        assert_eq!(plan.round(), Duration::from_millis(500));
        assert_eq!(plan.first_warm_up(), Duration::from_millis(500));
        assert_eq!(plan.warm_up(), Duration::from_millis(100));
        let long = Plan {
            seconds: 60.0,
            rounds: 1,
            ..plan.clone()
        };
        assert_eq!(long.first_warm_up(), Duration::from_secs(1));
        let short = Plan {
            seconds: 0.2,
            rounds: Plan::default_rounds(0.2),
            ..plan
        };
        assert_eq!(short.rounds, 1);
        assert_eq!(short.first_warm_up(), Duration::from_millis(200));
        assert_eq!(short.warm_up(), Duration::from_millis(40));
    }
}
