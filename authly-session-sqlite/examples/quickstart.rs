//! The first thing to run: a SQLite file, one user signed in on two devices, and every store
//! operation an application needs.
//!
//! `cargo run -p authly-session-sqlite --example quickstart`

use authly_session::{Identity, Session, SessionStore};
use authly_session_sqlite::SqliteStore;
use chrono::{Duration, Utc};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let store = SqliteStore::connect("sqlite://sessions.db").await?;
    store.migrate().await?;
    println!("opened sessions.db (WAL mode); the sessions table is at schema version 2");

    // The user is the identity; the device is metadata of each session.
    let mut alice = Identity::new("github", "583231");
    alice.email = Some("alice@example.com".into());
    alice.username = Some("alice".into());
    let laptop =
        Session::new(alice.clone(), Duration::hours(8)).with_metadata("device", "Firefox on Linux");
    let phone =
        Session::new(alice.clone(), Duration::hours(8)).with_metadata("device", "Safari on iPhone");
    store.save_session(&laptop).await?;
    store.save_session(&phone).await?;
    println!("signed alice in on two devices; the laptop's cookie holds {laptop:?}");

    let loaded = store
        .load_session(&laptop.id)
        .await?
        .ok_or("the laptop session should load")?;
    println!(
        "loaded the laptop session by its id: {} ({}), expires {}",
        loaded.identity.username.as_deref().unwrap_or("?"),
        loaded.identity.provider_id,
        loaded.expires_at.format("%Y-%m-%d %H:%M UTC")
    );

    // Sliding expiry moves the end and marks the session as just used.
    store
        .touch_session(&loaded.id, Utc::now() + Duration::hours(8))
        .await?;
    // A change to a live session goes through update: it never revives a signed-out one.
    let touched = store.load_session(&laptop.id).await?.ok_or("still live")?;
    let renamed = touched.with_metadata("device", "Firefox on Linux (work)");
    assert!(store.update_session(&renamed).await?);

    println!("alice is signed in on these devices:");
    for info in store.list_identity_sessions("github", "583231").await? {
        let device = info
            .metadata
            .get("device")
            .map_or("unknown", String::as_str);
        let since = info.created_at.format("%H:%M:%S");
        let active = info.last_seen_at.format("%H:%M:%S");
        println!(
            "  - {device}: signed in {since}, last active {active}, handle {}…",
            &info.handle[..12]
        );
    }

    let removed = store.delete_identity_sessions("github", "583231").await?;
    println!("signed alice out everywhere: {removed} sessions removed");
    assert!(store.load_session(&phone.id).await?.is_none());
    assert!(
        !store.update_session(&renamed).await?,
        "a signed-out session stays out"
    );

    let expired = store.delete_expired().await?;
    println!("removed {expired} expired sessions");
    Ok(())
}
