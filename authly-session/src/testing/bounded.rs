//! Semantic 28: listing and signing out an identity with 100,000 sessions never stalls another
//! client of the same server.

use std::collections::BTreeSet;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use futures_util::stream;

use super::backend::unique_name;
use super::check::{Check, handles};
use super::semantic::{Semantic, ensure};
use crate::{Identity, Session, SessionStore};

/// The sessions of one identity [`check_bounded_work`] lists and signs out.
pub const BOUNDED_WORK_SESSIONS: usize = 100_000;

/// The p99 of the probe's latency [`check_bounded_work`] allows.
pub const PROBE_P99_LIMIT: Duration = Duration::from_millis(50);

/// The longest single probe [`check_bounded_work`] allows.
pub const PROBE_MAX_LIMIT: Duration = Duration::from_millis(100);

/// How many saves [`save_concurrently`] runs at once.
const SAVES_AT_ONCE: usize = 32;

/// What [`check_bounded_work`] measured.
#[derive(Clone, Debug)]
pub struct BoundedWork {
    /// Sessions of the identity listed and then signed out.
    pub sessions: usize,
    /// Probes run while listing and signing out.
    pub probes: usize,
    /// Median probe latency.
    pub p50: Duration,
    /// 99th-percentile probe latency.
    pub p99: Duration,
    /// Slowest probe.
    pub max: Duration,
    /// How long `list_identity_sessions` took.
    pub list: Duration,
    /// How long `delete_identity_sessions` took.
    pub delete: Duration,
}

impl fmt::Display for BoundedWork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} sessions: list {:?}, sign-out {:?}; {} probes meanwhile: p50 {:?}, p99 {:?}, max {:?}",
            self.sessions, self.list, self.delete, self.probes, self.p50, self.p99, self.max
        )
    }
}

/// Saves `sessions` through `store`, 32 at once: the plain way to fill a store for
/// [`check_bounded_work`] when the backend has no faster bulk insert.
///
/// # Panics
///
/// When a save fails.
pub async fn save_concurrently<S: SessionStore>(store: &S, sessions: Vec<Session>) {
    let check = Check::new(store, Semantic::BOUNDED_WORK);
    stream::iter(&sessions)
        .for_each_concurrent(SAVES_AT_ONCE, |session| check.save(session))
        .await;
}

/// Semantic 28: `fill` stores [`BOUNDED_WORK_SESSIONS`] live sessions of one identity (with
/// [`save_concurrently`], or a backend's bulk insert of the same sessions); then, while a task
/// runs `probe` (another client's trivial command, e.g. `SELECT 1` or `PING` on its own
/// connection) over and over, `list_identity_sessions` must return every one of them and
/// `delete_identity_sessions` must remove and count every one, leaving another identity's
/// session alone. No probe may take [`PROBE_MAX_LIMIT`] or more, and their p99 must stay under
/// [`PROBE_P99_LIMIT`]. Returns (and prints) the figures.
///
/// # Panics
///
/// When a count is wrong, a probe fails, or the probe's latency passes a limit.
pub async fn check_bounded_work<S, Fill, FillFut, Probe, ProbeFut, E>(
    store: &S,
    fill: Fill,
    mut probe: Probe,
) -> BoundedWork
where
    S: SessionStore,
    Fill: FnOnce(Vec<Session>) -> FillFut,
    FillFut: Future<Output = ()>,
    Probe: FnMut() -> ProbeFut + Send + 'static,
    ProbeFut: Future<Output = Result<(), E>> + Send,
    E: fmt::Display,
{
    let check = Check::new(store, Semantic::BOUNDED_WORK);
    let identity = Identity::new(unique_name("bounded"), "many-devices");
    let bystander = Session::new(
        Identity::new(unique_name("bounded"), "bystander"),
        chrono::Duration::hours(1),
    );
    // Distinct expiries, as real sign-ins have.
    let sessions: Vec<Session> = (0..BOUNDED_WORK_SESSIONS)
        .map(|i| {
            let ttl = chrono::Duration::hours(1) + chrono::Duration::milliseconds(i as i64);
            Session::new(identity.clone(), ttl)
        })
        .collect();
    let expected = handles(&sessions);
    check.save(&bystander).await;
    fill(sessions).await;

    let stop = Arc::new(AtomicBool::new(false));
    let probing = tokio::spawn({
        let stop = stop.clone();
        async move {
            let mut latencies = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                if let Err(error) = probe().await {
                    return Err(error.to_string());
                }
                latencies.push(started.elapsed());
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            Ok(latencies)
        }
    });

    let started = Instant::now();
    let listed = check.list(&identity).await;
    let list = started.elapsed();
    let started = Instant::now();
    let removed = check.delete_identity(&identity).await;
    let delete = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let latencies = match probing.await {
        Ok(Ok(latencies)) => latencies,
        Ok(Err(error)) => check.fail(format_args!("the probe failed: {error}")),
        Err(error) => check.fail(format_args!("the probe task died: {error}")),
    };

    let listed: BTreeSet<String> = listed.into_iter().map(|info| info.handle).collect();
    ensure!(
        check,
        listed == expected,
        "listing returned {} distinct sessions of {}, or other ones",
        listed.len(),
        expected.len()
    );
    ensure!(
        check,
        removed == BOUNDED_WORK_SESSIONS as u64,
        "sign-out removed {removed} of {BOUNDED_WORK_SESSIONS} sessions"
    );
    check
        .lists_none(&identity, "sessions survived signing out everywhere")
        .await;
    check
        .loaded(
            &bystander.id,
            "signing out one identity removed another's session",
        )
        .await;
    check.delete(&bystander.id).await;

    let figures = figures(latencies, list, delete);
    println!("bounded work: {figures}");
    ensure!(check, figures.probes > 0, "no probe ran: {figures}");
    ensure!(
        check,
        figures.p99 < PROBE_P99_LIMIT && figures.max < PROBE_MAX_LIMIT,
        "another client waited too long: {figures} (limits: p99 {PROBE_P99_LIMIT:?}, max {PROBE_MAX_LIMIT:?})"
    );
    figures
}

