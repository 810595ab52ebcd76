//! The Redis Cluster connection, supervised so it keeps making progress while the cluster
//! changes under it (semantic 29).
//!
//! redis-rs' cluster client can stop sending anything after a topology change: its slot refresh
//! waits forever for an internal lock (see the README, "Redis Cluster: failover, crashes and
//! resharding"). Every call therefore goes through [`Cluster`], which counts the calls waiting
//! for an answer and notes when one was last answered. A watchdog task checks this every 100 ms;
//! when calls have waited for [`STALL_LIMIT`] with none answered, it builds a fresh cluster
//! connection from the same client and moves every waiting call over to it (each is sent again
//! once; every command the store sends has the same effect when repeated). The store and its
//! clones keep the one `Cluster` throughout, and the watchdog ends when the last of them is
//! dropped.

use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock, Weak};
use std::time::{Duration, Instant};

use futures_util::future::{Either, select};
use redis::aio::ConnectionLike;
use redis::cluster::ClusterClient;
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::RoutingInfo;
use redis::{Cmd, Pipeline, RedisFuture, RedisResult, Value};
use tokio::sync::watch;

/// How long calls may wait with none answered before the connection counts as stuck. A healthy
/// cluster answers in milliseconds; a crashed primary's calls fail or are redirected while the
/// others' are answered, so only a client that stopped sending waits this long for every call.
pub(crate) const STALL_LIMIT: Duration = Duration::from_secs(1);

/// How often the watchdog looks.
const WATCH_EVERY: Duration = Duration::from_millis(100);

/// How long building a fresh connection may take before the watchdog tries again later.
const REBUILD_TIMEOUT: Duration = Duration::from_secs(5);

/// A cluster connection that is replaced when it stops making progress; cheap to clone.
#[derive(Clone)]
pub(crate) struct Cluster {
    shared: Arc<Shared>,
}

struct Shared {
    /// The client the connection came from; `None` for a connection the application built,
    /// which is used as it is.
    client: Option<ClusterClient>,
    /// The connection calls use now, and its generation.
    current: RwLock<(ClusterConnection, u64)>,
    /// The current generation, for calls waiting on an older one.
    generation: watch::Sender<u64>,
    /// The time `progress_ms` counts from.
    epoch: Instant,
    /// When a call was last answered (or calls started after none were waiting), in ms since
    /// `epoch`.
    progress_ms: AtomicU64,
    /// Calls waiting for an answer.
    in_flight: AtomicUsize,
    /// Whether the watchdog runs (only for a connection built from a client).
    supervised: AtomicBool,
}

impl Cluster {
    /// Supervises a connection made from `client` (which builds its replacements) and starts
    /// the watchdog on the current Tokio runtime.
    pub(crate) fn supervised(client: ClusterClient, connection: ClusterConnection) -> Self {
        let cluster = Cluster::new(Some(client), connection);
        cluster.shared.supervised.store(true, Ordering::Relaxed);
        tokio::spawn(watchdog(Arc::downgrade(&cluster.shared)));
        cluster
    }

    /// A connection the application built: used as it is, never replaced.
    pub(crate) fn unsupervised(connection: ClusterConnection) -> Self {
        Cluster::new(None, connection)
    }

    fn new(client: Option<ClusterClient>, connection: ClusterConnection) -> Self {
        Cluster {
            shared: Arc::new(Shared {
                client,
                current: RwLock::new((connection, 0)),
                generation: watch::channel(0).0,
                epoch: Instant::now(),
                progress_ms: AtomicU64::new(0),
                in_flight: AtomicUsize::new(0),
                supervised: AtomicBool::new(false),
            }),
        }
    }

    /// Whether a watchdog replaces this connection when it stops making progress.
    pub(crate) fn is_supervised(&self) -> bool {
        self.shared.supervised.load(Ordering::Relaxed)
    }

    /// How many times the watchdog has replaced the connection.
    pub(crate) fn replacements(&self) -> u64 {
        *self.shared.generation.borrow()
    }

