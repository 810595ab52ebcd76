//! What the layer does, and the cookie it does it with.

use chrono::Duration;

use crate::origin::normalize_origin;

/// The `SameSite` attribute of the session cookie: whether browsers send it on requests that
/// other sites start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SameSite {
    /// Sent only on requests from this site.
    Strict,
    /// Also sent on top-level navigations from other sites (following a link), not on their
    /// POSTs, images or frames. The default.
    Lax,
    /// Sent on every request; browsers then require `Secure`.
    None,
}

/// How the [`SessionLayer`](crate::SessionLayer) names, guards and ends sessions.
///
/// The defaults are for production over HTTPS: the cookie is `__Host-authly_session` with
/// `Secure`, `HttpOnly`, `SameSite=Lax`, `Path=/` and no `Domain`; sessions end after 8 hours
/// without a request and 30 days after sign-in whatever the activity. For plain-http development
/// use [`SessionConfig::insecure_for_local_development`].
///
/// # Examples
///
/// ```
/// use authly_session_axum::SessionConfig;
/// let config = SessionConfig::default()
///     .idle_timeout(chrono::Duration::hours(1))
///     .max_sessions_per_identity(Some(5))
///     .allow_origin("https://admin.example.com");
/// assert_eq!(config.cookie_name_str(), "__Host-authly_session");
/// ```
#[derive(Clone, Debug)]
pub struct SessionConfig {
    pub(crate) cookie_name: String,
    pub(crate) secure: bool,
    pub(crate) http_only: bool,
    pub(crate) same_site: SameSite,
    pub(crate) path: String,
    pub(crate) domain: Option<String>,
    pub(crate) idle_timeout: Duration,
    pub(crate) touch_interval: Duration,
    pub(crate) absolute_lifetime: Duration,
    pub(crate) max_sessions_per_identity: Option<usize>,
    pub(crate) record_ip: bool,
    pub(crate) trust_proxy_headers: bool,
    pub(crate) allowed_origins: Vec<String>,
}

/// The default cookie name: `__Host-` makes browsers refuse it unless it is `Secure`, has
/// `Path=/` and no `Domain`, so a sibling subdomain cannot plant or overwrite it.
pub const DEFAULT_COOKIE_NAME: &str = "__Host-authly_session";

/// The cookie name [`SessionConfig::insecure_for_local_development`] uses (no prefix, which
/// browsers would refuse without `Secure`).
pub const DEVELOPMENT_COOKIE_NAME: &str = "authly_session";

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            cookie_name: DEFAULT_COOKIE_NAME.to_owned(),
            secure: true,
            http_only: true,
            same_site: SameSite::Lax,
            path: "/".to_owned(),
            domain: None,
            idle_timeout: Duration::hours(8),
            touch_interval: Duration::minutes(5),
            absolute_lifetime: Duration::days(30),
            max_sessions_per_identity: None,
            record_ip: false,
            trust_proxy_headers: false,
            allowed_origins: Vec::new(),
        }
    }
}

impl SessionConfig {
    /// The defaults, for plain `http://` during development: drops `Secure` (browsers do not
    /// store `Secure` cookies from plain-http pages, except on `localhost`) and with it the
    /// `__Host-` prefix, which requires `Secure`; the name becomes `authly_session`. Never use it
    /// in production: the cookie then travels unencrypted.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = authly_session_axum::SessionConfig::insecure_for_local_development();
    /// assert_eq!(config.cookie_name_str(), "authly_session");
    /// ```
    pub fn insecure_for_local_development() -> Self {
        SessionConfig {
            cookie_name: DEVELOPMENT_COOKIE_NAME.to_owned(),
            secure: false,
            ..SessionConfig::default()
        }
    }

    /// The cookie's name. Keep the `__Host-` prefix in production; a name with it only works
    /// with `Secure`, `Path=/` and no `Domain`.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = authly_session_axum::SessionConfig::default().cookie_name("__Host-sid");
    /// assert_eq!(config.cookie_name_str(), "__Host-sid");
    /// ```
    #[must_use]
    pub fn cookie_name(mut self, name: impl Into<String>) -> Self {
        self.cookie_name = name.into();
        self
    }

    /// The cookie's name as configured.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = authly_session_axum::SessionConfig::default();
    /// assert_eq!(config.cookie_name_str(), "__Host-authly_session");
    /// ```
    pub fn cookie_name_str(&self) -> &str {
        &self.cookie_name
    }

    /// Whether the cookie is `Secure` (sent over HTTPS only). Default `true`.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = authly_session_axum::SessionConfig::default().secure(true);
    /// # drop(config);
    /// ```
    #[must_use]
    pub fn secure(mut self, secure: bool) -> Self {
        self.secure = secure;
        self
    }

    /// Whether the cookie is `HttpOnly` (hidden from page scripts). Default `true`.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = authly_session_axum::SessionConfig::default().http_only(true);
    /// # drop(config);
    /// ```
    #[must_use]
    pub fn http_only(mut self, http_only: bool) -> Self {
        self.http_only = http_only;
        self
    }

    /// The cookie's `SameSite` attribute. Default [`SameSite::Lax`].
    ///
    /// # Examples
    ///
    /// ```
    /// use authly_session_axum::{SameSite, SessionConfig};
    /// let config = SessionConfig::default().same_site(SameSite::Strict);
    /// # drop(config);
    /// ```
    #[must_use]
    pub fn same_site(mut self, same_site: SameSite) -> Self {
        self.same_site = same_site;
        self
    }

