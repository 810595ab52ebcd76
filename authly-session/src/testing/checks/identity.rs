//! Semantics 9 and 10: "where am I signed in", "sign out that device", "sign out everywhere".

use std::collections::BTreeSet;

use chrono::Duration;

use crate::testing::context::Ctx;
use crate::testing::semantic::*;
use crate::{Identity, Session, SessionStore, session_handle};

fn handles(sessions: &[&Session]) -> BTreeSet<String> {
    sessions.iter().map(|s| session_handle(&s.id)).collect()
}

async fn listed<S: SessionStore>(
    ctx: &Ctx<S>,
    semantic: Semantic,
    identity: &Identity,
) -> BTreeSet<String> {
    let infos = ok(
        semantic,
        "list_identity_sessions",
        ctx.store
            .list_identity_sessions(&identity.provider_id, &identity.external_id)
            .await,
    );
    for info in &infos {
        ensure!(
            semantic,
            info.identity.provider_id == identity.provider_id
                && info.identity.external_id == identity.external_id,
            "listed a session of another identity: {:?}",
            info.identity
        );
    }
    let set: BTreeSet<String> = infos.iter().map(|i| i.handle.clone()).collect();
    ensure!(
        semantic,
        set.len() == infos.len(),
        "a session was listed twice"
    );
    set
}

pub(crate) async fn list_exact<S: SessionStore>(ctx: &Ctx<S>) {
    let base = ctx.identity("list");
    let provider = base.provider_id.clone();
    let with = |provider_id: String, external_id: &str| {
        let mut identity = base.clone();
        identity.provider_id = provider_id;
        identity.external_id = external_id.to_owned();
        identity
    };
    let target = with(format!("{provider}-github"), "a_c%");
    let decoys = [
        with(format!("{provider}-gh"), "a_c%"),      // provider prefix
        with(format!("{provider}-githubx"), "a_c%"), // provider extension
        with(format!("{provider}-GitHub"), "a_c%"),  // provider case
        with(format!("{provider}-github"), "abc%"),  // `_` as a wildcard
        with(format!("{provider}-github"), "a_cX"),  // `%` as a wildcard
        with(format!("{provider}-github"), "a_c"),   // external prefix
        with(format!("{provider}-github"), "A_C%"),  // external case
        with(format!("{provider}-githuba_c%"), ""),  // shifted boundary
        with(format!("{provider}-github\0"), "a_c%"), // trailing NUL
    ];
    let mine = [
        ctx.session(&target, Duration::hours(1)),
        ctx.session(&target, Duration::hours(2)),
    ];
    let others: Vec<Session> = decoys
        .iter()
        .map(|d| ctx.session(d, Duration::hours(1)))
        .collect();
    for session in mine.iter().chain(&others) {
        ok(LIST, "save", ctx.store.save_session(session).await);
    }
    let expected = handles(&mine.iter().collect::<Vec<_>>());
    let got = listed(ctx, LIST, &target).await;
    ensure!(
        LIST,
        got == expected,
        "expected exactly the identity's 2 sessions, got {} handle(s)",
        got.len()
    );
    let infos = ok(
        LIST,
        "list",
        ctx.store
            .list_identity_sessions(&target.provider_id, &target.external_id)
            .await,
    );
    for info in infos {
        let session = mine
            .iter()
            .find(|s| session_handle(&s.id) == info.handle)
            .expect("checked above");
        ensure!(
            LIST,
            info.identity == session.identity,
            "listed identity differs from the saved one"
        );
        ensure!(
            LIST,
            crate::store_kit::truncate_to_micros(info.expires_at)
                == crate::store_kit::truncate_to_micros(session.expires_at),
            "listed expiry differs from the saved one"
        );
    }
    for decoy in &decoys {
        let got = listed(ctx, LIST, decoy).await;
        ensure!(
            LIST,
            got.len() == 1,
            "identity {:?}/{:?} lists {} sessions, expected 1",
            decoy.provider_id,
            decoy.external_id,
            got.len()
        );
    }
    ensure!(
        LIST,
        listed(ctx, LIST, &with(format!("{provider}-nobody"), "a_c%"))
            .await
            .is_empty(),
        "an identity without sessions lists some"
    );
    for session in mine.iter().chain(&others) {
        ok(LIST, "delete", ctx.store.delete_session(&session.id).await);
    }
}

