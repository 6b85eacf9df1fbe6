//! Canned answers: the company's (admins) and each operator's own, their
//! limits, who may see and change which, and placeholders filled for one
//! conversation.

use hovor_core::{Channel, Role};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::harness::{TestApp, START};
use crate::on_both_stores;

on_both_stores!(
    operators_keep_their_own_and_admins_the_companys,
    placeholders_are_filled_for_the_conversation,
);

fn shortcuts(body: &Value) -> Vec<(String, bool)> {
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|a| {
            (
                a["shortcut"].as_str().unwrap_or("").to_owned(),
                a["owner_id"].is_null(),
            )
        })
        .collect()
}

async fn operators_keep_their_own_and_admins_the_companys(app: TestApp) {
    let c = app.company("acme").await;
    let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
    let jana = app.user(&c, "Jana", Role::Operator).await;
    let jana_tab = app.login(&jana).await;
    let petr_tab = app.login(&app.user(&c, "Petr", Role::Operator).await).await;

    // Jana's own: the shortcut kept without "/" and in lower case.
    let r = jana_tab
        .post(
            "/api/v1/canned-answers",
            json!({"shortcut": "/Cena", "title": "Ceník", "text": "Cena je 120 Kč."}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["shortcut"], "cena");
    assert_eq!(r.body["owner_id"], jana.id.as_str());
    let janas = r.body["id"].as_str().expect("id").to_owned();
    // An operator makes no company answers.
    let r = jana_tab
        .post(
            "/api/v1/canned-answers",
            json!({"shortcut": "pozdrav", "text": "Dobrý den", "company": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = admin
        .post(
            "/api/v1/canned-answers",
            json!({"shortcut": "pozdrav", "text": "Dobrý den, {client_name}!", "company": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert!(r.body["owner_id"].is_null());
    let company = r.body["id"].as_str().expect("id").to_owned();
    let r = admin
        .post(
            "/api/v1/canned-answers",
            json!({"shortcut": "cena", "text": "Ceník najdete na webu.", "company": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    // Bad input, and nothing stored by it.
    for (body, status, code) in [
        (
            json!({"shortcut": "dvě slova", "text": "x"}),
            422,
            "invalid_shortcut",
        ),
        (
            json!({"shortcut": "", "text": "x"}),
            422,
            "invalid_shortcut",
        ),
        (json!({"shortcut": "a", "text": "  "}), 422, "empty_text"),
        (
            json!({"shortcut": "a", "text": "x".repeat(4001)}),
            413,
            "text_too_long",
        ),
        (
            json!({"shortcut": "a", "title": "t".repeat(101), "text": "x"}),
            422,
            "invalid_title",
        ),
        (
            json!({"shortcut": "CENA", "text": "again"}),
            409,
            "conflict",
        ),
    ] {
        let r = jana_tab.post("/api/v1/canned-answers", body).await;
        assert_eq!(r.status.as_u16(), status, "{}", r.body);
        assert_eq!(r.body["error"]["code"], code, "{}", r.body);
    }
    // Ten at once with one shortcut: exactly one is stored.
    let tries = (0..10).map(|n| {
        let tab = petr_tab.clone();
        async move {
            tab.post(
                "/api/v1/canned-answers",
                json!({"shortcut": "race", "text": format!("try {n}")}),
            )
            .await
            .status
        }
    });
    let statuses = futures_util::future::join_all(tries).await;
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count(),
        1,
        "{statuses:?}"
    );

    // Each sees the company's and their own; Jana's "cena" before the company's.
    let mine = jana_tab.get("/api/v1/canned-answers").await.body;
    assert_eq!(
        shortcuts(&mine),
        [
            ("cena".to_owned(), false),
            ("cena".to_owned(), true),
            ("pozdrav".to_owned(), true)
        ]
    );
    let petrs = petr_tab.get("/api/v1/canned-answers").await.body;
    assert_eq!(
        shortcuts(&petrs),
        [
            ("cena".to_owned(), true),
            ("pozdrav".to_owned(), true),
            ("race".to_owned(), false)
        ]
    );

    // Petr cannot touch Jana's (it is not there for him) nor the company's.
    let path = format!("/api/v1/canned-answers/{janas}");
    let r = petr_tab
        .send(Method::PATCH, &path, Some(json!({"text": "mine now"})))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let company_path = format!("/api/v1/canned-answers/{company}");
    let r = petr_tab.send(Method::DELETE, &company_path, None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    // Jana changes hers; the admin the company's.
    let r = jana_tab
        .send(
            Method::PATCH,
            &path,
            Some(json!({"text": "Cena je 150 Kč.", "title": ""})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["text"], "Cena je 150 Kč.");
    assert!(r.body["title"].is_null());
    assert_eq!(r.body["shortcut"], "cena");
    let r = admin
        .send(
            Method::PATCH,
            &company_path,
            Some(json!({"shortcut": "ahoj"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = jana_tab.send(Method::DELETE, &path, None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = jana_tab.send(Method::DELETE, &path, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let mine = jana_tab.get("/api/v1/canned-answers").await.body;
    assert_eq!(
        shortcuts(&mine),
        [("ahoj".to_owned(), true), ("cena".to_owned(), true)]
    );
    // Another company sees none of them.
    let other = app.company("other").await;
    let boss = app
        .login(&app.user(&other, "Boss", Role::Admin).await)
        .await;
    let theirs = boss.get("/api/v1/canned-answers").await.body;
    assert_eq!(shortcuts(&theirs), Vec::<(String, bool)>::new());
    let r = boss.send(Method::DELETE, &company_path, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    // An API key has no canned answers.
    let key = app.api_key(&c).await;
    let r = app.with_api_key(&key).get("/api/v1/canned-answers").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}

async fn placeholders_are_filled_for_the_conversation(app: TestApp) {
    let c = app.company("acme").await;
    let jana = app.user(&c, "Jana Nováková", Role::Operator).await;
    app.store()
        .assign_channels(&c.id, &jana.id, &[(Channel::Chat, 3)], None, START)
        .await
        .expect("assign chat")
        .into_unpublished();
    let tab = app.login(&jana).await;
    let _ws = tab.ws(None).await;
    let r = tab
        .post(
            "/api/v1/canned-answers",
            json!({"shortcut": "pozdrav", "text": "Dobrý den, {client_name}! Jmenuji se {operator_name}."}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    let filled = |body: Value| body["items"][0]["filled"].as_str().map(str::to_owned);
    let (named, _) = app.start_chat("acme", "Karel").await;
    let r = tab
        .get(&format!("/api/v1/canned-answers?session_id={named}"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        filled(r.body).as_deref(),
        Some("Dobrý den, Karel! Jmenuji se Jana Nováková.")
    );
    let r = app
        .anonymous()
        .post(
            "/api/v1/client/sessions",
            json!({"company": "acme", "channel": "chat"}),
        )
        .await;
    let nameless = r.body["session"]["id"].as_str().expect("id").to_owned();
    let r = tab
        .get(&format!("/api/v1/canned-answers?session_id={nameless}"))
        .await;
    assert_eq!(
        filled(r.body).as_deref(),
        Some("Dobrý den! Jmenuji se Jana Nováková.")
    );
    // Without a conversation: the text as written. Another's conversation: 404.
    let r = tab.get("/api/v1/canned-answers").await;
    assert!(r.body["items"][0].get("filled").is_none(), "{}", r.body);
    let other = app.company("other").await;
    let boss = app
        .login(&app.user(&other, "Boss", Role::Admin).await)
        .await;
    let r = boss
        .get(&format!("/api/v1/canned-answers?session_id={named}"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}
