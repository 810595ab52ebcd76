//! Semantic 23: `update_session` writes only while the session is stored and live, so it can
//! never bring back a session that was signed out, even when both race.

use std::sync::Arc;

use chrono::{Duration, Utc};

use crate::testing::check::Check;
use crate::testing::checks::facts::same_micros;
use crate::testing::context::Ctx;
use crate::testing::semantic::{Semantic, ensure};
use crate::{Session, SessionError, SessionStore};

pub(crate) async fn update_live_and_gone<S: SessionStore>(ctx: &Ctx<S>) {
    let check = ctx.check(Semantic::UPDATE);
    let identity = ctx.identity("update");
    let session = ctx.session(&identity, Duration::hours(1));
    check.save(&session).await;

    // A live session takes the new identity, metadata, last_seen_at and expiry; created_at stays.
    let moved_to = ctx.identity("update-new-owner");
    let mut changed = session.clone().with_metadata("label", "renamed device");
    changed.identity = moved_to.clone();
    changed.identity.email = Some("changed@example.test".into());
    changed.created_at = Utc::now() - Duration::days(30);
    changed.last_seen_at = Utc::now() - Duration::seconds(5);
    changed.expires_at = Utc::now() + Duration::hours(3);
    ensure!(
        check,
        check.update(&changed).await,
        "updating a live session returned false"
    );
    let loaded = check
        .loaded(&session.id, "an updated session did not load")
        .await;
    ensure!(
        check,
        loaded.identity == changed.identity
            && loaded.metadata == changed.metadata
            && same_micros(loaded.expires_at, changed.expires_at)
            && same_micros(loaded.last_seen_at, changed.last_seen_at),
        "load does not show what update wrote"
    );
    ensure!(
        check,
        same_micros(loaded.created_at, session.created_at),
        "update changed created_at from {} to {}",
        session.created_at,
        loaded.created_at
    );
    check
        .lists_none(&identity, "the old owner still lists an updated session")
        .await;
    let listed = check.list(&moved_to).await.len();
    ensure!(
        check,
        listed == 1,
        "the new owner lists {listed} sessions, not 1"
    );

    // Gone for each reason: nothing written, nothing loadable.
    check.delete(&session.id).await;
    expect_gone(&check, &changed, "deleted").await;

    let signed_out = ctx.session(&identity, Duration::hours(1));
    check.save(&signed_out).await;
    check.delete_identity(&identity).await;
    expect_gone(&check, &signed_out, "signed out everywhere").await;

    let never_saved = ctx.session(&identity, Duration::hours(1));
    expect_gone(&check, &never_saved, "never saved").await;

    let short = ctx.session(&identity, Duration::milliseconds(300));
    check.save(&short).await;
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let revived = Session {
        expires_at: Utc::now() + Duration::hours(1),
        ..short.clone()
    };
    expect_gone(&check, &revived, "expired").await;
    check.delete(&short.id).await; // the expired row, which a SQL store keeps until cleanup

    // An expiry in the past ends a live session.
    let ending = ctx.session(&identity, Duration::hours(1));
    check.save(&ending).await;
    let ended = Session {
        expires_at: Utc::now() - Duration::seconds(1),
        ..ending.clone()
    };
    ensure!(
        check,
        check.update(&ended).await,
        "updating a live session to a past expiry returned false"
    );
    check
        .gone(&ending.id, "a session updated to a past expiry still loads")
        .await;

    let invalid = Session {
        id: "not a valid id".into(),
        ..ending
    };
    let result = ctx.store.update_session(&invalid).await;
    ensure!(
        check,
        matches!(result, Err(SessionError::InvalidSessionId { .. })),
        "updating a session with an invalid id gave {result:?}, not an invalid-id error"
    );
}

/// `update_session(session)` returns false, and afterwards nothing loads under its id.
async fn expect_gone<S: SessionStore>(check: &Check<'_, S>, session: &Session, why: &str) {
    ensure!(
        check,
        !check.update(session).await,
        "updating a session that was {why} returned true"
    );
    let failure = format!("updating a session that was {why} brought it back");
    check.gone(&session.id, &failure).await;
}

/// Many updates race one sign-out everywhere: afterwards no session of the identity survives.
pub(crate) async fn update_races_sign_out<S: SessionStore + Clone>(ctx: &Ctx<S>) {
    const SESSIONS: usize = 16;
    const UPDATES: usize = 40;
    let check = ctx.check(Semantic::UPDATE);
    let identity = ctx.identity("update-race");
    let sessions: Vec<Session> = (0..SESSIONS)
        .map(|_| ctx.session(&identity, Duration::hours(1)))
        .collect();
    check.save_all(sessions.iter().collect()).await;
    let start = Arc::new(tokio::sync::Barrier::new(SESSIONS + 1));
    let mut tasks = tokio::task::JoinSet::new();
    for (n, session) in sessions.iter().cloned().enumerate() {
        let (store, start) = (ctx.store.clone(), start.clone());
        tasks.spawn(async move {
            start.wait().await;
            for round in 0..UPDATES {
                let next = session
                    .clone()
                    .with_metadata("round", format!("{n}-{round}"));
                if !store.update_session(&next).await? {
                    break;
                }
            }
            Ok::<(), SessionError>(())
        });
    }
    start.wait().await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    check.delete_identity(&identity).await;
    while let Some(joined) = tasks.join_next().await {
        if let Err(error) = joined.expect("update task panicked") {
            check.fail(format!("an update racing a sign-out failed: {error}"));
        }
    }
    check
        .all_gone(
            &sessions,
            "a session survived a sign-out everywhere that raced its updates",
        )
        .await;
    check
        .lists_none(
            &identity,
            "the identity still lists sessions after signing out everywhere",
        )
        .await;
}
