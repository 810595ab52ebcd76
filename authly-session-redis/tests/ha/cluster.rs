//! The 3-master + 3-replica cluster of `AUTHLY_TEST_REDIS_CLUSTER_HA_URLS`: what each node says
//! about the cluster, and the operator's moves (failover, kill, restart, reshard), made by the
//! command `AUTHLY_TEST_REDIS_CLUSTER_HA_CONTROL` names (`.ci/redis-cluster-ha.sh`, which
//! `cargo xtask test` passes).

use std::collections::BTreeMap;
use std::time::Duration;

use authly_session::testing::server_url;
use authly_session_redis::redis;

/// How long one probe of one node may take before the node counts as unreachable.
const PROBE_TIMEOUT: Duration = Duration::from_millis(300);

/// The cluster under test.
pub struct HaCluster {
    /// Every node's URL (`redis://host:port`), primaries and replicas.
    pub urls: Vec<String>,
    /// The command that takes `failover PORT`, `kill PORT`, `heal`, `reshard FROM TO SLOTS`.
    control: String,
}

/// One node as `CLUSTER NODES` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub id: String,
    /// `host:port`.
    pub address: String,
    pub port: u16,
    /// The node that listed it is this one.
    pub myself: bool,
    pub master: bool,
    /// Flagged `fail` or `fail?` by the node that listed it.
    pub failing: bool,
    /// The primary a replica follows (`-` for a primary).
    pub master_id: String,
    /// Slot ranges it serves, as listed (migration markers left out).
    pub slots: Vec<String>,
}

impl Node {
    /// How many slots it serves.
    pub fn slot_count(&self) -> usize {
        self.slots
            .iter()
            .map(|range| match range.split_once('-') {
                Some((from, to)) => {
                    let (from, to): (usize, usize) =
                        (from.parse().unwrap_or(0), to.parse().unwrap_or(0));
                    to.saturating_sub(from) + 1
                }
                None => 1,
            })
            .sum()
    }
}

/// What one node said when probed.
#[derive(Clone, Debug)]
pub struct View {
    pub ok: bool,
    pub nodes: Vec<Node>,
}

impl HaCluster {
    /// The cluster of the environment.
    ///
    /// # Panics
    ///
    /// When `AUTHLY_TEST_REDIS_CLUSTER_HA_URLS` or `..._CONTROL` is unset.
    pub fn from_env() -> HaCluster {
        let urls = server_url("AUTHLY_TEST_REDIS_CLUSTER_HA_URLS")
            .split(',')
            .map(|url| url.trim().to_owned())
            .filter(|url| !url.is_empty())
            .collect();
        HaCluster {
            urls,
            control: server_url("AUTHLY_TEST_REDIS_CLUSTER_HA_CONTROL"),
        }
    }

    /// Runs the control command with `args`, off the runtime's threads.
    ///
    /// # Panics
    ///
    /// When it fails.
    pub async fn control(&self, args: &[String]) {
        let command = format!("{} {}", self.control, args.join(" "));
        tokio::task::spawn_blocking(move || {
            let status = std::process::Command::new("sh")
                .arg("-c")
                .arg(&command)
                .status()
                .unwrap_or_else(|e| panic!("could not run {command:?}: {e}"));
            assert!(status.success(), "{command:?} failed: {status}");
        })
        .await
        .expect("the control command's thread");
    }

    /// Every node up again, the cluster ok and each primary with a replica in sync.
    pub async fn heal(&self) {
        self.control(&["heal".into()]).await;
    }

    /// Each reachable node's view, by URL.
    pub async fn views(&self) -> BTreeMap<String, View> {
        let probes = self
            .urls
            .iter()
            .map(|url| async move { (url, probe(url).await) });
        futures_util::future::join_all(probes)
            .await
            .into_iter()
            .filter_map(|(url, view)| Some((url.clone(), view?)))
            .collect()
    }

