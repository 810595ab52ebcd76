//! The extractors that read the request's session.

use authly_session::Session;
use axum::extract::FromRequestParts;
use http::request::Parts;

use crate::SessionRejection;
use crate::control::SessionControl;
use crate::state::RequestState;

/// The request's live session, or `None` when nobody is signed in. Never fails behind a
/// [`SessionLayer`](crate::SessionLayer) (a missing layer is a 500).
///
/// # Examples
///
/// ```
/// use authly_session_axum::CurrentSession;
/// async fn home(CurrentSession(session): CurrentSession) -> String {
///     match session {
///         Some(session) => format!("hello, {}", session.identity.external_id),
///         None => "please sign in".to_owned(),
///     }
/// }
/// let app: axum::Router = axum::Router::new().route("/", axum::routing::get(home));
/// ```
#[derive(Clone, Debug)]
pub struct CurrentSession(pub Option<Session>);

impl<S: Send + Sync> FromRequestParts<S> for CurrentSession {
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(CurrentSession(request_state(parts)?.current()))
    }
}

/// The request's live session; without one the handler does not run and the client gets
/// 401 `sign-in required` ([`SessionRejection::SignInRequired`]). For a redirect to a sign-in
/// page instead, take [`CurrentSession`] and redirect on `None`.
///
/// # Examples
///
/// ```
/// use authly_session_axum::RequireSession;
/// async fn account(RequireSession(session): RequireSession) -> String {
///     format!("signed in since {}", session.created_at)
/// }
/// let app: axum::Router = axum::Router::new().route("/account", axum::routing::get(account));
/// ```
#[derive(Clone, Debug)]
pub struct RequireSession(pub Session);

impl<S: Send + Sync> FromRequestParts<S> for RequireSession {
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match request_state(parts)?.current() {
            Some(session) => Ok(RequireSession(session)),
            None => Err(SessionRejection::SignInRequired),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for SessionControl {
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(SessionControl::new(request_state(parts)?))
    }
}

fn request_state(parts: &Parts) -> Result<RequestState, SessionRejection> {
    parts
        .extensions
        .get::<RequestState>()
        .cloned()
        .ok_or(SessionRejection::MissingLayer)
}
