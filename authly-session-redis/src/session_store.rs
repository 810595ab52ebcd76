//! The operations of `RedisStore`: validation, the application's clock, and dispatch to the
//! single-node or cluster form of each operation. `bounded.rs` makes them the `SessionStore`,
//! each under the store's timeout.

use authly_session::store_kit::{
    SavePlan, check_expiry, identity_key, is_valid_handle, stored_handle, to_unix_micros,
};
use authly_session::{Session, SessionError, SessionInfo};
use chrono::{DateTime, Utc};

use crate::connection::Connection;
use crate::error::During;
use crate::stored::{self, Stored};
use crate::write::Write;
use crate::{RedisStore, cluster, single};

impl RedisStore {
    /// The application's clock, as the stores keep time: unix microseconds.
    fn now_micros(&self) -> i64 {
        to_unix_micros(self.clock.now())
    }

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

    /// Moves the expiry of the live session with this handle (ending it when `expires_at <=
    /// now`); whether it was live.
    async fn touch_handle(
        &self,
        handle: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<bool, SessionError> {
        match &self.connection {
            Connection::Single(c) => single::touch(c, &self.keys, handle, expires_at, now).await,
            Connection::Cluster(c) => cluster::touch(c, &self.keys, handle, expires_at, now).await,
        }
    }

    /// Saves or updates `session`; whether it was written (a save always is).
    async fn write(&self, session: &Session, write: Write) -> Result<bool, SessionError> {
        let now = self.clock.now();
        match SavePlan::new(session, now)? {
            SavePlan::Remove { handle } if write == Write::Save => {
                self.remove_handle(write.operation(), &handle).await?;
                Ok(true)
            }
            SavePlan::Remove { handle } => {
                let now = to_unix_micros(now);
                self.touch_handle(&handle, now, now).await
            }
            SavePlan::Upsert(row) => {
                let now = to_unix_micros(now);
                match &self.connection {
                    Connection::Single(c) => single::write(c, &self.keys, &row, now, write).await,
                    Connection::Cluster(c) => cluster::write(c, &self.keys, &row, now, write).await,
                }
            }
        }
    }

    /// `stored` as listed under `handle`, with the version-1 fallback times where it needs them.
    async fn info(&self, handle: String, stored: Stored) -> Result<SessionInfo, SessionError> {
        let fallback = if stored.is_version_one() {
            self.version_one_time().await?
        } else {
            DateTime::UNIX_EPOCH // unused: every time is present
        };
        Ok(stored.into_info(handle, fallback))
    }
}

impl RedisStore {
    pub(crate) async fn load(&self, id: &str) -> Result<Option<Session>, SessionError> {
        let Some(handle) = stored_handle(id) else {
            return Ok(None);
        };
        type Fields = (
            Option<Vec<u8>>,
            Option<Vec<u8>>,
            Option<Vec<u8>>,
            Option<Vec<u8>>,
        );
        let (payload, expiry, created_at, last_seen_at): Fields = redis::cmd("HMGET")
            .arg(self.keys.session(&handle))
            .arg("d")
            .arg("e")
            .arg("c")
            .arg("l")
            .query_async(&mut self.connection.clone())
            .await
            .during("load_session")?;
        let (Some(payload), Some(expiry)) = (payload, expiry) else {
            return Ok(None);
        };
        let stored = stored::decode(
            self.keys.context(),
            &payload,
            &expiry,
            created_at.as_deref(),
            last_seen_at.as_deref(),
        )?;
        // The key's TTL is a backstop; the application's clock decides.
        if stored.expires_at <= self.clock.now() {
            return Ok(None);
        }
        let info = self.info(handle, stored).await?;
        Ok(Some(Session {
            id: id.to_owned(),
            identity: info.identity,
            created_at: info.created_at,
            last_seen_at: info.last_seen_at,
            expires_at: info.expires_at,
            metadata: info.metadata,
        }))
    }

    pub(crate) async fn save(&self, session: &Session) -> Result<(), SessionError> {
        self.write(session, Write::Save).await.map(drop)
    }

    pub(crate) async fn update(&self, session: &Session) -> Result<bool, SessionError> {
        self.write(session, Write::Update).await
    }

    pub(crate) async fn delete(&self, id: &str) -> Result<(), SessionError> {
        let Some(handle) = stored_handle(id) else {
            return Ok(());
        };
        self.remove_handle("delete_session", &handle).await
    }

    pub(crate) async fn touch(
        &self,
        id: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<bool, SessionError> {
        check_expiry(expires_at)?;
        let Some(handle) = stored_handle(id) else {
            return Ok(false);
        };
        self.touch_handle(&handle, to_unix_micros(expires_at), self.now_micros())
            .await
    }

    /// Redis drops expired session keys by their TTL, so this removes no session and returns 0;
    /// it prunes the expired entries of every identity index that has some (found through the
    /// registry, never by scanning the keyspace).
    pub(crate) async fn purge_expired(&self) -> Result<u64, SessionError> {
        match &self.connection {
            Connection::Single(c) => single::sweep(c, &self.keys).await?,
            Connection::Cluster(c) => cluster::sweep(c, &self.keys).await?,
        }
        Ok(0)
    }

    pub(crate) async fn list(
        &self,
        provider_id: &str,
        external_id: &str,
    ) -> Result<Vec<SessionInfo>, SessionError> {
        let key = identity_key(provider_id, external_id);
        let now = self.now_micros();
        let stored = match &self.connection {
            Connection::Single(c) => single::list(c, &self.keys, &key, now).await?,
            Connection::Cluster(c) => cluster::list(c, &self.keys, &key, now).await?,
        };
        let mut sessions = Vec::with_capacity(stored.len());
        for (handle, stored) in stored {
            // The identity key is a hash: keep only exact matches, whatever it collides with.
            if stored.identity.matches(provider_id, external_id) {
                sessions.push(self.info(handle, stored).await?);
            }
        }
        Ok(sessions)
    }

    pub(crate) async fn delete_by_handle(&self, handle: &str) -> Result<(), SessionError> {
        if !is_valid_handle(handle) {
            return Ok(());
        }
        self.remove_handle("delete_session_by_handle", handle).await
    }

    pub(crate) async fn sign_out(
        &self,
        provider_id: &str,
        external_id: &str,
    ) -> Result<u64, SessionError> {
        let key = identity_key(provider_id, external_id);
        match &self.connection {
            Connection::Single(c) => single::delete_identity(c, &self.keys, &key).await,
            Connection::Cluster(c) => cluster::delete_identity(c, &self.keys, &key).await,
        }
    }
}
