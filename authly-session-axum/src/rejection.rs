//! Why a request did not get its session, as a response.

use std::fmt;

use authly_session::SessionError;
use axum::response::{IntoResponse, Response};
use http::StatusCode;

/// The body of the 503 sent when the store fails: fixed, so no driver text or id reaches the
/// client.
pub const STORE_UNAVAILABLE_BODY: &str = "session store unavailable";
/// The body of the 403 the CSRF guard sends.
pub const CROSS_SITE_REFUSED_BODY: &str = "cross-site request refused";
/// The body of the 401 [`RequireSession`](crate::RequireSession) sends.
pub const SIGN_IN_REQUIRED_BODY: &str = "sign-in required";

/// Why an extractor or a [`SessionControl`](crate::SessionControl) method failed; as a response,
/// a plain-text status page that reveals nothing else.
///
/// # Examples
///
/// ```
/// use authly_session_axum::SessionRejection;
/// use axum::response::IntoResponse;
/// let response = SessionRejection::SignInRequired.into_response();
/// assert_eq!(response.status(), 401);
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum SessionRejection {
    /// The route is not behind a [`SessionLayer`](crate::SessionLayer): 500, and an error log.
    MissingLayer,
    /// [`RequireSession`](crate::RequireSession) found nobody signed in: 401.
    SignInRequired,
    /// The store failed: 503 with a fixed body; the error (which never holds a session id) is
    /// logged when the response is made.
    StoreUnavailable(SessionError),
}

impl From<SessionError> for SessionRejection {
    fn from(error: SessionError) -> Self {
        SessionRejection::StoreUnavailable(error)
    }
}

impl fmt::Display for SessionRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SessionRejection::MissingLayer => f.write_str("no SessionLayer in front of this route"),
            SessionRejection::SignInRequired => f.write_str(SIGN_IN_REQUIRED_BODY),
            SessionRejection::StoreUnavailable(_) => f.write_str(STORE_UNAVAILABLE_BODY),
        }
    }
}

impl std::error::Error for SessionRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SessionRejection::StoreUnavailable(error) => Some(error),
            _ => None,
        }
    }
}

impl IntoResponse for SessionRejection {
    fn into_response(self) -> Response {
        match self {
            SessionRejection::MissingLayer => {
                tracing::error!("a session extractor ran on a route without a SessionLayer");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
            }
            SessionRejection::SignInRequired => {
                (StatusCode::UNAUTHORIZED, SIGN_IN_REQUIRED_BODY).into_response()
            }
            SessionRejection::StoreUnavailable(error) => store_unavailable(&error),
        }
    }
}

/// The 503 for a failed store call, logged (store errors never hold a session id).
pub(crate) fn store_unavailable(error: &SessionError) -> Response {
    tracing::error!(%error, "session store failed; answering 503");
    (StatusCode::SERVICE_UNAVAILABLE, STORE_UNAVAILABLE_BODY).into_response()
}

/// The 403 of the CSRF guard.
pub(crate) fn cross_site_refused() -> Response {
    (StatusCode::FORBIDDEN, CROSS_SITE_REFUSED_BODY).into_response()
}
