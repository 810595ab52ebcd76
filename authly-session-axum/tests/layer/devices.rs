//! Devices of the current user, and signing one out by handle.

use authly_session::testing::MemoryStore;
use authly_session::{SessionStore, session_handle};
use authly_session_axum::SessionConfig;
use http::StatusCode;

use crate::common::{app, id_of, post_same_origin, request, send, signed_in};

#[tokio::test]
async fn devices_lists_the_users_sessions_with_this_one_marked() {
    let store = MemoryStore::new();
    let app = app(store.clone(), SessionConfig::default());
    let laptop = signed_in(&app, "alice").await;
    let phone = signed_in(&app, "alice").await;
    let _bob = signed_in(&app, "bob").await;
    let reply = send(&app, request("GET", "/devices", Some(&laptop), &[])).await;
    let lines: Vec<&str> = reply.body.lines().collect();
    assert_eq!(lines.len(), 2, "{}", reply.body);
    let laptop_line = format!("{} true Firefox on Linux", session_handle(id_of(&laptop)));
    let phone_line = format!("{} false Firefox on Linux", session_handle(id_of(&phone)));
    assert!(lines.contains(&laptop_line.as_str()) && lines.contains(&phone_line.as_str()));
}

#[tokio::test]
async fn signing_out_a_foreign_handle_does_nothing() {
    let store = MemoryStore::new();
    let app = app(store.clone(), SessionConfig::default());
    let alice = signed_in(&app, "alice").await;
    let bob = signed_in(&app, "bob").await;
    let bobs_handle = session_handle(id_of(&bob));
    let reply = send(
        &app,
        post_same_origin(&format!("/sign-out-device/{bobs_handle}"), Some(&alice)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.set_cookies.is_empty());
    assert!(
        store.load_session(id_of(&bob)).await.unwrap().is_some(),
        "bob still signed in"
    );
    assert!(
        store.load_session(id_of(&alice)).await.unwrap().is_some(),
        "alice too"
    );
    // Unknown and malformed handles answer the same.
    for handle in ["0".repeat(64), "not-a-handle".to_owned()] {
        let reply = send(
            &app,
            post_same_origin(&format!("/sign-out-device/{handle}"), Some(&alice)),
        )
        .await;
        assert_eq!(
            (reply.status, reply.body.as_str()),
            (StatusCode::OK, "done")
        );
    }
}

#[tokio::test]
async fn signing_out_an_own_device_ends_it_and_this_one_removes_the_cookie() {
    let store = MemoryStore::new();
    let app = app(store.clone(), SessionConfig::default());
    let laptop = signed_in(&app, "alice").await;
    let phone = signed_in(&app, "alice").await;
    let phone_handle = session_handle(id_of(&phone));
    let reply = send(
        &app,
        post_same_origin(&format!("/sign-out-device/{phone_handle}"), Some(&laptop)),
    )
    .await;
    assert!(reply.set_cookies.is_empty());
    assert!(store.load_session(id_of(&phone)).await.unwrap().is_none());
    let own = session_handle(id_of(&laptop));
    let reply = send(
        &app,
        post_same_origin(&format!("/sign-out-device/{own}"), Some(&laptop)),
    )
    .await;
    assert!(reply.removes_cookie());
    assert!(store.load_session(id_of(&laptop)).await.unwrap().is_none());
}

#[tokio::test]
async fn sign_out_everywhere_ends_every_session_of_the_user_only() {
    let store = MemoryStore::new();
    let app = app(store.clone(), SessionConfig::default());
    let laptop = signed_in(&app, "alice").await;
    let phone = signed_in(&app, "alice").await;
    let bob = signed_in(&app, "bob").await;
    let reply = send(
        &app,
        post_same_origin("/sign-out-everywhere", Some(&laptop)),
    )
    .await;
    assert_eq!(reply.body, "2");
    assert!(reply.removes_cookie());
    for gone in [&laptop, &phone] {
        assert!(store.load_session(id_of(gone)).await.unwrap().is_none());
    }
    assert!(store.load_session(id_of(&bob)).await.unwrap().is_some());
    let reply = send(&app, request("GET", "/required", Some(&phone), &[])).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}
