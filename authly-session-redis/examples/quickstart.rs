//! The first thing to run: one user signed in on two devices, and every store operation an
//! application needs, against a Redis server.
//!
//! `cargo run -p authly-session-redis --example quickstart [-- redis://127.0.0.1:6379]`

use authly_session::{Identity, Session, SessionStore};
use authly_session_redis::RedisStore;
use chrono::Duration;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "redis://127.0.0.1:6379".into());
    let store = RedisStore::connect(&url)
        .await?
        .with_prefix("authly_quickstart")?;
    println!(
        "connected to {url}; keys go under the prefix {:?}",
        store.prefix()
    );

    let mut alice = Identity::new("github", "583231");
    alice.email = Some("alice@example.com".into());
    alice.username = Some("alice".into());

    let mut laptop = Session::new(alice.clone(), Duration::hours(8));
    laptop
        .identity
        .attributes
        .insert("device".into(), "laptop".into());
    let mut phone = Session::new(alice.clone(), Duration::hours(8));
    phone
        .identity
        .attributes
        .insert("device".into(), "phone".into());
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

    // Sliding expiry: each request may push the end out without rewriting the identity.
    store
        .touch_session(&laptop.id, chrono::Utc::now() + Duration::hours(8))
        .await?;

    let signed_in = store.list_identity_sessions("github", "583231").await?;
    println!("alice is signed in on {} devices:", signed_in.len());
    for info in &signed_in {
        let device = info
            .identity
            .attributes
            .get("device")
            .map_or("unknown", String::as_str);
        println!("  - {device}, handle {}…", &info.handle[..12]);
    }

    let removed = store.delete_identity_sessions("github", "583231").await?;
    println!("signed alice out everywhere: {removed} sessions removed");
    assert!(store.load_session(&phone.id).await?.is_none());

    // Redis drops expired sessions by their TTL; this only tidies the identity indexes.
    let expired = store.delete_expired().await?;
    println!("delete_expired: {expired} (Redis expires sessions itself)");
    Ok(())
}
