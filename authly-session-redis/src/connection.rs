//! The two ways a store reaches Redis: one server through a reconnecting `ConnectionManager`, or
//! a Redis Cluster through the cluster client, supervised (`cluster.rs`). Both are cheap to clone
//! and multiplex every request over shared connections, so clones never queue behind a lock.

use std::time::Duration;

use authly_session::SessionError;
use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster::{ClusterClient, ClusterClientBuilder};
use redis::{Cmd, Pipeline, RedisFuture, Value};

use crate::cluster::Cluster;

/// How long one attempt to open a connection may take.
pub(crate) const CONNECTION_TIMEOUT: Duration = Duration::from_secs(2);

/// How long a command may wait for its reply; a stopped or unreachable server gives an error by
/// then instead of a hang.
pub(crate) const RESPONSE_TIMEOUT: Duration = Duration::from_secs(5);

/// Reconnection attempts after a failed one, before requests fail (and the next request starts
/// over): with the timeouts above, a lost single server turns into errors within about 7 s.
const RECONNECT_RETRIES: usize = 2;

/// The longest pause between reconnection attempts.
const RECONNECT_MAX_DELAY: Duration = Duration::from_millis(500);

/// The shortest pause (ms) before the cluster client retries a command the cluster refused for
/// now (`TRYAGAIN` while a slot migrates, `CLUSTERDOWN`, a lost node). redis-rs waits at least
/// 1.28 s by default, which turns a migration's `TRYAGAIN` into a timeout.
const CLUSTER_MIN_RETRY_WAIT_MS: u64 = 5;

/// The longest such pause (ms): the pauses grow from 5-20 ms by doubling up to this, so a
/// command refused during a migration is answered within about 50 ms of the slot settling.
const CLUSTER_MAX_RETRY_WAIT_MS: u64 = 50;

/// Retries of one command, each after such a pause (0.5 to 1.2 s of retrying in all): a command
/// to a crashed primary's slots fails after that, while the cluster cannot serve them. The
/// response timeout bounds a command's retries as a whole.
const CLUSTER_RETRIES: u32 = 24;

/// A shared connection to a single server or to a cluster.
#[derive(Clone)]
pub(crate) enum Connection {
    /// One server (or a primary behind a proxy): every operation is one script or command.
    Single(ConnectionManager),
    /// A Redis Cluster: every command touches one slot; operations split their work per slot.
    Cluster(Cluster),
}

impl Connection {
    /// Connects to the server at `url`, with the timeouts above.
    pub(crate) async fn single(url: &str) -> Result<Self, SessionError> {
        ensure_crypto_provider();
        let client = redis::Client::open(url).map_err(|e| {
            SessionError::configuration(format!("invalid Redis URL: {}", explain(&e)))
        })?;
        let address = client.get_connection_info().addr().to_string();
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(CONNECTION_TIMEOUT))
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            .set_number_of_retries(RECONNECT_RETRIES)
            .set_max_delay(RECONNECT_MAX_DELAY);
        let manager = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(|e| SessionError::backend(format!("connect to Redis at {address}"), e))?;
        Ok(Connection::Single(manager))
    }

    /// Connects to the cluster that `urls` (any of its nodes) belong to.
    pub(crate) async fn cluster(urls: &[&str]) -> Result<Self, SessionError> {
        if urls.is_empty() {
            return Err(SessionError::configuration(
                "connect_cluster needs at least one node URL",
            ));
        }
        let client = cluster_builder(urls.iter().copied()).build().map_err(|e| {
            SessionError::configuration(format!("invalid Redis Cluster URLs: {}", explain(&e)))
        })?;
        let context = format!("connect to a Redis Cluster through {} node(s)", urls.len());
        Connection::cluster_client(client, context).await
    }

    /// Connects to the cluster through `client`, supervised; `context` names the attempt in
    /// the error.
    pub(crate) async fn cluster_client(
        client: ClusterClient,
        context: String,
    ) -> Result<Self, SessionError> {
        ensure_crypto_provider();
        let connection = client
            .get_async_connection()
            .await
            .map_err(|e| SessionError::backend(context, e))?;
        Ok(Connection::Cluster(Cluster::supervised(client, connection)))
    }
}

/// A cluster client builder with the store's timeouts and prompt retries (the constants above).
pub fn cluster_builder<T: redis::IntoConnectionInfo>(
    urls: impl IntoIterator<Item = T>,
) -> ClusterClientBuilder {
    ClusterClient::builder(urls)
        .connection_timeout(CONNECTION_TIMEOUT)
        .response_timeout(RESPONSE_TIMEOUT)
        .retries(CLUSTER_RETRIES)
        .min_retry_wait(CLUSTER_MIN_RETRY_WAIT_MS)
        .max_retry_wait(CLUSTER_MAX_RETRY_WAIT_MS)
        .retry_wait_formula(CLUSTER_MIN_RETRY_WAIT_MS * 2, 2)
}

/// rustls needs a process-wide crypto provider, which redis leaves to the application: install
/// ring (feature `tls-rustls`) unless the application installed one already.
fn ensure_crypto_provider() {
    #[cfg(feature = "tls-rustls")]
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Err means another thread installed one meanwhile: fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// A URL error's explanation, without the URL itself (it may carry a password).
fn explain(error: &redis::RedisError) -> String {
    error
        .detail()
        .map_or_else(|| format!("{:?}", error.kind()), str::to_owned)
}

impl ConnectionLike for Connection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Connection::Single(manager) => manager.req_packed_command(cmd),
            Connection::Cluster(cluster) => cluster.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Connection::Single(manager) => manager.req_packed_commands(pipeline, offset, count),
            Connection::Cluster(cluster) => cluster.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Connection::Single(manager) => manager.get_db(),
            Connection::Cluster(cluster) => cluster.get_db(),
        }
    }
}
