//! The session itself.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::Identity;
use crate::session_id::redact_session_id;
use crate::time::clamped_add;

/// A signed-in session: a bearer id, who it belongs to, when it began, was last used and ends,
/// and facts about the device it lives on.
///
/// The id is a secret (whoever holds it is signed in), so `Debug` shows only its first 4
/// characters, and a `Session` is deliberately not `Serialize`: a serialised session would carry
/// the id into logs and API responses. List sessions as [`SessionInfo`](crate::SessionInfo).
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    /// The bearer secret the browser holds in its cookie.
    pub id: String,
    /// Who is signed in.
    pub identity: Identity,
    /// When the user signed in; kept by saves and touches.
    pub created_at: DateTime<Utc>,
    /// When the session was last used: stored as given by a save or update, set to the time of
    /// the call by a touch.
    pub last_seen_at: DateTime<Utc>,
    /// When the session stops being loadable.
    pub expires_at: DateTime<Utc>,
    /// Facts about this session's device, set by the application at sign-in (for example
    /// `"user_agent"`, `"ip"`, `"label"`) and shown in listings. Not the user's identity: that is
    /// [`Session::identity`].
    pub metadata: BTreeMap<String, String>,
}

impl Session {
    /// A session with a fresh id: 32 bytes from the OS CSPRNG, base64url without padding (43
    /// characters), created and last seen now, expiring `ttl` from now, with no metadata.
    ///
    /// A `ttl` reaching past 9999-12-31T23:59:59.999999Z (the latest expiry a store keeps) is
    /// clamped to it, never a panic.
    ///
    /// # Panics
    ///
    /// When the operating system has no random source to offer (no supported OS lacks one).
    ///
    /// # Examples
    ///
    /// ```
    /// use authly_session::{Identity, Session};
    /// let a = Session::new(Identity::new("password", "alice"), chrono::Duration::minutes(30));
    /// let b = Session::new(Identity::new("password", "alice"), chrono::Duration::minutes(30));
    /// assert_eq!(a.id.len(), 43);
    /// assert_ne!(a.id, b.id);
    /// assert_eq!(a.created_at, a.last_seen_at);
    /// assert!(a.metadata.is_empty());
    /// ```
    pub fn new(identity: Identity, ttl: chrono::Duration) -> Session {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the operating system's random source failed");
        let now = Utc::now();
        Session {
            id: URL_SAFE_NO_PAD.encode(bytes),
            identity,
            created_at: now,
            last_seen_at: now,
            expires_at: clamped_add(now, ttl),
            metadata: BTreeMap::new(),
        }
    }

    /// This session with one more metadata entry (replacing any under that key).
    ///
    /// # Examples
    ///
    /// ```
    /// use authly_session::{Identity, Session};
    /// let session = Session::new(Identity::new("password", "alice"), chrono::Duration::hours(1))
    ///     .with_metadata("label", "Firefox on Linux");
    /// assert_eq!(session.metadata["label"], "Firefox on Linux");
    /// ```
    #[must_use]
    pub fn with_metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// Whether the session has ended: `expires_at <= now`.
    ///
    /// # Examples
    ///
    /// ```
    /// use authly_session::{Identity, Session};
    /// let ended = Session::new(Identity::new("github", "1"), chrono::Duration::seconds(-1));
    /// assert!(ended.is_expired());
    /// ```
    pub fn is_expired(&self) -> bool {
        self.expires_at <= Utc::now()
    }
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("id", &redact_session_id(&self.id))
            .field("identity", &self.identity)
            .field("created_at", &self.created_at)
            .field("last_seen_at", &self.last_seen_at)
            .field("expires_at", &self.expires_at)
            .field("metadata", &self.metadata)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_at_most_four_characters_of_the_id() {
        let session = Session::new(Identity::new("github", "1"), chrono::Duration::hours(1));
        let debug = format!("{session:?}");
        assert!(!debug.contains(&session.id));
        assert!(debug.contains(&session.id[..4]));
        assert!(!debug.contains(&session.id[..5]));
    }

    #[test]
    fn new_ids_are_43_base64url_characters() {
        let session = Session::new(Identity::new("github", "1"), chrono::Duration::hours(1));
        assert_eq!(session.id.len(), 43);
        assert!(
            session
                .id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert!(crate::session_id::is_valid_session_id(&session.id));
    }

    #[test]
    fn a_huge_ttl_is_clamped_to_the_latest_supported_expiry() {
        let identity = Identity::new("github", "1");
        let session = Session::new(identity.clone(), chrono::Duration::MAX);
        assert_eq!(session.expires_at, crate::time::max_expiry());
        let ended = Session::new(identity, chrono::Duration::MIN);
        assert!(ended.is_expired());
    }

    #[test]
    fn expiry_is_inclusive_of_now() {
        let mut session = Session::new(Identity::new("github", "1"), chrono::Duration::hours(1));
        assert!(!session.is_expired());
        session.expires_at = Utc::now();
        assert!(session.is_expired());
    }
}
