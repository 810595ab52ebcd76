//! The stored form of a session: versioned JSON of its identity and metadata, and the
//! identity's lookup key.
//!
//! Version 2 (written now): `{"v":2,"identity":{...},"metadata":{...}}`. Version 1 (written by
//! the first release): `{"v":1,"identity":{...}}`, read with empty metadata.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::handle::hex;
use crate::{Identity, SessionError};

/// The version tag written into every stored payload, so a later release can read old rows.
const PAYLOAD_VERSION: u32 = 2;

/// The largest payload (identity and metadata as JSON) a store accepts: 1 MiB. Larger is an
/// invalid-input error on save and update, never a truncated row.
pub const MAX_PAYLOAD_BYTES: usize = 1 << 20;

/// What a stored payload holds: the session's identity and its device metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payload {
    /// Who the session belongs to.
    pub identity: Identity,
    /// Facts about the session's device.
    pub metadata: BTreeMap<String, String>,
}

#[derive(Serialize)]
struct EnvelopeRef<'a> {
    v: u32,
    identity: &'a Identity,
    metadata: &'a BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct Envelope {
    v: u32,
    identity: Identity,
    #[serde(default)]
    metadata: Option<BTreeMap<String, String>>,
}

/// The payload a store writes for a session: identity and metadata as JSON inside a version tag.
///
/// # Errors
///
/// [`SessionError::InvalidInput`] when the JSON would pass [`MAX_PAYLOAD_BYTES`].
///
/// # Examples
///
/// ```
/// use std::collections::BTreeMap;
/// use authly_session::{Identity, store_kit::encode_payload};
/// let json = encode_payload(&Identity::new("github", "7"), &BTreeMap::new())?;
/// assert!(json.starts_with(r#"{"v":2,"identity":{"provider_id":"github""#));
/// assert!(json.ends_with(r#""metadata":{}}"#));
/// # Ok::<(), authly_session::SessionError>(())
/// ```
pub fn encode_payload(
    identity: &Identity,
    metadata: &BTreeMap<String, String>,
) -> Result<String, SessionError> {
    let json = serde_json::to_string(&EnvelopeRef {
        v: PAYLOAD_VERSION,
        identity,
        metadata,
    })
    .map_err(|source| SessionError::Serialization {
        context: "session payload".to_owned(),
        source: Box::new(source),
    })?;
    if json.len() > MAX_PAYLOAD_BYTES {
        return Err(SessionError::invalid_input(format!(
            "the session's identity and metadata take {} bytes as JSON, more than the {MAX_PAYLOAD_BYTES} a store accepts",
            json.len()
        )));
    }
    Ok(json)
}

/// Reads a payload written by [`encode_payload`], or by the first release (version 1, read with
/// empty metadata). `context` names where it came from (a table or key prefix) so a corrupted
/// row is easy to find; it must not be a session id.
///
/// # Errors
///
/// [`SessionError::CorruptData`] naming `context` for anything else.
///
/// # Examples
///
/// ```
/// use std::collections::BTreeMap;
/// use authly_session::{Identity, SessionError};
/// use authly_session::store_kit::{decode_payload, encode_payload};
/// let identity = Identity::new("github", "7");
/// let metadata = BTreeMap::from([("label".to_owned(), "laptop".to_owned())]);
/// let json = encode_payload(&identity, &metadata)?;
/// let payload = decode_payload(&json, "table authly_sessions")?;
/// assert_eq!((payload.identity, payload.metadata), (identity.clone(), metadata));
/// let v1 = r#"{"v":1,"identity":{"provider_id":"github","external_id":"7","email":null,"username":null,"attributes":{}}}"#;
/// assert_eq!(decode_payload(v1, "t")?.identity, identity);
/// let err = decode_payload("not json", "table authly_sessions").unwrap_err();
/// assert!(err.to_string().contains("authly_sessions"));
/// # Ok::<(), SessionError>(())
/// ```
pub fn decode_payload(payload: &str, context: &str) -> Result<Payload, SessionError> {
    let envelope: Envelope =
        serde_json::from_str(payload).map_err(|source| SessionError::corrupt(context, source))?;
    match (envelope.v, envelope.metadata) {
        (1, None) => Ok(Payload {
            identity: envelope.identity,
            metadata: BTreeMap::new(),
        }),
        (PAYLOAD_VERSION, Some(metadata)) => Ok(Payload {
            identity: envelope.identity,
            metadata,
        }),
        (v, _) => Err(SessionError::corrupt(
            context,
            format!("unsupported payload version {v} (this release reads 1 and {PAYLOAD_VERSION})"),
        )),
    }
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

    const V1: &str = r#"{"v":1,"identity":{"provider_id":"a","external_id":"b","email":null,"username":null,"attributes":{}}}"#;

    #[test]
    fn rejects_unknown_versions_and_mismatched_shapes() {
        for bad in [
            V1.replace(r#""v":1"#, r#""v":3"#),
            V1.replace(r#""v":1,"#, r#""v":2,"#),
            V1.replace(r#""v":1,"#, r#""v":1,"metadata":{},"#),
            "null".to_owned(),
            "{}".to_owned(),
        ] {
            let err = decode_payload(&bad, "t").unwrap_err();
            assert!(
                matches!(err, SessionError::CorruptData { .. }),
                "{bad}: {err:?}"
            );
        }
    }

    #[test]
    fn round_trips_nul_and_unicode_in_identity_and_metadata() {
        let mut identity = Identity::new("p\0", "ext \u{202e} 😀 \"'\\");
        identity.attributes.insert("k\0".into(), "v".repeat(70_000));
        let metadata = BTreeMap::from([("label\0".to_owned(), "\u{5d0}\u{5d1} 😀".repeat(10_000))]);
        let json = encode_payload(&identity, &metadata).unwrap();
        assert!(
            !json.contains('\0'),
            "JSON escapes NUL so TEXT columns can hold it"
        );
        let payload = decode_payload(&json, "t").unwrap();
        assert_eq!((payload.identity, payload.metadata), (identity, metadata));
    }

    #[test]
    fn a_payload_past_the_limit_is_invalid_input() {
        let metadata = BTreeMap::from([("big".to_owned(), "x".repeat(MAX_PAYLOAD_BYTES))]);
        let err = encode_payload(&Identity::new("a", "b"), &metadata).unwrap_err();
        assert!(matches!(err, SessionError::InvalidInput { .. }), "{err:?}");
    }
}
