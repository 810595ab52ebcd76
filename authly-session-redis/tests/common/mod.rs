//! What the Redis tests share: the servers named by the test variables, stores with fresh
//! prefixes on them, and raw access to the keyspace for checking what the store wrote.

#![allow(dead_code)] // each test target uses its own part of this module

use authly_session::testing::{server_url, unique_name};
use authly_session_redis::RedisStore;
use authly_session_redis::redis::{self, AsyncCommands, ConnectionAddr, IntoConnectionInfo};

/// A test server: one node, or the nodes of a cluster (all primaries).
pub enum Server {
    Single(String),
    Cluster(Vec<String>),
}

impl Server {
    /// The single node of `AUTHLY_TEST_REDIS_URL`.
    ///
    /// # Panics
    ///
    /// When the variable is unset: tests that need it are `#[ignore]`d in a plain `cargo test`.
    pub fn single() -> Server {
        Server::Single(server_url("AUTHLY_TEST_REDIS_URL"))
    }

    /// The cluster of `AUTHLY_TEST_REDIS_CLUSTER_URLS` (comma-separated primaries).
    ///
    /// # Panics
    ///
    /// When the variable is unset: tests that need it are `#[ignore]`d in a plain `cargo test`.
    pub fn cluster() -> Server {
        let urls = server_url("AUTHLY_TEST_REDIS_CLUSTER_URLS");
        Server::Cluster(
            urls.split(',')
                .map(|url| url.trim().to_owned())
                .filter(|url| !url.is_empty())
                .collect(),
        )
    }

    /// "single node" or "cluster", for reports.
    pub fn describe(&self) -> &'static str {
        match self {
            Server::Single(_) => "single node",
            Server::Cluster(_) => "cluster",
        }
    }

    /// The URL of every node.
    fn nodes(&self) -> Vec<String> {
        match self {
            Server::Single(url) => vec![url.clone()],
            Server::Cluster(urls) => urls.clone(),
        }
    }

    /// `host:port` of a single node.
    ///
    /// # Panics
    ///
    /// For a cluster, or a node not reached over TCP.
    pub fn address(&self) -> String {
        let Server::Single(url) = self else {
            panic!("a cluster has no single address")
        };
        let info = url.as_str().into_connection_info().expect("test URL");
        match info.addr() {
            ConnectionAddr::Tcp(host, port) => format!("{host}:{port}"),
            other => panic!("a plain TCP server is needed, not {other:?}"),
        }
    }

    /// A store on this server under a prefix of its own.
    pub async fn store(&self) -> RedisStore {
        let store = match self {
            Server::Single(url) => RedisStore::connect(url).await,
            Server::Cluster(urls) => {
                let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
                RedisStore::connect_cluster(&urls).await
            }
        };
        store
            .expect("connect to the test server")
            .with_prefix(&unique_name("authly_test"))
            .expect("a valid prefix")
    }

    /// A raw connection that routes each command by its key.
    pub async fn raw(&self) -> Raw {
        match self {
            Server::Single(url) => Raw::Single(node(url).await),
            Server::Cluster(urls) => Raw::Cluster(
                redis::cluster::ClusterClient::new(urls.clone())
                    .unwrap()
                    .get_async_connection()
                    .await
                    .unwrap(),
            ),
        }
    }

    /// Every key under `prefix:` on every node, sorted.
    pub async fn keys(&self, prefix: &str) -> Vec<String> {
        let pattern = format!("{prefix}:*");
        let mut keys = Vec::new();
        for url in self.nodes() {
            let mut connection = node(&url).await;
            let mut scan = connection
                .scan_options::<String>(redis::ScanOptions::default().with_pattern(&pattern))
                .await
                .expect("SCAN");
            while let Some(key) = scan.next_item().await {
                keys.push(key.expect("a key name"));
            }
        }
        keys.sort();
        keys.dedup();
        keys
    }

    /// Every stored byte under `prefix:` as text: key names, hash fields and values, sorted-set
    /// members and scores.
    pub async fn dump(&self, prefix: &str) -> String {
        let mut raw = self.raw().await;
        let mut out = String::new();
        for key in self.keys(prefix).await {
            let kind: String = raw.query(redis::cmd("TYPE").arg(&key)).await;
            out.push_str(&format!("{key} ({kind})\n"));
            if kind == "string" {
                let value: Vec<u8> = raw.query(redis::cmd("GET").arg(&key)).await;
                out.push_str(&format!("  {}\n", String::from_utf8_lossy(&value)));
                continue;
            }
            let read = match kind.as_str() {
                "hash" => redis::cmd("HGETALL").arg(&key).clone(),
                "zset" => redis::cmd("ZRANGE")
                    .arg(&key)
                    .arg(0)
                    .arg(-1)
                    .arg("WITHSCORES")
                    .clone(),
                other => panic!("unexpected {other} key {key}"),
            };
            for item in raw.query::<Vec<Vec<u8>>>(&read).await {
                out.push_str(&format!("  {}\n", String::from_utf8_lossy(&item)));
            }
        }
        out
    }
}

