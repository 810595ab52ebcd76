//! The core's conformance suite, and what only MySQL / MariaDB can check, against a real server
//! named by `AUTHLY_TEST_MYSQL_URL`. Every test works on a fresh table of its own.

use std::str::FromStr;
use std::time::{Duration, Instant};

use authly_session::testing::{self, server_url, unique_name};
use authly_session::{Identity, Session, SessionError, SessionStore, session_handle};
use authly_session_mysql::MySqlStore;
use authly_session_mysql::sqlx::mysql::{MySqlConnectOptions, MySqlPoolOptions};
use authly_session_mysql::sqlx::{self, AssertSqlSafe, MySqlPool};
use chrono::Utc;

const URL_VARIABLE: &str = "AUTHLY_TEST_MYSQL_URL";

/// A small pool (tests run in parallel, and other suites share the server), in `time_zone`
/// when given.
async fn small_pool(url: &str, time_zone: Option<&str>) -> MySqlPool {
    let options = MySqlConnectOptions::from_str(url)
        .expect("test URL")
        .timezone(time_zone.map(str::to_owned));
    MySqlPoolOptions::new()
        .max_connections(4)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await
        .expect("connect to the test server")
}

/// A migrated store on a fresh table, or `None` (after one skip line) without a server.
async fn fresh_store(base: &str) -> Option<MySqlStore> {
    let url = server_url(URL_VARIABLE)?;
    let store = MySqlStore::with_table_name(small_pool(&url, None).await, &unique_name(base))
        .expect("valid table name");
    store.migrate().await.expect("migrate");
    Some(store)
}

/// Drops the store's table and its schema-version record.
async fn drop_table(store: &MySqlStore) {
    sqlx::raw_sql(AssertSqlSafe(format!(
        "DROP TABLE IF EXISTS {}",
        store.table().quoted('`')
    )))
    .execute(store.pool())
    .await
    .expect("drop table");
    sqlx::query("DELETE FROM authly_session_schema WHERE table_name = ?")
        .bind(store.table().to_string())
        .execute(store.pool())
        .await
        .expect("forget schema version");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance() {
    let Some(url) = server_url(URL_VARIABLE) else {
        return;
    };
    let store = MySqlStore::connect(&url)
        .await
        .expect("connect")
        .on_table(&unique_name("conformance"))
        .expect("valid table name");
    store.migrate().await.expect("migrate");
    let started = Instant::now();
    testing::run_conformance(store.clone()).await;
    println!("conformance suite on MySQL took {:?}", started.elapsed());
    drop_table(&store).await;
}

#[tokio::test]
async fn table_names_are_validated() {
    // A lazy pool never connects: validation needs no server.
    let pool = MySqlPool::connect_lazy("mysql://nobody@127.0.0.1:1/none").unwrap();
    testing::check_table_names(
        |name| MySqlStore::with_table_name(pool.clone(), name).map(drop),
        false,
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
            let pool = MySqlPoolOptions::new()
                .max_connections(1)
                .connect(&url)
                .await
                .map_err(|e| SessionError::backend("connect", e))?;
            MySqlStore::with_table_name(pool, &table)?.migrate().await
        }
    })
    .await;
    let store = MySqlStore::with_table_name(small_pool(&url, None).await, &table).unwrap();
    let version: i64 =
        sqlx::query_scalar("SELECT version FROM authly_session_schema WHERE table_name = ?")
            .bind(&table)
            .fetch_one(store.pool())
            .await
            .unwrap();
    assert_eq!(version, 1, "migrate records the schema version");

    let indexed: Vec<String> = sqlx::query_scalar(
        "SELECT CAST(GROUP_CONCAT(column_name ORDER BY seq_in_index) AS CHAR) \
         FROM information_schema.statistics \
         WHERE table_schema = DATABASE() AND table_name = ? GROUP BY index_name",
    )
    .bind(&table)
    .fetch_all(store.pool())
    .await
    .unwrap();
    for columns in ["handle", "expires_at", "identity_key,expires_at"] {
        assert!(
            indexed.iter().any(|i| i == columns),
            "no index on {columns}: {indexed:?}"
        );
    }
    let columns: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT CAST(column_name AS CHAR), CAST(column_type AS CHAR), \
         CAST(collation_name AS CHAR) FROM information_schema.columns \
         WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position",
    )
    .bind(&table)
    .fetch_all(store.pool())
    .await
    .unwrap();
    let column = |name: &str| {
        columns
            .iter()
            .find(|c| c.0 == name)
            .unwrap_or_else(|| panic!("no column {name}: {columns:?}"))
    };
    for key in ["handle", "identity_key"] {
        assert_eq!(
            column(key).2.as_deref(),
            Some("ascii_bin"),
            "{key} must compare byte for byte"
        );
    }
    assert_eq!(column("expires_at").1, "datetime(6)");
    assert_eq!(column("data").1, "mediumtext");
    drop_table(&store).await;
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
        "SELECT CONCAT_WS(' ', handle, identity_key, data, CAST(expires_at AS CHAR)) FROM {}",
        store.table().quoted('`')
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
        "UPDATE {} SET data = 'not json {{' WHERE handle = ?",
        store.table().quoted('`')
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

