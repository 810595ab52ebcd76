//! Cross-site state-changing requests are refused before any handler runs.

use authly_session::SessionStore;
use authly_session::testing::MemoryStore;
use authly_session_axum::{CROSS_SITE_REFUSED_BODY, SessionConfig};
use http::StatusCode;

use crate::common::{app, id_of, request, send, signed_in};

#[tokio::test]
async fn a_cross_site_post_is_refused_without_a_cookie() {
    let store = MemoryStore::new();
    let app = app(store.clone(), SessionConfig::default());
    // Login CSRF: an attacker's page signs the victim's browser in.
    let evil = [
        ("sec-fetch-site", "cross-site"),
        ("origin", "https://evil.example"),
    ];
    let reply = send(&app, request("POST", "/sign-in/mallory", None, &evil)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.body, CROSS_SITE_REFUSED_BODY);
    assert!(reply.set_cookies.is_empty(), "no session was created");
    // Older browsers send no Sec-Fetch-Site: Origin decides.
    let evil = [("origin", "https://evil.example")];
    let reply = send(&app, request("POST", "/sign-in/mallory", None, &evil)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(
        store
            .list_identity_sessions("test", "mallory")
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_cross_site_post_is_refused_with_the_victims_cookie() {
    let store = MemoryStore::new();
    let app = app(store.clone(), SessionConfig::default());
    let cookie = signed_in(&app, "alice").await;
    let evil = [
        ("sec-fetch-site", "cross-site"),
        ("origin", "https://evil.example"),
    ];
    for uri in ["/sign-out", "/sign-out-everywhere"] {
        let reply = send(&app, request("POST", uri, Some(&cookie), &evil)).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{uri}");
        assert!(reply.set_cookies.is_empty());
    }
    for method in ["PUT", "PATCH", "DELETE"] {
        let reply = send(&app, request(method, "/sign-out", Some(&cookie), &evil)).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{method}");
    }
    assert!(
        store.load_session(id_of(&cookie)).await.unwrap().is_some(),
        "still signed in"
    );
}

#[tokio::test]
async fn same_origin_requests_pass() {
    let store = MemoryStore::new();
    let app = app(store, SessionConfig::default());
    let cookie = signed_in(&app, "alice").await; // Sec-Fetch-Site: same-origin
    // Origin alone, matching the Host.
    let own = [("origin", "https://app.example")];
    let reply = send(&app, request("POST", "/sign-out", Some(&cookie), &own)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.removes_cookie());
    // Typed into the address bar, or a non-browser client without either header.
    let reply = send(
        &app,
        request("POST", "/sign-in/bob", None, &[("sec-fetch-site", "none")]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let reply = send(&app, request("POST", "/sign-in/bob", None, &[])).await;
    assert_eq!(reply.status, StatusCode::OK);
    // A cross-site GET (a link followed) is no state change.
    let link = [
        ("sec-fetch-site", "cross-site"),
        ("origin", "https://evil.example"),
    ];
    let reply = send(&app, request("GET", "/", None, &link)).await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn an_allowlisted_origin_passes_and_others_do_not() {
    let config = SessionConfig::default().allow_origin("https://admin.example:8443");
    let app = app(MemoryStore::new(), config);
    let admin = [
        ("sec-fetch-site", "cross-site"),
        ("origin", "https://admin.example:8443"),
    ];
    let reply = send(&app, request("POST", "/sign-in/alice", None, &admin)).await;
    assert_eq!(reply.status, StatusCode::OK);
    let sibling = [
        ("sec-fetch-site", "same-site"),
        ("origin", "https://other.app.example"),
    ];
    let reply = send(&app, request("POST", "/sign-in/alice", None, &sibling)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let other_port = [
        ("sec-fetch-site", "cross-site"),
        ("origin", "https://admin.example"),
    ];
    let reply = send(&app, request("POST", "/sign-in/alice", None, &other_port)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}
