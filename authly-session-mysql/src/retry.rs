//! Writes that InnoDB may pick as a deadlock victim, run again.
//!
//! InnoDB locks index records, and statements that reach a row through different indexes (an
//! upsert by primary key, a delete by identity, a touch that moves an indexed expiry) can
//! deadlock under load. InnoDB then rolls back one single-statement transaction whole, so running
//! that statement again is safe and does what it would have done.

use authly_session::SessionError;
use sqlx::mysql::{MySql, MySqlArguments, MySqlDatabaseError, MySqlPool};
use sqlx::query::Query;

/// How many times a write is tried before its deadlock error is returned.
const ATTEMPTS: u32 = 8;

/// MySQL's error number for "Deadlock found when trying to get lock".
const ER_LOCK_DEADLOCK: u16 = 1213;

/// Executes the statement `build` makes, again while it loses deadlocks; returns the rows it
/// affected (matched, for an UPDATE: sqlx connects with CLIENT_FOUND_ROWS).
pub(crate) async fn execute<'q>(
    pool: &MySqlPool,
    operation: &str,
    build: impl Fn() -> Query<'q, MySql, MySqlArguments>,
) -> Result<u64, SessionError> {
    let mut attempt = 1;
    loop {
        match build().execute(pool).await {
            Ok(done) => return Ok(done.rows_affected()),
            Err(error) if attempt < ATTEMPTS && is_deadlock(&error) => {
                tracing::debug!(
                    operation,
                    attempt,
                    "deadlock victim, running the statement again"
                );
                attempt += 1;
            }
            Err(error) => return Err(SessionError::backend(operation, error)),
        }
    }
}

fn is_deadlock(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .and_then(|e| e.try_downcast_ref::<MySqlDatabaseError>())
        .is_some_and(|e| e.number() == ER_LOCK_DEADLOCK)
}
