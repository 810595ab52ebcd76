//! What a store writes for a session, worked out once for every backend.

use chrono::{DateTime, Utc};

use crate::record::{encode_payload, identity_key};
use crate::session_id::validate_session_id;
use crate::time::{check_expiry, check_moment};
use crate::{Session, SessionError, session_handle};

/// The outcome of [`SavePlan::new`]: the row to write (save's upsert, update's conditional
/// write), or the stored session to remove because the one being written has already expired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SavePlan {
    /// Insert or replace this row.
    Upsert(SessionRow),
    /// The session expired before it was saved: remove whatever is stored under this handle.
    Remove {
        /// [`session_handle`] of the session id.
        handle: String,
    },
}

/// One stored session, as every backend keeps it: under its handle, never its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    /// [`session_handle`] of the session id: the primary key.
    pub handle: String,
    /// [`identity_key`] of the identity: the lookup key for listing and signing out everywhere.
    pub identity_key: String,
    /// [`encode_payload`] of identity and metadata: `{"v":2,"identity":{...},"metadata":{...}}`.
    pub payload: String,
    /// When the user signed in.
    pub created_at: DateTime<Utc>,
    /// When the session was last used.
    pub last_seen_at: DateTime<Utc>,
    /// When the session ends.
    pub expires_at: DateTime<Utc>,
}

impl SavePlan {
    /// Validates the session and prepares what `save_session` or `update_session` writes,
    /// judged by the clock reading `now`.
    ///
    /// # Errors
    ///
    /// Nothing is to be written after any of these: [`SessionError::InvalidSessionId`] for a
    /// malformed id; [`SessionError::InvalidInput`] for an expiry after 9999-12-31, a
    /// `created_at` or `last_seen_at` outside 1970 to 9999, or a payload past
    /// [`MAX_PAYLOAD_BYTES`](crate::store_kit::MAX_PAYLOAD_BYTES).
    ///
    /// # Examples
    ///
    /// ```
    /// use authly_session::{Identity, Session};
    /// use authly_session::store_kit::SavePlan;
    /// let now = chrono::Utc::now();
    /// let live = Session::new(Identity::new("github", "1"), chrono::Duration::hours(1));
    /// assert!(matches!(SavePlan::new(&live, now)?, SavePlan::Upsert(_)));
    /// let ended = Session { expires_at: now, ..live };
    /// assert!(matches!(SavePlan::new(&ended, now)?, SavePlan::Remove { .. }));
    /// # Ok::<(), authly_session::SessionError>(())
    /// ```
    pub fn new(session: &Session, now: DateTime<Utc>) -> Result<SavePlan, SessionError> {
        validate_session_id(&session.id)?;
        check_expiry(session.expires_at)?;
        let handle = session_handle(&session.id);
        if session.expires_at <= now {
            return Ok(SavePlan::Remove { handle });
        }
        check_moment(session.created_at, "created_at")?;
        check_moment(session.last_seen_at, "last_seen_at")?;
        Ok(SavePlan::Upsert(SessionRow {
            handle,
            identity_key: identity_key(
                &session.identity.provider_id,
                &session.identity.external_id,
            ),
            payload: encode_payload(&session.identity, &session.metadata)?,
            created_at: session.created_at,
            last_seen_at: session.last_seen_at,
            expires_at: session.expires_at,
        }))
    }
}
