//! Checks that need the backend's help: constructing stores, migrating, dumping storage,
//! stopping the server. Each backend's tests call these with what only it can provide.

use std::future::Future;
use std::time::Duration;

use futures_util::future::join_all;
use tracing::instrument::WithSubscriber;

use super::check::Check;
use super::context::{Ctx, run_tag};
use super::logs::{LogCapture, assert_no_id_logged};
use super::operations::every_operation;
use super::semantic::{Semantic, ensure, ok};
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
    let (longest, too_long) = ("t".repeat(63), "t".repeat(64));
    let valid = VALID_TABLE_NAMES.iter().copied().chain([longest.as_str()]);
    let invalid = INVALID_TABLE_NAMES
        .iter()
        .copied()
        .chain([too_long.as_str()]);
    let cases = valid
        .map(|name| (name, true))
        .chain(invalid.map(|name| (name, false)))
        .chain([("auth.sessions", allows_schema)]);
    for (name, accept) in cases {
        let result = construct(name);
        let (right, expected) = match accept {
            true => (result.is_ok(), "accepted"),
            false => (
                matches!(result, Err(SessionError::InvalidConfiguration { .. })),
                "refused with a configuration error",
            ),
        };
        ensure!(
            Semantic::TABLE_NAMES,
            right,
            "table name {name:?} gave {result:?}; it must be {expected}"
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
    ok(
        Semantic::MIGRATE,
        "first of two concurrent migrations",
        first,
    );
    ok(
        Semantic::MIGRATE,
        "second of two concurrent migrations",
        second,
    );
    ok(
        Semantic::MIGRATE,
        "migration of a migrated schema",
        migrate().await,
    );
}

/// Semantic 21 on SQL stores: after `migrate()`, the schema version recorded for the store's
/// table (what `read_version` reads, `None` when no row records one) is `expected`, the newest
/// version the store knows, so a later release can upgrade the table in place.
///
/// # Panics
///
/// When no version, or another one, is recorded.
pub async fn check_version_recorded(
    read_version: impl Future<Output = Option<i64>>,
    expected: i64,
) {
    let recorded = read_version.await;
    ensure!(
        Semantic::BATCHES_AND_VERSION,
        recorded == Some(expected),
        "migrate recorded schema version {recorded:?}, expected Some({expected})"
    );
}

/// Semantic 15: `a` and `b` (different tables or prefixes on one server) share nothing.
///
/// # Panics
///
/// When a session saved in one is visible to, or removed by, the other.
pub async fn check_isolation<A: SessionStore, B: SessionStore>(a: &A, b: &B) {
    let (in_a_store, in_b_store) = (
        Check::new(a, Semantic::ISOLATION),
        Check::new(b, Semantic::ISOLATION),
    );
    let identity = Identity::new(format!("isolation-{}", run_tag()), "shared-user");
    let in_a = Session::new(identity.clone(), chrono::Duration::hours(1));
    let in_b = Session::new(identity.clone(), chrono::Duration::hours(1));
    in_a_store.save(&in_a).await;
    in_b_store.save(&in_b).await;
    in_b_store.gone(&in_a.id, "b loads a's session").await;
    in_a_store.gone(&in_b.id, "a loads b's session").await;
    let listed = in_b_store.list(&identity).await;
    ensure!(
        Semantic::ISOLATION,
        listed.len() == 1 && listed[0].handle == session_handle(&in_b.id),
        "b lists {} sessions for the identity, expected its own 1",
        listed.len()
    );
    in_b_store.delete_by_handle(&session_handle(&in_a.id)).await;
    in_b_store.delete(&in_a.id).await;
    in_a_store.loaded(&in_a.id, "b deleted a's session").await;
    let removed = in_b_store.delete_identity(&identity).await;
    ensure!(
        Semantic::ISOLATION,
        removed == 1,
        "b signed out {removed} sessions, expected its own 1"
    );
    in_a_store
        .loaded(&in_a.id, "b signed out a's session")
        .await;
    in_a_store.delete(&in_a.id).await;
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
    let check = Check::new(store, Semantic::HASHED);
    let session = Session::new(
        Identity::new(format!("hashed-{}", run_tag()), "user"),
        chrono::Duration::hours(1),
    );
    check.save(&session).await;
    let text = dump().await;
    for (holds, present, what) in [
        (
            &session.id,
            false,
            "the stored data holds the raw session id",
        ),
        (
            &session_handle(&session.id),
            true,
            "the stored data does not hold the session handle",
        ),
        (
            &r#"{"v":2,"identity":{"#.to_owned(),
            true,
            "the stored payload lacks its version tag",
        ),
    ] {
        ensure!(check, text.contains(holds.as_str()) == present, "{what}");
    }
    check.delete(&session.id).await;
}

/// A corrupted stored payload: after `corrupt(handle)` overwrites the stored data of one session
/// with something that is not its JSON, loading it is a [`SessionError::CorruptData`] whose
/// message names `location` (the table or key prefix) and not the id, never a panic; every other
/// session still loads, listing skips the corrupted one, and `delete_session_by_handle` revokes
/// it. [`check_foreign_values`](super::check_foreign_values) runs the same steps over many
/// foreign values.
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
    super::foreign::corrupted_payload(store, location, corrupt).await;
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
    let check = Check::new(store, Semantic::BATCHES_AND_VERSION);
    let count = batch * 2 + 17;
    let live = Session::new(
        Identity::new(format!("backlog-{}", run_tag()), "user"),
        chrono::Duration::hours(1),
    );
    check.save(&live).await;
    insert_expired(count).await;
    let removed = check.delete_expired().await;
    ensure!(
        check,
        removed == count,
        "delete_expired removed {removed} of a backlog of {count}"
    );
    check
        .loaded(&live.id, "clearing the backlog removed a live session")
        .await;
    check.delete(&live.id).await;
}

