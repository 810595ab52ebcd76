//! The core's conformance suite and the SQL checks every server backend runs
//! ([`authly_session_sql::server_tests!`]), then what only MySQL / MariaDB can check, against a
//! real server named by `AUTHLY_TEST_MYSQL_URL` (`cargo xtask test` points it at MariaDB for the
//! `mariadb` backend). Every test works on a fresh table of its own; the tests that need the
//! server are ignored unless run with `--include-ignored` (as `cargo xtask test` does).

use std::str::FromStr;
use std::time::Duration;

use authly_session::store_kit::truncate_to_micros;
use authly_session::testing::{ForeignValue, StoredField, server_url, unique_name};
use authly_session::{Identity, Session, SessionStore, session_handle};
use authly_session_mysql::sqlx::mysql::{MySqlConnectOptions, MySqlPoolOptions};
use authly_session_mysql::sqlx::{self, AssertSqlSafe, MySqlPool, Row};
use authly_session_mysql::{MySqlDialect, MySqlStore};
use authly_session_sql::testing::Fixtures;
use chrono::Utc;

/// The variable naming the test server.
const URL: &str = "AUTHLY_TEST_MYSQL_URL";

authly_session_sql::server_tests! {
    MySqlDialect, schema_tables: false,
    url: URL, ignore: "needs AUTHLY_TEST_MYSQL_URL",
    foreign: FOREIGN_TIMES,
}

/// Times a DATETIME(6) column holds that no store writes: zero dates, a zero month or day,
/// years before 1970 (DATETIME ends at 9999, so nothing later can be stored).
const FOREIGN_TIMES: &[ForeignValue] = &[
    ForeignValue::new(StoredField::ExpiresAt, "'0000-00-00 00:00:00'"),
    ForeignValue::new(StoredField::ExpiresAt, "'1000-01-01 00:00:00'"),
    ForeignValue::new(StoredField::CreatedAt, "'0000-00-00 00:00:00'"),
    ForeignValue::new(StoredField::CreatedAt, "'1000-01-01 00:00:00'"),
    ForeignValue::new(StoredField::CreatedAt, "'2024-00-10 00:00:00'"),
    ForeignValue::new(StoredField::LastSeenAt, "'0000-00-00 00:00:00'"),
    ForeignValue::new(StoredField::LastSeenAt, "'2024-05-00 12:00:00'"),
    ForeignValue::new(StoredField::LastSeenAt, "'1969-12-31 23:59:59.999999'"),
];

/// Semantic 27: behind `LOCK TABLES ... WRITE` held by another connection, every operation
/// gives up with a timeout error in time instead of waiting for the lock.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs AUTHLY_TEST_MYSQL_URL"]
async fn a_table_lock_held_forever_is_a_timeout_not_a_hang() {
    Fixtures::<MySqlDialect>::check_lock_held_forever(&server_url(URL), |table| {
        format!("LOCK TABLES {table} WRITE")
    })
    .await;
}

/// A pool of `connections` whose sessions run in `time_zone` (the server's default when `None`).
async fn pool(connections: u32, time_zone: Option<&str>) -> MySqlPool {
    let options = MySqlConnectOptions::from_str(&server_url(URL))
        .expect("test URL")
        .timezone(time_zone.map(str::to_owned));
    MySqlPoolOptions::new()
        .max_connections(connections)
        .acquire_timeout(Duration::from_secs(30))
        .connect_with(options)
        .await
        .expect("connect to the test server")
}

/// Keys compare byte for byte (a binary collation: ids are case-sensitive), expiry keeps
/// microseconds, payloads may be large, and every lookup has its index.
#[tokio::test]
#[ignore = "needs AUTHLY_TEST_MYSQL_URL"]
async fn migrate_creates_binary_keys_and_the_indexes() {
    let store = Fixtures::<MySqlDialect>::fresh_store(&server_url(URL), "columns").await;
    let table = store.table().name();
    let indexed: Vec<String> = sqlx::query_scalar(
        "SELECT CAST(GROUP_CONCAT(column_name ORDER BY seq_in_index) AS CHAR) \
         FROM information_schema.statistics \
         WHERE table_schema = DATABASE() AND table_name = ? GROUP BY index_name",
    )
    .bind(table)
    .fetch_all(store.pool())
    .await
    .unwrap();
    // Schema 3: the identity index holds no expiry, so moving an expiry leaves it alone.
    let mut indexed = indexed;
    indexed.sort();
    assert_eq!(indexed, ["expires_at", "handle", "identity_key,handle"]);
    let columns: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT CAST(column_name AS CHAR), CAST(column_type AS CHAR), \
         CAST(collation_name AS CHAR) FROM information_schema.columns \
         WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position",
    )
    .bind(table)
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
    Fixtures::drop_table(&store).await;
}

