//! Semantic 26, stored half: values the store did not write (a DBA's `'infinity'`, a hand-edited
//! date, a foreign payload) are corrupt data for that session only, never a panic or a
//! different time, and the row stays revocable.

use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;

use super::backend::unique_name;
use super::check::Check;
use super::semantic::{Semantic, ensure};
use crate::{Identity, Session, SessionError, SessionStore, session_handle};

/// Which stored value of a session a [`ForeignValue`] replaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StoredField {
    /// The versioned JSON of identity and metadata.
    Payload,
    /// When the session began.
    CreatedAt,
    /// When the session was last used.
    LastSeenAt,
    /// When the session ends.
    ExpiresAt,
}

impl StoredField {
    /// The column (or field) name stores of this workspace use for it.
    ///
    /// # Examples
    ///
    /// ```
    /// use authly_session::testing::StoredField;
    /// assert_eq!(StoredField::ExpiresAt.column(), "expires_at");
    /// ```
    pub fn column(self) -> &'static str {
        match self {
            StoredField::Payload => "data",
            StoredField::CreatedAt => "created_at",
            StoredField::LastSeenAt => "last_seen_at",
            StoredField::ExpiresAt => "expires_at",
        }
    }
}

/// A stored value no store of this crate writes, in the backend's own notation: for SQL a
/// literal its overwrite splices into an `UPDATE` (e.g. `'infinity'`), for a payload the text
/// itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ForeignValue {
    /// The field it replaces.
    pub field: StoredField,
    /// The value, as the backend's overwrite understands it.
    pub value: &'static str,
}

impl ForeignValue {
    /// `value` in place of `field`.
    ///
    /// # Examples
    ///
    /// ```
    /// use authly_session::testing::{ForeignValue, StoredField};
    /// let infinity = ForeignValue::new(StoredField::ExpiresAt, "'infinity'");
    /// assert_eq!(infinity.value, "'infinity'");
    /// ```
    pub const fn new(field: StoredField, value: &'static str) -> Self {
        ForeignValue { field, value }
    }
}

impl fmt::Display for ForeignValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {}", self.field.column(), self.value)
    }
}

/// Payload texts no store writes: not JSON, JSON of another shape, an unknown version, an empty
/// string. Every backend can hold them; pass them as [`StoredField::Payload`] values.
pub const FOREIGN_PAYLOADS: &[&str] = &[
    "not json {",
    "",
    "null",
    "[1,2,3]",
    r#"{"user":"someone else's framework"}"#,
    r#"{"v":2,"identity":{"provider_id":"p"},"metadata":{}}"#,
    r#"{"v":99,"identity":{"provider_id":"p","external_id":"e","email":null,"username":null,"attributes":{}},"metadata":{}}"#,
    r#"{"v":2,"identity":{"provider_id":"p","external_id":"e","email":null,"username":null,"attributes":{}},"metadata":{"k":7}}"#,
];

/// How [`check_foreign_values`] revokes the foreign row after reading around it.
#[derive(Clone, Copy, Debug)]
enum Revoke {
    ByHandle,
    Identity,
}

/// Semantic 26, stored half: for each of `values` (what this backend can hold that no store
/// writes; add [`FOREIGN_PAYLOADS`] as payloads), after `overwrite(handle, value)` writes it over
/// one session's field:
///
/// - loading that session is a [`SessionError::CorruptData`] naming `location` (the table or
///   key prefix) and not the id, never a panic and never a session with another time; a foreign
///   `expires_at` the backend itself orders before now may instead end the session (`Ok(None)`);
/// - the identity's other session still loads, and listing returns exactly that one;
/// - the foreign row is revocable: once by `delete_session_by_handle`, once (with a fresh
///   session) by `delete_identity_sessions`, which counts it; afterwards it loads as `None`.
///
/// # Panics
///
/// When any of that does not hold, naming the value.
pub async fn check_foreign_values<S, F, Fut>(
    store: &S,
    location: &str,
    values: &[ForeignValue],
    overwrite: F,
) where
    S: SessionStore,
    F: Fn(String, ForeignValue) -> Fut,
    Fut: Future<Output = ()>,
{
    for &value in values {
        for revoke in [Revoke::ByHandle, Revoke::Identity] {
            one_foreign_row(
                store,
                location,
                value,
                |handle| overwrite(handle, value),
                revoke,
            )
            .await;
        }
    }
}

