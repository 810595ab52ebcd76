//! Opening a SQLite database the way a session store needs it.

use std::str::FromStr;
use std::time::Duration;

use authly_session::SessionError;
use authly_session_sql::Pools;
use sqlx::sqlite::{
    Sqlite, SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};

/// How long a connection waits on a lock held by another process before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// How long an operation waits for a free connection before it fails.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// Read connections for a file database; writes go through one connection of their own.
const READERS: u32 = 8;

/// The pools never ping a connection before handing it out: an embedded database cannot hang
/// up like a server, and sqlx's liveness ping is a round trip to the connection's worker thread
/// on every acquire, which cost a quarter of the throughput (`cargo xtask bench`, BENCHMARKS.md).
const TEST_BEFORE_ACQUIRE: bool = false;

/// Opens `url`: a file database (created if missing, WAL mode, busy timeout) gets one writer
/// connection and a pool of readers, so writers queue in the pool instead of spinning in
/// SQLite's busy handler; an in-memory database gets one connection that never closes, so it
/// stays one database for as long as the store lives.
pub(crate) async fn open(url: &str) -> Result<Pools<Sqlite>, SessionError> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| SessionError::configuration(format!("invalid SQLite URL {url:?}: {e}")))?
        .create_if_missing(true)
        .busy_timeout(BUSY_TIMEOUT);
    let location = options.get_filename().display().to_string();
    let connect_error = |e: sqlx::Error| {
        SessionError::backend(format!("connect to SQLite database at {location}"), e)
    };

    if is_in_memory(url) {
        let pool = SqlitePoolOptions::new()
            .test_before_acquire(TEST_BEFORE_ACQUIRE)
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(connect_error)?;
        return Ok(Pools::single(pool));
    }

    let options = options
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal);
    let writer = SqlitePoolOptions::new()
        .test_before_acquire(TEST_BEFORE_ACQUIRE)
        .max_connections(1)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(options.clone())
        .await
        .map_err(connect_error)?;
    let reader = SqlitePoolOptions::new()
        .test_before_acquire(TEST_BEFORE_ACQUIRE)
        .max_connections(READERS)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await
        .map_err(connect_error)?;
    Ok(Pools { writer, reader })
}

fn is_in_memory(url: &str) -> bool {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    rest.is_empty() || rest.starts_with(":memory:") || url.contains("mode=memory")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_in_memory_urls() {
        for url in [
            "sqlite::memory:",
            "sqlite://:memory:",
            "sqlite:",
            "sqlite:file:x?mode=memory&cache=shared",
        ] {
            assert!(is_in_memory(url), "{url}");
        }
        for url in [
            "sqlite://sessions.db",
            "sqlite:sessions.db",
            "sessions.db",
            "sqlite:///tmp/x.db?mode=rwc",
        ] {
            assert!(!is_in_memory(url), "{url}");
        }
    }
}