/// Expiry is UTC in the table and judged by the application's clock, whatever the connection's
/// `time_zone`: a store must never lean on `NOW()` or `TIMESTAMP` conversion.
#[tokio::test]
#[ignore = "needs AUTHLY_TEST_MYSQL_URL"]
async fn the_connection_time_zone_never_shifts_expiry() {
    let utc = Fixtures::<MySqlDialect>::fresh_store(&server_url(URL), "time_zone").await;
    let table = utc.table().to_string();
    let east = MySqlStore::with_table_name(pool(2, Some("+05:00")).await, &table).unwrap();
    let west = MySqlStore::with_table_name(pool(2, Some("-05:00")).await, &table).unwrap();

    let session = Session::new(Identity::new("github", "tz"), chrono::Duration::hours(1));
    east.save_session(&session).await.unwrap();
    for store in [&utc, &east, &west] {
        let loaded = store.load_session(&session.id).await.unwrap();
        let loaded = loaded.expect("a session with an hour to live loads in every time zone");
        assert_eq!(
            truncate_to_micros(loaded.expires_at),
            truncate_to_micros(session.expires_at)
        );
        let listed = store.list_identity_sessions("github", "tz").await.unwrap();
        assert_eq!(listed.len(), 1);
    }
    // A raw statement on the session's row; `{table}` stands for the table.
    let (quoted, handle) = (utc.table().quoted('`'), session_handle(&session.id));
    let on_row = |sql: &str| {
        sqlx::query(AssertSqlSafe(sql.replace("{table}", &quoted))).bind(handle.clone())
    };
    let stored: String = on_row("SELECT CAST(expires_at AS CHAR) FROM {table} WHERE handle = ?")
        .fetch_one(west.pool())
        .await
        .unwrap()
        .get(0);
    let expected = session.expires_at.format("%Y-%m-%d %H:%M:%S%.6f");
    assert_eq!(stored, expected.to_string(), "the column holds UTC");

    on_row("UPDATE {table} SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 HOUR WHERE handle = ?")
        .execute(utc.pool())
        .await
        .unwrap();
    for store in [&utc, &east, &west] {
        assert!(store.load_session(&session.id).await.unwrap().is_none());
        let later = Utc::now() + chrono::Duration::hours(1);
        assert!(!store.touch_session(&session.id, later).await.unwrap());
    }
    assert_eq!(west.delete_expired().await.unwrap(), 1);
    Fixtures::drop_table(&utc).await;
}

/// Beyond semantic 12's load: many writers reaching the same rows through different indexes
/// (upsert by key, touch of an indexed expiry, delete by identity) make InnoDB pick deadlock
/// victims; the store must absorb them, never surface one.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs AUTHLY_TEST_MYSQL_URL"]
async fn heavy_contention_never_surfaces_a_deadlock() {
    let store = MySqlStore::with_table_name(pool(16, None).await, &unique_name("contention"))
        .expect("valid table name");
    store.migrate().await.expect("migrate");
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
                                ..Session::new(identity, chrono::Duration::hours(1))
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
    Fixtures::drop_table(&store).await;
}

/// Coalesced writes: a save the database refuses (a CHECK constraint rejects any row carrying
/// the poison mark) fails alone; the saves and deletes that shared its statement succeed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs AUTHLY_TEST_MYSQL_URL"]
async fn a_failing_write_leaves_its_batch_neighbours_correct() {
    let store = Fixtures::<MySqlDialect>::fresh_store(&server_url(URL), "batch").await;
    Fixtures::<MySqlDialect>::check_failing_write_in_a_batch(&store, |table| {
        let mark = authly_session_sql::testing::POISON_MARK;
        format!("ALTER TABLE {table} ADD CONSTRAINT poison CHECK (data NOT LIKE '%{mark}%')")
    })
    .await;
    Fixtures::drop_table(&store).await;
}
