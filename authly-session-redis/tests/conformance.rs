//! The core's conformance suite, and what only Redis can check, on a single node
//! (`AUTHLY_TEST_REDIS_URL`) and on a Redis Cluster (`AUTHLY_TEST_REDIS_CLUSTER_URLS`). Most
//! checks run on both, as `single_node::<check>` and `cluster::<check>`: test names holding
//! `cluster` run against the cluster, the others against the single node. Tests that need a
//! server are ignored unless run with `--include-ignored` (as `cargo xtask test` does).

mod common;

use std::time::Duration;

use authly_session::store_kit::{identity_key, to_unix_micros};
use authly_session::testing::{self, Conformance, ForeignValue, StoredField};
use authly_session::{Identity, Session, SessionError, SessionStore, session_handle};
use authly_session_redis::redis;
use common::{Raw, Server, layout};

/// Declares, in module `$module`, one test per check that runs it on `Server::$server()`.
macro_rules! tests_on {
    ($module:ident, $server:ident, $needs:literal, [$($check:ident),*]) => {
        mod $module {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[ignore = $needs]
                async fn $check() {
                    super::$check(super::Server::$server()).await;
                }
            )*
        }
    };
}

/// Each check as two tests: on the single node and on the cluster.
macro_rules! on_single_node_and_cluster {
    ($($check:ident),* $(,)?) => {
        tests_on!(single_node, single, "needs AUTHLY_TEST_REDIS_URL", [$($check),*]);
        tests_on!(cluster, cluster, "needs AUTHLY_TEST_REDIS_CLUSTER_URLS", [$($check),*]);
    };
}

on_single_node_and_cluster!(
    conformance,
    prefixes_are_isolated,
    sessions_are_hashed_at_rest,
    keys_follow_the_documented_layout,
    delete_expired_prunes_the_identity_index,
    every_key_expires_with_the_sessions,
    a_corrupted_payload_is_a_decode_error_naming_the_prefix,
    a_version_1_keyspace_is_upgraded_in_place,
    a_newer_recorded_schema_version_is_refused,
    foreign_values_are_corrupt_data_for_that_session_only,
    an_identity_of_100000_sessions_is_listed_and_signed_out_without_stalling_redis,
);

async fn conformance(server: Server) {
    let store = server.store().await;
    let data = store.clone();
    Conformance::new(store)
        .server_side_expiry()
        .clock_skew(move |clock| data.clone().with_clock(clock))
        .run()
        .await;
}

async fn prefixes_are_isolated(server: Server) {
    let a = server.store().await;
    let b = server.store().await;
    assert_ne!(a.prefix(), b.prefix());
    testing::check_isolation(&a, &b).await;
}

async fn sessions_are_hashed_at_rest(server: Server) {
    let store = server.store().await;
    let prefix = store.prefix().to_owned();
    testing::check_hashed_at_rest(&store, || async { server.dump(&prefix).await }).await;
}

