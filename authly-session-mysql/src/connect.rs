//! Opening a MySQL / MariaDB pool the way a session store needs it.

use std::str::FromStr;
use std::time::Duration;

use authly_session::SessionError;
use sqlx::Database;
use sqlx::mysql::{MySql, MySqlConnectOptions, MySqlPool, MySqlPoolOptions};

/// How long an operation waits for a connection (including connecting to a server that is down)
/// before it fails.
pub(crate) const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// The most connections the pool opens: plenty for session lookups, which take a millisecond.
pub(crate) const MAX_CONNECTIONS: u32 = 10;

/// Connections are closed after this long idle, well before a server's `wait_timeout` (8 hours
/// by default) would drop them.
const IDLE_TIMEOUT: Duration = Duration::from_secs(300);

/// Opens a pool on `url`, connecting once to prove the server is there.
///
/// Errors name the host, port and database, never the URL (it may hold a password).
pub(crate) async fn open(url: &str) -> Result<MySqlPool, SessionError> {
    let options = parse(url)?;
    let location = format!(
        "{}:{}/{}",
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap_or_default()
    );
    MySqlPoolOptions::new()
        .max_connections(MAX_CONNECTIONS)
        .min_connections(0)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .idle_timeout(IDLE_TIMEOUT)
        .connect_with(options)
        .await
        .map_err(|e| SessionError::backend(format!("connect to MySQL at {location}"), e))
}

fn parse(url: &str) -> Result<MySqlConnectOptions, SessionError> {
    let scheme = url.split_once("://").map_or("", |(scheme, _)| scheme);
    if !MySql::URL_SCHEMES.contains(&scheme) {
        return Err(SessionError::configuration(
            "a MySQL URL starts with mysql:// or mariadb://",
        ));
    }
    MySqlConnectOptions::from_str(url)
        .map_err(|e| SessionError::configuration(format!("invalid MySQL URL: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_mysql_urls_only() {
        for good in [
            "mysql://root@localhost/test",
            "mariadb://app:pw@db.example:3307/sessions?ssl-mode=required",
        ] {
            assert!(parse(good).is_ok(), "{good}");
        }
        for bad in ["postgres://app@localhost/app", "localhost", "", "mysql:/x"] {
            assert!(
                matches!(parse(bad), Err(SessionError::InvalidConfiguration { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_configuration_error_does_not_repeat_the_url() {
        let error = parse("mysql://user:se cret@[bad/x").unwrap_err();
        assert!(!error.to_string().contains("se cret"), "{error}");
    }
}