/// Semantic 16: with the server stopped, every operation that needs it returns `Err` within
/// `limit` (no panic, no hang) and no error holds the id; reads of malformed ids still answer
/// without the server. After `start`, the same store works again within `limit`. No log line
/// emitted meanwhile may hold a full session id.
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
    let ctx = Ctx::new((), false, None);
    let capture = LogCapture::new();
    fault_recovery(&ctx, store, stop, start, limit)
        .with_subscriber(capture.dispatch())
        .await;
    assert_no_id_logged(&capture, &ctx.ids_used());
}

/// [`check_fault_recovery`]'s steps; the ids it uses go to `ctx`, for the log check.
async fn fault_recovery(
    ctx: &Ctx<()>,
    store: &impl SessionStore,
    stop: impl Future<Output = ()>,
    start: impl Future<Output = ()>,
    limit: Duration,
) {
    let check = Check::new(store, Semantic::FAULTS);
    let identity = ctx.identity("faults");
    let session = ctx.session(&identity, chrono::Duration::hours(1));
    check.save(&session).await;
    stop.await;

    let id = session.id.as_str();
    for (name, result) in every_operation_bounded(store, &session, limit).await {
        match result {
            Ok(()) => check.fail(format_args!("{name} succeeded against a stopped server")),
            Err(error) => ensure!(
                Semantic::SECRET_ID,
                !format!("{error} {error:?}").contains(id),
                "the {name} error holds the full session id"
            ),
        }
    }
    let malformed = tokio::time::timeout(limit, store.load_session("not a valid id")).await;
    ensure!(
        Semantic::LOAD_NONE,
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
            Ok(other) => check.fail(format_args!(
                "after recovery a saved session loaded as {other:?}"
            )),
            Err(error) if tokio::time::Instant::now() < deadline => {
                tracing::debug!(%error, "store not back yet");
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Err(error) => check.fail(format_args!(
                "the store did not recover within {limit:?}: {error}"
            )),
        }
    }
    check.delete(&fresh.id).await;
    let _ = store.delete_session(&session.id).await;
}

/// Every operation of the trait on `session` (and its identity and handle), all at once, each
/// with its name and its outcome.
///
/// # Panics
///
/// When one takes longer than `limit`.
async fn every_operation_bounded<S: SessionStore>(
    store: &S,
    session: &Session,
    limit: Duration,
) -> Vec<(&'static str, Result<(), SessionError>)> {
    let handle = session_handle(&session.id);
    let operations = every_operation(store, session, &handle);
    join_all(operations.into_iter().map(|(name, operation)| async move {
        match tokio::time::timeout(limit, operation).await {
            Ok(result) => (name, result),
            Err(_) => panic!(
                "conformance: {}: {name} hung for {limit:?} against a stopped server",
                Semantic::FAULTS
            ),
        }
    }))
    .await
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
