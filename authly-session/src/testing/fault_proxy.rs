//! A TCP proxy between a store and its server that can stop answering, cut connections or slow
//! them down on command: the faults of semantic 27 (a blackholed connection, a reset, latency)
//! without touching the server, which other tests share.

use std::io;
use std::net::SocketAddr;
use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// What a [`FaultProxy`] does with its connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultMode {
    /// Relays bytes both ways, as if the proxy were not there.
    Forward,
    /// Accepts connections and never answers: no byte reaches the server or comes back, and
    /// no connection is closed, like a network that silently drops every packet. Connections
    /// that saw this mode are closed when it ends, so clients notice and reconnect.
    Blackhole,
    /// Closes every open connection, and every new one as soon as it is accepted.
    Reset,
    /// Relays bytes both ways, holding each chunk for this long first.
    Latency(Duration),
}

/// A TCP proxy on `127.0.0.1` in front of one upstream server, whose [`FaultMode`] tests switch
/// at run time: point a store at [`FaultProxy::rewrite_url`] of its server URL, then blackhole,
/// reset or slow its connections and watch how the store copes.
///
/// Dropping the proxy stops it and closes its connections.
///
/// # Examples
///
/// ```no_run
/// # async fn demo() -> std::io::Result<()> {
/// use authly_session::testing::{FaultMode, FaultProxy};
/// let (proxy, url) = FaultProxy::in_front_of("postgres://root@127.0.0.1:5432/test").await?;
/// assert!(url.starts_with("postgres://root@127.0.0.1:"));
/// // ... connect a store to `url` ...
/// proxy.set_mode(FaultMode::Blackhole); // the store's operations now get no answer
/// proxy.set_mode(FaultMode::Forward); // blackholed connections are closed, new ones work
/// # Ok(()) }
/// ```
pub struct FaultProxy {
    address: SocketAddr,
    upstream: Arc<str>,
    mode: watch::Sender<FaultMode>,
    accept: tokio::task::JoinHandle<()>,
}

impl FaultProxy {
    /// Starts a proxy on a free port of `127.0.0.1`, forwarding to `upstream` (`host:port`).
    /// Call it within a Tokio runtime.
    ///
    /// # Errors
    ///
    /// When no local port can be bound.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let proxy = authly_session::testing::FaultProxy::start("127.0.0.1:6379").await.unwrap();
    /// assert_eq!(proxy.upstream(), "127.0.0.1:6379");
    /// assert_ne!(proxy.address().port(), 6379);
    /// # });
    /// ```
    pub async fn start(upstream: &str) -> io::Result<FaultProxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let upstream: Arc<str> = Arc::from(upstream);
        let (mode, watcher) = watch::channel(FaultMode::Forward);
        let accept = tokio::spawn(accept_loop(listener, upstream.clone(), watcher));
        Ok(FaultProxy {
            address,
            upstream,
            mode,
            accept,
        })
    }

    /// Starts a proxy in front of the server `url` names, and returns it with `url` rewritten
    /// to go through it ([`FaultProxy::rewrite_url`]).
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::InvalidInput`] when `url` names no `host:port` (a URL without a port,
    /// a Unix socket); otherwise as [`FaultProxy::start`].
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// use authly_session::testing::FaultProxy;
    /// let (proxy, url) = FaultProxy::in_front_of("redis://:pw@10.0.0.7:6379/2").await.unwrap();
    /// assert_eq!(proxy.upstream(), "10.0.0.7:6379");
    /// assert_eq!(url, format!("redis://:pw@{}/2", proxy.address()));
    /// assert!(FaultProxy::in_front_of("postgres://db.example/app").await.is_err());
    /// # });
    /// ```
    pub async fn in_front_of(url: &str) -> io::Result<(FaultProxy, String)> {
        let upstream = host_port(url).filter(|hp| has_port(hp)).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "the URL names no host:port to proxy",
            )
        })?;
        let proxy = FaultProxy::start(upstream).await?;
        let rewritten = proxy.rewrite_url(url).ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "the URL cannot be rewritten")
        })?;
        Ok((proxy, rewritten))
    }

    /// Where the proxy listens: `127.0.0.1` and a port of its own.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The `host:port` the proxy forwards to.
    pub fn upstream(&self) -> &str {
        &self.upstream
    }

    /// `url` with its `host[:port]` (what follows `scheme://` and any `user:password@`, up to
    /// the path, query or fragment) replaced by the proxy's address; `None` when `url` has no
    /// `scheme://` or no host. Path, credentials and query stay as they are.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// use authly_session::testing::FaultProxy;
    /// let proxy = FaultProxy::start("127.0.0.1:5432").await.unwrap();
    /// let at = proxy.address();
    /// assert_eq!(
    ///     proxy.rewrite_url("postgres://root@127.0.0.1:5432/test?sslmode=disable").unwrap(),
    ///     format!("postgres://root@{at}/test?sslmode=disable")
    /// );
    /// assert_eq!(proxy.rewrite_url("redis://127.0.0.1:6379").unwrap(), format!("redis://{at}"));
    /// assert_eq!(proxy.rewrite_url("mysql://u:p@[::1]:3306").unwrap(), format!("mysql://u:p@{at}"));
    /// assert_eq!(proxy.rewrite_url("sqlite://sessions.db").unwrap(), format!("sqlite://{at}"));
    /// assert_eq!(proxy.rewrite_url("redis+unix:///run/redis.sock"), None);
    /// assert_eq!(proxy.rewrite_url("127.0.0.1:5432"), None);
    /// # });
    /// ```
    pub fn rewrite_url(&self, url: &str) -> Option<String> {
        let range = host_port_range(url)?;
        Some(format!(
            "{}{}{}",
            &url[..range.start],
            self.address,
            &url[range.end..]
        ))
    }

    /// Switches every connection, open and new, to `mode`.
    pub fn set_mode(&self, mode: FaultMode) {
        self.mode.send_replace(mode);
    }

    /// The current mode.
    pub fn mode(&self) -> FaultMode {
        *self.mode.borrow()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        // The connection tasks end when the mode channel closes with `self.mode`.
        self.accept.abort();
    }
}

