//! The first thing to run: a SQLite file, one user signed in on two devices, and every store
//! operation an application needs.
//!
//! `cargo run -p authly-session-sqlite --example quickstart`

use authly_session::{Identity, Session, SessionStore};
use authly_session_sqlite::SqliteStore;
use chrono::Duration;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let store = SqliteStore::connect("sqlite://sessions.db").await?;
    store.migrate().await?;
    println!("opened sessions.db (WAL mode) and created the sessions table if it was missing");

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

    let expired = store.delete_expired().await?;
    println!("removed {expired} expired sessions");
    Ok(())
}
