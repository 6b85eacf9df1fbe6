//! What operators of a deployment watch: `/readyz` and `/metrics`.

use hovor_core::{Channel, Role};
use hovor_server::Config;
use serde_json::Value;

use crate::harness::{Backend, TestApp, START};

async fn get(url: &str, token: Option<&str>) -> (u16, String) {
    let mut request = reqwest::Client::new().get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

/// The value of one sample line (`name{labels} value`).
fn sample(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(name) && l[name.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_and_metrics_on_sqlite() {
    readiness_and_metrics(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_and_metrics_on_postgres() {
    readiness_and_metrics(Backend::Postgres).await;
}

async fn readiness_and_metrics(backend: Backend) {
    let config = Config {
        metrics_token: Some("scrape-secret".into()),
        ..Config::default()
    };
    let Some(app) = TestApp::spawn_with(backend, config).await else {
        return;
    };
    let (status, body) = get(&format!("{}/readyz", app.base), None).await;
    assert_eq!(status, 200, "{body}");
    let ready: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(ready["database"], "ok");
    assert_eq!(ready["bus"], "ok");
    assert_eq!(ready["bus_kind"], "memory");

    let metrics = format!("{}/metrics", app.base);
    assert_eq!(get(&metrics, None).await.0, 401);
    assert_eq!(get(&metrics, Some("wrong")).await.0, 401);

    let c = app.company("acme").await;
    let jana = app.user(&c, "Jana", Role::Operator).await;
    app.store()
        .assign_channels(&c.id, &jana.id, &[(Channel::Chat, 1)], None, START)
        .await
        .expect("assign")
        .into_unpublished();
    let tab = app.login(&jana).await;
    let mut ws = tab.ws(None).await;
    let (first, token) = app.start_chat("acme", "Karel").await;
    let _second = app.start_chat("acme", "Bára").await;
    ws.next_of("session.offered").await;
    tab.post(
        &format!("/api/v1/sessions/{first}/accept"),
        serde_json::json!({}),
    )
    .await;
    let client = app.client_ws(&token, None).await;
    app.anonymous()
        .bearer(&token)
        .post(
            &format!("/api/v1/client/sessions/{first}/messages"),
            serde_json::json!({"text": "dobrý den"}),
        )
        .await;
    ws.next_of("message.created").await;

    let (status, text) = get(&metrics, Some("scrape-secret")).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(
        sample(&text, "hovor_connections{peer=\"operator\"}"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "hovor_connections{peer=\"client\"}"),
        Some(1.0)
    );
    assert_eq!(sample(&text, "hovor_messages_total"), Some(1.0));
    assert_eq!(
        sample(&text, "hovor_offers_total{outcome=\"made\"}"),
        Some(1.0)
    );
    assert_eq!(
        sample(&text, "hovor_sessions{status=\"active\"}"),
        Some(1.0)
    );
    assert_eq!(
        sample(&text, "hovor_sessions{status=\"waiting\"}"),
        Some(1.0)
    );
    assert_eq!(sample(&text, "hovor_webhook_backlog"), Some(0.0));
    assert_eq!(sample(&text, "hovor_bus_up"), Some(1.0));
    drop(client);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_off_without_a_token() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    assert_eq!(get(&format!("{}/metrics", app.base), None).await.0, 404);
}
