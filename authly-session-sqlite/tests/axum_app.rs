//! Drives the `axum_app` example, the real one, over real HTTP on a loopback socket.
//!
//! The example file is compiled in as a module and its router served on 127.0.0.1:0 with an
//! in-memory store; a tiny HTTP/1.1 client below speaks to it over TCP.

#[allow(dead_code)] // the example's `main` is not used here
#[path = "../examples/axum_app.rs"]
mod axum_app;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use authly_session::{Identity, Session, SessionStore, session_handle};
use authly_session_sqlite::SqliteStore;
use axum_app::{COOKIE, Config, PROVIDER};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const FIREFOX_LINUX: &str =
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const CHROME_WINDOWS: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";

/// The example's app on a loopback port, with the store behind it.
struct Server {
    addr: SocketAddr,
    store: SqliteStore,
    /// Every session id any client was given, so no page may ever show one.
    ids: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// The app on a fresh, migrated in-memory store.
    async fn start(lifetime: chrono::Duration, secure_cookies: bool) -> Server {
        let store = SqliteStore::connect("sqlite::memory:")
            .await
            .expect("in-memory store");
        store.migrate().await.expect("migrate");
        Server::on(store, lifetime, secure_cookies).await
    }

    async fn on(store: SqliteStore, lifetime: chrono::Duration, secure_cookies: bool) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let app = axum_app::app(
            store.clone(),
            Config {
                lifetime,
                secure_cookies,
            },
        );
        tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
        Server {
            addr,
            store,
            ids: Arc::default(),
        }
    }

    /// The expiry the store holds for a live session.
    async fn expires_at(&self, id: &str) -> chrono::DateTime<chrono::Utc> {
        let session = self.store.load_session(id).await.unwrap();
        session.expect("a live session").expires_at
    }

    fn client(&self, user_agent: &str) -> Client {
        Client {
            addr: self.addr,
            user_agent: user_agent.to_owned(),
            cookie: None,
            ids: self.ids.clone(),
            server_errors_ok: false,
        }
    }
}

struct Reply {
    status: u16,
    set_cookies: Vec<String>,
    location: Option<String>,
    body: String,
}

/// A browser of sorts: one `User-Agent`, one cookie jar slot for the session cookie.
struct Client {
    addr: SocketAddr,
    user_agent: String,
    cookie: Option<String>,
    ids: Arc<Mutex<Vec<String>>>,
    /// Unless set, any 500 reply fails the test.
    server_errors_ok: bool,
}

impl Client {
    async fn get(&mut self, path: &str) -> Reply {
        self.send("GET", path, None).await
    }

    async fn post(&mut self, path: &str, form: &str) -> Reply {
        self.send("POST", path, Some(form)).await
    }

    /// One request on a fresh connection (`Connection: close`); takes the session cookie from
    /// the reply as a browser would, and checks that the page shows no session id.
    async fn send(&mut self, method: &str, path: &str, form: Option<&str>) -> Reply {
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nUser-Agent: {}\r\nConnection: close\r\n",
            self.addr, self.user_agent
        );
        if let Some(cookie) = &self.cookie {
            request += &format!("Cookie: theme=dark; {COOKIE}={cookie}\r\n");
        }
        let body = form.unwrap_or("");
        if form.is_some() {
            request += "Content-Type: application/x-www-form-urlencoded\r\n";
        }
        request += &format!("Content-Length: {}\r\n\r\n{body}", body.len());
        let mut stream = TcpStream::connect(self.addr).await.expect("connect");
        stream.write_all(request.as_bytes()).await.expect("write");
        let mut raw = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut raw));
        read.await.expect("reply within 10 s").expect("read");
        let reply = parse(&String::from_utf8(raw).expect("UTF-8 reply"));

        for set_cookie in &reply.set_cookies {
            let value = set_cookie.split(';').next().unwrap_or("");
            if let Some(id) = value.strip_prefix(&format!("{COOKIE}=")) {
                if set_cookie.contains("Max-Age=0") {
                    self.cookie = None;
                } else {
                    self.cookie = Some(id.to_owned());
                    self.ids.lock().unwrap().push(id.to_owned());
                }
            }
        }
        for id in self.ids.lock().unwrap().iter() {
            assert!(
                !reply.body.contains(id.as_str()),
                "{method} {path} shows a session id"
            );
        }
        if !self.server_errors_ok {
            assert_ne!(reply.status, 500, "{method} {path}: {}", reply.body);
        }
        reply
    }

    /// The session id this client holds.
    fn id(&self) -> &str {
        self.cookie.as_deref().expect("signed in")
    }

    async fn sign_in(&mut self, username: &str) -> Reply {
        let reply = self.post("/sign-in", &format!("username={username}")).await;
        assert_eq!(reply.status, 303);
        assert_eq!(reply.location.as_deref(), Some("/"));
        assert!(self.cookie.is_some(), "sign-in sets the session cookie");
        reply
    }

    async fn is_signed_in(&mut self) -> bool {
        let home = self.get("/").await;
        assert_eq!(home.status, 200);
        let sign_in_page = home.body.contains(r#"action="/sign-in""#);
        assert_ne!(sign_in_page, home.body.contains("Hello,"), "{}", home.body);
        !sign_in_page
    }
}

