//! The cookie's name and attributes.

use authly_session::testing::MemoryStore;
use authly_session_axum::SessionConfig;

use crate::common::{app, post_same_origin, send};

fn attributes(header: &str) -> Vec<String> {
    header
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect()
}

#[tokio::test]
async fn the_default_cookie_is_host_prefixed_secure_http_only_lax_at_root_without_domain() {
    let app = app(MemoryStore::new(), SessionConfig::default());
    let reply = send(&app, post_same_origin("/sign-in/alice", None)).await;
    let [header] = reply.set_cookies.as_slice() else {
        panic!("one Set-Cookie, got {:?}", reply.set_cookies);
    };
    assert!(header.starts_with("__Host-authly_session="), "{header}");
    let attributes = attributes(header);
    for expected in ["secure", "httponly", "samesite=lax", "path=/"] {
        assert!(
            attributes.iter().any(|a| a == expected),
            "{expected} in {header}"
        );
    }
    assert!(
        !attributes.iter().any(|a| a.starts_with("domain")),
        "{header}"
    );
    // The cookie lives as long as the session (8 h idle timeout), never a second less.
    assert!(attributes.iter().any(|a| a == "max-age=28800"), "{header}");
}

#[tokio::test]
async fn the_development_switch_drops_secure_and_the_prefix() {
    let app = app(
        MemoryStore::new(),
        SessionConfig::insecure_for_local_development(),
    );
    let reply = send(&app, post_same_origin("/sign-in/alice", None)).await;
    let header = &reply.set_cookies[0];
    assert!(header.starts_with("authly_session="), "{header}");
    let attributes = attributes(header);
    assert!(!attributes.iter().any(|a| a == "secure"), "{header}");
    assert!(attributes.iter().any(|a| a == "httponly"), "{header}");
}

#[tokio::test]
async fn sign_out_removes_the_cookie_with_the_same_attributes() {
    let app = app(MemoryStore::new(), SessionConfig::default());
    let cookie = crate::common::signed_in(&app, "alice").await;
    let reply = send(&app, post_same_origin("/sign-out", Some(&cookie))).await;
    assert!(reply.removes_cookie(), "{:?}", reply.set_cookies);
    let attributes = attributes(&reply.set_cookies[0]);
    assert!(attributes.iter().any(|a| a == "secure") && attributes.iter().any(|a| a == "path=/"));
    let reply = send(&app, crate::common::request("GET", "/", Some(&cookie), &[])).await;
    assert_eq!(reply.body, "anonymous");
}
