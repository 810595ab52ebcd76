//! `SessionStore` for `MySqlStore`: one statement per operation, bound parameters only.
//!
//! Times cross the wire as `DATETIME` values holding UTC (`NaiveDateTime` in UTC), so the
//! connection's `time_zone` never shifts them. Writes go through [`retry::execute`], which runs a
//! statement again if InnoDB picked it as a deadlock victim.

use authly_session::{
    DELETE_EXPIRED_BATCH, Identity, SavePlan, Session, SessionError, SessionInfo, SessionStore,
    decode_identity, identity_key, is_valid_handle, is_valid_session_id, session_handle,
};
use chrono::{DateTime, NaiveDateTime, Utc};
use sqlx::Row;
use sqlx::mysql::MySqlRow;

use crate::MySqlStore;
use crate::retry;

impl MySqlStore {
    /// The identity and expiry of a row whose columns `data` and `expires_at` start at `first`.
    fn decode(
        &self,
        operation: &str,
        row: &MySqlRow,
        first: usize,
    ) -> Result<(Identity, DateTime<Utc>), SessionError> {
        let read = |e| SessionError::backend(operation, e);
        let data: &str = row.try_get(first).map_err(read)?;
        let expires_at: NaiveDateTime = row.try_get(first + 1).map_err(read)?;
        let identity = decode_identity(data, &format!("table {}", self.table))?;
        Ok((identity, expires_at.and_utc()))
    }

    async fn delete_by_handle(&self, operation: &str, handle: &str) -> Result<u64, SessionError> {
        retry::execute(&self.pool, operation, || {
            sqlx::query(self.queries.delete.clone()).bind(handle)
        })
        .await
    }
}

#[async_trait::async_trait]
impl SessionStore for MySqlStore {
    async fn load_session(&self, id: &str) -> Result<Option<Session>, SessionError> {
        if !is_valid_session_id(id) {
            return Ok(None);
        }
        let row = sqlx::query(self.queries.load.clone())
            .bind(session_handle(id))
            .bind(Utc::now().naive_utc())
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| SessionError::backend("load_session", e))?;
        let Some(row) = row else { return Ok(None) };
        let (identity, expires_at) = self.decode("load_session", &row, 0)?;
        Ok(Some(Session {
            id: id.to_owned(),
            identity,
            expires_at,
        }))
    }

    async fn save_session(&self, session: &Session) -> Result<(), SessionError> {
        match SavePlan::new(session, Utc::now())? {
            SavePlan::Remove { handle } => self
                .delete_by_handle("save_session", &handle)
                .await
                .map(drop),
            SavePlan::Upsert(row) => retry::execute(&self.pool, "save_session", || {
                sqlx::query(self.queries.upsert.clone())
                    .bind(row.handle.as_str())
                    .bind(row.identity_key.as_str())
                    .bind(row.payload.as_str())
                    .bind(row.expires_at.naive_utc())
            })
            .await
            .map(drop),
        }
    }

    async fn delete_session(&self, id: &str) -> Result<(), SessionError> {
        if !is_valid_session_id(id) {
            return Ok(());
        }
        self.delete_by_handle("delete_session", &session_handle(id))
            .await
            .map(drop)
    }

    async fn touch_session(
        &self,
        id: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<bool, SessionError> {
        if !is_valid_session_id(id) {
            return Ok(false);
        }
        let handle = session_handle(id);
        let now = Utc::now().naive_utc();
        let expires_at = expires_at.naive_utc();
        let matched = retry::execute(&self.pool, "touch_session", || {
            if expires_at <= now {
                sqlx::query(self.queries.end_live.clone())
                    .bind(handle.as_str())
                    .bind(now)
            } else {
                sqlx::query(self.queries.touch.clone())
                    .bind(expires_at)
                    .bind(handle.as_str())
                    .bind(now)
            }
        })
        .await?;
        Ok(matched == 1)
    }

    async fn delete_expired(&self) -> Result<u64, SessionError> {
        let now = Utc::now().naive_utc();
        let mut removed = 0;
        loop {
            let batch = retry::execute(&self.pool, "delete_expired", || {
                sqlx::query(self.queries.delete_expired.clone()).bind(now)
            })
            .await?;
            removed += batch;
            if batch < DELETE_EXPIRED_BATCH {
                return Ok(removed);
            }
        }
    }

    async fn list_identity_sessions(
        &self,
        provider_id: &str,
        external_id: &str,
    ) -> Result<Vec<SessionInfo>, SessionError> {
        const OPERATION: &str = "list_identity_sessions";
        let rows = sqlx::query(self.queries.list.clone())
            .bind(identity_key(provider_id, external_id))
            .bind(Utc::now().naive_utc())
            .fetch_all(&self.pool)
            .await
            .map_err(|e| SessionError::backend(OPERATION, e))?;
        let mut sessions = Vec::with_capacity(rows.len());
        for row in rows {
            let (identity, expires_at) = self.decode(OPERATION, &row, 1)?;
            if identity.provider_id == provider_id && identity.external_id == external_id {
                sessions.push(SessionInfo {
                    handle: row
                        .try_get(0)
                        .map_err(|e| SessionError::backend(OPERATION, e))?,
                    identity,
                    expires_at,
                });
            }
        }
        Ok(sessions)
    }

    async fn delete_session_by_handle(&self, handle: &str) -> Result<(), SessionError> {
        if !is_valid_handle(handle) {
            return Ok(());
        }
        self.delete_by_handle("delete_session_by_handle", handle)
            .await
            .map(drop)
    }

    async fn delete_identity_sessions(
        &self,
        provider_id: &str,
        external_id: &str,
    ) -> Result<u64, SessionError> {
        let key = identity_key(provider_id, external_id);
        retry::execute(&self.pool, "delete_identity_sessions", || {
            sqlx::query(self.queries.delete_identity.clone()).bind(key.as_str())
        })
        .await
    }
}