#[tokio::test]
async fn delete_expired_works_through_a_backlog_larger_than_one_batch() {
    let Some(store) = fresh_store("backlog").await else {
        return;
    };
    // 0..99999 from five copies of the ten digits: runs on MySQL 8 and MariaDB alike, with no
    // recursion limit to raise.
    let digits = "(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 \
                  UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 \
                  UNION ALL SELECT 8 UNION ALL SELECT 9)";
    let insert = format!(
        "INSERT INTO {table} (handle, identity_key, data, expires_at) \
         SELECT SHA2(n, 256), 'k', '{{}}', UTC_TIMESTAMP(6) - INTERVAL 1 HOUR FROM \
         (SELECT a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d AS n \
          FROM {digits} a, {digits} b, {digits} c, {digits} e, {digits} f) numbers \
         WHERE n < ?",
        table = store.table().quoted('`'),
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
    assert_eq!(store.delete_expired().await.unwrap(), 0);
    drop_table(&store).await;
}

/// MySQL counts changed rows by default; touching to the expiry a session already has must still
/// report the live session.
#[tokio::test]
async fn touching_to_the_same_expiry_twice_is_true_both_times() {
    let Some(store) = fresh_store("touch_same").await else {
        return;
    };
    let session = Session::new(Identity::new("github", "touch"), chrono::Duration::hours(1));
    store.save_session(&session).await.unwrap();
    let later = Utc::now() + chrono::Duration::hours(2);
    assert!(store.touch_session(&session.id, later).await.unwrap());
    assert!(store.touch_session(&session.id, later).await.unwrap());
    drop_table(&store).await;
}

/// Expiry is UTC in the table and judged by the application's clock, whatever the connection's
/// `time_zone`: a store must never lean on `NOW()` or `TIMESTAMP` conversion.
#[tokio::test]
async fn the_connection_time_zone_never_shifts_expiry() {
    let Some(utc) = fresh_store("time_zone").await else {
        return;
    };
    let url = server_url(URL_VARIABLE).expect("checked above");
    let table = utc.table().to_string();
    let east = MySqlStore::with_table_name(small_pool(&url, Some("+05:00")).await, &table).unwrap();
    let west = MySqlStore::with_table_name(small_pool(&url, Some("-05:00")).await, &table).unwrap();

    let session = Session::new(Identity::new("github", "tz"), chrono::Duration::hours(1));
    east.save_session(&session).await.unwrap();
    for store in [&utc, &east, &west] {
        let loaded = store.load_session(&session.id).await.unwrap();
        let loaded = loaded.expect("a session with an hour to live loads in every time zone");
        assert_eq!(
            authly_session::truncate_to_micros(loaded.expires_at),
            authly_session::truncate_to_micros(session.expires_at)
        );
        assert_eq!(
            store
                .list_identity_sessions("github", "tz")
                .await
                .unwrap()
                .len(),
            1
        );
    }
    let stored: String = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT CAST(expires_at AS CHAR) FROM {} WHERE handle = ?",
        utc.table().quoted('`')
    )))
    .bind(session_handle(&session.id))
    .fetch_one(west.pool())
    .await
    .unwrap();
    assert_eq!(
        stored,
        session
            .expires_at
            .format("%Y-%m-%d %H:%M:%S%.6f")
            .to_string(),
        "the column holds UTC"
    );

    sqlx::query(AssertSqlSafe(format!(
        "UPDATE {} SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 HOUR WHERE handle = ?",
        utc.table().quoted('`')
    )))
    .bind(session_handle(&session.id))
    .execute(utc.pool())
    .await
    .unwrap();
    for store in [&utc, &east, &west] {
        assert!(store.load_session(&session.id).await.unwrap().is_none());
        assert!(
            !store
                .touch_session(&session.id, Utc::now() + chrono::Duration::hours(1))
                .await
                .unwrap()
        );
    }
    assert_eq!(west.delete_expired().await.unwrap(), 1);
    drop_table(&utc).await;
}

#[tokio::test]
async fn a_bad_url_is_a_configuration_error() {
    let error = MySqlStore::connect("postgres://postgres@127.0.0.1/test")
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
    let error = MySqlStore::connect("mysql://user:hunter2secret@127.0.0.1:1/sessions")
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

/// Beyond semantic 12's load: many writers reaching the same rows through different indexes
/// (upsert by key, touch of an indexed expiry, delete by identity) make InnoDB pick deadlock
/// victims; the store must absorb them, never surface one.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn heavy_contention_never_surfaces_a_deadlock() {
    let Some(url) = server_url(URL_VARIABLE) else {
        return;
    };
    let pool = MySqlPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(30))
        .connect(&url)
        .await
        .unwrap();
    let store = MySqlStore::with_table_name(pool, &unique_name("contention")).unwrap();
    store.migrate().await.unwrap();
    let ids: Vec<String> = (0..4)
        .map(|i| unique_name(&format!("contended{i}")))
        .collect();
    let tasks: Vec<_> = (0..64usize)
        .map(|task| {
            let (store, ids) = (store.clone(), ids.clone());
            tokio::spawn(async move {
                for round in 0..150usize {
                    let id = &ids[(task * 7 + round) % ids.len()];
                    let later = Utc::now() + chrono::Duration::hours(1);
                    let result = match (task + round) % 6 {
                        0 | 1 => {
                            let identity = Identity::new("contention", format!("u{}", task % 3));
                            let session = Session {
                                id: id.clone(),
                                identity,
                                expires_at: later,
                            };
                            store.save_session(&session).await
                        }
                        2 => store.load_session(id).await.map(drop),
                        3 => store.touch_session(id, later).await.map(drop),
                        4 => store.delete_session(id).await,
                        _ => store
                            .delete_identity_sessions("contention", "u1")
                            .await
                            .map(drop),
                    };
                    result.map_err(|e| e.to_string())?;
                }
                Ok::<(), String>(())
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    drop_table(&store).await;
}
