//! Semantic 24: a store written by the previous schema version, upgraded in place by `migrate()`.

use std::future::Future;

use chrono::{DateTime, Duration, Utc};

use super::check::Check;
use super::checks::facts::same_micros;
use super::context::Ctx;
use super::semantic::{Semantic, ensure, ok};
use crate::store_kit::identity_key;
use crate::{Identity, Session, SessionStore, session_handle};

/// One session as schema version 1 stored it, for a backend's test to write with its version-1
/// DDL: handle, identity key, version-1 payload (`{"v":1,"identity":{...}}`) and expiry.
#[derive(Clone, Debug)]
pub struct VersionOneRow {
    /// `session_handle(id)`.
    pub handle: String,
    /// `identity_key(provider_id, external_id)`.
    pub identity_key: String,
    /// The version-1 payload.
    pub payload: String,
    /// When the session ends.
    pub expires_at: DateTime<Utc>,
}

impl VersionOneRow {
    fn of(session: &Session) -> Self {
        #[derive(serde::Serialize)]
        struct V1<'a> {
            v: u32,
            identity: &'a Identity,
        }
        VersionOneRow {
            handle: session_handle(&session.id),
            identity_key: identity_key(
                &session.identity.provider_id,
                &session.identity.external_id,
            ),
            payload: serde_json::to_string(&V1 {
                v: 1,
                identity: &session.identity,
            })
            .expect("an identity serialises"),
            expires_at: session.expires_at,
        }
    }
}

/// Semantic 24: `write_v1(rows)` must store `rows` as the previous schema version did (a table
/// made by the version-1 DDL, or version-1 Redis keys, version 1 recorded). The check then runs
/// `migrate()` twice at once and once more, reads the recorded version through
/// `recorded_version` (it must be `newest`), and checks that every live session stays loadable
/// (identity and expiry kept, metadata empty, `created_at` and `last_seen_at` set to a real time
/// no later than the upgrade, never 1970), listable, touchable, updatable and revocable.
///
/// # Panics
///
/// When a migration fails, the version is not recorded, or any old session is lost or wrong.
pub async fn check_upgrade_in_place<S, W, WF, M, MF, R, RF>(
    store: &S,
    write_v1: W,
    migrate: M,
    recorded_version: R,
    newest: i64,
) where
    S: SessionStore,
    W: FnOnce(Vec<VersionOneRow>) -> WF,
    WF: Future<Output = ()>,
    M: Fn() -> MF,
    MF: Future<Output = Result<(), crate::SessionError>>,
    R: FnOnce() -> RF,
    RF: Future<Output = i64>,
{
    let ctx = Ctx::new((), false, None);
    let check = Check::new(store, Semantic::UPGRADE);
    let (alice, bob) = (ctx.identity("upgrade-alice"), ctx.identity("upgrade-bob"));
    let sessions = [
        ctx.session(&alice, Duration::hours(2)),
        ctx.session(&alice, Duration::hours(3)),
        ctx.session(&bob, Duration::hours(4)),
    ];
    let expired = ctx.session(&bob, Duration::seconds(-10));
    let rows = sessions
        .iter()
        .chain([&expired])
        .map(VersionOneRow::of)
        .collect();
    let written_before = Utc::now();
    write_v1(rows).await;

    let (first, second) = tokio::join!(migrate(), migrate());
    for (what, result) in [
        ("first of two concurrent upgrades", first),
        ("second of two concurrent upgrades", second),
        ("migrate of an upgraded schema", migrate().await),
    ] {
        ok(Semantic::UPGRADE, what, result);
    }
    let upgraded_by = Utc::now();
    let version = recorded_version().await;
    ensure!(
        check,
        version == newest,
        "the upgrade recorded version {version}, not {newest}"
    );

    for session in &sessions {
        let loaded = check
            .loaded(&session.id, "a version-1 session did not load")
            .await;
        ensure!(
            check,
            loaded.identity == session.identity
                && same_micros(loaded.expires_at, session.expires_at)
                && loaded.metadata.is_empty(),
            "a version-1 session changed identity, expiry or metadata in the upgrade"
        );
        for (name, time) in [
            ("created_at", loaded.created_at),
            ("last_seen_at", loaded.last_seen_at),
        ] {
            ensure!(
                check,
                time >= written_before - Duration::minutes(5)
                    && time <= upgraded_by + Duration::seconds(1),
                "a version-1 session's {name} fell back to {time}, not the time of the upgrade"
            );
        }
    }
    check
        .gone(
            &expired.id,
            "an expired version-1 session loads after the upgrade",
        )
        .await;

    let listed = check.list(&alice).await.len();
    ensure!(
        check,
        listed == 2,
        "alice lists {listed} version-1 sessions, not 2"
    );
    let [first_of_alice, second_of_alice, of_bob] = &sessions;
    check
        .delete_by_handle(&session_handle(&first_of_alice.id))
        .await;
    check
        .gone(
            &first_of_alice.id,
            "a version-1 session survived delete_session_by_handle",
        )
        .await;
    let later = Utc::now() + Duration::hours(5);
    ensure!(
        check,
        check.touch(&second_of_alice.id, later).await,
        "a version-1 session could not be touched"
    );
    let updated = second_of_alice
        .clone()
        .with_metadata("label", "after the upgrade");
    ensure!(
        check,
        check.update(&updated).await,
        "a version-1 session could not be updated"
    );
    let reloaded = check
        .loaded(&updated.id, "an updated version-1 session is gone")
        .await;
    ensure!(
        check,
        reloaded.metadata == updated.metadata,
        "an updated version-1 session does not show its new metadata"
    );
    let removed = check.delete_identity(&bob).await;
    ensure!(
        check,
        removed >= 1,
        "signing out everywhere removed no version-1 session"
    );
    check
        .gone(
            &of_bob.id,
            "signing out everywhere missed a version-1 session",
        )
        .await;
    check.delete(&updated.id).await;
}

/// Semantic 24: after `record_newer()` records a schema version newer than this release knows,
/// `migrate()` refuses with an [`InvalidConfiguration`](crate::SessionError::InvalidConfiguration)
/// error naming both versions, and changes nothing.
///
/// # Panics
///
/// When migrate succeeds or fails otherwise.
pub async fn check_refuses_newer_schema<M, MF, V, VF>(migrate: M, record_newer: V, newest: i64)
where
    M: Fn() -> MF,
    MF: Future<Output = Result<(), crate::SessionError>>,
    V: FnOnce(i64) -> VF,
    VF: Future<Output = ()>,
{
    ok(Semantic::UPGRADE, "migrate", migrate().await);
    let newer = newest + 1;
    record_newer(newer).await;
    match migrate().await {
        Err(error @ crate::SessionError::InvalidConfiguration { .. }) => {
            let text = error.to_string();
            ensure!(
                Semantic::UPGRADE,
                text.contains(&newer.to_string()) && text.contains(&newest.to_string()),
                "the refusal does not name both versions: {text}"
            );
        }
        other => panic!(
            "conformance: {}: migrate of a table at version {newer} gave {other:?}, not a configuration error",
            Semantic::UPGRADE
        ),
    }
}
