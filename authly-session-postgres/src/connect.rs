//! Opening a PostgreSQL pool the way a session store needs it.

use std::str::FromStr;
use std::time::Duration;

use authly_session::SessionError;
use sqlx::Database;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, Postgres};

/// How long an operation waits for a connection (including connecting to a server that is down)
/// before it fails.
pub(crate) const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// The most connections the pool opens: plenty for session lookups, which take a millisecond.
pub(crate) const MAX_CONNECTIONS: u32 = 10;

/// Connections are closed after this long idle, so a quiet app does not pin server slots.
const IDLE_TIMEOUT: Duration = Duration::from_secs(300);

/// Opens a pool on `url`, connecting once to prove the server is there.
///
/// Errors name the host, port and database, never the URL (it may hold a password).
pub(crate) async fn open(url: &str) -> Result<PgPool, SessionError> {
    let options = parse(url)?;
    let location = format!(
        "{}:{}/{}",
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap_or_default()
    );
    PgPoolOptions::new()
        .max_connections(MAX_CONNECTIONS)
        .min_connections(0)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .idle_timeout(IDLE_TIMEOUT)
        .connect_with(options)
        .await
        .map_err(|e| SessionError::backend(format!("connect to PostgreSQL at {location}"), e))
}

fn parse(url: &str) -> Result<PgConnectOptions, SessionError> {
    let scheme = url.split_once("://").map_or("", |(scheme, _)| scheme);
    if !Postgres::URL_SCHEMES.contains(&scheme) {
        return Err(SessionError::configuration(
            "a PostgreSQL URL starts with postgres:// or postgresql://",
        ));
    }
    PgConnectOptions::from_str(url)
        .map_err(|e| SessionError::configuration(format!("invalid PostgreSQL URL: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_postgres_urls_only() {
        for good in [
            "postgres://app@localhost/app",
            "postgresql://app:pw@db.example:6543/sessions?sslmode=require",
        ] {
            assert!(parse(good).is_ok(), "{good}");
        }
        for bad in [
            "mysql://root@localhost/test",
            "localhost",
            "",
            "postgres:/x",
        ] {
            assert!(
                matches!(parse(bad), Err(SessionError::InvalidConfiguration { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_configuration_error_does_not_repeat_the_url() {
        let error = parse("postgres://user:se cret@[bad/x").unwrap_err();
        assert!(!error.to_string().contains("se cret"), "{error}");
    }
}
