//! The tower layer: CSRF guard, session loading and renewal, `Set-Cookie`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use authly_session::SessionStore;
use axum::body::Body;
use axum::response::Response;
use http::{HeaderMap, Request};
use tower_layer::Layer;
use tower_service::Service;

use crate::SessionConfig;
use crate::rejection::{cross_site_refused, store_unavailable};
use crate::state::{RequestState, Shared};

/// Puts the session named by the request's cookie within reach of the extractors
/// ([`CurrentSession`](crate::CurrentSession), [`RequireSession`](crate::RequireSession),
/// [`SessionControl`](crate::SessionControl)), and guards state-changing requests against CSRF.
///
/// Per request, before any handler runs:
/// 1. a POST, PUT, PATCH, DELETE (any method but GET, HEAD, OPTIONS, TRACE) that a browser
///    marks as sent from another site is refused with 403, signed in or not (see
///    [`SessionConfig::allow_origin`] and the crate docs for the exact rule);
/// 2. the cookie's session is loaded; past its absolute lifetime it is deleted and the cookie
///    removed; with less than half its idle timeout left, or `last_seen_at` older than the touch
///    interval, it is renewed through `touch_session` and the cookie refreshed;
/// 3. a store failure answers 503 with a fixed body, logged without the id (fail closed).
///
/// After the handler, the layer appends the `Set-Cookie` header that a sign-in, sign-out or
/// renewal calls for.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use authly_session::{SessionStore, testing::MemoryStore};
/// use authly_session_axum::{CurrentSession, SessionConfig, SessionLayer};
/// use axum::{Router, routing::get};
///
/// let store: Arc<dyn SessionStore> = Arc::new(MemoryStore::new());
/// let app: Router = Router::new()
///     .route("/", get(|CurrentSession(session): CurrentSession| async move {
///         if session.is_some() { "welcome back" } else { "hello, stranger" }
///     }))
///     .layer(SessionLayer::new(store).with_config(SessionConfig::default()));
/// ```
#[derive(Clone)]
pub struct SessionLayer {
    shared: Arc<Shared>,
}

impl SessionLayer {
    /// A layer keeping sessions in `store` (any [`SessionStore`], `Arc<dyn SessionStore>`
    /// included), with the default [`SessionConfig`].
    ///
    /// # Examples
    ///
    /// ```
    /// use authly_session::testing::MemoryStore;
    /// let layer = authly_session_axum::SessionLayer::new(MemoryStore::new());
    /// assert_eq!(layer.config().cookie_name_str(), "__Host-authly_session");
    /// ```
    pub fn new(store: impl SessionStore) -> Self {
        SessionLayer {
            shared: Arc::new(Shared {
                store: Arc::new(store),
                config: SessionConfig::default(),
            }),
        }
    }

    /// This layer with `config` in place of its configuration.
    ///
    /// # Examples
    ///
    /// ```
    /// use authly_session::testing::MemoryStore;
    /// use authly_session_axum::{SessionConfig, SessionLayer};
    /// let layer = SessionLayer::new(MemoryStore::new())
    ///     .with_config(SessionConfig::insecure_for_local_development());
    /// assert_eq!(layer.config().cookie_name_str(), "authly_session");
    /// ```
    #[must_use]
    pub fn with_config(self, config: SessionConfig) -> Self {
        let shared = Shared {
            store: self.shared.store.clone(),
            config,
        };
        SessionLayer {
            shared: Arc::new(shared),
        }
    }

    /// The configuration in use.
    ///
    /// # Examples
    ///
    /// ```
    /// use authly_session::testing::MemoryStore;
    /// let layer = authly_session_axum::SessionLayer::new(MemoryStore::new());
    /// assert_eq!(layer.config().cookie_name_str(), "__Host-authly_session");
    /// ```
    pub fn config(&self) -> &SessionConfig {
        &self.shared.config
    }

    /// Shortcut for [`SessionConfig::idle_timeout`].
    ///
    /// # Examples
    ///
    /// ```
    /// use authly_session::testing::MemoryStore;
    /// let layer = authly_session_axum::SessionLayer::new(MemoryStore::new())
    ///     .idle_timeout(chrono::Duration::minutes(30));
    /// # drop(layer);
    /// ```
    #[must_use]
    pub fn idle_timeout(self, idle_timeout: chrono::Duration) -> Self {
        let config = self.config().clone().idle_timeout(idle_timeout);
        self.with_config(config)
    }

