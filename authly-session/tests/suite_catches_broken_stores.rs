//! The conformance suite passes the reference store and fails stores that break the contract,
//! naming the semantic they broke.

#![cfg(feature = "testing")]

use authly_session::testing::{Conformance, MemoryStore, run_conformance};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use authly_session::{Session, SessionError, SessionInfo, SessionStore, session_handle};
use chrono::{DateTime, Utc};

/// Runs the suite on `store` and returns its panic message, or `None` if it passed.
async fn failure_of(store: Broken) -> Option<String> {
    let data = store.clone();
    let suite = Conformance::new(store).clock_skew(move |clock| Broken {
        inner: data.inner.clone().with_clock(clock),
        ..data.clone()
    });
    let outcome = tokio::spawn(suite.run()).await;
    match outcome {
        Ok(()) => None,
        Err(join) => {
            let payload = join.into_panic();
            Some(
                payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default(),
            )
        }
    }
}

/// Which contract a [`Broken`] store breaks.
#[derive(Clone, Copy, PartialEq)]
enum Flaw {
    FoldsCase,
    LogsIds,
    ListsByPrefix,
    StoresExpired,
    CountsNothing,
    UpdateUpserts,
    TouchKeepsLastSeen,
    SignsOutByOwnClock,
    ResavedListsTwice,
}

/// The reference store with one flaw.
#[derive(Clone)]
struct Broken {
    inner: MemoryStore,
    flaw: Flaw,
    /// Handles saved again while stored, until deleted: [`Flaw::ResavedListsTwice`] lists them
    /// twice.
    resaved: Arc<Mutex<HashSet<String>>>,
}

impl Broken {
    fn id(&self, id: &str) -> String {
        if self.flaw == Flaw::FoldsCase {
            id.to_lowercase()
        } else {
            id.to_owned()
        }
    }
}