/// The stored layout is the documented one: a hash per session with its exact expiry and a TTL,
/// an index entry scored by that expiry, and the identity in its registry shard.
async fn keys_follow_the_documented_layout(server: Server) {
    let store = server.store().await;
    let prefix = store.prefix();
    let session = Session::new(
        Identity::new("github", "layout"),
        chrono::Duration::hours(1),
    );
    store.save_session(&session).await.unwrap();
    let (handle, ik) = (
        session_handle(&session.id),
        identity_key("github", "layout"),
    );
    let (hash, index, registry) = (
        layout::session(prefix, &handle),
        layout::index(prefix, &ik),
        layout::registry(prefix, &ik),
    );
    let micros = to_unix_micros(session.expires_at);
    let mut raw = server.raw().await;
    let fields = redis::cmd("HMGET")
        .arg(&hash)
        .arg(&["d", "e", "c", "l"][..])
        .clone();

    let (payload, expiry, created, seen): (String, i64, i64, i64) = raw.query(&fields).await;
    assert!(payload.starts_with(r#"{"v":2,"identity":{"provider_id":"github""#));
    assert_eq!(expiry, micros);
    assert_eq!(created, to_unix_micros(session.created_at));
    assert_eq!(seen, to_unix_micros(session.last_seen_at));
    let owner: String = raw.query(redis::cmd("HGET").arg(&hash).arg("k")).await;
    assert_eq!(owner, ik);
    let ttl = raw.ttl(&hash).await;
    assert!(
        (3_590_000..=3_600_001).contains(&ttl),
        "the session key expires at expires_at, rounded up to the millisecond: {ttl} ms"
    );
    assert_eq!(
        raw.score(&index, &handle).await,
        micros,
        "the index scores by expires_at"
    );
    assert_eq!(
        raw.score(&registry, &ik).await,
        micros,
        "the registry notes the earliest expiry"
    );
    for key in [&index, &registry] {
        let ttl = raw.ttl(key).await;
        assert!(
            ttl > 3_590_000,
            "{key} expires with its last session: {ttl}"
        );
    }

    let later = session.expires_at + chrono::Duration::hours(1);
    assert!(store.touch_session(&session.id, later).await.unwrap());
    let (payload_after, expiry, created_after, seen_after): (String, i64, i64, i64) =
        raw.query(&fields).await;
    assert_eq!(payload_after, payload, "touch leaves the payload alone");
    assert_eq!(expiry, to_unix_micros(later));
    assert_eq!(created_after, created, "touch keeps created_at");
    assert!(seen_after > seen, "touch sets last_seen_at to now");
    assert_eq!(
        raw.score(&index, &handle).await,
        to_unix_micros(later),
        "touch moves the index score"
    );
    store.delete_session(&session.id).await.unwrap();
}

/// `delete_expired` prunes index entries by the server's clock, and only those past the
/// documented grace of 5 minutes: entries of sessions that just expired stay (an app instance
/// whose clock runs ahead must not hide a session another instance still loads), entries
/// expired long ago go, and the registry then waits for the oldest entry left.
async fn delete_expired_prunes_the_identity_index(server: Server) {
    let store = server.store().await;
    let prefix = store.prefix().to_owned();
    let identity = Identity::new("github", "pruning");
    let ik = identity_key("github", "pruning");
    let short: Vec<Session> = (0..3)
        .map(|_| Session::new(identity.clone(), chrono::Duration::milliseconds(400)))
        .collect();
    let long = Session::new(identity.clone(), chrono::Duration::hours(1));
    for session in short.iter().chain([&long]) {
        store.save_session(session).await.unwrap();
    }
    let mut raw = server.raw().await;
    let (index, registry) = (layout::index(&prefix, &ik), layout::registry(&prefix, &ik));
    assert_eq!(raw.members(&index).await, 4);
    tokio::time::sleep(Duration::from_millis(600)).await;
    for session in &short {
        let key = layout::session(&prefix, &session_handle(&session.id));
        assert!(
            !raw.exists(&key).await,
            "Redis expires session keys at their expires_at"
        );
    }
    assert_eq!(store.delete_expired().await.unwrap(), 0);
    assert_eq!(
        raw.members(&index).await,
        4,
        "entries that expired less than the grace ago stay"
    );

    // Entries of sessions that ended 10 minutes ago by the server's clock.
    let (seconds, micros): (i64, i64) = raw.query(&redis::cmd("TIME")).await;
    let long_ago = seconds * 1_000_000 + micros - 600_000_000;
    for n in 0..3 {
        let mut zadd = redis::cmd("ZADD");
        zadd.arg(&index).arg(long_ago + n).arg(format!("{n:064x}"));
        raw.query::<()>(&zadd).await;
    }
    let mut zadd = redis::cmd("ZADD");
    zadd.arg(&registry).arg(long_ago).arg(&ik);
    raw.query::<()>(&zadd).await;
    assert_eq!(store.delete_expired().await.unwrap(), 0);
    assert_eq!(
        raw.members(&index).await,
        4,
        "delete_expired pruned exactly the entries past the grace"
    );
    let oldest = short.iter().map(|s| to_unix_micros(s.expires_at)).min();
    assert_eq!(
        Some(raw.score(&registry, &ik).await),
        oldest,
        "the registry now waits for the oldest entry left"
    );
    let listed = store
        .list_identity_sessions("github", "pruning")
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].handle, session_handle(&long.id));
    // A single node prunes an entry whose session is gone at once; a cluster cannot check the
    // session's slot atomically, so there the entry waits for the grace.
    let left = if store.is_cluster() { 4 } else { 1 };
    assert_eq!(
        raw.members(&index).await,
        left,
        "listing pruned the entries whose session is gone"
    );
    store.delete_session(&long.id).await.unwrap();
}

