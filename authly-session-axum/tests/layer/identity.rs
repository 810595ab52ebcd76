//! Identity changes through `update_session`, and what sign-in records about the device.

use authly_session::testing::MemoryStore;
use authly_session::{Identity, SessionStore};
use authly_session_axum::{SessionConfig, SessionControl, SessionLayer, SessionRejection};
use axum::Router;
use axum::routing::post;

use crate::common::{id_of, post_same_origin, request, send, signed_in};

async fn rename(control: SessionControl) -> Result<String, SessionRejection> {
    let Some(session) = control.current() else {
        return Ok("nobody".to_owned());
    };
    let mut identity = session.identity;
    identity.username = Some("Alice Liddell".to_owned());
    Ok(control.update_identity(identity).await?.to_string())
}

async fn become_bob(control: SessionControl) -> Result<String, SessionRejection> {
    Ok(control
        .update_identity(Identity::new("test", "bob"))
        .await?
        .to_string())
}

fn app(store: MemoryStore, config: SessionConfig) -> Router {
    crate::common::app(store.clone(), config.clone()).merge(
        Router::new()
            .route("/rename", post(rename))
            .route("/become-bob", post(become_bob))
            .layer(SessionLayer::new(store).with_config(config)),
    )
}

#[tokio::test]
async fn update_identity_keeps_the_id_and_a_new_key_signs_in_anew() {
    let store = MemoryStore::new();
    let app = app(store.clone(), SessionConfig::default());
    let cookie = signed_in(&app, "alice").await;
    let reply = send(&app, post_same_origin("/rename", Some(&cookie))).await;
    assert_eq!(reply.body, "true");
    assert!(reply.set_cookies.is_empty(), "same id, no new cookie");
    let session = store
        .load_session(id_of(&cookie))
        .await
        .unwrap()
        .expect("live");
    assert_eq!(session.identity.username.as_deref(), Some("Alice Liddell"));
    // Another user is a sign-in: new id, old session gone.
    let reply = send(&app, post_same_origin("/become-bob", Some(&cookie))).await;
    let bob = reply.session_cookie().expect("a new cookie");
    assert_ne!(id_of(&bob), id_of(&cookie));
    assert!(store.load_session(id_of(&cookie)).await.unwrap().is_none());
    // Signed out elsewhere meanwhile: the layer finds nobody.
    store.delete_session(id_of(&bob)).await.unwrap();
    let reply = send(&app, post_same_origin("/rename", Some(&bob))).await;
    assert_eq!(reply.body, "nobody");
}

#[tokio::test]
async fn the_ip_is_recorded_only_when_the_app_opts_in() {
    let store = MemoryStore::new();
    let forwarded = [
        ("sec-fetch-site", "same-origin"),
        ("x-forwarded-for", "203.0.113.9, 198.51.100.7"),
    ];
    let app_default = app(store.clone(), SessionConfig::default());
    let reply = send(
        &app_default,
        request("POST", "/sign-in/alice", None, &forwarded),
    )
    .await;
    let cookie = reply.session_cookie().expect("signed in");
    let session = store
        .load_session(id_of(&cookie))
        .await
        .unwrap()
        .expect("live");
    assert!(!session.metadata.contains_key("ip"));
    // Opted in, behind a trusted proxy: the entry the proxy appended (the last one).
    let config = SessionConfig::default()
        .record_ip(true)
        .trust_proxy_headers(true);
    let app_opted_in = app(store.clone(), config);
    let reply = send(
        &app_opted_in,
        request("POST", "/sign-in/alice", None, &forwarded),
    )
    .await;
    let cookie = reply.session_cookie().expect("signed in");
    let session = store
        .load_session(id_of(&cookie))
        .await
        .unwrap()
        .expect("live");
    assert_eq!(session.metadata["ip"], "198.51.100.7");
}
