//! The stored form of a session: versioned identity JSON, and the identity's lookup key.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::handle::hex;
use crate::{Identity, SessionError};

/// The version tag written into every stored payload (`{"v":1,"identity":{...}}`), so a later
/// release can read old rows and write new ones.
const RECORD_VERSION: u32 = 1;

#[derive(Serialize)]
struct EnvelopeRef<'a> {
    v: u32,
    identity: &'a Identity,
}

#[derive(Deserialize)]
struct Envelope {
    v: u32,
    identity: Identity,
}

/// The payload a store writes for a session: the identity as JSON inside a version tag.
///
/// # Examples
///
/// ```
/// use authly_session::{Identity, store_kit::encode_identity};
/// let json = encode_identity(&Identity::new("github", "7"))?;
/// assert!(json.starts_with(r#"{"v":1,"identity":{"provider_id":"github""#));
/// # Ok::<(), authly_session::SessionError>(())
/// ```
pub fn encode_identity(identity: &Identity) -> Result<String, SessionError> {
    serde_json::to_string(&EnvelopeRef {
        v: RECORD_VERSION,
        identity,
    })
    .map_err(|source| SessionError::Serialization {
        context: "identity payload".to_owned(),
        source: Box::new(source),
    })
}

/// Reads a payload written by [`encode_identity`]. `context` names where it came from (a table
/// or key prefix) so a corrupted row is easy to find; it must not be a session id.
///
/// # Examples
///
/// ```
/// use authly_session::{Identity, SessionError};
/// use authly_session::store_kit::{decode_identity, encode_identity};
/// let identity = Identity::new("github", "7");
/// let json = encode_identity(&identity)?;
/// assert_eq!(decode_identity(&json, "table authly_sessions")?, identity);
/// let err = decode_identity("not json", "table authly_sessions").unwrap_err();
/// assert!(err.to_string().contains("authly_sessions"));
/// # Ok::<(), SessionError>(())
/// ```
pub fn decode_identity(payload: &str, context: &str) -> Result<Identity, SessionError> {
    let envelope: Envelope =
        serde_json::from_str(payload).map_err(|source| SessionError::corrupt(context, source))?;
    if envelope.v != RECORD_VERSION {
        return Err(SessionError::corrupt(
            context,
            format!(
                "unsupported payload version {} (this release reads {RECORD_VERSION})",
                envelope.v
            ),
        ));
    }
    Ok(envelope.identity)
}

/// The key stores index an identity under: lowercase hex SHA-256 of both fields, length-prefixed
/// so that no two different pairs share a key. It holds no NUL and no pattern characters, so any
/// strings (NUL included) can be looked up exactly in any database.
///
/// # Examples
///
/// ```
/// use authly_session::store_kit::identity_key;
/// assert_eq!(identity_key("github", "1").len(), 64);
/// assert_ne!(identity_key("ab", "c"), identity_key("a", "bc"));
/// ```
pub fn identity_key(provider_id: &str, external_id: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update((provider_id.len() as u64).to_be_bytes());
    hasher.update(provider_id.as_bytes());
    hasher.update(external_id.as_bytes());
    hex(&hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_unknown_versions() {
        let err = decode_identity(
            r#"{"v":2,"identity":{"provider_id":"a","external_id":"b","email":null,"username":null,"attributes":{}}}"#,
            "t",
        )
        .unwrap_err();
        assert!(matches!(err, SessionError::CorruptData { .. }));
    }

    #[test]
    fn round_trips_nul_and_unicode() {
        let mut identity = Identity::new("p\0", "ext \u{202e} 😀 \"'\\");
        identity.attributes.insert("k\0".into(), "v".repeat(70_000));
        let json = encode_identity(&identity).unwrap();
        assert!(
            !json.contains('\0'),
            "JSON escapes NUL so TEXT columns can hold it"
        );
        assert_eq!(decode_identity(&json, "t").unwrap(), identity);
    }
}
