//! Names of the numbered semantics, so a failure says which promise broke.

use std::fmt;

/// One numbered semantic of the store contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Semantic(pub u8, pub &'static str);

impl fmt::Display for Semantic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "semantic {} ({})", self.0, self.1)
    }
}

pub(crate) const ROUND_TRIP: Semantic = Semantic(1, "save then load returns an equal session");
pub(crate) const UPSERT: Semantic = Semantic(2, "save is an upsert");
pub(crate) const LOAD_NONE: Semantic =
    Semantic(3, "load returns None for unknown, expired and invalid ids");
pub(crate) const SAVE_INVALID: Semantic =
    Semantic(4, "save with an invalid id is an error and writes nothing");
pub(crate) const SAVE_EXPIRED: Semantic = Semantic(5, "saving an expired session stores nothing");
pub(crate) const DELETE_IDEMPOTENT: Semantic = Semantic(6, "delete is idempotent");
pub(crate) const CASE_SENSITIVE: Semantic = Semantic(7, "ids are case-sensitive and byte-exact");
pub(crate) const DELETE_EXPIRED: Semantic =
    Semantic(8, "delete_expired removes expired sessions only");
pub(crate) const LIST: Semantic = Semantic(9, "list_identity_sessions is exact and live-only");
pub(crate) const DELETE_IDENTITY: Semantic =
    Semantic(10, "delete_identity_sessions removes that identity only");
pub(crate) const STRINGS: Semantic = Semantic(11, "every string round-trips exactly");
pub(crate) const CONCURRENCY: Semantic = Semantic(12, "concurrent mixed operations succeed");
pub(crate) const TABLE_NAMES: Semantic = Semantic(13, "table names are validated");
pub(crate) const MIGRATE: Semantic = Semantic(14, "migrate is idempotent and concurrent-safe");
pub(crate) const ISOLATION: Semantic =
    Semantic(15, "stores on different tables or prefixes are isolated");
pub(crate) const FAULTS: Semantic =
    Semantic(16, "a lost server gives errors, and its return works again");
pub(crate) const SECRET_ID: Semantic =
    Semantic(17, "no error, Debug output or log line holds a full id");
pub(crate) const HASHED: Semantic = Semantic(18, "stores keep the handle, never the id");
pub(crate) const TOUCH: Semantic = Semantic(19, "touch_session moves a live session's expiry");
pub(crate) const ONE_CLOCK: Semantic =
    Semantic(20, "the application's clock decides expiry everywhere");

/// Panics with a message naming `semantic` unless `condition` holds.
macro_rules! ensure {
    ($semantic:expr, $condition:expr, $($message:tt)+) => {
        if !$condition {
            panic!("conformance: {}: {}", $semantic, format!($($message)+));
        }
    };
}
pub(crate) use ensure;

/// Unwraps a store result, panicking with a message naming `semantic` on `Err`.
pub(crate) fn ok<T>(semantic: Semantic, what: &str, result: Result<T, crate::SessionError>) -> T {
    match result {
        Ok(value) => value,
        Err(error) => panic!("conformance: {semantic}: {what} failed: {error}"),
    }
}
