//! `RedisStore`: construction and configuration.

use std::sync::Arc;
use std::time::Duration;

use authly_session::SessionError;
use authly_session::store_kit::{Clock, OperationTimeout};
use redis::aio::ConnectionManager;
use redis::cluster::ClusterClient;
use redis::cluster_async::ClusterConnection;

use crate::cluster::Cluster;
use crate::connection::Connection;
use crate::keys::Keys;
use crate::schema::UpgradeTime;

/// The key prefix a store uses unless told otherwise.
pub const DEFAULT_PREFIX: &str = "authly_session";

/// A [`SessionStore`](authly_session::SessionStore) in Redis: a single server or a Redis Cluster.
///
/// Sessions live under their handle (never the id) in strings that Redis expires at their
/// `expires_at`; each identity has a sorted-set index for "where am I signed in" and "sign out
/// everywhere".
/// The README of this crate describes the key layout, memory use and cluster behaviour.
///
/// Every operation, `migrate` included, returns within the store's timeout (10 s unless
/// [`RedisStore::with_timeout`] says otherwise), with [`SessionError::Timeout`] when Redis does
/// not answer in time: each command also fails after 5 s without a reply (the connection's
/// response timeout), and the store's timeout bounds operations of several commands.
///
/// Cheap to clone: clones share one multiplexed connection (or cluster connection).
#[derive(Clone)]
pub struct RedisStore {
    pub(crate) connection: Connection,
    pub(crate) keys: Arc<Keys>,
    pub(crate) upgraded_at: UpgradeTime,
    /// The application's clock, which judges expiry (the system clock unless a test shifts it).
    pub(crate) clock: Clock,
    /// How long one operation may take, all its commands included.
    pub(crate) timeout: OperationTimeout,
}

impl RedisStore {
    /// Connects to the Redis server at `url` (`redis://`, `rediss://` with a TLS feature, or
    /// `redis+unix://`), with prefix `"authly_session"`.
    ///
    /// The connection reconnects by itself after a failure. A command fails after 5 s without a
    /// reply, and while the server is unreachable operations return errors within a few seconds
    /// instead of hanging.
    ///
    /// # Errors
    ///
    /// [`SessionError::InvalidConfiguration`] for a malformed URL; [`SessionError::Backend`],
    /// naming the server's address, when it cannot be reached.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), authly_session::SessionError> {
    /// use authly_session_redis::RedisStore;
    /// let store = RedisStore::connect("redis://127.0.0.1:6379").await?;
    /// assert_eq!(store.prefix(), "authly_session");
    /// # Ok(()) }
    /// ```
    pub async fn connect(url: &str) -> Result<Self, SessionError> {
        Ok(Self::build(Connection::single(url).await?))
    }

    /// Connects to the Redis Cluster that the nodes at `urls` belong to (one reachable node is
    /// enough; the client discovers the others), with prefix `"authly_session"`.
    ///
    /// Give several seed nodes (ideally every primary and replica): the client needs one of them
    /// reachable to connect, and again whenever it rebuilds its connection. The store rides
    /// through failovers, crashed primaries and resharding (semantic 29): the client follows
    /// redirects, retries `TRYAGAIN` and `CLUSTERDOWN` within milliseconds, and a watchdog
    /// replaces the cluster connection when calls wait a second with none answered. The crate's
    /// README gives what each event costs.
    ///
    /// # Errors
    ///
    /// [`SessionError::InvalidConfiguration`] for no or malformed URLs; [`SessionError::Backend`]
    /// when no node can be reached.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), authly_session::SessionError> {
    /// use authly_session_redis::RedisStore;
    /// let store = RedisStore::connect_cluster(&[
    ///     "redis://10.0.0.1:6379",
    ///     "redis://10.0.0.2:6379",
    ///     "redis://10.0.0.3:6379",
    /// ])
    /// .await?
    /// .with_prefix("myapp_sessions")?;
    /// # Ok(()) }
    /// ```
    pub async fn connect_cluster(urls: &[&str]) -> Result<Self, SessionError> {
        Ok(Self::build(Connection::cluster(urls).await?))
    }

