//! A session as Redis keeps it: one string, a fixed-width header of its times and identity key
//! followed by the payload JSON, so a load is one `GET` and touch rewrites only the header.
//!
//! ```text
//! bytes 0..19    expires_at    unix microseconds, 19 digits, zero-padded
//! bytes 19..38   created_at    likewise
//! bytes 38..57   last_seen_at  likewise
//! bytes 57..121  identity key  64 hex digits (identity_key(provider_id, external_id))
//! bytes 121..    payload       {"v":2,"identity":{...},"metadata":{...}}
//! ```
//!
//! `lua/common.lua` reads the same layout (and turns a hash of schema version 1 or 2 into it).

use std::ops::Range;

use authly_session::store_kit::{
    SessionRow, decode_payload, from_unix_micros, is_stored_range, to_unix_micros,
};
use authly_session::{SessionError, SessionInfo};
use chrono::{DateTime, Utc};

const EXPIRES_AT: Range<usize> = 0..19;
const CREATED_AT: Range<usize> = 19..38;
const LAST_SEEN_AT: Range<usize> = 38..57;
const OWNER: Range<usize> = 57..121;
/// Where the payload starts.
const HEADER: usize = 121;

/// A time as the header holds it: 19 decimal digits (every supported time has at most 18).
pub(crate) fn header_time(time: DateTime<Utc>) -> String {
    format!("{:019}", to_unix_micros(time))
}

/// The stored value of `row`.
pub(crate) fn encode(row: &SessionRow) -> Vec<u8> {
    let mut value = Vec::with_capacity(HEADER + row.payload.len());
    for time in [row.expires_at, row.created_at, row.last_seen_at] {
        value.extend_from_slice(header_time(time).as_bytes());
    }
    value.extend_from_slice(row.identity_key.as_bytes());
    value.extend_from_slice(row.payload.as_bytes());
    value
}

/// The identity key a stored value belongs to.
///
/// # Errors
///
/// [`SessionError::CorruptData`] naming `context` when the value is too short for a header.
pub(crate) fn owner<'v>(context: &str, value: &'v [u8]) -> Result<&'v [u8], SessionError> {
    value
        .get(OWNER)
        .ok_or_else(|| SessionError::corrupt(context, "a stored session has no header"))
}

/// A stored value read back as `handle`'s session.
///
/// # Errors
///
/// [`SessionError::CorruptData`] naming `context` (the prefix, never a session id) when the
/// value is not what this crate writes: a short header, a time that is not 1970 to 9999 in
/// unix microseconds, or a payload that is not its JSON.
pub(crate) fn decode(
    context: &str,
    handle: String,
    value: &[u8],
) -> Result<SessionInfo, SessionError> {
    let field = |range: Range<usize>, what: &str| {
        decode_time(context, value.get(range).unwrap_or_default(), what)
    };
    let expires_at = field(EXPIRES_AT, "expires_at")?;
    let created_at = field(CREATED_AT, "created_at")?;
    let last_seen_at = field(LAST_SEEN_AT, "last_seen_at")?;
    let payload = value
        .get(HEADER..)
        .and_then(|payload| std::str::from_utf8(payload).ok())
        .ok_or_else(|| SessionError::corrupt(context, "session payload is not UTF-8"))?;
    let payload = decode_payload(payload, context)?;
    Ok(SessionInfo {
        handle,
        identity: payload.identity,
        created_at,
        last_seen_at,
        expires_at,
        metadata: payload.metadata,
    })
}

/// A time as the header and the schema record keep it: unix microseconds in decimal digits.
///
/// # Errors
///
/// [`SessionError::CorruptData`] naming `context` unless it is one between 1970 and 9999.
pub(crate) fn decode_time(
    context: &str,
    value: &[u8],
    what: &str,
) -> Result<DateTime<Utc>, SessionError> {
    std::str::from_utf8(value)
        .ok()
        .filter(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|text| text.parse::<i64>().ok())
        .and_then(from_unix_micros)
        .filter(|time| is_stored_range(*time))
        .ok_or_else(|| {
            SessionError::corrupt(
                context,
                format!("{what} is not a time between 1970 and 9999 in unix microseconds"),
            )
        })
}

/// When Redis drops the key of a session expiring at `expires_at` (`PXAT`, unix milliseconds by
/// the server's clock): the expiry rounded up, so the key never goes before the session's exact
/// expiry.
pub(crate) fn expire_at_millis(expires_at: DateTime<Utc>) -> i64 {
    to_unix_micros(expires_at)
        .saturating_add(999)
        .div_euclid(1000)
}

#[cfg(test)]
mod tests {

    use super::*;
    use authly_session::store_kit::{SavePlan, truncate_to_micros};
    use authly_session::{Identity, Session};

    fn row(session: &Session) -> SessionRow {
        match SavePlan::new(session, Utc::now()).unwrap() {
            SavePlan::Upsert(row) => row,
            SavePlan::Remove { .. } => unreachable!("a live session"),
        }
    }

    #[test]
    fn round_trips_what_the_store_writes() {
        let session = Session::new(Identity::new("github", "1"), chrono::Duration::hours(1))
            .with_metadata("label", "laptop");
        let row = row(&session);
        let value = encode(&row);
        assert_eq!(owner("ctx", &value).unwrap(), row.identity_key.as_bytes());
        let info = decode("ctx", "h".into(), &value).unwrap();
        assert_eq!(
            (&info.identity, &info.metadata),
            (&session.identity, &session.metadata)
        );
        assert_eq!(
            (info.expires_at, info.created_at, info.last_seen_at),
            (
                truncate_to_micros(session.expires_at),
                truncate_to_micros(session.created_at),
                truncate_to_micros(session.last_seen_at)
            )
        );
    }

    #[test]
    fn corrupted_values_are_corrupt_data_errors_naming_the_context() {
        let session = Session::new(Identity::new("github", "1"), chrono::Duration::hours(1));
        let good = encode(&row(&session));
        let edited = |range: Range<usize>, with: &[u8]| {
            let mut value = good.clone();
            value.splice(range, with.iter().copied());
            value
        };
        for value in [
            b"short".to_vec(),
            edited(0..19, b"000000000000000inf "),
            edited(0..19, b"-000000000000000001"),
            edited(19..38, b"9999999999999999999"),
            edited(38..57, b"0000000000000001e15"),
            edited(121..good.len(), b"not json {"),
            edited(121..good.len(), &[0xff, 0xfe]),
        ] {
            let error = decode("Redis keys under prefix \"p\"", "h".into(), &value).unwrap_err();
            assert!(
                matches!(error, SessionError::CorruptData { .. }),
                "{error:?}"
            );
            assert!(error.to_string().contains("prefix \"p\""), "{error}");
        }
    }

    #[test]
    fn key_expiry_rounds_up_to_the_millisecond() {
        let at = |micros| from_unix_micros(micros).unwrap();
        assert_eq!(expire_at_millis(at(1_000_001)), 1001);
        assert_eq!(expire_at_millis(at(1_000_000)), 1000);
        assert_eq!(expire_at_millis(at(5)), 1);
    }
}
