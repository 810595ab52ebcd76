//! What a store call gave, reduced to what the contract fixes, and when two such agree.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Duration, Utc};

use crate::store_kit::to_unix_micros;
use crate::{Identity, Session, SessionError, SessionInfo};

/// How far apart `last_seen_at` may be after a touch: the store and the model each read the
/// clock at their own call.
const TOUCH_SLACK: Duration = Duration::seconds(5);

/// What one call gave, reduced to what the contract fixes.
#[derive(Clone, Debug)]
pub(super) enum Outcome {
    Done,
    Flag(bool),
    Count(u64),
    Loaded(Option<Seen>),
    /// The sessions listed, by handle, and how many entries the listing had.
    Listed(BTreeMap<String, Seen>, usize),
    Failed(&'static str, String),
}

/// A session as a load or a listing shows it; times in whole microseconds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Seen {
    pub(super) identity: Identity,
    pub(super) metadata: BTreeMap<String, String>,
    pub(super) created_at: i64,
    pub(super) last_seen_at: i64,
    pub(super) expires_at: i64,
}

impl Seen {
    fn new(
        identity: &Identity,
        metadata: &BTreeMap<String, String>,
        times: [DateTime<Utc>; 3],
    ) -> Self {
        let [created_at, last_seen_at, expires_at] = times.map(to_unix_micros);
        Seen {
            identity: identity.clone(),
            metadata: metadata.clone(),
            created_at,
            last_seen_at,
            expires_at,
        }
    }

    fn of_session(s: &Session) -> Self {
        Seen::new(
            &s.identity,
            &s.metadata,
            [s.created_at, s.last_seen_at, s.expires_at],
        )
    }

    fn of_info(s: &SessionInfo) -> Self {
        Seen::new(
            &s.identity,
            &s.metadata,
            [s.created_at, s.last_seen_at, s.expires_at],
        )
    }
}

/// The name of an error's kind: what store and model must agree on.
pub(super) fn kind(error: &SessionError) -> &'static str {
    match error {
        SessionError::InvalidSessionId { .. } => "InvalidSessionId",
        SessionError::InvalidConfiguration { .. } => "InvalidConfiguration",
        SessionError::InvalidInput { .. } => "InvalidInput",
        SessionError::Backend { .. } => "Backend",
        SessionError::Timeout { .. } => "Timeout",
        SessionError::Serialization { .. } => "Serialization",
        SessionError::CorruptData { .. } => "CorruptData",
    }
}

pub(super) fn outcome<T>(
    result: Result<T, SessionError>,
    ok: impl FnOnce(T) -> Outcome,
) -> Outcome {
    match result {
        Ok(value) => ok(value),
        Err(error) => Outcome::Failed(kind(&error), error.to_string()),
    }
}

pub(super) fn loaded(result: Result<Option<Session>, SessionError>) -> Outcome {
    outcome(result, |s| {
        Outcome::Loaded(s.as_ref().map(Seen::of_session))
    })
}

pub(super) fn listed(result: Result<Vec<SessionInfo>, SessionError>) -> Outcome {
    outcome(result, |infos| {
        let by_handle = infos
            .iter()
            .map(|info| (info.handle.clone(), Seen::of_info(info)))
            .collect();
        Outcome::Listed(by_handle, infos.len())
    })
}

/// Whether two views of one session agree: exactly, except `last_seen_at` after a touch, which
/// store and model each set from their own reading of the clock.
pub(super) fn same(touched: bool, ours: &Seen, model: &Seen) -> bool {
    let slack = TOUCH_SLACK.num_microseconds().unwrap_or(i64::MAX);
    let last_seen_ok = if touched {
        ours.last_seen_at.abs_diff(model.last_seen_at) <= slack.unsigned_abs()
    } else {
        ours.last_seen_at == model.last_seen_at
    };
    last_seen_ok
        && Seen {
            last_seen_at: model.last_seen_at,
            ..ours.clone()
        } == *model
}

/// Microseconds since the epoch, shown as a UTC time.
pub(super) struct Micros(pub(super) i64);

impl fmt::Display for Micros {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match crate::store_kit::from_unix_micros(self.0) {
            Some(t) => write!(f, "{}", t.format("%Y-%m-%d %H:%M:%S%.6f")),
            None => write!(f, "{}µs", self.0),
        }
    }
}
