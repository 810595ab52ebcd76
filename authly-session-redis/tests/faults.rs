//! Semantic 16 on a single node: with the server stopped every operation fails fast, and the
//! same store works again once it is back. Stops the server named by `AUTHLY_TEST_REDIS_URL`
//! with `AUTHLY_TEST_REDIS_STOP` and starts it with `AUTHLY_TEST_REDIS_START`
//! (`source .ci/services.sh` exports both), and always leaves it running.

mod common;

use std::time::Duration;

use authly_session::testing::{self, ServerSwitch};
use authly_session_redis::redis::{ConnectionAddr, IntoConnectionInfo};
use common::Server;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_single_node_recovers() {
    let Some(server) = Server::single() else {
        return;
    };
    let Server::Single(url) = &server else {
        unreachable!("Server::single gives a single node")
    };
    let address = match url
        .as_str()
        .into_connection_info()
        .expect("test URL")
        .addr()
    {
        ConnectionAddr::Tcp(host, port) => format!("{host}:{port}"),
        other => panic!("the fault test needs a plain TCP server, not {other:?}"),
    };
    let Some(switch) = ServerSwitch::from_env("AUTHLY_TEST_REDIS", &address) else {
        return;
    };
    let store = server.store().await;
    testing::check_fault_recovery(
        &store,
        switch.stop(),
        switch.start(),
        Duration::from_secs(10),
    )
    .await;
}
