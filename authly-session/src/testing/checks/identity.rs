//! Semantics 9 and 10: "where am I signed in", "sign out that device", "sign out everywhere".

use std::collections::BTreeSet;

use chrono::Duration;

use crate::testing::check::{Check, handles};
use crate::testing::context::Ctx;
use crate::testing::semantic::{Semantic, ensure};
use crate::{Identity, Session, SessionInfo, SessionStore, session_handle};

/// What `identity` lists, checked to hold only its own sessions, each once.
async fn listed<S: SessionStore>(check: &Check<'_, S>, identity: &Identity) -> Vec<SessionInfo> {
    let infos = check.list(identity).await;
    for info in &infos {
        ensure!(
            check,
            info.identity.provider_id == identity.provider_id
                && info.identity.external_id == identity.external_id,
            "listed a session of another identity: {:?}",
            info.identity
        );
    }
    ensure!(
        check,
        handles_of(&infos).len() == infos.len(),
        "a session was listed twice"
    );
    infos
}

fn handles_of(infos: &[SessionInfo]) -> BTreeSet<String> {
    infos.iter().map(|i| i.handle.clone()).collect()
}

pub(crate) async fn list_exact<S: SessionStore>(ctx: &Ctx<S>) {
    let check = ctx.check(Semantic::LIST);
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
    check.save_all(mine.iter().chain(&others).collect()).await;
    let infos = listed(&check, &target).await;
    ensure!(
        check,
        handles_of(&infos) == handles(&mine),
        "expected exactly the identity's 2 sessions, got {} handle(s)",
        infos.len()
    );
    for info in infos {
        let session = mine
            .iter()
            .find(|s| session_handle(&s.id) == info.handle)
            .expect("checked above");
        check.same_as_saved("list", (&info.identity, info.expires_at), session);
    }
    for decoy in &decoys {
        let got = listed(&check, decoy).await;
        ensure!(
            check,
            got.len() == 1,
            "identity {:?}/{:?} lists {} sessions, expected 1",
            decoy.provider_id,
            decoy.external_id,
            got.len()
        );
    }
    let nobody = with(format!("{provider}-nobody"), "a_c%");
    check
        .lists_none(&nobody, "an identity without sessions lists some")
        .await;
    check.delete_all(mine.iter().chain(&others).collect()).await;
}

pub(crate) async fn delete_by_handle<S: SessionStore>(ctx: &Ctx<S>) {
    let check = ctx.check(Semantic::LIST);
    let identity = ctx.identity("by-handle");
    let sessions: Vec<Session> = (0..3)
        .map(|_| ctx.session(&identity, Duration::hours(1)))
        .collect();
    check.save_all(sessions.iter().collect()).await;
    let victim = session_handle(&sessions[1].id);
    ensure!(
        check,
        handles_of(&listed(&check, &identity).await).contains(&victim),
        "a saved session is not listed"
    );
    check.delete_by_handle(&victim).await;
    check
        .gone(&sessions[1].id, "the session deleted by handle still loads")
        .await;
    for kept in [&sessions[0], &sessions[2]] {
        check
            .loaded(&kept.id, "deleting one handle ended another session")
            .await;
    }
    let remaining = handles([&sessions[0], &sessions[2]]);
    ensure!(
        check,
        handles_of(&listed(&check, &identity).await) == remaining,
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
        check.delete_by_handle(malformed).await;
    }
    ensure!(
        check,
        handles_of(&listed(&check, &identity).await) == remaining,
        "a malformed or unknown handle deleted a session"
    );
    check.delete_all(sessions.iter().collect()).await;
}

pub(crate) async fn delete_identity<S: SessionStore>(ctx: &Ctx<S>) {
    let check = ctx.check(Semantic::DELETE_IDENTITY);
    let target = ctx.identity("everywhere");
    let mut neighbour = target.clone();
    neighbour.external_id.push('2');
    let mine: Vec<Session> = (0..3)
        .map(|_| ctx.session(&target, Duration::hours(1)))
        .collect();
    let theirs = ctx.session(&neighbour, Duration::hours(1));
    check.save_all(mine.iter().chain([&theirs]).collect()).await;
    let removed = check.delete_identity(&target).await;
    ensure!(
        check,
        removed == 3,
        "removed {removed} sessions, expected 3"
    );
    check
        .all_gone(&mine, "a signed-out-everywhere session still loads")
        .await;
    check
        .lists_none(&target, "the identity still lists sessions")
        .await;
    check
        .loaded(&theirs.id, "another identity's session was removed")
        .await;
    let again = check.delete_identity(&target).await;
    ensure!(
        check,
        again == 0,
        "a second sign-out-everywhere removed {again}"
    );
    check.delete(&theirs.id).await;
}
