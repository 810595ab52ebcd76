//! Names of the numbered semantics, so a failure says which promise broke.

use std::fmt;

/// One numbered semantic of the store contract: its number and a short title.
///
/// # Examples
///
/// ```
/// use authly_session::testing::Semantic;
/// assert_eq!(Semantic::CASE_SENSITIVE.number(), 7);
/// assert_eq!(Semantic::ALL.len(), 24);
/// assert!(Semantic::ALL.iter().enumerate().all(|(i, s)| usize::from(s.number()) == i + 1));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Semantic {
    number: u8,
    title: &'static str,
}

impl Semantic {
    /// Semantic 1: save then load returns an equal session.
    pub const ROUND_TRIP: Semantic = Semantic::new(1, "save then load returns an equal session");
    /// Semantic 2: save is an upsert.
    pub const UPSERT: Semantic = Semantic::new(2, "save is an upsert");
    /// Semantic 3: load returns None for unknown, expired and invalid ids.
    pub const LOAD_NONE: Semantic = Semantic::new(3, "load returns None for unknown, expired and invalid ids");
    /// Semantic 4: save with an invalid id is an error and writes nothing.
    pub const SAVE_INVALID: Semantic = Semantic::new(4, "save with an invalid id is an error and writes nothing");
    /// Semantic 5: saving an expired session stores nothing.
    pub const SAVE_EXPIRED: Semantic = Semantic::new(5, "saving an expired session stores nothing");
    /// Semantic 6: delete is idempotent.
    pub const DELETE_IDEMPOTENT: Semantic = Semantic::new(6, "delete is idempotent");
    /// Semantic 7: ids are case-sensitive and byte-exact.
    pub const CASE_SENSITIVE: Semantic = Semantic::new(7, "ids are case-sensitive and byte-exact");
    /// Semantic 8: delete_expired removes expired sessions only.
    pub const DELETE_EXPIRED: Semantic = Semantic::new(8, "delete_expired removes expired sessions only");
    /// Semantic 9: list_identity_sessions is exact and live-only.
    pub const LIST: Semantic = Semantic::new(9, "list_identity_sessions is exact and live-only");
    /// Semantic 10: delete_identity_sessions removes that identity only.
    pub const DELETE_IDENTITY: Semantic = Semantic::new(10, "delete_identity_sessions removes that identity only");
    /// Semantic 11: every string round-trips exactly.
    pub const STRINGS: Semantic = Semantic::new(11, "every string round-trips exactly");
    /// Semantic 12: concurrent mixed operations succeed.
    pub const CONCURRENCY: Semantic = Semantic::new(12, "concurrent mixed operations succeed");
    /// Semantic 13: table names are validated.
    pub const TABLE_NAMES: Semantic = Semantic::new(13, "table names are validated");
    /// Semantic 14: migrate is idempotent and concurrent-safe.
    pub const MIGRATE: Semantic = Semantic::new(14, "migrate is idempotent and concurrent-safe");
    /// Semantic 15: stores on different tables or prefixes are isolated.
    pub const ISOLATION: Semantic = Semantic::new(15, "stores on different tables or prefixes are isolated");
    /// Semantic 16: a lost server gives errors, and its return works again.
    pub const FAULTS: Semantic = Semantic::new(16, "a lost server gives errors, and its return works again");
    /// Semantic 17: no error, Debug output or log line holds a full id.
    pub const SECRET_ID: Semantic = Semantic::new(17, "no error, Debug output or log line holds a full id");
    /// Semantic 18: stores keep the handle, never the id.
    pub const HASHED: Semantic = Semantic::new(18, "stores keep the handle, never the id");
    /// Semantic 19: touch_session moves a live session's expiry.
    pub const TOUCH: Semantic = Semantic::new(19, "touch_session moves a live session's expiry");
    /// Semantic 20: the application's clock decides expiry everywhere.
    pub const ONE_CLOCK: Semantic = Semantic::new(20, "the application's clock decides expiry everywhere");
    /// Semantic 21: delete_expired works in bounded batches and migrate records its version.
    pub const BATCHES_AND_VERSION: Semantic = Semantic::new(21, "delete_expired works in bounded batches and migrate records its version");

