//! Transcripts: the client downloads what they saw, operators what they
//! may read (with their notes), in Czech or English.

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::TestApp;
use crate::on_both_stores;

on_both_stores!(transcripts_for_the_client_and_the_operators);

async fn transcripts_for_the_client_and_the_operators(app: TestApp) {
    let c = app.company("acme").await;
    let (ids, tabs) = app.chat_operators(&c, &["Jana", "Petr"], 3).await;
    let _ws = tabs[0].ws(None).await;
    let (id, token) = app.start_chat("acme", "Karel").await;
    let client = app.anonymous().bearer(&token);
    client
        .post(
            &format!("/api/v1/client/sessions/{id}/messages"),
            json!({"text": "Dobrý den,\nkolik stojí káva?"}),
        )
        .await;
    let r = tabs[0]
        .post(&format!("/api/v1/sessions/{id}/accept"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    tabs[0]
        .post(
            &format!("/api/v1/sessions/{id}/messages"),
            json!({"text": "65 Kč."}),
        )
        .await;
    // A note for the colleague: the operators' transcript only.
    let r = tabs[0]
        .post(
            &format!("/api/v1/sessions/{id}/transfer"),
            json!({"operator_id": ids[1], "note": "stálý zákazník"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    let path = format!("/api/v1/client/sessions/{id}/transcript?lang=cs");
    let (status, headers, body) = client.download(&path).await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(body).expect("utf-8");
    assert_eq!(
        headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("text/plain; charset=utf-8")
    );
    let disposition = headers
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        disposition.starts_with("attachment; filename=\"conversation-"),
        "{disposition}"
    );
    assert!(text.starts_with("Konverzace · "), "{text}");
    assert!(text.contains("Klient: Karel\n"), "{text}");
    assert!(
        text.contains("] Karel: Dobrý den,\n        kolik stojí káva?\n"),
        "{text}"
    );
    assert!(text.contains("] Jana: 65 Kč.\n"), "{text}");
    assert!(
        !text.contains("stálý zákazník"),
        "no note for the client: {text}"
    );

    let (status, _, body) = tabs[0]
        .download(&format!("/api/v1/sessions/{id}/transcript"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(body).expect("utf-8");
    assert!(text.starts_with("Conversation · "), "{text}");
    assert!(
        text.contains("] Hovor: Transferred to Petr: stálý zákazník\n"),
        "{text}"
    );

    // Bad parameters; another client's or company's transcript is not there.
    let (status, _, _) = client
        .download(&format!("/api/v1/client/sessions/{id}/transcript?lang=de"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _, _) = client
        .download(&format!(
            "/api/v1/client/sessions/{id}/transcript?tz=Mars/Base"
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (other, other_token) = app.start_chat("acme", "Eva").await;
    let (status, _, _) = app
        .anonymous()
        .bearer(&other_token)
        .download(&format!("/api/v1/client/sessions/{id}/transcript"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let _ = other;
    let stranger = app.company("other").await;
    let boss = app
        .login(&app.user(&stranger, "Boss", hovor_core::Role::Admin).await)
        .await;
    let (status, _, _) = boss
        .download(&format!("/api/v1/sessions/{id}/transcript"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
