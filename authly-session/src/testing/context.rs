//! What one suite run shares: the store, a run tag that keeps its data apart, and the ids used.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};

use super::check::Check;
use super::semantic::Semantic;
use crate::store_kit::Clock;
use crate::{Identity, Session, SessionStore};

/// Builds another instance of the run's store, on the same data, reading the given clock.
pub(crate) type Skewed<S> = Arc<dyn Fn(Clock) -> S + Send + Sync>;

pub(crate) struct Ctx<S> {
    pub(crate) store: S,
    pub(crate) server_side_expiry: bool,
    pub(crate) skewed: Option<Skewed<S>>,
    run: String,
    ids: Mutex<Vec<String>>,
}

impl<S: SessionStore> Ctx<S> {
    /// The run's store, driven on behalf of `semantic`.
    pub(crate) fn check(&self, semantic: Semantic) -> Check<'_, S> {
        Check::new(&self.store, semantic)
    }
}

impl<S> Ctx<S> {
    pub(crate) fn new(store: S, server_side_expiry: bool, skewed: Option<Skewed<S>>) -> Self {
        Ctx {
            store,
            server_side_expiry,
            skewed,
            run: run_tag(),
            ids: Mutex::new(Vec::new()),
        }
    }

    /// An identity unique to this run; `user` tells identities of one run apart.
    pub(crate) fn identity(&self, user: &str) -> Identity {
        let mut identity = Identity::new(format!("conformance-{}", self.run), user);
        identity.email = Some(format!("{user}@example.test"));
        identity.username = Some(user.to_owned());
        identity.attributes.insert("device".into(), "suite".into());
        identity
    }

    /// A fresh session for `identity` expiring `ttl` from now; its id is remembered for the log check.
    pub(crate) fn session(&self, identity: &Identity, ttl: Duration) -> Session {
        let session = Session::new(identity.clone(), ttl);
        self.remember(&session.id);
        session
    }

    /// A session with a chosen id (remembered for the log check).
    pub(crate) fn session_with_id(
        &self,
        id: String,
        identity: &Identity,
        expires_at: DateTime<Utc>,
    ) -> Session {
        self.remember(&id);
        Session {
            id,
            expires_at,
            ..Session::new(identity.clone(), Duration::hours(1))
        }
    }

    /// An id unique to this run built around `tag`.
    pub(crate) fn id(&self, tag: &str) -> String {
        format!("{tag}-{}", self.run)
    }

    pub(crate) fn remember(&self, id: &str) {
        self.ids
            .lock()
            .expect("id list poisoned")
            .push(id.to_owned());
    }

    pub(crate) fn ids_used(&self) -> Vec<String> {
        self.ids.lock().expect("id list poisoned").clone()
    }
}

/// 16 random hex digits.
pub(crate) fn run_tag() -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("OS random source");
    crate::handle::hex(&bytes)
}
