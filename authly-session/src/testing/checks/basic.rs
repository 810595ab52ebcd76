//! Semantics 1-7, 17 and 19: the single-session operations.

use chrono::{Duration, Utc};

use crate::testing::context::Ctx;
use crate::testing::semantic::{Semantic, ensure};
use crate::{Session, SessionError, SessionStore};

/// Strings a cookie may carry that are not session ids, each (but the empty one) unique to the
/// run and remembered, so the log check finds them and no other run's logs.
fn invalid_ids<S>(ctx: &Ctx<S>) -> Vec<String> {
    let ids = vec![
        String::new(),
        ctx.id(&"a".repeat(129)),
        ctx.id("has space"),
        ctx.id("nul\0byte"),
        ctx.id("tab\there"),
        ctx.id("newline\n"),
        ctx.id("caf\u{e9}"),
        ctx.id("del\u{7f}"),
    ];
    for id in &ids {
        ctx.remember(id);
    }
    ids
}

pub(crate) async fn round_trip<S: SessionStore>(ctx: &Ctx<S>) {
    let check = ctx.check(Semantic::ROUND_TRIP);
    let identity = ctx.identity("round-trip");
    let mut session = ctx.session(&identity, Duration::hours(1));
    // Nanoseconds the store may drop; microseconds it must keep.
    session.expires_at += Duration::nanoseconds(123_456_789);
    check.save(&session).await;
    let loaded = check
        .loaded(&session.id, "a saved session did not load")
        .await;
    ensure!(check, loaded.id == session.id, "loaded id differs");
    check.same_as_saved("load", (&loaded.identity, loaded.expires_at), &session);
    check.delete(&session.id).await;
}

pub(crate) async fn upsert<S: SessionStore>(ctx: &Ctx<S>) {
    let check = ctx.check(Semantic::UPSERT);
    let first = ctx.identity("upsert-first");
    let mut session = ctx.session(&first, Duration::hours(1));
    check.save(&session).await;
    session.identity = ctx.identity("upsert-second");
    session
        .identity
        .attributes
        .insert("role".into(), "admin".into());
    session.expires_at = Utc::now() + Duration::hours(5);
    check.save(&session).await;
    let loaded = check
        .loaded(&session.id, "the session vanished after a second save")
        .await;
    // The second save's identity and expiry replaced the first's.
    check.same_as_saved("load", (&loaded.identity, loaded.expires_at), &session);
    check
        .lists_none(&first, "the replaced identity still lists the session")
        .await;
    check.delete(&session.id).await;
}

pub(crate) async fn load_none<S: SessionStore>(ctx: &Ctx<S>) {
    let check = ctx.check(Semantic::LOAD_NONE);
    check
        .gone(&ctx.id("unknown"), "an unknown id loaded a session")
        .await;
    for id in invalid_ids(ctx) {
        let result = ctx.store.load_session(&id).await;
        ensure!(
            check,
            matches!(result, Ok(None)),
            "load of an invalid id gave {result:?}, not Ok(None)"
        );
    }
}

pub(crate) async fn save_invalid<S: SessionStore>(ctx: &Ctx<S>) {
    let check = ctx.check(Semantic::SAVE_INVALID);
    let identity = ctx.identity("save-invalid");
    for id in invalid_ids(ctx) {
        let session = ctx.session_with_id(id, &identity, Utc::now() + Duration::hours(1));
        let result = ctx.store.save_session(&session).await;
        ensure!(
            check,
            matches!(result, Err(SessionError::InvalidSessionId { .. })),
            "save with an invalid id gave {result:?}, not Err(InvalidSessionId)"
        );
    }
    check
        .lists_none(&identity, "a save with an invalid id wrote a session")
        .await;
}

pub(crate) async fn delete_idempotent<S: SessionStore>(ctx: &Ctx<S>) {
    let check = ctx.check(Semantic::DELETE_IDEMPOTENT);
    let session = ctx.session(&ctx.identity("delete"), Duration::hours(1));
    check.save(&session).await;
    check.delete(&session.id).await;
    check
        .gone(&session.id, "a deleted session still loads")
        .await;
    // Again, never saved, and invalid: all Ok.
    for id in [session.id.clone(), ctx.id("never-saved")]
        .into_iter()
        .chain(invalid_ids(ctx))
    {
        check.delete(&id).await;
    }
}

