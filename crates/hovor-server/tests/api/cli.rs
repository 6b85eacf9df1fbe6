//! The `hovor` binary as a newcomer and an integrator use it: `demo` serves
//! the demo company, `api-key create` prints a key while it runs, and the
//! key works against the running server.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::process::Server;

const BIN: &str = env!("CARGO_BIN_EXE_hovor");

#[tokio::test]
async fn demo_serves_and_api_keys_are_created_while_it_runs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().to_str().expect("utf-8 path");
    let mut child = Command::new(BIN)
        .args(["demo", "--listen", "127.0.0.1:0", "--data-dir", data])
        .env("HOVOR_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start hovor demo");
    let stdout = child.stdout.take().expect("stdout");
    let server = Server(child);

    // The printed URL and logins.
    let (lines_tx, lines_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut printed = String::new();
    let url = loop {
        let line = lines_rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .unwrap_or_else(|_| panic!("hovor demo printed no URL:\n{printed}"));
        printed.push_str(&line);
        printed.push('\n');
        if let Some(url) = line.split_whitespace().find(|w| w.starts_with("http://")) {
            break url.trim_end_matches('/').to_owned();
        }
    };
    // The credentials follow the URL.
    while !printed.contains("eva@demo.test") {
        printed.push_str(
            &lines_rx
                .recv_timeout(Duration::from_secs(5))
                .expect("credentials"),
        );
        printed.push('\n');
    }
    assert!(printed.contains("demo1234"), "{printed}");

    let http = reqwest::Client::new();
    assert_eq!(
        http.get(format!("{url}/healthz"))
            .send()
            .await
            .expect("healthz")
            .status(),
        200
    );
    let page = http.get(format!("{url}/")).send().await.expect("index");
    let csp = page.headers().get("content-security-policy").cloned();
    assert!(
        page.text().await.expect("html").contains("<div id=\"app\""),
        "the web app is embedded"
    );
    assert!(csp.is_some_and(|v| v.to_str().unwrap_or("").contains("script-src 'self'")));
    let login = http
        .post(format!("{url}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "jana@demo.test", "password": "demo1234"}))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), 200);

    // An API key, created by a second process on the same database.
    let out = Command::new(BIN)
        .args([
            "api-key",
            "create",
            "--company",
            "demo",
            "--name",
            "crm",
            "--data-dir",
            data,
        ])
        .env("HOVOR_LOG", "warn")
        .output()
        .expect("api-key create");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let key = text.lines().last().expect("a last line").trim().to_owned();
    assert!(key.starts_with("hovor_") && key.len() > 40, "{text}");
    let operators = http
        .get(format!("{url}/api/v1/operators"))
        .bearer_auth(&key)
        .send()
        .await
        .expect("operators");
    assert_eq!(operators.status(), 200);
    let body: serde_json::Value = operators.json().await.expect("json");
    assert_eq!(body["items"].as_array().map(Vec::len), Some(5));

    // Unknown company: a clear error, non-zero exit.
    let out = Command::new(BIN)
        .args([
            "api-key",
            "create",
            "--company",
            "nope",
            "--name",
            "x",
            "--data-dir",
            data,
        ])
        .output()
        .expect("api-key create");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no company"));
    drop(server);
}

#[test]
fn openapi_prints_the_document() {
    let out = Command::new(BIN)
        .arg("openapi")
        .output()
        .expect("hovor openapi");
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    for path in [
        "/api/v1/auth/login",
        "/api/v1/operators/{id}/state",
        "/api/v1/pause-types",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is documented");
    }
}

/// The committed copy in docs/ is what integrators read; it must match the
/// code. Regenerate with `cargo run -- openapi > docs/openapi.json`.
#[test]
fn the_committed_openapi_document_matches_the_code() {
    let out = Command::new(BIN)
        .arg("openapi")
        .output()
        .expect("hovor openapi");
    let generated: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
    let committed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("docs/openapi.json"))
            .expect("committed json");
    assert!(
        generated == committed,
        "docs/openapi.json is out of date: run `cargo run -- openapi > docs/openapi.json`"
    );
}

#[tokio::test]
async fn the_api_reference_is_served_from_the_binary() {
    let app = crate::harness::TestApp::spawn(crate::harness::Backend::Sqlite)
        .await
        .expect("sqlite app");
    let page = reqwest::get(format!("{}/api/docs", app.base))
        .await
        .expect("docs");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    for needle in [
        "/api/v1/operators/{id}/state",
        "Schemas",
        "id=\"schema-Session\"",
        "already_taken",
    ] {
        assert!(html.contains(needle), "the reference shows {needle}");
    }
    assert!(
        !html.contains("<script"),
        "no scripts, nothing from outside"
    );
}

/// Starts `hovor serve` on a data directory and returns it with its URL.
/// Its webhooks may reach the test's receiver on loopback, as a self-hoster
/// allows with the same setting.
async fn serve(data: &str) -> (Server, String) {
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir", data])
        .env("HOVOR_LOG", "warn")
        .env("HOVOR_ALLOW_PRIVATE_WEBHOOKS", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start hovor serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let url = lines
        .find_map(|l| {
            l.ok().and_then(|l| {
                l.split_whitespace()
                    .find(|w| w.starts_with("http://"))
                    .map(str::to_owned)
            })
        })
        .expect("hovor serve prints its address");
    (Server(child), url)
}

/// A webhook event written before the server is killed (SIGKILL, no
/// shutdown) is delivered by the next server on the same database.
#[tokio::test]
async fn webhook_events_survive_a_killed_server() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};

    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().to_str().expect("utf-8 path").to_owned();
    // The demo company, then a plain server.
    let mut demo = Command::new(BIN)
        .args(["demo", "--listen", "127.0.0.1:0", "--data-dir", &data])
        .env("HOVOR_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("demo");
    let out = demo.stdout.take().expect("stdout");
    BufReader::new(out)
        .lines()
        .map_while(Result::ok)
        .find(|l| l.contains("http://"))
        .expect("demo ready");
    let _ = demo.kill();
    let _ = demo.wait();
    let key = Command::new(BIN)
        .args([
            "api-key",
            "create",
            "--company",
            "demo",
            "--name",
            "hooks",
            "--data-dir",
            &data,
        ])
        .output()
        .expect("api-key");
    let key = String::from_utf8(key.stdout)
        .expect("utf-8")
        .lines()
        .last()
        .expect("key")
        .to_owned();

    // A receiver that is down at first.
    let down = Arc::new(AtomicBool::new(true));
    let got: Arc<Mutex<Vec<String>>> = Arc::default();
    let (d, g) = (down.clone(), got.clone());
    let router = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: String| {
            let (d, g) = (d.clone(), g.clone());
            async move {
                if d.load(Ordering::SeqCst) {
                    return axum::http::StatusCode::SERVICE_UNAVAILABLE;
                }
                g.lock().expect("lock").push(body);
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let receiver = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });

    let (server, url) = serve(&data).await;
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{url}/api/v1/webhooks"))
        .bearer_auth(&key)
        .json(&serde_json::json!({"url": receiver, "events": ["invitation.created"]}))
        .send()
        .await
        .expect("webhook");
    assert_eq!(r.status(), 201);
    let operators: serde_json::Value = http
        .get(format!("{url}/api/v1/operators"))
        .bearer_auth(&key)
        .send()
        .await
        .expect("operators")
        .json()
        .await
        .expect("json");
    let jana = operators["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|o| o["email"] == "jana@demo.test")
        .and_then(|o| o["id"].as_str())
        .expect("jana")
        .to_owned();
    let r = http
        .post(format!("{url}/api/v1/invitations"))
        .bearer_auth(&key)
        .json(&serde_json::json!({"operator_id": jana, "label": "before the crash"}))
        .send()
        .await
        .expect("invitation");
    assert_eq!(r.status(), 201);
    // Killed at once: no graceful shutdown, the receiver never got it.
    drop(server);
    assert!(got.lock().expect("lock").is_empty());

    down.store(false, Ordering::SeqCst);
    let (_again, _) = serve(&data).await;
    for _ in 0..100 {
        if !got.lock().expect("lock").is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let bodies = got.lock().expect("lock").clone();
    assert_eq!(bodies.len(), 1, "delivered once by the next server");
    let event: serde_json::Value = serde_json::from_str(&bodies[0]).expect("json");
    assert_eq!(event["type"], "invitation.created");
    assert_eq!(event["data"]["label"], "before the crash");
}

/// Routes are registered only through `openapi::api()` (`routes!` needs a
/// handler's `#[utoipa::path]`), so none exists without documentation. The
/// only plain axum routes are the pages around the API, in `app.rs`: any
/// other `.route(` or `.nest(` in the server is an undocumented endpoint.
#[test]
fn every_route_is_declared_with_its_documentation() {
    const PAGES: &[&str] = &[
        r#".route("/i/{code}", "#,
        r#".route("/api/docs", "#,
        r#".route("/api/{*rest}", "#,
        r#".route("/widget-preview", "#,
    ];
    let src = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src"));
    let mut stray = Vec::new();
    let mut dirs = vec![src.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("source file");
            for (n, line) in text.lines().enumerate() {
                let line = line.trim();
                let plain_route = line.starts_with(".route(") || line.contains(" .route(");
                let allowed = path.ends_with("app.rs") && PAGES.iter().any(|p| line.starts_with(p));
                if (plain_route && !allowed) || line.starts_with(".nest(") {
                    stray.push(format!("{}:{}: {line}", path.display(), n + 1));
                }
            }
        }
    }
    assert!(
        stray.is_empty(),
        "routes outside openapi::api(), so undocumented: {stray:#?}"
    );
}

/// Client generators name methods after operation ids: each is unique and
/// camelCase (`listGroups`), and every operation has one.
#[test]
fn every_operation_has_a_unique_id() {
    let out = Command::new(BIN)
        .arg("openapi")
        .output()
        .expect("hovor openapi");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let mut seen = std::collections::HashSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            assert!(
                id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                    && id.chars().all(|c| c.is_ascii_alphanumeric()),
                "{id} is not camelCase"
            );
            assert!(seen.insert(id.to_owned()), "{id} is used twice");
        }
    }
}

/// The WebSocket frames and webhook deliveries are published with the API.
#[test]
fn frames_and_webhook_events_are_in_the_document() {
    let out = Command::new(BIN)
        .arg("openapi")
        .output()
        .expect("hovor openapi");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let schemas = &doc["components"]["schemas"];
    for name in [
        "ServerFrame",
        "ClientFrame",
        "RealtimeEvent",
        "WebhookDelivery",
        "WebhookEvent",
    ] {
        assert!(schemas.get(name).is_some(), "{name} is published");
    }
    // Every event a webhook may subscribe to is a variant of WebhookEvent.
    let variants: Vec<&str> = schemas["WebhookEvent"]["oneOf"]
        .as_array()
        .expect("variants")
        .iter()
        .filter_map(|v| v["properties"]["type"]["enum"][0].as_str())
        .collect();
    assert_eq!(variants, hovor_store::WEBHOOK_EVENT_TYPES);
}
