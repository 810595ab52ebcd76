//! Semantics 3, 5, 8, 9, 19 and 20 on sessions that expire while the suite waits.

use std::collections::BTreeSet;

use chrono::{Duration, Utc};

use crate::testing::check::{Check, handles};
use crate::testing::context::Ctx;
use crate::testing::semantic::{Semantic, ensure};
use crate::{Identity, Session, SessionStore};

/// How long the short-lived sessions live; the suite sleeps a little longer, once.
const SHORT_LIFE_MS: i64 = 1_000;
const SHORT_LIVED: usize = 5;

/// The handles `identity` lists.
async fn listed<S: SessionStore>(check: &Check<'_, S>, identity: &Identity) -> BTreeSet<String> {
    check
        .list(identity)
        .await
        .into_iter()
        .map(|info| info.handle)
        .collect()
}

pub(crate) async fn expiry_everywhere<S: SessionStore>(ctx: &Ctx<S>) {
    let cleanup = ctx.check(Semantic::DELETE_EXPIRED);
    // Start from a store holding no expired session, so the count below is exact.
    cleanup.delete_expired().await;

    let identity = ctx.identity("expiry");
    let short: Vec<Session> = (0..SHORT_LIVED)
        .map(|_| ctx.session(&identity, Duration::milliseconds(SHORT_LIFE_MS)))
        .collect();
    let live: Vec<Session> = (0..2)
        .map(|_| ctx.session(&identity, Duration::hours(1)))
        .collect();
    cleanup.save_all(short.iter().chain(&live).collect()).await;
    let clock = ctx.check(Semantic::ONE_CLOCK);
    ensure!(
        clock,
        listed(&clock, &identity).await == handles(short.iter().chain(&live)),
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

    let (load, touch) = (ctx.check(Semantic::LOAD_NONE), ctx.check(Semantic::TOUCH));
    for session in &short {
        load.gone(&session.id, "an expired session still loads")
            .await;
        ensure!(
            touch,
            !touch
                .touch(&session.id, Utc::now() + Duration::hours(1))
                .await,
            "touching an expired session returned true"
        );
        touch
            .gone(&session.id, "touching an expired session revived it")
            .await;
    }
    let list = ctx.check(Semantic::LIST);
    let still_listed = listed(&list, &identity).await;
    ensure!(
        list,
        still_listed == handles(&live),
        "list shows {} sessions, expected the 2 live ones",
        still_listed.len()
    );

    let removed = cleanup.delete_expired().await;
    let expected = if ctx.server_side_expiry {
        0
    } else {
        SHORT_LIVED as u64
    };
    ensure!(
        cleanup,
        removed == expected,
        "delete_expired returned {removed}, expected {expected}"
    );
    let again = cleanup.delete_expired().await;
    ensure!(
        cleanup,
        again == 0,
        "a second delete_expired removed {again}"
    );
    cleanup
        .all_load(&live, "delete_expired removed a live session")
        .await;
    let everywhere = ctx.check(Semantic::DELETE_IDENTITY);
    let count = everywhere.delete_identity(&identity).await;
    ensure!(
        everywhere,
        count == live.len() as u64,
        "removed {count} sessions, expected {}",
        live.len()
    );
}

/// Semantic 5: an expired session is never stored, and replaces (removes) a stored one.
pub(crate) async fn save_expired<S: SessionStore>(ctx: &Ctx<S>) {
    let check = ctx.check(Semantic::SAVE_EXPIRED);
    let identity = ctx.identity("save-expired");
    let mut session = ctx.session(&identity, Duration::hours(1));
    check.save(&session).await;
    session.expires_at = Utc::now() - Duration::seconds(5);
    check.save(&session).await;
    check
        .gone(
            &session.id,
            "saving an expired session left the stored one loadable",
        )
        .await;
    let fresh = ctx.session(&identity, Duration::seconds(-1));
    check.save(&fresh).await;
    check
        .gone(&fresh.id, "an expired session became loadable")
        .await;
    check
        .lists_none(&identity, "saving expired sessions left some listed")
        .await;
    // Removed, not merely hidden: delete_expired (checked after the wait) must not count them.
}
