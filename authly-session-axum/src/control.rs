//! Signing in and out, listing devices, changing the identity: what handlers do to sessions.

use std::fmt;

use authly_session::{Identity, Session, SessionStore, session_handle};
use chrono::Utc;

use crate::cookies::CookieUpdate;
use crate::device::{Device, device_label};
use crate::state::RequestState;
use crate::{SessionConfig, SessionRejection};

/// The metadata key of the device label recorded at sign-in ("Firefox on Linux").
pub const DEVICE_KEY: &str = "device";
/// The metadata key of the client IP address recorded at sign-in, when the app opted in
/// ([`SessionConfig::record_ip`]).
pub const IP_KEY: &str = "ip";

/// What a handler does to the request's session: sign in, sign out (here, everywhere, or one
/// device), list the user's devices, change the identity. The layer writes the cookie these
/// changes call for when the handler returns.
///
/// Store failures come back as [`SessionRejection::StoreUnavailable`], which answers 503 when
/// returned from a handler (`?` works in a handler returning `Result<_, SessionRejection>`).
///
/// # Examples
///
/// ```
/// use authly_session::Identity;
/// use authly_session_axum::{SessionControl, SessionRejection};
/// use axum::response::Redirect;
///
/// async fn sign_in(control: SessionControl) -> Result<Redirect, SessionRejection> {
///     // ... check the user's credentials first ...
///     control.sign_in(Identity::new("password", "alice")).await?;
///     Ok(Redirect::to("/"))
/// }
/// let app: axum::Router = axum::Router::new().route("/sign-in", axum::routing::post(sign_in));
/// ```
#[derive(Clone)]
pub struct SessionControl {
    state: RequestState,
}

impl fmt::Debug for SessionControl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionControl")
            .field("current", &self.state.current())
            .finish_non_exhaustive()
    }
}

impl SessionControl {
    pub(crate) fn new(state: RequestState) -> Self {
        SessionControl { state }
    }

    fn store(&self) -> &dyn SessionStore {
        self.state.shared.store.as_ref()
    }

    fn config(&self) -> &SessionConfig {
        &self.state.shared.config
    }

    /// The live session, as the handler's changes so far left it.
    ///
    /// # Examples
    ///
    /// ```
    /// use authly_session_axum::SessionControl;
    /// async fn who(control: SessionControl) -> String {
    ///     control.current().map_or("nobody".into(), |s| s.identity.external_id)
    /// }
    /// let app: axum::Router = axum::Router::new().route("/who", axum::routing::get(who));
    /// ```
    pub fn current(&self) -> Option<Session> {
        self.state.current()
    }

    /// Signs `identity` in on this browser: always a new session id (so an id planted before
    /// sign-in is worthless after it), the browser's previous session deleted, the device label
    /// from the `User-Agent` (and the IP address, if [`SessionConfig::record_ip`]) recorded as
    /// metadata, and the identity's least recently seen other sessions ended beyond
    /// [`SessionConfig::max_sessions_per_identity`]. Check the user's credentials first.
    ///
    /// # Examples
    ///
    /// ```
    /// use authly_session::Identity;
    /// use authly_session_axum::{SessionControl, SessionRejection};
    /// async fn sign_in(control: SessionControl) -> Result<String, SessionRejection> {
    ///     let session = control.sign_in(Identity::new("github", "583231")).await?;
    ///     Ok(format!("signed in until {}", session.expires_at))
    /// }
    /// let app: axum::Router = axum::Router::new().route("/sign-in", axum::routing::post(sign_in));
    /// ```
    pub async fn sign_in(&self, identity: Identity) -> Result<Session, SessionRejection> {
        for id in self.previous_ids() {
            self.store().delete_session(&id).await?;
        }
        let config = self.config();
        let now = Utc::now();
        let ttl = config.renewed_expiry(now, now) - now;
        let label = device_label(self.state.user_agent.as_deref());
        let mut session = Session::new(identity, ttl).with_metadata(DEVICE_KEY, label);
        if let Some(ip) = &self.state.ip {
            session = session.with_metadata(IP_KEY, ip.clone());
        }
        self.store().save_session(&session).await?;
        self.set(Some(session.clone()), CookieUpdate::Set);
        if let Some(max) = config.max_sessions_per_identity {
            self.evict_beyond(&session, max.max(1)).await?;
        }
        Ok(session)
    }

