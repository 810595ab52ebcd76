//! The checks that run through the trait alone, one file per theme.

mod basic;
mod concurrency;
mod expiry;
pub(crate) mod facts;
mod identity;
mod model;
mod range;
mod skew;
mod strings;
mod update;

use super::context::Ctx;
use super::semantic::Semantic;
use crate::SessionStore;

/// Every check: each semantic checkable through the trait alone, in order of its number.
/// Semantic 20 (one clock) is checked by the same run as semantic 8, so it is not run twice.
pub(crate) async fn all<S: SessionStore + Clone>(ctx: &Ctx<S>) {
    for &semantic in Semantic::ALL {
        if semantic != Semantic::ONE_CLOCK {
            self::semantic(ctx, semantic).await;
        }
    }
    model::model_based(ctx).await;
}

/// The checks of one numbered semantic; `false` when it is not checkable through the trait alone.
pub(crate) async fn semantic<S: SessionStore + Clone>(ctx: &Ctx<S>, semantic: Semantic) -> bool {
    match semantic {
        Semantic::ROUND_TRIP => basic::round_trip(ctx).await,
        Semantic::UPSERT => basic::upsert(ctx).await,
        Semantic::LOAD_NONE => basic::load_none(ctx).await,
        Semantic::SAVE_INVALID => basic::save_invalid(ctx).await,
        Semantic::SAVE_EXPIRED => expiry::save_expired(ctx).await,
        Semantic::DELETE_IDEMPOTENT => basic::delete_idempotent(ctx).await,
        Semantic::CASE_SENSITIVE => basic::case_sensitive(ctx).await,
        Semantic::DELETE_EXPIRED | Semantic::ONE_CLOCK => expiry::expiry_everywhere(ctx).await,
        Semantic::LIST => {
            identity::list_exact(ctx).await;
            identity::delete_by_handle(ctx).await;
        }
        Semantic::DELETE_IDENTITY => identity::delete_identity(ctx).await,
        Semantic::STRINGS => strings::round_trip_strings(ctx).await,
        Semantic::CONCURRENCY => concurrency::mixed_operations(ctx).await,
        Semantic::SECRET_ID => basic::errors_hide_ids(ctx).await,
        Semantic::TOUCH => basic::touch(ctx).await,
        Semantic::SESSION_FACTS => facts::facts_round_trip(ctx).await,
        Semantic::CLOCK_SKEW => return skew::skewed_instances(ctx).await,
        Semantic::EXPIRY_RANGE => range::expiry_range(ctx).await,
        Semantic::UPDATE => {
            update::update_live_and_gone(ctx).await;
            update::update_races_sign_out(ctx).await;
        }
        _ => return false,
    }
    true
}
