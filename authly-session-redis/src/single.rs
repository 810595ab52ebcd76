//! Single-node operations: each is one script (`EVALSHA`) or command, so one round trip, and
//! atomic: a session and its index entry always change together.

use authly_session::SessionError;
use authly_session::store_kit::{SessionRow, skip_corrupt, to_unix_micros};
use redis::aio::ConnectionManager;
use redis::{Script, ScriptInvocation};

use crate::error::During;
use crate::keys::Keys;
use crate::scripts;
use crate::stored::{self, Stored, ttl_millis};
use crate::write::Write;

/// Save (upsert) or update (only a live session) `row`; whether it was written.
pub(crate) async fn write(
    connection: &ConnectionManager,
    keys: &Keys,
    row: &SessionRow,
    now: i64,
    write: Write,
) -> Result<bool, SessionError> {
    let expires_at = to_unix_micros(row.expires_at);
    scripts::SAVE
        .key(keys.session(&row.handle))
        .key(keys.index(&row.identity_key))
        .key(keys.registry(&row.identity_key))
        .arg(&row.payload)
        .arg(expires_at)
        .arg(&row.identity_key)
        .arg(&row.handle)
        .arg(ttl_millis(expires_at, now))
        .arg(now)
        .arg(keys.prefix())
        .arg(to_unix_micros(row.created_at))
        .arg(to_unix_micros(row.last_seen_at))
        .arg(write.mode())
        .invoke_async::<bool>(&mut connection.clone())
        .await
        .during(write.operation())
}

pub(crate) async fn remove(
    connection: &ConnectionManager,
    keys: &Keys,
    operation: &'static str,
    handle: &str,
) -> Result<(), SessionError> {
    scripts::REMOVE
        .key(keys.session(handle))
        .arg(handle)
        .arg(keys.prefix())
        .invoke_async::<()>(&mut connection.clone())
        .await
        .during(operation)
}

pub(crate) async fn touch(
    connection: &ConnectionManager,
    keys: &Keys,
    handle: &str,
    expires_at: i64,
    now: i64,
) -> Result<bool, SessionError> {
    scripts::TOUCH
        .key(keys.session(handle))
        .arg(handle)
        .arg(expires_at)
        .arg(ttl_millis(expires_at, now))
        .arg(now)
        .arg(keys.prefix())
        .invoke_async::<bool>(&mut connection.clone())
        .await
        .during("touch_session")
}

/// `script` (list or delete-identity) on the index and registry shard of `identity_key`, with
/// the arguments both take.
fn on_identity<'s>(
    script: &'s Script,
    keys: &Keys,
    identity_key: &str,
    now: i64,
) -> ScriptInvocation<'s> {
    let mut invocation = script.prepare_invoke();
    invocation
        .key(keys.index(identity_key))
        .key(keys.registry(identity_key))
        .arg(identity_key)
        .arg(now)
        .arg(keys.prefix());
    invocation
}

pub(crate) async fn list(
    connection: &ConnectionManager,
    keys: &Keys,
    identity_key: &str,
    now: i64,
) -> Result<Vec<(String, Stored)>, SessionError> {
    let flat: Vec<Option<Vec<u8>>> = on_identity(&scripts::LIST, keys, identity_key, now)
        .invoke_async(&mut connection.clone())
        .await
        .during("list_identity_sessions")?;
    let mut sessions = Vec::with_capacity(flat.len() / 5);
    for entry in flat.chunks_exact(5) {
        let [
            Some(handle),
            Some(payload),
            Some(expires_at),
            created_at,
            last_seen_at,
        ] = entry
        else {
            return Err(SessionError::corrupt(
                keys.context(),
                "a listed session lacks a field",
            ));
        };
        let handle = String::from_utf8(handle.clone())
            .map_err(|_| SessionError::corrupt(keys.context(), "an index entry is not UTF-8"))?;
        let decoded = stored::decode(
            keys.context(),
            payload,
            expires_at,
            created_at.as_deref(),
            last_seen_at.as_deref(),
        );
        if let Some(stored) = skip_corrupt(decoded, keys.context(), &handle)? {
            sessions.push((handle, stored));
        }
    }
    Ok(sessions)
}

pub(crate) async fn delete_identity(
    connection: &ConnectionManager,
    keys: &Keys,
    identity_key: &str,
    now: i64,
) -> Result<u64, SessionError> {
    on_identity(&scripts::DELETE_IDENTITY, keys, identity_key, now)
        .invoke_async(&mut connection.clone())
        .await
        .during("delete_identity_sessions")
}

/// Prunes the due indexes of every registry shard: one script for all 256 shards, repeated only
/// while a batch comes back full.
pub(crate) async fn sweep(
    connection: &ConnectionManager,
    keys: &Keys,
    now: i64,
) -> Result<(), SessionError> {
    let mut connection = connection.clone();
    let mut invocation = scripts::SWEEP.prepare_invoke();
    for shard in keys.registry_shards() {
        invocation.key(shard);
    }
    invocation
        .arg(now)
        .arg(scripts::SWEEP_BATCH)
        .arg(keys.prefix());
    loop {
        let visited: u32 = invocation
            .invoke_async(&mut connection)
            .await
            .during("delete_expired")?;
        if visited < scripts::SWEEP_BATCH {
            return Ok(());
        }
    }
}
