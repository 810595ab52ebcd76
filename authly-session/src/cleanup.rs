//! Background removal of expired sessions.

use std::sync::Arc;
use std::time::Duration;

use crate::SessionStore;

/// The longest period `spawn_cleanup` waits between rounds: a year.
const MAX_CLEANUP_PERIOD: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// The least time a round may take before `spawn_cleanup` gives up on it: far more than any
/// store of this workspace needs (each gives up itself after its operation timeout, 10 s by
/// default), so only a store without a time limit of its own ever meets it.
const MIN_ROUND_LIMIT: Duration = Duration::from_secs(60);

/// Runs [`SessionStore::delete_expired`] about every `period` (with up to 10 % random jitter, so
/// many app instances do not clean at once) until the handle is aborted. Errors are logged with
/// `tracing`, never fatal: the next round tries again. A round that has not returned after the
/// longer of `period` and one minute (a store that hangs without a time limit of its own) is
/// given up and logged the same way, so one hung call never stops the cleanup.
///
/// Call it from within a Tokio runtime. A zero `period` is treated as one millisecond, and one
/// longer than a year as a year: no period makes the task panic.
///
/// # Examples
///
/// ```no_run
/// # async fn demo(store: std::sync::Arc<dyn authly_session::SessionStore>) {
/// let cleanup = authly_session::spawn_cleanup(store, std::time::Duration::from_secs(60));
/// // ... serve requests ...
/// cleanup.abort();
/// # }
/// ```
pub fn spawn_cleanup<S: SessionStore + ?Sized>(
    store: Arc<S>,
    period: Duration,
) -> tokio::task::JoinHandle<()> {
    let period = period.clamp(Duration::from_millis(1), MAX_CLEANUP_PERIOD);
    let round_limit = period.max(MIN_ROUND_LIMIT);
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(jittered(period)).await;
            match tokio::time::timeout(round_limit, store.delete_expired()).await {
                Ok(Ok(removed)) => tracing::debug!(removed, "removed expired sessions"),
                Ok(Err(error)) => {
                    tracing::warn!(%error, "removing expired sessions failed; will retry")
                }
                Err(_) => tracing::warn!(
                    limit = ?round_limit,
                    "removing expired sessions did not return in time; gave up, will retry"
                ),
            }
        }
    })
}

/// `period` stretched or shrunk by a random factor in [0.9, 1.1].
fn jittered(period: Duration) -> Duration {
    let mut bytes = [0u8; 4];
    let unit = match getrandom::fill(&mut bytes) {
        Ok(()) => f64::from(u32::from_le_bytes(bytes)) / f64::from(u32::MAX),
        Err(_) => 0.5,
    };
    period.mul_f64(0.9 + 0.2 * unit)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};

    use chrono::{DateTime, Utc};

    use super::*;
    use crate::{Session, SessionError, SessionInfo};

    /// Fails every other call to `delete_expired`, counting the calls; with `hang_once`, the
    /// second call never returns.
    #[derive(Default)]
    struct Flaky {
        calls: AtomicU64,
        hang_once: bool,
    }

    #[async_trait::async_trait]
    impl SessionStore for Flaky {
        async fn load_session(&self, _: &str) -> Result<Option<Session>, SessionError> {
            Ok(None)
        }
        async fn save_session(&self, _: &Session) -> Result<(), SessionError> {
            Ok(())
        }
        async fn update_session(&self, _: &Session) -> Result<bool, SessionError> {
            Ok(false)
        }
        async fn delete_session(&self, _: &str) -> Result<(), SessionError> {
            Ok(())
        }
        async fn touch_session(&self, _: &str, _: DateTime<Utc>) -> Result<bool, SessionError> {
            Ok(false)
        }
        async fn delete_expired(&self) -> Result<u64, SessionError> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            if self.hang_once && n == 1 {
                std::future::pending::<()>().await;
            }
            if n.is_multiple_of(2) {
                Err(SessionError::backend(
                    "delete_expired",
                    std::io::Error::other("down"),
                ))
            } else {
                Ok(n)
            }
        }
        async fn list_identity_sessions(
            &self,
            _: &str,
            _: &str,
        ) -> Result<Vec<SessionInfo>, SessionError> {
            Ok(Vec::new())
        }
        async fn delete_session_by_handle(&self, _: &str) -> Result<(), SessionError> {
            Ok(())
        }
        async fn delete_identity_sessions(&self, _: &str, _: &str) -> Result<u64, SessionError> {
            Ok(0)
        }
    }

    #[tokio::test]
    async fn keeps_cleaning_after_errors_until_aborted() {
        let store = Arc::new(Flaky::default());
        let handle = spawn_cleanup(store.clone(), Duration::from_millis(5));
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(
            store.calls.load(Ordering::SeqCst) >= 4,
            "cleanup stopped after an error"
        );
        handle.abort();
        assert!(handle.await.unwrap_err().is_cancelled());
        let after_abort = store.calls.load(Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(store.calls.load(Ordering::SeqCst), after_abort);
    }

    #[tokio::test(start_paused = true)]
    async fn a_hung_round_is_given_up_and_later_rounds_run() {
        let store = Arc::new(Flaky {
            hang_once: true,
            ..Flaky::default()
        });
        let handle = spawn_cleanup(store.clone(), Duration::from_secs(1));
        // The clock is paused: it jumps over the hung round's limit as soon as all is idle.
        tokio::time::sleep(MIN_ROUND_LIMIT + Duration::from_secs(10)).await;
        assert!(
            store.calls.load(Ordering::SeqCst) >= 5,
            "cleanup stopped behind a hung delete_expired ({} calls)",
            store.calls.load(Ordering::SeqCst)
        );
        assert!(!handle.is_finished());
        handle.abort();
    }

    #[tokio::test]
    async fn a_huge_period_is_clamped_and_never_panics() {
        let store = Arc::new(Flaky::default());
        let handle = spawn_cleanup(store.clone(), Duration::MAX);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!handle.is_finished(), "the cleanup task ended (panicked?)");
        handle.abort();
        assert!(handle.await.unwrap_err().is_cancelled());
        assert!(jittered(MAX_CLEANUP_PERIOD) <= MAX_CLEANUP_PERIOD.mul_f64(1.1));
    }

    #[test]
    fn jitter_stays_within_ten_percent() {
        for _ in 0..1000 {
            let d = jittered(Duration::from_secs(100));
            assert!(
                d >= Duration::from_secs(90) && d <= Duration::from_secs(110),
                "{d:?}"
            );
        }
    }
}
