//! The two sites of the test: the example app, and an attacker's page on another site.

use std::net::SocketAddr;

use axum::Router;
use axum::response::Html;
use axum::routing::get;

/// Serves `router` on a free loopback port until the test ends; returns the address.
pub async fn serve(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a free port");
    let address = listener.local_addr().expect("local address");
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });
    address
}

/// A page that, once opened, posts a form to `target` at once, as a hostile site would.
pub fn attacker(target: &str) -> Router {
    let page = format!(
        "<!doctype html><html><body><h1>You won a prize</h1>\
         <form id=\"f\" method=\"post\" action=\"{target}\"><input name=\"username\" value=\"mallory\"></form>\
         <script>document.getElementById('f').submit()</script></body></html>"
    );
    Router::new().route("/", get(move || async move { Html(page) }))
}
