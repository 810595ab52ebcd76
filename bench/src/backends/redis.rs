//! Redis (single node or cluster): `RedisStore::connect` / `connect_cluster` against the plain
//! key-value workload on a redis-rs connection (`GET`/`SET`, no identity index) and against
//! tower-sessions' Redis store on fred, each on one multiplexed connection per node.

use std::time::Duration;

use authly_session_redis::RedisStore;
use authly_session_redis::redis::cluster::ClusterClient;
use authly_session_redis::redis::{
    self, AsyncCommands, AsyncConnectionConfig, Client, ScanOptions,
};
use authly_test_servers::Backend;

use super::{Job, Measured, store_side, table_name};
use crate::report::Role;
use crate::run::{Side, run_cells};
use crate::targets::BenchError;
use crate::targets::plain_redis::{PlainRedis, RawConnection};
use crate::targets::tower_redis;

/// The timeouts `RedisStore::connect` sets (`authly-session-redis/src/connection.rs`, which
/// keeps them private: the store does not report them).
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(2);
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(5);

/// Keys removed per `UNLINK` during cleanup.
const CLEANUP_BATCH: usize = 500;

/// Measures `RedisStore`, plain redis-rs and tower-sessions' store under fresh key prefixes (the
/// peer store keys by its own ids, under no prefix: cleaned up by its ids), removed afterwards.
/// `urls` holds one server, or (for `redis-cluster`) any nodes of a cluster.
pub async fn measure(backend: Backend, urls: &[&str], job: &Job) -> Result<Measured, BenchError> {
    let prefixes = [table_name("store"), table_name("plain")];
    let result = measure_with(backend, urls, &prefixes, job).await;
    let cleanup = cleanup(urls, &prefixes).await;
    let measured = result?;
    cleanup?;
    Ok(measured)
}

async fn measure_with(
    backend: Backend,
    urls: &[&str],
    [store_prefix, plain_prefix]: &[String; 2],
    job: &Job,
) -> Result<Measured, BenchError> {
    let cluster = backend == Backend::RedisCluster;
    let (store, plain, store_setup, plain_setup) = if cluster {
        let store = RedisStore::connect_cluster(urls).await?;
        let client = ClusterClient::builder(urls.iter().copied())
            .connection_timeout(CONNECTION_TIMEOUT)
            .response_timeout(RESPONSE_TIMEOUT)
            .build()?;
        let raw = RawConnection::Cluster(client.get_async_connection().await?);
        (
            store,
            raw,
            "`RedisStore::connect_cluster`: the cluster client (one multiplexed connection per \
             node)",
            "plain redis-rs: its own cluster client with the store's timeouts; GET, SET PXAT \
             (NX for create), DEL; no identity index",
        )
    } else {
        let store = RedisStore::connect(urls[0]).await?;
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(CONNECTION_TIMEOUT))
            .set_response_timeout(Some(RESPONSE_TIMEOUT));
        let connection = Client::open(urls[0])?
            .get_multiplexed_async_connection_with_config(&config)
            .await?;
        (
            store,
            RawConnection::Single(connection),
            "`RedisStore::connect`: one multiplexed connection (reconnecting `ConnectionManager`)",
            "plain redis-rs: one multiplexed connection with the store's timeouts; GET, SET PXAT \
             (NX for create), DEL; no identity index",
        )
    };
    let version = server_version(urls[0]).await?;
    let tower = tower_redis::connect(urls, &job.workload).await?;
    let tower_keys = tower.keys();
    let sides = vec![
        store_side(
            job.aa,
            store_setup.into(),
            store.with_prefix(store_prefix)?,
            || PlainRedis::new(plain.clone(), store_prefix),
        ),
        Side::new(
            "plain",
            Role::Plain,
            plain_setup.into(),
            PlainRedis::new(plain.clone(), plain_prefix),
        ),
        Side::new(
            "tower-sessions",
            Role::Peer,
            "tower-sessions-redis-store 0.16 (fred 10): one fred client (one connection per \
             node) with a 2 s connect and 5 s command timeout; msgpack records, SET EXAT (NX to \
             create, XX to save), GET, DEL; no identity index"
                .into(),
            tower,
        ),
    ];
    let cells = run_cells(backend, &sides, job).await;
    for key in tower_keys {
        plain.query::<()>(redis::cmd("UNLINK").arg(key)).await?;
    }
    let cells = cells?;
    let mode = if cluster {
        format!(" (cluster of {} nodes given)", urls.len())
    } else {
        String::new()
    };
    Ok(Measured {
        server: format!("Redis {version}{mode}"),
        sides: sides.into_iter().map(|s| s.info).collect(),
        cells,
        cleanup: None,
    })
}

async fn server_version(url: &str) -> Result<String, BenchError> {
    let mut connection = Client::open(url)?
        .get_multiplexed_async_connection()
        .await?;
    let info: String = redis::cmd("INFO")
        .arg("server")
        .query_async(&mut connection)
        .await?;
    Ok(info
        .lines()
        .find_map(|line| line.strip_prefix("redis_version:"))
        .unwrap_or("(unknown version)")
        .trim()
        .to_owned())
}

/// Removes every key under the prefixes from every given node (on a cluster, each node's
/// `SCAN` sees only its own keys, which single-key `UNLINK`s there may delete).
async fn cleanup(urls: &[&str], prefixes: &[String; 2]) -> Result<(), BenchError> {
    for url in urls {
        let mut connection = Client::open(*url)?
            .get_multiplexed_async_connection()
            .await?;
        for prefix in prefixes {
            let pattern = ScanOptions::default()
                .with_pattern(format!("{prefix}:*"))
                .with_count(1000);
            let mut scan = connection.scan_options::<String>(pattern).await?;
            let mut keys = Vec::new();
            while let Some(key) = scan.next_item().await {
                keys.push(key?);
            }
            drop(scan);
            for batch in keys.chunks(CLEANUP_BATCH) {
                let mut pipe = redis::pipe();
                for key in batch {
                    pipe.cmd("UNLINK").arg(key).ignore();
                }
                pipe.query_async::<()>(&mut connection).await?;
            }
        }
    }
    Ok(())
}