pub(crate) async fn case_sensitive<S: SessionStore>(ctx: &Ctx<S>) {
    let check = ctx.check(Semantic::CASE_SENSITIVE);
    let lower_identity = ctx.identity("case-lower");
    let upper_identity = ctx.identity("case-upper");
    let far = Utc::now() + Duration::hours(1);
    let lower = ctx.session_with_id(ctx.id("abcdef"), &lower_identity, far);
    let upper = ctx.session_with_id(lower.id.to_uppercase(), &upper_identity, far);
    let spaced = ctx.session_with_id(format!("{}_", lower.id), &upper_identity, far);
    check.save_all(vec![&lower, &upper, &spaced]).await;
    for session in [&lower, &upper, &spaced] {
        let loaded = check.load(&session.id).await;
        ensure!(
            check,
            loaded.as_ref().map(|s| &s.identity) == Some(&session.identity)
                && loaded.map(|s| s.id) == Some(session.id.clone()),
            "ids that differ only in case or a trailing byte were merged"
        );
    }
    check.delete(&upper.id).await;
    check
        .loaded(
            &lower.id,
            "deleting the upper-case id removed the lower-case one",
        )
        .await;
    check.delete_all(vec![&lower, &spaced]).await;
}

pub(crate) async fn touch<S: SessionStore>(ctx: &Ctx<S>) {
    let check = ctx.check(Semantic::TOUCH);
    let identity = ctx.identity("touch");
    let session = ctx.session(&identity, Duration::minutes(5));
    check.save(&session).await;
    let later = Utc::now() + Duration::hours(3) + Duration::nanoseconds(987_654);
    // Twice to the same time: a store that counts changed rather than matched rows fails here.
    for attempt in ["first", "second"] {
        ensure!(
            check,
            check.touch(&session.id, later).await,
            "the {attempt} touch of a live session to the same time returned false"
        );
    }
    let touched = Session {
        expires_at: later,
        ..session.clone()
    };
    let loaded = check
        .loaded(&session.id, "a touched session did not load")
        .await;
    check.same_as_saved(
        "load after touch",
        (&loaded.identity, loaded.expires_at),
        &touched,
    );
    let listed = check.list(&identity).await;
    ensure!(
        check,
        listed.len() == 1,
        "a touched session is listed {} times",
        listed.len()
    );
    check.same_as_saved(
        "list after touch",
        (&listed[0].identity, listed[0].expires_at),
        &touched,
    );

    ensure!(
        check,
        !check.touch(&ctx.id("touch-unknown"), later).await,
        "touching an unknown id returned true"
    );
    for id in invalid_ids(ctx) {
        let result = ctx.store.touch_session(&id, later).await;
        ensure!(
            check,
            matches!(result, Ok(false)),
            "touching an invalid id gave {result:?}, not Ok(false)"
        );
    }
    ensure!(
        check,
        check
            .touch(&session.id, Utc::now() - Duration::seconds(1))
            .await,
        "touching a live session to a past time returned false"
    );
    check
        .gone(&session.id, "a session touched to a past time still loads")
        .await;
    ensure!(
        check,
        !check.touch(&session.id, later).await,
        "touching an ended session returned true"
    );
    check
        .gone(&session.id, "touching an ended session revived it")
        .await;
    check.delete(&session.id).await;
}

pub(crate) async fn errors_hide_ids<S: SessionStore>(ctx: &Ctx<S>) {
    let check = ctx.check(Semantic::SECRET_ID);
    let identity = ctx.identity("secret");
    let secret = format!("{} but with spaces", ctx.id("topsecretcookievalue"));
    let session = ctx.session_with_id(secret.clone(), &identity, Utc::now() + Duration::hours(1));
    let error = ctx
        .store
        .save_session(&session)
        .await
        .expect_err("an id with spaces was accepted");
    let valid = ctx.session(&identity, Duration::hours(1));
    for (text, id) in [
        (error.to_string(), &secret),
        (format!("{error:?}"), &secret),
        (format!("{session:?}"), &secret),
        (format!("{valid:?}"), &valid.id),
    ] {
        ensure!(
            check,
            !text.contains(id.as_str()),
            "an error or Debug output holds the full id: {text}"
        );
    }
}
