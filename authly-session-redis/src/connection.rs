//! The two ways a store reaches Redis: one server through a reconnecting `ConnectionManager`, or
//! a Redis Cluster through the cluster client. Both are cheap to clone and multiplex every
//! request over shared connections, so clones never queue behind a lock.

use std::time::Duration;

use authly_session::SessionError;
use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster::ClusterClient;
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, Pipeline, RedisFuture, Value};

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

/// A shared connection to a single server or to a cluster.
#[derive(Clone)]
pub(crate) enum Connection {
    /// One server (or a primary behind a proxy): every operation is one script or command.
    Single(ConnectionManager),
    /// A Redis Cluster: every command touches one slot; operations split their work per slot.
    Cluster(ClusterConnection),
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
        ensure_crypto_provider();
        let client = ClusterClient::builder(urls.iter().copied())
            .connection_timeout(CONNECTION_TIMEOUT)
            .response_timeout(RESPONSE_TIMEOUT)
            .build()
            .map_err(|e| {
                SessionError::configuration(format!("invalid Redis Cluster URLs: {}", explain(&e)))
            })?;
        let connection = client.get_async_connection().await.map_err(|e| {
            SessionError::backend(
                format!("connect to a Redis Cluster through {} node(s)", urls.len()),
                e,
            )
        })?;
        Ok(Connection::Cluster(connection))
    }
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
