//! Stopping and starting a real test server, for the fault tests, without ever leaving it down.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::backend::run_shell;

/// The shell commands that stop and start one test server, named by `{PREFIX}_STOP` and
/// `{PREFIX}_START`. Dropping the switch starts the server again if it was left stopped (a
/// failed assertion included), so a fault test never leaves the server down for the next one.
///
/// # Examples
///
/// ```no_run
/// # async fn demo() {
/// use authly_session::testing::ServerSwitch;
/// let switch = ServerSwitch::from_env("AUTHLY_TEST_POSTGRES", "127.0.0.1:5432");
/// switch.stop().await;   // returns once the address refuses connections
/// switch.start().await;
/// # }
/// ```
pub struct ServerSwitch {
    stop: String,
    start: String,
    address: String,
    stopped: AtomicBool,
}

impl ServerSwitch {
    /// The switch for the server listening on `address` (`host:port`), from the variables
    /// `{prefix}_STOP` and `{prefix}_START` (fault tests are `#[ignore]`d in plain `cargo test`;
    /// `cargo xtask test` sets both).
    ///
    /// # Panics
    ///
    /// When either variable is unset: a fault test never passes by skipping.
    pub fn from_env(prefix: &str, address: &str) -> ServerSwitch {
        let (stop_var, start_var) = (format!("{prefix}_STOP"), format!("{prefix}_START"));
        let read = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        match (read(&stop_var), read(&start_var)) {
            (Some(stop), Some(start)) => ServerSwitch {
                stop,
                start,
                address: address.to_owned(),
                stopped: AtomicBool::new(false),
            },
            _ => panic!(
                "{stop_var} and {start_var} must be set: the fault test stops and restarts the server (cargo xtask test sets them)"
            ),
        }
    }

    /// Runs the stop command, then waits until the address refuses connections (a stop command
    /// may return while the server is still shutting down).
    ///
    /// # Panics
    ///
    /// When the command fails, or the server still accepts connections a minute later.
    pub async fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        run_shell(&self.stop);
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(&self.address).is_ok() {
            assert!(
                Instant::now() < deadline,
                "the server at {} still accepts connections a minute after the stop command",
                self.address
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Runs the start command.
    ///
    /// # Panics
    ///
    /// When the command fails.
    pub async fn start(&self) {
        run_shell(&self.start);
        self.stopped.store(false, Ordering::SeqCst);
    }
}

impl Drop for ServerSwitch {
    fn drop(&mut self) {
        if self.stopped.swap(false, Ordering::SeqCst) {
            let _ = std::process::Command::new("sh")
                .arg("-c")
                .arg(&self.start)
                .status();
        }
    }
}
