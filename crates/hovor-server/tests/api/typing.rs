//! Typing indicators: each side of a conversation sees the other typing,
//! throttled, never stored; nobody else can claim to type in it.

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::TestApp;
use crate::on_both_stores;

on_both_stores!(each_side_sees_the_other_typing);

async fn each_side_sees_the_other_typing(app: TestApp) {
    let c = app.company("acme").await;
    let (_, tabs) = app.chat_operators(&c, &["Jana", "Petr"], 3).await;
    let mut jana = tabs[0].ws(None).await;
    let (id, token) = app.start_chat("acme", "Karel").await;
    jana.next_of("session.offered").await;
    let r = tabs[0]
        .post(&format!("/api/v1/sessions/{id}/accept"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let mut petr = tabs[1].ws(None).await;
    let mut client = app.client_ws(&token, None).await;
    // Jana now follows the conversation's stream.
    jana.next_of("session.changed").await;

    client.send_text(r#"{"type":"typing"}"#).await;
    let seen = jana.next_of("typing").await;
    assert_eq!(seen["session_id"], id.as_str());
    assert_eq!(seen["from"], "client");
    // Twice within two seconds: told once.
    client.send_text(r#"{"type":"typing"}"#).await;
    jana.expect_silence_of("typing", 600).await;
    // The client does not hear its own typing.
    client.expect_silence_of("typing", 200).await;

    tabs[0]
        .ws(None)
        .await
        .send_text(&format!(r#"{{"type":"typing","session_id":"{id}"}}"#))
        .await;
    let seen = client.next_of("typing").await;
    assert_eq!(seen["from"], "operator");
    assert_eq!(seen["session_id"], id.as_str());
    // Petr holds nothing here: his claim is ignored; a made-up frame too.
    petr.send_text(&format!(r#"{{"type":"typing","session_id":"{id}"}}"#))
        .await;
    petr.send_text(r#"{"type":"typing","session_id":"ses_nope","extra":1}"#)
        .await;
    client.expect_silence_of("typing", 2500).await;

    // Never stored: the stream holds no trace of it.
    let events = app.store().events_after(&id, 0, 100).await.expect("events");
    assert!(
        events.iter().all(|e| !e.kind.contains("typing")),
        "{:?}",
        events.iter().map(|e| &e.kind).collect::<Vec<_>>()
    );
}
