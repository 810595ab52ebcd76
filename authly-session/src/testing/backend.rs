//! Checks that need the backend's help: constructing stores, migrating, dumping storage,
//! stopping the server. Each backend's tests call these with what only it can provide.

use std::future::Future;
use std::time::Duration;

use chrono::Utc;

use tracing::instrument::WithSubscriber;

use super::context::{Ctx, run_tag};
use super::logs::{LogCapture, assert_no_id_logged};
use super::semantic::*;
use crate::{Identity, Session, SessionError, SessionStore, session_handle};

/// Table names every SQL store must accept.
pub const VALID_TABLE_NAMES: &[&str] = &["sessions", "_t", "Auth_Sessions_2", "user", "order"];

/// Table names every SQL store must refuse at construction.
pub const INVALID_TABLE_NAMES: &[&str] = &[
    "",
    "1sessions",
    "sessions;",
    "sessions; DROP TABLE users",
    "sess ions",
    "sess-ions",
    "\"sessions\"",
    "`sessions`",
    "sessions--",
    "séssions",
    "sessions\0",
    "a.b.c",
    ".sessions",
    "sessions.",
];

/// Semantic 13: `construct(name)` builds a store on table `name` and must accept every name of
/// [`VALID_TABLE_NAMES`] (and a 63-character one) and refuse every name of
/// [`INVALID_TABLE_NAMES`] (and a 64-character one) with [`SessionError::InvalidConfiguration`].
/// With `allows_schema`, `schema.table` must be accepted too; without, refused.
///
/// # Panics
///
/// When a name is accepted or refused wrongly.
pub fn check_table_names(
    construct: impl Fn(&str) -> Result<(), SessionError>,
    allows_schema: bool,
) {
    let longest = "t".repeat(63);
    let too_long = "t".repeat(64);
    for name in VALID_TABLE_NAMES.iter().copied().chain([longest.as_str()]) {
        let result = construct(name);
        ensure!(
            TABLE_NAMES,
            result.is_ok(),
            "valid table name {name:?} was refused: {result:?}"
        );
    }
    for name in INVALID_TABLE_NAMES
        .iter()
        .copied()
        .chain([too_long.as_str()])
    {
        let result = construct(name);
        ensure!(
            TABLE_NAMES,
            matches!(result, Err(SessionError::InvalidConfiguration { .. })),
            "invalid table name {name:?} gave {result:?}, not a configuration error"
        );
    }
    let qualified = construct("auth.sessions");
    if allows_schema {
        ensure!(
            TABLE_NAMES,
            qualified.is_ok(),
            "schema.table was refused: {qualified:?}"
        );
    } else {
        ensure!(
            TABLE_NAMES,
            qualified.is_err(),
            "schema.table was accepted where schemas are not supported"
        );
    }
}

