//! The contract every session store implements.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::{Session, SessionError, SessionInfo};

/// Where sessions live. Every method takes the application's clock (`Utc::now()` at the call) as
/// the one judge of expiry.
///
/// Implementations must pass [`testing::run_conformance`](crate::testing) (feature `testing`),
/// the executable form of this contract. In short:
///
/// - ids are 1 to 128 bytes of visible ASCII, compared byte for byte; reads treat any other
///   string as unknown without asking the backend, writes refuse it;
/// - a session whose `expires_at <= now` is never returned, listed or touched;
/// - a store keeps [`session_handle`](crate::session_handle)`(id)`, never the id itself, and no
///   error, `Debug` output or log line holds a full id.
///
/// The trait is object safe: `Arc<dyn SessionStore>` works.
#[async_trait::async_trait]
pub trait SessionStore: Send + Sync + 'static {
    /// The live session with this id; `Ok(None)` for an unknown, expired or malformed id.
    async fn load_session(&self, id: &str) -> Result<Option<Session>, SessionError>;

    /// Inserts or replaces the session under its id (sign-in). An already-expired session is not
    /// stored (and removes any stored one); a malformed id or an out-of-range time is an error
    /// and writes nothing.
    async fn save_session(&self, session: &Session) -> Result<(), SessionError>;

    /// Replaces identity, metadata, `last_seen_at` and expiry of a session that is still stored
    /// and live, atomically; `created_at` stays as stored. `Ok(false)`, and nothing written, when
    /// it is gone (signed out, expired): unlike a save, an update racing a sign-out can never
    /// bring the revoked session back. An expiry `<= now` ends a live session (`Ok(true)`).
    async fn update_session(&self, session: &Session) -> Result<bool, SessionError>;

    /// Removes the session with this id. Unknown and malformed ids are `Ok`.
    async fn delete_session(&self, id: &str) -> Result<(), SessionError>;

    /// Moves a live session's expiry without rewriting its identity or metadata (sliding
    /// expiry), and sets its `last_seen_at` to now. `Ok(false)` when no live session has that
    /// id; a time `<= now` ends the session (`Ok(true)`).
    async fn touch_session(
        &self,
        id: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<bool, SessionError>;

    /// Removes every expired session; returns how many it removed.
    async fn delete_expired(&self) -> Result<u64, SessionError>;

    /// The live sessions of one identity, in any order ("where you are signed in").
    /// Both fields match exactly: no prefix or pattern semantics.
    async fn list_identity_sessions(
        &self,
        provider_id: &str,
        external_id: &str,
    ) -> Result<Vec<SessionInfo>, SessionError>;

    /// Removes the session with that handle ("sign out that device"). Unknown or malformed
    /// handles are `Ok`.
    async fn delete_session_by_handle(&self, handle: &str) -> Result<(), SessionError>;

    /// Removes every session of one identity ("sign out everywhere"); returns how many.
    async fn delete_identity_sessions(
        &self,
        provider_id: &str,
        external_id: &str,
    ) -> Result<u64, SessionError>;
}

#[async_trait::async_trait]
impl<S: SessionStore + ?Sized> SessionStore for Arc<S> {
    async fn load_session(&self, id: &str) -> Result<Option<Session>, SessionError> {
        (**self).load_session(id).await
    }
    async fn save_session(&self, session: &Session) -> Result<(), SessionError> {
        (**self).save_session(session).await
    }
    async fn update_session(&self, session: &Session) -> Result<bool, SessionError> {
        (**self).update_session(session).await
    }
    async fn delete_session(&self, id: &str) -> Result<(), SessionError> {
        (**self).delete_session(id).await
    }
    async fn touch_session(
        &self,
        id: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<bool, SessionError> {
        (**self).touch_session(id, expires_at).await
    }
    async fn delete_expired(&self) -> Result<u64, SessionError> {
        (**self).delete_expired().await
    }
    async fn list_identity_sessions(
        &self,
        provider_id: &str,
        external_id: &str,
    ) -> Result<Vec<SessionInfo>, SessionError> {
        (**self)
            .list_identity_sessions(provider_id, external_id)
            .await
    }
    async fn delete_session_by_handle(&self, handle: &str) -> Result<(), SessionError> {
        (**self).delete_session_by_handle(handle).await
    }
    async fn delete_identity_sessions(
        &self,
        provider_id: &str,
        external_id: &str,
    ) -> Result<u64, SessionError> {
        (**self)
            .delete_identity_sessions(provider_id, external_id)
            .await
    }
}
