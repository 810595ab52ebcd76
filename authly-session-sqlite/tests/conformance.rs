//! The core's conformance suite, the SQL checks every SQL backend runs
//! ([`authly_session_sql::store_tests!`]), and what only SQLite can check, against real SQLite
//! databases: in memory and in files. No server needed.

use authly_session::testing::{Conformance, ForeignValue, Semantic, StoredField, unique_name};
use authly_session::{Identity, Session, SessionError, SessionStore};
use authly_session_sql::testing::Fixtures;
use authly_session_sqlite::sqlx;
use authly_session_sqlite::{SqliteDialect, SqliteStore};

authly_session_sql::store_tests!(
    SqliteDialect,
    [],
    memory_store().await,
    foreign: FOREIGN_TIMES,
);

/// Values an INTEGER column of SQLite holds that no store writes: integers past chrono's range
/// or year 9999, negative ones, text, reals and blobs (SQLite keeps what it is given).
const FOREIGN_TIMES: &[ForeignValue] = &[
    ForeignValue::new(StoredField::ExpiresAt, "9223372036854775807"),
    ForeignValue::new(StoredField::ExpiresAt, "253402300800000000"),
    ForeignValue::new(StoredField::ExpiresAt, "'not a number'"),
    ForeignValue::new(StoredField::ExpiresAt, "1e300"),
    ForeignValue::new(StoredField::ExpiresAt, "-9223372036854775808"),
    ForeignValue::new(StoredField::CreatedAt, "-1"),
    ForeignValue::new(StoredField::CreatedAt, "'2024-01-01T00:00:00Z'"),
    ForeignValue::new(StoredField::CreatedAt, "x'00ff'"),
    ForeignValue::new(StoredField::CreatedAt, "9223372036854775807"),
    ForeignValue::new(StoredField::LastSeenAt, "1.5"),
    ForeignValue::new(StoredField::LastSeenAt, "'yesterday'"),
    ForeignValue::new(StoredField::LastSeenAt, "-9223372036854775808"),
];

type Sqlite = Fixtures<SqliteDialect>;

async fn memory_store() -> SqliteStore {
    let store = SqliteStore::connect("sqlite::memory:")
        .await
        .expect("in-memory database");
    store.migrate().await.expect("migrate");
    store
}

/// The URL of a database file `name` in a fresh directory.
fn temp_db(name: &str) -> String {
    let dir = std::env::temp_dir().join(unique_name("authly_sqlite_test"));
    std::fs::create_dir_all(&dir).expect("temp dir");
    format!("sqlite://{}", dir.join(name).display())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_in_memory() {
    Fixtures::<SqliteDialect>::suite(&memory_store().await)
        .run()
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_on_a_file_in_wal_mode() {
    let url = temp_db("sessions.db");
    let store = SqliteStore::connect(&url).await.expect("file database");
    store.migrate().await.expect("migrate");
    Fixtures::<SqliteDialect>::suite(&store).run().await;
    let path = url.trim_start_matches("sqlite://");
    assert!(
        std::path::Path::new(path).exists(),
        "connect must create the file"
    );
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
    Sqlite::check_table_names(pool, false);
}

/// Two processes migrating one file at once: each store opens its own pools on it.
#[tokio::test]
async fn migrate_is_idempotent_concurrent_safe_and_records_the_version() {
    Sqlite::check_migrate(&temp_db("migrate.db")).await;
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

/// The bad-input semantics one at a time, each on a fresh database (`run_semantic`, as a backend
/// author runs one while fixing it): a failure names the semantic it broke.
#[tokio::test]
async fn bad_input_semantics_each_hold_on_their_own() {
    for semantic in [
        Semantic::LOAD_NONE,
        Semantic::SAVE_INVALID,
        Semantic::DELETE_IDEMPOTENT,
        Semantic::STRINGS,
        Semantic::SECRET_ID,
    ] {
        Conformance::new(memory_store().await)
            .run_semantic(semantic)
            .await;
    }
}

/// A `migrate()` dropped at any point (a request timeout, a cancelled start-up) leaves no open
/// transaction on the single writer connection: the next migration and writes still work.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_migration_leaves_the_writer_usable() {
    let store = SqliteStore::connect(&temp_db("cancel")).await.unwrap();
    for step in 0..40u64 {
        let table = store.on_table(&unique_name("cancelled")).unwrap();
        let budget = std::time::Duration::from_micros(50 * step);
        let _ = tokio::time::timeout(budget, table.migrate()).await;
        let finished = tokio::time::timeout(std::time::Duration::from_secs(10), table.migrate())
            .await
            .expect("a migration after a cancelled one hangs");
        finished.unwrap_or_else(|e| panic!("after a migration cancelled at {budget:?}: {e}"));
        let session = Session::new(Identity::new("cancel", "user"), chrono::Duration::hours(1));
        table.save_session(&session).await.unwrap();
        assert!(table.load_session(&session.id).await.unwrap().is_some());
    }
}

/// Semantic 28 on a database file in WAL mode: another connection's primary-key reads stay fast
/// while 100,000 sessions of one identity are listed and signed out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_identity_with_100000_sessions_never_stalls_another_client() {
    let url = temp_db("bounded.db");
    let store = SqliteStore::connect(&url).await.expect("file database");
    store.migrate().await.expect("migrate");
    Fixtures::<SqliteDialect>::check_bounded_work(&store).await;
    let dir = std::path::Path::new(url.trim_start_matches("sqlite://"))
        .parent()
        .expect("a directory");
    std::fs::remove_dir_all(dir).expect("remove the database");
}

/// Coalesced writes: a save the database refuses (triggers abort any row carrying the poison
/// mark) fails alone; the saves and deletes that shared its statement succeed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_write_leaves_its_batch_neighbours_correct() {
    let store = SqliteStore::connect(&temp_db("batch.db"))
        .await
        .expect("file database");
    store.migrate().await.expect("migrate");
    Sqlite::check_failing_write_in_a_batch(&store, |table| {
        let mark = authly_session_sql::testing::POISON_MARK;
        ["INSERT", "UPDATE"]
            .map(|event| {
                format!(
                    "CREATE TRIGGER poison_{event} BEFORE {event} ON {table} \
                     WHEN NEW.data LIKE '%{mark}%' BEGIN SELECT RAISE(ABORT, 'poisoned'); END;"
                )
            })
            .join("\n")
    })
    .await;
}
