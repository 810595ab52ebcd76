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