    /// Semantic 22: created_at, last_seen_at and metadata round-trip; touch sets last_seen_at.
    pub const SESSION_FACTS: Semantic = Semantic::new(
        22,
        "created_at, last_seen_at and metadata round-trip; touch sets last_seen_at to now",
    );
    /// Semantic 23: update writes only to a live session and never resurrects a revoked one.
    pub const UPDATE: Semantic = Semantic::new(
        23,
        "update_session writes only while the session is live and never resurrects it",
    );
    /// Semantic 24: migrate upgrades a previous schema version in place, losing no session.
    pub const UPGRADE: Semantic = Semantic::new(
        24,
        "migrate upgrades the previous schema in place without losing a session",
    );

    /// Every semantic, in order of its number.
    pub const ALL: &'static [Semantic] = &[
        Semantic::ROUND_TRIP,
        Semantic::UPSERT,
        Semantic::LOAD_NONE,
        Semantic::SAVE_INVALID,
        Semantic::SAVE_EXPIRED,
        Semantic::DELETE_IDEMPOTENT,
        Semantic::CASE_SENSITIVE,
        Semantic::DELETE_EXPIRED,
        Semantic::LIST,
        Semantic::DELETE_IDENTITY,
        Semantic::STRINGS,
        Semantic::CONCURRENCY,
        Semantic::TABLE_NAMES,
        Semantic::MIGRATE,
        Semantic::ISOLATION,
        Semantic::FAULTS,
        Semantic::SECRET_ID,
        Semantic::HASHED,
        Semantic::TOUCH,
        Semantic::ONE_CLOCK,
        Semantic::BATCHES_AND_VERSION,
        Semantic::SESSION_FACTS,
        Semantic::UPDATE,
        Semantic::UPGRADE,
    ];

    const fn new(number: u8, title: &'static str) -> Self {
        Semantic { number, title }
    }

    /// The semantic's number: semantics are numbered in the order the contract states them.
    pub fn number(self) -> u8 {
        self.number
    }

    /// What the semantic promises, in a few words.
    pub fn title(self) -> &'static str {
        self.title
    }
}

impl fmt::Display for Semantic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "semantic {} ({})", self.number, self.title)
    }
}

pub(crate) const ROUND_TRIP: Semantic = Semantic::ROUND_TRIP;
pub(crate) const UPSERT: Semantic = Semantic::UPSERT;
pub(crate) const LOAD_NONE: Semantic = Semantic::LOAD_NONE;
pub(crate) const SAVE_INVALID: Semantic = Semantic::SAVE_INVALID;
pub(crate) const SAVE_EXPIRED: Semantic = Semantic::SAVE_EXPIRED;
pub(crate) const DELETE_IDEMPOTENT: Semantic = Semantic::DELETE_IDEMPOTENT;
pub(crate) const CASE_SENSITIVE: Semantic = Semantic::CASE_SENSITIVE;
pub(crate) const DELETE_EXPIRED: Semantic = Semantic::DELETE_EXPIRED;
pub(crate) const LIST: Semantic = Semantic::LIST;
pub(crate) const DELETE_IDENTITY: Semantic = Semantic::DELETE_IDENTITY;
pub(crate) const STRINGS: Semantic = Semantic::STRINGS;
pub(crate) const CONCURRENCY: Semantic = Semantic::CONCURRENCY;
pub(crate) const TABLE_NAMES: Semantic = Semantic::TABLE_NAMES;
pub(crate) const MIGRATE: Semantic = Semantic::MIGRATE;
pub(crate) const ISOLATION: Semantic = Semantic::ISOLATION;
pub(crate) const FAULTS: Semantic = Semantic::FAULTS;
pub(crate) const SECRET_ID: Semantic = Semantic::SECRET_ID;
pub(crate) const HASHED: Semantic = Semantic::HASHED;
pub(crate) const TOUCH: Semantic = Semantic::TOUCH;
pub(crate) const ONE_CLOCK: Semantic = Semantic::ONE_CLOCK;
pub(crate) const BATCHES_AND_VERSION: Semantic = Semantic::BATCHES_AND_VERSION;
pub(crate) const SESSION_FACTS: Semantic = Semantic::SESSION_FACTS;
pub(crate) const UPDATE: Semantic = Semantic::UPDATE;
pub(crate) const UPGRADE: Semantic = Semantic::UPGRADE;

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
