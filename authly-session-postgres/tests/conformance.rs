//! The core's conformance suite and the SQL checks every server backend runs
//! ([`authly_session_sql::server_tests!`]), then what only PostgreSQL can check, against a real
//! server named by `AUTHLY_TEST_POSTGRES_URL`. Every test works on a fresh table of its own; the
//! tests that need the server are ignored unless run with `--include-ignored` (as
//! `cargo xtask test` does).

use authly_session::testing::{ForeignValue, StoredField, server_url, unique_name};
use authly_session::{Identity, Session, SessionStore};
use authly_session_postgres::sqlx::{self, AssertSqlSafe};
use authly_session_postgres::{PostgresDialect, PostgresStore};
use authly_session_sql::DELETE_EXPIRED_BATCH;
use authly_session_sql::testing::Fixtures;

/// The variable naming the test server.
const URL: &str = "AUTHLY_TEST_POSTGRES_URL";

authly_session_sql::server_tests! {
    PostgresDialect, schema_tables: true,
    url: URL, ignore: "needs AUTHLY_TEST_POSTGRES_URL",
    foreign: FOREIGN_TIMES,
}

/// Times a TIMESTAMPTZ column holds that no store writes: a DBA's infinities, years past 9999,
/// dates BC and before 1970.
const FOREIGN_TIMES: &[ForeignValue] = &[
    ForeignValue::new(StoredField::ExpiresAt, "'infinity'"),
    ForeignValue::new(StoredField::ExpiresAt, "'-infinity'"),
    ForeignValue::new(StoredField::ExpiresAt, "'10000-01-01 00:00:00+00'"),
    ForeignValue::new(StoredField::ExpiresAt, "'294276-12-31 23:59:59+00'"),
    ForeignValue::new(StoredField::ExpiresAt, "'0044-03-15 12:00:00+00 BC'"),
    ForeignValue::new(StoredField::CreatedAt, "'infinity'"),
    ForeignValue::new(StoredField::CreatedAt, "'-infinity'"),
    ForeignValue::new(StoredField::CreatedAt, "'4713-01-01 00:00:00+00 BC'"),
    ForeignValue::new(StoredField::CreatedAt, "'1969-12-31 23:59:59.999999+00'"),
    ForeignValue::new(StoredField::LastSeenAt, "'infinity'"),
    ForeignValue::new(StoredField::LastSeenAt, "'-infinity'"),
    ForeignValue::new(StoredField::LastSeenAt, "'12345-06-07 00:00:00+00'"),
];

/// Semantic 27: behind `LOCK TABLE ... ACCESS EXCLUSIVE` held by another connection, every
/// operation gives up with a timeout error in time (`load_session` used to wait for as long as
/// the lock was held).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs AUTHLY_TEST_POSTGRES_URL"]
async fn a_table_lock_held_forever_is_a_timeout_not_a_hang() {
    Fixtures::<PostgresDialect>::check_lock_held_forever(&server_url(URL), |table| {
        format!("BEGIN; LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
    })
    .await;
}

/// Runs `sql` (one or more statements) on the store's pool.
async fn run(store: &PostgresStore, sql: String) {
    sqlx::raw_sql(AssertSqlSafe(sql))
        .execute(store.pool())
        .await
        .expect("raw SQL");
}

#[tokio::test]
#[ignore = "needs AUTHLY_TEST_POSTGRES_URL"]
async fn migrate_creates_the_expiry_and_identity_indexes() {
    let store = Fixtures::<PostgresDialect>::fresh_store(&server_url(URL), "indexes").await;
    assert_eq!(indexed_columns(&store, "public").await, SCHEMA_3_INDEXES);
    Fixtures::drop_table(&store).await;
}

/// The indexes of schema 3: the identity index holds no expiry.
const SCHEMA_3_INDEXES: [&str; 3] = ["(expires_at)", "(handle)", "(identity_key, handle)"];

/// The column list of each index on the store's table in `schema`, sorted.
async fn indexed_columns(store: &PostgresStore, schema: &str) -> Vec<String> {
    let definitions: Vec<String> = sqlx::query_scalar(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = $2",
    )
    .bind(schema)
    .bind(store.table().name())
    .fetch_all(store.pool())
    .await
    .unwrap();
    let mut columns: Vec<String> = definitions
        .iter()
        .map(|d| d[d.rfind('(').expect("a column list")..].to_owned())
        .collect();
    columns.sort();
    columns
}

#[tokio::test]
#[ignore = "needs AUTHLY_TEST_POSTGRES_URL"]
async fn a_schema_qualified_table_works_and_keeps_its_version_in_that_schema() {
    let pool = Fixtures::<PostgresDialect>::small_pool(&server_url(URL)).await;
    let schema = unique_name("authly_schema");
    let store = PostgresStore::with_table_name(pool, &format!("{schema}.Sessions")).unwrap();
    run(&store, format!("CREATE SCHEMA \"{schema}\"")).await;
    // Through version 2, whose identity index version 3 must find in this schema and replace.
    store.migrate_to(2).await.unwrap();
    store.migrate().await.unwrap();
    store.migrate().await.unwrap();
    assert_eq!(indexed_columns(&store, &schema).await, SCHEMA_3_INDEXES);
    // Every statement names the qualified table.
    Fixtures::<PostgresDialect>::suite(&store).run().await;

    let session = Session::new(
        Identity::new("github", "schema"),
        chrono::Duration::hours(1),
    );
    store.save_session(&session).await.unwrap();
    let count: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT count(*) FROM \"{schema}\".\"Sessions\""
    )))
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert_eq!(count, 1, "the session lives in the qualified table");
    let version: Option<i64> = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT version FROM \"{schema}\".authly_session_schema WHERE table_name = $1"
    )))
    .bind(format!("{schema}.Sessions"))
    .fetch_optional(store.pool())
    .await
    .unwrap();
    assert_eq!(
        version,
        Fixtures::<PostgresDialect>::recorded_version(&store).await,
        "the version is recorded in the table's own schema"
    );
    assert!(version.is_some());

    run(&store, format!("DROP SCHEMA \"{schema}\" CASCADE")).await;
}