/// Semantic 14: two `migrate()` calls at once both succeed, and a third afterwards too.
/// `migrate` should build its store on its own pool, as a second process would.
///
/// # Panics
///
/// When any of the three calls fails.
pub async fn check_concurrent_migrate<F, Fut>(migrate: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<(), SessionError>>,
{
    let (first, second) = tokio::join!(migrate(), migrate());
    ok(MIGRATE, "first of two concurrent migrations", first);
    ok(MIGRATE, "second of two concurrent migrations", second);
    ok(MIGRATE, "migration of a migrated schema", migrate().await);
}

/// Semantic 15: `a` and `b` (different tables or prefixes on one server) share nothing.
///
/// # Panics
///
/// When a session saved in one is visible to, or removed by, the other.
pub async fn check_isolation<A: SessionStore, B: SessionStore>(a: &A, b: &B) {
    let tag = run_tag();
    let identity = Identity::new(format!("isolation-{tag}"), "shared-user");
    let in_a = Session::new(identity.clone(), chrono::Duration::hours(1));
    let in_b = Session::new(identity.clone(), chrono::Duration::hours(1));
    ok(ISOLATION, "save in a", a.save_session(&in_a).await);
    ok(ISOLATION, "save in b", b.save_session(&in_b).await);
    ensure!(
        ISOLATION,
        ok(ISOLATION, "load", b.load_session(&in_a.id).await).is_none(),
        "b loads a's session"
    );
    ensure!(
        ISOLATION,
        ok(ISOLATION, "load", a.load_session(&in_b.id).await).is_none(),
        "a loads b's session"
    );
    let listed = ok(
        ISOLATION,
        "list",
        b.list_identity_sessions(&identity.provider_id, &identity.external_id)
            .await,
    );
    ensure!(
        ISOLATION,
        listed.len() == 1 && listed[0].handle == session_handle(&in_b.id),
        "b lists {} sessions for the identity, expected its own 1",
        listed.len()
    );
    ok(
        ISOLATION,
        "delete by handle",
        b.delete_session_by_handle(&session_handle(&in_a.id)).await,
    );
    ok(ISOLATION, "delete", b.delete_session(&in_a.id).await);
    ensure!(
        ISOLATION,
        ok(ISOLATION, "load", a.load_session(&in_a.id).await).is_some(),
        "b deleted a's session"
    );
    let removed = ok(
        ISOLATION,
        "delete_identity_sessions",
        b.delete_identity_sessions(&identity.provider_id, &identity.external_id)
            .await,
    );
    ensure!(
        ISOLATION,
        removed == 1,
        "b signed out {removed} sessions, expected its own 1"
    );
    ensure!(
        ISOLATION,
        ok(ISOLATION, "load", a.load_session(&in_a.id).await).is_some(),
        "b signed out a's session"
    );
    ok(ISOLATION, "cleanup", a.delete_session(&in_a.id).await);
}

/// Semantic 18: after a save, `dump()` (every stored byte of the store's table or keyspace,
/// as text) holds the session's handle and its versioned payload, and never its id.
///
/// # Panics
///
/// When the dump holds the id, or lacks the handle or the version tag.
pub async fn check_hashed_at_rest<S, F, Fut>(store: &S, dump: F)
where
    S: SessionStore,
    F: FnOnce() -> Fut,
    Fut: Future<Output = String>,
{
    let session = Session::new(
        Identity::new(format!("hashed-{}", run_tag()), "user"),
        chrono::Duration::hours(1),
    );
    ok(HASHED, "save", store.save_session(&session).await);
    let text = dump().await;
    ensure!(
        HASHED,
        !text.contains(&session.id),
        "the stored data holds the raw session id"
    );
    ensure!(
        HASHED,
        text.contains(&session_handle(&session.id)),
        "the stored data does not hold the session handle"
    );
    ensure!(
        HASHED,
        text.contains(r#"{"v":2,"identity":{"#),
        "the stored payload lacks its version tag"
    );
    ok(HASHED, "delete", store.delete_session(&session.id).await);
}

/// A corrupted stored payload: after `corrupt(handle)` overwrites the stored data of one session
/// with something that is not its JSON, loading it is a [`SessionError::CorruptData`] whose
/// message names `location` (the table or key prefix) and not the id, never a panic; every other
/// session still loads.
///
/// # Panics
///
/// When the corrupted session loads, fails otherwise, or takes its neighbours down with it.
pub async fn check_corrupted_payload<S, F, Fut>(store: &S, location: &str, corrupt: F)
where
    S: SessionStore,
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = ()>,
{
    let identity = Identity::new(format!("corrupt-{}", run_tag()), "user");
    let good = Session::new(identity.clone(), chrono::Duration::hours(1));
    let bad = Session::new(identity, chrono::Duration::hours(1));
    ok(ROUND_TRIP, "save", store.save_session(&good).await);
    ok(ROUND_TRIP, "save", store.save_session(&bad).await);
    corrupt(session_handle(&bad.id)).await;
    match store.load_session(&bad.id).await {
        Err(error @ SessionError::CorruptData { .. }) => {
            let text = format!("{error} {error:?}");
            ensure!(
                ROUND_TRIP,
                text.contains(location),
                "the decode error does not name {location:?}: {error}"
            );
            ensure!(
                SECRET_ID,
                !text.contains(&bad.id),
                "the decode error holds the full session id"
            );
        }
        other => panic!(
            "conformance: {ROUND_TRIP}: loading a corrupted session gave {other:?}, not a decode error"
        ),
    }
    ensure!(
        ROUND_TRIP,
        ok(ROUND_TRIP, "load", store.load_session(&good.id).await).is_some(),
        "one corrupted session made another unloadable"
    );
    ok(ROUND_TRIP, "cleanup", store.delete_session(&good.id).await);
    ok(ROUND_TRIP, "cleanup", store.delete_session(&bad.id).await);
}

/// Semantic 21 on SQL stores: after `insert_expired(count)` writes `count` expired rows straight
/// into the table (two and a bit times `batch`, the most rows the store deletes per statement,
/// so several batches are needed), `delete_expired` removes exactly those and returns `count`,
/// and a live session stays. Call it on a table with no other expired rows.
///
/// # Panics
///
/// When the count is wrong or the live session is gone.
pub async fn check_expired_backlog<S, F, Fut>(store: &S, batch: u64, insert_expired: F)
where
    S: SessionStore,
    F: FnOnce(u64) -> Fut,
    Fut: Future<Output = ()>,
{
    let count = batch * 2 + 17;
    let live = Session::new(
        Identity::new(format!("backlog-{}", run_tag()), "user"),
        chrono::Duration::hours(1),
    );
    ok(BATCHES_AND_VERSION, "save", store.save_session(&live).await);
    insert_expired(count).await;
    let removed = ok(
        BATCHES_AND_VERSION,
        "delete_expired",
        store.delete_expired().await,
    );
    ensure!(
        BATCHES_AND_VERSION,
        removed == count,
        "delete_expired removed {removed} of a backlog of {count}"
    );
    ensure!(
        BATCHES_AND_VERSION,
        ok(BATCHES_AND_VERSION, "load", store.load_session(&live.id).await).is_some(),
        "clearing the backlog removed a live session"
    );
    ok(
        BATCHES_AND_VERSION,
        "cleanup",
        store.delete_session(&live.id).await,
    );
}

/// Semantic 16: with the server stopped, every operation that needs it returns `Err` within
/// `limit` (no panic, no hang) and no error holds the id; reads of malformed ids still answer
/// without the server. After `start`, the same store works again within `limit`.
///
/// # Panics
///
/// When an operation succeeds against a stopped server, hangs past `limit`, leaks the id, or the
/// store does not recover.
pub async fn check_fault_recovery<S, Stop, Start>(
    store: &S,
    stop: Stop,
    start: Start,
    limit: Duration,
) where
    S: SessionStore,
    Stop: Future<Output = ()>,
    Start: Future<Output = ()>,
{
    let ctx = Ctx::new((), false);
    let capture = LogCapture::new();
    fault_recovery(&ctx, store, stop, start, limit)
        .with_subscriber(capture.dispatch())
        .await;
    assert_no_id_logged(&capture, &ctx.ids_used());
}

async fn fault_recovery<S, Stop, Start>(
    ctx: &Ctx<()>,
    store: &S,
    stop: Stop,
    start: Start,
    limit: Duration,
) where
    S: SessionStore,
    Stop: Future<Output = ()>,
    Start: Future<Output = ()>,
{
    let identity = ctx.identity("faults");
    let session = ctx.session(&identity, chrono::Duration::hours(1));
    ok(
        FAULTS,
        "save before the fault",
        store.save_session(&session).await,
    );
    stop.await;

    let id = session.id.as_str();
    let handle = session_handle(id);
    let later = Utc::now() + chrono::Duration::hours(2);
    let (p, e) = (identity.provider_id.as_str(), identity.external_id.as_str());
    let outcomes: Vec<(&str, Result<(), SessionError>)> = {
        let results = tokio::join!(
            bounded(
                limit,
                "load_session",
                Box::pin(async { store.load_session(id).await.map(drop) })
            ),
            bounded(
                limit,
                "save_session",
                Box::pin(async { store.save_session(&session).await })
            ),
            bounded(
                limit,
                "touch_session",
                Box::pin(async { store.touch_session(id, later).await.map(drop) })
            ),
            bounded(
                limit,
                "delete_session",
                Box::pin(async { store.delete_session(id).await })
            ),
            bounded(
                limit,
                "delete_expired",
                Box::pin(async { store.delete_expired().await.map(drop) })
            ),
            bounded(
                limit,
                "list_identity_sessions",
                Box::pin(async { store.list_identity_sessions(p, e).await.map(drop) })
            ),
            bounded(
                limit,
                "delete_session_by_handle",
                Box::pin(async { store.delete_session_by_handle(&handle).await })
            ),
            bounded(
                limit,
                "delete_identity_sessions",
                Box::pin(async { store.delete_identity_sessions(p, e).await.map(drop) })
            ),
        );
        vec![
            results.0, results.1, results.2, results.3, results.4, results.5, results.6, results.7,
        ]
    };
    for (name, result) in outcomes {
        match result {
            Ok(()) => panic!("conformance: {FAULTS}: {name} succeeded against a stopped server"),
            Err(error) => {
                let text = format!("{error} {error:?}");
                ensure!(
                    SECRET_ID,
                    !text.contains(id),
                    "the {name} error holds the full session id"
                );
            }
        }
    }
    let malformed = tokio::time::timeout(limit, store.load_session("not a valid id")).await;
    ensure!(
        LOAD_NONE,
        matches!(malformed, Ok(Ok(None))),
        "loading a malformed id with the server down gave {malformed:?}: it must answer None without the server"
    );

    start.await;
    let deadline = tokio::time::Instant::now() + limit;
    let fresh = ctx.session(&identity, chrono::Duration::hours(1));
    loop {
        let attempt = async {
            store.save_session(&fresh).await?;
            store.load_session(&fresh.id).await
        };
        match attempt.await {
            Ok(Some(loaded)) if loaded.identity == identity => break,
            Ok(other) => {
                panic!("conformance: {FAULTS}: after recovery a saved session loaded as {other:?}")
            }
            Err(error) if tokio::time::Instant::now() < deadline => {
                tracing::debug!(%error, "store not back yet");
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Err(error) => {
                panic!("conformance: {FAULTS}: the store did not recover within {limit:?}: {error}")
            }
        }
    }
    ok(FAULTS, "cleanup", store.delete_session(&fresh.id).await);
    let _ = store.delete_session(&session.id).await;
}

type Op<'a> = std::pin::Pin<Box<dyn Future<Output = Result<(), SessionError>> + Send + 'a>>;

/// `op`'s outcome, or a panic naming it when it takes longer than `limit`.
async fn bounded(
    limit: Duration,
    name: &'static str,
    op: Op<'_>,
) -> (&'static str, Result<(), SessionError>) {
    match tokio::time::timeout(limit, op).await {
        Ok(result) => (name, result),
        Err(_) => {
            panic!("conformance: {FAULTS}: {name} hung for {limit:?} against a stopped server")
        }
    }
}

/// The URL of the test server named by `variable`, for a backend's integration tests.
///
/// Server-backed tests are `#[ignore = "needs VARIABLE"]`, so plain `cargo test` reports them as
/// ignored; `cargo xtask test` runs them with `--include-ignored` and sets the variable. A test
/// that runs without it fails: a missing server is never a silent pass.
///
/// # Panics
///
/// When the variable is unset or empty.
///
/// # Examples
///
/// ```no_run
/// let url = authly_session::testing::server_url("AUTHLY_TEST_POSTGRES_URL");
/// ```
pub fn server_url(variable: &str) -> String {
    match std::env::var(variable) {
        Ok(url) if !url.trim().is_empty() => url,
        _ => panic!(
            "{variable} is not set: this test needs a real server (cargo xtask test provides one)"
        ),
    }
}

/// Runs `command` with `sh -c` (e.g. the command a test variable names to stop a server).
///
/// # Panics
///
/// When the command cannot start or exits unsuccessfully.
pub(crate) fn run_shell(command: &str) {
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .status()
        .unwrap_or_else(|e| panic!("could not run {command:?}: {e}"));
    assert!(status.success(), "{command:?} failed: {status}");
}

/// A table name (or key prefix) unique to one test: `{base}_{16 hex digits}`.
pub fn unique_name(base: &str) -> String {
    format!("{base}_{}", run_tag())
}
