//! The app every test drives, and helpers to send it requests.

use authly_session::{Identity, Session, SessionStore};
use authly_session_axum::{
    CurrentSession, RequireSession, SessionConfig, SessionControl, SessionLayer, SessionRejection,
};
use axum::Router;
use axum::body::Body;
use axum::extract::Path;
use axum::routing::{get, post};
use http::{Request, StatusCode};
use tower::ServiceExt;

/// The host every request is sent to.
pub const HOST: &str = "app.example";
/// A Firefox on Linux `User-Agent`.
pub const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

/// A small app: who am I, sign in as anyone, sign out, devices.
pub fn app(store: impl SessionStore, config: SessionConfig) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/required", get(required))
        .route("/sign-in/{user}", post(sign_in))
        .route("/sign-out", post(sign_out))
        .route("/sign-out-everywhere", post(sign_out_everywhere))
        .route("/devices", get(devices))
        .route("/sign-out-device/{handle}", post(sign_out_device))
        .layer(SessionLayer::new(store).with_config(config))
}

async fn home(CurrentSession(session): CurrentSession) -> String {
    session.map_or("anonymous".to_owned(), |s| s.identity.external_id)
}

async fn required(RequireSession(session): RequireSession) -> String {
    session.identity.external_id
}

async fn sign_in(
    control: SessionControl,
    Path(user): Path<String>,
) -> Result<String, SessionRejection> {
    let session = control.sign_in(Identity::new("test", user)).await?;
    Ok(session.metadata.get("device").cloned().unwrap_or_default())
}

async fn sign_out(control: SessionControl) -> Result<&'static str, SessionRejection> {
    control.sign_out().await?;
    Ok("signed out")
}

async fn sign_out_everywhere(control: SessionControl) -> Result<String, SessionRejection> {
    Ok(control.sign_out_everywhere().await?.to_string())
}

/// One line per device: `handle this_device label`.
async fn devices(control: SessionControl) -> Result<String, SessionRejection> {
    let devices = control.devices().await?;
    let lines: Vec<String> = devices
        .iter()
        .map(|d| format!("{} {} {}", d.info.handle, d.this_device, d.label()))
        .collect();
    Ok(lines.join("\n"))
}

async fn sign_out_device(
    control: SessionControl,
    Path(handle): Path<String>,
) -> Result<&'static str, SessionRejection> {
    control.sign_out_device(&handle).await?;
    Ok("done")
}

/// A request to `HOST` with the session cookie `cookie` (name=value) and extra headers.
pub fn request(
    method: &str,
    uri: &str,
    cookie: Option<&str>,
    headers: &[(&str, &str)],
) -> Request<Body> {
    let mut builder = Request::builder()
        .method(method)
        .uri(uri)
        .header("host", HOST)
        .header("user-agent", FIREFOX);
    if let Some(cookie) = cookie {
        builder = builder.header("cookie", cookie);
    }
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::empty()).expect("a valid request")
}

/// A same-origin POST, as a browser sends it from the app's own page.
pub fn post_same_origin(uri: &str, cookie: Option<&str>) -> Request<Body> {
    request(
        "POST",
        uri,
        cookie,
        &[
            ("sec-fetch-site", "same-origin"),
            ("origin", "https://app.example"),
        ],
    )
}

/// What came back.
pub struct Reply {
    pub status: StatusCode,
    pub set_cookies: Vec<String>,
    pub body: String,
}

impl Reply {
    /// `name=value` of the session cookie this reply sets (not a removal), to send back.
    pub fn session_cookie(&self) -> Option<String> {
        self.set_cookies.iter().find_map(|header| {
            let cookie = cookie::Cookie::parse(header.as_str()).ok()?;
            (!cookie.value().is_empty()).then(|| format!("{}={}", cookie.name(), cookie.value()))
        })
    }

    /// Whether this reply removes the session cookie.
    pub fn removes_cookie(&self) -> bool {
        self.set_cookies.iter().any(|header| {
            cookie::Cookie::parse(header.as_str()).is_ok_and(|c| {
                c.value().is_empty() && c.max_age() == Some(cookie::time::Duration::ZERO)
            })
        })
    }
}

/// Sends `request` through `app`.
pub async fn send(app: &Router, request: Request<Body>) -> Reply {
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let set_cookies = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().expect("ascii").to_owned())
        .collect();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("a body");
    let body = String::from_utf8(bytes.to_vec()).expect("utf-8");
    Reply {
        status,
        set_cookies,
        body,
    }
}

/// Signs `user` in from a browser without a cookie; returns the cookie to send back.
pub async fn signed_in(app: &Router, user: &str) -> String {
    let reply = send(app, post_same_origin(&format!("/sign-in/{user}"), None)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.session_cookie().expect("sign-in sets the cookie")
}

/// The session id inside a `name=value` cookie.
pub fn id_of(cookie: &str) -> &str {
    cookie.split_once('=').expect("name=value").1
}

/// A session of `user` saved straight into `store`, with the given times relative to now.
pub async fn stored_session(
    store: &impl SessionStore,
    user: &str,
    created_ago: chrono::Duration,
    last_seen_ago: chrono::Duration,
    expires_in: chrono::Duration,
) -> Session {
    let now = chrono::Utc::now();
    let mut session = Session::new(Identity::new("test", user), expires_in);
    session.created_at = now - created_ago;
    session.last_seen_at = now - last_seen_ago;
    session.expires_at = now + expires_in;
    store.save_session(&session).await.expect("saved");
    session
}
