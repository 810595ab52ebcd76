//! The plain key-value baseline on Redis: `GET` and `SET ... PXAT` of the same payload and times,
//! keyed by the session id, with no identity index. What a minimal session store costs; the
//! store's distance from it is what "where am I signed in" and "sign out everywhere" cost.

use authly_session::Session;
use authly_session::store_kit::{decode_payload, encode_payload, from_unix_micros, to_unix_micros};
use authly_session_redis::redis::aio::MultiplexedConnection;
use authly_session_redis::redis::cluster_async::ClusterConnection;
use authly_session_redis::redis::{self, Cmd};
use chrono::Utc;

use super::{BenchError, Target, corrupt};

/// A connection to one server or to a cluster.
#[derive(Clone)]
pub enum RawConnection {
    /// One multiplexed connection to a single server.
    Single(MultiplexedConnection),
    /// The cluster client's connection (one multiplexed connection per node).
    Cluster(ClusterConnection),
}

impl RawConnection {
    /// Runs `command`.
    pub async fn query<T: redis::FromRedisValue>(&self, command: &Cmd) -> Result<T, BenchError> {
        Ok(match self {
            RawConnection::Single(c) => command.query_async(&mut c.clone()).await?,
            RawConnection::Cluster(c) => command.query_async(&mut c.clone()).await?,
        })
    }
}

/// Plain `GET`/`SET` on keys under one prefix. A value is the three times (expires, created,
/// last seen: little-endian unix microseconds) followed by the store's JSON payload.
pub struct PlainRedis {
    connection: RawConnection,
    prefix: String,
    context: String,
}

/// Bytes of the three times before the payload.
const TIMES: usize = 24;

impl PlainRedis {
    /// Plain commands on keys under `prefix`.
    pub fn new(connection: RawConnection, prefix: &str) -> Self {
        PlainRedis {
            connection,
            prefix: prefix.to_owned(),
            context: format!("Redis keys under prefix {prefix:?}"),
        }
    }

    fn key(&self, id: &str) -> String {
        format!("{}:p:{id}", self.prefix)
    }

    /// `SET key value PXAT expiry [NX]`.
    fn set(&self, session: &Session, only_new: bool) -> Result<Cmd, BenchError> {
        let payload = encode_payload(&session.identity, &session.metadata)?;
        let expires_at = to_unix_micros(session.expires_at);
        let mut value = Vec::with_capacity(TIMES + payload.len());
        for time in [expires_at, to_unix_micros(session.created_at)] {
            value.extend_from_slice(&time.to_le_bytes());
        }
        value.extend_from_slice(&to_unix_micros(session.last_seen_at).to_le_bytes());
        value.extend_from_slice(payload.as_bytes());
        let mut command = redis::cmd("SET");
        command
            .arg(self.key(&session.id))
            .arg(value)
            .arg("PXAT")
            .arg(expires_at.div_euclid(1000) + 1);
        if only_new {
            command.arg("NX");
        }
        Ok(command)
    }
}

/// The `n`-th time of a stored value.
fn time_at(value: &[u8], n: usize) -> Result<chrono::DateTime<Utc>, BenchError> {
    let bytes: [u8; 8] = value[n * 8..n * 8 + 8]
        .try_into()
        .map_err(|_| corrupt("time"))?;
    from_unix_micros(i64::from_le_bytes(bytes)).ok_or_else(|| corrupt("time"))
}

impl Target for PlainRedis {
    async fn load(&self, id: &str) -> Result<bool, BenchError> {
        let value: Option<Vec<u8>> = self
            .connection
            .query(redis::cmd("GET").arg(self.key(id)))
            .await?;
        let Some(value) = value.filter(|v| v.len() > TIMES) else {
            return Ok(false);
        };
        let expires_at = time_at(&value, 0)?;
        if expires_at <= Utc::now() {
            return Ok(false);
        }
        let payload = std::str::from_utf8(&value[TIMES..]).map_err(|_| corrupt("payload"))?;
        let payload = decode_payload(payload, &self.context)?;
        let session = Session {
            id: id.to_owned(),
            identity: payload.identity,
            created_at: time_at(&value, 1)?,
            last_seen_at: time_at(&value, 2)?,
            expires_at,
            metadata: payload.metadata,
        };
        std::hint::black_box(session);
        Ok(true)
    }

    async fn save(&self, session: &Session) -> Result<(), BenchError> {
        self.connection
            .query::<()>(&self.set(session, false)?)
            .await
    }

    async fn create_delete(&self, session: &Session) -> Result<(), BenchError> {
        let created: Option<String> = self.connection.query(&self.set(session, true)?).await?;
        if created.is_none() {
            return Err(corrupt("a fresh id already taken"));
        }
        self.connection
            .query::<()>(redis::cmd("DEL").arg(self.key(&session.id)))
            .await
    }
}
