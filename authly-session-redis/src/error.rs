//! Driver failures as `SessionError`s that name the operation and keep the driver's error.

use authly_session::SessionError;

/// Attaches the operation's name to a failed Redis call.
pub(crate) trait During<T> {
    /// `SessionError::Backend { context: operation, source }` on failure, or
    /// `SessionError::Timeout { context: operation }` when the command got no reply in time.
    fn during(self, operation: &'static str) -> Result<T, SessionError>;
}

impl<T> During<T> for redis::RedisResult<T> {
    fn during(self, operation: &'static str) -> Result<T, SessionError> {
        self.map_err(|error| {
            if error.is_timeout() {
                tracing::debug!(operation, %error, "Redis did not answer in time");
                SessionError::Timeout {
                    context: operation.to_owned(),
                }
            } else {
                SessionError::backend(operation, error)
            }
        })
    }
}

/// A failure of the store's own making, kept as the source of a [`SessionError::Backend`].
#[derive(Debug)]
pub(crate) struct Conflict(pub(crate) &'static str);

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Conflict {}

/// Whether Redis refused a command for the key's type (`WRONGTYPE`): a session key that holds a
/// hash of schema version 1 or 2, which a string command cannot read.
pub(crate) fn is_wrong_type(error: &redis::RedisError) -> bool {
    error.code() == Some("WRONGTYPE")
}
