//! Listing despite bad rows: one stored session the store did not write must never stop a user
//! from seeing or revoking the rest.

use crate::SessionError;

/// `decoded`, or `None` when it is a [`SessionError::CorruptData`]: then a warning names where
/// the row lives (`location`, a table or key prefix) and the first 8 characters of its handle,
/// never more. Any other error stays an error.
///
/// # Errors
///
/// Whatever `decoded` held, unless it was corrupt data.
///
/// # Examples
///
/// ```
/// use authly_session::SessionError;
/// use authly_session::store_kit::skip_corrupt;
/// let handle = authly_session::session_handle("id");
/// assert_eq!(skip_corrupt(Ok(1), "table t", &handle)?, Some(1));
/// let bad: Result<i32, _> = Err(SessionError::corrupt("table t", "not JSON"));
/// assert_eq!(skip_corrupt(bad, "table t", &handle)?, None);
/// # Ok::<(), SessionError>(())
/// ```
pub fn skip_corrupt<T>(
    decoded: Result<T, SessionError>,
    location: &str,
    handle: &str,
) -> Result<Option<T>, SessionError> {
    match decoded {
        Ok(value) => Ok(Some(value)),
        Err(error @ SessionError::CorruptData { .. }) => {
            let handle = handle.get(..8).unwrap_or(handle);
            tracing::warn!(%location, handle, %error, "listing skips a stored session it cannot read");
            Ok(None)
        }
        Err(error) => Err(error),
    }
}

/// The session `id` names, as a store read it back (`info`, whose handle is `id`'s): what
/// `load_session` returns.
///
/// # Examples
///
/// ```
/// use authly_session::store_kit::session_from;
/// use authly_session::{Identity, Session, SessionInfo, session_handle};
///
/// let saved = Session::new(Identity::new("github", "1"), chrono::Duration::hours(1));
/// let info = SessionInfo {
///     handle: session_handle(&saved.id),
///     identity: saved.identity.clone(),
///     created_at: saved.created_at,
///     last_seen_at: saved.last_seen_at,
///     expires_at: saved.expires_at,
///     metadata: saved.metadata.clone(),
/// };
/// assert_eq!(session_from(&saved.id, info).identity, saved.identity);
/// ```
pub fn session_from(id: &str, info: crate::SessionInfo) -> crate::Session {
    crate::Session {
        id: id.to_owned(),
        identity: info.identity,
        created_at: info.created_at,
        last_seen_at: info.last_seen_at,
        expires_at: info.expires_at,
        metadata: info.metadata,
    }
}
