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
use common::{Server, layout};

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
    listing_prunes_the_identity_index,
    every_key_expires_with_the_sessions,
    a_corrupted_payload_is_a_decode_error_naming_the_prefix,
    a_version_1_keyspace_is_upgraded_in_place,
    a_version_2_keyspace_is_read_and_rewritten_in_place,
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

/// The stored layout is the documented one: one string per session (its times and identity key
/// in a fixed header, then the payload) expiring at `expires_at`, and the identity's index
/// scored by expiry, living 5 minutes past its last session.
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
    let (key, index) = (layout::session(prefix, &handle), layout::index(prefix, &ik));
    let mut raw = server.raw().await;
    let value: Vec<u8> = raw.query(redis::cmd("GET").arg(&key)).await;
    let header = |range: std::ops::Range<usize>| String::from_utf8(value[range].to_vec()).unwrap();
    let micros = to_unix_micros(session.expires_at);
    assert_eq!(header(0..19), format!("{micros:019}"));
    assert_eq!(
        header(19..38),
        format!("{:019}", to_unix_micros(session.created_at))
    );
    assert_eq!(
        header(38..57),
        format!("{:019}", to_unix_micros(session.last_seen_at))
    );
    assert_eq!(header(57..121), ik);
    assert!(header(121..value.len()).starts_with(r#"{"v":2,"identity":{"provider_id":"github""#));
    let ttl = raw.ttl(&key).await;
    assert!(
        (3_590_000..=3_600_001).contains(&ttl),
        "the session key expires at expires_at, rounded up to the millisecond: {ttl} ms"
    );
    assert_eq!(
        raw.score(&index, &handle).await,
        micros,
        "the index scores by expires_at"
    );
    let ttl = raw.ttl(&index).await;
    assert!(
        (3_890_000..=3_900_001).contains(&ttl),
        "the index lives 5 minutes past its last session: {ttl} ms"
    );
    assert_eq!(
        server.keys(prefix).await.len(),
        2,
        "nothing else is written"
    );
    store.delete_session(&session.id).await.unwrap();
}

/// Index entries go only once they are more than the 5-minute grace past their expiry by the
/// server's clock (never by an app instance's clock, never just because a session is missing:
/// a save racing the check could lose its entry): `delete_expired` finds every index with
/// `SCAN` and prunes them, and so does a listing of that identity. Returns 0.
async fn listing_prunes_the_identity_index(server: Server) {
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
    let index = layout::index(&prefix, &ik);
    assert_eq!(raw.members(&index).await, 4);
    tokio::time::sleep(Duration::from_millis(600)).await;
    for session in &short {
        let key = layout::session(&prefix, &session_handle(&session.id));
        assert!(
            !raw.exists(&key).await,
            "Redis expires session keys at their expires_at"
        );
    }
    // Entries of sessions that ended 10 minutes ago by the server's clock.
    let (seconds, micros): (i64, i64) = raw.query(&redis::cmd("TIME")).await;
    let long_ago = seconds * 1_000_000 + micros - 600_000_000;
    for n in 0..3 {
        let mut zadd = redis::cmd("ZADD");
        zadd.arg(&index).arg(long_ago + n).arg(format!("{n:064x}"));
        raw.query::<()>(&zadd).await;
    }
    assert_eq!(raw.members(&index).await, 7);
    assert_eq!(store.delete_expired().await.unwrap(), 0);
    assert_eq!(
        raw.members(&index).await,
        4,
        "delete_expired pruned exactly the entries past the grace"
    );

    let listed = store
        .list_identity_sessions("github", "pruning")
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].handle, session_handle(&long.id));
    assert_eq!(
        raw.members(&index).await,
        4,
        "entries of sessions that ended within the grace stay"
    );
    store.delete_session(&long.id).await.unwrap();
}

/// Whatever the store leaves behind carries a TTL: session keys go at their expiry, and index
/// keys at most the pruning grace (5 minutes) after their last session's.
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
        let garbage = ForeignValue::new(StoredField::Payload, "not json {");
        layout::overwrite(&mut raw, &key, garbage).await;
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
    testing::check_upgrade_in_place(&store, write, || store.migrate(), version, 3).await;
}

