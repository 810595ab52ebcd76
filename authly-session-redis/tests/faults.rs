//! Semantic 16 on a single node: with the server stopped every operation fails fast, and the
//! same store works again once it is back. Stops the server named by `AUTHLY_TEST_REDIS_URL`
//! with `AUTHLY_TEST_REDIS_STOP` and starts it with `AUTHLY_TEST_REDIS_START`
//! (`source .ci/services.sh` exports both), and always leaves it running.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use authly_session::testing::{self, server_url};
use common::Server;

/// Starts the server again if the test ends (or panics) while it is stopped.
struct Restart<'a> {
    command: &'a str,
    stopped: AtomicBool,
}

impl Drop for Restart<'_> {
    fn drop(&mut self) {
        if self.stopped.load(Ordering::SeqCst) {
            let _ = std::process::Command::new("sh")
                .arg("-c")
                .arg(self.command)
                .status();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_single_node_recovers() {
    let Some(server) = Server::single() else {
        return;
    };
    let (Some(stop), Some(start)) = (
        server_url("AUTHLY_TEST_REDIS_STOP"),
        server_url("AUTHLY_TEST_REDIS_START"),
    ) else {
        return;
    };
    let store = server.store().await;
    let restart = Restart {
        command: &start,
        stopped: AtomicBool::new(false),
    };
    testing::check_fault_recovery(
        &store,
        async {
            testing::run_shell(&stop);
            restart.stopped.store(true, Ordering::SeqCst);
        },
        async {
            testing::run_shell(&start);
            restart.stopped.store(false, Ordering::SeqCst);
        },
        Duration::from_secs(10),
    )
    .await;
}
