//! Semantic 23: `update_session` writes only while the session is stored and live, so it can
//! never bring back a session that was signed out, even when both race.

use std::sync::Arc;

use chrono::{Duration, Utc};

use crate::testing::checks::facts::same_micros;
use crate::testing::context::Ctx;
use crate::testing::semantic::{Semantic, ensure, ok};
use crate::{Session, SessionStore};

pub(crate) async fn update_live_and_gone<S: SessionStore>(ctx: &Ctx<S>) {
    let identity = ctx.identity("update");
    let session = ctx.session(&identity, Duration::hours(1));
    ok(
        Semantic::UPDATE,
        "save",
        ctx.store.save_session(&session).await,
    );

    // A live session takes the new identity, metadata, last_seen_at and expiry; created_at stays.
    let moved_to = ctx.identity("update-new-owner");
    let mut changed = session.clone().with_metadata("label", "renamed device");
    changed.identity = moved_to.clone();
    changed.identity.email = Some("changed@example.test".into());
    changed.created_at = Utc::now() - Duration::days(30);
    changed.last_seen_at = Utc::now() - Duration::seconds(5);
    changed.expires_at = Utc::now() + Duration::hours(3);
    ensure!(
        Semantic::UPDATE,
        ok(
            Semantic::UPDATE,
            "update",
            ctx.store.update_session(&changed).await
        ),
        "updating a live session returned false"
    );
    let loaded = ctx
        .check(Semantic::UPDATE)
        .loaded(&session.id, "a live session did not load")
        .await;
    ensure!(
        Semantic::UPDATE,
        loaded.identity == changed.identity
            && loaded.metadata == changed.metadata
            && same_micros(loaded.expires_at, changed.expires_at)
            && same_micros(loaded.last_seen_at, changed.last_seen_at),
        "load does not show what update wrote"
    );
    ensure!(
        Semantic::UPDATE,
        same_micros(loaded.created_at, session.created_at),
        "update changed created_at from {} to {}",
        session.created_at,
        loaded.created_at
    );
    ensure!(
        Semantic::UPDATE,
        ctx.check(Semantic::UPDATE).list(&identity).await.is_empty()
            && ctx.check(Semantic::UPDATE).list(&moved_to).await.len() == 1,
        "after an update to another identity the session is not listed under the new one only"
    );

    // Gone for each reason: nothing written, nothing loadable.
    ok(
        Semantic::UPDATE,
        "delete",
        ctx.store.delete_session(&session.id).await,
    );
    expect_gone(ctx, &changed, "deleted").await;

    let signed_out = ctx.session(&identity, Duration::hours(1));
    ok(
        Semantic::UPDATE,
        "save",
        ctx.store.save_session(&signed_out).await,
    );
    ok(
        Semantic::UPDATE,
        "delete_identity_sessions",
        ctx.store
            .delete_identity_sessions(&identity.provider_id, &identity.external_id)
            .await,
    );
    expect_gone(ctx, &signed_out, "signed out everywhere").await;

    let never_saved = ctx.session(&identity, Duration::hours(1));
    expect_gone(ctx, &never_saved, "never saved").await;

    let short = ctx.session(&identity, Duration::milliseconds(300));
    ok(
        Semantic::UPDATE,
        "save",
        ctx.store.save_session(&short).await,
    );
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let revived = Session {
        expires_at: Utc::now() + Duration::hours(1),
        ..short.clone()
    };
    expect_gone(ctx, &revived, "expired").await;

    // An expiry in the past ends a live session.
    let ending = ctx.session(&identity, Duration::hours(1));
    ok(
        Semantic::UPDATE,
        "save",
        ctx.store.save_session(&ending).await,
    );
    let ended = Session {
        expires_at: Utc::now() - Duration::seconds(1),
        ..ending.clone()
    };
    ensure!(
        Semantic::UPDATE,
        ok(
            Semantic::UPDATE,
            "update",
            ctx.store.update_session(&ended).await
        ),
        "updating a live session to a past expiry returned false"
    );
    ensure!(
        Semantic::UPDATE,
        ok(
            Semantic::UPDATE,
            "load",
            ctx.store.load_session(&ending.id).await
        )
        .is_none(),
        "a session updated to a past expiry still loads"
    );

    let invalid = Session {
        id: "not a valid id".into(),
        ..ending
    };
    ensure!(
        Semantic::UPDATE,
        matches!(
            ctx.store.update_session(&invalid).await,
            Err(crate::SessionError::InvalidSessionId { .. })
        ),
        "updating a session with an invalid id is not an invalid-id error"
    );
}

/// `update_session(session)` returns false, and afterwards nothing loads under its id.
async fn expect_gone<S: SessionStore>(ctx: &Ctx<S>, session: &Session, why: &str) {
    ensure!(
        Semantic::UPDATE,
        !ok(
            Semantic::UPDATE,
            "update",
            ctx.store.update_session(session).await
        ),
        "updating a session that was {why} returned true"
    );
    ensure!(
        Semantic::UPDATE,
        ok(
            Semantic::UPDATE,
            "load",
            ctx.store.load_session(&session.id).await
        )
        .is_none(),
        "updating a session that was {why} brought it back"
    );
}

/// Many updates race one sign-out everywhere: afterwards no session of the identity survives.
pub(crate) async fn update_races_sign_out<S: SessionStore + Clone>(ctx: &Ctx<S>) {
    const SESSIONS: usize = 16;
    const UPDATES: usize = 40;
    let identity = ctx.identity("update-race");
    let sessions: Vec<Session> = (0..SESSIONS)
        .map(|_| ctx.session(&identity, Duration::hours(1)))
        .collect();
    for session in &sessions {
        ok(
            Semantic::UPDATE,
            "save",
            ctx.store.save_session(session).await,
        );
    }
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
            Ok::<(), crate::SessionError>(())
        });
    }
    start.wait().await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    ok(
        Semantic::UPDATE,
        "delete_identity_sessions",
        ctx.store
            .delete_identity_sessions(&identity.provider_id, &identity.external_id)
            .await,
    );
    while let Some(joined) = tasks.join_next().await {
        ok(
            Semantic::UPDATE,
            "racing update",
            joined.expect("update task panicked"),
        );
    }
    for session in &sessions {
        ensure!(
            Semantic::UPDATE,
            ok(
                Semantic::UPDATE,
                "load",
                ctx.store.load_session(&session.id).await
            )
            .is_none(),
            "a session survived a sign-out everywhere that raced its updates"
        );
    }
    ensure!(
        Semantic::UPDATE,
        ctx.check(Semantic::UPDATE).list(&identity).await.is_empty(),
        "the identity still lists sessions after signing out everywhere"
    );
}