/// Whatever the store leaves behind carries a TTL: session keys go at their expiry, and the
/// index and registry keys at most the pruning grace (5 minutes) after their last session's.
async fn every_key_expires_with_the_sessions(server: Server) {
    let store = server.store().await;
    let identity = Identity::new("github", "leftovers");
    let kept = Session::new(identity.clone(), chrono::Duration::milliseconds(400));
    let deleted = Session::new(identity.clone(), chrono::Duration::milliseconds(300));
    let moved = Session::new(identity.clone(), chrono::Duration::milliseconds(300));
    for session in [&kept, &deleted, &moved] {
        store.save_session(session).await.unwrap();
    }
    store.delete_session(&deleted.id).await.unwrap();
    let mut moved = moved.clone();
    moved.identity = Identity::new("github", "elsewhere");
    store.save_session(&moved).await.unwrap();
    assert!(!server.keys(store.prefix()).await.is_empty());
    tokio::time::sleep(Duration::from_millis(700)).await;
    let left = server.keys(store.prefix()).await;
    let session_keys = format!("{}:s:", store.prefix());
    assert!(
        left.iter().all(|key| !key.starts_with(&session_keys)),
        "session keys outlived their expiry: {left:?}"
    );
    let mut raw = server.raw().await;
    for key in left {
        let ttl = raw.ttl(&key).await;
        assert!(
            ttl > 0 && ttl <= 300_000,
            "{key} lives {ttl} ms more, past the 5-minute grace"
        );
    }
}

async fn a_corrupted_payload_is_a_decode_error_naming_the_prefix(server: Server) {
    let store = server.store().await;
    let mut raw = server.raw().await;
    let prefix = store.prefix().to_owned();
    testing::check_corrupted_payload(&store, store.prefix(), |handle| async move {
        let key = layout::session(&prefix, &handle);
        raw.hset(&key, "d", "not json {").await;
    })
    .await;
}

/// Semantic 24: sessions written as schema version 1 wrote them (a hash of `d`, `e`, `k` with a
/// TTL, indexed by expiry, no schema record) stay loadable, listable and revocable after
/// `migrate()`, with the time of the upgrade as their `created_at` and `last_seen_at`.
async fn a_version_1_keyspace_is_upgraded_in_place(server: Server) {
    let store = server.store().await;
    let prefix = store.prefix().to_owned();
    let raw = std::sync::Arc::new(tokio::sync::Mutex::new(server.raw().await));
    let write = |rows: Vec<testing::VersionOneRow>| {
        let (raw, prefix) = (raw.clone(), prefix.clone());
        async move {
            let mut raw = raw.lock().await;
            for row in rows {
                let (key, expires_at) = (
                    layout::session(&prefix, &row.handle),
                    to_unix_micros(row.expires_at),
                );
                let mut hset = redis::cmd("HSET");
                hset.arg(&key)
                    .arg("d")
                    .arg(&row.payload)
                    .arg("e")
                    .arg(expires_at)
                    .arg("k")
                    .arg(&row.identity_key);
                raw.query::<()>(&hset).await;
                raw.query::<()>(redis::cmd("PEXPIREAT").arg(&key).arg(expires_at / 1000 + 1))
                    .await;
                let index = layout::index(&prefix, &row.identity_key);
                raw.query::<()>(
                    redis::cmd("ZADD")
                        .arg(&index)
                        .arg(expires_at)
                        .arg(&row.handle),
                )
                .await;
            }
        }
    };
    let version = || async {
        let mut raw = raw.lock().await;
        raw.query::<Option<i64>>(redis::cmd("HGET").arg(layout::schema(&prefix)).arg("v"))
            .await
            .unwrap_or(1)
    };
    testing::check_upgrade_in_place(&store, write, || store.migrate(), version, 2).await;
}

