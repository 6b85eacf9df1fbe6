//! The web app, built by Vite into `web/dist` and embedded in the binary.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

use crate::AppState;

#[derive(RustEmbed)]
#[folder = "../../web/dist/"]
struct Assets;

/// Serves a built file, or the app's `index.html` for any other page path so
/// that client-side routes survive a reload.
pub async fn serve_asset(State(app): State<AppState>, uri: Uri) -> Response {
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
        return (
            [
                (header::CONTENT_TYPE, mime),
                (header::CACHE_CONTROL, cache.to_owned()),
            ],
            Body::from(file.data.into_owned()),
        )
            .into_response();
    }
    match Assets::get("index.html") {
        Some(index) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            Body::from(index.data.into_owned()),
        )
            .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            "the web app was not built into this binary",
        )
            .into_response(),
    }
}
