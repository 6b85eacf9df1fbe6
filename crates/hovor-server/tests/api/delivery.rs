//! How the web app and the widget are delivered (issue 12): compressed when
//! the browser accepts it, `widget.js` revalidated with its ETag (304), and
//! a missing file is 404 rather than the app's page.

use reqwest::{header, StatusCode};

use crate::harness::{Backend, TestApp};

async fn app() -> TestApp {
    TestApp::spawn(Backend::Sqlite)
        .await
        .expect("SQLite is always there")
}

#[tokio::test]
async fn responses_are_compressed_for_browsers_that_accept_it() {
    let app = app().await;
    let http = reqwest::Client::new();
    for (accept, expected) in [("br", "br"), ("gzip", "gzip"), ("gzip, deflate, br", "br")] {
        let r = http
            .get(format!("{}/widget.js", app.base))
            .header(header::ACCEPT_ENCODING, accept)
            .send()
            .await
            .expect("widget.js");
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(
            r.headers()
                .get(header::CONTENT_ENCODING)
                .and_then(|v| v.to_str().ok()),
            Some(expected),
            "Accept-Encoding: {accept}"
        );
        let plain: usize = http
            .get(format!("{}/widget.js", app.base))
            .send()
            .await
            .expect("plain")
            .bytes()
            .await
            .expect("body")
            .len();
        let packed = r.bytes().await.expect("body").len();
        assert!(
            packed * 2 < plain,
            "{accept}: {packed} bytes against {plain}"
        );
    }
    // The API's JSON too.
    let r = http
        .get(format!("{}/api/v1/openapi.json", app.base))
        .header(header::ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .expect("openapi");
    assert_eq!(
        r.headers()
            .get(header::CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok()),
        Some("gzip")
    );
}

#[tokio::test]
async fn the_widget_is_revalidated_with_its_etag() {
    let app = app().await;
    let http = reqwest::Client::new();
    let first = http
        .get(format!("{}/widget.js", app.base))
        .send()
        .await
        .expect("widget.js");
    assert_eq!(first.status(), StatusCode::OK);
    let etag = first
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .expect("an ETag")
        .to_owned();
    assert_eq!(
        first
            .headers()
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok()),
        Some("no-cache"),
        "revalidated on every page view, so a new version is picked up at once"
    );
    let again = http
        .get(format!("{}/widget.js", app.base))
        .header(header::IF_NONE_MATCH, &etag)
        .send()
        .await
        .expect("revalidate");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(
        again
            .headers()
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok()),
        Some(etag.as_str())
    );
    assert!(again.bytes().await.expect("body").is_empty());
    // Another validator: the whole file.
    let other = http
        .get(format!("{}/widget.js", app.base))
        .header(header::IF_NONE_MATCH, "\"something-else\"")
        .send()
        .await
        .expect("other");
    assert_eq!(other.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_missing_file_is_404_and_a_page_path_is_the_app() {
    let app = app().await;
    let http = reqwest::Client::new();
    let r = http
        .get(format!("{}/favicon.ico", app.base))
        .send()
        .await
        .expect("favicon");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = http
        .get(format!("{}/profile", app.base))
        .send()
        .await
        .expect("page");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html")));
}

/// The admin's snippet generator frames `/widget-preview`: the widget with
/// the snippet's attributes, each checked, and framable by the app alone.
#[tokio::test]
async fn the_widget_preview_carries_only_well_formed_attributes() {
    let app = app().await;
    let http = reqwest::Client::new();
    let r = http
        .get(format!(
            "{}/widget-preview?company=demo&group=grp_1&lang=cs&color=%231d4ed8",
            app.base
        ))
        .send()
        .await
        .expect("preview");
    assert_eq!(r.status(), StatusCode::OK);
    let csp = r
        .headers()
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(csp.contains("frame-ancestors 'self'"), "{csp}");
    let page = r.text().await.expect("body");
    assert!(page.contains(
        r##"<script src="/widget.js" data-company="demo" data-group="grp_1" data-lang="cs" data-color="#1d4ed8" async>"##
    ), "{page}");

    // Anything not in the widget's shape is left out, never echoed.
    let r = http
        .get(format!(
            "{}/widget-preview?company=demo&group=%22%3E%3Cscript%3E&lang=de&color=red",
            app.base
        ))
        .send()
        .await
        .expect("preview");
    let page = r.text().await.expect("body");
    assert!(
        page.contains(r#"<script src="/widget.js" data-company="demo" async>"#),
        "{page}"
    );
    assert!(!page.contains("<script>"));
    let r = http
        .get(format!("{}/widget-preview?company=%3Cb%3E", app.base))
        .send()
        .await
        .expect("preview");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // The app's own pages still refuse to be framed.
    let r = http
        .get(format!("{}/admin", app.base))
        .send()
        .await
        .expect("page");
    let csp = r
        .headers()
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
}