async fn a_newer_recorded_schema_version_is_refused(server: Server) {
    let store = server.store().await;
    let mut raw = server.raw().await;
    let schema = layout::schema(store.prefix());
    let record = |version: i64| async move {
        raw.query::<()>(redis::cmd("HSET").arg(&schema).arg("v").arg(version))
            .await;
    };
    testing::check_refuses_newer_schema(|| store.migrate(), record, 2).await;
}

/// On a single node the index is exact: ending every session by any route leaves no key.
#[tokio::test]
#[ignore = "needs AUTHLY_TEST_REDIS_URL"]
async fn ending_every_session_leaves_no_key_on_a_single_node() {
    let server = Server::single();
    let store = server.store().await;
    let alice = Identity::new("github", "alice");
    let bob = Identity::new("github", "bob");
    let hour = chrono::Duration::hours(1);
    let by_id = Session::new(alice.clone(), hour);
    let by_handle = Session::new(alice.clone(), hour);
    let touched_out = Session::new(alice.clone(), hour);
    let saved_expired = Session::new(alice.clone(), hour);
    let mut moved = Session::new(alice.clone(), hour);
    let bobs = [
        Session::new(bob.clone(), hour),
        Session::new(bob.clone(), hour),
    ];
    for session in [&by_id, &by_handle, &touched_out, &saved_expired, &moved]
        .into_iter()
        .chain(&bobs)
    {
        store.save_session(session).await.unwrap();
    }
    moved.identity = bob.clone();
    store.save_session(&moved).await.unwrap();
    assert!(
        store
            .list_identity_sessions("github", "alice")
            .await
            .unwrap()
            .iter()
            .all(|info| info.handle != session_handle(&moved.id))
    );

    store.delete_session(&by_id.id).await.unwrap();
    store
        .delete_session_by_handle(&session_handle(&by_handle.id))
        .await
        .unwrap();
    let past = chrono::Utc::now() - chrono::Duration::seconds(1);
    assert!(store.touch_session(&touched_out.id, past).await.unwrap());
    let expired = Session {
        expires_at: past,
        ..saved_expired.clone()
    };
    store.save_session(&expired).await.unwrap();
    assert_eq!(
        store
            .list_identity_sessions("github", "alice")
            .await
            .unwrap(),
        vec![]
    );
    assert_eq!(
        store
            .delete_identity_sessions("github", "bob")
            .await
            .unwrap(),
        3
    );
    assert_eq!(server.keys(store.prefix()).await, Vec::<String>::new());
}