    /// Connects to a Redis Cluster through a client you configured yourself (TLS certificates,
    /// credentials), supervised as [`RedisStore::connect_cluster`] is: the store builds a fresh
    /// connection from `client` when the current one stops making progress. Start from
    /// [`cluster_builder`](crate::cluster_builder), which carries the store's timeouts and
    /// prompt retries; redis-rs' own defaults wait at least 1.28 s before retrying `TRYAGAIN`.
    ///
    /// # Errors
    ///
    /// [`SessionError::Backend`] when no node can be reached.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// use authly_session_redis::{RedisStore, cluster_builder};
    ///
    /// let client = cluster_builder(["redis://10.0.0.1:6379", "redis://10.0.0.2:6379"])
    ///     .username("sessions")
    ///     .password("secret")
    ///     .build()?;
    /// let store = RedisStore::connect_cluster_client(client).await?;
    /// # Ok(()) }
    /// ```
    pub async fn connect_cluster_client(client: ClusterClient) -> Result<Self, SessionError> {
        Ok(Self::build(
            Connection::cluster_client(client, "connect to a Redis Cluster".into()).await?,
        ))
    }

    /// A store on a single server through a connection manager you configured yourself (TLS
    /// certificates, credentials, timeouts), with prefix `"authly_session"`.
    ///
    /// Give the manager a response timeout (as [`RedisStore::connect`] does), or operations may
    /// wait for as long as the server does not answer.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// use authly_session_redis::{RedisStore, redis};
    /// use redis::aio::{ConnectionManager, ConnectionManagerConfig};
    ///
    /// let client = redis::Client::open("redis://127.0.0.1:6379")?;
    /// let config = ConnectionManagerConfig::new()
    ///     .set_response_timeout(Some(std::time::Duration::from_secs(2)));
    /// let manager = ConnectionManager::new_with_config(client, config).await?;
    /// let store = RedisStore::new(manager);
    /// # Ok(()) }
    /// ```
    pub fn new(manager: ConnectionManager) -> Self {
        Self::build(Connection::Single(manager))
    }

    /// A store on a Redis Cluster through a cluster connection you configured yourself, with
    /// prefix `"authly_session"`.
    ///
    /// The store uses this connection as it is and cannot replace it: if redis-rs' cluster
    /// client stops sending after a topology change (see the README), only a new connection
    /// recovers. Prefer [`RedisStore::connect_cluster_client`], which is supervised.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// use authly_session_redis::{RedisStore, redis};
    ///
    /// let client = redis::cluster::ClusterClient::builder(["redis://10.0.0.1:6379"])
    ///     .response_timeout(std::time::Duration::from_secs(2))
    ///     .build()?;
    /// let store = RedisStore::new_cluster(client.get_async_connection().await?);
    /// # Ok(()) }
    /// ```
    pub fn new_cluster(connection: ClusterConnection) -> Self {
        Self::build(Connection::Cluster(Cluster::unsupervised(connection)))
    }

    /// This store under another key prefix: stores with different prefixes on one server share
    /// nothing. Keys are named `{prefix}:...` (see the README for the layout).
    ///
    /// Any prefix works except one whose first `{` is directly followed by `}` (an empty hash
    /// tag, which would scatter an identity's keys over two cluster slots). A prefix holding a
    /// whole hash tag such as `"{sessions}"` keeps all of the store's keys in one cluster slot,
    /// which works but gives up spreading sessions over the cluster.
    ///
    /// # Errors
    ///
    /// [`SessionError::InvalidConfiguration`] for a prefix with an empty hash tag.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), authly_session::SessionError> {
    /// use authly_session_redis::RedisStore;
    /// let store = RedisStore::connect("redis://127.0.0.1:6379").await?;
    /// let admin = store.clone().with_prefix("admin_sessions")?;
    /// assert_eq!(admin.prefix(), "admin_sessions");
    /// assert!(store.with_prefix("bad{}prefix").is_err());
    /// # Ok(()) }
    /// ```
    pub fn with_prefix(self, prefix: &str) -> Result<Self, SessionError> {
        Ok(RedisStore {
            connection: self.connection,
            keys: Arc::new(Keys::new(prefix)?),
            upgraded_at: UpgradeTime::default(),
            clock: self.clock,
            timeout: self.timeout,
        })
    }

