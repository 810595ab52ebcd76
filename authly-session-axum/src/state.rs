//! What the layer learns about a request's session before the handler runs, and what the
//! handler changes, shared through the request's extensions.

use std::sync::{Arc, Mutex, MutexGuard};

use authly_session::{Session, SessionError, SessionStore};
use chrono::Utc;
use http::HeaderMap;

use crate::SessionConfig;
use crate::cookies::{self, CookieUpdate};

/// The layer's store and configuration, shared by every request.
pub(crate) struct Shared {
    pub(crate) store: Arc<dyn SessionStore>,
    pub(crate) config: SessionConfig,
}

/// One request's session, as the layer loaded it and the handler left it.
#[derive(Clone)]
pub(crate) struct RequestState {
    pub(crate) shared: Arc<Shared>,
    pub(crate) slot: Arc<Mutex<Slot>>,
    /// The id the request's cookie carried, whether or not it named a live session.
    pub(crate) cookie_id: Option<String>,
    /// The request's `User-Agent`, for the device label at sign-in.
    pub(crate) user_agent: Option<String>,
    /// The client's IP address, when the app opted in to recording it.
    pub(crate) ip: Option<String>,
}

/// The live session and what the response must do with the cookie.
pub(crate) struct Slot {
    pub(crate) current: Option<Session>,
    pub(crate) cookie: CookieUpdate,
}

impl RequestState {
    /// Loads the session the cookie names, ends it past its absolute lifetime, and renews it
    /// when due.
    pub(crate) async fn load(
        shared: Arc<Shared>,
        headers: &HeaderMap,
        ip: Option<String>,
    ) -> Result<RequestState, SessionError> {
        let config = &shared.config;
        let cookie_id = cookies::session_id(headers, config);
        let mut slot = Slot {
            current: None,
            cookie: CookieUpdate::Keep,
        };
        if let Some(id) = &cookie_id
            && let Some(session) = shared.store.load_session(id).await?
        {
            (slot.current, slot.cookie) = Self::keep_alive(&shared, session).await?;
        }
        let user_agent = headers
            .get(http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Ok(RequestState {
            shared,
            slot: Arc::new(Mutex::new(slot)),
            cookie_id,
            user_agent,
            ip,
        })
    }

    /// The session as the request may use it, and the cookie update that goes with it: ended
    /// (deleted, cookie removed) past its absolute lifetime, touched when renewal is due.
    async fn keep_alive(
        shared: &Shared,
        mut session: Session,
    ) -> Result<(Option<Session>, CookieUpdate), SessionError> {
        let config = &shared.config;
        let store = &shared.store;
        let now = Utc::now();
        let absolute_end = config.absolute_end(session.created_at);
        if absolute_end.is_some_and(|end| end <= now) {
            store.delete_session(&session.id).await?;
            return Ok((None, CookieUpdate::Remove));
        }
        let half_left = session.expires_at - now < config.idle_timeout / 2;
        let stale = now - session.last_seen_at >= config.touch_interval;
        if !(half_left || stale) {
            return Ok((Some(session), CookieUpdate::Keep));
        }
        let expires_at = config.renewed_expiry(session.created_at, now);
        if expires_at <= now {
            store.delete_session(&session.id).await?;
            return Ok((None, CookieUpdate::Remove));
        }
        if !store.touch_session(&session.id, expires_at).await? {
            // Signed out or expired between the load and the touch.
            return Ok((None, CookieUpdate::Keep));
        }
        session.expires_at = expires_at;
        session.last_seen_at = now;
        Ok((Some(session), CookieUpdate::Set))
    }

    /// The slot, even if a handler panicked while holding it (every write leaves it whole).
    pub(crate) fn slot(&self) -> MutexGuard<'_, Slot> {
        self.slot
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The session the handler left, if any.
    pub(crate) fn current(&self) -> Option<Session> {
        self.slot().current.clone()
    }

    /// Adds the `Set-Cookie` header the handler's changes call for.
    pub(crate) fn write_cookie(&self, headers: &mut HeaderMap) {
        let slot = self.slot();
        let session = slot
            .current
            .as_ref()
            .map(|session| (session.id.as_str(), session.expires_at));
        cookies::apply(headers, &self.shared.config, slot.cookie, session);
    }
}
