//! What a store writes for a session, worked out once for every backend.

use chrono::{DateTime, Utc};

use crate::record::{encode_identity, identity_key};
use crate::session_id::validate_session_id;
use crate::{Session, SessionError, session_handle};

/// The outcome of [`SavePlan::new`]: the row to upsert, or the stored session to remove because
/// the one being saved has already expired (semantic 5).
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
    /// [`encode_identity`] of the identity: `{"v":1,"identity":{...}}`.
    pub payload: String,
    /// When the session ends.
    pub expires_at: DateTime<Utc>,
}

impl SavePlan {
    /// Validates the id and prepares what `save_session` writes, judged by the clock reading `now`.
    ///
    /// # Errors
    ///
    /// [`SessionError::InvalidSessionId`] for a malformed id (nothing is to be written), and
    /// [`SessionError::Serialization`] if the identity cannot be encoded.
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
        let handle = session_handle(&session.id);
        if session.expires_at <= now {
            return Ok(SavePlan::Remove { handle });
        }
        Ok(SavePlan::Upsert(SessionRow {
            handle,
            identity_key: identity_key(
                &session.identity.provider_id,
                &session.identity.external_id,
            ),
            payload: encode_identity(&session.identity)?,
            expires_at: session.expires_at,
        }))
    }
}
