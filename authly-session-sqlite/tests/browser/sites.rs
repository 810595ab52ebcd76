//! The two sites of the test: the example app, and an attacker's page on another site.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::Path;
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

/// A hostile site: `/ACTION` is a page that, once opened, posts a form to `target`'s `/ACTION`
/// at once (with `username=mallory`, for a sign-in).
pub fn attacker(target: String) -> Router {
    let page = move |Path(action): Path<String>| async move {
        Html(format!(
            "<!doctype html><html><body><h1>You won a prize</h1>\
             <form id=\"f\" method=\"post\" action=\"{target}/{action}\">\
             <input type=\"hidden\" name=\"username\" value=\"mallory\"></form>\
             <script>document.getElementById('f').submit()</script></body></html>"
        ))
    };
    Router::new().route("/{action}", get(page))
}
