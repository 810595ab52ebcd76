//! Opening a server database's pool the way a session store needs it.

use std::str::FromStr;
use std::time::Duration;

use authly_session::SessionError;
use authly_session::store_kit::OperationTimeout;
use sqlx::pool::PoolOptions;
use sqlx::{Connection, Database, Pool};

/// How long an operation waits for a connection (including connecting to a server that is down)
/// before it fails.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// How long the server may spend on one statement of a pool the store opened, or wait for a
/// lock: the store's default timeout. A statement that an operation's timeout abandoned ends by
/// then on the server too, instead of holding a server connection and its locks.
pub const SERVER_STATEMENT_LIMIT: Duration = OperationTimeout::DEFAULT.get();

/// The most connections a store's own pool opens: plenty for session lookups.
const MAX_CONNECTIONS: u32 = 10;

/// Connections are closed after this long idle, so a quiet app does not pin server slots (and
/// well before MySQL's `wait_timeout` would drop them).
const IDLE_TIMEOUT: Duration = Duration::from_secs(300);

/// The connect options of database `DB`.
pub type Options<DB> = <<DB as Database>::Connection as Connection>::Options;

/// Parses `url` as a URL of database `DB` (named `name` in messages): its scheme must be one of
/// `DB`'s. The error never repeats the URL, which may hold a password.
///
/// # Errors
///
/// [`SessionError::InvalidConfiguration`] for another scheme or a malformed URL.
pub fn parse_url<DB: Database>(url: &str, name: &str) -> Result<Options<DB>, SessionError>
where
    Options<DB>: FromStr<Err = sqlx::Error>,
{
    let scheme = url.split_once("://").map_or("", |(scheme, _)| scheme);
    if !DB::URL_SCHEMES.contains(&scheme) {
        let schemes = DB::URL_SCHEMES
            .iter()
            .map(|s| format!("{s}://"))
            .collect::<Vec<_>>()
            .join(" or ");
        return Err(SessionError::configuration(format!(
            "a {name} URL starts with {schemes}"
        )));
    }
    Options::<DB>::from_str(url)
        .map_err(|e| SessionError::configuration(format!("invalid {name} URL: {e}")))
}

/// Where a server's connect options point, for messages: `host:port/database`, never a password.
///
/// # Examples
///
/// ```
/// assert_eq!(authly_session_sql::pool::server_location("db", 5432, Some("app")), "db:5432/app");
/// ```
pub fn server_location(host: &str, port: u16, database: Option<&str>) -> String {
    format!("{host}:{port}/{}", database.unwrap_or_default())
}

/// Opens a pool on `url` (at most 10 connections, a 5 s acquire timeout), connecting once to
/// prove the server is there. `location` says where the options point (host, port, database)
/// for the error message, which never holds the URL.
///
/// # Errors
///
/// As [`parse_url`], and [`SessionError::Backend`] when the server cannot be reached.
pub async fn open_pool<DB: Database>(
    url: &str,
    name: &str,
    location: impl FnOnce(&Options<DB>) -> String,
) -> Result<Pool<DB>, SessionError>
where
    Options<DB>: FromStr<Err = sqlx::Error>,
{
    open_pool_with(url, name, location, |options| options, |pool| pool).await
}

/// [`open_pool`], with the dialect's own settings: `options` adjusts the parsed connect options
/// (e.g. server parameters sent at connect), `pool` the pool's (e.g. an `after_connect` hook).
///
/// # Errors
///
/// As [`open_pool`].
///
/// # Examples
///
/// ```no_run
/// # async fn demo() -> Result<(), authly_session::SessionError> {
/// use authly_session_sql::pool::{open_pool_with, server_location};
/// use sqlx::postgres::Postgres;
/// let pool = open_pool_with::<Postgres>(
///     "postgres://app@localhost/app",
///     "PostgreSQL",
///     |o| server_location(o.get_host(), o.get_port(), o.get_database()),
///     |options| options.options([("lock_timeout", "10s")]),
///     |pool| pool,
/// )
/// .await?;
/// # Ok(()) }
/// ```
pub async fn open_pool_with<DB: Database>(
    url: &str,
    name: &str,
    location: impl FnOnce(&Options<DB>) -> String,
    options: impl FnOnce(Options<DB>) -> Options<DB>,
    pool: impl FnOnce(PoolOptions<DB>) -> PoolOptions<DB>,
) -> Result<Pool<DB>, SessionError>
where
    Options<DB>: FromStr<Err = sqlx::Error>,
{
    let options = options(parse_url::<DB>(url, name)?);
    let location = location(&options);
    pool(PoolOptions::<DB>::new())
        .max_connections(MAX_CONNECTIONS)
        .min_connections(0)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .idle_timeout(IDLE_TIMEOUT)
        .connect_with(options)
        .await
        .map_err(|e| SessionError::backend(format!("connect to {name} at {location}"), e))
}

#[cfg(test)]
mod tests {
    use sqlx::{MySql, Postgres};

    use super::*;

    /// `url` parsed as a URL of `DB`: whether it was accepted, and the error text if not.
    fn parse<DB: Database>(url: &str) -> Result<(), SessionError>
    where
        Options<DB>: FromStr<Err = sqlx::Error>,
    {
        parse_url::<DB>(url, "the database").map(drop)
    }

    #[test]
    fn each_database_accepts_its_own_urls_only() {
        for good in [
            "postgres://app@localhost/app",
            "postgresql://app:pw@db.example:6543/sessions?sslmode=require",
        ] {
            assert!(parse::<Postgres>(good).is_ok(), "{good}");
            assert!(parse::<MySql>(good).is_err(), "{good}");
        }
        for good in [
            "mysql://root@localhost/test",
            "mariadb://app:pw@db.example:3307/sessions?ssl-mode=required",
        ] {
            assert!(parse::<MySql>(good).is_ok(), "{good}");
            assert!(parse::<Postgres>(good).is_err(), "{good}");
        }
        for bad in ["localhost", "", "postgres:/x", "mysql:/x"] {
            for result in [parse::<Postgres>(bad), parse::<MySql>(bad)] {
                assert!(
                    matches!(result, Err(SessionError::InvalidConfiguration { .. })),
                    "{bad}: {result:?}"
                );
            }
        }
    }

    #[test]
    fn a_configuration_error_does_not_repeat_the_url() {
        for error in [
            parse::<Postgres>("postgres://user:se cret@[bad/x").unwrap_err(),
            parse::<MySql>("mysql://user:se cret@[bad/x").unwrap_err(),
        ] {
            assert!(!error.to_string().contains("se cret"), "{error}");
        }
    }
}
