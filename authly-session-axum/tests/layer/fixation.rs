//! Sign-in always issues a new id and ends the browser's previous session.

use authly_session::SessionStore;
use authly_session::testing::MemoryStore;
use authly_session_axum::SessionConfig;
use http::StatusCode;

use crate::common::{FIREFOX, app, id_of, post_same_origin, send, signed_in};

#[tokio::test]
async fn sign_in_issues_a_new_id_and_deletes_the_previous_session() {
    let store = MemoryStore::new();
    let app = app(store.clone(), SessionConfig::default());
    let first = signed_in(&app, "alice").await;
    let reply = send(&app, post_same_origin("/sign-in/alice", Some(&first))).await;
    assert_eq!(reply.status, StatusCode::OK);
    let second = reply.session_cookie().expect("a new cookie");
    assert_ne!(id_of(&first), id_of(&second));
    assert!(
        store.load_session(id_of(&first)).await.unwrap().is_none(),
        "old session deleted"
    );
    let session = store
        .load_session(id_of(&second))
        .await
        .unwrap()
        .expect("new session");
    assert_eq!(
        session.metadata["device"], "Firefox on Linux",
        "label from {FIREFOX}"
    );
    assert_eq!(
        store
            .list_identity_sessions("test", "alice")
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_planted_cookie_is_worthless_after_sign_in() {
    let store = MemoryStore::new();
    let app = app(store.clone(), SessionConfig::default());
    // The attacker's own session, planted in the victim's browser.
    let planted = signed_in(&app, "mallory").await;
    let reply = send(&app, post_same_origin("/sign-in/alice", Some(&planted))).await;
    let alice = reply.session_cookie().expect("a new cookie");
    assert_ne!(id_of(&planted), id_of(&alice));
    assert!(store.load_session(id_of(&planted)).await.unwrap().is_none());
    // A cookie naming no session at all is replaced just the same.
    let garbage = format!("{}=not-a-session", authly_session_axum::DEFAULT_COOKIE_NAME);
    let reply = send(&app, post_same_origin("/sign-in/alice", Some(&garbage))).await;
    assert_ne!(reply.session_cookie().expect("a cookie"), garbage);
}
