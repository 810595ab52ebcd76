//! Absolute lifetime and sliding renewal.

use authly_session::SessionStore;
use authly_session::testing::MemoryStore;
use authly_session_axum::{DEFAULT_COOKIE_NAME, SessionConfig};
use chrono::Duration;

use crate::common::{app, request, send, stored_session};

fn cookie_for(id: &str) -> String {
    format!("{DEFAULT_COOKIE_NAME}={id}")
}

#[tokio::test]
async fn a_session_past_its_absolute_lifetime_ends_even_when_active() {
    let store = MemoryStore::new();
    let app = app(store.clone(), SessionConfig::default()); // 30 days
    // Signed in 31 days ago, used a second ago, idle expiry hours away.
    let session = stored_session(
        &store,
        "alice",
        Duration::days(31),
        Duration::seconds(1),
        Duration::hours(7),
    )
    .await;
    let reply = send(
        &app,
        request("GET", "/", Some(&cookie_for(&session.id)), &[]),
    )
    .await;
    assert_eq!(reply.body, "anonymous");
    assert!(reply.removes_cookie(), "{:?}", reply.set_cookies);
    assert!(
        store.load_session(&session.id).await.unwrap().is_none(),
        "deleted"
    );
}

#[tokio::test]
async fn renewal_never_reaches_past_the_absolute_lifetime() {
    let store = MemoryStore::new();
    let config = SessionConfig::default().absolute_lifetime(Duration::hours(10));
    let app = app(store.clone(), config);
    // Created 9 hours ago: an 8-hour renewal would end after the 10-hour limit.
    let session = stored_session(
        &store,
        "alice",
        Duration::hours(9),
        Duration::hours(1),
        Duration::minutes(30),
    )
    .await;
    let reply = send(
        &app,
        request("GET", "/", Some(&cookie_for(&session.id)), &[]),
    )
    .await;
    assert_eq!(reply.body, "alice");
    let renewed = store
        .load_session(&session.id)
        .await
        .unwrap()
        .expect("live");
    let limit = session.created_at + Duration::hours(10);
    assert!(renewed.expires_at <= limit && renewed.expires_at > session.expires_at);
}

#[tokio::test]
async fn a_fresh_session_is_not_written_on_every_request() {
    let store = MemoryStore::new();
    let app = app(store.clone(), SessionConfig::default());
    let session = stored_session(
        &store,
        "alice",
        Duration::minutes(1),
        Duration::minutes(1),
        Duration::hours(8),
    )
    .await;
    let reply = send(
        &app,
        request("GET", "/", Some(&cookie_for(&session.id)), &[]),
    )
    .await;
    assert_eq!(reply.body, "alice");
    assert!(
        reply.set_cookies.is_empty(),
        "no renewal due: {:?}",
        reply.set_cookies
    );
    let stored = store
        .load_session(&session.id)
        .await
        .unwrap()
        .expect("live");
    // A touch would have moved both to now; stores keep microseconds.
    assert!(
        (stored.last_seen_at - session.last_seen_at)
            .num_milliseconds()
            .abs()
            < 1
    );
    assert!(
        (stored.expires_at - session.expires_at)
            .num_milliseconds()
            .abs()
            < 1
    );
}

#[tokio::test]
async fn renewal_happens_when_half_the_idle_timeout_is_gone() {
    let store = MemoryStore::new();
    let app = app(store.clone(), SessionConfig::default()); // idle 8 h
    let session = stored_session(
        &store,
        "alice",
        Duration::hours(5),
        Duration::minutes(1),
        Duration::hours(3),
    )
    .await;
    let reply = send(
        &app,
        request("GET", "/", Some(&cookie_for(&session.id)), &[]),
    )
    .await;
    assert_eq!(reply.body, "alice");
    assert_eq!(
        reply.session_cookie().as_deref(),
        Some(cookie_for(&session.id).as_str()),
        "cookie refreshed"
    );
    let stored = store
        .load_session(&session.id)
        .await
        .unwrap()
        .expect("live");
    assert!(
        stored.expires_at > chrono::Utc::now() + Duration::hours(7),
        "renewed to 8 h"
    );
}

#[tokio::test]
async fn renewal_happens_when_last_seen_is_older_than_the_touch_interval() {
    let store = MemoryStore::new();
    let app = app(store.clone(), SessionConfig::default()); // touch interval 5 min
    let session = stored_session(
        &store,
        "alice",
        Duration::hours(1),
        Duration::minutes(6),
        Duration::hours(7),
    )
    .await;
    let reply = send(
        &app,
        request("GET", "/", Some(&cookie_for(&session.id)), &[]),
    )
    .await;
    assert!(
        reply.session_cookie().is_some(),
        "touched: {:?}",
        reply.set_cookies
    );
    let stored = store
        .load_session(&session.id)
        .await
        .unwrap()
        .expect("live");
    assert!(stored.last_seen_at > session.last_seen_at + Duration::minutes(5));
}
