//! A failing store answers 503 with a fixed body: no driver text, no id.

use std::io;
use std::sync::Arc;

use authly_session::{Session, SessionError, SessionInfo, SessionStore};
use authly_session_axum::{DEFAULT_COOKIE_NAME, STORE_UNAVAILABLE_BODY, SessionConfig};
use chrono::{DateTime, Utc};
use http::StatusCode;

use crate::common::{app, post_same_origin, request, send};

const DRIVER_TEXT: &str = "FATAL: password authentication failed for user root at 10.0.0.5";

/// Every call fails like a driver would.
struct BrokenStore;

fn broken<T>(context: &str) -> Result<T, SessionError> {
    Err(SessionError::backend(
        context,
        io::Error::other(DRIVER_TEXT),
    ))
}

#[async_trait::async_trait]
impl SessionStore for BrokenStore {
    async fn load_session(&self, _: &str) -> Result<Option<Session>, SessionError> {
        broken("load_session")
    }
    async fn save_session(&self, _: &Session) -> Result<(), SessionError> {
        broken("save_session")
    }
    async fn update_session(&self, _: &Session) -> Result<bool, SessionError> {
        broken("update_session")
    }
    async fn delete_session(&self, _: &str) -> Result<(), SessionError> {
        broken("delete_session")
    }
    async fn touch_session(&self, _: &str, _: DateTime<Utc>) -> Result<bool, SessionError> {
        broken("touch_session")
    }
    async fn delete_expired(&self) -> Result<u64, SessionError> {
        broken("delete_expired")
    }
    async fn list_identity_sessions(
        &self,
        _: &str,
        _: &str,
    ) -> Result<Vec<SessionInfo>, SessionError> {
        broken("list_identity_sessions")
    }
    async fn delete_session_by_handle(&self, _: &str) -> Result<(), SessionError> {
        broken("delete_session_by_handle")
    }
    async fn delete_identity_sessions(&self, _: &str, _: &str) -> Result<u64, SessionError> {
        broken("delete_identity_sessions")
    }
}

#[tokio::test]
async fn store_errors_answer_503_without_driver_text_or_id() {
    let store: Arc<dyn SessionStore> = Arc::new(BrokenStore);
    let app = app(store, SessionConfig::default());
    let id = "Zm9vYmFyYmF6cXV4cXV1eGZvb2JhcmJhenF1eHF1dXg";
    let cookie = format!("{DEFAULT_COOKIE_NAME}={id}");
    // The layer's own load, and a handler's sign-in without a cookie.
    for req in [
        request("GET", "/", Some(&cookie), &[]),
        post_same_origin("/sign-in/alice", None),
    ] {
        let reply = send(&app, req).await;
        assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(reply.body, STORE_UNAVAILABLE_BODY);
        assert!(!reply.body.contains("password") && !reply.body.contains(id));
        assert!(
            reply.set_cookies.is_empty(),
            "fail closed: no cookie change"
        );
    }
    // Without a cookie nothing is loaded, so a read-only page still works.
    let reply = send(&app, request("GET", "/", None, &[])).await;
    assert_eq!(reply.body, "anonymous");
}