#[async_trait::async_trait]
impl SessionStore for Broken {
    async fn load_session(&self, id: &str) -> Result<Option<Session>, SessionError> {
        if self.flaw == Flaw::LogsIds {
            tracing::info!(session_id = id, "loading");
        }
        let loaded = self.inner.load_session(&self.id(id)).await?;
        Ok(loaded.map(|s| Session {
            id: id.to_owned(),
            ..s
        }))
    }
    async fn save_session(&self, session: &Session) -> Result<(), SessionError> {
        let mut session = Session {
            id: self.id(&session.id),
            ..session.clone()
        };
        if self.flaw == Flaw::ResavedListsTwice {
            // An identity index that appends on every save instead of keeping a set.
            if self.inner.load_session(&session.id).await?.is_some() {
                let handle = session_handle(&session.id);
                self.resaved.lock().unwrap().insert(handle);
            }
        }
        if self.flaw == Flaw::StoresExpired && session.is_expired() {
            session.expires_at = Utc::now() + chrono::Duration::hours(1);
        }
        self.inner.save_session(&session).await
    }
    async fn update_session(&self, session: &Session) -> Result<bool, SessionError> {
        if self.flaw == Flaw::UpdateUpserts {
            // What an app gets by saving a changed session: it brings back a revoked one.
            self.save_session(session).await?;
            return Ok(true);
        }
        let session = Session {
            id: self.id(&session.id),
            ..session.clone()
        };
        self.inner.update_session(&session).await
    }
    async fn delete_session(&self, id: &str) -> Result<(), SessionError> {
        self.resaved.lock().unwrap().remove(&session_handle(id));
        self.inner.delete_session(&self.id(id)).await
    }
    async fn touch_session(
        &self,
        id: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<bool, SessionError> {
        let id = self.id(id);
        if self.flaw == Flaw::TouchKeepsLastSeen {
            // Moves the expiry with a save that keeps every other fact as stored.
            return match self.inner.load_session(&id).await? {
                Some(session) => {
                    let moved = Session {
                        expires_at,
                        ..session
                    };
                    self.inner.update_session(&moved).await
                }
                None => Ok(false),
            };
        }
        self.inner.touch_session(&id, expires_at).await
    }
    async fn delete_expired(&self) -> Result<u64, SessionError> {
        let removed = self.inner.delete_expired().await?;
        Ok(if self.flaw == Flaw::CountsNothing {
            0
        } else {
            removed
        })
    }
    async fn list_identity_sessions(
        &self,
        provider_id: &str,
        external_id: &str,
    ) -> Result<Vec<SessionInfo>, SessionError> {
        let exact = self
            .inner
            .list_identity_sessions(provider_id, external_id)
            .await?;
        if self.flaw == Flaw::ResavedListsTwice {
            let resaved = self.resaved.lock().unwrap();
            let twice = exact.iter().filter(|info| resaved.contains(&info.handle));
            let twice: Vec<SessionInfo> = twice.cloned().collect();
            return Ok(exact.into_iter().chain(twice).collect());
        }
        if self.flaw != Flaw::ListsByPrefix || provider_id.len() < 2 {
            return Ok(exact);
        }
        // Also "find" sessions whose provider merely extends this one, as a LIKE 'x%' would.
        let mut all = exact;
        for suffix in ["x", "ub", "hub"] {
            all.extend(
                self.inner
                    .list_identity_sessions(&format!("{provider_id}{suffix}"), external_id)
                    .await?,
            );
        }
        Ok(all)
    }
    async fn delete_session_by_handle(&self, handle: &str) -> Result<(), SessionError> {
        self.inner.delete_session_by_handle(handle).await
    }
    async fn delete_identity_sessions(
        &self,
        provider_id: &str,
        external_id: &str,
    ) -> Result<u64, SessionError> {
        if self.flaw == Flaw::SignsOutByOwnClock {
            // Only what this instance's clock calls live, as an index pruned by time would give.
            let live = self
                .list_identity_sessions(provider_id, external_id)
                .await?;
            for info in &live {
                self.inner.delete_session_by_handle(&info.handle).await?;
            }
            return Ok(live.len() as u64);
        }
        self.inner
            .delete_identity_sessions(provider_id, external_id)
            .await
    }
}

fn broken(flaw: Flaw) -> Broken {
    Broken {
        inner: MemoryStore::default(),
        flaw,
        resaved: Arc::default(),
    }
}

#[tokio::test]
async fn the_reference_store_passes() {
    run_conformance(MemoryStore::default()).await;
    let store = MemoryStore::default();
    let data = store.clone();
    Conformance::new(store)
        .clock_skew(move |clock| data.clone().with_clock(clock))
        .run()
        .await;
}

#[tokio::test]
async fn server_side_expiry_mode_expects_zero_from_delete_expired() {
    Conformance::new(broken(Flaw::CountsNothing))
        .server_side_expiry()
        .run()
        .await;
}

#[tokio::test]
async fn each_flaw_fails_naming_its_semantic() {
    let cases = [
        (Flaw::FoldsCase, "semantic 7 "),
        (Flaw::LogsIds, "semantic 17 "),
        (Flaw::ListsByPrefix, "semantic 9 "),
        (Flaw::StoresExpired, "semantic 5 "),
        (Flaw::CountsNothing, "semantic 8 "),
        (Flaw::UpdateUpserts, "semantic 23 "),
        (Flaw::TouchKeepsLastSeen, "semantic 22 "),
        (Flaw::SignsOutByOwnClock, "semantic 25 "),
        // Only a sequence of operations meets this one: no single check saves a session twice
        // under one identity and then lists it.
        (Flaw::ResavedListsTwice, "conformance: model-based check: "),
    ];
    for (flaw, semantic) in cases {
        let message = failure_of(broken(flaw))
            .await
            .unwrap_or_else(|| panic!("a store with a flaw passed; expected {semantic}"));
        assert!(
            message.contains(semantic),
            "expected a failure naming {semantic}, got: {message}"
        );
    }
}
