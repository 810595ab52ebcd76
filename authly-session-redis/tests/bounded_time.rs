//! Semantic 27, bounded time, on Redis: while the server does not answer, every operation gives
//! up with a timeout error within its bound, and the same store works once the server answers.
//!
//! The single node is reached through a [`FaultProxy`] in front of `AUTHLY_TEST_REDIS_URL`,
//! which blackholes the store's connections. A cluster's nodes announce their own addresses, so
//! no proxy can sit in front of them: the cluster test starts a one-node cluster of its own on
//! a free port and freezes its process (`SIGSTOP`, then `SIGCONT`): the node keeps accepting
//! connections and never answers, like a blackholed one. The shared servers are never touched.
//! (`CLIENT PAUSE ... ALL` would do too, but it also holds back the `CLIENT UNPAUSE` of every
//! connection but a fresh `redis-cli`.)

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use authly_session::testing::{self, FaultProxy, server_url, unique_name};
use authly_session_redis::RedisStore;
use authly_session_redis::redis;

/// The stores' timeout in these tests: short, so they take seconds.
const TIMEOUT: Duration = Duration::from_secs(2);

/// How long an operation may take to give up: the timeout and a margin for the scheduler.
const BOUND: Duration = Duration::from_secs(3);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs AUTHLY_TEST_REDIS_URL"]
async fn single_node_operations_time_out_on_a_blackholed_connection_and_recover() {
    let (proxy, url) = FaultProxy::in_front_of(&server_url("AUTHLY_TEST_REDIS_URL"))
        .await
        .expect("start the proxy");
    let store = RedisStore::connect(&url)
        .await
        .expect("connect through the proxy")
        .with_prefix(&unique_name("authly_bounded"))
        .expect("a valid prefix")
        .with_timeout(TIMEOUT);
    println!("Redis single node behind a blackholing proxy:");
    testing::check_bounded_time(&store, &proxy, BOUND).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs redis-server on the PATH (the test starts its own cluster)"]
async fn cluster_operations_time_out_while_the_node_is_frozen_and_recover() {
    let node = OwnClusterNode::start().await;
    let url = node.url();
    let store = RedisStore::connect_cluster(&[url.as_str()])
        .await
        .expect("connect to the test's own cluster")
        .with_prefix(&unique_name("authly_bounded"))
        .expect("a valid prefix")
        .with_timeout(TIMEOUT);
    println!("Redis Cluster with its node frozen:");
    testing::check_bounded_time_with(
        &store,
        async { node.signal("STOP") },
        async { node.signal("CONT") },
        BOUND,
    )
    .await;
}

/// A one-node Redis Cluster (all 16384 slots on it) on a free port, killed when dropped.
struct OwnClusterNode {
    server: Child,
    port: u16,
    directory: std::path::PathBuf,
}

impl OwnClusterNode {
    /// Starts the node and waits until its cluster state is `ok`.
    async fn start() -> OwnClusterNode {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let directory = std::env::temp_dir().join(unique_name("authly_cluster_node"));
        std::fs::create_dir_all(&directory).expect("a directory for the node");
        let server = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args([
                "--cluster-enabled",
                "yes",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(&directory)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server on the PATH");
        let node = OwnClusterNode {
            server,
            port,
            directory,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut slots_added = false;
        loop {
            assert!(
                Instant::now() < deadline,
                "the test's own cluster node was not ready in 10 s"
            );
            if let Ok(mut connection) = node.try_connection().await {
                if !slots_added {
                    let added: redis::RedisResult<()> = redis::cmd("CLUSTER")
                        .arg("ADDSLOTSRANGE")
                        .arg(0)
                        .arg(16383)
                        .query_async(&mut connection)
                        .await;
                    slots_added = added.is_ok();
                }
                let info: redis::RedisResult<String> = redis::cmd("CLUSTER")
                    .arg("INFO")
                    .query_async(&mut connection)
                    .await;
                if info.is_ok_and(|info| info.contains("cluster_state:ok")) {
                    return node;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    async fn try_connection(&self) -> redis::RedisResult<redis::aio::MultiplexedConnection> {
        redis::Client::open(self.url())?
            .get_multiplexed_async_connection()
            .await
    }

    /// Sends `SIGSTOP`, `SIGCONT`, ... to the node's process (this test's own child).
    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.server.id().to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{signal} failed: {status}");
    }
}

impl Drop for OwnClusterNode {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
        let _ = std::fs::remove_dir_all(&self.directory);
    }
}
