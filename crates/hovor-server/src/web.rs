//! The web app, built by Vite into `web/dist` and embedded in the binary.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

use crate::AppState;

#[derive(RustEmbed)]
#[folder = "../../web/dist/"]
struct Assets;

/// A file's validator: its content hash, so a browser (or a customer's
/// website embedding `widget.js`) revalidates with `If-None-Match` and gets
/// a 304 instead of the whole file while it has not changed.
fn etag(file: &rust_embed::EmbeddedFile) -> String {
    let hash = file.metadata.sha256_hash();
    let hex: String = hash.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// Whether the request's `If-None-Match` names this validator.
fn still_fresh(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().trim_start_matches("W/"))
        .any(|v| v == etag || v == "*")
}

/// A built file with its type, caching and validator (304 when the browser
/// has it already).
fn file_response(
    headers: &HeaderMap,
    file: rust_embed::EmbeddedFile,
    mime: &str,
    cache: &str,
) -> Response {
    let tag = etag(&file);
    if still_fresh(headers, &tag) {
        return (
            StatusCode::NOT_MODIFIED,
            [
                (header::ETAG, tag),
                (header::CACHE_CONTROL, cache.to_owned()),
            ],
        )
            .into_response();
    }
    (
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (header::CACHE_CONTROL, cache.to_owned()),
            (header::ETAG, tag),
        ],
        Body::from(file.data.into_owned()),
    )
        .into_response()
}

/// Serves a built file, or the app's `index.html` for any other page path so
/// that client-side routes survive a reload. A path that names a file
/// (`/favicon.ico`) and is not one is 404, not the app.
pub async fn serve_asset(State(app): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let mut path = uri.path().trim_start_matches('/').to_owned();
    if path == "demo-site" || path.starts_with("demo-site/") {
        if !app.config.demo_site {
            return (
                StatusCode::NOT_FOUND,
                "the demo site is served by `hovor demo` only",
            )
                .into_response();
        }
        if path == "demo-site" || path.ends_with('/') {
            path = "demo-site/index.html".into();
        }
    }
    let path = path.as_str();
    if let Some(file) = Assets::get(path).filter(|_| !path.is_empty()) {
        let mime = file.metadata.mimetype().to_owned();
        let cache = if path.starts_with("assets/") {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        return file_response(&headers, file, &mime, cache);
    }
    let names_a_file = path
        .rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'));
    if names_a_file {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    }
    match Assets::get("index.html") {
        Some(index) => file_response(&headers, index, "text/html; charset=utf-8", "no-cache"),
        None => (
            StatusCode::NOT_FOUND,
            "the web app was not built into this binary",
        )
            .into_response(),
    }
}