/// A connection to the one node at `url`.
async fn node(url: &str) -> redis::aio::MultiplexedConnection {
    redis::Client::open(url)
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap()
}

/// A raw connection to a test server.
#[derive(Clone)]
pub enum Raw {
    Single(redis::aio::MultiplexedConnection),
    Cluster(redis::cluster_async::ClusterConnection),
}

impl Raw {
    /// Runs `cmd`.
    pub async fn try_query<T: redis::FromRedisValue>(
        &mut self,
        cmd: &redis::Cmd,
    ) -> redis::RedisResult<T> {
        match self {
            Raw::Single(c) => cmd.query_async(c).await,
            Raw::Cluster(c) => cmd.query_async(c).await,
        }
    }

    /// Runs `cmd`, panicking on failure.
    pub async fn query<T: redis::FromRedisValue>(&mut self, cmd: &redis::Cmd) -> T {
        let result = match self {
            Raw::Single(c) => cmd.query_async(c).await,
            Raw::Cluster(c) => cmd.query_async(c).await,
        };
        result.unwrap_or_else(|e| panic!("raw Redis command failed: {e}"))
    }

    /// `HSET key field value`.
    pub async fn hset(&mut self, key: &str, field: &str, value: &str) {
        let _: () = match self {
            Raw::Single(c) => c.hset(key, field, value).await,
            Raw::Cluster(c) => c.hset(key, field, value).await,
        }
        .unwrap();
    }

    /// The score of `member` in the sorted set `key`, as a whole number (scores are µs).
    pub async fn score(&mut self, key: &str, member: &str) -> i64 {
        let score: f64 = self.query(redis::cmd("ZSCORE").arg(key).arg(member)).await;
        score as i64
    }

    /// How many members the sorted set `key` has.
    pub async fn members(&mut self, key: &str) -> u64 {
        self.query(redis::cmd("ZCARD").arg(key)).await
    }

    /// `key`'s time to live in milliseconds (negative: none, or no key).
    pub async fn ttl(&mut self, key: &str) -> i64 {
        self.query(redis::cmd("PTTL").arg(key)).await
    }

    /// Whether `key` exists.
    pub async fn exists(&mut self, key: &str) -> bool {
        self.query(redis::cmd("EXISTS").arg(key)).await
    }
}

/// The documented key names (README, "Key layout"), spelled out independently of the crate.
pub mod layout {
    use authly_session::testing::{ForeignValue, StoredField};
    use authly_session_redis::redis;

    /// Writes `value` over its field of the session stored at `key`: a header field (19 bytes,
    /// the value right-aligned and zero-padded, cut to 19) or the payload after the header.
    pub async fn overwrite(raw: &mut super::Raw, key: &str, value: ForeignValue) {
        let stored: Vec<u8> = raw.query(redis::cmd("GET").arg(key)).await;
        let range = match value.field {
            StoredField::ExpiresAt => 0..19,
            StoredField::CreatedAt => 19..38,
            StoredField::LastSeenAt => 38..57,
            StoredField::Payload => 121..stored.len(),
            other => panic!("no Redis field for {other:?}"),
        };
        let mut text = value.value.as_bytes().to_vec();
        if value.field != StoredField::Payload {
            text.truncate(19);
            let mut padded = vec![b'0'; 19 - text.len()];
            padded.extend(text);
            text = padded;
        }
        let mut edited = stored;
        edited.splice(range, text);
        raw.query::<()>(redis::cmd("SET").arg(key).arg(edited).arg("KEEPTTL"))
            .await;
    }

    pub fn session(prefix: &str, handle: &str) -> String {
        format!("{prefix}:s:{handle}")
    }

    pub fn index(prefix: &str, identity_key: &str) -> String {
        format!("{prefix}:{{{}}}:i:{identity_key}", &identity_key[..2])
    }

    pub fn schema(prefix: &str) -> String {
        format!("{prefix}:schema")
    }
}
