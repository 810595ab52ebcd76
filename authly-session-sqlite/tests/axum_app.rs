//! Drives the `axum_app` example, the real one: its router (compiled in from the example file)
//! answers requests through `tower::ServiceExt::oneshot`, on an in-memory SQLite store.

#[allow(dead_code)] // the example's `main` is not used here
#[path = "../examples/axum_app.rs"]
mod axum_app;

use std::sync::{Arc, Mutex};

use authly_session::{Identity, Session, SessionStore, session_handle};
use authly_session_axum::SessionConfig;
use authly_session_sqlite::SqliteStore;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, header};
use axum_app::PROVIDER;
use http_body_util::BodyExt;
use tower::ServiceExt;

const FIREFOX_LINUX: &str =
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const CHROME_WINDOWS: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
/// The host every request names; an `Origin` of `http://app.test` is the app's own.
const HOST: &str = "app.test";

/// The example's router on a store, and every session id any client was given (no page may
/// ever show one).
struct App {
    router: Router,
    store: SqliteStore,
    cookie_name: String,
    ids: Arc<Mutex<Vec<String>>>,
}

impl App {
    /// The app on a fresh, migrated in-memory store.
    async fn start(config: SessionConfig) -> App {
        let store = SqliteStore::connect("sqlite::memory:")
            .await
            .expect("in-memory store");
        store.migrate().await.expect("migrate");
        App::on(store, config)
    }

    fn on(store: SqliteStore, config: SessionConfig) -> App {
        App {
            cookie_name: config.cookie_name_str().to_owned(),
            router: axum_app::app(store.clone(), config),
            store,
            ids: Arc::default(),
        }
    }

    fn client(&self, user_agent: &str) -> Client<'_> {
        Client {
            app: self,
            user_agent: user_agent.to_owned(),
            cookie: None,
            origin: None,
        }
    }
}

struct Reply {
    status: u16,
    set_cookies: Vec<String>,
    location: Option<String>,
    body: String,
}

/// A browser of sorts: one `User-Agent`, one cookie jar slot for the session cookie, and the
/// `Origin` its POSTs carry (none by default, as from a non-browser client).
struct Client<'a> {
    app: &'a App,
    user_agent: String,
    cookie: Option<String>,
    origin: Option<String>,
}

