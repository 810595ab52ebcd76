//! What the benchmark measures: a store through `SessionStore`, or a raw driver doing the same
//! queries and the same JSON work (the floor no store can beat).

pub mod plain_redis;
pub mod raw_sql;
pub mod tower;
pub mod tower_redis;
pub mod tower_sql;

use std::future::Future;

use authly_session::{Session, SessionStore};

/// Any failure of a measured operation.
pub type BenchError = Box<dyn std::error::Error + Send + Sync>;

/// The three measured operations, on one table (or key prefix).
pub trait Target: Send + Sync + 'static {
    /// Loads the session with this id; `Ok(true)` when it was found (and decoded).
    fn load(&self, id: &str) -> impl Future<Output = Result<bool, BenchError>> + Send;

    /// Saves (inserts or replaces) the session.
    fn save(&self, session: &Session) -> impl Future<Output = Result<(), BenchError>> + Send;

    /// Stores a session before measuring starts: a save, unless the side saves only sessions it
    /// created before (tower-sessions' `save` is `SET XX`).
    fn insert(&self, session: &Session) -> impl Future<Output = Result<(), BenchError>> + Send {
        self.save(session)
    }

    /// Saves a new session, then deletes it.
    fn create_delete(
        &self,
        session: &Session,
    ) -> impl Future<Output = Result<(), BenchError>> + Send;
}

/// Any [`SessionStore`], measured through its public API.
pub struct StoreTarget<S>(pub S);

impl<S: SessionStore> Target for StoreTarget<S> {
    async fn load(&self, id: &str) -> Result<bool, BenchError> {
        Ok(self.0.load_session(id).await?.is_some())
    }

    async fn save(&self, session: &Session) -> Result<(), BenchError> {
        Ok(self.0.save_session(session).await?)
    }

    async fn create_delete(&self, session: &Session) -> Result<(), BenchError> {
        self.0.save_session(session).await?;
        Ok(self.0.delete_session(&session.id).await?)
    }
}

/// The error a raw target reports when a row it read does not hold what the store wrote.
pub fn corrupt(what: &str) -> BenchError {
    format!("unexpected stored data: {what}").into()
}