    /// The cookie's `Path`. Default `/` (required by the `__Host-` prefix).
    ///
    /// # Examples
    ///
    /// ```
    /// let config = authly_session_axum::SessionConfig::insecure_for_local_development().path("/app");
    /// # drop(config);
    /// ```
    #[must_use]
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// The cookie's `Domain`, which also sends it to every subdomain. Default none (this host
    /// only; required by the `__Host-` prefix).
    ///
    /// # Examples
    ///
    /// ```
    /// let config = authly_session_axum::SessionConfig::default()
    ///     .cookie_name("__Secure-authly_session")
    ///     .domain(Some("example.com".to_owned()));
    /// # drop(config);
    /// ```
    #[must_use]
    pub fn domain(mut self, domain: Option<String>) -> Self {
        self.domain = domain;
        self
    }

    /// How long a session lives without requests. Each request that finds less than half of it
    /// left, or a `last_seen_at` older than [`touch_interval`](Self::touch_interval), renews it
    /// through `touch_session`. Default 8 hours.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = authly_session_axum::SessionConfig::default()
    ///     .idle_timeout(chrono::Duration::minutes(30));
    /// # drop(config);
    /// ```
    #[must_use]
    pub fn idle_timeout(mut self, idle_timeout: Duration) -> Self {
        self.idle_timeout = idle_timeout;
        self
    }

    /// How stale `last_seen_at` may get before a request renews the session anyway (so "last
    /// active" stays accurate to this interval without a write per request). Default 5 minutes.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = authly_session_axum::SessionConfig::default()
    ///     .touch_interval(chrono::Duration::minutes(1));
    /// # drop(config);
    /// ```
    #[must_use]
    pub fn touch_interval(mut self, touch_interval: Duration) -> Self {
        self.touch_interval = touch_interval;
        self
    }

    /// How long after sign-in (`created_at`) a session ends whatever the activity: the next
    /// request deletes it and removes the cookie, and renewals never reach past it. Default 30
    /// days.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = authly_session_axum::SessionConfig::default()
    ///     .absolute_lifetime(chrono::Duration::days(7));
    /// # drop(config);
    /// ```
    #[must_use]
    pub fn absolute_lifetime(mut self, absolute_lifetime: Duration) -> Self {
        self.absolute_lifetime = absolute_lifetime;
        self
    }

    /// At most this many sessions per identity: a sign-in beyond it ends the least recently seen
    /// other sessions. `Some(0)` acts as `Some(1)` (the new session always stays). Default
    /// `None` (no cap).
    ///
    /// # Examples
    ///
    /// ```
    /// let config = authly_session_axum::SessionConfig::default().max_sessions_per_identity(Some(3));
    /// # drop(config);
    /// ```
    #[must_use]
    pub fn max_sessions_per_identity(mut self, max: Option<usize>) -> Self {
        self.max_sessions_per_identity = max;
        self
    }

    /// Whether sign-in records the client's IP address as the `ip` metadata entry. Default
    /// `false` (an IP address is personal data). The address is the TCP peer from axum's
    /// `ConnectInfo<SocketAddr>` (serve with `into_make_service_with_connect_info`; feature
    /// `connect-info`), or, with [`trust_proxy_headers`](Self::trust_proxy_headers), the last
    /// `X-Forwarded-For` entry.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = authly_session_axum::SessionConfig::default().record_ip(true);
    /// # drop(config);
    /// ```
    #[must_use]
    pub fn record_ip(mut self, record_ip: bool) -> Self {
        self.record_ip = record_ip;
        self
    }

    /// Whether to believe `X-Forwarded-Proto` (the scheme the CSRF guard compares `Origin`
    /// with) and `X-Forwarded-For` (its last entry is the recorded IP). Default `false`. Turn it
    /// on only behind a reverse proxy you run that sets both headers, overwriting what clients
    /// send; otherwise any client can forge them.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = authly_session_axum::SessionConfig::default().trust_proxy_headers(true);
    /// # drop(config);
    /// ```
    #[must_use]
    pub fn trust_proxy_headers(mut self, trust: bool) -> Self {
        self.trust_proxy_headers = trust;
        self
    }

    /// Lets state-changing requests from this origin (`scheme://host[:port]`, for example
    /// `https://admin.example.com`) past the CSRF guard, besides the request's own origin.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = authly_session_axum::SessionConfig::default()
    ///     .allow_origin("https://admin.example.com")
    ///     .allow_origin("https://partner.example:8443");
    /// # drop(config);
    /// ```
    #[must_use]
    pub fn allow_origin(mut self, origin: impl AsRef<str>) -> Self {
        let origin = origin.as_ref();
        let normalized = normalize_origin(origin).unwrap_or_else(|| origin.to_ascii_lowercase());
        self.allowed_origins.push(normalized);
        self
    }

    /// The expiry a session gets when it is created or renewed at `now`: `idle_timeout` from now,
    /// never past `created_at + absolute_lifetime`.
    pub(crate) fn renewed_expiry(
        &self,
        created_at: chrono::DateTime<chrono::Utc>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> chrono::DateTime<chrono::Utc> {
        let latest = authly_session::store_kit::max_expiry();
        let idle_end = now.checked_add_signed(self.idle_timeout).unwrap_or(latest);
        let absolute_end = self.absolute_end(created_at).unwrap_or(latest);
        idle_end.min(absolute_end).min(latest)
    }

    /// When a session created at `created_at` ends whatever its activity; `None` when that is
    /// past the end of representable time.
    pub(crate) fn absolute_end(
        &self,
        created_at: chrono::DateTime<chrono::Utc>,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        created_at.checked_add_signed(self.absolute_lifetime)
    }
}