    /// Shortcut for [`SessionConfig::absolute_lifetime`].
    ///
    /// # Examples
    ///
    /// ```
    /// use authly_session::testing::MemoryStore;
    /// let layer = authly_session_axum::SessionLayer::new(MemoryStore::new())
    ///     .absolute_lifetime(chrono::Duration::days(7));
    /// # drop(layer);
    /// ```
    #[must_use]
    pub fn absolute_lifetime(self, absolute_lifetime: chrono::Duration) -> Self {
        let config = self.config().clone().absolute_lifetime(absolute_lifetime);
        self.with_config(config)
    }

    /// Shortcut for [`SessionConfig::max_sessions_per_identity`].
    ///
    /// # Examples
    ///
    /// ```
    /// use authly_session::testing::MemoryStore;
    /// let layer = authly_session_axum::SessionLayer::new(MemoryStore::new())
    ///     .max_sessions_per_identity(Some(5));
    /// # drop(layer);
    /// ```
    #[must_use]
    pub fn max_sessions_per_identity(self, max: Option<usize>) -> Self {
        let config = self.config().clone().max_sessions_per_identity(max);
        self.with_config(config)
    }

    /// Shortcut for [`SessionConfig::allow_origin`].
    ///
    /// # Examples
    ///
    /// ```
    /// use authly_session::testing::MemoryStore;
    /// let layer = authly_session_axum::SessionLayer::new(MemoryStore::new())
    ///     .allow_origin("https://admin.example.com");
    /// # drop(layer);
    /// ```
    #[must_use]
    pub fn allow_origin(self, origin: impl AsRef<str>) -> Self {
        let config = self.config().clone().allow_origin(origin);
        self.with_config(config)
    }
}

impl fmt::Debug for SessionLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionLayer")
            .field("config", &self.shared.config)
            .finish_non_exhaustive()
    }
}

impl<S> Layer<S> for SessionLayer {
    type Service = SessionService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        SessionService {
            inner,
            shared: self.shared.clone(),
        }
    }
}

/// The service [`SessionLayer`] wraps around an axum router or route.
///
/// # Examples
///
/// ```
/// use authly_session::testing::MemoryStore;
/// use authly_session_axum::{SessionLayer, SessionService};
/// use tower_layer::Layer;
/// let service: SessionService<axum::routing::Router> =
///     SessionLayer::new(MemoryStore::new()).layer(axum::Router::new());
/// # drop(service);
/// ```
#[derive(Clone)]
pub struct SessionService<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S> fmt::Debug for SessionService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionService")
            .field("config", &self.shared.config)
            .finish_non_exhaustive()
    }
}

impl<S, ReqBody> Service<Request<ReqBody>> for SessionService<S>
where
    S: Service<Request<ReqBody>, Response = Response<Body>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    ReqBody: Send + 'static,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        // The clone may not be ready: keep the one that is, as tower requires.
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        let shared = self.shared.clone();
        Box::pin(async move {
            let config = &shared.config;
            if !crate::origin::request_allowed(
                request.method(),
                request.uri(),
                request.headers(),
                config,
            ) {
                return Ok(cross_site_refused());
            }
            let ip = client_ip(&request, config);
            let state = match RequestState::load(shared.clone(), request.headers(), ip).await {
                Ok(state) => state,
                Err(error) => return Ok(store_unavailable(&error)),
            };
            request.extensions_mut().insert(state.clone());
            let mut response = inner.call(request).await?;
            state.write_cookie(response.headers_mut());
            Ok(response)
        })
    }
}

/// The client's address, when the app opted in: the last `X-Forwarded-For` entry behind a
/// trusted proxy, else the TCP peer (feature `connect-info`).
fn client_ip<B>(request: &Request<B>, config: &SessionConfig) -> Option<String> {
    if !config.record_ip {
        return None;
    }
    if config.trust_proxy_headers
        && let Some(ip) = forwarded_for(request.headers())
    {
        return Some(ip);
    }
    peer_ip(request)
}

fn forwarded_for(headers: &HeaderMap) -> Option<String> {
    let last = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .next_back()?;
    let ip: std::net::IpAddr = last.trim().parse().ok()?;
    Some(ip.to_string())
}

#[cfg(feature = "connect-info")]
fn peer_ip<B>(request: &Request<B>) -> Option<String> {
    use axum::extract::ConnectInfo;
    let ConnectInfo(addr) = request
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()?;
    Some(addr.ip().to_string())
}

#[cfg(not(feature = "connect-info"))]
fn peer_ip<B>(_request: &Request<B>) -> Option<String> {
    None
}
