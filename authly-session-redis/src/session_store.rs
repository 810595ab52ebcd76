//! `SessionStore` for `RedisStore`: validation, the application's clock, and dispatch to the
//! single-node or cluster form of each operation.

use authly_session::store_kit::{
    SavePlan, identity_key, is_valid_handle, is_valid_session_id, to_unix_micros,
};
use authly_session::{Session, SessionError, SessionInfo, SessionStore, session_handle};
use chrono::{DateTime, Utc};

use crate::connection::Connection;
use crate::error::During;
use crate::stored;
use crate::{RedisStore, cluster, single};

/// The handle a session with this id is stored under; `None` for an invalid id, which no store
/// holds, so Redis is not asked about it.
fn valid_handle(id: &str) -> Option<String> {
    is_valid_session_id(id).then(|| session_handle(id))
}

/// The application's clock, as the stores keep time: unix microseconds.
fn now_micros() -> i64 {
    to_unix_micros(Utc::now())
}

impl RedisStore {
    /// Deletes the session stored under `handle`, whatever its expiry.
    async fn remove_handle(
        &self,
        operation: &'static str,
        handle: &str,
    ) -> Result<(), SessionError> {
        match &self.connection {
            Connection::Single(c) => single::remove(c, &self.keys, operation, handle).await,
            Connection::Cluster(c) => cluster::remove(c, &self.keys, operation, handle).await,
        }
    }
}

#[async_trait::async_trait]
impl SessionStore for RedisStore {
    async fn load_session(&self, id: &str) -> Result<Option<Session>, SessionError> {
        let Some(handle) = valid_handle(id) else {
            return Ok(None);
        };
        let (payload, expiry): (Option<Vec<u8>>, Option<Vec<u8>>) = redis::cmd("HMGET")
            .arg(self.keys.session(&handle))
            .arg("d")
            .arg("e")
            .query_async(&mut self.connection.clone())
            .await
            .during("load_session")?;
        let (Some(payload), Some(expiry)) = (payload, expiry) else {
            return Ok(None);
        };
        // The key's TTL is a backstop; the application's clock decides.
        let expires_at = stored::decode_expiry(self.keys.context(), &expiry)?;
        if expires_at <= Utc::now() {
            return Ok(None);
        }
        Ok(Some(Session {
            id: id.to_owned(),
            identity: stored::decode_payload(self.keys.context(), &payload)?,
            expires_at,
        }))
    }

    async fn save_session(&self, session: &Session) -> Result<(), SessionError> {
        let now = Utc::now();
        match SavePlan::new(session, now)? {
            SavePlan::Remove { handle } => self.remove_handle("save_session", &handle).await,
            SavePlan::Upsert(row) => {
                let now = to_unix_micros(now);
                match &self.connection {
                    Connection::Single(c) => single::save(c, &self.keys, &row, now).await,
                    Connection::Cluster(c) => cluster::save(c, &self.keys, &row, now).await,
                }
            }
        }
    }

    async fn delete_session(&self, id: &str) -> Result<(), SessionError> {
        let Some(handle) = valid_handle(id) else {
            return Ok(());
        };
        self.remove_handle("delete_session", &handle).await
    }

    async fn touch_session(
        &self,
        id: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<bool, SessionError> {
        let Some(handle) = valid_handle(id) else {
            return Ok(false);
        };
        let (expires_at, now) = (to_unix_micros(expires_at), now_micros());
        match &self.connection {
            Connection::Single(c) => single::touch(c, &self.keys, &handle, expires_at, now).await,
            Connection::Cluster(c) => cluster::touch(c, &self.keys, &handle, expires_at, now).await,
        }
    }

    /// Redis drops expired session keys by their TTL, so this removes no session and returns 0;
    /// it prunes the expired entries of every identity index that has some (found through the
    /// registry, never by scanning the keyspace).
    async fn delete_expired(&self) -> Result<u64, SessionError> {
        let now = now_micros();
        match &self.connection {
            Connection::Single(c) => single::sweep(c, &self.keys, now).await?,
            Connection::Cluster(c) => cluster::sweep(c, &self.keys, now).await?,
        }
        Ok(0)
    }

    async fn list_identity_sessions(
        &self,
        provider_id: &str,
        external_id: &str,
    ) -> Result<Vec<SessionInfo>, SessionError> {
        let key = identity_key(provider_id, external_id);
        let now = now_micros();
        let mut sessions = match &self.connection {
            Connection::Single(c) => single::list(c, &self.keys, &key, now).await?,
            Connection::Cluster(c) => cluster::list(c, &self.keys, &key, now).await?,
        };
        // The identity key is a hash: keep only exact matches, whatever it collides with.
        sessions.retain(|info| {
            info.identity.provider_id == provider_id && info.identity.external_id == external_id
        });
        Ok(sessions)
    }

    async fn delete_session_by_handle(&self, handle: &str) -> Result<(), SessionError> {
        if !is_valid_handle(handle) {
            return Ok(());
        }
        self.remove_handle("delete_session_by_handle", handle).await
    }

    async fn delete_identity_sessions(
        &self,
        provider_id: &str,
        external_id: &str,
    ) -> Result<u64, SessionError> {
        let key = identity_key(provider_id, external_id);
        let now = now_micros();
        match &self.connection {
            Connection::Single(c) => single::delete_identity(c, &self.keys, &key, now).await,
            Connection::Cluster(c) => cluster::delete_identity(c, &self.keys, &key, now).await,
        }
    }
}