impl Client<'_> {
    async fn get(&mut self, path: &str) -> Reply {
        self.send("GET", path, None).await
    }

    async fn post(&mut self, path: &str, form: &str) -> Reply {
        self.send("POST", path, Some(form)).await
    }

    /// One request; takes the session cookie from the reply as a browser would, and checks that
    /// the page shows no session id.
    async fn send(&mut self, method: &str, path: &str, form: Option<&str>) -> Reply {
        let name = &self.app.cookie_name;
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, HOST)
            .header(header::USER_AGENT, &self.user_agent);
        if let Some(cookie) = &self.cookie {
            request = request.header(header::COOKIE, format!("theme=dark; {name}={cookie}"));
        }
        if let Some(origin) = &self.origin {
            request = request.header(header::ORIGIN, origin);
        }
        if form.is_some() {
            request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        let body = Body::from(form.unwrap_or("").to_owned());
        let response = self.app.router.clone().oneshot(request.body(body).unwrap());
        let response = response.await.expect("the router never fails");
        let headers = response.headers();
        let text = |value: &header::HeaderValue| value.to_str().unwrap().to_owned();
        let set_cookies: Vec<String> = headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(text)
            .collect();
        let location = headers.get(header::LOCATION).map(text);
        let status = response.status().as_u16();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let body = String::from_utf8(body.to_vec()).expect("UTF-8 page");

        for set_cookie in &set_cookies {
            let value = set_cookie.split(';').next().unwrap_or("");
            if let Some(id) = value.strip_prefix(&format!("{name}=")) {
                if id.is_empty() || set_cookie.contains("Max-Age=0") {
                    self.cookie = None;
                } else {
                    self.cookie = Some(id.to_owned());
                    self.app.ids.lock().unwrap().push(id.to_owned());
                }
            }
        }
        for id in self.app.ids.lock().unwrap().iter() {
            assert!(
                !body.contains(id.as_str()),
                "{method} {path} shows a session id"
            );
        }
        Reply {
            status,
            set_cookies,
            location,
            body,
        }
    }

    /// The session id this client holds.
    fn id(&self) -> &str {
        self.cookie.as_deref().expect("signed in")
    }

    async fn sign_in(&mut self, username: &str) -> Reply {
        let reply = self.post("/sign-in", &format!("username={username}")).await;
        assert_eq!((reply.status, reply.location.as_deref()), (303, Some("/")));
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

/// The handles behind the "sign out this device" buttons of a sessions page.
fn listed_handles(page: &str) -> Vec<String> {
    page.split(r#"name="handle" value=""#)
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn two_devices_then_sign_out_one_by_handle_then_everywhere() {
    let app = App::start(SessionConfig::default()).await;
    let mut firefox = app.client(FIREFOX_LINUX);
    let mut chrome = app.client(CHROME_WINDOWS);

    let first = firefox.get("/").await;
    assert_eq!(first.status, 200);
    assert!(first.body.contains(r#"action="/sign-in""#) && first.body.contains("demo"));

    let reply = firefox.sign_in("alice").await;
    let set_cookie = &reply.set_cookies[0];
    assert!(
        set_cookie.starts_with("__Host-authly_session="),
        "{set_cookie}"
    );
    for attribute in ["Path=/", "HttpOnly", "SameSite=Lax", "Secure"] {
        assert!(
            set_cookie.split("; ").any(|a| a == attribute),
            "{attribute}: {set_cookie}"
        );
    }
    assert!(!set_cookie.contains("Domain"), "{set_cookie}");
    chrome.sign_in("alice").await;
    assert_ne!(firefox.id(), chrome.id());
    assert!(firefox.get("/").await.body.contains("Hello, <b>alice</b>"));

    let page = firefox.get("/sessions").await;
    assert_eq!(page.status, 200);
    let handles = listed_handles(&page.body);
    let (mine, other) = (session_handle(firefox.id()), session_handle(chrome.id()));
    assert_eq!(handles, [mine.clone(), other.clone()], "oldest first");
    assert!(
        page.body.contains("Firefox on Linux <b>(this device)</b>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<li>Chrome on Windows"), "{}", page.body);
    for shown in [", signed in ", ", last active ", ", expires "] {
        assert_eq!(
            page.body.matches(shown).count(),
            2,
            "{shown}: {}",
            page.body
        );
    }
    assert_eq!(page.body.matches("(this device)").count(), 1);
    let seen_from_chrome = chrome.get("/sessions").await.body;
    assert!(seen_from_chrome.contains(" <b>(this device)</b>, signed in"));
    assert!(seen_from_chrome.contains("Firefox on Linux, signed in"));

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
        assert!(app.store.load_session(&id).await.unwrap().is_none());
        firefox.cookie = Some(id);
        assert!(!firefox.is_signed_in().await);
        assert_eq!(
            firefox.get("/sessions").await.location.as_deref(),
            Some("/")
        );
    }
    let left = app.store.list_identity_sessions(PROVIDER, "alice").await;
    assert!(left.unwrap().is_empty());
}

#[tokio::test]
async fn signing_out_this_device_by_its_handle_signs_out() {
    let app = App::start(SessionConfig::default()).await;
    let mut client = app.client(FIREFOX_LINUX);
    client.sign_in("erin").await;
    let mine = session_handle(client.id());
    let reply = client
        .post("/sign-out-device", &format!("handle={mine}"))
        .await;
    assert_eq!(reply.location.as_deref(), Some("/"));
    assert!(reply.set_cookies[0].contains("Max-Age=0"));
    assert!(!client.is_signed_in().await);
}

#[tokio::test]
async fn forged_or_garbage_cookies_get_the_sign_in_page() {
    let app = App::start(SessionConfig::default()).await;
    let mut bob = app.client(CHROME_WINDOWS);
    bob.sign_in("bob").await;
    let bobs_handle = session_handle(bob.id());
    let unknown = Session::new(Identity::new(PROVIDER, "bob"), chrono::Duration::hours(1));

    let mut mallory = app.client("curl/8.5.0");
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
    let reply = mallory
        .post("/sign-out-device", &format!("handle={bobs_handle}"))
        .await;
    assert_eq!(reply.location.as_deref(), Some("/sessions"));
    assert!(bob.is_signed_in().await && mallory.is_signed_in().await);
}

#[tokio::test]
async fn sign_in_replaces_the_id_and_escapes_what_users_typed() {
    let app = App::start(SessionConfig::default()).await;
    let mut client = app.client("<img src=x onerror=alert(1)>");
    // An id planted by someone else before sign-in is never the one signed in (fixation).
    let planted = Session::new(Identity::new(PROVIDER, "eve"), chrono::Duration::hours(1));
    app.store.save_session(&planted).await.unwrap();
    client.cookie = Some(planted.id.clone());
    client.sign_in("eve").await;
    assert_ne!(client.id(), planted.id);
    assert!(
        app.store.load_session(&planted.id).await.unwrap().is_none(),
        "planted one ended"
    );
    let before = client.id().to_owned();
    client
        .sign_in("%3Cscript%3Ealert(%22hi%22)%3C%2Fscript%3E")
        .await;
    assert_ne!(client.id(), before, "a new id at sign-in");
    assert!(
        app.store.load_session(&before).await.unwrap().is_none(),
        "old session ended"
    );

    let home = client.get("/").await.body;
    let escaped = "Hello, <b>&lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt;</b>";
    assert!(home.contains(escaped), "{home}");
    let sessions = client.get("/sessions").await.body;
    assert!(
        !home.contains("<script>") && !sessions.contains("<img"),
        "{sessions}"
    );

    let reply = client.post("/sign-in", "username=+++").await;
    assert_eq!(reply.status, 422, "a blank username is refused");
    let reply = client.post("/sign-out", "").await;
    assert_eq!(reply.location.as_deref(), Some("/"));
    assert!(reply.set_cookies[0].contains("Max-Age=0"));
    assert!(!client.is_signed_in().await);
}

#[tokio::test]
async fn cross_site_posts_are_refused_before_any_handler() {
    let app = App::start(SessionConfig::default()).await;
    let mut alice = app.client(FIREFOX_LINUX);
    alice.sign_in("alice").await;

    // Login CSRF: another site signs the visitor in as the attacker.
    let mut visitor = app.client(FIREFOX_LINUX);
    visitor.origin = Some("https://evil.example".to_owned());
    let reply = visitor.post("/sign-in", "username=mallory").await;
    assert_eq!(
        (reply.status, reply.set_cookies.len()),
        (403, 0),
        "{}",
        reply.body
    );
    assert!(
        app.store
            .list_identity_sessions(PROVIDER, "mallory")
            .await
            .unwrap()
            .is_empty()
    );

    // Another site's form, carrying alice's cookie, ends nothing.
    let id = alice.id().to_owned();
    alice.origin = Some("https://evil.example".to_owned());
    for action in ["/sign-out-everywhere", "/sign-out"] {
        let reply = alice.post(action, "").await;
        assert_eq!(
            (reply.status, reply.set_cookies.len()),
            (403, 0),
            "{action}"
        );
    }
    assert!(app.store.load_session(&id).await.unwrap().is_some());

    // The app's own pages post with its own origin, and that works.
    alice.origin = Some(format!("http://{HOST}"));
    assert_eq!(alice.post("/sign-out", "").await.status, 303);
    assert!(app.store.load_session(&id).await.unwrap().is_none());
}

#[tokio::test]
async fn the_development_switch_drops_secure_and_the_prefix() {
    let app = App::start(SessionConfig::insecure_for_local_development()).await;
    let reply = app.client(FIREFOX_LINUX).sign_in("carol").await;
    let set_cookie = &reply.set_cookies[0];
    assert!(set_cookie.starts_with("authly_session="), "{set_cookie}");
    assert!(!set_cookie.contains("Secure"), "{set_cookie}");
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"));
}

#[tokio::test]
async fn a_failing_store_gives_503_without_details() {
    // Not migrated: there is no sessions table, so every store call fails.
    let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
    let app = App::on(store, SessionConfig::default());
    let mut client = app.client(FIREFOX_LINUX);
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
        assert_eq!(reply.status, 503, "{method} {path}");
        for secret in [id.as_str(), "no such table", "authly_sessions"] {
            assert!(
                !reply.body.contains(secret),
                "{method} {path} shows {secret:.12}"
            );
        }
        assert!(reply.set_cookies.is_empty(), "{method} {path}");
    }
}
