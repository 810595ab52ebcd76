//! Reading a stored session hash back: its identity payload and exact expiry.

use authly_session::store_kit::{decode_identity, from_unix_micros};
use authly_session::{Identity, SessionError, SessionInfo};
use chrono::{DateTime, Utc};

/// The identity and expiry of a stored session, from its `d` and `e` fields.
///
/// # Errors
///
/// [`SessionError::CorruptData`] naming `context` (the prefix, never a session id) when either
/// field is not what this crate writes.
pub(crate) fn decode(
    context: &str,
    payload: &[u8],
    expires_at: &[u8],
) -> Result<(Identity, DateTime<Utc>), SessionError> {
    Ok((
        decode_payload(context, payload)?,
        decode_expiry(context, expires_at)?,
    ))
}

/// A listed session: `handle` with the identity and expiry of its `d` and `e` fields.
///
/// # Errors
///
/// As [`decode`].
pub(crate) fn info(
    context: &str,
    handle: String,
    payload: &[u8],
    expires_at: &[u8],
) -> Result<SessionInfo, SessionError> {
    let (identity, expires_at) = decode(context, payload, expires_at)?;
    Ok(SessionInfo {
        handle,
        identity,
        expires_at,
    })
}

/// The `d` field: the identity as versioned JSON.
pub(crate) fn decode_payload(context: &str, payload: &[u8]) -> Result<Identity, SessionError> {
    let payload = std::str::from_utf8(payload)
        .map_err(|_| SessionError::corrupt(context, "identity payload is not UTF-8"))?;
    decode_identity(payload, context)
}

/// The `e` field: unix microseconds as decimal text.
pub(crate) fn decode_expiry(
    context: &str,
    expires_at: &[u8],
) -> Result<DateTime<Utc>, SessionError> {
    std::str::from_utf8(expires_at)
        .ok()
        .and_then(|text| text.parse::<i64>().ok())
        .and_then(from_unix_micros)
        .ok_or_else(|| SessionError::corrupt(context, "expiry is not a time in unix microseconds"))
}

/// Milliseconds from `now` to `expires_at`, rounded up so that Redis never drops a key before
/// the session's exact expiry; at least 1 (Redis deletes a key given a TTL of 0).
pub(crate) fn ttl_millis(expires_at_micros: i64, now_micros: i64) -> i64 {
    let micros = expires_at_micros.saturating_sub(now_micros);
    micros.saturating_add(999).div_euclid(1000).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use authly_session::Identity;
    use authly_session::store_kit::{encode_identity, to_unix_micros, truncate_to_micros};

    #[test]
    fn round_trips_what_the_store_writes() {
        let identity = Identity::new("github", "1");
        let at = truncate_to_micros(Utc::now());
        let payload = encode_identity(&identity).unwrap();
        let micros = to_unix_micros(at).to_string();
        let (decoded, expires_at) = decode("ctx", payload.as_bytes(), micros.as_bytes()).unwrap();
        assert_eq!(decoded, identity);
        assert_eq!(expires_at, at);
    }

    #[test]
    fn corrupted_fields_are_serialization_errors_naming_the_context() {
        for (payload, expiry) in [
            (&b"not json {"[..], &b"1"[..]),
            (&[0xff, 0xfe][..], &b"1"[..]),
            (&br#"{"v":1,"identity":{"provider_id":"a","external_id":"b","email":null,"username":null,"attributes":{}}}"#[..], &b"soon"[..]),
        ] {
            let error = decode("Redis keys under prefix \"p\"", payload, expiry).unwrap_err();
            assert!(matches!(error, SessionError::CorruptData { .. }), "{error:?}");
            assert!(error.to_string().contains("prefix \"p\""), "{error}");
        }
    }

    #[test]
    fn ttls_round_up_and_stay_positive() {
        assert_eq!(ttl_millis(1_000_001, 0), 1001);
        assert_eq!(ttl_millis(1_000_000, 0), 1000);
        assert_eq!(ttl_millis(5, 0), 1);
        assert_eq!(ttl_millis(0, 10), 1);
    }
}
