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
    /// A value given to the store is outside what it accepts (for example an expiry past the
    /// latest supported time). Nothing was written.
    InvalidInput {
        /// What was wrong, in a few words.
        message: String,
    },
    /// The database or cache failed: unreachable, refused the statement, ...
    Backend {
        /// What the store was doing, e.g. `"load_session"` or `"connect to /var/db/sessions.db"`.
        context: String,
        /// The driver's own error.
        source: Box<dyn StdError + Send + Sync + 'static>,
    },
    /// The backend did not answer within the store's time limit.
    Timeout {
        /// What the store was doing, e.g. `"load_session"`.
        context: String,
    },
    /// A value could not be encoded for storage.
    Serialization {
        /// What was being encoded.
        context: String,
        /// The encoder's own error.
        source: Box<dyn StdError + Send + Sync + 'static>,
    },
    /// A stored value is not what this crate writes (a corrupted or hand-edited row, a foreign
    /// payload, an out-of-range time). Only that session is affected.
    CorruptData {
        /// Where the value lives, e.g. `table authly_sessions` or a key prefix; never a session id.
        context: String,
        /// What is wrong with it.
        source: Box<dyn StdError + Send + Sync + 'static>,
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

    /// A [`SessionError::InvalidInput`] with the given explanation.
    ///
    /// # Examples
    ///
    /// ```
    /// let err = authly_session::SessionError::invalid_input("expiry after 9999-12-31");
    /// assert_eq!(err.to_string(), "invalid input: expiry after 9999-12-31");
    /// ```
    pub fn invalid_input(message: impl Into<String>) -> Self {
        SessionError::InvalidInput {
            message: message.into(),
        }
    }

    /// A [`SessionError::CorruptData`] for a stored value at `context` (a table or key prefix,
    /// never a session id) that is not what this crate writes.
    ///
    /// # Examples
    ///
    /// ```
    /// let err = authly_session::SessionError::corrupt("table sessions", "expiry out of range");
    /// assert_eq!(err.to_string(), "corrupt session data in table sessions: expiry out of range");
    /// ```
    pub fn corrupt(
        context: impl Into<String>,
        what: impl Into<Box<dyn StdError + Send + Sync + 'static>>,
    ) -> Self {
        SessionError::CorruptData {
            context: context.into(),
            source: what.into(),
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
            SessionError::InvalidInput { message } => write!(f, "invalid input: {message}"),
            SessionError::Timeout { context } => {
                write!(f, "session backend did not answer in time during {context}")
            }
            SessionError::Serialization { context, source } => {
                write!(f, "{context} could not be encoded: {source}")
            }
            SessionError::CorruptData { context, source } => {
                write!(f, "corrupt session data in {context}: {source}")
            }
        }
    }
}

impl StdError for SessionError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            SessionError::Backend { source, .. } => Some(source.as_ref()),
            SessionError::Serialization { source, .. }
            | SessionError::CorruptData { source, .. } => Some(source.as_ref()),
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
