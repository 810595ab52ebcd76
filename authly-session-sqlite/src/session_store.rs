//! `SessionStore` for `SqliteStore`: one statement per operation, bound parameters only.

use authly_session::{
    DELETE_EXPIRED_BATCH, SavePlan, Session, SessionError, SessionInfo, SessionStore,
    decode_identity, from_unix_micros, identity_key, is_valid_handle, is_valid_session_id,
    session_handle, to_unix_micros,
};
use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::SqliteStore;

impl SqliteStore {
    fn decode(
        &self,
        data: &str,
        expires_at: i64,
    ) -> Result<(authly_session::Identity, DateTime<Utc>), SessionError> {
        let context = format!("table {}", self.table);
        let identity = decode_identity(data, &context)?;
        let expires_at = from_unix_micros(expires_at).ok_or_else(|| {
            SessionError::corrupt(&context, format!("expiry {expires_at} out of range"))
        })?;
        Ok((identity, expires_at))
    }

    async fn delete_by_handle(&self, operation: &str, handle: &str) -> Result<u64, SessionError> {
        sqlx::query(self.queries.delete.clone())
            .bind(handle)
            .execute(&self.writer)
            .await
            .map(|done| done.rows_affected())
            .map_err(|e| SessionError::backend(operation, e))
    }
}

#[async_trait::async_trait]
impl SessionStore for SqliteStore {
    async fn load_session(&self, id: &str) -> Result<Option<Session>, SessionError> {
        if !is_valid_session_id(id) {
            return Ok(None);
        }
        let row = sqlx::query(self.queries.load.clone())
            .bind(session_handle(id))
            .bind(to_unix_micros(Utc::now()))
            .fetch_optional(&self.reader)
            .await
            .map_err(|e| SessionError::backend("load_session", e))?;
        let Some(row) = row else { return Ok(None) };
        let (identity, expires_at) = self.decode(row.get(0), row.get(1))?;
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
            SavePlan::Upsert(row) => sqlx::query(self.queries.upsert.clone())
                .bind(row.handle)
                .bind(row.identity_key)
                .bind(row.payload)
                .bind(to_unix_micros(row.expires_at))
                .execute(&self.writer)
                .await
                .map(drop)
                .map_err(|e| SessionError::backend("save_session", e)),
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
        let now = to_unix_micros(Utc::now());
        let new_expiry = to_unix_micros(expires_at);
        let query = if new_expiry <= now {
            sqlx::query(self.queries.end_live.clone())
                .bind(session_handle(id))
                .bind(now)
        } else {
            sqlx::query(self.queries.touch.clone())
                .bind(session_handle(id))
                .bind(new_expiry)
                .bind(now)
        };
        let done = query
            .execute(&self.writer)
            .await
            .map_err(|e| SessionError::backend("touch_session", e))?;
        Ok(done.rows_affected() == 1)
    }

    async fn delete_expired(&self) -> Result<u64, SessionError> {
        let now = to_unix_micros(Utc::now());
        let mut removed = 0;
        loop {
            let batch = sqlx::query(self.queries.delete_expired.clone())
                .bind(now)
                .execute(&self.writer)
                .await
                .map_err(|e| SessionError::backend("delete_expired", e))?
                .rows_affected();
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
        let rows = sqlx::query(self.queries.list.clone())
            .bind(identity_key(provider_id, external_id))
            .bind(to_unix_micros(Utc::now()))
            .fetch_all(&self.reader)
            .await
            .map_err(|e| SessionError::backend("list_identity_sessions", e))?;
        let mut sessions = Vec::with_capacity(rows.len());
        for row in rows {
            let (identity, expires_at) = self.decode(row.get(1), row.get(2))?;
            if identity.provider_id == provider_id && identity.external_id == external_id {
                sessions.push(SessionInfo {
                    handle: row.get(0),
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
        sqlx::query(self.queries.delete_identity.clone())
            .bind(identity_key(provider_id, external_id))
            .execute(&self.writer)
            .await
            .map(|done| done.rows_affected())
            .map_err(|e| SessionError::backend("delete_identity_sessions", e))
    }
}
