//! The web app, built by Vite into `web/dist` and embedded in the binary.

use axum::body::Body;
use axum::extract::{Query, State};
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

/// `/widget-preview?company=&group=&lang=&color=`: a bare page with the chat
/// widget as a snippet with these attributes puts it on a website, for the
/// admin's snippet generator to frame. Every value is checked against the
/// shape the widget accepts; anything else is left out.
pub async fn widget_preview(Query(q): Query<PreviewQuery>) -> Response {
    let slug_ok = |s: &str| {
        !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    let id_ok = |s: &str| {
        !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    let color_ok = |s: &str| {
        s.len() == 7 && s.starts_with('#') && s[1..].bytes().all(|b| b.is_ascii_hexdigit())
    };
    let Some(company) = q.company.as_deref().filter(|c| slug_ok(c)) else {
        return (StatusCode::BAD_REQUEST, "company: a company's slug").into_response();
    };
    let mut attributes = format!(" data-company=\"{company}\"");
    if let Some(group) = q.group.as_deref().filter(|g| id_ok(g)) {
        attributes.push_str(&format!(" data-group=\"{group}\""));
    }
    let lang = q.lang.as_deref().filter(|l| *l == "cs" || *l == "en");
    if let Some(lang) = lang {
        attributes.push_str(&format!(" data-lang=\"{lang}\""));
    }
    if let Some(color) = q.color.as_deref().filter(|c| color_ok(c)) {
        attributes.push_str(&format!(" data-color=\"{color}\""));
    }
    let page = format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Widget preview</title><style>html,body{{margin:0;height:100%;\
         background:repeating-linear-gradient(135deg,#f8fafc 0 14px,#f1f5f9 14px 28px)}}</style>\
         </head><body><script src=\"/widget.js\"{attributes} async></script></body></html>",
        lang.unwrap_or("en")
    );
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
            // Framed by the app's own admin page only.
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                 img-src 'self' data:; connect-src 'self'; frame-ancestors 'self'; base-uri 'none'",
            ),
        ],
        page,
    )
        .into_response()
}

#[derive(serde::Deserialize)]
pub struct PreviewQuery {
    company: Option<String>,
    group: Option<String>,
    lang: Option<String>,
    color: Option<String>,
}
