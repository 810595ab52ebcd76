//! The operations of every SQL dialect: one statement per operation (listing and signing out
//! everywhere: one per page of an identity's sessions), bound parameters only. `bounded.rs`
//! makes them the `SessionStore`, each under the store's timeout.

use authly_session::store_kit::{
    SavePlan, check_expiry, decode_payload, identity_key, is_stored_range, is_valid_handle,
    session_from, skip_corrupt, stored_handle,
};
use authly_session::{Session, SessionError, SessionInfo};
use chrono::{DateTime, Utc};
use sqlx::query::Query;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Row, Type};

use crate::coalesce::Write;
use crate::connection::{Held, failure};
use crate::retry::write_with_retry;
use crate::statements::{DELETE_EXPIRED_BATCH, IDENTITY_BATCH};
use crate::{Dialect, SqlStore};

impl<D: Dialect> SqlStore<D>
where
    for<'c> &'c mut <D::Database as Database>::Connection: Executor<'c, Database = D::Database>,
    <D::Database as Database>::Arguments: IntoArguments<D::Database>,
    for<'q> String: Encode<'q, D::Database> + Type<D::Database>,
    for<'r> &'r str: Decode<'r, D::Database> + Type<D::Database>,
    usize: ColumnIndex<<D::Database as Database>::Row>,
{
    /// Runs the write `build` makes on the writer pool, retried as [`write_with_retry`] says.
    async fn write<'q>(
        &self,
        operation: &str,
        build: impl Fn() -> Query<'q, D::Database, <D::Database as Database>::Arguments>,
    ) -> Result<u64, SessionError> {
        write_with_retry::<D>(&self.writer, operation, build).await
    }

    /// One stored session from `row`, whose columns from `first` on are
    /// `data, created_at, last_seen_at, expires_at`. A value no store writes (one the driver
    /// cannot decode as the column's type, a time outside 1970 to 9999) is
    /// [`SessionError::CorruptData`] (semantic 26).
    fn decode_row(
        &self,
        operation: &'static str,
        row: &<D::Database as Database>::Row,
        first: usize,
        handle: String,
    ) -> Result<SessionInfo, SessionError> {
        let read = |error| match error {
            sqlx::Error::ColumnDecode { .. } => SessionError::corrupt(&*self.location, error),
            error => SessionError::backend(operation, error),
        };
        let time = |index: usize, what: &str| -> Result<DateTime<Utc>, SessionError> {
            let value: D::Expiry = row.try_get(index).map_err(read)?;
            D::from_expiry(value)
                .filter(|time| is_stored_range(*time))
                .ok_or_else(|| {
                    SessionError::corrupt(
                        &*self.location,
                        format!("{what} is not a time between 1970 and 9999"),
                    )
                })
        };
        let data: &str = row.try_get(first).map_err(read)?;
        let payload = decode_payload(data, &self.location)?;
        Ok(SessionInfo {
            handle,
            identity: payload.identity,
            created_at: time(first + 1, "created_at")?,
            last_seen_at: time(first + 2, "last_seen_at")?,
            expires_at: time(first + 3, "expires_at")?,
            metadata: payload.metadata,
        })
    }

    /// Deletes the session stored under `handle`, whatever its expiry (a coalesced write).
    async fn remove(&self, operation: &'static str, handle: String) -> Result<(), SessionError> {
        let write = Write::Delete(handle);
        self.writes.submit(operation, write, self.deadline()).await
    }

    /// When an operation starting now runs out of time.
    fn deadline(&self) -> tokio::time::Instant {
        tokio::time::Instant::now() + self.timeout.get()
    }

    /// Ends the live session with this handle; whether it was live.
    async fn end_live(
        &self,
        operation: &'static str,
        handle: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, SessionError> {
        let ended = self
            .write(operation, || {
                sqlx::query(self.statements.end_live.clone())
                    .bind(handle.to_owned())
                    .bind(D::to_expiry(now))
            })
            .await?;
        Ok(ended == 1)
    }
}

