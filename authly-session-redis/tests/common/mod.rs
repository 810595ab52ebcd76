//! What the Redis tests share: the servers named by the test variables, stores with fresh
//! prefixes on them, and raw access to the keyspace for checking what the store wrote.

#![allow(dead_code)] // each test target uses its own part of this module

use authly_session::testing::{server_url, unique_name};
use authly_session_redis::RedisStore;
use authly_session_redis::redis::{self, AsyncCommands};

/// A test server: one node, or the nodes of a cluster (all primaries).
pub enum Server {
    Single(String),
    Cluster(Vec<String>),
}

impl Server {
    /// The single node of `AUTHLY_TEST_REDIS_URL`, or `None` (with a line saying so) when unset.
    pub fn single() -> Option<Server> {
        server_url("AUTHLY_TEST_REDIS_URL").map(Server::Single)
    }

    /// The cluster of `AUTHLY_TEST_REDIS_CLUSTER_URLS` (comma-separated primaries), or `None`.
    pub fn cluster() -> Option<Server> {
        server_url("AUTHLY_TEST_REDIS_CLUSTER_URLS").map(|urls| {
            Server::Cluster(
                urls.split(',')
                    .map(|url| url.trim().to_owned())
                    .filter(|url| !url.is_empty())
                    .collect(),
            )
        })
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
        let store = store.expect("connect to the test server");
        store.with_prefix(&unique_name("authly_test"))
    }

    /// A raw connection that routes each command by its key.
    pub async fn raw(&self) -> Raw {
        match self {
            Server::Single(url) => Raw::Single(
                redis::Client::open(url.as_str())
                    .unwrap()
                    .get_multiplexed_async_connection()
                    .await
                    .unwrap(),
            ),
            Server::Cluster(urls) => Raw::Cluster(
                redis::cluster::ClusterClient::new(urls.clone())
                    .unwrap()
                    .get_async_connection()
                    .await
                    .unwrap(),
            ),
        }
    }

    /// Every key under `prefix:` on every node (SCAN is fine in tests), sorted.
    pub async fn keys(&self, prefix: &str) -> Vec<String> {
        let nodes = match self {
            Server::Single(url) => vec![url.clone()],
            Server::Cluster(urls) => urls.clone(),
        };
        let mut keys = Vec::new();
        for node in nodes {
            let mut connection = redis::Client::open(node.as_str())
                .unwrap()
                .get_multiplexed_async_connection()
                .await
                .unwrap();
            let mut cursor = 0u64;
            loop {
                let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
                    .arg(cursor)
                    .arg("MATCH")
                    .arg(format!("{prefix}:*"))
                    .arg("COUNT")
                    .arg(1000)
                    .query_async(&mut connection)
                    .await
                    .unwrap();
                keys.extend(batch);
                if next == 0 {
                    break;
                }
                cursor = next;
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
            let body: Vec<Vec<u8>> = match kind.as_str() {
                "hash" => raw.query(redis::cmd("HGETALL").arg(&key)).await,
                "zset" => {
                    raw.query(
                        redis::cmd("ZRANGE")
                            .arg(&key)
                            .arg(0)
                            .arg(-1)
                            .arg("WITHSCORES"),
                    )
                    .await
                }
                other => panic!("unexpected {other} key {key}"),
            };
            for item in body {
                out.push_str("  ");
                out.push_str(&String::from_utf8_lossy(&item));
                out.push('\n');
            }
        }
        out
    }
}

/// A raw connection to a test server.
pub enum Raw {
    Single(redis::aio::MultiplexedConnection),
    Cluster(redis::cluster_async::ClusterConnection),
}

impl Raw {
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
}

/// The documented key names (README, "Key layout"), spelled out independently of the crate.
pub mod layout {
    pub fn session(prefix: &str, handle: &str) -> String {
        format!("{prefix}:s:{handle}")
    }

    pub fn index(prefix: &str, identity_key: &str) -> String {
        format!("{prefix}:{{{}}}:i:{identity_key}", &identity_key[..2])
    }

    pub fn registry(prefix: &str, identity_key: &str) -> String {
        format!("{prefix}:{{{}}}:r", &identity_key[..2])
    }
}
