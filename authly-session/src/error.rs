//! What can go wrong, as typed kinds that keep their source.

use std::error::Error as StdError;
use std::fmt;

/// Why a store operation failed.
///
/// Match on the variant to decide what to do (a bad cookie is the client's fault, a backend
/// failure is worth a retry or a 503); the original driver or serde error stays reachable through
/// [`std::error::Error::source`]. No variant ever holds a session id.
#[derive(Debug)]
#[non_exhaustive]
pub enum SessionError {
    /// The session id is not 1 to 128 bytes of visible ASCII. The id itself is not kept.
    InvalidSessionId {
        /// What is wrong with the id, in a few words.
        reason: &'static str,
    },
    /// The store was configured with something it cannot use (a bad table name, URL, path, ...).
    InvalidConfiguration {
        /// What was wrong, naming the setting.
        message: String,
    },
    /// The database or cache failed: unreachable, timed out, refused the statement, ...
    Backend {
        /// What the store was doing, e.g. `"load_session"` or `"connect to /var/db/sessions.db"`.
        context: String,
        /// The driver's own error.
        source: Box<dyn StdError + Send + Sync + 'static>,
    },
    /// A stored value could not be encoded or decoded (for example a corrupted row).
    Serialization {
        /// Where the value lives, e.g. the table or key prefix.
        context: String,
        /// The serde error.
        source: serde_json::Error,
    },
}

impl SessionError {
    /// A [`SessionError::Backend`] for a failed driver call.
    ///
    /// # Examples
    ///
    /// ```
    /// use authly_session::SessionError;
    /// let io = std::io::Error::other("connection refused");
    /// let err = SessionError::backend("load_session", io);
    /// assert_eq!(err.to_string(), "session backend failed during load_session: connection refused");
    /// ```
    pub fn backend(
        context: impl Into<String>,
        source: impl StdError + Send + Sync + 'static,
    ) -> Self {
        SessionError::Backend {
            context: context.into(),
            source: Box::new(source),
        }
    }

    /// A [`SessionError::InvalidConfiguration`] with the given explanation.
    ///
    /// # Examples
    ///
    /// ```
    /// let err = authly_session::SessionError::configuration("table name is empty");
    /// assert_eq!(err.to_string(), "invalid session store configuration: table name is empty");
    /// ```
    pub fn configuration(message: impl Into<String>) -> Self {
        SessionError::InvalidConfiguration {
            message: message.into(),
        }
    }
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SessionError::InvalidSessionId { reason } => write!(f, "invalid session id: {reason}"),
            SessionError::InvalidConfiguration { message } => {
                write!(f, "invalid session store configuration: {message}")
            }
            SessionError::Backend { context, source } => {
                write!(f, "session backend failed during {context}: {source}")
            }
            SessionError::Serialization { context, source } => {
                write!(
                    f,
                    "session data in {context} could not be (de)serialised: {source}"
                )
            }
        }
    }
}

impl StdError for SessionError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            SessionError::Backend { source, .. } => Some(source.as_ref()),
            SessionError::Serialization { source, .. } => Some(source),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_driver_error_as_source() {
        let err = SessionError::backend("save_session", std::io::Error::other("boom"));
        let source = err.source().expect("backend errors keep their source");
        assert_eq!(source.to_string(), "boom");
    }

    #[test]
    fn is_send_sync_static() {
        fn assert_bounds<T: StdError + Send + Sync + 'static>() {}
        assert_bounds::<SessionError>();
    }
}
