//! The checks that run through the trait alone, one file per theme.

mod basic;
mod concurrency;
mod expiry;
pub(crate) mod facts;
mod identity;
mod strings;
mod update;

use super::context::Ctx;
use super::semantic::Semantic;
use crate::SessionStore;

pub(crate) async fn all<S: SessionStore + Clone>(ctx: &Ctx<S>) {
    basic::round_trip(ctx).await;
    basic::upsert(ctx).await;
    basic::load_none(ctx).await;
    basic::save_invalid(ctx).await;
    basic::delete_idempotent(ctx).await;
    basic::case_sensitive(ctx).await;
    basic::touch(ctx).await;
    basic::errors_hide_ids(ctx).await;
    identity::list_exact(ctx).await;
    identity::delete_by_handle(ctx).await;
    identity::delete_identity(ctx).await;
    strings::round_trip_strings(ctx).await;
    concurrency::mixed_operations(ctx).await;
    facts::facts_round_trip(ctx).await;
    update::update_live_and_gone(ctx).await;
    update::update_races_sign_out(ctx).await;
    expiry::expiry_everywhere(ctx).await;
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
        Semantic::UPDATE => {
            update::update_live_and_gone(ctx).await;
            update::update_races_sign_out(ctx).await;
        }
        _ => return false,
    }
    true
}
