//! Headless Chromium through chromedriver: the driver on a free loopback port, and independent
//! browser profiles (each its own user-data directory, so its own cookie jar).

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

/// Flags for a quiet headless Chromium: no sandbox (root in a container), no GPU, and nothing
/// that phones home, which on a closed network would only flood it with failing requests.
const CHROMIUM_FLAGS: [&str; 7] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// A running chromedriver; dropping it ends the driver and every browser it started.
pub struct Driver {
    process: Child,
    url: String,
    chromium: PathBuf,
    profiles: PathBuf,
}

impl Driver {
    /// Starts chromedriver on a free port and waits until it answers. Panics with what to install
    /// when Chromium or chromedriver is missing: this test never skips itself.
    pub async fn start() -> Driver {
        let chromium = program("AUTHLY_TEST_CHROMIUM", &["chromium", "chromium-browser"]);
        let chromedriver = program("AUTHLY_TEST_CHROMEDRIVER", &["chromedriver"]);
        let port = free_port();
        let process = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromedriver.display()));
        let profiles = std::env::temp_dir().join(format!("authly-browser-test-{}", process.id()));
        let driver = Driver {
            process,
            url: format!("http://127.0.0.1:{port}"),
            chromium,
            profiles,
        };
        driver.wait_until_ready().await;
        driver
    }

    /// A new browser with a fresh profile of its own: no cookies shared with any other.
    pub async fn browser(&self, name: &str) -> Client {
        let profile = self.profiles.join(name);
        std::fs::create_dir_all(&profile).expect("profile directory");
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| f.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": self.chromium, "args": args },
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!("a JSON object literal")
        };
        ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .unwrap_or_else(|e| panic!("chromedriver could not start Chromium ({name}): {e}"))
    }

    async fn wait_until_ready(&self) {
        let started = Instant::now();
        let status = format!("{}/status", self.url.trim_start_matches("http://"));
        while started.elapsed() < Duration::from_secs(30) {
            if answers(&status).await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver did not answer on {} within 30 s", self.url);
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole process group: chromedriver and any Chromium it left behind.
        let group = format!("-{}", self.process.id());
        _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        _ = self.process.wait();
        _ = std::fs::remove_dir_all(&self.profiles);
    }
}

/// Whether an HTTP GET of `host:port/path` gets any reply at all.
async fn answers(address: &str) -> bool {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (host, path) = address.split_once('/').unwrap_or((address, ""));
    let Ok(mut stream) = tokio::net::TcpStream::connect(host).await else {
        return false;
    };
    let request = format!("GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    let mut reply = [0u8; 12];
    stream.write_all(request.as_bytes()).await.is_ok()
        && stream.read_exact(&mut reply).await.is_ok()
        && reply.starts_with(b"HTTP/1.1 200")
}

/// The program the variable names, else the first of `names` found on `PATH`.
fn program(variable: &str, names: &[&str]) -> PathBuf {
    if let Some(path) = std::env::var_os(variable).filter(|path| !path.is_empty()) {
        return PathBuf::from(path);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| is_executable(candidate))
        .unwrap_or_else(|| {
            panic!(
                "{} not found on PATH (nor set in {variable}): the browser test needs Chromium and \
                 chromedriver, on Debian `apt-get install chromium chromium-driver` (.ci/run does it)",
                names[0]
            )
        })
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address").port()
}
