//! Groups as routing targets: membership decides who is offered, the queue
//! limit is enforced, the built-in group stays.

use hovor_core::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::TestApp;
use crate::on_both_stores;

on_both_stores!(sessions_for_a_group_go_to_its_members_and_its_queue_limit_holds);

async fn sessions_for_a_group_go_to_its_members_and_its_queue_limit_holds(app: TestApp) {
    let c = app.company("acme").await;
    let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
    let (ids, tabs) = app.chat_operators(&c, &["Alice", "Bob"], 3).await;
    let groups = admin.get("/api/v1/groups").await.body;
    assert_eq!(groups["items"][0]["builtin"], true);
    assert_eq!(groups["items"][0]["name"], "All operators");
    let builtin = groups["items"][0]["id"].as_str().expect("id").to_owned();

    let r = admin
        .post(
            "/api/v1/groups",
            json!({"name": "Sales", "members": [ids[0]]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let sales = r.body["id"].as_str().expect("id").to_owned();
    let mut alice_ws = tabs[0].ws(None).await;
    let mut bob_ws = tabs[1].ws(None).await;

    // Bob has been idle longer, but only Alice is in Sales.
    let r = app
        .anonymous()
        .post(
            "/api/v1/client/sessions",
            json!({"company": "acme", "channel": "chat", "group_id": sales}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let offer = alice_ws.next_of("session.offered").await;
    assert_eq!(offer["data"]["session"]["group_id"], sales.as_str());
    bob_ws.expect_silence_of("session.offered", 300).await;
    // Bob may not take it from the queue either.
    let id = offer["data"]["session"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let r = tabs[1]
        .send(Method::POST, &format!("/api/v1/sessions/{id}/accept"), None)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // A queue limit of one: the next client is told the queue is full.
    let r = admin
        .send(
            Method::PATCH,
            &format!("/api/v1/groups/{sales}"),
            Some(json!({"max_queue": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["max_queue"], 1);
    let r = app
        .anonymous()
        .post(
            "/api/v1/client/sessions",
            json!({"company": "acme", "channel": "chat", "group_id": sales}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.body["error"]["code"], "queue_full");

    // The built-in group keeps its name and stays; a group with a queue cannot go.
    let r = admin
        .send(
            Method::PATCH,
            &format!("/api/v1/groups/{builtin}"),
            Some(json!({"name": "Everyone"})),
        )
        .await;
    assert_eq!(r.body["error"]["code"], "builtin_group");
    let r = admin
        .send(Method::DELETE, &format!("/api/v1/groups/{builtin}"), None)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = admin
        .send(Method::DELETE, &format!("/api/v1/groups/{sales}"), None)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.body["error"]["code"], "group_has_queue");

    tabs[0]
        .send(Method::POST, &format!("/api/v1/sessions/{id}/accept"), None)
        .await;
    tabs[0]
        .post(&format!("/api/v1/sessions/{id}/end"), json!({}))
        .await;
    let r = admin
        .send(Method::DELETE, &format!("/api/v1/groups/{sales}"), None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        admin.get(&format!("/api/v1/groups/{sales}")).await.status,
        StatusCode::NOT_FOUND
    );
    // The ended session keeps its group.
    let s = admin.get(&format!("/api/v1/sessions/{id}")).await.body;
    assert_eq!(s["group_id"], sales.as_str());
    let r = tabs[0]
        .post("/api/v1/groups", json!({"name": "Mine"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
