//! The `axum_app` example in a real browser: headless Chromium driven through chromedriver.
//!
//! Two independent browser profiles sign in as the same user; the first sees two devices and
//! signs the second out, whose next page is the sign-in form; a page on another site that posts
//! to the app is refused with 403; "sign out everywhere" ends the first. After every step,
//! `document.cookie` must not show the session cookie (it is `HttpOnly`). Each step is written
//! to stderr as it happens, past the test harness's capture, so CI logs show the transcript.
//!
//! The app is served on `http://127.0.0.1:PORT` and the attacker's page on
//! `http://localhost:PORT2`: another site as far as the browser is concerned.

#[allow(dead_code)] // the example's `main` is not used here
#[path = "../../examples/axum_app.rs"]
mod axum_app;
mod chrome;
mod sites;

use std::io::Write;

use authly_session::SessionStore;
use authly_session_axum::{CROSS_SITE_REFUSED_BODY, SessionConfig};
use authly_session_sqlite::SqliteStore;
use fantoccini::elements::Element;
use fantoccini::{Client, Locator};

/// Numbered lines on stderr, written directly so that the test harness does not hold them back.
struct Transcript {
    step: usize,
}

impl Transcript {
    fn say(&mut self, line: impl AsRef<str>) {
        self.step += 1;
        let mut stderr = std::io::stderr().lock();
        _ = writeln!(stderr, "browser test {:>2}. {}", self.step, line.as_ref());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver: run by cargo xtask test"]
async fn two_browsers_sign_in_sign_out_a_device_resist_a_cross_site_post_and_sign_out_everywhere() {
    let mut log = Transcript { step: 0 };
    let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let config = SessionConfig::insecure_for_local_development();
    let cookie = config.cookie_name_str().to_owned();
    let app = sites::serve(axum_app::app(store.clone(), config)).await;
    let app = format!("http://127.0.0.1:{}", app.port());
    let attacker = sites::serve(sites::attacker(app.clone())).await;
    let attacker = format!("http://localhost:{}", attacker.port());
    let driver = chrome::Driver::start().await;
    log.say(format!(
        "app on {app}, attacker's page on {attacker}, chromedriver started"
    ));
    let first = driver.browser("first").await;
    let second = driver.browser("second").await;
    log.say("two headless Chromium profiles open: \"first\" and \"second\"");

    for (name, browser) in [("first", &first), ("second", &second)] {
        browser.goto(&app).await.unwrap();
        assert_eq!(heading(browser).await, "Sign in");
        sign_in(browser, "alice").await;
        let greeting = browser
            .find(Locator::Css("p b"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(greeting, "alice");
        let hidden = cookie_hidden_from_scripts(browser, &cookie).await;
        log.say(format!(
            "{name} signs in as alice: \"Hello, alice!\"; {hidden}"
        ));
    }

    first.goto(&format!("{app}/sessions")).await.unwrap();
    let listed = devices(&first).await;
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert_eq!(
        listed
            .iter()
            .filter(|d| d.contains("(this device)"))
            .count(),
        1
    );
    for device in &listed {
        assert!(device.contains(", signed in ") && device.contains(", last active "));
    }
    log.say(format!("first lists its devices: {listed:#?}"));
    let rows = first.find_all(Locator::Css("li")).await.unwrap();
    let mut signed_out = false;
    for row in rows {
        if !row.text().await.unwrap().contains("(this device)") {
            submit(&first, row.find(Locator::Css("button")).await.unwrap()).await;
            signed_out = true;
            break;
        }
    }
    assert!(signed_out, "a row for the other device");
    assert_eq!(
        first.current_url().await.unwrap().as_str(),
        format!("{app}/sessions")
    );
    let left = devices(&first).await;
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(left[0].contains("(this device)"));
    log.say(format!("first signs the other device out; left: {left:?}"));

    second.refresh().await.unwrap();
    assert_eq!(heading(&second).await, "Sign in");
    let hidden = cookie_hidden_from_scripts(&second, &cookie).await;
    log.say(format!("second reloads: the sign-in form; {hidden}"));

    for (browser, action, who) in [
        (&first, "sign-out-everywhere", "first (signed in)"),
        (&second, "sign-in", "second (signed out)"),
    ] {
        browser.goto(&format!("{attacker}/{action}")).await.unwrap();
        wait_for_url(browser, &format!("{app}/{action}")).await;
        let status = navigation_status(browser).await;
        let body = browser
            .find(Locator::Css("body"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!((status, body.as_str()), (403, CROSS_SITE_REFUSED_BODY));
        log.say(format!(
            "{who} opens {attacker}/{action}, which posts a form to {app}/{action}: {status} \"{body}\""
        ));
    }
    first.goto(&app).await.unwrap();
    assert_eq!(
        heading(&first).await,
        "Home",
        "the cross-site post ended nothing"
    );
    second.goto(&app).await.unwrap();
    assert_eq!(heading(&second).await, "Sign in", "nor signed anyone in");
    let mallory = store.list_identity_sessions(axum_app::PROVIDER, "mallory");
    assert!(mallory.await.unwrap().is_empty());
    log.say("first is still signed in, second still signed out, no session for mallory");

    let everywhere = Locator::Css("form[action='/sign-out-everywhere'] button");
    submit(&first, first.find(everywhere).await.unwrap()).await;
    assert_eq!(heading(&first).await, "Sign in");
    first.goto(&format!("{app}/sessions")).await.unwrap();
    assert_eq!(
        heading(&first).await,
        "Sign in",
        "/sessions sends a signed-out browser home"
    );
    let alice = store.list_identity_sessions(axum_app::PROVIDER, "alice");
    assert!(alice.await.unwrap().is_empty());
    let hidden = cookie_hidden_from_scripts(&first, &cookie).await;
    log.say(format!(
        "first signs out everywhere: the sign-in form, no session left; {hidden}"
    ));

    first.close().await.unwrap();
    second.close().await.unwrap();
    log.say("both browsers closed");
}

/// Fills in the sign-in form and submits it, then waits for the home page.
async fn sign_in(browser: &Client, username: &str) {
    let field = browser
        .find(Locator::Css("input[name=username]"))
        .await
        .unwrap();
    field.send_keys(username).await.unwrap();
    let button = Locator::Css("form[action='/sign-in'] button");
    submit(browser, browser.find(button).await.unwrap()).await;
}

/// The page's `<h1>`.
async fn heading(browser: &Client) -> String {
    browser
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The rows of the sessions page, as the user reads them.
async fn devices(browser: &Client) -> Vec<String> {
    assert_eq!(heading(browser).await, "Where you are signed in");
    let mut rows = Vec::new();
    for row in browser.find_all(Locator::Css("li")).await.unwrap() {
        let text = row.text().await.unwrap();
        rows.push(text.replace("\nSign out this device", ""));
    }
    rows
}

/// Clicks a form's button and waits until the page it leads to has loaded: a new document,
/// told apart from the old one by a mark the old one carries.
async fn submit(browser: &Client, button: Element) {
    browser
        .execute("window.beforeSubmit = true", Vec::new())
        .await
        .unwrap();
    button.click().await.unwrap();
    let loaded = "return window.beforeSubmit === undefined && document.readyState === 'complete'";
    wait_until(browser, loaded, "the form's reply to load").await;
}

/// The HTTP status of the page's own navigation (Chromium's Navigation Timing).
async fn navigation_status(browser: &Client) -> u64 {
    let script = "return performance.getEntriesByType('navigation')[0].responseStatus";
    let status = browser.execute(script, Vec::new()).await.unwrap();
    status.as_u64().expect("a numeric status")
}

/// Checks that the browser holds the session cookie for this page only as `HttpOnly`: WebDriver
/// sees it (or sees it gone), the page's scripts never do. Says what it saw.
async fn cookie_hidden_from_scripts(browser: &Client, name: &str) -> String {
    let script_view = browser
        .execute("return document.cookie", Vec::new())
        .await
        .unwrap();
    let script_view = script_view.as_str().unwrap_or_default().to_owned();
    assert!(
        !script_view.contains(name),
        "document.cookie shows {script_view:?}"
    );
    let cookies = browser.get_all_cookies().await.unwrap();
    match cookies.iter().find(|c| c.name() == name) {
        Some(held) => {
            assert_eq!(held.http_only(), Some(true));
            format!("the browser holds {name} (HttpOnly), document.cookie = {script_view:?}")
        }
        None => format!("the browser holds no {name}, document.cookie = {script_view:?}"),
    }
}

/// Waits until the browser has loaded `url`.
async fn wait_for_url(browser: &Client, url: &str) {
    let loaded = format!("return location.href === {url:?} && document.readyState === 'complete'");
    wait_until(browser, &loaded, url).await;
}

/// Waits (at most 30 s) until `script` returns true in the page; an error (a navigation under
/// way) counts as not yet.
async fn wait_until(browser: &Client, script: &str, what: &str) {
    let started = std::time::Instant::now();
    while !browser
        .execute(script, Vec::new())
        .await
        .is_ok_and(|v| v == true)
    {
        assert!(started.elapsed().as_secs() < 30, "waited 30 s for {what}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
