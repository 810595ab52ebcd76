//! The load: callers that loop save → load → (every 10th) list on one store, recording every
//! call, every acknowledged save, and anything the store got wrong.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use authly_session::{Identity, Session, SessionStore, session_handle};
use authly_session_redis::RedisStore;
use futures_util::StreamExt;

/// One call to the store.
#[derive(Clone, Debug)]
pub struct Call {
    /// When it started, from the run's start.
    pub start: Duration,
    pub took: Duration,
    /// The error, if it failed.
    pub error: Option<String>,
}

impl Call {
    pub fn end(&self) -> Duration {
        self.start + self.took
    }
}

/// What the callers saw.
#[derive(Default)]
pub struct Outcome {
    pub calls: Vec<Call>,
    /// Ids of sessions whose save returned `Ok`.
    pub acknowledged: Vec<String>,
    /// Ids of sessions whose save returned an error (it may have been applied all the same).
    pub failed_saves: Vec<String>,
    /// Wrong answers: an acknowledged session not loadable, a listing without one.
    pub wrong: Vec<String>,
}

/// Callers running until told to stop.
pub struct Load {
    stop: Arc<AtomicBool>,
    tasks: Vec<tokio::task::JoinHandle<Outcome>>,
}

impl Load {
    /// Starts `callers` tasks on `store` (clones of the one store), timing calls from `t0`;
    /// `run` tells this run's identities apart from earlier ones.
    pub fn start(store: &RedisStore, callers: usize, t0: Instant, run: &str) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let tasks = (0..callers)
            .map(|caller| {
                let (store, stop) = (store.clone(), stop.clone());
                let run = format!("{run}-{caller}");
                tokio::spawn(async move { caller_loop(store, stop, t0, run).await })
            })
            .collect();
        Load { stop, tasks }
    }

    /// Stops the callers; what they saw, merged.
    pub async fn stop(self) -> Outcome {
        self.stop.store(true, Ordering::Relaxed);
        let mut all = Outcome::default();
        for task in self.tasks {
            let outcome = task.await.expect("a caller panicked");
            all.calls.extend(outcome.calls);
            all.acknowledged.extend(outcome.acknowledged);
            all.failed_saves.extend(outcome.failed_saves);
            all.wrong.extend(outcome.wrong);
        }
        all.calls.sort_by_key(|call| call.start);
        all
    }
}

/// Times `call` from `t0` into `calls`; its result.
async fn timed<T>(
    calls: &mut Vec<Call>,
    t0: Instant,
    call: impl Future<Output = Result<T, authly_session::SessionError>>,
) -> Option<T> {
    let start = t0.elapsed();
    let result = call.await;
    let took = t0.elapsed() - start;
    let error = result.as_ref().err().map(ToString::to_string);
    calls.push(Call { start, took, error });
    result.ok()
}

/// One caller: each group of 10 iterations saves 10 sessions of a fresh identity, loads each
/// right after its save, and lists the identity at the group's end.
async fn caller_loop(
    store: RedisStore,
    stop: Arc<AtomicBool>,
    t0: Instant,
    run: String,
) -> Outcome {
    let mut outcome = Outcome::default();
    let mut group = 0u64;
    while !stop.load(Ordering::Relaxed) {
        let identity = Identity::new("ha", format!("{run}-{group}"));
        let mut saved = Vec::new();
        for _ in 0..10 {
            // Long enough for the read-back after the run; short, so repeated runs do not pile
            // up keys that later reshards must move.
            let session = Session::new(identity.clone(), chrono::Duration::minutes(3));
            if timed(&mut outcome.calls, t0, store.save_session(&session))
                .await
                .is_some()
            {
                outcome.acknowledged.push(session.id.clone());
                saved.push(session_handle(&session.id));
            } else {
                outcome.failed_saves.push(session.id.clone());
            }
            if let Some(loaded) =
                timed(&mut outcome.calls, t0, store.load_session(&session.id)).await
            {
                let acknowledged = saved.last() == Some(&session_handle(&session.id));
                match loaded {
                    Some(loaded) if loaded.identity != identity => outcome
                        .wrong
                        .push("a load returned another identity".into()),
                    None if acknowledged => outcome
                        .wrong
                        .push("an acknowledged save was not loadable right after".into()),
                    _ => {}
                }
            }
        }
        let listing = store.list_identity_sessions(&identity.provider_id, &identity.external_id);
        if let Some(listed) = timed(&mut outcome.calls, t0, listing).await {
            let missing = saved
                .iter()
                .filter(|handle| !listed.iter().any(|info| &info.handle == *handle))
                .count();
            if missing > 0 {
                outcome.wrong.push(format!(
                    "a listing missed {missing} acknowledged session(s)"
                ));
            }
        }
        group += 1;
    }
    outcome
}

/// How long reading back sessions may take: the ones not read by then count
/// as unreadable (a store that stopped answering would otherwise take hours).
const READ_BACK_LIMIT: Duration = Duration::from_secs(30);

/// Of the sessions `ids`: how many load now, how many do not, and how many could not be read
/// (an error three times in a row, or not tried within [`READ_BACK_LIMIT`]).
pub async fn read_back(store: &RedisStore, ids: &[String]) -> ReadBack {
    let deadline = Instant::now() + READ_BACK_LIMIT;
    let checks = futures_util::stream::iter(ids)
        .map(|id| async move {
            for _ in 0..3 {
                if Instant::now() > deadline {
                    return None;
                }
                match store.load_session(id).await {
                    Ok(found) => return Some(found.is_some()),
                    Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
                }
            }
            None
        })
        .buffer_unordered(32)
        .collect::<Vec<_>>()
        .await;
    let count = |wanted| checks.iter().filter(|check| **check == wanted).count();
    ReadBack {
        found: count(Some(true)),
        missing: count(Some(false)),
        unreadable: count(None),
    }
}

/// What [`read_back`] found.
#[derive(Clone, Copy, Debug, Default)]
pub struct ReadBack {
    pub found: usize,
    pub missing: usize,
    pub unreadable: usize,
}
