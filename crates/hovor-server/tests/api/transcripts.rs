//! Transcripts: the client downloads what they saw, operators what they
//! may read (with their notes), in Czech or English.

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{ask_and_answer, TestApp};
use crate::on_both_stores;

on_both_stores!(
    transcripts_for_the_client_and_the_operators,
    a_returning_client_is_recognised,
);

async fn transcripts_for_the_client_and_the_operators(app: TestApp) {
    let c = app.company("acme").await;
    let (ids, tabs) = app.chat_operators(&c, &["Jana", "Petr"], 3).await;
    let _ws = tabs[0].ws(None).await;
    let (id, token) = app.start_chat("acme", "Karel").await;
    let client = app.anonymous().bearer(&token);
    ask_and_answer(
        &id,
        &client,
        &tabs[0],
        "Dobrý den,\nkolik stojí káva?",
        "65 Kč.",
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

async fn start(app: &TestApp, company: &str, body: serde_json::Value) -> (String, String) {
    let mut body = body;
    body["company"] = json!(company);
    body["channel"] = json!("chat");
    app.start_session(body).await
}

async fn a_returning_client_is_recognised(app: TestApp) {
    let c = app.company("acme").await;
    let (_, tabs) = app.chat_operators(&c, &["Jana", "Petr"], 3).await;
    let (jana, petr) = (&tabs[0], &tabs[1]);
    // Petr serves alone at first; Jana comes online for the returning client.
    let _petr_live = petr.ws(None).await;
    let browser = "b7c1f0e2-4a5d-4e6f-9a8b-0c1d2e3f4a5b";
    let handle = |tab: &crate::harness::Client, id: &str| {
        let tab = tab.clone();
        let id = id.to_owned();
        async move {
            let r = tab
                .post(&format!("/api/v1/sessions/{id}/accept"), json!({}))
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            let r = tab
                .post(&format!("/api/v1/sessions/{id}/end"), json!({}))
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
    };
    // Yesterday from this browser; last week from another, with the same e-mail; a stranger.
    let (first, _) = start(
        &app,
        "acme",
        json!({"name": "Karel", "visitor_id": browser}),
    )
    .await;
    handle(petr, &first).await;
    let (second, _) = start(&app, "acme", json!({"email": "Karel@Example.com"})).await;
    handle(petr, &second).await;
    let (stranger, _) = start(
        &app,
        "acme",
        json!({"email": "eva@example.com", "visitor_id": "another-browser-0123456789"}),
    )
    .await;
    handle(petr, &stranger).await;
    // The same browser id in another company links nothing here.
    let _other = app.company("other").await;

    let r = app
        .anonymous()
        .post(
            "/api/v1/client/sessions",
            json!({"company": "acme", "channel": "chat", "visitor_id": "short"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "invalid_visitor_id");

    let _petr_away = petr
        .set_status(&ids_of_petr(&app, &c).await, "away", None)
        .await;
    let _jana_live = jana.ws(None).await;
    let (now, _) = start(
        &app,
        "acme",
        json!({"name": "Karel", "email": "karel@example.com", "visitor_id": browser}),
    )
    .await;
    let r = jana
        .post(&format!("/api/v1/sessions/{now}/accept"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = jana.get(&format!("/api/v1/sessions/{now}/earlier")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let items = r.body["items"].as_array().expect("items").clone();
    // (The test's clock stands still, so the order among them is not checked.)
    let mut found: Vec<(String, String)> = items
        .iter()
        .map(|i| {
            (
                i["session"]["id"].as_str().unwrap_or("").to_owned(),
                i["matched_by"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    found.sort();
    let mut expected = vec![
        (second.clone(), "email".to_owned()),
        (first.clone(), "browser".to_owned()),
    ];
    expected.sort();
    assert_eq!(found, expected, "the stranger is not among them");
    assert!(
        items.iter().all(|i| i["operator_name"] == "Petr"),
        "{items:?}"
    );
    // Jana reads Petr's earlier conversation for the client she serves, not otherwise.
    let (status, _, body) = jana
        .download(&format!("/api/v1/sessions/{first}/transcript?for={now}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        String::from_utf8_lossy(&body).contains("Klient: Karel")
            || String::from_utf8_lossy(&body).contains("Client: Karel")
    );
    let (status, _, _) = jana
        .download(&format!("/api/v1/sessions/{first}/transcript"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = jana
        .download(&format!("/api/v1/sessions/{stranger}/transcript?for={now}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Another operator may not use the client Jana serves as a key.
    let (status, _, _) = petr
        .download(&format!("/api/v1/sessions/{first}/transcript?for={now}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn ids_of_petr(app: &TestApp, c: &hovor_store::Company) -> String {
    app.store()
        .users(&c.id)
        .await
        .expect("users")
        .into_iter()
        .find(|u| u.name == "Petr")
        .expect("Petr")
        .id
}
