//! Semantics 16 and 17 against a real MySQL server that this test stops and starts again.
//!
//! Runs only when `AUTHLY_TEST_MYSQL_URL`, `AUTHLY_TEST_MYSQL_STOP` and
//! `AUTHLY_TEST_MYSQL_START` are set. It disturbs every client of that server, so it lives in
//! its own target and its name starts with `fault_` (runners use `--skip fault_` for the rest);
//! it always leaves the server running, even when it fails.

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use authly_session::testing::{self, run_shell, server_url, unique_name};
use authly_session_mysql::MySqlStore;
use authly_session_mysql::sqlx::mysql::MySqlConnectOptions;
use authly_session_mysql::sqlx::{self, AssertSqlSafe};

/// `MySqlStore::connect`'s acquire timeout (5 s) and a margin: no operation may take longer.
const LIMIT: Duration = Duration::from_secs(10);

/// The stop and start commands, or `None` (after one skip line) when they are not named.
fn fault_commands() -> Option<(String, String)> {
    let stop = std::env::var("AUTHLY_TEST_MYSQL_STOP").ok();
    let start = std::env::var("AUTHLY_TEST_MYSQL_START").ok();
    match (stop, start) {
        (Some(stop), Some(start)) if !stop.trim().is_empty() && !start.trim().is_empty() => {
            Some((stop, start))
        }
        _ if std::env::var("AUTHLY_TEST_REQUIRE_SERVERS").as_deref() == Ok("1") => panic!(
            "AUTHLY_TEST_MYSQL_STOP and AUTHLY_TEST_MYSQL_START must be set: \
             AUTHLY_TEST_REQUIRE_SERVERS=1 forbids skipping the fault test"
        ),
        _ => {
            println!(
                "skipped: set AUTHLY_TEST_MYSQL_STOP and AUTHLY_TEST_MYSQL_START to run the fault test"
            );
            None
        }
    }
}

/// Starts the server again if the test stopped it and ended before starting it.
struct RestartOnDrop {
    start: String,
    stopped: Arc<AtomicBool>,
}

impl Drop for RestartOnDrop {
    fn drop(&mut self) {
        if self.stopped.swap(false, Ordering::SeqCst) {
            let _ = std::process::Command::new("sh")
                .arg("-c")
                .arg(&self.start)
                .status();
        }
    }
}

/// Waits until the server named by `url` refuses connections: a stop command may return while
/// the server is still shutting down.
async fn wait_until_refused(url: &str) {
    let options = MySqlConnectOptions::from_str(url).expect("test URL");
    let address = format!("{}:{}", options.get_host(), options.get_port());
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(&address).is_ok() {
        assert!(
            Instant::now() < deadline,
            "the server at {address} still accepts connections a minute after the stop command"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_server_stop_gives_errors_and_restart_recovers() {
    let Some(url) = server_url("AUTHLY_TEST_MYSQL_URL") else {
        return;
    };
    let Some((stop, start)) = fault_commands() else {
        return;
    };
    let store = MySqlStore::connect(&url)
        .await
        .expect("connect")
        .on_table(&unique_name("faults"))
        .expect("valid table name");
    store.migrate().await.expect("migrate");

    let stopped = Arc::new(AtomicBool::new(false));
    let _guard = RestartOnDrop {
        start: start.clone(),
        stopped: stopped.clone(),
    };
    let stop_server = async {
        stopped.store(true, Ordering::SeqCst);
        run_shell(&stop);
        wait_until_refused(&url).await;
        // A store cannot be built against a stopped server either, and says so in time.
        let began = Instant::now();
        let connect = tokio::time::timeout(LIMIT, MySqlStore::connect(&url)).await;
        assert!(
            matches!(connect, Ok(Err(_))),
            "connect to a stopped server gave {connect:?} after {:?}",
            began.elapsed()
        );
    };
    let start_server = async {
        run_shell(&start);
        stopped.store(false, Ordering::SeqCst);
    };
    testing::check_fault_recovery(&store, stop_server, start_server, LIMIT).await;

    let table = store.table();
    sqlx::raw_sql(AssertSqlSafe(format!("DROP TABLE {}", table.quoted('`'))))
        .execute(store.pool())
        .await
        .expect("the recovered store's pool works for cleanup too");
    sqlx::query("DELETE FROM authly_session_schema WHERE table_name = ?")
        .bind(table.to_string())
        .execute(store.pool())
        .await
        .expect("forget the schema version");
}