impl<D: Dialect> SqlStore<D>
where
    for<'c> &'c mut <D::Database as Database>::Connection: Executor<'c, Database = D::Database>,
    <D::Database as Database>::Arguments: IntoArguments<D::Database>,
    for<'q> String: Encode<'q, D::Database> + Decode<'q, D::Database> + Type<D::Database>,
    for<'r> &'r str: Decode<'r, D::Database> + Type<D::Database>,
    usize: ColumnIndex<<D::Database as Database>::Row>,
{
    pub(crate) async fn load(&self, id: &str) -> Result<Option<Session>, SessionError> {
        let Some(handle) = stored_handle(id) else {
            return Ok(None);
        };
        let mut connection = Held::<D>::acquire(&self.reader, "load_session").await?;
        let row = sqlx::query(self.statements.load.clone())
            .bind(handle.clone())
            .bind(D::to_expiry(self.clock.now()))
            .fetch_optional(&mut *connection)
            .await;
        connection.release();
        let row = row.map_err(|e| failure::<D>("load_session", e))?;
        let Some(row) = row else { return Ok(None) };
        let info = self.decode_row("load_session", &row, 0, handle)?;
        Ok(Some(session_from(id, info)))
    }

    pub(crate) async fn save(&self, session: &Session) -> Result<(), SessionError> {
        match SavePlan::new(session, self.clock.now())? {
            SavePlan::Remove { handle } => self.remove("save_session", handle).await,
            SavePlan::Upsert(row) => {
                let write = Write::Upsert(row);
                self.writes
                    .submit("save_session", write, self.deadline())
                    .await
            }
        }
    }

    pub(crate) async fn update(&self, session: &Session) -> Result<bool, SessionError> {
        let now = self.clock.now();
        match SavePlan::new(session, now)? {
            SavePlan::Remove { handle } => self.end_live("update_session", &handle, now).await,
            SavePlan::Upsert(row) => {
                let updated = self
                    .write("update_session", || {
                        sqlx::query(self.statements.update.clone())
                            .bind(row.identity_key.clone())
                            .bind(row.payload.clone())
                            .bind(D::to_expiry(row.last_seen_at))
                            .bind(D::to_expiry(row.expires_at))
                            .bind(row.handle.clone())
                            .bind(D::to_expiry(now))
                    })
                    .await?;
                Ok(updated == 1)
            }
        }
    }

    pub(crate) async fn delete(&self, id: &str) -> Result<(), SessionError> {
        match stored_handle(id) {
            Some(handle) => self.remove("delete_session", handle).await,
            None => Ok(()),
        }
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
        let now = self.clock.now();
        if expires_at <= now {
            // Touching into the past ends the session: remove it rather than leave it for cleanup.
            return self.end_live("touch_session", &handle, now).await;
        }
        let touched = self
            .write("touch_session", || {
                sqlx::query(self.statements.touch.clone())
                    .bind(D::to_expiry(expires_at))
                    .bind(D::to_expiry(now))
                    .bind(handle.clone())
                    .bind(D::to_expiry(now))
            })
            .await?;
        Ok(touched == 1)
    }

    pub(crate) async fn purge_expired(&self) -> Result<u64, SessionError> {
        let now = self.clock.now();
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

    pub(crate) async fn list(
        &self,
        provider_id: &str,
        external_id: &str,
    ) -> Result<Vec<SessionInfo>, SessionError> {
        const OPERATION: &str = "list_identity_sessions";
        let key = identity_key(provider_id, external_id);
        let now = self.clock.now();
        // Keyset paging by handle (semantic 28): each statement reads one page after the last
        // handle seen. Handles never change, so no session is read twice or passed over.
        let mut after_handle = String::new();
        let mut sessions = Vec::new();
        loop {
            let mut connection = Held::<D>::acquire(&self.reader, OPERATION).await?;
            let rows = sqlx::query(self.statements.list.clone())
                .bind(key.clone())
                .bind(after_handle)
                .fetch_all(&mut *connection)
                .await;
            connection.release();
            let rows = rows.map_err(|e| failure::<D>(OPERATION, e))?;
            let Some(last) = rows.last() else {
                return Ok(sessions);
            };
            after_handle = last
                .try_get(0)
                .map_err(|e| SessionError::backend(OPERATION, e))?;
            for row in &rows {
                let handle: String = row
                    .try_get(0)
                    .map_err(|e| SessionError::backend(OPERATION, e))?;
                let decoded = self.decode_row(OPERATION, row, 1, handle.clone());
                let Some(info) = skip_corrupt(decoded, &self.location, &handle)? else {
                    continue;
                };
                // The key is a digest; the exact strings decide.
                if info.expires_at > now && info.identity.matches(provider_id, external_id) {
                    sessions.push(info);
                }
            }
            if (rows.len() as u64) < IDENTITY_BATCH {
                return Ok(sessions);
            }
        }
    }

    pub(crate) async fn delete_by_handle(&self, handle: &str) -> Result<(), SessionError> {
        if !is_valid_handle(handle) {
            return Ok(());
        }
        self.remove("delete_session_by_handle", handle.to_owned())
            .await
    }

    pub(crate) async fn sign_out(
        &self,
        provider_id: &str,
        external_id: &str,
    ) -> Result<u64, SessionError> {
        let key = identity_key(provider_id, external_id);
        // Batches of IDENTITY_BATCH (semantic 28); a short batch means none are left.
        let mut removed = 0;
        loop {
            let batch = self
                .write("delete_identity_sessions", || {
                    sqlx::query(self.statements.delete_identity.clone()).bind(key.clone())
                })
                .await?;
            removed += batch;
            if batch < IDENTITY_BATCH {
                return Ok(removed);
            }
        }
    }
}
