//! Semantic 25: app instances whose clocks disagree. An instance hours ahead or behind runs every
//! operation (cleanup included) on an identity's sessions; afterwards the instance on the right
//! clock still lists every session it can load, and its sign-out leaves nothing loadable on
//! either instance.

use chrono::Duration;

use super::super::check::{Check, handles};
use super::super::context::Ctx;
use super::super::semantic::{Semantic, ensure};
use crate::store_kit::Clock;
use crate::{Session, SessionStore, session_handle};

const S: Semantic = Semantic::CLOCK_SKEW;

/// How far the skewed instance's clock is off: beyond every session's lifetime on one side.
const SKEWS: [(&str, i64); 2] = [("ahead", 3), ("behind", -3)];

/// Checks semantic 25 with a store instance on each skewed clock; `false` when the suite was
/// given no way to build one.
pub(crate) async fn skewed_instances<S: SessionStore + Clone>(ctx: &Ctx<S>) -> bool {
    let Some(skewed) = ctx.skewed.as_ref() else {
        return false;
    };
    for (direction, hours) in SKEWS {
        let clock = Clock::shifted(Duration::hours(hours));
        let other = skewed(clock);
        revocation_holds(ctx, direction, &other, clock).await;
    }
    true
}

async fn revocation_holds<S: SessionStore + Clone>(
    ctx: &Ctx<S>,
    direction: &str,
    other: &S,
    clock: Clock,
) {
    let (normal, skewed) = (ctx.check(S), Check::new(other, S));
    let identity = ctx.identity(&format!("skew-{direction}"));
    // Lifetimes on both sides of the skew, written by each instance on its own clock.
    let mut sessions: Vec<Session> = [30, 120, 300]
        .into_iter()
        .map(|minutes| ctx.session(&identity, Duration::minutes(minutes)))
        .collect();
    normal.save_all(sessions.iter().collect()).await;
    for (tag, minutes) in [("short", 30), ("long", 300)] {
        let id = ctx.id(&format!("skewed-{direction}-{tag}"));
        let expires_at = clock.now() + Duration::minutes(minutes);
        let session = ctx.session_with_id(id, &identity, expires_at);
        skewed.save(&session).await;
        sessions.push(session);
    }

    // The skewed instance does what an app instance does all day.
    skewed.delete_expired().await;
    skewed.list(&identity).await;
    for session in &sessions {
        if let Some(loaded) = skewed.load(&session.id).await {
            skewed
                .touch(&loaded.id, clock.now() + Duration::minutes(90))
                .await;
        }
    }
    skewed.delete_expired().await;

    // On the right clock, every session that still loads is listed and revocable.
    let mut loadable = Vec::new();
    for session in &sessions {
        if normal.load(&session.id).await.is_some() {
            loadable.push(session.clone());
        }
    }
    let listed: std::collections::BTreeSet<String> = normal
        .list(&identity)
        .await
        .into_iter()
        .map(|info| info.handle)
        .collect();
    let missing = handles(&loadable).difference(&listed).count();
    ensure!(
        normal,
        missing == 0,
        "after an instance {direction} by 3 h ran cleanup, list and touch, {missing} of {} \
         sessions that still load on the right clock are missing from its listing",
        loadable.len()
    );

    // "Sign out that device" and "sign out everywhere" on the right clock leave nothing.
    if let Some(first) = loadable.first() {
        normal.delete_by_handle(&session_handle(&first.id)).await;
        normal
            .gone(&first.id, "a session deleted by handle still loads")
            .await;
    }
    normal.delete_identity(&identity).await;
    let failure = format!(
        "after an instance {direction} by 3 h touched and cleaned up, sign-out everywhere on \
         the right clock left a session loadable"
    );
    normal.all_gone(&sessions, &failure).await;
    skewed.all_gone(&sessions, &failure).await;
}
