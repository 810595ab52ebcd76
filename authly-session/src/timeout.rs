//! The time limit of one store operation (semantic 27): every operation returns, with
//! [`SessionError::Timeout`] if need be, instead of waiting for as long as the server does not
//! answer.

use std::future::Future;
use std::time::Duration;

use crate::SessionError;

/// How long one store operation may take, waiting for a connection included, before it gives up
/// with [`SessionError::Timeout`].
///
/// Every store of this workspace keeps one (set with its `with_timeout`) and runs each operation,
/// `migrate` included, through [`OperationTimeout::within`]. The default, 10 s, keeps every
/// operation under 15 s when the server stops answering. [`OperationTimeout::new`] clamps to
/// between 1 ms and one hour, so no configured value makes an operation panic or never end.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use authly_session::store_kit::OperationTimeout;
///
/// assert_eq!(OperationTimeout::default().get(), Duration::from_secs(10));
/// assert_eq!(OperationTimeout::new(Duration::ZERO).get(), Duration::from_millis(1));
/// assert_eq!(OperationTimeout::new(Duration::MAX).get(), Duration::from_secs(3600));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OperationTimeout(Duration);

impl OperationTimeout {
    /// The default limit: 10 s.
    pub const DEFAULT: OperationTimeout = OperationTimeout(Duration::from_secs(10));

    /// The shortest limit [`OperationTimeout::new`] keeps: 1 ms.
    pub const MIN: Duration = Duration::from_millis(1);

    /// The longest limit [`OperationTimeout::new`] keeps: one hour.
    pub const MAX: Duration = Duration::from_secs(60 * 60);

    /// A limit of `limit`, clamped to [`OperationTimeout::MIN`]..=[`OperationTimeout::MAX`].
    pub fn new(limit: Duration) -> Self {
        OperationTimeout(limit.clamp(Self::MIN, Self::MAX))
    }

    /// The limit.
    pub const fn get(&self) -> Duration {
        self.0
    }

    /// Runs `future`, the store operation named `operation` (e.g. `"load_session"`; never an
    /// id), and gives up on it once the limit has passed: the future is dropped and the result
    /// is [`SessionError::Timeout`] naming the operation.
    ///
    /// # Errors
    ///
    /// [`SessionError::Timeout`] when the limit passes first; otherwise `future`'s own result.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// use std::time::Duration;
    /// use authly_session::SessionError;
    /// use authly_session::store_kit::OperationTimeout;
    ///
    /// let limit = OperationTimeout::new(Duration::from_millis(20));
    /// let hung = limit.within("load_session", std::future::pending::<Result<(), SessionError>>());
    /// match hung.await {
    ///     Err(SessionError::Timeout { context }) => assert_eq!(context, "load_session"),
    ///     other => panic!("{other:?}"),
    /// }
    /// assert_eq!(limit.within("load_session", async { Ok(7) }).await.unwrap(), 7);
    /// # });
    /// ```
    pub async fn within<T>(
        self,
        operation: &str,
        future: impl Future<Output = Result<T, SessionError>>,
    ) -> Result<T, SessionError> {
        match tokio::time::timeout(self.0, future).await {
            Ok(result) => result,
            Err(_) => {
                tracing::debug!(operation, limit = ?self.0, "store operation timed out");
                Err(SessionError::Timeout {
                    context: operation.to_owned(),
                })
            }
        }
    }
}

impl Default for OperationTimeout {
    fn default() -> Self {
        Self::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_limit_is_clamped_never_rejected() {
        for (given, kept) in [
            (Duration::ZERO, OperationTimeout::MIN),
            (Duration::from_nanos(1), OperationTimeout::MIN),
            (Duration::from_secs(2), Duration::from_secs(2)),
            (Duration::from_secs(86_400), OperationTimeout::MAX),
            (Duration::MAX, OperationTimeout::MAX),
        ] {
            assert_eq!(OperationTimeout::new(given).get(), kept, "{given:?}");
        }
        assert!(OperationTimeout::default().get() < Duration::from_secs(15));
    }

    #[tokio::test]
    async fn a_late_operation_is_a_timeout_naming_it_and_an_error_passes_through() {
        let limit = OperationTimeout::new(Duration::from_millis(10));
        let late = limit.within("delete_expired", async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            Ok(())
        });
        let started = std::time::Instant::now();
        assert!(matches!(
            late.await,
            Err(SessionError::Timeout { context }) if context == "delete_expired"
        ));
        assert!(started.elapsed() < Duration::from_secs(1));
        let failed = limit.within("save_session", async {
            Err::<(), _>(SessionError::invalid_input("bad"))
        });
        assert!(matches!(
            failed.await,
            Err(SessionError::InvalidInput { .. })
        ));
    }
}
