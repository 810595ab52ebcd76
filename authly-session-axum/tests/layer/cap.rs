//! The cap on sessions per identity evicts the least recently seen.

use authly_session::SessionStore;
use authly_session::testing::MemoryStore;
use authly_session_axum::SessionConfig;
use chrono::Duration;

use crate::common::{app, id_of, signed_in, stored_session};

#[tokio::test]
async fn sign_in_beyond_the_cap_ends_the_least_recently_seen_sessions() {
    let store = MemoryStore::new();
    let app = app(
        store.clone(),
        SessionConfig::default().max_sessions_per_identity(Some(2)),
    );
    let day = Duration::days(1);
    let oldest = stored_session(&store, "alice", day, Duration::hours(3), Duration::hours(5)).await;
    let older = stored_session(&store, "alice", day, Duration::hours(2), Duration::hours(6)).await;
    let recent = stored_session(&store, "alice", day, Duration::hours(1), Duration::hours(7)).await;
    let other_user =
        stored_session(&store, "bob", day, Duration::hours(4), Duration::hours(4)).await;
    let new = signed_in(&app, "alice").await;
    let live = |id: String| {
        let store = store.clone();
        async move { store.load_session(&id).await.unwrap().is_some() }
    };
    assert!(live(id_of(&new).to_owned()).await);
    assert!(
        live(recent.id.clone()).await,
        "the most recently seen other session stays"
    );
    assert!(!live(older.id.clone()).await);
    assert!(!live(oldest.id.clone()).await);
    assert!(
        live(other_user.id.clone()).await,
        "other identities untouched"
    );
    assert_eq!(
        store
            .list_identity_sessions("test", "alice")
            .await
            .unwrap()
            .len(),
        2
    );
}
