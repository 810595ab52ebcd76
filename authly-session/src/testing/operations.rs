//! Every operation of the trait as a named future: what the fault and bounded-time checks run
//! against a server that stopped, or stopped answering.

use std::future::Future;
use std::pin::Pin;

use chrono::Utc;

use crate::{Session, SessionError, SessionStore};

/// One operation, its result reduced to success or the error.
pub(crate) type Op<'a> = Pin<Box<dyn Future<Output = Result<(), SessionError>> + Send + 'a>>;

/// Each of the nine operations of [`SessionStore`] on `session` (its id, handle and identity),
/// with its name, in the trait's order.
pub(crate) fn every_operation<'a, S: SessionStore>(
    store: &'a S,
    session: &'a Session,
    handle: &'a str,
) -> [(&'static str, Op<'a>); 9] {
    let id = session.id.as_str();
    let later = Utc::now() + chrono::Duration::hours(2);
    let (p, e) = (
        session.identity.provider_id.as_str(),
        session.identity.external_id.as_str(),
    );
    [
        (
            "load_session",
            Box::pin(async move { store.load_session(id).await.map(drop) }),
        ),
        ("save_session", store.save_session(session)),
        (
            "update_session",
            Box::pin(async move { store.update_session(session).await.map(drop) }),
        ),
        (
            "touch_session",
            Box::pin(async move { store.touch_session(id, later).await.map(drop) }),
        ),
        ("delete_session", store.delete_session(id)),
        (
            "delete_expired",
            Box::pin(async move { store.delete_expired().await.map(drop) }),
        ),
        (
            "list_identity_sessions",
            Box::pin(async move { store.list_identity_sessions(p, e).await.map(drop) }),
        ),
        (
            "delete_session_by_handle",
            store.delete_session_by_handle(handle),
        ),
        (
            "delete_identity_sessions",
            Box::pin(async move { store.delete_identity_sessions(p, e).await.map(drop) }),
        ),
    ]
}
