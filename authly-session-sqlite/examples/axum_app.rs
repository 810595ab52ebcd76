//! An axum app with sessions in SQLite: sign in, see where you are signed in, sign out one device,
//! this one, or everywhere; sliding expiry, a hardened cookie, a fresh id at sign-in, background
//! cleanup. A demo: any username signs in, no password. No CSRF tokens either, to stay short: a
//! real app adds CSRF protection (SameSite=Lax already keeps the cookie off cross-site POSTs).
//!
//! `cargo run -p authly-session-sqlite --example axum_app`, then open <http://127.0.0.1:3000>
//! (`PORT` picks another port; sessions go to `sessions.db`). The cookie is `Secure`, which
//! browsers send over HTTPS only: `DEMO_INSECURE_COOKIES=1` drops the flag for plain-http use.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use authly_session::{Identity, Session, SessionError, SessionStore, session_handle};
use authly_session_sqlite::SqliteStore;
use axum::extract::{Form, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Router, routing::get, routing::post};
use chrono::Utc;

/// The cookie that carries the session id.
pub const COOKIE: &str = "authly_session";
/// The `provider_id` of every demo identity; the username is the `external_id`.
pub const PROVIDER: &str = "demo";

/// What the app needs besides the store.
#[derive(Clone)]
pub struct Config {
    /// How long a session lives after sign-in or after its last sliding renewal.
    pub lifetime: chrono::Duration,
    /// Mark the cookie `Secure` (sent over HTTPS only).
    pub secure_cookies: bool,
}

#[derive(Clone)]
struct AppState {
    store: SqliteStore,
    config: Config,
}

/// The signed-in user's session, if the request's cookie names a live one.
type User = Option<Extension<Session>>;
/// What a handler returns: a page, a redirect, or a store failure.
type Page = Result<Response, AppError>;
/// The fields of a posted form.
type Fields = HashMap<String, String>;

/// The whole app; `main` serves it, and so does the integration test.
pub fn app(store: SqliteStore, config: Config) -> Router {
    let state = AppState { store, config };
    Router::new()
        .route("/", get(home))
        .route("/sessions", get(sessions))
        .route("/sign-in", post(sign_in))
        .route("/sign-out", post(sign_out))
        .route("/sign-out-device", post(sign_out_device))
        .route("/sign-out-everywhere", post(sign_out_everywhere))
        .layer(middleware::from_fn_with_state(state.clone(), load_session))
        .with_state(state)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().init();
    let port: u16 = std::env::var("PORT").map_or(Ok(3000), |p| p.parse())?;
    let config = Config {
        lifetime: chrono::Duration::minutes(30),
        secure_cookies: std::env::var("DEMO_INSECURE_COOKIES").as_deref() != Ok("1"),
    };
    let store = SqliteStore::connect("sqlite://sessions.db").await?;
    store.migrate().await?;
    let _cleanup = authly_session::spawn_cleanup(Arc::new(store.clone()), Duration::from_secs(60));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    tracing::info!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app(store, config))
        .with_graceful_shutdown(async { _ = tokio::signal::ctrl_c().await })
        .await?;
    Ok(())
}

/// Runs before every handler: puts the session named by the cookie into the request (a missing,
/// garbage or expired cookie just means "not signed in"), and slides its expiry: with less than
/// half its lifetime left, the session is touched (not rewritten) and the cookie renewed.
async fn load_session(State(state): State<AppState>, mut request: Request, next: Next) -> Page {
    let mut renewed = None;
    if let Some(id) = cookie_id(request.headers())
        && let Some(mut session) = state.store.load_session(&id).await?
    {
        let lifetime = state.config.lifetime;
        let expires_at = Utc::now() + lifetime;
        if session.expires_at - Utc::now() < lifetime / 2
            && state.store.touch_session(&id, expires_at).await?
        {
            session.expires_at = expires_at;
            renewed = Some(cookie(&state.config, &id, lifetime.num_seconds()));
        }
        request.extensions_mut().insert(session);
    }
    let mut response = next.run(request).await;
    // A handler that set the cookie itself (sign-in, sign-out) has the last word.
    if let Some(renewed) = renewed
        && !response.headers().contains_key(header::SET_COOKIE)
    {
        response.headers_mut().insert(header::SET_COOKIE, renewed);
    }
    Ok(response)
}

