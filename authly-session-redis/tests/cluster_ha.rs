//! Semantic 29 on a 3-primary + 3-replica Redis Cluster (`AUTHLY_TEST_REDIS_CLUSTER_HA_URLS`,
//! moved by `AUTHLY_TEST_REDIS_CLUSTER_HA_CONTROL`; `cargo xtask test --backend redis-cluster`
//! starts `.ci/redis-cluster-ha.sh` when the variables are unset): one store under 32 callers
//! that loop save → load → (every 10th) list rides through a replica failover, a `kill -9` of a
//! primary and a reshard of 2,000 slots. `AUTHLY_TEST_REDIS_CLUSTER_HA_CALLERS` changes the
//! number of callers (for measuring). The tests run one at a time and leave the cluster healthy.

mod ha;

use std::sync::Arc;
use std::time::{Duration, Instant};

use authly_session::testing::unique_name;
use authly_session_redis::{RedisStore, cluster_builder, redis};
use ha::cluster::HaCluster;
use ha::load::{self, Load};
use ha::report::Report;

/// The tests share one cluster: one event at a time.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Load before the event, for the baseline.
const BEFORE: Duration = Duration::from_secs(5);

/// Load after the cluster settles: the recovery limit and a margin.
const AFTER: Duration = Duration::from_secs(6);

/// The longest the cluster may take to settle after an event.
const SETTLE_LIMIT: Duration = Duration::from_secs(30);

/// Slots the reshard moves.
const RESHARD_SLOTS: usize = 2_000;

/// An operator's move.
#[derive(Clone, Copy)]
enum Event {
    /// `CLUSTER FAILOVER` on a replica.
    Failover,
    /// `kill -9` of a primary: its replica is promoted by the cluster.
    KillPrimary,
    /// `redis-cli --cluster reshard` of 2,000 slots from one primary to another.
    Reshard,
}

