//! Reading and writing the session cookie, through the `cookie` crate.

use chrono::{DateTime, Utc};
use cookie::Cookie;
use http::header::{COOKIE, SET_COOKIE};
use http::{HeaderMap, HeaderValue};

use crate::{SameSite, SessionConfig};

/// The session id from the request's `Cookie` headers: the first cookie with the configured
/// name. Not validated here: stores treat malformed ids as unknown.
pub(crate) fn session_id(headers: &HeaderMap, config: &SessionConfig) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| Cookie::split_parse(value).filter_map(Result::ok))
        .find(|cookie| cookie.name() == config.cookie_name)
        .map(|cookie| cookie.value().to_owned())
        .filter(|id| !id.is_empty())
}

/// What the response must tell the browser about its cookie.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CookieUpdate {
    /// Nothing: the cookie is right as it is.
    Keep,
    /// Set the cookie to the current session (sign-in, renewal).
    Set,
    /// Remove the cookie (sign-out, ended session).
    Remove,
}

/// The `Set-Cookie` header for `id`, living until `expires_at` (rounded up to the second: the
/// browser may keep the cookie a moment longer, never drop it before the session ends).
fn set_cookie(config: &SessionConfig, id: &str, expires_at: DateTime<Utc>) -> String {
    let millis = (expires_at - Utc::now()).num_milliseconds().max(0);
    let seconds = millis.saturating_add(999) / 1000;
    let mut cookie = base(config, id.to_owned());
    cookie.set_max_age(cookie::time::Duration::seconds(seconds));
    cookie.to_string()
}

/// The `Set-Cookie` header that makes the browser drop the cookie.
fn removal_cookie(config: &SessionConfig) -> String {
    let mut cookie = base(config, String::new());
    cookie.make_removal();
    cookie.to_string()
}

fn base(config: &SessionConfig, value: String) -> Cookie<'static> {
    let mut cookie = Cookie::new(config.cookie_name.clone(), value);
    cookie.set_path(config.path.clone());
    cookie.set_secure(config.secure);
    cookie.set_http_only(config.http_only);
    cookie.set_same_site(match config.same_site {
        SameSite::Strict => cookie::SameSite::Strict,
        SameSite::Lax => cookie::SameSite::Lax,
        SameSite::None => cookie::SameSite::None,
    });
    if let Some(domain) = &config.domain {
        cookie.set_domain(domain.clone());
    }
    cookie
}

/// Appends the `Set-Cookie` header `update` calls for (the handler's own cookies stay).
pub(crate) fn apply(
    headers: &mut HeaderMap,
    config: &SessionConfig,
    update: CookieUpdate,
    session: Option<(&str, DateTime<Utc>)>,
) {
    let value = match (update, session) {
        (CookieUpdate::Keep, _) => return,
        (CookieUpdate::Set, Some((id, expires_at))) => set_cookie(config, id, expires_at),
        (CookieUpdate::Set | CookieUpdate::Remove, _) => removal_cookie(config),
    };
    match HeaderValue::try_from(value) {
        Ok(value) => {
            headers.append(SET_COOKIE, value);
        }
        Err(_) => tracing::error!(
            cookie_name = %config.cookie_name,
            "the session cookie is not a valid header value; check the configured cookie name"
        ),
    }
}