/// The percentiles of `latencies`, with the durations of the two operations.
fn figures(mut latencies: Vec<Duration>, list: Duration, delete: Duration) -> BoundedWork {
    latencies.sort();
    let at = |fraction: f64| {
        let index = ((latencies.len() as f64 * fraction).ceil() as usize).saturating_sub(1);
        latencies.get(index).copied().unwrap_or_default()
    };
    BoundedWork {
        sessions: BOUNDED_WORK_SESSIONS,
        probes: latencies.len(),
        p50: at(0.50),
        p99: at(0.99),
        max: latencies.last().copied().unwrap_or_default(),
        list,
        delete,
    }
}

/// Sessions [`check_batched_sign_out_races_writes`] signs out: a few batches of a SQL store.
pub const RACE_SESSIONS: usize = 2_500;

/// Semantic 28 with 23: while `delete_identity_sessions` removes [`RACE_SESSIONS`] sessions of
/// one identity (stored by `fill`, e.g. a bulk insert), batch after batch, other tasks touch
/// and update those sessions; afterwards none of them is loadable or listed, whichever batch it
/// fell in.
///
/// # Panics
///
/// When a session survives the sign-out or an operation fails.
pub async fn check_batched_sign_out_races_writes<S, Fill, FillFut>(store: &S, fill: Fill)
where
    S: SessionStore,
    Fill: FnOnce(Vec<Session>) -> FillFut,
    FillFut: Future<Output = ()>,
{
    let check = Check::new(store, Semantic::BOUNDED_WORK);
    let identity = Identity::new(unique_name("race"), "many-devices");
    let sessions: Vec<Session> = (0..RACE_SESSIONS)
        .map(|_| Session::new(identity.clone(), chrono::Duration::hours(1)))
        .collect();
    fill(sessions.clone()).await;
    let later = chrono::Utc::now() + chrono::Duration::hours(2);
    // Writers walk the sessions from both ends, the way sign-out batches meet them.
    let writes = stream::iter(
        sessions
            .iter()
            .rev()
            .step_by(7)
            .chain(sessions.iter().step_by(11)),
    )
    .enumerate()
    .for_each_concurrent(8, |(i, session)| {
        let check = &check;
        async move {
            if i % 2 == 0 {
                check.touch(&session.id, later).await;
            } else {
                let mut moved = session.clone();
                moved.expires_at = later;
                check.update(&moved).await;
            }
        }
    });
    let (removed, ()) = tokio::join!(check.delete_identity(&identity), writes);
    ensure!(
        check,
        removed <= RACE_SESSIONS as u64,
        "sign-out counted {removed} of {RACE_SESSIONS} sessions"
    );
    check
        .lists_none(&identity, "sessions survived a sign-out raced by writes")
        .await;
    check
        .all_gone(&sessions, "a session written during sign-out survived it")
        .await;
}