    /// Whether the node at `port` answers and calls itself a primary.
    pub async fn is_master(&self, port: u16) -> bool {
        let Some(url) = self
            .urls
            .iter()
            .find(|url| url.ends_with(&format!(":{port}")))
        else {
            return false;
        };
        probe(url)
            .await
            .is_some_and(|view| view.nodes.iter().any(|node| node.myself && node.master))
    }

    /// A plain connection to the node at `port`.
    ///
    /// # Panics
    ///
    /// When no URL of the cluster has that port, or the node does not answer.
    pub async fn node(&self, port: u16) -> redis::aio::MultiplexedConnection {
        let url = self
            .urls
            .iter()
            .find(|url| url.ends_with(&format!(":{port}")))
            .expect("a node of the cluster");
        redis::Client::open(url.as_str())
            .expect("a node URL")
            .get_multiplexed_async_connection()
            .await
            .expect("connect to a node")
    }

    /// Whether the cluster is settled now (see [`settled`]).
    pub async fn is_settled(&self) -> bool {
        settled(&self.views().await)
    }

    /// The nodes as the first reachable node lists them.
    ///
    /// # Panics
    ///
    /// When no node answers.
    pub async fn nodes(&self) -> Vec<Node> {
        let views = self.views().await;
        let view = views
            .into_values()
            .next()
            .expect("a reachable cluster node");
        view.nodes
    }
}

/// Whether the cluster serves every slot from a live primary, and every reachable node agrees:
/// all report `cluster_state:ok`, all list the same primaries with the same slots, and none of
/// those primaries is flagged failing or unreachable.
pub fn settled(views: &BTreeMap<String, View>) -> bool {
    let Some(first) = views.values().next() else {
        return false;
    };
    let owners = |view: &View| -> Vec<(String, Vec<String>)> {
        let mut owners: Vec<_> = view
            .nodes
            .iter()
            .filter(|node| node.master && !node.slots.is_empty())
            .map(|node| (node.address.clone(), node.slots.clone()))
            .collect();
        owners.sort();
        owners
    };
    let expected = owners(first);
    let reachable = |address: &str| views.keys().any(|url| url.ends_with(address));
    views.values().all(|view| {
        view.ok
            && owners(view) == expected
            && view
                .nodes
                .iter()
                .filter(|node| node.master && !node.slots.is_empty())
                .all(|node| !node.failing && reachable(&node.address))
    })
}

/// `CLUSTER INFO` and `CLUSTER NODES` of the node at `url`; `None` when it does not answer in time.
async fn probe(url: &str) -> Option<View> {
    let ask = async {
        let client = redis::Client::open(url).ok()?;
        let mut connection = client.get_multiplexed_async_connection().await.ok()?;
        let info: String = redis::cmd("CLUSTER")
            .arg("INFO")
            .query_async(&mut connection)
            .await
            .ok()?;
        let nodes: String = redis::cmd("CLUSTER")
            .arg("NODES")
            .query_async(&mut connection)
            .await
            .ok()?;
        Some(View {
            ok: info.contains("cluster_state:ok"),
            nodes: nodes.lines().filter_map(parse_node).collect(),
        })
    };
    tokio::time::timeout(PROBE_TIMEOUT, ask).await.ok()?
}

/// One line of `CLUSTER NODES`: `id host:port@bus flags master ping pong epoch link slots...`.
fn parse_node(line: &str) -> Option<Node> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let [
        id,
        address,
        flags,
        master_id,
        _ping,
        _pong,
        _epoch,
        _link,
        slots @ ..,
    ] = fields.as_slice()
    else {
        return None;
    };
    let address = address.split('@').next()?.to_owned();
    let port = address.rsplit(':').next()?.parse().ok()?;
    let flags: Vec<&str> = flags.split(',').collect();
    Some(Node {
        id: (*id).to_owned(),
        address,
        port,
        myself: flags.contains(&"myself"),
        master: flags.contains(&"master"),
        failing: flags.iter().any(|flag| flag.starts_with("fail")),
        master_id: (*master_id).to_owned(),
        slots: slots
            .iter()
            .filter(|slot| !slot.starts_with('['))
            .map(|slot| (*slot).to_owned())
            .collect(),
    })
}