/// Semantic 21, watched from inside the server: a statement-level trigger records how many rows
/// each DELETE statement removed while the shared backlog check runs.
#[tokio::test]
#[ignore = "needs AUTHLY_TEST_POSTGRES_URL"]
async fn delete_expired_removes_at_most_one_batch_per_statement() {
    let store = Fixtures::<PostgresDialect>::fresh_store(&server_url(URL), "batches").await;
    let table = store.table().quoted('"');
    let log = unique_name("backlog_log");
    run(
        &store,
        format!(
            "CREATE TABLE \"{log}\" (removed BIGINT NOT NULL);
             CREATE FUNCTION \"{log}_fn\"() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN INSERT INTO \"{log}\" SELECT count(*) FROM gone; RETURN NULL; END $$;
             CREATE TRIGGER \"{log}_trg\" AFTER DELETE ON {table}
                 REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION \"{log}_fn\"();"
        ),
    )
    .await;

    Fixtures::<PostgresDialect>::check_expired_backlog(&store).await;
    let batches: Vec<i64> =
        sqlx::query_scalar(AssertSqlSafe(format!("SELECT removed FROM \"{log}\"")))
            .fetch_all(store.pool())
            .await
            .unwrap();
    // Three statements at least remove the backlog of two and a bit batches; the trigger also
    // logs the check's cleanup of its live session.
    assert!(batches.len() >= 3, "{batches:?}");
    assert!(
        batches
            .iter()
            .all(|&n| u64::try_from(n).is_ok_and(|n| n <= DELETE_EXPIRED_BATCH)),
        "a statement removed more than one batch: {batches:?}"
    );

    Fixtures::drop_table(&store).await;
    run(
        &store,
        format!("DROP TABLE \"{log}\"; DROP FUNCTION \"{log}_fn\"();"),
    )
    .await;
}

/// Coalesced writes: a save the database refuses (a CHECK constraint rejects any row carrying
/// the poison mark) fails alone; the saves and deletes that shared its statement succeed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs AUTHLY_TEST_POSTGRES_URL"]
async fn a_failing_write_leaves_its_batch_neighbours_correct() {
    let store = Fixtures::<PostgresDialect>::fresh_store(&server_url(URL), "batch").await;
    Fixtures::<PostgresDialect>::check_failing_write_in_a_batch(&store, |table| {
        let mark = authly_session_sql::testing::POISON_MARK;
        format!("ALTER TABLE {table} ADD CONSTRAINT poison CHECK (data NOT LIKE '%{mark}%')")
    })
    .await;
    Fixtures::drop_table(&store).await;
}