impl std::fmt::Debug for FaultProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaultProxy")
            .field("address", &self.address)
            .field("upstream", &self.upstream)
            .field("mode", &self.mode())
            .finish()
    }
}

/// Accepts connections until aborted, each served by a task of its own.
async fn accept_loop(listener: TcpListener, upstream: Arc<str>, mode: watch::Receiver<FaultMode>) {
    loop {
        match listener.accept().await {
            Ok((client, _)) => {
                tokio::spawn(serve(client, upstream.clone(), mode.clone()));
            }
            // Out of file descriptors and the like: try again shortly rather than spin.
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

/// One client connection, from accept to close.
async fn serve(mut client: TcpStream, upstream: Arc<str>, mut mode: watch::Receiver<FaultMode>) {
    let at_accept = *mode.borrow_and_update();
    match at_accept {
        FaultMode::Reset => return,
        FaultMode::Blackhole => return wait_while_blackholed(&mut mode).await,
        FaultMode::Forward | FaultMode::Latency(_) => {}
    }
    let Ok(mut server) = TcpStream::connect(&*upstream).await else {
        return;
    };
    let fault = {
        let (mut client_read, mut client_write) = client.split();
        let (mut server_read, mut server_write) = server.split();
        let relay = async {
            tokio::join!(
                pump(&mut client_read, &mut server_write, mode.clone()),
                pump(&mut server_read, &mut client_write, mode.clone()),
            )
        };
        tokio::select! {
            _ = relay => None,
            fault = next_fault(mode.clone()) => fault,
        }
    };
    if fault == Some(FaultMode::Blackhole) {
        // Keep both sockets open and silent until the blackhole ends, then close them.
        wait_while_blackholed(&mut mode).await;
    }
}

/// Copies `from` to `to` chunk by chunk, holding each chunk in latency mode and never writing
/// one in blackhole or reset mode; shuts `to` down at the end of `from`.
async fn pump(
    from: &mut (impl AsyncReadExt + Unpin),
    to: &mut (impl AsyncWriteExt + Unpin),
    mode: watch::Receiver<FaultMode>,
) {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        let read = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(read) => read,
        };
        let current = *mode.borrow();
        match current {
            FaultMode::Latency(delay) => tokio::time::sleep(delay).await,
            FaultMode::Blackhole | FaultMode::Reset => std::future::pending().await,
            FaultMode::Forward => {}
        }
        if to.write_all(&buffer[..read]).await.is_err() {
            return;
        }
    }
    let _ = to.shutdown().await;
}

/// Waits for the mode to become blackhole or reset (`Some`), or for the proxy to go (`None`).
async fn next_fault(mut mode: watch::Receiver<FaultMode>) -> Option<FaultMode> {
    loop {
        let current = *mode.borrow_and_update();
        if matches!(current, FaultMode::Blackhole | FaultMode::Reset) {
            return Some(current);
        }
        mode.changed().await.ok()?;
    }
}

/// Returns once the mode is no longer blackhole, or the proxy is gone.
async fn wait_while_blackholed(mode: &mut watch::Receiver<FaultMode>) {
    loop {
        let current = *mode.borrow_and_update();
        if current != FaultMode::Blackhole {
            return;
        }
        if mode.changed().await.is_err() {
            return;
        }
    }
}

/// The `host[:port]` part of `url`.
fn host_port(url: &str) -> Option<&str> {
    host_port_range(url).map(|range| &url[range])
}

/// Where `host[:port]` sits in `url`: after `scheme://` and any `userinfo@`, up to the first
/// `/`, `?` or `#`; `None` without `scheme://` or with an empty host.
fn host_port_range(url: &str) -> Option<Range<usize>> {
    let start = url.find("://")? + 3;
    let rest = &url[start..];
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = rest[..end].rfind('@').map_or(0, |at| at + 1);
    (host < end).then(|| start + host..start + end)
}

/// Whether `host_port` ends in `:port` (after any bracketed IPv6 address).
fn has_port(host_port: &str) -> bool {
    let after_ipv6 = host_port
        .rsplit_once(']')
        .map_or(host_port, |(_, rest)| rest);
    after_ipv6
        .rsplit_once(':')
        .is_some_and(|(_, port)| port.parse::<u16>().is_ok())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Instant;

    use super::*;

    /// An echo server on a free port; counts the bytes it received.
    async fn echo_server() -> (SocketAddr, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let received = Arc::new(AtomicUsize::new(0));
        let count = received.clone();
        tokio::spawn(async move {
            loop {
                let (mut socket, _) = listener.accept().await.unwrap();
                let count = count.clone();
                tokio::spawn(async move {
                    let mut buffer = [0u8; 1024];
                    loop {
                        match socket.read(&mut buffer).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => {
                                count.fetch_add(n, Ordering::SeqCst);
                                if socket.write_all(&buffer[..n]).await.is_err() {
                                    return;
                                }
                            }
                        }
                    }
                });
            }
        });
        (address, received)
    }

    async fn proxy() -> (FaultProxy, Arc<AtomicUsize>) {
        let (echo, received) = echo_server().await;
        (
            FaultProxy::start(&echo.to_string()).await.unwrap(),
            received,
        )
    }

    /// Sends `message` and reads back as many bytes, within `limit`; `None` on timeout.
    async fn round_trip(
        socket: &mut TcpStream,
        message: &[u8],
        limit: Duration,
    ) -> Option<io::Result<Vec<u8>>> {
        let exchange = async {
            socket.write_all(message).await?;
            let mut back = vec![0u8; message.len()];
            socket.read_exact(&mut back).await?;
            Ok(back)
        };
        tokio::time::timeout(limit, exchange).await.ok()
    }

    /// Whether the peer closed `socket` (EOF or an error) within `limit`.
    async fn closed_within(socket: &mut TcpStream, limit: Duration) -> bool {
        let mut byte = [0u8; 1];
        matches!(
            tokio::time::timeout(limit, socket.read(&mut byte)).await,
            Ok(Ok(0) | Err(_))
        )
    }

    const SHORT: Duration = Duration::from_millis(300);
    const LONG: Duration = Duration::from_secs(5);

    #[tokio::test]
    async fn forwards_both_ways() {
        let (proxy, received) = proxy().await;
        let mut socket = TcpStream::connect(proxy.address()).await.unwrap();
        let back = round_trip(&mut socket, b"hello", LONG).await;
        assert_eq!(back.unwrap().unwrap(), b"hello");
        assert_eq!(received.load(Ordering::SeqCst), 5);
    }

    #[tokio::test]
    async fn a_blackhole_answers_nothing_and_forwards_nothing_until_restored() {
        let (proxy, received) = proxy().await;
        let mut before = TcpStream::connect(proxy.address()).await.unwrap();
        assert!(round_trip(&mut before, b"one", LONG).await.is_some());

        proxy.set_mode(FaultMode::Blackhole);
        assert!(round_trip(&mut before, b"two", SHORT).await.is_none());
        let mut during = TcpStream::connect(proxy.address()).await.unwrap();
        assert!(round_trip(&mut during, b"three", SHORT).await.is_none());
        assert_eq!(
            received.load(Ordering::SeqCst),
            3,
            "bytes reached the server"
        );

        proxy.set_mode(FaultMode::Forward);
        for socket in [&mut before, &mut during] {
            assert!(
                closed_within(socket, LONG).await,
                "a blackholed connection stayed open"
            );
        }
        let mut after = TcpStream::connect(proxy.address()).await.unwrap();
        let back = round_trip(&mut after, b"four", LONG).await;
        assert_eq!(back.unwrap().unwrap(), b"four");
    }

    #[tokio::test]
    async fn reset_closes_open_and_new_connections() {
        let (proxy, _) = proxy().await;
        let mut open = TcpStream::connect(proxy.address()).await.unwrap();
        assert!(round_trip(&mut open, b"x", LONG).await.is_some());
        proxy.set_mode(FaultMode::Reset);
        assert!(closed_within(&mut open, LONG).await);
        let mut new = TcpStream::connect(proxy.address()).await.unwrap();
        assert!(closed_within(&mut new, LONG).await);
        proxy.set_mode(FaultMode::Forward);
        let mut again = TcpStream::connect(proxy.address()).await.unwrap();
        assert!(round_trip(&mut again, b"y", LONG).await.is_some());
    }

    #[tokio::test]
    async fn latency_holds_every_chunk() {
        let (proxy, _) = proxy().await;
        let mut socket = TcpStream::connect(proxy.address()).await.unwrap();
        proxy.set_mode(FaultMode::Latency(Duration::from_millis(100)));
        let started = Instant::now();
        assert!(round_trip(&mut socket, b"slow", LONG).await.is_some());
        // One chunk each way.
        assert!(started.elapsed() >= Duration::from_millis(200));
        assert_eq!(proxy.mode(), FaultMode::Latency(Duration::from_millis(100)));
    }

    #[tokio::test]
    async fn dropping_the_proxy_closes_its_connections() {
        let (proxy, _) = proxy().await;
        let mut socket = TcpStream::connect(proxy.address()).await.unwrap();
        assert!(round_trip(&mut socket, b"x", LONG).await.is_some());
        proxy.set_mode(FaultMode::Blackhole);
        drop(proxy);
        assert!(closed_within(&mut socket, LONG).await);
    }

    #[test]
    fn finds_host_and_port_in_urls() {
        for (url, expected) in [
            (
                "postgres://root@127.0.0.1:5432/test",
                Some("127.0.0.1:5432"),
            ),
            ("redis://127.0.0.1:6379", Some("127.0.0.1:6379")),
            ("redis://u:p@w@h:1?x=y", Some("h:1")),
            ("mysql://[::1]:3306#f", Some("[::1]:3306")),
            ("postgres://db/app", Some("db")),
            ("redis+unix:///tmp/redis.sock", None),
            ("postgres://user@/app", None),
            ("no scheme", None),
            ("", None),
        ] {
            assert_eq!(host_port(url), expected, "{url}");
        }
        assert!(has_port("h:1") && has_port("[::1]:3306"));
        assert!(!has_port("db") && !has_port("[::1]") && !has_port("h:x"));
    }
}
