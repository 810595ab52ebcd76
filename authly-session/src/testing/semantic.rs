//! Names of the numbered semantics, so a failure says which promise broke.

use std::fmt;

/// One numbered semantic of the store contract: its number and a short title.
///
/// # Examples
///
/// ```
/// use authly_session::testing::Semantic;
/// assert_eq!(Semantic::CASE_SENSITIVE.number(), 7);
/// assert_eq!(Semantic::ALL.len(), 28);
/// assert!(Semantic::ALL.iter().enumerate().all(|(i, s)| usize::from(s.number()) == i + 1));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Semantic {
    number: u8,
    title: &'static str,
}

/// Declares each semantic once: its constant (documented by its number and title) and its
/// place in [`Semantic::ALL`].
macro_rules! semantics {
    ($($name:ident = $number:literal: $title:literal;)*) => {
        impl Semantic {
            $(
                #[doc = concat!("Semantic ", stringify!($number), ": ", $title, ".")]
                pub const $name: Semantic = Semantic::new($number, $title);
            )*

            /// Every semantic, in order of its number.
            pub const ALL: &'static [Semantic] = &[$(Semantic::$name),*];
        }
    };
}

semantics! {
    ROUND_TRIP = 1: "save then load returns an equal session";
    UPSERT = 2: "save is an upsert";
    LOAD_NONE = 3: "load returns None for unknown, expired and invalid ids";
    SAVE_INVALID = 4: "save with an invalid id is an error and writes nothing";
    SAVE_EXPIRED = 5: "saving an expired session stores nothing";
    DELETE_IDEMPOTENT = 6: "delete is idempotent";
    CASE_SENSITIVE = 7: "ids are case-sensitive and byte-exact";
    DELETE_EXPIRED = 8: "delete_expired removes expired sessions only";
    LIST = 9: "list_identity_sessions is exact and live-only";
    DELETE_IDENTITY = 10: "delete_identity_sessions removes that identity only";
    STRINGS = 11: "every string round-trips exactly";
    CONCURRENCY = 12: "concurrent mixed operations succeed";
    TABLE_NAMES = 13: "table names are validated";
    MIGRATE = 14: "migrate is idempotent and concurrent-safe";
    ISOLATION = 15: "stores on different tables or prefixes are isolated";
    FAULTS = 16: "a lost server gives errors, and its return works again";
    SECRET_ID = 17: "no error, Debug output or log line holds a full id";
    HASHED = 18: "stores keep the handle, never the id";
    TOUCH = 19: "touch_session moves a live session's expiry";
    ONE_CLOCK = 20: "the application's clock decides expiry everywhere";
    BATCHES_AND_VERSION = 21: "delete_expired works in bounded batches and migrate records its version";
    SESSION_FACTS = 22: "created_at, last_seen_at and metadata round-trip; touch sets last_seen_at to now";
    UPDATE = 23: "update_session writes only while the session is live and never resurrects it";
    UPGRADE = 24: "migrate upgrades the previous schema in place without losing a session";
    CLOCK_SKEW = 25: "an instance on a skewed clock never makes revocation miss a loadable session";
    EXPIRY_RANGE = 26: "an expiry after 9999-12-31 is invalid input; foreign stored values are corrupt data";
    BOUNDED_TIME = 27: "every operation returns within its timeout when the server stops answering, and the store works again once it answers";
    BOUNDED_WORK = 28: "no statement or script grows with one identity's sessions: other clients never wait";
}

impl Semantic {
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
