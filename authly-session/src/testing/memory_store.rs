//! A reference store in process memory: the contract at its simplest, for application tests and
//! for checking the suite itself.

use std::collections::HashMap;
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
/// let store = MemoryStore::default();
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
    fn map(&self) -> MutexGuard<'_, Sessions> {
        // A panic while holding the lock cannot leave the map half-updated: recover it.
        self.sessions
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[async_trait::async_trait]
impl SessionStore for MemoryStore {
    async fn load_session(&self, id: &str) -> Result<Option<Session>, SessionError> {
        if !is_valid_session_id(id) {
            return Ok(None);
        }
        let now = Utc::now();
        Ok(self
            .map()
            .get(&session_handle(id))
            .filter(|(_, expires_at)| *expires_at > now)
            .map(|(identity, expires_at)| Session {
                id: id.to_owned(),
                identity: identity.clone(),
                expires_at: *expires_at,
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
        if !is_valid_session_id(id) {
            return Ok(false);
        }
        let now = Utc::now();
        let handle = session_handle(id);
        let mut map = self.map();
        match map.get_mut(&handle) {
            Some((_, current)) if *current > now => {
                if expires_at <= now {
                    map.remove(&handle);
                } else {
                    *current = expires_at;
                }
                Ok(true)
            }
            _ => Ok(false),
        }
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