/// `with_prefix` refuses a prefix with an empty hash tag on a connected store, as a
/// configuration error (the store it was called on stays usable).
#[tokio::test]
#[ignore = "needs AUTHLY_TEST_REDIS_URL"]
async fn a_prefix_with_an_empty_hash_tag_is_a_configuration_error() {
    let error = Server::single()
        .store()
        .await
        .with_prefix("sessions{}")
        .unwrap_err();
    assert!(
        matches!(error, SessionError::InvalidConfiguration { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("sessions{}"), "{error}");
}

#[tokio::test]
async fn connect_errors_name_the_server_not_the_password() {
    let error = authly_session_redis::RedisStore::connect("redis://:hunter2@127.0.0.1:1")
        .await
        .unwrap_err();
    assert!(matches!(error, SessionError::Backend { .. }), "{error:?}");
    let text = format!("{error} {error:?}");
    assert!(text.contains("127.0.0.1:1"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
    let error = authly_session_redis::RedisStore::connect("http://nope")
        .await
        .unwrap_err();
    assert!(
        matches!(error, SessionError::InvalidConfiguration { .. }),
        "{error:?}"
    );
}

/// More due indexes than one sweep script visits (its budget is 1,000): `delete_expired`
/// repeats until every entry past the grace is pruned, and the emptied keys are gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs AUTHLY_TEST_REDIS_URL"]
async fn delete_expired_works_through_a_backlog_larger_than_one_batch() {
    let server = Server::single();
    let store = server.store().await;
    let mut raw = server.raw().await;
    let (seconds, micros): (i64, i64) = raw.query(&redis::cmd("TIME")).await;
    let long_ago = seconds * 1_000_000 + micros - 600_000_000;
    let mut backlog = redis::pipe();
    for user in 0..1_500 {
        let ik = identity_key("github", &format!("backlog-{user}"));
        let index = layout::index(store.prefix(), &ik);
        backlog.zadd(&index, format!("{user:064x}"), long_ago);
        backlog.zadd(layout::registry(store.prefix(), &ik), &ik, long_ago);
    }
    let Raw::Single(connection) = &mut raw else {
        unreachable!("a single server")
    };
    backlog.query_async::<()>(connection).await.unwrap();
    assert!(!server.keys(store.prefix()).await.is_empty());
    assert_eq!(store.delete_expired().await.unwrap(), 0);
    assert_eq!(server.keys(store.prefix()).await, Vec::<String>::new());
}

/// `rediss://` works out of the box with a TLS feature (rustls gets a crypto provider): against a
/// server that does not speak TLS, connecting is a bounded error, not a panic or a hang.
#[cfg(any(feature = "tls-rustls", feature = "tls-native-tls"))]
#[tokio::test]
#[ignore = "needs AUTHLY_TEST_REDIS_URL"]
async fn tls_to_a_plain_server_is_an_error_not_a_panic() {
    let Server::Single(url) = Server::single() else {
        unreachable!("Server::single is a single node")
    };
    let tls_url = url.replacen("redis://", "rediss://", 1);
    let started = std::time::Instant::now();
    let error = authly_session_redis::RedisStore::connect(&tls_url)
        .await
        .unwrap_err();
    assert!(matches!(error, SessionError::Backend { .. }), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(15), "{error}");
}

/// Values no store writes in a session's fields (semantic 26, stored half).
const FOREIGN_FIELDS: &[ForeignValue] = &[
    ForeignValue::new(StoredField::ExpiresAt, "inf"),
    ForeignValue::new(StoredField::ExpiresAt, "nan"),
    ForeignValue::new(StoredField::ExpiresAt, "253402300800000000"),
    ForeignValue::new(StoredField::ExpiresAt, "99999999999999999999"),
    ForeignValue::new(StoredField::ExpiresAt, "1.7e15"),
    ForeignValue::new(StoredField::ExpiresAt, "-1"),
    ForeignValue::new(StoredField::CreatedAt, "yesterday"),
    ForeignValue::new(StoredField::CreatedAt, "-9223372036854775808"),
    ForeignValue::new(StoredField::LastSeenAt, "253402300800000000"),
    ForeignValue::new(StoredField::LastSeenAt, ""),
];

/// Semantic 26, stored half: a hand-edited field or a foreign payload is corrupt data for that
/// session only; listing skips it and it stays revocable.
async fn foreign_values_are_corrupt_data_for_that_session_only(server: Server) {
    let store = server.store().await;
    let prefix = store.prefix().to_owned();
    let raw = std::sync::Arc::new(tokio::sync::Mutex::new(server.raw().await));
    let mut values = FOREIGN_FIELDS.to_vec();
    values.extend(
        testing::FOREIGN_PAYLOADS
            .iter()
            .map(|payload| ForeignValue::new(StoredField::Payload, payload)),
    );
    testing::check_foreign_values(&store, &prefix, &values, |handle, value| {
        let (raw, key) = (raw.clone(), layout::session(&prefix, &handle));
        async move { layout::overwrite(&mut *raw.lock().await, &key, value).await }
    })
    .await;
}

/// Semantic 28: listing and signing out 100,000 sessions of one identity never keeps Redis busy
/// long enough to delay another client's `GET`.
async fn an_identity_of_100000_sessions_is_listed_and_signed_out_without_stalling_redis(
    server: Server,
) {
    let store = server.store().await;
    let other = server.raw().await;
    let probe = move || {
        let mut other = other.clone();
        async move {
            other
                .try_query::<Option<String>>(redis::cmd("GET").arg("authly-probe"))
                .await
                .map(drop)
        }
    };
    let figures = testing::check_bounded_work(
        &store,
        |sessions| testing::save_concurrently(&store, sessions),
        probe,
    )
    .await;
    println!("redis ({}): {figures}", server.describe());
}
