//! Raw redis-rs: a plain multiplexed connection (or cluster connection) sending the commands and
//! Lua scripts of `authly-session-redis` (the same script files, included from that crate's
//! `lua/`), with the same key names, hashing and JSON work as `RedisStore`.

use std::sync::LazyLock;

use authly_session::store_kit::{
    decode_payload, encode_payload, from_unix_micros, identity_key, to_unix_micros,
};
use authly_session::{Session, session_handle};
use authly_session_redis::redis::aio::MultiplexedConnection;
use authly_session_redis::redis::cluster_async::ClusterConnection;
use authly_session_redis::redis::{self, Script};
use chrono::Utc;

use super::{BenchError, Target, corrupt};

/// The directory of the store's Lua files.
macro_rules! lua {
    ($file:literal) => {
        include_str!(concat!("../../../authly-session-redis/lua/", $file))
    };
}

/// The store's script `body` as the store loads it: behind the shared `common.lua`.
fn store_script(body: &str) -> Script {
    Script::new(&[lua!("common.lua"), body].concat())
}

/// Single node: write a session and its index entry.
static SAVE: LazyLock<Script> = LazyLock::new(|| store_script(lua!("save.lua")));
/// Single node: delete a session and its index entry.
static REMOVE: LazyLock<Script> = LazyLock::new(|| store_script(lua!("remove.lua")));
/// Cluster: raise the handle's score in its identity index (first step of save).
static SHARD_INDEX: LazyLock<Script> = LazyLock::new(|| store_script(lua!("shard_index.lua")));
/// Cluster: write the session hash (second step of save).
static SHARD_WRITE: LazyLock<Script> = LazyLock::new(|| store_script(lua!("shard_write.lua")));

/// A connection to one server or to a cluster.
#[derive(Clone)]
pub enum RawConnection {
    /// One multiplexed connection to a single server.
    Single(MultiplexedConnection),
    /// The cluster client's connection.
    Cluster(ClusterConnection),
}

/// Raw redis-rs on one key prefix.
pub struct RawRedis {
    connection: RawConnection,
    prefix: String,
    context: String,
}

/// Milliseconds from `now` to `expires_at` (both unix µs), rounded up, at least 1.
fn ttl_millis(expires_at: i64, now: i64) -> i64 {
    expires_at
        .saturating_sub(now)
        .saturating_add(999)
        .div_euclid(1000)
        .max(1)
}

impl RawRedis {
    /// Raw commands on keys under `prefix`.
    pub fn new(connection: RawConnection, prefix: &str) -> Self {
        RawRedis {
            connection,
            prefix: prefix.to_owned(),
            context: format!("Redis keys under prefix {prefix:?}"),
        }
    }

    fn session_key(&self, handle: &str) -> String {
        format!("{}:s:{handle}", self.prefix)
    }

    fn index_key(&self, identity_key: &str) -> String {
        format!(
            "{}:{{{}}}:i:{identity_key}",
            self.prefix,
            &identity_key[..2]
        )
    }

    fn registry_key(&self, identity_key: &str) -> String {
        format!("{}:{{{}}}:r", self.prefix, &identity_key[..2])
    }

    async fn upsert(&self, session: &Session) -> Result<(), BenchError> {
        let handle = session_handle(&session.id);
        let ik = identity_key(&session.identity.provider_id, &session.identity.external_id);
        let payload = encode_payload(&session.identity, &session.metadata)?;
        let now = to_unix_micros(Utc::now());
        let expires_at = to_unix_micros(session.expires_at);
        let created_at = to_unix_micros(session.created_at);
        let last_seen_at = to_unix_micros(session.last_seen_at);
        let ttl = ttl_millis(expires_at, now);
        match &self.connection {
            RawConnection::Single(connection) => {
                SAVE.key(self.session_key(&handle))
                    .key(self.index_key(&ik))
                    .key(self.registry_key(&ik))
                    .arg(&payload)
                    .arg(expires_at)
                    .arg(&ik)
                    .arg(&handle)
                    .arg(ttl)
                    .arg(now)
                    .arg(&self.prefix)
                    .arg(created_at)
                    .arg(last_seen_at)
                    .arg("save")
                    .invoke_async::<()>(&mut connection.clone())
                    .await?;
            }
            RawConnection::Cluster(connection) => {
                let connection = &mut connection.clone();
                SHARD_INDEX
                    .key(self.index_key(&ik))
                    .key(self.registry_key(&ik))
                    .arg(&ik)
                    .arg(&handle)
                    .arg(expires_at)
                    .arg(ttl)
                    .arg(now)
                    .invoke_async::<()>(connection)
                    .await?;
                SHARD_WRITE
                    .key(self.session_key(&handle))
                    .arg(&payload)
                    .arg(expires_at)
                    .arg(&ik)
                    .arg(ttl)
                    .arg(created_at)
                    .arg(last_seen_at)
                    .arg("save")
                    .arg(now)
                    .invoke_async::<()>(connection)
                    .await?;
            }
        }
        Ok(())
    }

    async fn remove(&self, handle: &str) -> Result<(), BenchError> {
        match &self.connection {
            RawConnection::Single(connection) => {
                REMOVE
                    .key(self.session_key(handle))
                    .arg(handle)
                    .arg(&self.prefix)
                    .invoke_async::<()>(&mut connection.clone())
                    .await?;
            }
            RawConnection::Cluster(connection) => {
                redis::cmd("DEL")
                    .arg(self.session_key(handle))
                    .query_async::<()>(&mut connection.clone())
                    .await?;
            }
        }
        Ok(())
    }
}

impl Target for RawRedis {
    async fn load(&self, id: &str) -> Result<bool, BenchError> {
        let mut command = redis::cmd("HMGET");
        command
            .arg(self.session_key(&session_handle(id)))
            .arg("d")
            .arg("e")
            .arg("c")
            .arg("l");
        type Fields = [Option<Vec<u8>>; 4];
        let fields: Fields = match &self.connection {
            RawConnection::Single(c) => command.query_async(&mut c.clone()).await?,
            RawConnection::Cluster(c) => command.query_async(&mut c.clone()).await?,
        };
        let [Some(payload), Some(expiry), Some(created), Some(seen)] = fields else {
            return Ok(false);
        };
        let time = |field: &[u8]| {
            std::str::from_utf8(field)
                .ok()
                .and_then(|text| text.parse::<i64>().ok())
                .and_then(from_unix_micros)
                .ok_or_else(|| corrupt("time"))
        };
        let expires_at = time(&expiry)?;
        if expires_at <= Utc::now() {
            return Ok(false);
        }
        let payload = std::str::from_utf8(&payload).map_err(|_| corrupt("payload"))?;
        let payload = decode_payload(payload, &self.context)?;
        let session = Session {
            id: id.to_owned(),
            identity: payload.identity,
            created_at: time(&created)?,
            last_seen_at: time(&seen)?,
            expires_at,
            metadata: payload.metadata,
        };
        std::hint::black_box(session);
        Ok(true)
    }

    async fn save(&self, session: &Session) -> Result<(), BenchError> {
        self.upsert(session).await
    }

    async fn create_delete(&self, session: &Session) -> Result<(), BenchError> {
        self.upsert(session).await?;
        self.remove(&session_handle(&session.id)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttls_round_up_and_stay_positive() {
        assert_eq!(ttl_millis(1_000_001, 0), 1001);
        assert_eq!(ttl_millis(5, 0), 1);
        assert_eq!(ttl_millis(0, 10), 1);
    }
}