fn parse(raw: &str) -> Reply {
    let (head, body) = raw.split_once("\r\n\r\n").expect("end of headers");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .expect("status line");
    let mut reply = Reply {
        status: status.parse().expect("numeric status"),
        set_cookies: Vec::new(),
        location: None,
        body: body.to_owned(),
    };
    for line in lines {
        let (name, value) = line.split_once(':').expect("header line");
        match name.to_ascii_lowercase().as_str() {
            "set-cookie" => reply.set_cookies.push(value.trim().to_owned()),
            "location" => reply.location = Some(value.trim().to_owned()),
            "transfer-encoding" => panic!("chunked replies are not parsed here"),
            _ => {}
        }
    }
    reply
}

/// The handles behind the "sign out this device" buttons of a sessions page.
fn listed_handles(page: &str) -> Vec<String> {
    page.split(r#"name="handle" value=""#)
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_devices_then_sign_out_one_by_handle_then_everywhere() {
    let server = Server::start(chrono::Duration::minutes(30), true).await;
    let mut firefox = server.client(FIREFOX_LINUX);
    let mut chrome = server.client(CHROME_WINDOWS);

    let first = firefox.get("/").await;
    assert_eq!(first.status, 200);
    assert!(first.body.contains(r#"action="/sign-in""#) && first.body.contains("demo"));

    let reply = firefox.sign_in("alice").await;
    let set_cookie = &reply.set_cookies[0];
    for attribute in [
        "Path=/",
        "HttpOnly",
        "SameSite=Lax",
        "Secure",
        "Max-Age=1800",
    ] {
        assert!(
            set_cookie.split("; ").any(|a| a == attribute),
            "{attribute} missing: {set_cookie}"
        );
    }
    chrome.sign_in("alice").await;
    assert_ne!(firefox.id(), chrome.id());
    assert!(firefox.get("/").await.body.contains("Hello, <b>alice</b>"));

    let page = firefox.get("/sessions").await;
    assert_eq!(page.status, 200);
    let handles = listed_handles(&page.body);
    assert_eq!(handles.len(), 2, "{}", page.body);
    let (mine, other) = (session_handle(firefox.id()), session_handle(chrome.id()));
    assert!(handles.contains(&mine) && handles.contains(&other));
    assert!(
        page.body.contains("Firefox on Linux <b>(this device)</b>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Chrome on Windows,"), "{}", page.body);
    assert_eq!(
        page.body.matches(", signed in ").count(),
        2,
        "{}",
        page.body
    );
    assert_eq!(
        page.body.matches(", last active ").count(),
        2,
        "{}",
        page.body
    );
    assert_eq!(page.body.matches("(this device)").count(), 1);
    let seen_from_chrome = chrome.get("/sessions").await.body;
    assert!(seen_from_chrome.contains("Chrome on Windows <b>(this device)</b>"));

    let reply = firefox
        .post("/sign-out-device", &format!("handle={other}"))
        .await;
    assert_eq!(
        (reply.status, reply.location.as_deref()),
        (303, Some("/sessions"))
    );
    assert!(!chrome.is_signed_in().await);
    assert!(firefox.is_signed_in().await);
    assert_eq!(listed_handles(&firefox.get("/sessions").await.body), [mine]);

    chrome.sign_in("alice").await;
    let (firefox_id, chrome_id) = (firefox.id().to_owned(), chrome.id().to_owned());
    let reply = firefox.post("/sign-out-everywhere", "").await;
    assert_eq!(reply.status, 303);
    assert!(reply.set_cookies[0].contains("Max-Age=0"), "cookie cleared");
    assert!(!firefox.is_signed_in().await);
    assert!(!chrome.is_signed_in().await);
    // A browser that kept the old cookies gets nowhere either.
    for id in [firefox_id, chrome_id] {
        assert!(server.store.load_session(&id).await.unwrap().is_none());
        firefox.cookie = Some(id);
        assert!(!firefox.is_signed_in().await);
        assert_eq!(
            firefox.get("/sessions").await.location.as_deref(),
            Some("/")
        );
    }
    let left = server.store.list_identity_sessions(PROVIDER, "alice").await;
    assert!(left.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_or_garbage_cookies_get_the_sign_in_page() {
    let server = Server::start(chrono::Duration::minutes(30), true).await;
    let mut bob = server.client(CHROME_WINDOWS);
    bob.sign_in("bob").await;
    let bobs_handle = session_handle(bob.id());
    let unknown = Session::new(Identity::new(PROVIDER, "bob"), chrono::Duration::hours(1));

    let mut mallory = server.client("curl/8.5.0");
    let long = "x".repeat(5000);
    for cookie in [
        "",
        "garbage",
        "\"quoted\"",
        "a=b=c",
        "%00%0A",
        &long,
        &bobs_handle,
        &unknown.id,
    ] {
        mallory.cookie = Some(cookie.to_owned());
        assert!(
            !mallory.is_signed_in().await,
            "cookie {cookie:.40} signed in"
        );
        let sessions = mallory.get("/sessions").await;
        assert_eq!(
            (sessions.status, sessions.location.as_deref()),
            (303, Some("/"))
        );
        for (action, form) in [
            ("/sign-out-device", format!("handle={bobs_handle}")),
            ("/sign-out-everywhere", String::new()),
        ] {
            mallory.cookie = Some(cookie.to_owned());
            assert_eq!(mallory.post(action, &form).await.status, 303);
        }
    }
    assert!(bob.is_signed_in().await, "nobody signed bob out");

    // Signed in as someone else, bob's handle still signs nobody out.
    mallory.sign_in("mallory").await;
    mallory
        .post("/sign-out-device", &format!("handle={bobs_handle}"))
        .await;
    assert!(bob.is_signed_in().await && mallory.is_signed_in().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_rotates_the_id_and_escapes_what_users_typed() {
    let server = Server::start(chrono::Duration::minutes(30), true).await;
    let mut client = server.client("<img src=x onerror=alert(1)>");
    // An id planted by someone else before sign-in is never the one signed in.
    let planted = Session::new(Identity::new(PROVIDER, "eve"), chrono::Duration::hours(1)).id;
    client.cookie = Some(planted.clone());
    client.sign_in("eve").await;
    assert_ne!(client.id(), planted);
    let before = client.id().to_owned();
    client
        .sign_in("%3Cscript%3Ealert(%22hi%22)%3C%2Fscript%3E")
        .await;
    assert_ne!(client.id(), before, "a new id at sign-in");
    assert!(
        server.store.load_session(&before).await.unwrap().is_none(),
        "old session ended"
    );

    let home = client.get("/").await.body;
    assert!(
        home.contains("Hello, <b>&lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt;</b>"),
        "{home}"
    );
    let sessions = client.get("/sessions").await.body;
    assert!(
        sessions.contains("&lt;img src=x onerror=alert(1)&gt; <b>(this device)</b>"),
        "{sessions}"
    );
    assert!(!home.contains("<script>") && !sessions.contains("<img"));

    let reply = client.post("/sign-in", "username=+++").await;
    assert_eq!(reply.status, 422, "a blank username is refused");
    let reply = client.post("/sign-out", "").await;
    assert_eq!(reply.location.as_deref(), Some("/"));
    assert!(reply.set_cookies[0].contains("Max-Age=0"));
    assert!(!client.is_signed_in().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn insecure_cookies_on_request_and_sliding_expiry_touches() {
    let lifetime = chrono::Duration::seconds(4);
    let server = Server::start(lifetime, false).await;
    let mut client = server.client(FIREFOX_LINUX);
    let reply = client.sign_in("carol").await;
    assert!(
        !reply.set_cookies[0].contains("Secure"),
        "{}",
        reply.set_cookies[0]
    );
    assert!(
        reply.set_cookies[0].contains("HttpOnly") && reply.set_cookies[0].contains("SameSite=Lax")
    );
    let id = client.id().to_owned();
    let signed_in = server.expires_at(&id).await;

    // Well over half the lifetime left: nothing moves.
    let reply = client.get("/").await;
    assert!(reply.set_cookies.is_empty());
    assert_eq!(server.expires_at(&id).await, signed_in);

    // Less than half left: the session is touched and the cookie renewed.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let reply = client.get("/").await;
    assert!(reply.body.contains("Hello, <b>carol</b>"));
    assert!(
        reply.set_cookies[0].contains("Max-Age=4"),
        "{:?}",
        reply.set_cookies
    );
    let touched = server.store.load_session(&id).await.unwrap().expect("live");
    assert!(touched.expires_at >= signed_in + chrono::Duration::milliseconds(2000));
    assert_eq!(touched.identity.username.as_deref(), Some("carol"));

    // Past the original expiry, the session lives on thanks to the touch.
    tokio::time::sleep(Duration::from_millis(2000)).await;
    assert!(client.is_signed_in().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_store_gives_a_generic_500_page() {
    // Not migrated: there is no sessions table, so every store call fails.
    let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
    let server = Server::on(store, chrono::Duration::minutes(30), true).await;
    let mut client = server.client(FIREFOX_LINUX);
    client.server_errors_ok = true;
    assert!(
        !client.is_signed_in().await,
        "no cookie: the store is not asked"
    );

    let id = Session::new(Identity::new(PROVIDER, "dan"), chrono::Duration::hours(1)).id;
    for (method, path, form) in [
        ("GET", "/", None),
        ("POST", "/sign-in", Some("username=dan")),
    ] {
        client.cookie = Some(id.clone());
        let reply = client.send(method, path, form).await;
        assert_eq!(reply.status, 500, "{method} {path}");
        assert!(
            reply.body.contains("Something went wrong"),
            "{}",
            reply.body
        );
        for secret in [id.as_str(), "no such table", "authly_sessions"] {
            assert!(
                !reply.body.contains(secret),
                "{method} {path} shows {secret:.12}"
            );
        }
        assert!(reply.set_cookies.is_empty(), "{method} {path}");
    }
}
