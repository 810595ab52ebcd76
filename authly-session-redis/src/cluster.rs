//! Redis Cluster operations. A session and its identity index live in different slots, so an
//! operation is a short sequence of single-slot steps, ordered so that every crash or race leaves
//! only harmless leftovers:
//!
//! - Invariant: while a session of identity `I` is live, `I`'s index holds its handle with a
//!   score at least its `expires_at`. Writers raise the index score (`ZADD GT`) *before* writing
//!   the session; index entries are only ever removed once their score has passed.
//! - So the index may hold stale entries (deleted sessions, sessions since saved for another
//!   identity). Readers verify every entry against the session hash (present, same identity
//!   key, live), and stale entries disappear once their score is 5 minutes past by the server's
//!   clock (pruning on the next write to the index, `delete_expired`, or the index key's own
//!   TTL): never by an app instance's clock, which may run ahead.
//! - Listing and sign-out walk the index with `ZSCAN`, a page per command: an entry indexed for
//!   the whole walk is visited at least once, however its score moves meanwhile.
//!
//! Removing an index entry right away on delete would be unsafe across slots: a concurrent save
//! of the same session could be indexed in between and lose its entry, hiding a live session
//! from "sign out everywhere".

use std::collections::HashSet;
use std::future::Future;

use authly_session::SessionError;
use authly_session::store_kit::{SessionRow, skip_corrupt, to_unix_micros};
use futures_util::future::try_join_all;
use redis::AsyncCommands;
use redis::cluster_async::ClusterConnection;

use crate::error::{Conflict, During};
use crate::keys::Keys;
use crate::scripts;
use crate::stored::{self, Stored, expire_at_millis};
use crate::write::Write;

/// The `d`, `e`, `k`, `c` and `l` fields of a session hash, each absent when the session is (and
/// `c`, `l` in a hash written by schema version 1).
type Fields = (
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
);

/// How often touch starts over when the session changes identity under it.
const TOUCH_ATTEMPTS: usize = 3;

/// Step 1 of save and touch: raise `handle`'s score in the index of `identity_key`.
async fn raise_index(
    connection: &mut ClusterConnection,
    keys: &Keys,
    operation: &'static str,
    identity_key: &str,
    handle: &str,
    expires_at: i64,
) -> Result<(), SessionError> {
    scripts::SHARD_INDEX
        .key(keys.index(identity_key))
        .key(keys.registry(identity_key))
        .arg(identity_key)
        .arg(handle)
        .arg(expires_at)
        .invoke_async::<()>(connection)
        .await
        .during(operation)
}

/// Save (upsert) or update (only a live session) `row`; whether it was written. The index is
/// raised first, so an update that finds the session gone leaves only a harmless index entry.
pub(crate) async fn write(
    connection: &ClusterConnection,
    keys: &Keys,
    row: &SessionRow,
    now: i64,
    write: Write,
) -> Result<bool, SessionError> {
    let connection = &mut connection.clone();
    let expires_at = to_unix_micros(row.expires_at);
    raise_index(
        connection,
        keys,
        write.operation(),
        &row.identity_key,
        &row.handle,
        expires_at,
    )
    .await?;
    scripts::SHARD_WRITE
        .key(keys.session(&row.handle))
        .arg(&row.payload)
        .arg(expires_at)
        .arg(&row.identity_key)
        .arg(expire_at_millis(expires_at))
        .arg(to_unix_micros(row.created_at))
        .arg(to_unix_micros(row.last_seen_at))
        .arg(write.mode())
        .arg(now)
        .invoke_async::<bool>(connection)
        .await
        .during(write.operation())
}

/// Deletes the session hash; its index entry goes once its score passes.
pub(crate) async fn remove(
    connection: &ClusterConnection,
    keys: &Keys,
    operation: &'static str,
    handle: &str,
) -> Result<(), SessionError> {
    let connection = &mut connection.clone();
    connection
        .del::<_, ()>(keys.session(handle))
        .await
        .during(operation)
}

/// Moves a live session's expiry in single-slot steps: read its expiry and identity key, raise
/// its score in that identity's index, then move the hash's expiry if the identity is still the
/// one indexed (starting over, at most 3 times, when it changed meanwhile). A time `<= now` ends
/// the session in one step.
pub(crate) async fn touch(
    connection: &ClusterConnection,
    keys: &Keys,
    handle: &str,
    expires_at: i64,
    now: i64,
) -> Result<bool, SessionError> {
    const OPERATION: &str = "touch_session";
    let connection = &mut connection.clone();
    let session = keys.session(handle);
    if expires_at <= now {
        return scripts::SHARD_END
            .key(&session)
            .arg(now)
            .invoke_async(connection)
            .await
            .during(OPERATION);
    }
    for _ in 0..TOUCH_ATTEMPTS {
        let (stored_expiry, identity_key): (Option<Vec<u8>>, Option<String>) = redis::cmd("HMGET")
            .arg(&session)
            .arg("e")
            .arg("k")
            .query_async(connection)
            .await
            .during(OPERATION)?;
        let (Some(stored_expiry), Some(identity_key)) = (stored_expiry, identity_key) else {
            return Ok(false);
        };
        let stored_expiry = stored::decode_time(keys.context(), &stored_expiry, "expires_at")?;
        if to_unix_micros(stored_expiry) <= now {
            return Ok(false);
        }
        raise_index(
            connection,
            keys,
            OPERATION,
            &identity_key,
            handle,
            expires_at,
        )
        .await?;
        let moved: i64 = scripts::SHARD_TOUCH
            .key(&session)
            .arg(&identity_key)
            .arg(expires_at)
            .arg(expire_at_millis(expires_at))
            .arg(now)
            .invoke_async(connection)
            .await
            .during(OPERATION)?;
        match moved {
            1 => return Ok(true),
            0 => return Ok(false),
            _ => tracing::debug!("touch_session: the session changed identity meanwhile, retrying"),
        }
    }
    Err(SessionError::backend(
        OPERATION,
        Conflict("the session kept changing identity during touch_session"),
    ))
}

