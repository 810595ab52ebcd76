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
