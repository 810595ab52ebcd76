//! axum integration for [`authly_session`]: a tower layer that loads, renews and ends sessions
//! and guards against CSRF, and extractors that sign users in and out.
//!
//! - [`SessionLayer`] (configured by [`SessionConfig`]) reads the session cookie, loads the
//!   session from any [`SessionStore`](authly_session::SessionStore), ends it past its absolute
//!   lifetime, renews it through `touch_session` when due, refuses cross-site state-changing
//!   requests with 403, and answers 503 (fail closed) when the store fails;
//! - [`CurrentSession`] gives a handler the live session or `None`, [`RequireSession`] refuses
//!   with 401 without one, and [`SessionControl`] signs in, out, out everywhere or out of one
//!   device, lists the user's [`Device`]s and changes the identity.
//!
//! Cookies are written by the `cookie` crate with hardened defaults (`__Host-` prefix, `Secure`,
//! `HttpOnly`, `SameSite=Lax`, `Path=/`, no `Domain`).
//!
//! # The CSRF guard
//!
//! A request whose method is not GET, HEAD, OPTIONS or TRACE is refused with 403 before any
//! handler runs unless `Sec-Fetch-Site` is `same-origin` or `none`, or its `Origin` is the
//! request's own (scheme, host and port from the URI or `Host`; `X-Forwarded-Proto` only with
//! [`SessionConfig::trust_proxy_headers`]) or on the allowlist
//! ([`SessionConfig::allow_origin`]). `same-site` requests (a sibling subdomain) are refused
//! unless allowlisted. A request with neither header passes: it does not come from a browser.
//!
//! # Examples
//!
//! ```
//! use authly_session::{Identity, testing::MemoryStore};
//! use authly_session_axum::{CurrentSession, SessionControl, SessionLayer, SessionRejection};
//! use axum::{Router, routing::{get, post}};
//!
//! async fn home(CurrentSession(session): CurrentSession) -> String {
//!     session.map_or("signed out".into(), |s| format!("hello, {}", s.identity.external_id))
//! }
//! async fn sign_in(control: SessionControl) -> Result<&'static str, SessionRejection> {
//!     control.sign_in(Identity::new("password", "alice")).await?;
//!     Ok("signed in")
//! }
//! let app: Router = Router::new()
//!     .route("/", get(home))
//!     .route("/sign-in", post(sign_in))
//!     .layer(SessionLayer::new(MemoryStore::new()));
//! ```

mod config;
mod control;
mod cookies;
mod device;
mod extract;
mod layer;
mod origin;
mod rejection;
mod state;

pub use config::{DEFAULT_COOKIE_NAME, DEVELOPMENT_COOKIE_NAME, SameSite, SessionConfig};
pub use control::{DEVICE_KEY, IP_KEY, SessionControl};
pub use device::{Device, device_label};
pub use extract::{CurrentSession, RequireSession};
pub use layer::{SessionLayer, SessionService};
pub use rejection::{
    CROSS_SITE_REFUSED_BODY, SIGN_IN_REQUIRED_BODY, STORE_UNAVAILABLE_BODY, SessionRejection,
};

/// The README's examples, compiled as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
