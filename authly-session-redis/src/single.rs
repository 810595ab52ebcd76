//! Single-node operations: each is one script (`EVALSHA`) or command, so one round trip, and
//! atomic: a session and its index entry always change together.

use std::collections::HashSet;

use authly_session::SessionError;
use authly_session::store_kit::{SessionRow, skip_corrupt, to_unix_micros};
use redis::aio::ConnectionManager;

use crate::error::During;
use crate::keys::Keys;
use crate::scripts;
use crate::stored::{self, Stored, expire_at_millis};
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
        .arg(expire_at_millis(expires_at))
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
        .arg(expire_at_millis(expires_at))
        .arg(now)
        .arg(keys.prefix())
        .invoke_async::<bool>(&mut connection.clone())
        .await
        .during("touch_session")
}

pub(crate) async fn list(
    connection: &ConnectionManager,
    keys: &Keys,
    identity_key: &str,
    now: i64,
) -> Result<Vec<(String, Stored)>, SessionError> {
    const OPERATION: &str = "list_identity_sessions";
    let mut connection = connection.clone();
    let mut sessions = Vec::new();
    let mut seen = HashSet::new();
    let mut cursor = 0u64;
    loop {
        let flat: Vec<Option<Vec<u8>>> = scripts::LIST
            .key(keys.index(identity_key))
            .arg(identity_key)
            .arg(now)
            .arg(keys.prefix())
            .arg(cursor)
            .arg(scripts::PAGE)
            .invoke_async(&mut connection)
            .await
            .during(OPERATION)?;
        let Some((Some(next), page)) = flat.split_first() else {
            return Err(SessionError::corrupt(
                keys.context(),
                "a listing page lacks its cursor",
            ));
        };
        let next = std::str::from_utf8(next)
            .ok()
            .and_then(|next| next.parse::<u64>().ok())
            .ok_or_else(|| {
                SessionError::corrupt(keys.context(), "a listing cursor is not a number")
            })?;
        for entry in page.chunks_exact(5) {
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
            let handle = String::from_utf8(handle.clone()).map_err(|_| {
                SessionError::corrupt(keys.context(), "an index entry is not UTF-8")
            })?;
            if !seen.insert(handle.clone()) {
                continue;
            }
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
        if next == 0 {
            return Ok(sessions);
        }
        cursor = next;
    }
}

/// Deletes every session of the identity, a batch of index entries per script, until its index
/// is empty: no script does work that grows with the identity's session count.
pub(crate) async fn delete_identity(
    connection: &ConnectionManager,
    keys: &Keys,
    identity_key: &str,
) -> Result<u64, SessionError> {
    let mut connection = connection.clone();
    let mut removed = 0;
    loop {
        let (deleted, left): (u64, u64) = scripts::DELETE_IDENTITY
            .key(keys.index(identity_key))
            .key(keys.registry(identity_key))
            .arg(identity_key)
            .arg(keys.prefix())
            .arg(scripts::PAGE)
            .invoke_async(&mut connection)
            .await
            .during("delete_identity_sessions")?;
        removed += deleted;
        if left == 0 {
            return Ok(removed);
        }
    }
}

/// Prunes the due indexes of every registry shard: one script for all 256 shards, repeated
/// while it stops at its budget.
pub(crate) async fn sweep(connection: &ConnectionManager, keys: &Keys) -> Result<(), SessionError> {
    let mut connection = connection.clone();
    let mut invocation = scripts::SWEEP.prepare_invoke();
    for shard in keys.registry_shards() {
        invocation.key(shard);
    }
    invocation.arg(scripts::PAGE).arg(keys.prefix());
    while invocation
        .invoke_async::<bool>(&mut connection)
        .await
        .during("delete_expired")?
    {}
    Ok(())
}
