//! Reading a stored session hash back: its payload, exact times, and the fallbacks for a hash
//! written by schema version 1.

use std::collections::BTreeMap;

use authly_session::store_kit::{decode_payload, from_unix_micros, is_stored_range};
use authly_session::{Identity, SessionError, SessionInfo};
use chrono::{DateTime, Utc};

/// A stored session as read: `created_at` and `last_seen_at` are `None` in a hash written by
/// schema version 1, which had neither.
#[derive(Debug)]
pub(crate) struct Stored {
    pub(crate) identity: Identity,
    pub(crate) metadata: BTreeMap<String, String>,
    pub(crate) expires_at: DateTime<Utc>,
    pub(crate) created_at: Option<DateTime<Utc>>,
    pub(crate) last_seen_at: Option<DateTime<Utc>>,
}

impl Stored {
    /// Whether reading it needs the version-1 fallback time.
    pub(crate) fn is_version_one(&self) -> bool {
        self.created_at.is_none() || self.last_seen_at.is_none()
    }

    /// The session as listed, with `fallback` (the time of the upgrade) for missing times.
    pub(crate) fn into_info(self, handle: String, fallback: DateTime<Utc>) -> SessionInfo {
        SessionInfo {
            handle,
            identity: self.identity,
            created_at: self.created_at.unwrap_or(fallback),
            last_seen_at: self.last_seen_at.unwrap_or(fallback),
            expires_at: self.expires_at,
            metadata: self.metadata,
        }
    }
}

/// A session hash's `d`, `e`, `c` and `l` fields.
///
/// # Errors
///
/// [`SessionError::CorruptData`] naming `context` (the prefix, never a session id) when a field
/// is not what this crate writes.
pub(crate) fn decode(
    context: &str,
    payload: &[u8],
    expires_at: &[u8],
    created_at: Option<&[u8]>,
    last_seen_at: Option<&[u8]>,
) -> Result<Stored, SessionError> {
    let text = std::str::from_utf8(payload)
        .map_err(|_| SessionError::corrupt(context, "session payload is not UTF-8"))?;
    let payload = decode_payload(text, context)?;
    let time = |field: Option<&[u8]>, what: &str| {
        field
            .map(|value| decode_time(context, value, what))
            .transpose()
    };
    Ok(Stored {
        identity: payload.identity,
        metadata: payload.metadata,
        expires_at: decode_time(context, expires_at, "expires_at")?,
        created_at: time(created_at, "created_at")?,
        last_seen_at: time(last_seen_at, "last_seen_at")?,
    })
}

/// A time field: unix microseconds as decimal text.
pub(crate) fn decode_time(
    context: &str,
    value: &[u8],
    what: &str,
) -> Result<DateTime<Utc>, SessionError> {
    std::str::from_utf8(value)
        .ok()
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

/// When Redis drops the key of a session expiring at `expires_at_micros` (`PEXPIREAT`, unix
/// milliseconds by the server's clock): the expiry rounded up, so the key never goes before the
/// session's exact expiry.
pub(crate) fn expire_at_millis(expires_at_micros: i64) -> i64 {
    expires_at_micros.saturating_add(999).div_euclid(1000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use authly_session::store_kit::{encode_payload, to_unix_micros, truncate_to_micros};

    #[test]
    fn round_trips_what_the_store_writes() {
        let identity = Identity::new("github", "1");
        let metadata = BTreeMap::from([("label".to_owned(), "laptop".to_owned())]);
        let at = truncate_to_micros(Utc::now());
        let payload = encode_payload(&identity, &metadata).unwrap();
        let micros = to_unix_micros(at).to_string();
        let m = Some(micros.as_bytes());
        let stored = decode("ctx", payload.as_bytes(), micros.as_bytes(), m, m).unwrap();
        assert!(!stored.is_version_one());
        let info = stored.into_info("h".into(), DateTime::UNIX_EPOCH);
        assert_eq!((info.identity, info.metadata), (identity, metadata));
        assert_eq!(
            (info.expires_at, info.created_at, info.last_seen_at),
            (at, at, at)
        );
    }

    #[test]
    fn a_version_one_hash_takes_the_fallback_times() {
        let v1 = br#"{"v":1,"identity":{"provider_id":"a","external_id":"b","email":null,"username":null,"attributes":{}}}"#;
        let stored = decode("ctx", v1, b"1", None, None).unwrap();
        assert!(stored.is_version_one());
        let upgrade = Utc::now();
        let info = stored.into_info("h".into(), upgrade);
        assert_eq!((info.created_at, info.last_seen_at), (upgrade, upgrade));
        assert!(info.metadata.is_empty());
    }

    #[test]
    fn corrupted_fields_are_corrupt_data_errors_naming_the_context() {
        let v1 = &br#"{"v":1,"identity":{"provider_id":"a","external_id":"b","email":null,"username":null,"attributes":{}}}"#[..];
        for (payload, expiry, created) in [
            (&b"not json {"[..], &b"1"[..], None),
            (&[0xff, 0xfe][..], &b"1"[..], None),
            (v1, &b"soon"[..], None),
            (v1, &b"1"[..], Some(&b"99999999999999999999"[..])),
        ] {
            let error = decode(
                "Redis keys under prefix \"p\"",
                payload,
                expiry,
                created,
                None,
            )
            .unwrap_err();
            assert!(
                matches!(error, SessionError::CorruptData { .. }),
                "{error:?}"
            );
            assert!(error.to_string().contains("prefix \"p\""), "{error}");
        }
    }

    #[test]
    fn key_expiry_rounds_up_to_the_millisecond() {
        assert_eq!(expire_at_millis(1_000_001), 1001);
        assert_eq!(expire_at_millis(1_000_000), 1000);
        assert_eq!(expire_at_millis(5), 1);
        assert_eq!(expire_at_millis(i64::MAX), i64::MAX / 1000);
    }
}