async fn home(user: User) -> Html<String> {
    let Some(Extension(session)) = user else {
        return page("Sign in", SIGN_IN_FORM.into());
    };
    let name = escape(session.identity.username.as_deref().unwrap_or("?"));
    let links = "<p><a href=\"/sessions\">Where am I signed in?</a></p>";
    let body = format!("<p>Hello, <b>{name}</b>!</p>{links}{SIGN_OUT_FORMS}");
    page("Home", body)
}

const SIGN_IN_FORM: &str = r#"<form method="post" action="/sign-in">
<label>Username <input name="username" required maxlength="64"></label>
<button>Sign in</button> (any username, no password: this is a demo)</form>"#;

const SIGN_OUT_FORMS: &str = r#"<form method="post" action="/sign-out"><button>Sign out</button></form>
<form method="post" action="/sign-out-everywhere"><button>Sign out everywhere</button></form>"#;

/// "Where am I signed in": every live session of this user, this device marked.
async fn sessions(State(state): State<AppState>, user: User) -> Page {
    let Some(Extension(session)) = user else {
        return Ok(Redirect::to("/").into_response());
    };
    let user = &session.identity.external_id;
    let mut listed = state.store.list_identity_sessions(PROVIDER, user).await?;
    listed.sort_by_key(|info| info.created_at);
    let mine = session_handle(&session.id);
    let mut rows = String::new();
    for info in listed {
        let device = escape(info.metadata.get("device").map_or("", |d| d));
        let this = (info.handle == mine).then_some(" <b>(this device)</b>");
        let time = |t: chrono::DateTime<Utc>| t.format("%Y-%m-%d %H:%M:%S UTC");
        let (since, active) = (time(info.created_at), time(info.last_seen_at));
        let expires = time(info.expires_at);
        let handle = escape(&info.handle); // hex, but escaped all the same
        rows += &format!(
            "<li>{device}{}, signed in {since}, last active {active}, expires {expires}\n<form method=\"post\" \
            action=\"/sign-out-device\"><input type=\"hidden\" name=\"handle\" \
            value=\"{handle}\"><button>Sign out this device</button></form></li>\n",
            this.unwrap_or_default()
        );
    }
    let body = format!("<ul>\n{rows}</ul><p><a href=\"/\">Home</a></p>{SIGN_OUT_FORMS}");
    Ok(page("Where you are signed in", body).into_response())
}

/// Signs in as anyone (demo!). Any session the browser already had is deleted first and a new id
/// is issued, so an id planted before sign-in is worthless after it (no session fixation).
async fn sign_in(State(state): State<AppState>, headers: HeaderMap, form: Form<Fields>) -> Page {
    let username = form.get("username").map_or("", |name| name.trim());
    if username.is_empty() || username.chars().count() > 64 {
        let body = format!("<p>Please pick a username of 1 to 64 characters.</p>{SIGN_IN_FORM}");
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page("Sign in", body)).into_response());
    }
    if let Some(old_id) = cookie_id(&headers) {
        state.store.delete_session(&old_id).await?;
    }
    let mut identity = Identity::new(PROVIDER, username);
    identity.username = Some(username.to_owned());
    let user_agent = headers.get(header::USER_AGENT).map(|h| h.to_str());
    let device = device_label(user_agent.and_then(Result::ok).unwrap_or("unknown device"));
    let lifetime = state.config.lifetime;
    // The device is a fact about this session, not about the user: metadata, not identity.
    let session = Session::new(identity, lifetime).with_metadata("device", device);
    state.store.save_session(&session).await?;
    let set_cookie = cookie(&state.config, &session.id, lifetime.num_seconds());
    Ok(([(header::SET_COOKIE, set_cookie)], Redirect::to("/")).into_response())
}

