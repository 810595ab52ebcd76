//! The one session-id validator every store shares, and redaction for display.

use crate::SessionError;

/// The longest session id a store accepts, in bytes.
pub const MAX_SESSION_ID_LEN: usize = 128;

/// Whether `id` can be a session id: 1 to 128 bytes of visible ASCII (0x21 to 0x7E).
///
/// Stores call this before touching their backend, so untrusted cookie input never reaches it.
///
/// # Examples
///
/// ```
/// use authly_session::store_kit::is_valid_session_id;
/// assert!(is_valid_session_id("abcDEF-_123"));
/// assert!(!is_valid_session_id(""));
/// assert!(!is_valid_session_id("has space"));
/// assert!(!is_valid_session_id(&"x".repeat(129)));
/// ```
pub fn is_valid_session_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_SESSION_ID_LEN
        && id.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

/// [`is_valid_session_id`] as a `Result`, for write paths that must refuse a bad id.
///
/// The error never contains the id.
///
/// # Examples
///
/// ```
/// use authly_session::SessionError;
/// use authly_session::store_kit::validate_session_id;
/// assert!(validate_session_id("ok").is_ok());
/// assert!(matches!(validate_session_id("not ok"), Err(SessionError::InvalidSessionId { .. })));
/// ```
pub fn validate_session_id(id: &str) -> Result<(), SessionError> {
    if id.is_empty() {
        Err(SessionError::InvalidSessionId { reason: "empty" })
    } else if id.len() > MAX_SESSION_ID_LEN {
        Err(SessionError::InvalidSessionId {
            reason: "longer than 128 bytes",
        })
    } else if !is_valid_session_id(id) {
        Err(SessionError::InvalidSessionId {
            reason: "contains a byte outside visible ASCII (0x21 to 0x7E)",
        })
    } else {
        Ok(())
    }
}

/// A session id shortened for logs and `Debug` output: at most its first 4 characters, then `…`.
pub(crate) fn redact_session_id(id: &str) -> String {
    let prefix: String = id.chars().take(4).collect();
    format!("{prefix}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_exactly_visible_ascii_of_1_to_128_bytes() {
        assert!(is_valid_session_id("!"));
        assert!(is_valid_session_id("~"));
        assert!(is_valid_session_id(&"a".repeat(128)));
        assert!(!is_valid_session_id(&"a".repeat(129)));
        assert!(!is_valid_session_id(""));
        for bad in ["a b", "a\u{0}", "a\t", "é", "a\u{7f}", "a\n"] {
            assert!(!is_valid_session_id(bad), "{bad:?} must be rejected");
            assert!(validate_session_id(bad).is_err());
        }
    }

    #[test]
    fn errors_and_redaction_never_hold_the_id() {
        let id = "secret-session-id with space";
        let err = validate_session_id(id).unwrap_err();
        assert!(!err.to_string().contains(id));
        assert!(!format!("{err:?}").contains(id));
        assert_eq!(redact_session_id(id), "secr…");
    }
}
