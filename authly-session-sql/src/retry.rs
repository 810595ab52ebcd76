//! One write statement, run again while the dialect calls its failure retryable.

use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use authly_session::SessionError;
use sqlx::query::Query;
use sqlx::{Database, Executor, IntoArguments, Pool};

use crate::Dialect;
use crate::connection::{Held, failure};

/// The most tries of one write.
const ATTEMPTS: u32 = 8;

/// Runs the write `build` makes on a connection of `pool`, again while the dialect calls its
/// failure retryable (at most 8 tries, after a short random pause that grows with each try, so
/// two writers that deadlocked do not meet again at once); returns the rows it affected.
pub(crate) async fn write_with_retry<'q, D: Dialect>(
    pool: &Pool<D::Database>,
    operation: &str,
    build: impl Fn() -> Query<'q, D::Database, <D::Database as Database>::Arguments>,
) -> Result<u64, SessionError>
where
    for<'c> &'c mut <D::Database as Database>::Connection: Executor<'c, Database = D::Database>,
    <D::Database as Database>::Arguments: IntoArguments<D::Database>,
{
    let mut attempt = 1;
    let mut connection = Held::<D>::acquire(pool, operation).await?;
    let result = loop {
        match build().execute(&mut *connection).await {
            Ok(done) => break Ok(D::rows_affected(&done)),
            Err(error) if attempt < ATTEMPTS && D::is_retryable(&error) => {
                tracing::debug!(
                    operation,
                    attempt,
                    "transient write failure, running the statement again"
                );
                tokio::time::sleep(retry_pause(attempt)).await;
                attempt += 1;
            }
            Err(error) => break Err(failure::<D>(operation, error)),
        }
    };
    connection.release();
    result
}

/// How long a write waits before its try number `attempt + 1`: a random pause of up to
/// 2^`attempt` ms (capped at 64 ms), so that the writers a deadlock pitted against each other
/// spread out instead of colliding again.
fn retry_pause(attempt: u32) -> Duration {
    let ceiling_micros = 1_000u64 << attempt.min(6);
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    Duration::from_micros(random % ceiling_micros + 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_grow_with_each_try_and_stay_bounded() {
        for attempt in 1..20 {
            let pause = retry_pause(attempt);
            let ceiling = Duration::from_micros((1_000u64 << attempt.min(6)) + 100);
            assert!(
                pause >= Duration::from_micros(100) && pause < ceiling,
                "{pause:?}"
            );
        }
    }
}