async fn sign_out(State(state): State<AppState>, user: User) -> Page {
    if let Some(Extension(session)) = user {
        state.store.delete_session(&session.id).await?;
    }
    Ok(signed_out(&state.config))
}

/// Ends one of the user's own sessions by its handle (someone else's handle does nothing).
async fn sign_out_device(State(state): State<AppState>, user: User, form: Form<Fields>) -> Page {
    let Some(Extension(session)) = user else {
        return Ok(Redirect::to("/").into_response());
    };
    let handle = form.get("handle").map_or("", String::as_str);
    let user = &session.identity.external_id;
    let theirs = state.store.list_identity_sessions(PROVIDER, user).await?;
    if theirs.iter().any(|info| info.handle == handle) {
        state.store.delete_session_by_handle(handle).await?;
    }
    if handle == session_handle(&session.id) {
        return Ok(signed_out(&state.config));
    }
    Ok(Redirect::to("/sessions").into_response())
}

async fn sign_out_everywhere(State(state): State<AppState>, user: User) -> Page {
    if let Some(Extension(session)) = user {
        let user = &session.identity.external_id;
        state.store.delete_identity_sessions(PROVIDER, user).await?;
    }
    Ok(signed_out(&state.config))
}

/// Clears the cookie and goes back to the sign-in page.
fn signed_out(config: &Config) -> Response {
    let clear = cookie(config, "", 0);
    ([(header::SET_COOKIE, clear)], Redirect::to("/")).into_response()
}

/// The `Set-Cookie` value for the session cookie; `max_age` 0 clears it.
fn cookie(config: &Config, id: &str, max_age: i64) -> HeaderValue {
    let mut value = format!("{COOKIE}={id}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}");
    if config.secure_cookies {
        value += "; Secure";
    }
    HeaderValue::try_from(value).expect("session ids are base64url, valid in a header")
}

/// The session id from the request's `Cookie` headers, unchecked: the store validates it.
fn cookie_id(headers: &HeaderMap) -> Option<String> {
    for cookies in headers.get_all(header::COOKIE) {
        for pair in cookies.to_str().unwrap_or_default().split(';') {
            if let Some((COOKIE, id)) = pair.trim().split_once('=') {
                return Some(id.to_owned());
            }
        }
    }
    None
}

/// "Firefox on Linux" and the like, else the User-Agent itself, shortened. (A real app might
/// use a User-Agent parser; the order here matters: Chrome's User-Agent also names Safari.)
fn device_label(user_agent: &str) -> String {
    let find = |names: &[&'static str]| names.iter().find(|n| user_agent.contains(*n)).copied();
    let browser = find(&["Firefox", "Edg", "Chrome", "Safari", "curl"]);
    let system = find(&["Android", "iPhone", "iPad", "Windows", "Mac OS X", "Linux"]);
    match (browser.map(|b| if b == "Edg" { "Edge" } else { b }), system) {
        (Some(browser), Some(system)) => format!("{browser} on {system}"),
        (Some(browser), None) => browser.to_owned(),
        _ => user_agent.chars().take(40).collect(),
    }
}

/// Escapes text for HTML content and quoted attribute values.
fn escape(text: &str) -> String {
    let text = text.replace('&', "&amp;").replace('<', "&lt;");
    let text = text.replace('>', "&gt;").replace('"', "&quot;");
    text.replace('\'', "&#39;")
}

fn page(title: &str, body: String) -> Html<String> {
    Html(format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head><body>\n\
        <p><i>authly-session demo: no passwords, do not use as is.</i></p>\n\
        <h1>{title}</h1>\n{body}\n</body></html>\n"
    ))
}

/// A store failure: logged where it happens (store errors never hold a session id), and shown
/// as a generic 500 page.
struct AppError;

impl From<SessionError> for AppError {
    fn from(error: SessionError) -> Self {
        tracing::error!(%error, "session store failed");
        AppError
    }
}
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let body = page("Error", "<p>Something went wrong.</p>".into());
        (StatusCode::INTERNAL_SERVER_ERROR, body).into_response()
    }
}
