//! Save and update: the session's string and its index entry. The index entry is raised first,
//! then the session written, so a failure between the two leaves only a harmless index entry.
//! On a single node both go in one round trip (a connection's commands run in order); on a
//! cluster, where they live in different slots, in two.

use authly_session::SessionError;
use authly_session::store_kit::{SessionRow, to_unix_micros};

use crate::RedisStore;
use crate::connection::Connection;
use crate::error::During;
use crate::scripts::{self, PRUNE_GRACE_MICROS};
use crate::stored::{self, expire_at_millis};

/// What a save or update writes.
pub(crate) struct Written {
    session: String,
    value: Vec<u8>,
    /// When Redis drops the session key (unix ms).
    expire_ms: i64,
    index: String,
    handle: String,
    /// The index score: the session's expires_at (µs).
    score: i64,
    /// When Redis may drop the index key (unix ms): the expiry plus the pruning grace.
    index_until_ms: i64,
}

impl Written {
    fn new(store: &RedisStore, row: &SessionRow) -> Self {
        let expire_ms = expire_at_millis(row.expires_at);
        Written {
            session: store.keys.session(&row.handle),
            value: stored::encode(row),
            expire_ms,
            index: store.keys.index(&row.identity_key),
            handle: row.handle.clone(),
            score: to_unix_micros(row.expires_at),
            index_until_ms: expire_ms.saturating_add(PRUNE_GRACE_MICROS / 1000),
        }
    }
}

/// Adds to `pipe` the commands that raise `handle`'s entry in `index` to at least `score` and
/// keep the index until `until_ms`: `ZADD GT`, then `PEXPIREAT NX` (a new index) and
/// `PEXPIREAT GT` (a later expiry).
pub(crate) fn raise(
    pipe: &mut redis::Pipeline,
    index: &str,
    handle: &str,
    score: i64,
    until_ms: i64,
) {
    pipe.cmd("ZADD")
        .arg(index)
        .arg("GT")
        .arg(score)
        .arg(handle)
        .ignore();
    for condition in ["NX", "GT"] {
        pipe.cmd("PEXPIREAT")
            .arg(index)
            .arg(until_ms)
            .arg(condition)
            .ignore();
    }
}

impl RedisStore {
    /// Inserts or replaces the session of `row`.
    pub(crate) async fn save_row(&self, row: &SessionRow) -> Result<(), SessionError> {
        const OPERATION: &str = "save_session";
        let w = Written::new(self, row);
        let mut connection = self.connection.clone();
        let mut pipe = redis::pipe();
        raise(&mut pipe, &w.index, &w.handle, w.score, w.index_until_ms);
        // One server runs a connection's commands in order: one round trip. A cluster keeps the
        // index in another slot: raise it first, then write the session.
        if let Connection::Cluster(_) = connection {
            pipe.query_async::<()>(&mut connection)
                .await
                .during(OPERATION)?;
            pipe = redis::pipe();
        }
        pipe.cmd("SET")
            .arg(&w.session)
            .arg(&w.value)
            .arg("PXAT")
            .arg(w.expire_ms)
            .ignore();
        pipe.query_async::<()>(&mut connection)
            .await
            .during(OPERATION)
    }

    /// Replaces the session of `row` if it is stored and live at `now` (µs), keeping its
    /// `created_at`; whether it was.
    pub(crate) async fn update_row(
        &self,
        row: &SessionRow,
        now: i64,
    ) -> Result<bool, SessionError> {
        const OPERATION: &str = "update_session";
        let w = Written::new(self, row);
        let fallback = self.fallback_time().await?;
        let mut connection = self.connection.clone();
        let mut update = scripts::UPDATE.key(&w.session);
        if let Connection::Cluster(_) = connection {
            let mut pipe = redis::pipe();
            raise(&mut pipe, &w.index, &w.handle, w.score, w.index_until_ms);
            pipe.query_async::<()>(&mut connection)
                .await
                .during(OPERATION)?;
        } else {
            update.key(&w.index);
        }
        update
            .arg(&w.value)
            .arg(w.expire_ms)
            .arg(now)
            .arg(fallback)
            .arg(&w.handle)
            .arg(w.score)
            .arg(w.index_until_ms)
            .invoke_async::<bool>(&mut connection)
            .await
            .during(OPERATION)
    }
}
