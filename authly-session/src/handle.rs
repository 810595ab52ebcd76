//! Session handles: the non-secret name a store keeps a session under.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::Identity;

/// The non-secret name a store keeps a session under: lowercase hex SHA-256 of the id (64
/// characters).
///
/// Safe to show ("where you are signed in"); revoke one with
/// [`SessionStore::delete_session_by_handle`](crate::SessionStore::delete_session_by_handle).
///
/// # Examples
///
/// ```
/// let handle = authly_session::session_handle("abc");
/// assert_eq!(handle, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
/// ```
pub fn session_handle(id: &str) -> String {
    sha256_hex(id.as_bytes())
}

/// Lowercase hex SHA-256 of `data`: how stores derive every name they keep.
///
/// # Examples
///
/// ```
/// use authly_session::store_kit::sha256_hex;
/// assert_eq!(sha256_hex(b"abc"), authly_session::session_handle("abc"));
/// ```
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// Whether `handle` has the shape [`session_handle`] produces: 64 lowercase hex digits.
///
/// Stores treat any other string as an unknown handle, without asking their backend.
///
/// # Examples
///
/// ```
/// use authly_session::session_handle;
/// use authly_session::store_kit::is_valid_handle;
/// assert!(is_valid_handle(&session_handle("abc")));
/// assert!(!is_valid_handle("BA7816BF"));
/// ```
pub fn is_valid_handle(handle: &str) -> bool {
    handle.len() == 64
        && handle
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The handle a session with this id is stored under; `None` for an id that fails validation,
/// which no store holds, so a store answers without asking its backend (semantic 3).
///
/// # Examples
///
/// ```
/// use authly_session::store_kit::stored_handle;
/// assert_eq!(stored_handle("abc"), Some(authly_session::session_handle("abc")));
/// assert_eq!(stored_handle("not valid"), None);
/// ```
pub fn stored_handle(id: &str) -> Option<String> {
    crate::session_id::is_valid_session_id(id).then(|| session_handle(id))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    out
}

/// A session as listed for its owner ("where you are signed in"): no secret in it, only the
/// handle, so it is safe to serialise into a page or an API response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// [`session_handle`] of the session id.
    pub handle: String,
    /// Who the session belongs to.
    pub identity: Identity,
    /// When the user signed in on this device.
    pub created_at: DateTime<Utc>,
    /// When the session was last used.
    pub last_seen_at: DateTime<Utc>,
    /// When the session ends.
    pub expires_at: DateTime<Utc>,
    /// Facts about the device, as the application recorded them (e.g. a label).
    pub metadata: BTreeMap<String, String>,
}
