//! Semantics 3, 5, 8, 9, 19 and 20 on sessions that expire while the suite waits.

use std::collections::BTreeSet;

use chrono::{Duration, Utc};

use crate::testing::context::Ctx;
use crate::testing::semantic::*;
use crate::{Session, SessionStore, session_handle};

/// How long the short-lived sessions live; the suite sleeps a little longer, once.
const SHORT_LIFE_MS: i64 = 1_000;
const SHORT_LIVED: usize = 5;

pub(crate) async fn expiry_everywhere<S: SessionStore>(ctx: &Ctx<S>) {
    // Start from a store holding no expired session, so the count below is exact.
    ok(
        DELETE_EXPIRED,
        "initial delete_expired",
        ctx.store.delete_expired().await,
    );

    let identity = ctx.identity("expiry");
    let short: Vec<Session> = (0..SHORT_LIVED)
        .map(|_| ctx.session(&identity, Duration::milliseconds(SHORT_LIFE_MS)))
        .collect();
    let live: Vec<Session> = (0..2)
        .map(|_| ctx.session(&identity, Duration::hours(1)))
        .collect();
    for session in short.iter().chain(&live) {
        ok(
            DELETE_EXPIRED,
            "save",
            ctx.store.save_session(session).await,
        );
    }
    let all: BTreeSet<String> = short
        .iter()
        .chain(&live)
        .map(|s| session_handle(&s.id))
        .collect();
    let listed: BTreeSet<String> = ok(
        ONE_CLOCK,
        "list",
        ctx.store
            .list_identity_sessions(&identity.provider_id, &identity.external_id)
            .await,
    )
    .into_iter()
    .map(|i| i.handle)
    .collect();
    ensure!(
        ONE_CLOCK,
        listed == all,
        "sessions with a second to live are not all listed"
    );

    save_expired(ctx).await;

    let wait = short
        .iter()
        .map(|s| s.expires_at)
        .max()
        .expect("short-lived sessions")
        - Utc::now();
    tokio::time::sleep(
        (wait + Duration::milliseconds(100))
            .to_std()
            .unwrap_or_default(),
    )
    .await;

    for session in &short {
        ensure!(
            LOAD_NONE,
            ok(LOAD_NONE, "load", ctx.store.load_session(&session.id).await).is_none(),
            "an expired session still loads"
        );
        ensure!(
            TOUCH,
            !ok(
                TOUCH,
                "touch",
                ctx.store
                    .touch_session(&session.id, Utc::now() + Duration::hours(1))
                    .await
            ),
            "touching an expired session returned true"
        );
        ensure!(
            TOUCH,
            ok(TOUCH, "load", ctx.store.load_session(&session.id).await).is_none(),
            "touching an expired session revived it"
        );
    }
    let listed: BTreeSet<String> = ok(
        LIST,
        "list",
        ctx.store
            .list_identity_sessions(&identity.provider_id, &identity.external_id)
            .await,
    )
    .into_iter()
    .map(|i| i.handle)
    .collect();
    let live_handles: BTreeSet<String> = live.iter().map(|s| session_handle(&s.id)).collect();
    ensure!(
        LIST,
        listed == live_handles,
        "list shows {} sessions, expected the 2 live ones",
        listed.len()
    );

    let removed = ok(
        DELETE_EXPIRED,
        "delete_expired",
        ctx.store.delete_expired().await,
    );
    let expected = if ctx.server_side_expiry {
        0
    } else {
        SHORT_LIVED as u64
    };
    ensure!(
        DELETE_EXPIRED,
        removed == expected,
        "delete_expired returned {removed}, expected {expected}"
    );
    let again = ok(
        DELETE_EXPIRED,
        "second delete_expired",
        ctx.store.delete_expired().await,
    );
    ensure!(
        DELETE_EXPIRED,
        again == 0,
        "a second delete_expired removed {again}"
    );
    for session in &live {
        ensure!(
            DELETE_EXPIRED,
            ok(
                DELETE_EXPIRED,
                "load",
                ctx.store.load_session(&session.id).await
            )
            .is_some(),
            "delete_expired removed a live session"
        );
    }
    let count = ok(
        DELETE_IDENTITY,
        "delete_identity_sessions",
        ctx.store
            .delete_identity_sessions(&identity.provider_id, &identity.external_id)
            .await,
    );
    ensure!(
        DELETE_IDENTITY,
        count == live.len() as u64,
        "removed {count} sessions, expected {}",
        live.len()
    );
}

/// Semantic 5: an expired session is never stored, and replaces (removes) a stored one.
pub(crate) async fn save_expired<S: SessionStore>(ctx: &Ctx<S>) {
    let identity = ctx.identity("save-expired");
    let mut session = ctx.session(&identity, Duration::hours(1));
    ok(
        SAVE_EXPIRED,
        "save live",
        ctx.store.save_session(&session).await,
    );
    session.expires_at = Utc::now() - Duration::seconds(5);
    ok(
        SAVE_EXPIRED,
        "save expired over live",
        ctx.store.save_session(&session).await,
    );
    ensure!(
        SAVE_EXPIRED,
        ok(
            SAVE_EXPIRED,
            "load",
            ctx.store.load_session(&session.id).await
        )
        .is_none(),
        "saving an expired session left the stored one loadable"
    );
    let fresh = ctx.session(&identity, Duration::seconds(-1));
    ok(
        SAVE_EXPIRED,
        "save expired",
        ctx.store.save_session(&fresh).await,
    );
    ensure!(
        SAVE_EXPIRED,
        ok(
            SAVE_EXPIRED,
            "load",
            ctx.store.load_session(&fresh.id).await
        )
        .is_none(),
        "an expired session became loadable"
    );
    let listed = ok(
        SAVE_EXPIRED,
        "list",
        ctx.store
            .list_identity_sessions(&identity.provider_id, &identity.external_id)
            .await,
    );
    ensure!(
        SAVE_EXPIRED,
        listed.is_empty(),
        "saving expired sessions left {} listed",
        listed.len()
    );
    // Removed, not merely hidden: delete_expired (checked after the wait) must not count them.
}
