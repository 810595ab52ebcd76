//! Semantic 22: the session facts (`created_at`, `last_seen_at`, `metadata`) round-trip through
//! save, load and listing, and touch keeps all but `last_seen_at`, which it sets to now.

use std::collections::BTreeMap;

use chrono::{Duration, Utc};

use crate::store_kit::truncate_to_micros;
use crate::testing::check::Check;
use crate::testing::context::Ctx;
use crate::testing::semantic::{Semantic, ensure};
use crate::{Identity, Session, SessionStore};

/// Metadata holding every string rule of semantic 11: NUL, control characters, right-to-left
/// text, emoji, quotes, SQL and JSON metacharacters, a 64 KiB value.
pub(crate) fn hostile_metadata() -> BTreeMap<String, String> {
    BTreeMap::from([
        ("label".to_owned(), "Firefox on Linux".to_owned()),
        ("nul\0key".to_owned(), "nul\0value\u{1}\u{1f}".to_owned()),
        (
            "rtl".to_owned(),
            "\u{5e9}\u{5dc}\u{5d5}\u{5dd} \u{202e}txet\u{202c} 😀".to_owned(),
        ),
        (
            "sql".to_owned(),
            "'; DROP TABLE x; -- \" \\ % _ {\"v\":9}".to_owned(),
        ),
        ("big".to_owned(), "m".repeat(64 * 1024)),
    ])
}

/// Whether two times agree to the microsecond (what every store keeps).
pub(crate) fn same_micros(a: chrono::DateTime<Utc>, b: chrono::DateTime<Utc>) -> bool {
    truncate_to_micros(a) == truncate_to_micros(b)
}

/// Checks that `identity` lists exactly one session, and that it describes `session` exactly.
async fn listed_once<S: SessionStore>(
    check: &Check<'_, S>,
    identity: &Identity,
    session: &Session,
) {
    let listed = check.list(identity).await;
    ensure!(
        check,
        listed.len() == 1,
        "listed {} sessions, expected 1",
        listed.len()
    );
    let info = &listed[0];
    ensure!(
        check,
        info.identity == session.identity
            && same_micros(info.created_at, session.created_at)
            && same_micros(info.last_seen_at, session.last_seen_at)
            && same_micros(info.expires_at, session.expires_at)
            && info.metadata == session.metadata,
        "the listing shows other facts than were stored: created {} / {}, last seen {} / {}, {} metadata entries / {}",
        info.created_at,
        session.created_at,
        info.last_seen_at,
        session.last_seen_at,
        info.metadata.len(),
        session.metadata.len()
    );
}

pub(crate) async fn facts_round_trip<S: SessionStore>(ctx: &Ctx<S>) {
    let check = ctx.check(Semantic::SESSION_FACTS);
    let identity = ctx.identity("facts");
    let mut session = ctx.session(&identity, Duration::hours(1));
    session.created_at = Utc::now() - Duration::hours(3) + Duration::nanoseconds(123_456_789);
    session.last_seen_at = Utc::now() - Duration::minutes(7) + Duration::nanoseconds(987_654_321);
    session.metadata = hostile_metadata();
    check.save(&session).await;

    let loaded = check
        .loaded(&session.id, "a saved session did not load")
        .await;
    ensure!(
        check,
        same_micros(loaded.created_at, session.created_at)
            && same_micros(loaded.last_seen_at, session.last_seen_at),
        "times differ after a round trip: created {} / {}, last seen {} / {}",
        loaded.created_at,
        session.created_at,
        loaded.last_seen_at,
        session.last_seen_at
    );
    ensure!(
        check,
        loaded.metadata == session.metadata,
        "metadata differs after a round trip: {} entries came back of {}",
        loaded.metadata.len(),
        session.metadata.len()
    );
    listed_once(&check, &identity, &session).await;

    let before = truncate_to_micros(Utc::now());
    let later = Utc::now() + Duration::hours(2);
    ensure!(
        check,
        check.touch(&session.id, later).await,
        "touching a live session returned false"
    );
    let after = Utc::now();
    let touched = check
        .loaded(&session.id, "a touched session did not load")
        .await;
    ensure!(
        check,
        touched.last_seen_at >= before && touched.last_seen_at <= after,
        "touch set last_seen_at to {}, not the time of the call ({before} to {after})",
        touched.last_seen_at
    );
    let expected = Session {
        last_seen_at: touched.last_seen_at,
        expires_at: later,
        ..session.clone()
    };
    ensure!(
        check,
        touched.identity == expected.identity
            && same_micros(touched.created_at, expected.created_at)
            && touched.metadata == expected.metadata,
        "touch changed created_at, identity or metadata"
    );
    listed_once(&check, &identity, &expected).await;
    check.delete(&session.id).await;

    // Past the documented payload limit: an invalid-input error, and nothing stored.
    let oversized = ctx
        .session(&identity, Duration::hours(1))
        .with_metadata("huge", "x".repeat(crate::store_kit::MAX_PAYLOAD_BYTES));
    let saved = ctx.store.save_session(&oversized).await;
    ensure!(
        check,
        matches!(saved, Err(crate::SessionError::InvalidInput { .. })),
        "saving metadata past the payload limit gave {saved:?}, not an invalid-input error"
    );
    check
        .gone(&oversized.id, "a session past the payload limit was stored")
        .await;
}
