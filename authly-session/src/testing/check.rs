//! Store calls made on behalf of one semantic: each unwraps its result or panics naming the
//! semantic, so a check reads as the steps it takes.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, Utc};

use super::semantic::{Semantic, ensure, ok};
use crate::store_kit::truncate_to_micros;
use crate::{Identity, Session, SessionError, SessionInfo, SessionStore, session_handle};

/// `store`, driven on behalf of `semantic`. Shows as the semantic, so [`ensure!`] takes either.
pub(crate) struct Check<'a, S: ?Sized> {
    store: &'a S,
    semantic: Semantic,
}

impl<S: ?Sized> fmt::Display for Check<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.semantic.fmt(f)
    }
}

impl<'a, S: SessionStore + ?Sized> Check<'a, S> {
    pub(crate) fn new(store: &'a S, semantic: Semantic) -> Self {
        Check { store, semantic }
    }

    /// Panics with `message`, naming the semantic.
    pub(crate) fn fail(&self, message: impl fmt::Display) -> ! {
        panic!("conformance: {}: {message}", self.semantic)
    }

    /// `result`'s value; panics naming the semantic and `what` failed on `Err`.
    fn ok<T>(&self, what: &str, result: Result<T, SessionError>) -> T {
        ok(self.semantic, what, result)
    }

    pub(crate) async fn save(&self, session: &Session) {
        self.ok("save_session", self.store.save_session(session).await);
    }

    /// Saves each session, in order.
    pub(crate) async fn save_all(&self, sessions: Vec<&Session>) {
        for session in sessions {
            self.save(session).await;
        }
    }

    pub(crate) async fn load(&self, id: &str) -> Option<Session> {
        self.ok("load_session", self.store.load_session(id).await)
    }

    /// The session under `id`; panics with `failure` when none loads.
    pub(crate) async fn loaded(&self, id: &str, failure: &str) -> Session {
        self.load(id).await.unwrap_or_else(|| self.fail(failure))
    }

    /// Panics with `failure` unless every session loads.
    pub(crate) async fn all_load(&self, sessions: &[Session], failure: &str) {
        for session in sessions {
            self.loaded(&session.id, failure).await;
        }
    }

    /// Panics with `failure` when a session loads under `id`.
    pub(crate) async fn gone(&self, id: &str, failure: &str) {
        ensure!(self, self.load(id).await.is_none(), "{failure}");
    }

    /// Panics with `failure` when any of the sessions loads.
    pub(crate) async fn all_gone(&self, sessions: &[Session], failure: &str) {
        for session in sessions {
            self.gone(&session.id, failure).await;
        }
    }

    /// Panics unless `identity` and `expires_at`, as the store gave them back (`what`: from
    /// load, in a listing), are those of `saved`, the expiry to the microsecond.
    pub(crate) fn same_as_saved(
        &self,
        what: &str,
        (identity, expires_at): (&Identity, DateTime<Utc>),
        saved: &Session,
    ) {
        ensure!(
            self,
            *identity == saved.identity,
            "{what}: the identity differs from the saved one: {identity:?}"
        );
        ensure!(
            self,
            truncate_to_micros(expires_at) == truncate_to_micros(saved.expires_at),
            "{what}: expires_at differs from the saved one in its microseconds: saved {}, got {expires_at}",
            saved.expires_at
        );
    }

    pub(crate) async fn update(&self, session: &Session) -> bool {
        self.ok("update_session", self.store.update_session(session).await)
    }

    pub(crate) async fn delete(&self, id: &str) {
        self.ok("delete_session", self.store.delete_session(id).await);
    }

    /// Deletes each session: the cleanup at the end of a check.
    pub(crate) async fn delete_all(&self, sessions: Vec<&Session>) {
        for session in sessions {
            self.delete(&session.id).await;
        }
    }

    pub(crate) async fn touch(&self, id: &str, expires_at: DateTime<Utc>) -> bool {
        let touched = self.store.touch_session(id, expires_at).await;
        self.ok("touch_session", touched)
    }

    pub(crate) async fn delete_expired(&self) -> u64 {
        self.ok("delete_expired", self.store.delete_expired().await)
    }

    pub(crate) async fn list(&self, identity: &Identity) -> Vec<SessionInfo> {
        let (provider, external) = (&identity.provider_id, &identity.external_id);
        let listed = self.store.list_identity_sessions(provider, external).await;
        self.ok("list_identity_sessions", listed)
    }

    /// Panics with `failure` (and the count) when `identity` lists any session.
    pub(crate) async fn lists_none(&self, identity: &Identity, failure: &str) {
        let listed = self.list(identity).await.len();
        ensure!(self, listed == 0, "{failure} ({listed} listed)");
    }

    pub(crate) async fn delete_by_handle(&self, handle: &str) {
        let deleted = self.store.delete_session_by_handle(handle).await;
        self.ok("delete_session_by_handle", deleted);
    }

    pub(crate) async fn delete_identity(&self, identity: &Identity) -> u64 {
        let (provider, external) = (&identity.provider_id, &identity.external_id);
        let removed = self
            .store
            .delete_identity_sessions(provider, external)
            .await;
        self.ok("delete_identity_sessions", removed)
    }
}

/// The handles of `sessions`.
pub(crate) fn handles<'s>(sessions: impl IntoIterator<Item = &'s Session>) -> BTreeSet<String> {
    sessions
        .into_iter()
        .map(|s| session_handle(&s.id))
        .collect()
}
