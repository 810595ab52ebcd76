//! Semantic 27, bounded time: with the server silent, every operation gives up with a timeout
//! error within its bound, and the same store works again once the server answers.

use std::fmt;
use std::future::Future;
use std::time::{Duration, Instant};

use tracing::instrument::WithSubscriber;

use super::check::Check;
use super::context::Ctx;
use super::fault_proxy::{FaultMode, FaultProxy};
use super::logs::{LogCapture, assert_no_id_logged};
use super::operations::every_operation;
use super::semantic::{Semantic, ensure};
use crate::{SessionError, SessionStore, session_handle};

/// How long the store may take to work again once the server answers.
pub const RECOVERY_LIMIT: Duration = Duration::from_secs(5);

/// What [`check_bounded_time`] measured: how long each operation took to give up against a
/// silent server, and how long the store then took to work again.
#[derive(Clone, Debug)]
pub struct BoundedTime {
    /// Each operation of the trait, in the order run, with its time to the timeout error.
    pub time_to_error: Vec<(&'static str, Duration)>,
    /// From the server answering again to the first save-and-load round trip that worked.
    pub recovery: Duration,
}

impl BoundedTime {
    /// The longest time to error of any operation.
    pub fn slowest(&self) -> Duration {
        self.time_to_error
            .iter()
            .map(|(_, took)| *took)
            .max()
            .unwrap_or_default()
    }
}

impl fmt::Display for BoundedTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "time to error:")?;
        for (operation, took) in &self.time_to_error {
            write!(f, " {operation} {:.2}s,", took.as_secs_f64())?;
        }
        write!(
            f,
            " slowest {:.2}s; recovered in {:.2}s",
            self.slowest().as_secs_f64(),
            self.recovery.as_secs_f64()
        )
    }
}

/// Semantic 27 through `proxy`, which sits between `store` and its server: with the proxy
/// blackholing every connection, each operation of the trait returns
/// [`SessionError::Timeout`] within `bound`; back in forward mode, the same store saves and
/// loads a session within [`RECOVERY_LIMIT`]. Prints and returns the measured times.
///
/// # Panics
///
/// When an operation succeeds, fails otherwise, takes longer than `bound` or leaks the id, or
/// the store does not recover.
///
/// # Examples
///
/// ```no_run
/// # async fn demo() -> std::io::Result<()> {
/// use std::time::Duration;
/// use authly_session::testing::{FaultProxy, check_bounded_time};
/// let (proxy, url) = FaultProxy::in_front_of("redis://127.0.0.1:6379").await?;
/// # let store = authly_session::testing::MemoryStore::new();
/// // let store = RedisStore::connect(&url).await?.with_timeout(Duration::from_secs(2));
/// let measured = check_bounded_time(&store, &proxy, Duration::from_secs(3)).await;
/// assert!(measured.slowest() < Duration::from_secs(3));
/// # Ok(()) }
/// ```
pub async fn check_bounded_time<S: SessionStore>(
    store: &S,
    proxy: &FaultProxy,
    bound: Duration,
) -> BoundedTime {
    check_bounded_time_with(
        store,
        async { proxy.set_mode(FaultMode::Blackhole) },
        async { proxy.set_mode(FaultMode::Forward) },
        bound,
    )
    .await
}

/// [`check_bounded_time`] for a server silenced some other way: `silence` makes it stop
/// answering without closing connections (e.g. `CLIENT PAUSE` on a server of the test's own),
/// `answer` makes it answer again.
///
/// # Panics
///
/// As [`check_bounded_time`].
pub async fn check_bounded_time_with<S: SessionStore>(
    store: &S,
    silence: impl Future<Output = ()>,
    answer: impl Future<Output = ()>,
    bound: Duration,
) -> BoundedTime {
    let ctx = Ctx::new((), false, None);
    let capture = LogCapture::new();
    let measured = bounded_time(&ctx, store, silence, answer, bound)
        .with_subscriber(capture.dispatch())
        .await;
    assert_no_id_logged(&capture, &ctx.ids_used());
    println!("semantic 27 (bound {bound:?}): {measured}");
    measured
}

/// [`check_bounded_time_with`]'s steps; the ids it uses go to `ctx`, for the log check.
async fn bounded_time<S: SessionStore>(
    ctx: &Ctx<()>,
    store: &S,
    silence: impl Future<Output = ()>,
    answer: impl Future<Output = ()>,
    bound: Duration,
) -> BoundedTime {
    let check = Check::new(store, Semantic::BOUNDED_TIME);
    let identity = ctx.identity("bounded-time");
    let session = ctx.session(&identity, chrono::Duration::hours(1));
    check.save(&session).await;
    silence.await;

    let id = session.id.as_str();
    let handle = session_handle(&session.id);
    let operations = every_operation(store, &session, &handle);
    let mut time_to_error = Vec::with_capacity(operations.len());
    for (name, operation) in operations {
        let started = Instant::now();
        let result = tokio::time::timeout(bound, operation).await;
        let took = started.elapsed();
        match result {
            Err(_) => check.fail(format_args!(
                "{name} was still waiting after {bound:?} for a server that does not answer"
            )),
            Ok(Ok(())) => check.fail(format_args!(
                "{name} succeeded against a server that does not answer"
            )),
            Ok(Err(SessionError::Timeout { context })) => {
                ensure!(
                    Semantic::SECRET_ID,
                    !context.contains(id),
                    "the {name} timeout holds the full session id"
                );
                time_to_error.push((name, took));
            }
            Ok(Err(other)) => check.fail(format_args!(
                "{name} gave {other:?} after {took:?}, not a timeout error"
            )),
        }
    }

    answer.await;
    let answered = Instant::now();
    let fresh = ctx.session(&identity, chrono::Duration::hours(1));
    loop {
        let attempt = async {
            store.save_session(&fresh).await?;
            store.load_session(&fresh.id).await
        };
        match attempt.await {
            Ok(Some(loaded)) if loaded.identity == identity => break,
            Ok(other) => check.fail(format_args!(
                "once the server answered again a saved session loaded as {other:?}"
            )),
            Err(error) if answered.elapsed() < RECOVERY_LIMIT => {
                tracing::debug!(%error, "store not back yet");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(error) => check.fail(format_args!(
                "the store did not work again within {RECOVERY_LIMIT:?} of the server answering: {error}"
            )),
        }
    }
    let recovery = answered.elapsed();
    check.delete(&fresh.id).await;
    check.delete(&session.id).await;
    BoundedTime {
        time_to_error,
        recovery,
    }
}