/// `each(connection, handle, session key)` for every handle indexed for `identity_key` (a
/// superset of its live sessions), a `ZSCAN` page at a time with the page's calls all in flight
/// at once; their results. A handle indexed for the whole walk is visited at least once.
async fn for_each_indexed<T, F, Fut>(
    connection: &ClusterConnection,
    keys: &Keys,
    operation: &'static str,
    identity_key: &str,
    each: F,
) -> Result<Vec<T>, SessionError>
where
    F: Fn(ClusterConnection, String, String) -> Fut,
    Fut: Future<Output = Result<T, SessionError>>,
{
    let index = keys.index(identity_key);
    let mut results = Vec::new();
    let mut seen = HashSet::new();
    let mut cursor = 0u64;
    loop {
        let (next, entries): (u64, Vec<(String, f64)>) = redis::cmd("ZSCAN")
            .arg(&index)
            .arg(cursor)
            .arg("COUNT")
            .arg(scripts::PAGE)
            .query_async(&mut connection.clone())
            .await
            .during(operation)?;
        let page = entries
            .into_iter()
            .map(|(handle, _score)| handle)
            .filter(|handle| seen.insert(handle.clone()));
        let done = try_join_all(page.map(|handle| {
            let session = keys.session(&handle);
            each(connection.clone(), handle, session)
        }))
        .await?;
        results.extend(done);
        if next == 0 {
            return Ok(results);
        }
        cursor = next;
    }
}

pub(crate) async fn list(
    connection: &ClusterConnection,
    keys: &Keys,
    identity_key: &str,
    now: i64,
) -> Result<Vec<(String, Stored)>, SessionError> {
    const OPERATION: &str = "list_identity_sessions";
    let fetched = for_each_indexed(
        connection,
        keys,
        OPERATION,
        identity_key,
        |mut connection, handle, session| async move {
            let fields: Fields = redis::cmd("HMGET")
                .arg(session)
                .arg("d")
                .arg("e")
                .arg("k")
                .arg("c")
                .arg("l")
                .query_async(&mut connection)
                .await
                .during(OPERATION)?;
            Ok((handle, fields))
        },
    )
    .await?;
    let mut sessions = Vec::new();
    for (handle, fields) in fetched {
        // Gone, or since saved for another identity: a stale index entry.
        let (Some(payload), Some(expiry), Some(owner), created_at, last_seen_at) = fields else {
            continue;
        };
        if owner != identity_key.as_bytes() {
            continue;
        }
        let decoded = stored::decode(
            keys.context(),
            &payload,
            &expiry,
            created_at.as_deref(),
            last_seen_at.as_deref(),
        );
        let Some(stored) = skip_corrupt(decoded, keys.context(), &handle)? else {
            continue;
        };
        if to_unix_micros(stored.expires_at) > now {
            sessions.push((handle, stored));
        }
    }
    Ok(sessions)
}

pub(crate) async fn delete_identity(
    connection: &ClusterConnection,
    keys: &Keys,
    identity_key: &str,
) -> Result<u64, SessionError> {
    const OPERATION: &str = "delete_identity_sessions";
    let removed = for_each_indexed(
        connection,
        keys,
        OPERATION,
        identity_key,
        |mut connection, _handle, session| async move {
            scripts::SHARD_DELETE_OWNED
                .key(session)
                .arg(identity_key)
                .invoke_async::<u64>(&mut connection)
                .await
                .during(OPERATION)
        },
    )
    .await?;
    Ok(removed.into_iter().sum())
}

/// Prunes the due indexes of every registry shard: one script per shard (each in its own slot),
/// all in flight at once, each repeated while it stops at its budget.
pub(crate) async fn sweep(connection: &ClusterConnection, keys: &Keys) -> Result<(), SessionError> {
    let sweeps = keys.registry_shards().map(|shard| {
        let mut connection = connection.clone();
        async move {
            while scripts::SWEEP
                .key(&shard)
                .arg(scripts::PAGE)
                .arg(keys.prefix())
                .invoke_async::<bool>(&mut connection)
                .await
                .during("delete_expired")?
            {}
            Ok::<(), SessionError>(())
        }
    });
    try_join_all(sweeps).await.map(drop)
}
