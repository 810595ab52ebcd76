//! The core's conformance suite, and what only PostgreSQL can check, against a real server named
//! by `AUTHLY_TEST_POSTGRES_URL`. Every test works on a fresh table of its own.

use std::time::{Duration, Instant};

use authly_session::testing::{self, server_url, unique_name};
use authly_session::{DELETE_EXPIRED_BATCH, Identity, Session, SessionError, SessionStore};
use authly_session_postgres::PostgresStore;
use authly_session_postgres::sqlx::postgres::PgPoolOptions;
use authly_session_postgres::sqlx::{self, AssertSqlSafe, PgPool};

const URL_VARIABLE: &str = "AUTHLY_TEST_POSTGRES_URL";

/// A small pool: tests run in parallel, and other suites share the server.
async fn small_pool(url: &str) -> PgPool {
    PgPoolOptions::new()
        .max_connections(4)
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await
        .expect("connect to the test server")
}

/// A migrated store on a fresh table, or `None` (after one skip line) without a server.
async fn fresh_store(base: &str) -> Option<PostgresStore> {
    let url = server_url(URL_VARIABLE)?;
    let store = PostgresStore::with_table_name(small_pool(&url).await, &unique_name(base))
        .expect("valid table name");
    store.migrate().await.expect("migrate");
    Some(store)
}

/// Drops the store's table and its schema-version record.
async fn drop_table(store: &PostgresStore) {
    let table = store.table();
    sqlx::raw_sql(AssertSqlSafe(format!(
        "DROP TABLE IF EXISTS {}",
        table.quoted('"')
    )))
    .execute(store.pool())
    .await
    .expect("drop table");
    sqlx::query(AssertSqlSafe(table.render(
        "DELETE FROM authly_session_schema WHERE table_name = $1",
        '"',
    )))
    .bind(table.to_string())
    .execute(store.pool())
    .await
    .expect("forget schema version");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance() {
    let Some(url) = server_url(URL_VARIABLE) else {
        return;
    };
    let store = PostgresStore::connect(&url)
        .await
        .expect("connect")
        .on_table(&unique_name("conformance"))
        .expect("valid table name");
    store.migrate().await.expect("migrate");
    let started = Instant::now();
    testing::run_conformance(store.clone()).await;
    println!(
        "conformance suite on PostgreSQL took {:?}",
        started.elapsed()
    );
    drop_table(&store).await;
}

#[tokio::test]
async fn table_names_are_validated() {
    // A lazy pool never connects: validation needs no server.
    let pool = PgPool::connect_lazy("postgres://nobody@127.0.0.1:1/none").unwrap();
    testing::check_table_names(
        |name| PostgresStore::with_table_name(pool.clone(), name).map(drop),
        true,
    );
}

#[tokio::test]
async fn migrate_is_idempotent_concurrent_safe_and_records_the_version() {
    let Some(url) = server_url(URL_VARIABLE) else {
        return;
    };
    let table = unique_name("migrate");
    testing::check_concurrent_migrate(|| {
        let (url, table) = (url.clone(), table.clone());
        async move {
            let pool = PgPoolOptions::new()
                .max_connections(1)
                .connect(&url)
                .await
                .map_err(|e| SessionError::backend("connect", e))?;
            PostgresStore::with_table_name(pool, &table)?
                .migrate()
                .await
        }
    })
    .await;
    let store = PostgresStore::with_table_name(small_pool(&url).await, &table).unwrap();
    let version: i64 =
        sqlx::query_scalar("SELECT version FROM authly_session_schema WHERE table_name = $1")
            .bind(&table)
            .fetch_one(store.pool())
            .await
            .unwrap();
    assert_eq!(version, 1, "migrate records the schema version");
    let indexes: Vec<String> =
        sqlx::query_scalar("SELECT indexdef FROM pg_indexes WHERE tablename = $1")
            .bind(&table)
            .fetch_all(store.pool())
            .await
            .unwrap();
    for column in ["(expires_at)", "(identity_key, expires_at)"] {
        assert!(
            indexes.iter().any(|i| i.ends_with(column)),
            "no index on {column}: {indexes:?}"
        );
    }
    drop_table(&store).await;
}

#[tokio::test]
async fn a_schema_qualified_table_works_and_keeps_its_version_in_that_schema() {
    let Some(url) = server_url(URL_VARIABLE) else {
        return;
    };
    let pool = small_pool(&url).await;
    let schema = unique_name("authly_schema");
    sqlx::raw_sql(AssertSqlSafe(format!(
        "CREATE SCHEMA IF NOT EXISTS \"{schema}\""
    )))
    .execute(&pool)
    .await
    .unwrap();
    let store =
        PostgresStore::with_table_name(pool.clone(), &format!("{schema}.Sessions")).unwrap();
    store.migrate().await.unwrap();
    store.migrate().await.unwrap();

    let session = Session::new(
        Identity::new("github", "schema"),
        chrono::Duration::hours(1),
    );
    store.save_session(&session).await.unwrap();
    assert!(store.load_session(&session.id).await.unwrap().is_some());
    assert_eq!(
        store
            .list_identity_sessions("github", "schema")
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        store
            .touch_session(&session.id, chrono::Utc::now() + chrono::Duration::hours(2))
            .await
            .unwrap()
    );
    assert_eq!(store.delete_expired().await.unwrap(), 0);
    let count: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT count(*) FROM \"{schema}\".\"Sessions\""
    )))
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(count, 1, "the session lives in the qualified table");
    let version: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT version FROM \"{schema}\".authly_session_schema WHERE table_name = $1"
    )))
    .bind(format!("{schema}.Sessions"))
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(version, 1);
    store.delete_session(&session.id).await.unwrap();

    sqlx::raw_sql(AssertSqlSafe(format!("DROP SCHEMA \"{schema}\" CASCADE")))
        .execute(&pool)
        .await
        .unwrap();
}

