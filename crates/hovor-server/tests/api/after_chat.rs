//! After-chat work: when a conversation ends, its group's time holds back
//! new sessions of that channel from its operator; then they are released,
//! by the clock or by the operator's "ready". Each rest is a span of its own
//! in the operator's history and the operators report.

use hovor_core::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::harness::{TestApp, Ws};
use crate::on_both_stores;

on_both_stores!(after_chat_work_holds_offers_back_then_releases);

async fn status_of(app: &TestApp, token: &str, id: &str) -> Value {
    app.anonymous()
        .bearer(token)
        .get(&format!("/api/v1/client/sessions/{id}"))
        .await
        .body["session"]["status"]
        .clone()
}

/// Jana takes the chat offered to her and ends it.
async fn serve_and_end(jana: &crate::harness::Client, ws: &mut Ws, id: &str) {
    let offer = ws.next_of("session.offered").await;
    assert_eq!(offer["data"]["session"]["id"], id);
    let r = jana
        .post(&format!("/api/v1/sessions/{id}/accept"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = jana
        .post(&format!("/api/v1/sessions/{id}/end"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

async fn after_chat_work_holds_offers_back_then_releases(app: TestApp) {
    let c = app.company("acme").await;
    let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
    let (ids, tabs) = app.chat_operators(&c, &["Jana"], 3).await;
    let jana = &tabs[0];
    let mut ws = jana.ws(None).await;
    let groups = admin.get("/api/v1/groups").await;
    let builtin = groups.body["items"][0]["id"]
        .as_str()
        .expect("the built-in group")
        .to_owned();
    assert_eq!(groups.body["items"][0]["after_chat_s"], 0);

    // The group's time: 0 to 600 s.
    for wrong in [601, -1] {
        let r = admin
            .send(
                Method::PATCH,
                &format!("/api/v1/groups/{builtin}"),
                Some(json!({"after_chat_s": wrong})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.body["error"]["code"], "invalid_after_chat");
    }
    let r = admin
        .send(
            Method::PATCH,
            &format!("/api/v1/groups/{builtin}"),
            Some(json!({"after_chat_s": 30})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["after_chat_s"], 30);

    // Jana ends a chat: her after-chat work begins, and she is told.
    let (first, _) = app.start_chat("acme", "Karel").await;
    serve_and_end(jana, &mut ws, &first).await;
    let told = ws.next_of("operator.after_chat_changed").await;
    let rest = &told["data"]["after_chat"][0];
    assert_eq!(rest["channel"], "chat");
    assert_eq!(rest["session_id"], first.as_str());
    let me = jana.get("/api/v1/me").await;
    assert_eq!(
        me.body["after_chat"].as_array().map(Vec::len),
        Some(1),
        "{}",
        me.body
    );

    // Meanwhile a new chat waits, and the client hears someone is there.
    let (second, second_token) = app.start_chat("acme", "Eva").await;
    hovor_server::services::routing::tick(&app.state)
        .await
        .expect("tick");
    assert_eq!(status_of(&app, &second_token, &second).await, "waiting");
    let availability = app
        .anonymous()
        .get("/api/v1/client/availability?company=acme")
        .await;
    assert_eq!(availability.body["state"], "busy", "{}", availability.body);
    ws.expect_silence_of("session.offered", 300).await;

    // 29 s on, still resting; at 30 s the time has run out.
    app.clock.advance_ms(29_000);
    hovor_server::services::routing::tick(&app.state)
        .await
        .expect("tick");
    assert_eq!(status_of(&app, &second_token, &second).await, "waiting");
    app.clock.advance_ms(1_000);
    hovor_server::services::routing::tick(&app.state)
        .await
        .expect("tick");
    serve_and_end(jana, &mut ws, &second).await;
    ws.next_of("operator.after_chat_changed").await;

    // A third client waits; Jana says she is ready, and is offered it.
    let (third, third_token) = app.start_chat("acme", "Petr").await;
    hovor_server::services::routing::tick(&app.state)
        .await
        .expect("tick");
    assert_eq!(status_of(&app, &third_token, &third).await, "waiting");
    app.clock.advance_ms(5_000);
    let r = jana.post("/api/v1/me/after-chat/ready", json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.body["ended"].as_array().map(Vec::len),
        Some(1),
        "{}",
        r.body
    );
    let told = ws.next_of("operator.after_chat_changed").await;
    assert_eq!(told["data"]["after_chat"], json!([]));
    let offer = ws.next_of("session.offered").await;
    assert_eq!(offer["data"]["session"]["id"], third.as_str());
    // Ready again is harmless.
    let r = jana.post("/api/v1/me/after-chat/ready", json!({})).await;
    assert_eq!(r.body["ended"], json!([]));

    // Both rests are in her history: 30 s, then 5 s.
    let history = jana
        .get(&format!(
            "/api/v1/operators/{}/after-chat-work?from=2020-01-01T00:00:00Z",
            ids[0]
        ))
        .await;
    assert_eq!(history.status, StatusCode::OK, "{}", history.body);
    let items = history.body["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "{}", history.body);
    assert_eq!(items[0]["session_id"], first.as_str());
    assert_eq!(items[0]["ended_at"], Value::Null, "ran its full time");
    assert!(items[1]["ended_at"].is_string(), "ended when she was ready");
    assert_eq!(history.body["total_s"], 35);

    // The operators report counts it.
    let report = admin
        .get("/api/v1/reports/operators?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z&bucket=week")
        .await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    let line = report.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|l| l["operator_id"] == ids[0].as_str())
        .expect("Jana's line")
        .clone();
    let total: i64 = line["buckets"]
        .as_array()
        .expect("buckets")
        .iter()
        .map(|b| b["after_chat_s"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(total, 35, "{line}");

    // A group without the time leaves none.
    admin
        .send(
            Method::PATCH,
            &format!("/api/v1/groups/{builtin}"),
            Some(json!({"after_chat_s": 0})),
        )
        .await;
    let r = jana
        .post(&format!("/api/v1/sessions/{third}/accept"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    jana.post(&format!("/api/v1/sessions/{third}/end"), json!({}))
        .await;
    let me = jana.get("/api/v1/me").await;
    assert_eq!(me.body["after_chat"], json!([]), "{}", me.body);
}