    /// Sends `cmd` as `routing` says (e.g. to one node by address).
    pub(crate) async fn route_command(&self, cmd: Cmd, routing: RoutingInfo) -> RedisResult<Value> {
        self.call(|mut connection| {
            let (cmd, routing) = (cmd.clone(), routing.clone());
            async move { connection.route_command(cmd, routing).await }
        })
        .await
    }

    /// Runs `send` on the current connection; if the watchdog replaces it meanwhile, once more
    /// on the new one.
    async fn call<T, F, Fut>(&self, send: F) -> RedisResult<T>
    where
        F: Fn(ClusterConnection) -> Fut,
        Fut: Future<Output = RedisResult<T>>,
    {
        let mut moved = false;
        loop {
            let (connection, generation) = self.shared.current();
            let mut changes = self.shared.generation.subscribe();
            let _waiting = Waiting::start(&self.shared);
            let sent = pin!(send(connection));
            let replaced = pin!(changes.wait_for(|current| *current != generation));
            match select(sent, replaced).await {
                Either::Left((result, _)) => {
                    if !matches!(&result, Err(error) if error.is_timeout()) {
                        self.shared.progressed();
                    }
                    return result;
                }
                Either::Right(_) if !moved => moved = true,
                Either::Right(_) => {
                    return Err(redis::RedisError::from(std::io::Error::new(
                        std::io::ErrorKind::ConnectionReset,
                        "the cluster connection was replaced twice during one call",
                    )));
                }
            }
        }
    }
}

impl Shared {
    fn current(&self) -> (ClusterConnection, u64) {
        let current = self
            .current
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        (current.0.clone(), current.1)
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn progressed(&self) {
        self.progress_ms.store(self.now_ms(), Ordering::Relaxed);
    }

    /// Whether calls are waiting and none was answered within [`STALL_LIMIT`].
    fn stalled(&self) -> bool {
        let since = self
            .now_ms()
            .saturating_sub(self.progress_ms.load(Ordering::Relaxed));
        self.in_flight.load(Ordering::Relaxed) > 0 && since >= STALL_LIMIT.as_millis() as u64
    }

    /// Builds a fresh connection and moves every call to it; on failure keeps the current one
    /// (the next try comes after another [`STALL_LIMIT`]).
    async fn replace(&self) {
        let Some(client) = &self.client else {
            return;
        };
        let fresh = tokio::time::timeout(REBUILD_TIMEOUT, client.get_async_connection()).await;
        self.progressed();
        match fresh {
            Ok(Ok(connection)) => {
                let generation = {
                    let mut current = self.current.write().unwrap_or_else(|p| p.into_inner());
                    *current = (connection, current.1 + 1);
                    current.1
                };
                self.generation.send_replace(generation);
                tracing::warn!(
                    generation,
                    "Redis Cluster connection stopped making progress; replaced it"
                );
            }
            Ok(Err(error)) => {
                tracing::warn!(%error, "Redis Cluster connection is stuck and could not be replaced yet");
            }
            Err(_) => {
                tracing::warn!("Redis Cluster connection is stuck and its replacement timed out");
            }
        }
    }
}

/// Replaces the connection of `shared` whenever it stalls, until the store is dropped.
async fn watchdog(shared: Weak<Shared>) {
    loop {
        tokio::time::sleep(WATCH_EVERY).await;
        let Some(shared) = shared.upgrade() else {
            return;
        };
        if shared.stalled() {
            shared.replace().await;
        }
    }
}

/// A call waiting for its answer, counted while it lives (a call the store's timeout drops
/// stops counting too).
struct Waiting<'a>(&'a Shared);

impl<'a> Waiting<'a> {
    fn start(shared: &'a Shared) -> Self {
        // Time spent with no call waiting is not a stall.
        if shared.in_flight.fetch_add(1, Ordering::Relaxed) == 0 {
            shared.progressed();
        }
        Waiting(shared)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

impl ConnectionLike for Cluster {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        Box::pin(
            self.call(
                move |mut connection| async move { connection.req_packed_command(cmd).await },
            ),
        )
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        Box::pin(self.call(move |mut connection| async move {
            connection
                .req_packed_commands(pipeline, offset, count)
                .await
        }))
    }

    fn get_db(&self) -> i64 {
        self.shared.current().0.get_db()
    }
}
