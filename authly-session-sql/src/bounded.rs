//! `SessionStore` for `SqlStore`: each operation of `session_store.rs` under the store's
//! timeout (semantic 27), so none waits longer than that for a silent or locked database.

use authly_session::{Session, SessionError, SessionInfo, SessionStore};
use chrono::{DateTime, Utc};
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Type};

use crate::{Dialect, SqlStore};

/// The store's operations as `session_store.rs` implements them, without a time limit; the
/// same signatures as [`SessionStore`], which puts each under the timeout.
#[async_trait::async_trait]
pub(crate) trait Unbounded {
    async fn load_session(&self, id: &str) -> Result<Option<Session>, SessionError>;
    async fn save_session(&self, session: &Session) -> Result<(), SessionError>;
    async fn update_session(&self, session: &Session) -> Result<bool, SessionError>;
    async fn delete_session(&self, id: &str) -> Result<(), SessionError>;
    async fn touch_session(
        &self,
        id: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<bool, SessionError>;
    async fn delete_expired(&self) -> Result<u64, SessionError>;
    async fn list_identity_sessions(
        &self,
        provider_id: &str,
        external_id: &str,
    ) -> Result<Vec<SessionInfo>, SessionError>;
    async fn delete_session_by_handle(&self, handle: &str) -> Result<(), SessionError>;
    async fn delete_identity_sessions(
        &self,
        provider_id: &str,
        external_id: &str,
    ) -> Result<u64, SessionError>;
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
        let load = Unbounded::load_session(self, id);
        self.timeout.within("load_session", load).await
    }

    async fn save_session(&self, session: &Session) -> Result<(), SessionError> {
        let save = Unbounded::save_session(self, session);
        self.timeout.within("save_session", save).await
    }

    async fn update_session(&self, session: &Session) -> Result<bool, SessionError> {
        let update = Unbounded::update_session(self, session);
        self.timeout.within("update_session", update).await
    }

    async fn delete_session(&self, id: &str) -> Result<(), SessionError> {
        let delete = Unbounded::delete_session(self, id);
        self.timeout.within("delete_session", delete).await
    }

    async fn touch_session(
        &self,
        id: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<bool, SessionError> {
        let touch = Unbounded::touch_session(self, id, expires_at);
        self.timeout.within("touch_session", touch).await
    }

    /// Removes expired sessions in batches, each committed on its own: when the timeout cuts a
    /// large backlog short, what was removed stays removed and the next call goes on.
    async fn delete_expired(&self) -> Result<u64, SessionError> {
        let sweep = Unbounded::delete_expired(self);
        self.timeout.within("delete_expired", sweep).await
    }

    async fn list_identity_sessions(
        &self,
        provider_id: &str,
        external_id: &str,
    ) -> Result<Vec<SessionInfo>, SessionError> {
        let list = Unbounded::list_identity_sessions(self, provider_id, external_id);
        self.timeout.within("list_identity_sessions", list).await
    }

    async fn delete_session_by_handle(&self, handle: &str) -> Result<(), SessionError> {
        let delete = Unbounded::delete_session_by_handle(self, handle);
        self.timeout
            .within("delete_session_by_handle", delete)
            .await
    }

    async fn delete_identity_sessions(
        &self,
        provider_id: &str,
        external_id: &str,
    ) -> Result<u64, SessionError> {
        let delete = Unbounded::delete_identity_sessions(self, provider_id, external_id);
        self.timeout
            .within("delete_identity_sessions", delete)
            .await
    }
}