    /// The ids this browser held: the current session's and the cookie's (they differ after a
    /// second sign-in in one request, or when the cookie named no live session).
    fn previous_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.current().map(|s| s.id).into_iter().collect();
        if let Some(id) = &self.state.cookie_id
            && !ids.contains(id)
        {
            ids.push(id.clone());
        }
        ids
    }

    /// Ends the least recently seen sessions of `session`'s identity beyond `max`, never
    /// `session` itself.
    async fn evict_beyond(&self, session: &Session, max: usize) -> Result<(), SessionRejection> {
        let identity = &session.identity;
        let mut others = self
            .store()
            .list_identity_sessions(&identity.provider_id, &identity.external_id)
            .await?;
        let own = session_handle(&session.id);
        others.retain(|info| info.handle != own);
        let excess = (others.len() + 1).saturating_sub(max);
        others.sort_by_key(|info| info.last_seen_at);
        for info in others.iter().take(excess) {
            self.store().delete_session_by_handle(&info.handle).await?;
        }
        Ok(())
    }

    /// Signs this browser out: deletes its session and removes the cookie. Harmless when nobody
    /// is signed in.
    ///
    /// # Examples
    ///
    /// ```
    /// use authly_session_axum::{SessionControl, SessionRejection};
    /// async fn sign_out(control: SessionControl) -> Result<&'static str, SessionRejection> {
    ///     control.sign_out().await?;
    ///     Ok("signed out")
    /// }
    /// let app: axum::Router = axum::Router::new().route("/sign-out", axum::routing::post(sign_out));
    /// ```
    pub async fn sign_out(&self) -> Result<(), SessionRejection> {
        for id in self.previous_ids() {
            self.store().delete_session(&id).await?;
        }
        self.set(None, CookieUpdate::Remove);
        Ok(())
    }

    /// Ends every session of the signed-in user, this one included, and removes the cookie;
    /// returns how many sessions ended (0 when nobody is signed in).
    ///
    /// # Examples
    ///
    /// ```
    /// use authly_session_axum::{SessionControl, SessionRejection};
    /// async fn everywhere(control: SessionControl) -> Result<String, SessionRejection> {
    ///     let ended = control.sign_out_everywhere().await?;
    ///     Ok(format!("{ended} sessions ended"))
    /// }
    /// let app: axum::Router =
    ///     axum::Router::new().route("/sign-out-everywhere", axum::routing::post(everywhere));
    /// ```
    pub async fn sign_out_everywhere(&self) -> Result<u64, SessionRejection> {
        let Some(session) = self.current() else {
            return Ok(0);
        };
        let identity = &session.identity;
        let ended = self
            .store()
            .delete_identity_sessions(&identity.provider_id, &identity.external_id)
            .await?;
        self.set(None, CookieUpdate::Remove);
        Ok(ended)
    }

    /// The signed-in user's live sessions ("where you are signed in"), most recently seen
    /// first, this one marked; empty when nobody is signed in.
    ///
    /// # Examples
    ///
    /// ```
    /// use authly_session_axum::{SessionControl, SessionRejection};
    /// async fn devices(control: SessionControl) -> Result<String, SessionRejection> {
    ///     let mut page = String::new();
    ///     for device in control.devices().await? {
    ///         let this = if device.this_device { " (this device)" } else { "" };
    ///         page += &format!("{}{this}, last active {}\n", device.label(), device.info.last_seen_at);
    ///     }
    ///     Ok(page)
    /// }
    /// let app: axum::Router = axum::Router::new().route("/devices", axum::routing::get(devices));
    /// ```
    pub async fn devices(&self) -> Result<Vec<Device>, SessionRejection> {
        let Some(session) = self.current() else {
            return Ok(Vec::new());
        };
        let identity = &session.identity;
        let listed = self
            .store()
            .list_identity_sessions(&identity.provider_id, &identity.external_id)
            .await?;
        let own = session_handle(&session.id);
        let mut devices: Vec<Device> = listed
            .into_iter()
            .map(|info| Device {
                this_device: info.handle == own,
                info,
            })
            .collect();
        devices.sort_by_key(|device| std::cmp::Reverse(device.info.last_seen_at));
        Ok(devices)
    }

    /// Ends one of the signed-in user's sessions by its handle (from [`devices`](Self::devices));
    /// this device's handle signs this browser out. Any other handle (someone else's, unknown,
    /// malformed) does nothing and is no error, so the answer never reveals whether it exists.
    ///
    /// # Examples
    ///
    /// ```
    /// use authly_session_axum::{SessionControl, SessionRejection};
    /// use axum::extract::Path;
    /// async fn sign_out_device(
    ///     control: SessionControl,
    ///     Path(handle): Path<String>,
    /// ) -> Result<&'static str, SessionRejection> {
    ///     control.sign_out_device(&handle).await?;
    ///     Ok("done")
    /// }
    /// let app: axum::Router = axum::Router::new()
    ///     .route("/devices/{handle}/sign-out", axum::routing::post(sign_out_device));
    /// ```
    pub async fn sign_out_device(&self, handle: &str) -> Result<(), SessionRejection> {
        let Some(session) = self.current() else {
            return Ok(());
        };
        if handle == session_handle(&session.id) {
            return self.sign_out().await;
        }
        let identity = &session.identity;
        let theirs = self
            .store()
            .list_identity_sessions(&identity.provider_id, &identity.external_id)
            .await?;
        if theirs.iter().any(|info| info.handle == handle) {
            self.store().delete_session_by_handle(handle).await?;
        }
        Ok(())
    }

    /// Replaces the signed-in session's identity (a new e-mail address or username, other
    /// attributes) through `update_session`, keeping its id. A different key
    /// (`provider_id`, `external_id`) is another user: that signs in anew ([`sign_in`](Self::sign_in),
    /// new id). `Ok(false)`, and the cookie removed, when the session is gone (signed out
    /// elsewhere meanwhile) or nobody is signed in.
    ///
    /// # Examples
    ///
    /// ```
    /// use authly_session_axum::{RequireSession, SessionControl, SessionRejection};
    /// async fn rename(
    ///     RequireSession(session): RequireSession,
    ///     control: SessionControl,
    /// ) -> Result<&'static str, SessionRejection> {
    ///     let mut identity = session.identity;
    ///     identity.username = Some("alice2".to_owned());
    ///     control.update_identity(identity).await?;
    ///     Ok("renamed")
    /// }
    /// let app: axum::Router = axum::Router::new().route("/rename", axum::routing::post(rename));
    /// ```
    pub async fn update_identity(&self, identity: Identity) -> Result<bool, SessionRejection> {
        let Some(mut session) = self.current() else {
            return Ok(false);
        };
        if !session
            .identity
            .matches(&identity.provider_id, &identity.external_id)
        {
            self.sign_in(identity).await?;
            return Ok(true);
        }
        session.identity = identity;
        if self.store().update_session(&session).await? {
            let mut slot = self.state.slot();
            slot.current = Some(session);
            Ok(true)
        } else {
            self.set(None, CookieUpdate::Remove);
            Ok(false)
        }
    }

    fn set(&self, current: Option<Session>, cookie: CookieUpdate) {
        let mut slot = self.state.slot();
        slot.current = current;
        slot.cookie = cookie;
    }
}
