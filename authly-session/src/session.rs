//! The session itself.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Identity;
use crate::session_id::redact_session_id;

/// A signed-in session: a bearer id, who it belongs to, and when it ends.
///
/// The id is a secret (whoever holds it is signed in), so `Debug` shows only its first 4
/// characters.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The bearer secret the browser holds in its cookie.
    pub id: String,
    /// Who is signed in.
    pub identity: Identity,
    /// When the session stops being loadable.
    pub expires_at: DateTime<Utc>,
}

impl Session {
    /// A session with a fresh id: 32 bytes from the OS CSPRNG, base64url without padding (43
    /// characters), expiring `ttl` from now.
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
    /// ```
    pub fn new(identity: Identity, ttl: chrono::Duration) -> Session {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the operating system's random source failed");
        Session {
            id: URL_SAFE_NO_PAD.encode(bytes),
            identity,
            expires_at: Utc::now() + ttl,
        }
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
            .field("expires_at", &self.expires_at)
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
    fn expiry_is_inclusive_of_now() {
        let mut session = Session::new(Identity::new("github", "1"), chrono::Duration::hours(1));
        assert!(!session.is_expired());
        session.expires_at = Utc::now();
        assert!(session.is_expired());
    }
}
