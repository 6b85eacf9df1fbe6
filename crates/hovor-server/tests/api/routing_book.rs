//! Routing decides from its book in memory; every change that makes someone
//! eligible or not reaches the book at once, without waiting for the
//! routing tick (which these tests never run).

use hovor_core::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::harness::TestApp;
use crate::on_both_stores;

on_both_stores!(routing_follows_each_change_made_after_its_book_was_read);

async fn start_in(app: &TestApp, group: Option<&str>) -> (StatusCode, Value) {
    let mut body = json!({"company": "acme", "channel": "chat"});
    if let Some(group) = group {
        body["group_id"] = json!(group);
    }
    let r = app.anonymous().post("/api/v1/client/sessions", body).await;
    (r.status, r.body)
}

async fn routing_follows_each_change_made_after_its_book_was_read(app: TestApp) {
    let c = app.company("acme").await;
    let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
    let (ids, tabs) = app.chat_operators(&c, &["Alice", "Bob"], 5).await;
    let mut alice_ws = tabs[0].ws(None).await;
    let mut bob_ws = tabs[1].ws(None).await;

    // The book is read here: a chat for everyone.
    let (status, body) = start_in(&app, None).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let offered_to = |e: &Value| e["data"]["session"]["offered_to"].clone();
    tokio::select! {
        e = alice_ws.next_of("session.offered") => assert_eq!(offered_to(&e), ids[0].as_str()),
        e = bob_ws.next_of("session.offered") => assert_eq!(offered_to(&e), ids[1].as_str()),
    }

    // A group made now, with Bob in it, is served at once.
    let r = admin
        .post(
            "/api/v1/groups",
            json!({"name": "Sales", "members": [ids[1]]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let sales = r.body["id"].as_str().expect("id").to_owned();
    let (status, body) = start_in(&app, Some(&sales)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let offer = bob_ws.next_of("session.offered").await;
    assert_eq!(offer["data"]["session"]["group_id"], sales.as_str());

    // Bob switches chat off: nobody of Sales can take a chat.
    let r = tabs[1]
        .put(
            &format!("/api/v1/operators/{}/channels/chat", ids[1]),
            json!({"enabled": false}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let (status, body) = start_in(&app, Some(&sales)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "no_operator_available");

    // Alice joins Sales: its next chat is hers.
    let r = admin
        .send(
            Method::PATCH,
            &format!("/api/v1/groups/{sales}"),
            Some(json!({"members": [ids[0], ids[1]]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let (status, body) = start_in(&app, Some(&sales)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let offer = alice_ws.next_of("session.offered").await;
    assert_eq!(offer["data"]["session"]["group_id"], sales.as_str());

    // Alice goes away: nobody is left for a chat.
    let r = tabs[0]
        .put(
            &format!("/api/v1/operators/{}/state", ids[0]),
            json!({"status": "away"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let (status, body) = start_in(&app, None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    // Alice comes back, and her capacity is cut to what she holds: the
    // book counts her offers, so a client sees "busy", not "online".
    let r = tabs[0]
        .put(
            &format!("/api/v1/operators/{}/state", ids[0]),
            json!({"status": "online"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(availability(&app).await, "online");
    let held = app
        .store()
        .queued_sessions(&c.id)
        .await
        .expect("queue")
        .into_iter()
        .filter(|s| s.offered_to.as_deref() == Some(ids[0].as_str()))
        .count();
    assert!(held >= 1, "Alice holds the Sales chat");
    let r = admin
        .send(
            Method::PATCH,
            &format!("/api/v1/users/{}", ids[0]),
            Some(json!({"channels": [{"channel": "chat", "capacity": held}]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(availability(&app).await, "busy");
}

async fn availability(app: &TestApp) -> String {
    let r = app
        .anonymous()
        .get("/api/v1/client/availability?company=acme&channel=chat")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["state"].as_str().unwrap_or("?").to_owned()
}
