//! Semantics 1-7, 17 and 19: the single-session operations.

use chrono::{Duration, Utc};

use crate::testing::context::Ctx;
use crate::testing::semantic::*;
use crate::store_kit::truncate_to_micros;
use crate::{SessionError, SessionStore};

/// Strings a cookie may carry that are not session ids, each unique to this run (so a log check
/// never sees another run's).
pub(crate) fn invalid_ids<S>(ctx: &Ctx<S>) -> Vec<String> {
    let run = ctx.id("");
    vec![
        String::new(),
        format!("{run}{}", "a".repeat(129)),
        format!("has space{run}"),
        format!("nul\0byte{run}"),
        format!("tab\there{run}"),
        format!("newline\n{run}"),
        format!("caf\u{e9}{run}"),
        format!("del\u{7f}{run}"),
    ]
}

pub(crate) async fn round_trip<S: SessionStore>(ctx: &Ctx<S>) {
    let identity = ctx.identity("round-trip");
    let mut session = ctx.session(&identity, Duration::hours(1));
    // Nanoseconds the store may drop; microseconds it must keep.
    session.expires_at += Duration::nanoseconds(123_456_789);
    ok(ROUND_TRIP, "save", ctx.store.save_session(&session).await);
    let loaded = ok(
        ROUND_TRIP,
        "load",
        ctx.store.load_session(&session.id).await,
    );
    let loaded =
        loaded.unwrap_or_else(|| panic!("conformance: {ROUND_TRIP}: a saved session did not load"));
    ensure!(ROUND_TRIP, loaded.id == session.id, "loaded id differs");
    ensure!(
        ROUND_TRIP,
        loaded.identity == session.identity,
        "identity differs: {:?}",
        loaded.identity
    );
    ensure!(
        ROUND_TRIP,
        truncate_to_micros(loaded.expires_at) == truncate_to_micros(session.expires_at),
        "expires_at lost microsecond precision: saved {}, loaded {}",
        session.expires_at,
        loaded.expires_at
    );
    ok(
        ROUND_TRIP,
        "delete",
        ctx.store.delete_session(&session.id).await,
    );
}

pub(crate) async fn upsert<S: SessionStore>(ctx: &Ctx<S>) {
    let first = ctx.identity("upsert-first");
    let mut session = ctx.session(&first, Duration::hours(1));
    ok(UPSERT, "first save", ctx.store.save_session(&session).await);
    session.identity = ctx.identity("upsert-second");
    session
        .identity
        .attributes
        .insert("role".into(), "admin".into());
    session.expires_at = Utc::now() + Duration::hours(5);
    ok(
        UPSERT,
        "second save",
        ctx.store.save_session(&session).await,
    );
    let loaded = ok(UPSERT, "load", ctx.store.load_session(&session.id).await);
    let loaded = loaded.unwrap_or_else(|| {
        panic!("conformance: {UPSERT}: the session vanished after a second save")
    });
    ensure!(
        UPSERT,
        loaded.identity == session.identity,
        "identity was not replaced"
    );
    ensure!(
        UPSERT,
        truncate_to_micros(loaded.expires_at) == truncate_to_micros(session.expires_at),
        "expiry was not replaced"
    );
    let old = ok(
        UPSERT,
        "list",
        ctx.store
            .list_identity_sessions(&first.provider_id, &first.external_id)
            .await,
    );
    ensure!(
        UPSERT,
        old.is_empty(),
        "the replaced identity still lists the session"
    );
    ok(
        UPSERT,
        "delete",
        ctx.store.delete_session(&session.id).await,
    );
}

