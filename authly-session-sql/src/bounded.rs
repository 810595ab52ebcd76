//! `SessionStore` for `SqlStore`: each operation of `session_store.rs` under the store's
//! timeout (semantic 27), so none waits longer than that for a silent or locked database.

use authly_session::{Session, SessionError, SessionInfo, SessionStore};
use chrono::{DateTime, Utc};
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Type};

use crate::{Dialect, SqlStore};

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
        let load = self.load(id);
        self.timeout.within("load_session", load).await
    }

    async fn save_session(&self, session: &Session) -> Result<(), SessionError> {
        let save = self.save(session);
        self.timeout.within("save_session", save).await
    }

    async fn update_session(&self, session: &Session) -> Result<bool, SessionError> {
        let update = self.update(session);
        self.timeout.within("update_session", update).await
    }

    async fn delete_session(&self, id: &str) -> Result<(), SessionError> {
        let delete = self.delete(id);
        self.timeout.within("delete_session", delete).await
    }

    async fn touch_session(
        &self,
        id: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<bool, SessionError> {
        let touch = self.touch(id, expires_at);
        self.timeout.within("touch_session", touch).await
    }

    /// Removes expired sessions in batches, each committed on its own: when the timeout cuts a
    /// large backlog short, what was removed stays removed and the next call goes on.
    async fn delete_expired(&self) -> Result<u64, SessionError> {
        let sweep = self.purge_expired();
        self.timeout.within("delete_expired", sweep).await
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
        let delete = self.delete_by_handle(handle);
        self.timeout
            .within("delete_session_by_handle", delete)
            .await
    }

    async fn delete_identity_sessions(
        &self,
        provider_id: &str,
        external_id: &str,
    ) -> Result<u64, SessionError> {
        let delete = self.sign_out(provider_id, external_id);
        self.timeout
            .within("delete_identity_sessions", delete)
            .await
    }
}
