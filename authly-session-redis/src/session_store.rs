//! `SessionStore` for `RedisStore`: each operation under the store's timeout (semantic 27), with
//! validation and the application's clock; the README's table says what each one costs.

use authly_session::store_kit::{
    SavePlan, check_expiry, identity_key, is_valid_handle, session_from, skip_corrupt,
    stored_handle, to_unix_micros,
};
use authly_session::{Session, SessionError, SessionInfo, SessionStore};
use chrono::{DateTime, Utc};

use crate::RedisStore;
use crate::error::During;
use crate::stored;

#[async_trait::async_trait]
impl SessionStore for RedisStore {
    async fn load_session(&self, id: &str) -> Result<Option<Session>, SessionError> {
        self.timeout.within("load_session", self.load(id)).await
    }

    async fn save_session(&self, session: &Session) -> Result<(), SessionError> {
        self.timeout
            .within("save_session", self.save(session))
            .await
    }

    async fn update_session(&self, session: &Session) -> Result<bool, SessionError> {
        self.timeout
            .within("update_session", self.update(session))
            .await
    }

    async fn delete_session(&self, id: &str) -> Result<(), SessionError> {
        let Some(handle) = stored_handle(id) else {
            return Ok(());
        };
        let delete = self.remove_handle("delete_session", &handle);
        self.timeout.within("delete_session", delete).await
    }

    async fn touch_session(
        &self,
        id: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<bool, SessionError> {
        check_expiry(expires_at)?;
        let Some(handle) = stored_handle(id) else {
            return Ok(false);
        };
        let now = to_unix_micros(self.clock.now());
        let touch = self.touch_handle(&handle, to_unix_micros(expires_at), now);
        self.timeout.within("touch_session", touch).await
    }

    /// Redis drops expired session keys by itself, so this removes no session and returns 0;
    /// it prunes the identity indexes of entries long past (see `sweep.rs`).
    async fn delete_expired(&self) -> Result<u64, SessionError> {
        self.timeout.within("delete_expired", self.sweep()).await?;
        Ok(0)
    }

    async fn list_identity_sessions(
        &self,
        provider_id: &str,
        external_id: &str,
    ) -> Result<Vec<SessionInfo>, SessionError> {
        let list = self.list(provider_id, external_id);
        self.timeout.within("list_identity_sessions", list).await
    }

    async fn delete_session_by_handle(&self, handle: &str) -> Result<(), SessionError> {
        if !is_valid_handle(handle) {
            return Ok(());
        }
        let delete = self.remove_handle("delete_session_by_handle", handle);
        self.timeout
            .within("delete_session_by_handle", delete)
            .await
    }

    async fn delete_identity_sessions(
        &self,
        provider_id: &str,
        external_id: &str,
    ) -> Result<u64, SessionError> {
        let key = identity_key(provider_id, external_id);
        let sign_out = self.walk_sign_out(&key);
        self.timeout
            .within("delete_identity_sessions", sign_out)
            .await
    }
}

impl RedisStore {
    async fn load(&self, id: &str) -> Result<Option<Session>, SessionError> {
        let Some(handle) = stored_handle(id) else {
            return Ok(None);
        };
        let Some((handle, value)) = self.read(handle).await? else {
            return Ok(None);
        };
        let info = stored::decode(self.keys.context(), handle, &value)?;
        // The key's expiry is a backstop; the application's clock decides.
        if info.expires_at <= self.clock.now() {
            return Ok(None);
        }
        Ok(Some(session_from(id, info)))
    }

    async fn save(&self, session: &Session) -> Result<(), SessionError> {
        match SavePlan::new(session, self.clock.now())? {
            SavePlan::Remove { handle } => self.remove_handle("save_session", &handle).await,
            SavePlan::Upsert(row) => self.save_row(&row).await,
        }
    }

    async fn update(&self, session: &Session) -> Result<bool, SessionError> {
        let now = self.clock.now();
        match SavePlan::new(session, now)? {
            SavePlan::Remove { handle } => {
                let now = to_unix_micros(now);
                self.touch_handle(&handle, now, now).await
            }
            SavePlan::Upsert(row) => self.update_row(&row, to_unix_micros(now)).await,
        }
    }

    async fn list(
        &self,
        provider_id: &str,
        external_id: &str,
    ) -> Result<Vec<SessionInfo>, SessionError> {
        let stored = self
            .walk_list(&identity_key(provider_id, external_id))
            .await?;
        let now = self.clock.now();
        let mut sessions = Vec::with_capacity(stored.len());
        for (handle, value) in stored {
            let decoded = stored::decode(self.keys.context(), handle.clone(), &value);
            let Some(info) = skip_corrupt(decoded, self.keys.context(), &handle)? else {
                continue;
            };
            // The identity key is a hash: keep only exact matches, whatever it collides with.
            if info.expires_at > now && info.identity.matches(provider_id, external_id) {
                sessions.push(info);
            }
        }
        Ok(sessions)
    }

    /// Deletes the session stored under `handle`, whatever its expiry. Its index entry stays
    /// until a listing or sign-out of that identity drops it, or its score is long past.
    async fn remove_handle(
        &self,
        operation: &'static str,
        handle: &str,
    ) -> Result<(), SessionError> {
        redis::cmd("DEL")
            .arg(self.keys.session(handle))
            .query_async::<()>(&mut self.connection.clone())
            .await
            .during(operation)
    }
}
