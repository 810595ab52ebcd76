//! The core's conformance suite, and what only SQLite can check, against real SQLite databases.

use authly_session::testing::{self, unique_name};
use authly_session::{Identity, Session, SessionError, SessionStore};
use authly_session_sqlite::SqliteStore;
use authly_session_sqlite::sqlx::{self, Row};

async fn memory_store() -> SqliteStore {
    let store = SqliteStore::connect("sqlite::memory:")
        .await
        .expect("in-memory database");
    store.migrate().await.expect("migrate");
    store
}

fn temp_db(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(unique_name("authly_sqlite_test"));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_in_memory() {
    testing::run_conformance(memory_store().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_on_a_file() {
    let path = temp_db("sessions.db");
    let store = SqliteStore::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("file database");
    store.migrate().await.expect("migrate");
    testing::run_conformance(store.clone()).await;
    assert!(path.exists(), "connect must create the file");
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(mode, "wal");
}

#[tokio::test]
async fn memory_database_is_one_database_for_the_whole_store() {
    let store = memory_store().await;
    let session = Session::new(Identity::new("github", "1"), chrono::Duration::hours(1));
    store.save_session(&session).await.unwrap();
    // Many reads at once would open many connections if the pool allowed it; each must see the row.
    let loads = (0..16).map(|_| {
        let store = store.clone();
        let id = session.id.clone();
        tokio::spawn(async move { store.load_session(&id).await })
    });
    for load in loads {
        assert!(load.await.unwrap().unwrap().is_some());
    }
}

#[tokio::test]
async fn table_names_are_validated() {
    let pool = sqlx::SqlitePool::connect("sqlite::memory:").await.unwrap();
    testing::check_table_names(
        |name| SqliteStore::with_table_name(pool.clone(), name).map(drop),
        false,
    );
}

#[tokio::test]
async fn migrate_is_idempotent_and_concurrent_safe() {
    let url = format!("sqlite://{}", temp_db("migrate.db").display());
    testing::check_concurrent_migrate(|| {
        let url = url.clone();
        async move { SqliteStore::connect(&url).await?.migrate().await }
    })
    .await;
    let store = SqliteStore::connect(&url).await.unwrap();
    let version: i64 = sqlx::query_scalar(
        "SELECT version FROM authly_session_schema WHERE table_name = 'authly_sessions'",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert_eq!(version, 1, "migrate records the schema version");
}

#[tokio::test]
async fn tables_are_isolated() {
    let a = memory_store().await;
    let b = a.on_table("other_sessions").unwrap();
    b.migrate().await.unwrap();
    testing::check_isolation(&a, &b).await;
}

#[tokio::test]
async fn sessions_are_hashed_at_rest() {
    let store = memory_store().await;
    let pool = store.pool().clone();
    testing::check_hashed_at_rest(&store, || async move {
        let rows = sqlx::query(
            "SELECT handle, identity_key, data, CAST(expires_at AS TEXT) FROM authly_sessions",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        rows.iter()
            .flat_map(|row| (0..4).map(move |i| row.get::<String, _>(i)))
            .collect::<Vec<_>>()
            .join("\n")
    })
    .await;
}

#[tokio::test]
async fn a_corrupted_row_is_a_decode_error_naming_the_table_and_others_still_load() {
    let store = memory_store().await;
    let pool = store.pool().clone();
    testing::check_corrupted_payload(&store, "authly_sessions", |handle| async move {
        sqlx::query("UPDATE authly_sessions SET data = 'not json {' WHERE handle = ?1")
            .bind(handle)
            .execute(&pool)
            .await
            .unwrap();
    })
    .await;
}

#[tokio::test]
async fn connect_names_the_path_it_cannot_create() {
    let path = std::env::temp_dir()
        .join(unique_name("missing_dir"))
        .join("sessions.db");
    let error = SqliteStore::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap_err();
    assert!(matches!(error, SessionError::Backend { .. }), "{error:?}");
    assert!(
        error.to_string().contains(&path.display().to_string()),
        "{error}"
    );
}

#[tokio::test]
async fn delete_expired_works_through_a_backlog_larger_than_one_batch() {
    let store = memory_store().await;
    let pool = store.pool().clone();
    testing::check_expired_backlog(&store, |count| async move {
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1) \
             INSERT INTO authly_sessions (handle, identity_key, data, expires_at) \
             SELECT printf('%064x', i), 'k', '{}', 1 FROM n",
        )
        .bind(count as i64)
        .execute(&pool)
        .await
        .unwrap();
    })
    .await;
}

/// The bad-input semantics, each in a test of its own so a failure points straight at it.
mod bad_input {
    use super::*;
    use authly_session::testing::Conformance;

    #[tokio::test]
    async fn semantic_3_load_of_unknown_or_invalid_ids_is_none() {
        Conformance::new(memory_store().await).run_semantic(3).await;
    }

    #[tokio::test]
    async fn semantic_4_save_with_an_invalid_id_fails_and_writes_nothing() {
        Conformance::new(memory_store().await).run_semantic(4).await;
    }

    #[tokio::test]
    async fn semantic_6_delete_is_idempotent() {
        Conformance::new(memory_store().await).run_semantic(6).await;
    }

    #[tokio::test]
    async fn semantic_11_hostile_strings_round_trip() {
        Conformance::new(memory_store().await)
            .run_semantic(11)
            .await;
    }

    #[tokio::test]
    async fn semantic_17_errors_and_debug_output_hide_ids() {
        Conformance::new(memory_store().await)
            .run_semantic(17)
            .await;
    }
}