pub(crate) async fn delete_by_handle<S: SessionStore>(ctx: &Ctx<S>) {
    let identity = ctx.identity("by-handle");
    let sessions: Vec<Session> = (0..3)
        .map(|_| ctx.session(&identity, Duration::hours(1)))
        .collect();
    for session in &sessions {
        ok(LIST, "save", ctx.store.save_session(session).await);
    }
    let victim = session_handle(&sessions[1].id);
    ensure!(
        LIST,
        listed(ctx, LIST, &identity).await.contains(&victim),
        "a saved session is not listed"
    );
    ok(
        LIST,
        "delete_session_by_handle",
        ctx.store.delete_session_by_handle(&victim).await,
    );
    ensure!(
        LIST,
        ok(LIST, "load", ctx.store.load_session(&sessions[1].id).await).is_none(),
        "the session deleted by handle still loads"
    );
    for kept in [&sessions[0], &sessions[2]] {
        ensure!(
            LIST,
            ok(LIST, "load", ctx.store.load_session(&kept.id).await).is_some(),
            "deleting one handle ended another session"
        );
    }
    ensure!(
        LIST,
        listed(ctx, LIST, &identity).await == handles(&[&sessions[0], &sessions[2]]),
        "list after delete by handle is wrong"
    );
    let upper = session_handle(&sessions[0].id).to_uppercase();
    for malformed in [
        "",
        "xyz",
        "not a handle",
        "%",
        upper.as_str(),
        &"0".repeat(64),
        &"g".repeat(64),
        &victim,
    ] {
        ok(
            LIST,
            "delete_session_by_handle of an unknown or malformed handle",
            ctx.store.delete_session_by_handle(malformed).await,
        );
    }
    ensure!(
        LIST,
        listed(ctx, LIST, &identity).await.len() == 2,
        "a malformed handle deleted a session"
    );
    for session in &sessions {
        ok(LIST, "delete", ctx.store.delete_session(&session.id).await);
    }
}

pub(crate) async fn delete_identity<S: SessionStore>(ctx: &Ctx<S>) {
    let target = ctx.identity("everywhere");
    let mut neighbour = target.clone();
    neighbour.external_id.push('2');
    let mine: Vec<Session> = (0..3)
        .map(|_| ctx.session(&target, Duration::hours(1)))
        .collect();
    let theirs = ctx.session(&neighbour, Duration::hours(1));
    for session in mine.iter().chain([&theirs]) {
        ok(
            DELETE_IDENTITY,
            "save",
            ctx.store.save_session(session).await,
        );
    }
    let removed = ok(
        DELETE_IDENTITY,
        "delete_identity_sessions",
        ctx.store
            .delete_identity_sessions(&target.provider_id, &target.external_id)
            .await,
    );
    ensure!(
        DELETE_IDENTITY,
        removed == 3,
        "removed {removed} sessions, expected 3"
    );
    for session in &mine {
        ensure!(
            DELETE_IDENTITY,
            ok(
                DELETE_IDENTITY,
                "load",
                ctx.store.load_session(&session.id).await
            )
            .is_none(),
            "a signed-out-everywhere session still loads"
        );
    }
    ensure!(
        DELETE_IDENTITY,
        listed(ctx, DELETE_IDENTITY, &target).await.is_empty(),
        "the identity still lists sessions"
    );
    ensure!(
        DELETE_IDENTITY,
        ok(
            DELETE_IDENTITY,
            "load",
            ctx.store.load_session(&theirs.id).await
        )
        .is_some(),
        "another identity's session was removed"
    );
    let again = ok(
        DELETE_IDENTITY,
        "second delete_identity_sessions",
        ctx.store
            .delete_identity_sessions(&target.provider_id, &target.external_id)
            .await,
    );
    ensure!(
        DELETE_IDENTITY,
        again == 0,
        "a second sign-out-everywhere removed {again}"
    );
    ok(
        DELETE_IDENTITY,
        "delete",
        ctx.store.delete_session(&theirs.id).await,
    );
}
