//! A reference store in process memory: the contract at its simplest, for application tests and
//! for checking the suite itself.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};

use crate::store_kit::{
    Clock, SavePlan, SessionRow, check_expiry, is_valid_session_id, session_from,
};
use crate::{Session, SessionError, SessionInfo, SessionStore, session_handle};

/// A [`SessionStore`] in a `HashMap`, keyed by handle like every real store. Nothing survives the
/// process; use it in application tests, not in production.
///
/// # Examples
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use authly_session::{Identity, Session, SessionStore, testing::MemoryStore};
/// let store = MemoryStore::default();
/// let session = Session::new(Identity::new("github", "1"), chrono::Duration::hours(1));
/// store.save_session(&session).await?;
/// assert!(store.load_session(&session.id).await?.is_some());
/// # Ok::<(), authly_session::SessionError>(()) }).unwrap();
/// ```
#[derive(Clone, Default)]
pub struct MemoryStore {
    sessions: Arc<Mutex<Sessions>>,
    clock: Clock,
}

/// Every stored session, as it would be listed, by handle.
type Sessions = HashMap<String, SessionInfo>;

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// This store read through `clock`: the same sessions, judged by another clock (an app
    /// instance whose host clock is off, for semantic 25).
    ///
    /// # Examples
    ///
    /// ```
    /// use authly_session::{store_kit::Clock, testing::MemoryStore};
    /// let store = MemoryStore::new();
    /// let ahead = store.clone().with_clock(Clock::shifted(chrono::Duration::hours(3)));
    /// # drop((store, ahead));
    /// ```
    pub fn with_clock(self, clock: Clock) -> Self {
        MemoryStore { clock, ..self }
    }

    fn map(&self) -> MutexGuard<'_, Sessions> {
        // A panic while holding the lock cannot leave the map half-updated: recover it.
        self.sessions
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The live session stored under `id`'s handle, as `map` holds it.
    fn live<'m>(
        map: &'m mut Sessions,
        id: &str,
        now: DateTime<Utc>,
    ) -> Option<&'m mut SessionInfo> {
        if !is_valid_session_id(id) {
            return None;
        }
        map.get_mut(&session_handle(id))
            .filter(|info| info.expires_at > now)
    }
}

/// The stored form of a session written with `row`.
fn stored(session: &Session, row: SessionRow) -> SessionInfo {
    SessionInfo {
        handle: row.handle,
        identity: session.identity.clone(),
        created_at: row.created_at,
        last_seen_at: row.last_seen_at,
        expires_at: row.expires_at,
        metadata: session.metadata.clone(),
    }
}

#[async_trait::async_trait]
impl SessionStore for MemoryStore {
    async fn load_session(&self, id: &str) -> Result<Option<Session>, SessionError> {
        Ok(Self::live(&mut self.map(), id, self.clock.now())
            .map(|info| session_from(id, info.clone())))
    }

    async fn save_session(&self, session: &Session) -> Result<(), SessionError> {
        match SavePlan::new(session, self.clock.now())? {
            SavePlan::Remove { handle } => {
                self.map().remove(&handle);
            }
            SavePlan::Upsert(row) => {
                self.map().insert(row.handle.clone(), stored(session, row));
            }
        }
        Ok(())
    }

    async fn update_session(&self, session: &Session) -> Result<bool, SessionError> {
        let now = self.clock.now();
        let plan = SavePlan::new(session, now)?;
        let mut map = self.map();
        let Some(current) = Self::live(&mut map, &session.id, now) else {
            return Ok(false);
        };
        match plan {
            SavePlan::Remove { handle } => {
                map.remove(&handle);
            }
            SavePlan::Upsert(row) => {
                let created_at = current.created_at;
                *current = SessionInfo {
                    created_at,
                    ..stored(session, row)
                };
            }
        }
        Ok(true)
    }

    async fn delete_session(&self, id: &str) -> Result<(), SessionError> {
        self.map().remove(&session_handle(id));
        Ok(())
    }

    async fn touch_session(
        &self,
        id: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<bool, SessionError> {
        check_expiry(expires_at)?;
        // The clock is read under the lock: the decision and the write see one time.
        let mut map = self.map();
        let now = self.clock.now();
        let Some(current) = Self::live(&mut map, id, now) else {
            return Ok(false);
        };
        if expires_at <= now {
            map.remove(&session_handle(id));
        } else {
            current.expires_at = expires_at;
            current.last_seen_at = now;
        }
        Ok(true)
    }

    async fn delete_expired(&self) -> Result<u64, SessionError> {
        let now = self.clock.now();
        let mut map = self.map();
        let before = map.len();
        map.retain(|_, info| info.expires_at > now);
        Ok((before - map.len()) as u64)
    }

    async fn list_identity_sessions(
        &self,
        provider_id: &str,
        external_id: &str,
    ) -> Result<Vec<SessionInfo>, SessionError> {
        let now = self.clock.now();
        Ok(self
            .map()
            .values()
            .filter(|info| info.expires_at > now && info.identity.matches(provider_id, external_id))
            .cloned()
            .collect())
    }

    async fn delete_session_by_handle(&self, handle: &str) -> Result<(), SessionError> {
        self.map().remove(handle);
        Ok(())
    }

    async fn delete_identity_sessions(
        &self,
        provider_id: &str,
        external_id: &str,
    ) -> Result<u64, SessionError> {
        let mut map = self.map();
        let before = map.len();
        map.retain(|_, info| !info.identity.matches(provider_id, external_id));
        Ok((before - map.len()) as u64)
    }
}