    /// Records this prefix's schema version (3) in `{prefix}:schema`, upgrading a keyspace
    /// written by version 1 or 2 in place: their sessions (hashes) stay as they are, are read as
    /// they were written (a version-1 session with empty metadata and the time of the first
    /// upgrade as `created_at` and `last_seen_at`), and are rewritten as strings by touch and
    /// update (see the README). Idempotent and safe from many processes at once (one atomic
    /// script). Optional: the first operation that needs the upgrade time records it.
    ///
    /// # Errors
    ///
    /// [`SessionError::InvalidConfiguration`] when the keyspace records a schema version newer
    /// than this release knows; [`SessionError::Backend`] when Redis fails;
    /// [`SessionError::Timeout`] when it does not answer within the store's timeout.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), authly_session::SessionError> {
    /// let store = authly_session_redis::RedisStore::connect("redis://127.0.0.1:6379").await?;
    /// store.migrate().await?;
    /// # Ok(()) }
    /// ```
    pub async fn migrate(&self) -> Result<(), SessionError> {
        self.timeout
            .within("migrate", self.upgrade())
            .await
            .map(drop)
    }

    /// This store judging expiry by `clock` instead of the system clock: an app instance whose
    /// host clock is off, for tests of semantic 25. Same connection and prefix.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), authly_session::SessionError> {
    /// use authly_session::store_kit::{Clock, OperationTimeout};
    /// let store = authly_session_redis::RedisStore::connect("redis://127.0.0.1:6379").await?;
    /// let ahead = store.clone().with_clock(Clock::shifted(chrono::Duration::hours(3)));
    /// # Ok(()) }
    /// ```
    pub fn with_clock(self, clock: Clock) -> Self {
        RedisStore { clock, ..self }
    }

    /// This store giving up on an operation after `timeout` instead of 10 s: the operation then
    /// returns [`SessionError::Timeout`]. The time covers all of an operation's commands (a
    /// listing or a sign-out everywhere may send several); each command on its own still fails
    /// after the connection's response timeout (5 s with [`RedisStore::connect`]). Clamped to
    /// between 1 ms and one hour ([`OperationTimeout::new`]), so no value panics or waits
    /// forever.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), authly_session::SessionError> {
    /// use std::time::Duration;
    /// let store = authly_session_redis::RedisStore::connect("redis://127.0.0.1:6379")
    ///     .await?
    ///     .with_timeout(Duration::from_secs(2));
    /// assert_eq!(store.timeout(), Duration::from_secs(2));
    /// # Ok(()) }
    /// ```
    pub fn with_timeout(self, timeout: Duration) -> Self {
        RedisStore {
            timeout: OperationTimeout::new(timeout),
            ..self
        }
    }

    /// How long one operation may take before it returns [`SessionError::Timeout`].
    pub fn timeout(&self) -> Duration {
        self.timeout.get()
    }

    /// The key prefix of this store.
    pub fn prefix(&self) -> &str {
        self.keys.prefix()
    }

    /// Whether this store talks to a Redis Cluster.
    pub fn is_cluster(&self) -> bool {
        matches!(self.connection, Connection::Cluster(_))
    }

    fn build(connection: Connection) -> Self {
        RedisStore {
            connection,
            keys: Arc::new(Keys::new(DEFAULT_PREFIX).expect("the default prefix is valid")),
            upgraded_at: UpgradeTime::default(),
            clock: Clock::system(),
            timeout: OperationTimeout::DEFAULT,
        }
    }
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mode = match &self.connection {
            Connection::Single(_) => "single node",
            Connection::Cluster(cluster) if cluster.is_supervised() => "cluster (supervised)",
            Connection::Cluster(_) => "cluster",
        };
        let mut debug = f.debug_struct("RedisStore");
        debug
            .field("prefix", &self.keys.prefix())
            .field("mode", &mode);
        if let Connection::Cluster(cluster) = &self.connection {
            debug.field("connection_replacements", &cluster.replacements());
        }
        debug
            .field("timeout", &self.timeout.get())
            .finish_non_exhaustive()
    }
}
