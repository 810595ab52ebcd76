//! A reference store in process memory: the contract at its simplest, for application tests and
//! for checking the suite itself.

use std::collections::HashMap;
use std::collections::hash_map::{Entry, OccupiedEntry};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};

use crate::store_kit::{SavePlan, is_valid_session_id};
use crate::{Identity, Session, SessionError, SessionInfo, SessionStore, session_handle};

/// A [`SessionStore`] in a `HashMap`, keyed by handle like every real store. Nothing survives the
/// process; use it in application tests, not in production.
///
/// # Examples
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use authly_session::{Identity, Session, SessionStore, testing::MemoryStore};
/// let store = MemoryStore::new();
/// let session = Session::new(Identity::new("github", "1"), chrono::Duration::hours(1));
/// store.save_session(&session).await?;
/// assert!(store.load_session(&session.id).await?.is_some());
/// # Ok::<(), authly_session::SessionError>(()) }).unwrap();
/// ```
#[derive(Clone, Default)]
pub struct MemoryStore {
    sessions: Arc<Mutex<Sessions>>,
}

/// Identity and expiry by session handle.
type Sessions = HashMap<String, (Identity, DateTime<Utc>)>;

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn map(&self) -> MutexGuard<'_, Sessions> {
        // A panic while holding the lock cannot leave the map half-updated: recover it.
        self.sessions
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The entry of the session `id` names if it is live at `now`. An invalid id names none: no
/// save stores one.
fn live<'m>(
    map: &'m mut Sessions,
    id: &str,
    now: DateTime<Utc>,
) -> Option<OccupiedEntry<'m, String, (Identity, DateTime<Utc>)>> {
    if !is_valid_session_id(id) {
        return None;
    }
    match map.entry(session_handle(id)) {
        Entry::Occupied(entry) if entry.get().1 > now => Some(entry),
        _ => None,
    }
}

#[async_trait::async_trait]
impl SessionStore for MemoryStore {
    async fn load_session(&self, id: &str) -> Result<Option<Session>, SessionError> {
        let mut map = self.map();
        Ok(live(&mut map, id, Utc::now()).map(|entry| {
            let (identity, expires_at) = entry.get();
            Session {
                id: id.to_owned(),
                identity: identity.clone(),
                expires_at: *expires_at,
            }
        }))
    }

    async fn save_session(&self, session: &Session) -> Result<(), SessionError> {
        match SavePlan::new(session, Utc::now())? {
            SavePlan::Remove { handle } => {
                self.map().remove(&handle);
            }
            SavePlan::Upsert(row) => {
                self.map()
                    .insert(row.handle, (session.identity.clone(), row.expires_at));
            }
        }
        Ok(())
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
        // The clock is read under the lock: the decision and the write see one time.
        let mut map = self.map();
        let now = Utc::now();
        let Some(mut entry) = live(&mut map, id, now) else {
            return Ok(false);
        };
        if expires_at <= now {
            entry.remove();
        } else {
            entry.get_mut().1 = expires_at;
        }
        Ok(true)
    }

    async fn delete_expired(&self) -> Result<u64, SessionError> {
        let now = Utc::now();
        let mut map = self.map();
        let before = map.len();
        map.retain(|_, (_, expires_at)| *expires_at > now);
        Ok((before - map.len()) as u64)
    }

    async fn list_identity_sessions(
        &self,
        provider_id: &str,
        external_id: &str,
    ) -> Result<Vec<SessionInfo>, SessionError> {
        let now = Utc::now();
        Ok(self
            .map()
            .iter()
            .filter(|(_, (identity, expires_at))| {
                *expires_at > now
                    && identity.provider_id == provider_id
                    && identity.external_id == external_id
            })
            .map(|(handle, (identity, expires_at))| SessionInfo {
                handle: handle.clone(),
                identity: identity.clone(),
                expires_at: *expires_at,
            })
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
        map.retain(|_, (identity, _)| {
            !(identity.provider_id == provider_id && identity.external_id == external_id)
        });
        Ok((before - map.len()) as u64)
    }
}
