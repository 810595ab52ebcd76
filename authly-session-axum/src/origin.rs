//! The CSRF guard: which state-changing requests a browser sent on another site's behalf.
//!
//! A request with a method other than GET, HEAD, OPTIONS or TRACE passes when:
//! - `Sec-Fetch-Site` is `same-origin` or `none` (the user typed the URL or used a bookmark);
//! - otherwise (`cross-site`, `same-site`, anything else, or absent), when `Origin` is the
//!   request's own origin or on the allowlist; a sibling subdomain (`same-site`) is thus refused
//!   unless allowlisted;
//! - with neither header, it passes: that is not a browser (every current browser sends
//!   `Origin` on cross-origin POSTs), and a non-browser client carries no victim's cookie.

use http::header::{HOST, ORIGIN};
use http::{HeaderMap, Method, Uri};

use crate::SessionConfig;

/// Whether a request may reach the handlers.
pub(crate) fn request_allowed(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    config: &SessionConfig,
) -> bool {
    if matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    ) {
        return true;
    }
    let fetch_site = headers.get("sec-fetch-site").map(|v| v.as_bytes());
    if matches!(fetch_site, Some(b"same-origin" | b"none")) {
        return true;
    }
    let Some(origin) = headers.get(ORIGIN) else {
        return fetch_site.is_none();
    };
    let Some(origin) = origin.to_str().ok().and_then(normalize_origin) else {
        return false; // `null` (sandboxed frames, some redirects) and garbage
    };
    if config.allowed_origins.contains(&origin) {
        return true;
    }
    request_origin(uri, headers, config).is_some_and(|own| own.matches(&origin))
}

/// `scheme://host[:port]` in lowercase, without the scheme's default port; `None` for anything
/// that is not an origin.
pub(crate) fn normalize_origin(origin: &str) -> Option<String> {
    let uri: Uri = origin.trim().parse().ok()?;
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let authority = uri.authority()?;
    let host = authority.host().to_ascii_lowercase();
    if host.is_empty() || (uri.path() != "/" && !uri.path().is_empty()) {
        return None;
    }
    Some(match authority.port_u16() {
        Some(port) if Some(port) != default_port(&scheme) => format!("{scheme}://{host}:{port}"),
        _ => format!("{scheme}://{host}"),
    })
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "https" => Some(443),
        "http" => Some(80),
        _ => None,
    }
}

/// Where the request was sent: host and port from the URI (HTTP/2) or `Host`, and the scheme
/// when it is known.
struct RequestOrigin {
    scheme: Option<String>,
    host: String,
    port: Option<u16>,
}

impl RequestOrigin {
    /// Whether `origin` (normalized) names this place. An unknown request scheme matches
    /// either scheme (behind a TLS-terminating proxy the app sees plain http).
    fn matches(&self, origin: &str) -> bool {
        let Some((scheme, _)) = origin.split_once("://") else {
            return false;
        };
        if self.scheme.as_deref().is_some_and(|own| own != scheme) {
            return false;
        }
        let port = self.port.filter(|port| Some(*port) != default_port(scheme));
        let own = match port {
            Some(port) => format!("{scheme}://{}:{port}", self.host),
            None => format!("{scheme}://{}", self.host),
        };
        own == origin
    }
}

fn request_origin(uri: &Uri, headers: &HeaderMap, config: &SessionConfig) -> Option<RequestOrigin> {
    let forwarded_proto = config
        .trust_proxy_headers
        .then(|| headers.get("x-forwarded-proto"))
        .flatten()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().to_ascii_lowercase());
    let scheme = forwarded_proto.or_else(|| uri.scheme_str().map(str::to_ascii_lowercase));
    let authority = match uri.authority() {
        Some(authority) => authority.clone(),
        None => headers.get(HOST)?.to_str().ok()?.parse().ok()?,
    };
    Some(RequestOrigin {
        scheme,
        host: authority.host().to_ascii_lowercase(),
        port: authority.port_u16(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_origins() {
        assert_eq!(
            normalize_origin("HTTPS://Example.COM:443").as_deref(),
            Some("https://example.com")
        );
        assert_eq!(
            normalize_origin("http://localhost:3000").as_deref(),
            Some("http://localhost:3000")
        );
        assert_eq!(normalize_origin("null"), None);
        assert_eq!(normalize_origin("https://example.com/path"), None);
    }

    fn allowed(method: Method, headers: &[(&'static str, &'static str)]) -> bool {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, http::HeaderValue::from_static(value));
        }
        let config = SessionConfig::default().allow_origin("https://friend.example");
        request_allowed(&method, &Uri::from_static("/x"), &map, &config)
    }

    #[test]
    fn decides_like_the_module_doc_says() {
        let host = ("host", "app.example");
        assert!(allowed(Method::GET, &[("sec-fetch-site", "cross-site")]));
        assert!(allowed(Method::POST, &[("sec-fetch-site", "same-origin")]));
        assert!(allowed(Method::POST, &[("sec-fetch-site", "none")]));
        assert!(allowed(Method::POST, &[]));
        assert!(!allowed(Method::POST, &[("sec-fetch-site", "cross-site")]));
        assert!(!allowed(
            Method::DELETE,
            &[host, ("origin", "https://evil.example")]
        ));
        assert!(allowed(
            Method::PUT,
            &[host, ("origin", "https://app.example")]
        ));
        assert!(!allowed(Method::PATCH, &[host, ("origin", "null")]));
        let friend = ("origin", "https://friend.example");
        assert!(allowed(
            Method::POST,
            &[host, ("sec-fetch-site", "cross-site"), friend]
        ));
        let sibling = ("origin", "https://other.app.example");
        assert!(!allowed(
            Method::POST,
            &[host, ("sec-fetch-site", "same-site"), sibling]
        ));
    }
}