impl Event {
    fn name(self) -> &'static str {
        match self {
            Event::Failover => "CLUSTER FAILOVER",
            Event::KillPrimary => "kill -9 of a primary",
            Event::Reshard => "reshard of 2,000 slots",
        }
    }

    /// Makes the move; returns once the cluster has started to change.
    async fn make(self, cluster: &HaCluster) {
        let nodes = cluster.nodes().await;
        let mut primaries: Vec<_> = nodes.iter().filter(|n| n.master && !n.failing).collect();
        primaries.sort_by_key(|node| node.slot_count());
        match self {
            Event::Failover => {
                let replica = nodes.iter().find(|n| !n.master).expect("a replica");
                cluster
                    .control(&["failover".into(), replica.port.to_string()])
                    .await;
                let deadline = Instant::now() + SETTLE_LIMIT;
                while !cluster.is_master(replica.port).await {
                    assert!(Instant::now() < deadline, "the replica was never promoted");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
            Event::KillPrimary => {
                let primary = primaries.last().expect("a primary");
                cluster
                    .control(&["kill".into(), primary.port.to_string()])
                    .await;
            }
            Event::Reshard => {
                let (to, from) = (primaries[0], primaries[primaries.len() - 1]);
                assert!(
                    from.slot_count() > RESHARD_SLOTS,
                    "no primary with enough slots"
                );
                let args = [from.port, to.port].map(|port| port.to_string());
                let [from, to] = args;
                cluster
                    .control(&["reshard".into(), from, to, RESHARD_SLOTS.to_string()])
                    .await;
            }
        }
    }
}

/// How many callers load the store.
fn callers() -> usize {
    std::env::var("AUTHLY_TEST_REDIS_CLUSTER_HA_CALLERS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(32)
}

/// Loads one store with the callers, makes `event`, and measures.
async fn ride_through(event: Event) -> (Report, Duration) {
    let _alone = ONE_AT_A_TIME.lock().await;
    let cluster = Arc::new(HaCluster::from_env());
    cluster.heal().await;
    let urls: Vec<&str> = cluster.urls.iter().map(String::as_str).collect();
    let prefix = unique_name("authly_ha");
    let store = RedisStore::connect_cluster(&urls)
        .await
        .expect("connect to the cluster")
        .with_prefix(&prefix)
        .expect("a valid prefix");

    let t0 = Instant::now();
    let load = Load::start(&store, callers(), t0, &prefix);
    tokio::time::sleep(BEFORE).await;
    let event_at = t0.elapsed();
    event.make(&cluster).await;
    while !cluster.is_settled().await {
        assert!(
            t0.elapsed() - event_at < SETTLE_LIMIT,
            "the cluster never settled"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let settled_at = t0.elapsed();
    tokio::time::sleep(AFTER).await;
    let outcome = load.stop().await;

    let acknowledged = load::read_back(&store, &outcome.acknowledged).await;
    let failed_saves = load::read_back(&store, &outcome.failed_saves).await;
    cluster.heal().await;
    let times = (event_at, settled_at);
    let mut report = Report::new(
        event.name(),
        callers(),
        &outcome,
        times,
        acknowledged,
        failed_saves,
    );
    report.store = format!("{store:?}");
    (report, store.timeout())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs AUTHLY_TEST_REDIS_CLUSTER_HA_URLS and AUTHLY_TEST_REDIS_CLUSTER_HA_CONTROL"]
async fn cluster_ha_rides_through_a_replica_failover() {
    let (report, timeout) = ride_through(Event::Failover).await;
    report.check(true, timeout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs AUTHLY_TEST_REDIS_CLUSTER_HA_URLS and AUTHLY_TEST_REDIS_CLUSTER_HA_CONTROL"]
async fn cluster_ha_rides_through_a_killed_primary() {
    let (report, timeout) = ride_through(Event::KillPrimary).await;
    report.check(true, timeout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs AUTHLY_TEST_REDIS_CLUSTER_HA_URLS and AUTHLY_TEST_REDIS_CLUSTER_HA_CONTROL"]
async fn cluster_ha_rides_through_a_reshard_without_errors() {
    let (report, timeout) = ride_through(Event::Reshard).await;
    report.check(false, timeout);
}

/// How long the hand-made migration below keeps its slot unstable.
const UNSTABLE_FOR: Duration = Duration::from_millis(200);

/// A command refused with `TRYAGAIN` while its slot migrates (a multi-key read of a key the
/// source still has and one it has not) is retried by the client the store builds
/// ([`cluster_builder`]) within tens of milliseconds of the slot becoming stable again, instead
/// of after redis-rs' default minimum pause of 1.28 s.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs AUTHLY_TEST_REDIS_CLUSTER_HA_URLS and AUTHLY_TEST_REDIS_CLUSTER_HA_CONTROL"]
async fn cluster_ha_retries_tryagain_within_tens_of_milliseconds() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let cluster = HaCluster::from_env();
    cluster.heal().await;
    let nodes = cluster.nodes().await;
    let primaries: Vec<_> = nodes
        .iter()
        .filter(|n| n.master && !n.slots.is_empty())
        .collect();
    let (source, target) = (primaries[0], primaries[1]);
    let mut on_source = cluster.node(source.port).await;
    let mut on_target = cluster.node(target.port).await;

    // A hash tag whose slot the source serves.
    let mut tag = 0u32;
    let slot = loop {
        let slot: u16 = redis::cmd("CLUSTER")
            .arg("KEYSLOT")
            .arg(format!("{{authly_tryagain_{tag}}}"))
            .query_async(&mut on_source)
            .await
            .unwrap();
        let ours = source.slots.iter().any(|range| {
            let (from, to) = range.split_once('-').unwrap_or((range, range));
            (from.parse::<u16>().unwrap()..=to.parse::<u16>().unwrap()).contains(&slot)
        });
        if ours {
            break slot;
        }
        tag += 1;
    };
    let (present, missing) = (
        format!("{{authly_tryagain_{tag}}}present"),
        format!("{{authly_tryagain_{tag}}}missing"),
    );
    let _: () = redis::cmd("SET")
        .arg(&present)
        .arg("1")
        .query_async(&mut on_source)
        .await
        .unwrap();
    let setslot = |state: &str, node: &str| {
        redis::cmd("CLUSTER")
            .arg("SETSLOT")
            .arg(slot)
            .arg(state)
            .arg(node)
            .clone()
    };
    let _: () = setslot("IMPORTING", &source.id)
        .query_async(&mut on_target)
        .await
        .unwrap();
    let _: () = setslot("MIGRATING", &target.id)
        .query_async(&mut on_source)
        .await
        .unwrap();

    let urls: Vec<&str> = cluster.urls.iter().map(String::as_str).collect();
    let client = cluster_builder(urls).build().unwrap();
    let mut connection = client.get_async_connection().await.unwrap();
    let started = Instant::now();
    let read = tokio::spawn(async move {
        let values: redis::RedisResult<Vec<Option<String>>> = redis::cmd("MGET")
            .arg(&present)
            .arg(&missing)
            .query_async(&mut connection)
            .await;
        (values, started.elapsed())
    });
    tokio::time::sleep(UNSTABLE_FOR).await;
    for connection in [&mut on_source, &mut on_target] {
        let _: () = redis::cmd("CLUSTER")
            .arg("SETSLOT")
            .arg(slot)
            .arg("STABLE")
            .query_async(connection)
            .await
            .unwrap();
    }
    let stable_after = started.elapsed();
    let (values, took) = read.await.unwrap();
    println!("TRYAGAIN: slot stable after {stable_after:?}, the read answered after {took:?}");
    assert_eq!(values.unwrap(), vec![Some("1".to_owned()), None]);
    assert!(
        took >= UNSTABLE_FOR,
        "the read did not wait for the slot: {took:?}"
    );
    assert!(
        took <= stable_after + Duration::from_millis(100),
        "TRYAGAIN was not retried promptly: answered {took:?} after the read started, the slot \
         was stable after {stable_after:?}"
    );
}
