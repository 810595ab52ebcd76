//! Semantic 16 on a single node: with the server stopped every operation fails fast, and the
//! same store works again once it is back. Stops the server named by `AUTHLY_TEST_REDIS_URL`
//! with `AUTHLY_TEST_REDIS_STOP` and starts it with `AUTHLY_TEST_REDIS_START`
//! (`source .ci/services.sh` exports both), and always leaves it running.

mod common;

use std::time::Duration;

use authly_session::testing::{self, ServerSwitch};
use common::Server;

/// The store's reconnect budget (about 7 s) and a margin.
const LIMIT: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs AUTHLY_TEST_REDIS_URL, AUTHLY_TEST_REDIS_STOP and AUTHLY_TEST_REDIS_START"]
async fn fault_single_node_recovers() {
    let server = Server::single();
    let switch = ServerSwitch::from_env("AUTHLY_TEST_REDIS", &server.address());
    let store = server.store().await;
    testing::check_fault_recovery(&store, switch.stop(), switch.start(), LIMIT).await;
}