pub(crate) async fn load_none<S: SessionStore>(ctx: &Ctx<S>) {
    let unknown = ctx.id("unknown");
    ensure!(
        LOAD_NONE,
        ok(
            LOAD_NONE,
            "load of an unknown id",
            ctx.store.load_session(&unknown).await
        )
        .is_none(),
        "an unknown id loaded a session"
    );
    for id in invalid_ids(ctx) {
        ctx.remember(&id);
        let result = ctx.store.load_session(&id).await;
        ensure!(
            LOAD_NONE,
            matches!(result, Ok(None)),
            "load of an invalid id gave {result:?}, not Ok(None)"
        );
    }
}

pub(crate) async fn save_invalid<S: SessionStore>(ctx: &Ctx<S>) {
    let identity = ctx.identity("save-invalid");
    for id in invalid_ids(ctx) {
        let session = ctx.session_with_id(id, &identity, Utc::now() + Duration::hours(1));
        let result = ctx.store.save_session(&session).await;
        ensure!(
            SAVE_INVALID,
            matches!(result, Err(SessionError::InvalidSessionId { .. })),
            "save with an invalid id gave {result:?}, not Err(InvalidSessionId)"
        );
    }
    let listed = ok(
        SAVE_INVALID,
        "list",
        ctx.store
            .list_identity_sessions(&identity.provider_id, &identity.external_id)
            .await,
    );
    ensure!(
        SAVE_INVALID,
        listed.is_empty(),
        "a save with an invalid id wrote {} session(s)",
        listed.len()
    );
}

pub(crate) async fn delete_idempotent<S: SessionStore>(ctx: &Ctx<S>) {
    let identity = ctx.identity("delete");
    let session = ctx.session(&identity, Duration::hours(1));
    ok(
        DELETE_IDEMPOTENT,
        "save",
        ctx.store.save_session(&session).await,
    );
    ok(
        DELETE_IDEMPOTENT,
        "delete",
        ctx.store.delete_session(&session.id).await,
    );
    ensure!(
        DELETE_IDEMPOTENT,
        ok(
            DELETE_IDEMPOTENT,
            "load",
            ctx.store.load_session(&session.id).await
        )
        .is_none(),
        "a deleted session still loads"
    );
    ok(
        DELETE_IDEMPOTENT,
        "second delete",
        ctx.store.delete_session(&session.id).await,
    );
    ok(
        DELETE_IDEMPOTENT,
        "delete of an unknown id",
        ctx.store.delete_session(&ctx.id("never-saved")).await,
    );
    for id in invalid_ids(ctx) {
        ok(
            DELETE_IDEMPOTENT,
            "delete of an invalid id",
            ctx.store.delete_session(&id).await,
        );
    }
}

pub(crate) async fn case_sensitive<S: SessionStore>(ctx: &Ctx<S>) {
    let lower_identity = ctx.identity("case-lower");
    let upper_identity = ctx.identity("case-upper");
    let far = Utc::now() + Duration::hours(1);
    let lower = ctx.session_with_id(ctx.id("abcdef"), &lower_identity, far);
    let upper = ctx.session_with_id(lower.id.to_uppercase(), &upper_identity, far);
    let spaced = ctx.session_with_id(format!("{}_", lower.id), &upper_identity, far);
    for session in [&lower, &upper, &spaced] {
        ok(
            CASE_SENSITIVE,
            "save",
            ctx.store.save_session(session).await,
        );
    }
    for session in [&lower, &upper, &spaced] {
        let loaded = ok(
            CASE_SENSITIVE,
            "load",
            ctx.store.load_session(&session.id).await,
        );
        ensure!(
            CASE_SENSITIVE,
            loaded.as_ref().map(|s| &s.identity) == Some(&session.identity)
                && loaded.map(|s| s.id) == Some(session.id.clone()),
            "ids that differ only in case or a trailing byte were merged"
        );
    }
    ok(
        CASE_SENSITIVE,
        "delete",
        ctx.store.delete_session(&upper.id).await,
    );
    ensure!(
        CASE_SENSITIVE,
        ok(
            CASE_SENSITIVE,
            "load",
            ctx.store.load_session(&lower.id).await
        )
        .is_some(),
        "deleting the upper-case id removed the lower-case one"
    );
    for session in [&lower, &spaced] {
        ok(
            CASE_SENSITIVE,
            "delete",
            ctx.store.delete_session(&session.id).await,
        );
    }
}

