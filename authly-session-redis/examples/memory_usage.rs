//! Measures what sessions cost in Redis memory: saves realistic sessions under a fresh prefix,
//! asks `MEMORY USAGE` about every key the store wrote, prints the figures, and removes the
//! sessions again. The README's memory figures come from this program.
//!
//! `cargo run -p authly-session-redis --example memory_usage [-- redis://127.0.0.1:6379]`
//! (default: `AUTHLY_TEST_REDIS_URL`, else `redis://127.0.0.1:6379`)

use authly_session::store_kit::identity_key;
use authly_session::{Identity, Session, SessionStore, session_handle};
use authly_session_redis::RedisStore;
use authly_session_redis::redis;

/// Identities measured, one session each.
const USERS: usize = 1_000;
/// Sessions of the one identity that signs in on many devices.
const DEVICES: usize = 5;

fn identity(user: usize) -> Identity {
    let mut identity = Identity::new("github", format!("{}", 58_323_112 + user));
    identity.email = Some(format!("user{user}@example.com"));
    identity.username = Some(format!("user-{user}"));
    identity
}

/// A session of `user` with the device facts an app records at sign-in.
fn session(user: usize) -> Session {
    Session::new(identity(user), chrono::Duration::days(30))
        .with_metadata("device", "Firefox 133 on Linux")
        .with_metadata("ip", "203.0.113.42")
        .with_metadata(
            "user_agent",
            "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        )
}

async fn usage(connection: &mut redis::aio::MultiplexedConnection, key: &str) -> u64 {
    redis::cmd("MEMORY")
        .arg("USAGE")
        .arg(key)
        .arg("SAMPLES")
        .arg(0)
        .query_async::<Option<u64>>(connection)
        .await
        .expect("MEMORY USAGE")
        .unwrap_or(0)
}

/// The server's `used_memory`, from `INFO memory`.
async fn used_memory(connection: &mut redis::aio::MultiplexedConnection) -> u64 {
    let info: String = redis::cmd("INFO")
        .arg("memory")
        .query_async(connection)
        .await
        .expect("INFO memory");
    info.lines()
        .find_map(|line| line.strip_prefix("used_memory:"))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("AUTHLY_TEST_REDIS_URL").ok())
        .unwrap_or_else(|| "redis://127.0.0.1:6379".into());
    let prefix = authly_session::testing::unique_name("authly_memory");
    let store = RedisStore::connect(&url).await?.with_prefix(&prefix)?;
    let mut raw = redis::Client::open(url.as_str())?
        .get_multiplexed_async_connection()
        .await?;

    let before = used_memory(&mut raw).await;
    let mut sessions = Vec::new();
    for user in 0..USERS {
        let session = session(user);
        store.save_session(&session).await?;
        sessions.push(session);
    }
    let grown = used_memory(&mut raw).await.saturating_sub(before);
    let sample = session(0);
    let payload =
        authly_session::store_kit::encode_payload(&sample.identity, &sample.metadata)?.len();

    let (mut session_bytes, mut index_bytes) = (0, 0);
    for session in &sessions {
        session_bytes += usage(
            &mut raw,
            &format!("{prefix}:s:{}", session_handle(&session.id)),
        )
        .await;
        let ik = identity_key(&session.identity.provider_id, &session.identity.external_id);
        index_bytes += usage(&mut raw, &format!("{prefix}:{{{}}}:i:{ik}", &ik[..2])).await;
    }
    let per = |bytes: u64| bytes as f64 / USERS as f64;
    println!("{USERS} identities with one 30-day session each, identity JSON {payload} bytes:");
    println!(
        "  session string        {:7.0} bytes per session",
        per(session_bytes)
    );
    println!(
        "  identity index        {:7.0} bytes per identity",
        per(index_bytes)
    );
    println!(
        "  total                 {:7.0} bytes per session",
        per(session_bytes + index_bytes)
    );
    println!(
        "  used_memory grew by   {:7.0} bytes per session (with keyspace and expiry tables; noisy on a busy server)",
        per(grown)
    );

    let many = identity(USERS);
    let ik = identity_key(&many.provider_id, &many.external_id);
    let index = format!("{prefix}:{{{}}}:i:{ik}", &ik[..2]);
    let mut devices = Vec::new();
    for _ in 0..DEVICES {
        let session = Session::new(many.clone(), chrono::Duration::days(30));
        store.save_session(&session).await?;
        devices.push(session);
    }
    let one = usage(&mut raw, &index).await;
    println!(
        "  one identity on {DEVICES} devices: index {one} bytes ({:.0} per session)",
        one as f64 / DEVICES as f64
    );

    // Sign-out everywhere leaves index entries behind until their expiry plus the grace:
    // remove the example's keys outright.
    for session in sessions.iter().chain(&devices) {
        store.delete_session(&session.id).await?;
        let ik = identity_key(&session.identity.provider_id, &session.identity.external_id);
        redis::cmd("UNLINK")
            .arg(format!("{prefix}:{{{}}}:i:{ik}", &ik[..2]))
            .query_async::<()>(&mut raw)
            .await?;
    }
    redis::cmd("UNLINK")
        .arg(format!("{prefix}:schema"))
        .query_async::<()>(&mut raw)
        .await?;
    Ok(())
}
