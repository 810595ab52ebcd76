//! `SessionStore` for every SQL dialect: one statement per operation, bound parameters only.

use authly_session::store_kit::{
    SavePlan, decode_identity, identity_key, is_valid_handle, is_valid_session_id,
};
use authly_session::{Identity, Session, SessionError, SessionInfo, SessionStore, session_handle};
use chrono::{DateTime, Utc};
use sqlx::query::Query;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Row, Type};

use crate::statements::DELETE_EXPIRED_BATCH;
use crate::{Dialect, SqlStore};

/// The handle a session with this id is stored under; `None` for an invalid id, which no store
/// holds, so the database is not asked about it.
fn valid_handle(id: &str) -> Option<String> {
    is_valid_session_id(id).then(|| session_handle(id))
}

/// Decodes one stored session from its `data` and `expires_at` columns.
fn decode<D: Dialect>(
    store: &SqlStore<D>,
    data: &str,
    expires_at: D::Expiry,
) -> Result<(Identity, DateTime<Utc>), SessionError> {
    let identity = decode_identity(data, &store.location)?;
    let expires_at = D::from_expiry(expires_at)
        .ok_or_else(|| SessionError::corrupt(&*store.location, "expiry out of range"))?;
    Ok((identity, expires_at))
}

impl<D: Dialect> SqlStore<D>
where
    for<'c> &'c mut <D::Database as Database>::Connection: Executor<'c, Database = D::Database>,
    <D::Database as Database>::Arguments: IntoArguments<D::Database>,
    for<'q> String: Encode<'q, D::Database> + Type<D::Database>,
{
    /// Runs the write `build` makes, again while the dialect calls its failure retryable (at most
    /// 8 tries); returns the rows it affected.
    async fn write<'q>(
        &self,
        operation: &str,
        build: impl Fn() -> Query<'q, D::Database, <D::Database as Database>::Arguments>,
    ) -> Result<u64, SessionError> {
        const ATTEMPTS: u32 = 8;
        let mut attempt = 1;
        loop {
            match build().execute(&self.writer).await {
                Ok(done) => return Ok(D::rows_affected(&done)),
                Err(error) if attempt < ATTEMPTS && D::is_retryable(&error) => {
                    tracing::debug!(
                        operation,
                        attempt,
                        "transient write failure, running the statement again"
                    );
                    attempt += 1;
                }
                Err(error) => return Err(SessionError::backend(operation, error)),
            }
        }
    }

    /// Deletes the session stored under `handle`, whatever its expiry.
    async fn remove(&self, operation: &str, handle: &str) -> Result<(), SessionError> {
        self.write(operation, || {
            sqlx::query(self.statements.delete.clone()).bind(handle.to_owned())
        })
        .await
        .map(drop)
    }
}

#[async_trait::async_trait]
impl<D: Dialect> SessionStore for SqlStore<D>
where
    for<'c> &'c mut <D::Database as Database>::Connection: Executor<'c, Database = D::Database>,
    <D::Database as Database>::Arguments: IntoArguments<D::Database>,
    for<'q> String: Encode<'q, D::Database> + Decode<'q, D::Database> + Type<D::Database>,
    for<'r> &'r str: Decode<'r, D::Database> + Type<D::Database>,
    usize: ColumnIndex<<D::Database as Database>::Row>,
{
    async fn load_session(&self, id: &str) -> Result<Option<Session>, SessionError> {
        let Some(handle) = valid_handle(id) else {
            return Ok(None);
        };
        let row = sqlx::query(self.statements.load.clone())
            .bind(handle)
            .bind(D::to_expiry(Utc::now()))
            .fetch_optional(&self.reader)
            .await
            .map_err(|e| SessionError::backend("load_session", e))?;
        let Some(row) = row else { return Ok(None) };
        let read = |e| SessionError::backend("load_session", e);
        let data: &str = row.try_get(0).map_err(read)?;
        let (identity, expires_at) = decode(self, data, row.try_get(1).map_err(read)?)?;
        Ok(Some(Session {
            id: id.to_owned(),
            identity,
            expires_at,
        }))
    }

    async fn save_session(&self, session: &Session) -> Result<(), SessionError> {
        match SavePlan::new(session, Utc::now())? {
            SavePlan::Remove { handle } => self.remove("save_session", &handle).await,
            SavePlan::Upsert(row) => self
                .write("save_session", || {
                    sqlx::query(self.statements.upsert.clone())
                        .bind(row.handle.clone())
                        .bind(row.identity_key.clone())
                        .bind(row.payload.clone())
                        .bind(D::to_expiry(row.expires_at))
                })
                .await
                .map(drop),
        }
    }

    async fn delete_session(&self, id: &str) -> Result<(), SessionError> {
        match valid_handle(id) {
            Some(handle) => self.remove("delete_session", &handle).await,
            None => Ok(()),
        }
    }

    async fn touch_session(
        &self,
        id: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<bool, SessionError> {
        let now = Utc::now();
        let changed = match valid_handle(id) {
            None => return Ok(false),
            // Touching into the past ends the session: remove it rather than leave it for cleanup.
            Some(handle) if expires_at <= now => {
                self.write("touch_session", || {
                    sqlx::query(self.statements.end_live.clone())
                        .bind(handle.clone())
                        .bind(D::to_expiry(now))
                })
                .await?
            }
            Some(handle) => {
                self.write("touch_session", || {
                    sqlx::query(self.statements.touch.clone())
                        .bind(D::to_expiry(expires_at))
                        .bind(handle.clone())
                        .bind(D::to_expiry(now))
                })
                .await?
            }
        };
        Ok(changed == 1)
    }

    async fn delete_expired(&self) -> Result<u64, SessionError> {
        let now = Utc::now();
        let mut removed = 0;
        loop {
            let batch = self
                .write("delete_expired", || {
                    sqlx::query(self.statements.delete_expired.clone()).bind(D::to_expiry(now))
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
        let rows = sqlx::query(self.statements.list.clone())
            .bind(identity_key(provider_id, external_id))
            .bind(D::to_expiry(Utc::now()))
            .fetch_all(&self.reader)
            .await
            .map_err(|e| SessionError::backend("list_identity_sessions", e))?;
        let read = |e| SessionError::backend("list_identity_sessions", e);
        let mut sessions = Vec::with_capacity(rows.len());
        for row in rows {
            let handle: String = row.try_get(0).map_err(read)?;
            let data: &str = row.try_get(1).map_err(read)?;
            let (identity, expires_at) = decode(self, data, row.try_get(2).map_err(read)?)?;
            // The key is a digest; the exact strings decide.
            if identity.provider_id == provider_id && identity.external_id == external_id {
                sessions.push(SessionInfo {
                    handle,
                    identity,
                    expires_at,
                });
            }
        }
        Ok(sessions)
    }

    async fn delete_session_by_handle(&self, handle: &str) -> Result<(), SessionError> {
        match is_valid_handle(handle) {
            true => self.remove("delete_session_by_handle", handle).await,
            // A malformed handle names no stored session: nothing to ask the database.
            false => Ok(()),
        }
    }

    async fn delete_identity_sessions(
        &self,
        provider_id: &str,
        external_id: &str,
    ) -> Result<u64, SessionError> {
        self.write("delete_identity_sessions", || {
            sqlx::query(self.statements.delete_identity.clone())
                .bind(identity_key(provider_id, external_id))
        })
        .await
    }
}