/// One foreign value over one of two sessions of a fresh identity, then reads around it and
/// revokes it the `revoke` way (see [`check_foreign_values`]).
async fn one_foreign_row<S, F, Fut>(
    store: &S,
    location: &str,
    value: ForeignValue,
    overwrite: F,
    revoke: Revoke,
) where
    S: SessionStore,
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = ()>,
{
    let check = Check::new(store, Semantic::EXPIRY_RANGE);
    let identity = Identity::new(unique_name("foreign"), "user");
    let good = Session::new(identity.clone(), chrono::Duration::hours(1));
    let bad = Session::new(identity.clone(), chrono::Duration::hours(1));
    check.save_all(vec![&good, &bad]).await;
    overwrite(session_handle(&bad.id)).await;

    let loaded = AssertUnwindSafe(store.load_session(&bad.id))
        .catch_unwind()
        .await
        .unwrap_or_else(|_| check.fail(format_args!("load_session panicked on {value}")));
    match loaded {
        Err(error @ SessionError::CorruptData { .. }) => {
            let text = format!("{error} {error:?}");
            ensure!(
                check,
                text.contains(location),
                "the error for {value} does not name {location:?}: {error}"
            );
            ensure!(
                Semantic::SECRET_ID,
                !text.contains(&bad.id),
                "the error for {value} holds the full session id"
            );
        }
        Ok(None) if value.field == StoredField::ExpiresAt => {}
        other => check.fail(format_args!(
            "loading a session with {value} gave {other:?}, not a corrupt-data error"
        )),
    }
    check
        .loaded(
            &good.id,
            &format!("{value} in one session made another unloadable"),
        )
        .await;

    let (provider, external) = (&identity.provider_id, &identity.external_id);
    let listed = AssertUnwindSafe(store.list_identity_sessions(provider, external))
        .catch_unwind()
        .await
        .unwrap_or_else(|_| check.fail(format_args!("list_identity_sessions panicked on {value}")));
    let listed = match listed {
        Ok(listed) => listed,
        Err(error) => check.fail(format_args!(
            "list_identity_sessions failed on {value} instead of skipping it: {error}"
        )),
    };
    ensure!(
        check,
        listed.len() == 1 && listed[0].handle == session_handle(&good.id),
        "with {value} in one session, listing gave {} sessions instead of the other one",
        listed.len()
    );

    match revoke {
        Revoke::ByHandle => {
            check.delete_by_handle(&session_handle(&bad.id)).await;
            check
                .gone(
                    &bad.id,
                    &format!("{value} survived delete_session_by_handle"),
                )
                .await;
            check
                .loaded(&good.id, "delete_session_by_handle removed a neighbour")
                .await;
            check.delete(&good.id).await;
        }
        Revoke::Identity => {
            let removed = check.delete_identity(&identity).await;
            ensure!(
                check,
                removed == 2,
                "delete_identity_sessions removed {removed} sessions with {value} in one of 2"
            );
            check
                .all_gone(
                    &[good, bad],
                    &format!("{value} survived delete_identity_sessions"),
                )
                .await;
        }
    }
}

/// [`check_corrupted_payload`](super::check_corrupted_payload)'s case: one payload that is
/// not JSON, revoked by handle.
pub(crate) async fn corrupted_payload<S, F, Fut>(store: &S, location: &str, corrupt: F)
where
    S: SessionStore,
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = ()>,
{
    let value = ForeignValue::new(StoredField::Payload, "not json {");
    one_foreign_row(store, location, value, corrupt, Revoke::ByHandle).await;
}
