//! Semantic 26, its input half: an expiry after 9999-12-31T23:59:59.999999Z is an invalid-input
//! error that writes nothing, from save, update and touch alike; the latest supported expiry
//! itself is stored exactly.

use chrono::Duration;

use crate::store_kit::max_expiry;
use crate::testing::check::Check;
use crate::testing::checks::facts::same_micros;
use crate::testing::context::Ctx;
use crate::testing::semantic::{Semantic, ensure};
use crate::{SessionError, SessionStore};

/// Panics unless `result` is an invalid-input error.
fn invalid_input<S: SessionStore, T: std::fmt::Debug>(
    check: &Check<'_, S>,
    what: &str,
    result: Result<T, SessionError>,
) {
    ensure!(
        check,
        matches!(result, Err(SessionError::InvalidInput { .. })),
        "{what} with an expiry after 9999-12-31 gave {result:?}, not an invalid-input error"
    );
}

pub(crate) async fn expiry_range<S: SessionStore>(ctx: &Ctx<S>) {
    let check = ctx.check(Semantic::EXPIRY_RANGE);
    let identity = ctx.identity("range");
    let too_late = max_expiry() + Duration::microseconds(1);

    let mut beyond = ctx.session(&identity, Duration::hours(1));
    beyond.expires_at = too_late;
    invalid_input(&check, "save", ctx.store.save_session(&beyond).await);
    check
        .gone(&beyond.id, "a session with an expiry after 9999 was stored")
        .await;

    let mut latest = ctx.session(&identity, Duration::hours(1));
    latest.expires_at = max_expiry();
    check.save(&latest).await;
    let loaded = check
        .loaded(
            &latest.id,
            "a session expiring at the latest time did not load",
        )
        .await;
    ensure!(
        check,
        same_micros(loaded.expires_at, max_expiry()),
        "the latest supported expiry came back as {}",
        loaded.expires_at
    );

    let live = ctx.session(&identity, Duration::hours(1));
    check.save(&live).await;
    let moved = crate::Session {
        expires_at: too_late,
        ..live.clone()
    };
    invalid_input(&check, "update", ctx.store.update_session(&moved).await);
    invalid_input(
        &check,
        "touch",
        ctx.store.touch_session(&live.id, too_late).await,
    );
    let unchanged = check
        .loaded(&live.id, "a rejected update or touch ended the session")
        .await;
    ensure!(
        check,
        same_micros(unchanged.expires_at, live.expires_at),
        "a rejected update or touch moved the expiry to {}",
        unchanged.expires_at
    );
    check.delete_all(vec![&latest, &live]).await;
}