pub(crate) async fn touch<S: SessionStore>(ctx: &Ctx<S>) {
    let identity = ctx.identity("touch");
    let session = ctx.session(&identity, Duration::minutes(5));
    ok(TOUCH, "save", ctx.store.save_session(&session).await);
    let later = Utc::now() + Duration::hours(3) + Duration::nanoseconds(987_654);
    ensure!(
        TOUCH,
        ok(
            TOUCH,
            "touch",
            ctx.store.touch_session(&session.id, later).await
        ),
        "touching a live session returned false"
    );
    let loaded = ok(TOUCH, "load", ctx.store.load_session(&session.id).await)
        .unwrap_or_else(|| panic!("conformance: {TOUCH}: a touched session did not load"));
    ensure!(
        TOUCH,
        truncate_to_micros(loaded.expires_at) == truncate_to_micros(later),
        "load does not see the new expiry"
    );
    ensure!(
        TOUCH,
        loaded.identity == identity,
        "touch changed the identity"
    );
    let listed = ok(
        TOUCH,
        "list",
        ctx.store
            .list_identity_sessions(&identity.provider_id, &identity.external_id)
            .await,
    );
    ensure!(
        TOUCH,
        listed.len() == 1 && truncate_to_micros(listed[0].expires_at) == truncate_to_micros(later),
        "list does not see the new expiry"
    );

    let unknown = ctx.id("touch-unknown");
    ensure!(
        TOUCH,
        !ok(
            TOUCH,
            "touch unknown",
            ctx.store.touch_session(&unknown, later).await
        ),
        "touching an unknown id returned true"
    );
    for id in invalid_ids(ctx) {
        let result = ctx.store.touch_session(&id, later).await;
        ensure!(
            TOUCH,
            matches!(result, Ok(false)),
            "touching an invalid id gave {result:?}, not Ok(false)"
        );
    }
    ensure!(
        TOUCH,
        ok(
            TOUCH,
            "touch into the past",
            ctx.store
                .touch_session(&session.id, Utc::now() - Duration::seconds(1))
                .await
        ),
        "touching a live session to a past time returned false"
    );
    ensure!(
        TOUCH,
        ok(TOUCH, "load", ctx.store.load_session(&session.id).await).is_none(),
        "a session touched to a past time still loads"
    );
    ensure!(
        TOUCH,
        !ok(
            TOUCH,
            "touch ended",
            ctx.store.touch_session(&session.id, later).await
        ),
        "touching an ended session returned true"
    );
    ensure!(
        TOUCH,
        ok(TOUCH, "load", ctx.store.load_session(&session.id).await).is_none(),
        "touching an ended session revived it"
    );
    ok(TOUCH, "delete", ctx.store.delete_session(&session.id).await);
}

pub(crate) async fn errors_hide_ids<S: SessionStore>(ctx: &Ctx<S>) {
    let identity = ctx.identity("secret");
    let secret = format!("{} but with spaces", ctx.id("topsecretcookievalue"));
    let session = ctx.session_with_id(secret.clone(), &identity, Utc::now() + Duration::hours(1));
    let error = ctx
        .store
        .save_session(&session)
        .await
        .expect_err("an id with spaces was accepted");
    for text in [
        error.to_string(),
        format!("{error:?}"),
        format!("{session:?}"),
    ] {
        ensure!(
            SECRET_ID,
            !text.contains(&secret),
            "an error or Debug output holds the full id: {text}"
        );
    }
    let valid = ctx.session(&identity, Duration::hours(1));
    ensure!(
        SECRET_ID,
        !format!("{valid:?}").contains(&valid.id),
        "Session's Debug output holds the full id"
    );
}
