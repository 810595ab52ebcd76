//! The Redis peer: tower-sessions' Redis store (`tower-sessions-redis-store`, on fred). It has no
//! identity index.

use std::time::Duration;

use tower_sessions_redis_store::RedisStore;
use tower_sessions_redis_store::fred::prelude::{Builder, Client, ClientLike, Config};

use super::BenchError;
use super::tower::Tower;
use crate::workload::Workload;

/// tower-sessions' Redis store on one fred client.
pub type TowerRedis = Tower<RedisStore<Client>>;

/// Connects one fred client (one connection to a server, or one per cluster node: the same
/// layout as the store's) with the store's 2 s connect and 5 s command timeouts.
pub async fn connect(urls: &[&str], workload: &Workload) -> Result<TowerRedis, BenchError> {
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
    Tower::new(RedisStore::new(client), workload)
}