#[tokio::test]
async fn tables_are_isolated() {
    let Some(a) = fresh_store("isolation_a").await else {
        return;
    };
    let b = a.on_table(&unique_name("isolation_b")).unwrap();
    b.migrate().await.unwrap();
    testing::check_isolation(&a, &b).await;
    drop_table(&a).await;
    drop_table(&b).await;
}

#[tokio::test]
async fn sessions_are_hashed_at_rest() {
    let Some(store) = fresh_store("hashed").await else {
        return;
    };
    let dump_sql = format!(
        "SELECT concat_ws(' ', handle, identity_key, data, expires_at::text) FROM {}",
        store.table().quoted('"')
    );
    let pool = store.pool().clone();
    testing::check_hashed_at_rest(&store, || async move {
        let rows: Vec<String> = sqlx::query_scalar(AssertSqlSafe(dump_sql))
            .fetch_all(&pool)
            .await
            .unwrap();
        rows.join("\n")
    })
    .await;
    drop_table(&store).await;
}

#[tokio::test]
async fn a_corrupted_row_is_a_decode_error_naming_the_table_and_others_still_load() {
    let Some(store) = fresh_store("corrupt").await else {
        return;
    };
    let update = format!(
        "UPDATE {} SET data = 'not json {{' WHERE handle = $1",
        store.table().quoted('"')
    );
    let pool = store.pool().clone();
    testing::check_corrupted_payload(&store, &store.table().to_string(), |handle| async move {
        sqlx::query(AssertSqlSafe(update))
            .bind(handle)
            .execute(&pool)
            .await
            .unwrap();
    })
    .await;
    drop_table(&store).await;
}

/// Semantic 21, watched from inside the server: a statement-level trigger records how many rows
/// each DELETE statement removed.
#[tokio::test]
async fn delete_expired_works_through_a_backlog_in_batches() {
    let Some(store) = fresh_store("backlog").await else {
        return;
    };
    let table = store.table().quoted('"');
    let log = unique_name("backlog_log");
    let run = |sql: String| {
        let pool = store.pool().clone();
        async move {
            sqlx::raw_sql(AssertSqlSafe(sql))
                .execute(&pool)
                .await
                .unwrap();
        }
    };
    run(format!(
        "CREATE TABLE \"{log}\" (removed BIGINT NOT NULL);
         CREATE FUNCTION \"{log}_fn\"() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN INSERT INTO \"{log}\" SELECT count(*) FROM gone; RETURN NULL; END $$;
         CREATE TRIGGER \"{log}_trg\" AFTER DELETE ON {table}
             REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION \"{log}_fn\"();"
    ))
    .await;

    let insert = format!(
        "INSERT INTO {table} (handle, identity_key, data, expires_at) \
         SELECT lpad(to_hex(i), 64, '0'), 'k', '{{}}', now() - interval '1 hour' \
         FROM generate_series(1, $1) AS i"
    );
    let pool = store.pool().clone();
    testing::check_expired_backlog(&store, |count| async move {
        sqlx::query(AssertSqlSafe(insert))
            .bind(count as i64)
            .execute(&pool)
            .await
            .unwrap();
    })
    .await;
    let batches: Vec<i64> =
        sqlx::query_scalar(AssertSqlSafe(format!("SELECT removed FROM \"{log}\"")))
            .fetch_all(store.pool())
            .await
            .unwrap();
    assert!(batches.len() >= 3, "{batches:?}");
    assert!(
        batches.iter().all(|&n| n <= DELETE_EXPIRED_BATCH as i64),
        "a statement removed more than one batch: {batches:?}"
    );
    // The removed count itself is checked by check_expired_backlog; the trigger also logs its
    // cleanup of the live session.

    drop_table(&store).await;
    run(format!(
        "DROP TABLE \"{log}\"; DROP FUNCTION \"{log}_fn\"();"
    ))
    .await;
}

#[tokio::test]
async fn a_bad_url_is_a_configuration_error() {
    let error = PostgresStore::connect("mysql://root@127.0.0.1/test")
        .await
        .unwrap_err();
    assert!(
        matches!(error, SessionError::InvalidConfiguration { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_unreachable_server_fails_within_the_acquire_timeout_and_hides_the_password() {
    let started = Instant::now();
    let error = PostgresStore::connect("postgres://user:hunter2secret@127.0.0.1:1/sessions")
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(error, SessionError::Backend { .. }), "{error:?}");
    let text = format!("{error} {error:?}");
    assert!(text.contains("127.0.0.1:1/sessions"), "{text}");
    assert!(!text.contains("hunter2secret"), "{text}");
}