/// Semantic 24 from schema version 2: its sessions are hashes (`d`, `e`, `k`, `c`, `l`) indexed by
/// expiry, with version 2 recorded. After `migrate()` they load exactly
/// (metadata and times included), list, touch (rewritten as strings), update and sign out.
async fn a_version_2_keyspace_is_read_and_rewritten_in_place(server: Server) {
    let store = server.store().await;
    let prefix = store.prefix().to_owned();
    let mut raw = server.raw().await;
    raw.query::<()>(
        redis::cmd("HSET")
            .arg(layout::schema(&prefix))
            .arg("v")
            .arg(2)
            .arg("since")
            .arg(1),
    )
    .await;
    let identity = Identity::new("github", "version-2");
    let ik = identity_key("github", "version-2");
    let sessions: Vec<Session> = (0..3)
        .map(|n| {
            Session::new(identity.clone(), chrono::Duration::hours(1 + n))
                .with_metadata("device", format!("laptop {n}"))
        })
        .collect();
    for session in &sessions {
        let handle = session_handle(&session.id);
        let key = layout::session(&prefix, &handle);
        let payload =
            authly_session::store_kit::encode_payload(&session.identity, &session.metadata)
                .unwrap();
        let expires_at = to_unix_micros(session.expires_at);
        let mut hset = redis::cmd("HSET");
        hset.arg(&key)
            .arg("d")
            .arg(payload)
            .arg("e")
            .arg(expires_at)
            .arg("k")
            .arg(&ik)
            .arg("c")
            .arg(to_unix_micros(session.created_at))
            .arg("l")
            .arg(to_unix_micros(session.last_seen_at));
        raw.query::<()>(&hset).await;
        raw.query::<()>(redis::cmd("PEXPIREAT").arg(&key).arg(expires_at / 1000 + 1))
            .await;
        let mut zadd = redis::cmd("ZADD");
        zadd.arg(layout::index(&prefix, &ik))
            .arg(expires_at)
            .arg(&handle);
        raw.query::<()>(&zadd).await;
    }
    store.migrate().await.unwrap();
    let version: i64 = raw
        .query(redis::cmd("HGET").arg(layout::schema(&prefix)).arg("v"))
        .await;
    assert_eq!(version, 3);

    let micros = authly_session::store_kit::truncate_to_micros;
    for session in &sessions {
        let loaded = store.load_session(&session.id).await.unwrap().unwrap();
        assert_eq!(loaded.identity, session.identity);
        assert_eq!(loaded.metadata, session.metadata);
        assert_eq!(loaded.expires_at, micros(session.expires_at));
        assert_eq!(loaded.created_at, micros(session.created_at));
        assert_eq!(loaded.last_seen_at, micros(session.last_seen_at));
    }
    let listed = store
        .list_identity_sessions("github", "version-2")
        .await
        .unwrap();
    assert_eq!(listed.len(), 3);

    let later = chrono::Utc::now() + chrono::Duration::hours(5);
    assert!(store.touch_session(&sessions[0].id, later).await.unwrap());
    let touched = store.load_session(&sessions[0].id).await.unwrap().unwrap();
    assert_eq!(touched.expires_at, micros(later));
    assert_eq!(touched.created_at, micros(sessions[0].created_at));
    assert_eq!(touched.metadata, sessions[0].metadata);
    let kind: String = raw
        .query(redis::cmd("TYPE").arg(layout::session(&prefix, &session_handle(&sessions[0].id))))
        .await;
    assert_eq!(
        kind, "string",
        "a touched session is rewritten in the current layout"
    );

    let mut updated = sessions[1].clone();
    updated.metadata.insert("device".into(), "phone".into());
    assert!(store.update_session(&updated).await.unwrap());
    let loaded = store.load_session(&updated.id).await.unwrap().unwrap();
    assert_eq!(loaded.metadata, updated.metadata);
    assert_eq!(loaded.created_at, micros(sessions[1].created_at));

    assert_eq!(
        store
            .delete_identity_sessions("github", "version-2")
            .await
            .unwrap(),
        3
    );
    for session in &sessions {
        assert!(store.load_session(&session.id).await.unwrap().is_none());
    }
}

async fn a_newer_recorded_schema_version_is_refused(server: Server) {
    let store = server.store().await;
    let mut raw = server.raw().await;
    let schema = layout::schema(store.prefix());
    let record = |version: i64| async move {
        raw.query::<()>(redis::cmd("HSET").arg(&schema).arg("v").arg(version))
            .await;
    };
    testing::check_refuses_newer_schema(|| store.migrate(), record, 3).await;
}

/// Once every session has ended by any route, no session key is left, and what remains of the
/// identity indexes expires at most the 5-minute grace after its last session would have.
#[tokio::test]
#[ignore = "needs AUTHLY_TEST_REDIS_URL"]
async fn ending_every_session_leaves_only_expiring_index_keys() {
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
    let sessions = format!("{}:s:", store.prefix());
    let mut raw = server.raw().await;
    let schema = format!("{}:schema", store.prefix());
    for key in server.keys(store.prefix()).await {
        if key == schema {
            continue;
        }
        assert!(!key.starts_with(&sessions), "{key} outlived its session");
        let ttl = raw.ttl(&key).await;
        assert!(
            ttl > 0 && ttl <= 3_900_001,
            "{key} lives {ttl} ms, past its last session's hour and the grace"
        );
    }
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
    ForeignValue::new(StoredField::LastSeenAt, "9999999999999999999"),
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
