//! Sessions in Redis: a store under its own key prefix, a user on two devices, what Redis does
//! by itself (expiry by TTL), and signing out everywhere.
//!
//! `cargo run -p authly-session-redis --example redis_quickstart [-- redis://127.0.0.1:6379]`

use authly_session::{Identity, Session, SessionStore};
use authly_session_redis::RedisStore;
use chrono::Duration;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "redis://127.0.0.1:6379".into());
    // A Redis Cluster works alike: RedisStore::connect_cluster(&["redis://node-1:6379", ...]).
    let store = RedisStore::connect(&url)
        .await?
        .with_prefix("authly_quickstart")?;
    store.migrate().await?;
    println!("connected to {url}; keys go under {:?}", store.prefix());

    let alice = Identity::new("github", "583231");
    for device in ["Firefox on Linux", "Safari on iPhone"] {
        let session =
            Session::new(alice.clone(), Duration::hours(8)).with_metadata("device", device);
        store.save_session(&session).await?;
        println!("signed alice in on {device}: {session:?}");
    }
    let short = Session::new(alice.clone(), Duration::seconds(1)).with_metadata("device", "kiosk");
    store.save_session(&short).await?;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    println!(
        "the kiosk session expired by itself: {}",
        store.load_session(&short.id).await?.is_none()
    );

    for info in store.list_identity_sessions("github", "583231").await? {
        let device = info
            .metadata
            .get("device")
            .map_or("unknown", String::as_str);
        println!(
            "  - {device}, signed in {}",
            info.created_at.format("%H:%M:%S UTC")
        );
    }
    let removed = store.delete_identity_sessions("github", "583231").await?;
    println!("signed alice out everywhere: {removed} sessions removed");
    Ok(())
}
