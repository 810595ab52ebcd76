//! Semantic 27 on SQLite: while another connection holds the database's write lock forever
//! (`BEGIN EXCLUSIVE` on the same file), every write gives up with a timeout error within its
//! bound instead of waiting, reads go on (WAL mode), and once the lock goes the same store works.

use std::time::{Duration, Instant};

use authly_session::store_kit::OperationTimeout;
use authly_session::testing::unique_name;
use authly_session::{Identity, Session, SessionError, SessionStore, session_handle};
use authly_session_sql::testing::{TEST_TIMEOUT, TEST_TIMEOUT_BOUND};
use authly_session_sqlite::SqliteStore;
use authly_session_sqlite::sqlx::{self, Connection, SqliteConnection};

/// SQLite's busy timeout on the store's connections, and a margin: with the default timeout,
/// a write gives up when the busy timeout ends.
const BUSY_BOUND: Duration = Duration::from_secs(7);

type Write<'a> = std::pin::Pin<Box<dyn Future<Output = Result<(), SessionError>> + Send + 'a>>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_time_out_behind_a_lock_held_forever_and_recover() {
    let dir = std::env::temp_dir().join(unique_name("authly_sqlite_locked"));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let url = format!("sqlite://{}", dir.join("sessions.db").display());
    let store = SqliteStore::connect(&url)
        .await
        .expect("file database")
        .with_timeout(TEST_TIMEOUT);
    store.migrate().await.expect("migrate");
    let identity = Identity::new("locked", "user");
    let session = Session::new(identity.clone(), chrono::Duration::hours(1));
    store.save_session(&session).await.expect("save");

    let mut holder = SqliteConnection::connect(&url)
        .await
        .expect("a second connection");
    sqlx::raw_sql("BEGIN EXCLUSIVE; DELETE FROM authly_sessions WHERE 0")
        .execute(&mut holder)
        .await
        .expect("hold the write lock");

    let (id, handle) = (session.id.as_str(), session_handle(&session.id));
    let later = chrono::Utc::now() + chrono::Duration::hours(2);
    let writes: [(&str, Write<'_>); 7] = [
        ("save_session", store.save_session(&session)),
        (
            "update_session",
            Box::pin(async { store.update_session(&session).await.map(drop) }),
        ),
        (
            "touch_session",
            Box::pin(async { store.touch_session(id, later).await.map(drop) }),
        ),
        ("delete_session", store.delete_session(id)),
        (
            "delete_expired",
            Box::pin(async { store.delete_expired().await.map(drop) }),
        ),
        (
            "delete_session_by_handle",
            store.delete_session_by_handle(&handle),
        ),
        (
            "delete_identity_sessions",
            Box::pin(async {
                store
                    .delete_identity_sessions("locked", "user")
                    .await
                    .map(drop)
            }),
        ),
    ];
    let mut measured = Vec::new();
    for (name, write) in writes {
        let started = Instant::now();
        let result = tokio::time::timeout(TEST_TIMEOUT_BOUND, write).await;
        let took = started.elapsed();
        assert!(
            matches!(result, Ok(Err(SessionError::Timeout { .. }))),
            "{name} behind the lock gave {result:?} after {took:?}"
        );
        measured.push(format!("{name} {:.2}s", took.as_secs_f64()));
    }
    println!(
        "SQLite writes behind a held lock, time to error: {}",
        measured.join(", ")
    );

    // Reads do not need the write lock.
    let loaded = store.load_session(id).await.expect("load behind the lock");
    assert!(loaded.is_some());
    assert_eq!(
        store
            .list_identity_sessions("locked", "user")
            .await
            .unwrap()
            .len(),
        1
    );

    // With the default timeout, SQLite's own busy timeout ends the wait: a timeout error too.
    let default = store.clone().with_timeout(OperationTimeout::DEFAULT.get());
    let started = Instant::now();
    let result = tokio::time::timeout(BUSY_BOUND, default.save_session(&session)).await;
    let took = started.elapsed();
    assert!(
        matches!(result, Ok(Err(SessionError::Timeout { .. }))),
        "a save behind the lock with the default timeout gave {result:?} after {took:?}"
    );
    println!(
        "SQLite save behind a held lock, default timeout: {:.2}s",
        took.as_secs_f64()
    );

    holder.close().await.expect("release the lock");
    let fresh = Session::new(identity, chrono::Duration::hours(1));
    let started = Instant::now();
    loop {
        let attempt = async {
            store.save_session(&fresh).await?;
            store.load_session(&fresh.id).await
        };
        match attempt.await {
            Ok(Some(_)) => break,
            other => {
                assert!(
                    started.elapsed() < TEST_TIMEOUT_BOUND * 3,
                    "the store did not work again once the lock was gone: {other:?}"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    println!(
        "SQLite recovered in {:.2}s",
        started.elapsed().as_secs_f64()
    );
    assert_eq!(
        store
            .delete_identity_sessions("locked", "user")
            .await
            .unwrap(),
        2
    );
    let _ = std::fs::remove_dir_all(&dir);
}
