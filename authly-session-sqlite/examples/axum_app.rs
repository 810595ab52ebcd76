//! An axum app with sessions in SQLite on `authly-session-axum`: sign in (any username, no
//! password: a demo), see where you are signed in, sign out one device, this one, or everywhere.
//!
//! `cargo run -p authly-session-sqlite --example axum_app`, then open <http://127.0.0.1:3000>
//! (`ADDR` picks another address; sessions go to `sessions.db`). It serves plain http, so it uses
//! the layer's development switch (no `Secure`, no `__Host-` prefix).

use std::{collections::HashMap, sync::Arc, time::Duration};

use authly_session::Identity;
use authly_session_axum::{CurrentSession, SessionConfig, SessionControl, SessionLayer};
use authly_session_axum::{Device, SessionRejection};
use authly_session_sqlite::SqliteStore;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Form, Router, http::StatusCode, routing::get, routing::post};

/// The `provider_id` of every demo identity; the username is the `external_id`.
pub const PROVIDER: &str = "demo";

/// What a handler returns: a page or a redirect, or the layer's 503 when the store fails.
type Page = Result<Response, SessionRejection>;
type Fields = HashMap<String, String>;

/// The whole app behind the session layer; `main` serves it, and so do the tests.
pub fn app(store: SqliteStore, config: SessionConfig) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/sessions", get(sessions))
        .route("/sign-in", post(sign_in))
        .route("/sign-out", post(sign_out))
        .route("/sign-out-device", post(sign_out_device))
        .route("/sign-out-everywhere", post(sign_out_everywhere))
        .layer(SessionLayer::new(store).with_config(config))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().init();
    let address = std::env::var("ADDR").unwrap_or_else(|_| "127.0.0.1:3000".to_owned());
    let store = SqliteStore::connect("sqlite://sessions.db").await?;
    store.migrate().await?;
    let _cleanup = authly_session::spawn_cleanup(Arc::new(store.clone()), Duration::from_secs(60));
    // Behind HTTPS, start from `SessionConfig::default()` instead.
    let config = SessionConfig::insecure_for_local_development();
    let listener = tokio::net::TcpListener::bind(address).await?;
    tracing::info!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app(store, config)).await?;
    Ok(())
}

async fn home(CurrentSession(session): CurrentSession) -> Html<String> {
    let Some(session) = session else {
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

/// "Where am I signed in": every live session of this user, oldest first, this device marked.
async fn sessions(control: SessionControl) -> Page {
    if control.current().is_none() {
        return Ok(Redirect::to("/").into_response());
    }
    let mut devices = control.devices().await?;
    devices.sort_by_key(|device| device.info.created_at);
    let rows: String = devices.iter().map(device_row).collect();
    let body = format!("<ul>\n{rows}</ul><p><a href=\"/\">Home</a></p>{SIGN_OUT_FORMS}");
    Ok(page("Where you are signed in", body).into_response())
}

fn device_row(device: &Device) -> String {
    let info = &device.info;
    let [since, active, expires] = [info.created_at, info.last_seen_at, info.expires_at]
        .map(|time| time.format("%Y-%m-%d %H:%M:%S UTC"));
    let this = device.this_device.then_some(" <b>(this device)</b>");
    let (label, handle) = (escape(device.label()), escape(&info.handle));
    format!(
        "<li>{label}{}, signed in {since}, last active {active}, expires {expires}\n\
         <form method=\"post\" action=\"/sign-out-device\"><input type=\"hidden\" name=\"handle\" \
         value=\"{handle}\"><button>Sign out this device</button></form></li>\n",
        this.unwrap_or_default()
    )
}

/// Signs in as anyone (demo!); the layer replaces the id and ends the browser's old session.
async fn sign_in(control: SessionControl, Form(form): Form<Fields>) -> Page {
    let username = form.get("username").map_or("", |name| name.trim());
    if username.is_empty() || username.chars().count() > 64 {
        let body = format!("<p>Please pick a username of 1 to 64 characters.</p>{SIGN_IN_FORM}");
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page("Sign in", body)).into_response());
    }
    let mut identity = Identity::new(PROVIDER, username);
    identity.username = Some(username.to_owned());
    control.sign_in(identity).await?;
    Ok(Redirect::to("/").into_response())
}

async fn sign_out(control: SessionControl) -> Page {
    control.sign_out().await?;
    Ok(Redirect::to("/").into_response())
}

/// Ends one of the user's own sessions by its handle (anyone else's handle does nothing).
async fn sign_out_device(control: SessionControl, Form(form): Form<Fields>) -> Page {
    let handle = form.get("handle").map_or("", String::as_str);
    control.sign_out_device(handle).await?;
    if control.current().is_none() {
        return Ok(Redirect::to("/").into_response());
    }
    Ok(Redirect::to("/sessions").into_response())
}

async fn sign_out_everywhere(control: SessionControl) -> Page {
    control.sign_out_everywhere().await?;
    Ok(Redirect::to("/").into_response())
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
