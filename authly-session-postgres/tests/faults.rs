//! Semantics 16 and 17 against a real PostgreSQL server that this test stops and starts again.
//!
//! Runs only when `AUTHLY_TEST_POSTGRES_URL`, `AUTHLY_TEST_POSTGRES_STOP` and `AUTHLY_TEST_POSTGRES_START` are set. It disturbs every
//! client of that server, so it lives in its own target and its name starts with `fault_`
//! (runners use `--skip fault_` for the rest); it always leaves the server running.

use std::str::FromStr;
use std::time::{Duration, Instant};

use authly_session::testing::{self, ServerSwitch, server_url, unique_name};
use authly_session_postgres::PostgresStore;
use authly_session_postgres::sqlx::postgres::PgConnectOptions;
use authly_session_postgres::sqlx::{self, AssertSqlSafe};

/// `PostgresStore::connect`'s acquire timeout (5 s) and a margin: no operation may take longer.
const LIMIT: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_server_stop_gives_errors_and_restart_recovers() {
    let Some(url) = server_url("AUTHLY_TEST_POSTGRES_URL") else {
        return;
    };
    let options = PgConnectOptions::from_str(&url).expect("test URL");
    let address = format!("{}:{}", options.get_host(), options.get_port());
    let Some(switch) = ServerSwitch::from_env("AUTHLY_TEST_POSTGRES", &address) else {
        return;
    };
    let store = PostgresStore::connect(&url)
        .await
        .expect("connect")
        .on_table(&unique_name("faults"))
        .expect("valid table name");
    store.migrate().await.expect("migrate");

    let stop_server = async {
        switch.stop().await;
        // A store cannot be built against a stopped server either, and says so in time.
        let began = Instant::now();
        let connect = tokio::time::timeout(LIMIT, PostgresStore::connect(&url)).await;
        assert!(
            matches!(connect, Ok(Err(_))),
            "connect to a stopped server gave {connect:?} after {:?}",
            began.elapsed()
        );
    };
    testing::check_fault_recovery(&store, stop_server, switch.start(), LIMIT).await;

    let table = store.table();
    sqlx::raw_sql(AssertSqlSafe(format!("DROP TABLE {}", table.quoted('"'))))
        .execute(store.pool())
        .await
        .expect("the recovered store's pool works for cleanup too");
    sqlx::query("DELETE FROM authly_session_schema WHERE table_name = $1")
        .bind(table.to_string())
        .execute(store.pool())
        .await
        .expect("forget the schema version");
}
