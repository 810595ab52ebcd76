//! The peer store: tower-sessions' Redis store (`tower-sessions-redis-store`, on fred), keeping
//! the same identity, metadata and times in its session record. It has no identity index.

use std::collections::HashMap;
use std::time::Duration;

use authly_session::store_kit::{sha256_hex, to_unix_micros};
use authly_session::{Identity, Session};
use time::OffsetDateTime;
use tower_sessions_core::SessionStore as _;
use tower_sessions_core::session::{Id, Record};
use tower_sessions_redis_store::RedisStore;
use tower_sessions_redis_store::fred::prelude::{Builder, Client, ClientLike, Config};

use super::{BenchError, Target, corrupt};

/// tower-sessions' Redis store on one fred client, with the records of the pre-populated
/// sessions as an application holds them between requests.
pub struct TowerRedis {
    store: RedisStore<Client>,
    records: HashMap<String, Record>,
}

impl TowerRedis {
    /// Connects one fred client (one connection to a server, or one per cluster node: the same
    /// layout as the store's) with the store's 2 s connect and 5 s command timeouts.
    pub async fn connect(urls: &[&str], sessions: &[Session]) -> Result<Self, BenchError> {
        let config = match urls {
            [url] => Config::from_url(url)?,
            [first, rest @ ..] => {
                let nodes: Vec<String> = rest
                    .iter()
                    .map(|url| format!("node={}", url.trim_start_matches("redis://")))
                    .collect();
                Config::from_url_clustered(&format!("{first}?{}", nodes.join("&")))?
            }
            [] => return Err("no Redis URL".into()),
        };
        let client = Builder::from_config(config)
            .with_connection_config(|c| c.connection_timeout = Duration::from_secs(2))
            .with_performance_config(|p| p.default_command_timeout = Duration::from_secs(5))
            .build()?;
        client.init().await?;
        let records = sessions
            .iter()
            .map(|session| Ok((session.id.clone(), record(session)?)))
            .collect::<Result<_, BenchError>>()?;
        Ok(TowerRedis {
            store: RedisStore::new(client),
            records,
        })
    }
}

impl TowerRedis {
    /// The keys the pre-populated records live under (tower-sessions keys by its id alone).
    pub fn keys(&self) -> Vec<String> {
        self.records.values().map(|r| r.id.to_string()).collect()
    }
}

/// tower-sessions' id for a session: 128 bits of the SHA-256 of our id.
fn tower_id(id: &str) -> Id {
    let hex = sha256_hex(id.as_bytes());
    Id(u128::from_str_radix(&hex[..32], 16).unwrap_or_default() as i128)
}

/// The record an application using tower-sessions keeps for `session`.
fn record(session: &Session) -> Result<Record, BenchError> {
    let data = HashMap::from([
        (
            "identity".to_owned(),
            serde_json::to_value(&session.identity)?,
        ),
        (
            "metadata".to_owned(),
            serde_json::to_value(&session.metadata)?,
        ),
        (
            "created_at".to_owned(),
            to_unix_micros(session.created_at).into(),
        ),
        (
            "last_seen_at".to_owned(),
            to_unix_micros(session.last_seen_at).into(),
        ),
    ]);
    Ok(Record {
        id: tower_id(&session.id),
        data,
        expiry_date: expiry(session)?,
    })
}

fn expiry(session: &Session) -> Result<OffsetDateTime, BenchError> {
    let nanos = session
        .expires_at
        .timestamp_nanos_opt()
        .ok_or("expiry out of range")?;
    Ok(OffsetDateTime::from_unix_timestamp_nanos(nanos.into())?)
}

impl Target for TowerRedis {
    async fn load(&self, id: &str) -> Result<bool, BenchError> {
        let Some(mut record) = self.store.load(&tower_id(id)).await? else {
            return Ok(false);
        };
        let identity = record
            .data
            .remove("identity")
            .ok_or_else(|| corrupt("no identity"))?;
        let identity: Identity = serde_json::from_value(identity)?;
        std::hint::black_box((identity, record));
        Ok(true)
    }

    /// Saves the application's record of a pre-populated session with the new expiry (`SET XX`).
    async fn save(&self, session: &Session) -> Result<(), BenchError> {
        let mut record = self
            .records
            .get(&session.id)
            .cloned()
            .ok_or_else(|| corrupt("an unknown session"))?;
        record.expiry_date = expiry(session)?;
        Ok(self.store.save(&record).await?)
    }

    async fn insert(&self, session: &Session) -> Result<(), BenchError> {
        let mut record = record(session)?;
        Ok(self.store.create(&mut record).await?)
    }

    /// Signs in (`create`: the record built from the identity, `SET NX`), then deletes.
    async fn create_delete(&self, session: &Session) -> Result<(), BenchError> {
        let mut record = record(session)?;
        self.store.create(&mut record).await?;
        Ok(self.store.delete(&record.id).await?)
    }
}
