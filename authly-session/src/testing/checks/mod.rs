//! The checks that run through the trait alone, one file per theme.

mod basic;
mod concurrency;
mod expiry;
mod identity;
mod strings;

use super::context::Ctx;
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
    expiry::expiry_everywhere(ctx).await;
}

/// The checks of one numbered semantic; `false` when it is not checkable through the trait alone.
pub(crate) async fn semantic<S: SessionStore + Clone>(ctx: &Ctx<S>, number: u8) -> bool {
    match number {
        1 => basic::round_trip(ctx).await,
        2 => basic::upsert(ctx).await,
        3 => basic::load_none(ctx).await,
        4 => basic::save_invalid(ctx).await,
        5 => expiry::save_expired(ctx).await,
        6 => basic::delete_idempotent(ctx).await,
        7 => basic::case_sensitive(ctx).await,
        8 | 20 => expiry::expiry_everywhere(ctx).await,
        9 => {
            identity::list_exact(ctx).await;
            identity::delete_by_handle(ctx).await;
        }
        10 => identity::delete_identity(ctx).await,
        11 => strings::round_trip_strings(ctx).await,
        12 => concurrency::mixed_operations(ctx).await,
        17 => basic::errors_hide_ids(ctx).await,
        19 => basic::touch(ctx).await,
        _ => return false,
    }
    true
}
