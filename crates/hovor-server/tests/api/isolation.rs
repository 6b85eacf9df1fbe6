//! Company isolation: a user or key of company A gets 404 for every object
//! of company B, and lists show only their own company.

use hovor_core::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::TestApp;
use crate::on_both_stores;

on_both_stores!(another_companys_objects_are_404);

async fn another_companys_objects_are_404(app: TestApp) {
    let a = app.company("alpha").await;
    let b = app.company("beta").await;
    let alice = app.user(&a, "Alice", Role::Operator).await;
    let lunch_a = app.pause_type(&a, "Lunch", false).await;
    let bob_admin = app.login(&app.user(&b, "Bob", Role::Admin).await).await;
    let key_b = app.api_key(&b).await;
    let alice_tab = app.login(&alice).await;

    for client in [&bob_admin, &app.with_api_key(&key_b)] {
        for path in [
            format!("/api/v1/operators/{}/state", alice.id),
            format!("/api/v1/operators/{}/state-history", alice.id),
            format!("/api/v1/operators/{}/state-summary", alice.id),
            format!("/api/v1/pause-types/{lunch_a}"),
        ] {
            let r = client.get(&path).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
        }
        let r = client
            .put(
                &format!("/api/v1/operators/{}/state", alice.id),
                json!({"status": "away"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = client
            .send(
                Method::PATCH,
                &format!("/api/v1/pause-types/{lunch_a}"),
                Some(json!({"name": "x"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = client
            .send(
                Method::DELETE,
                &format!("/api/v1/pause-types/{lunch_a}"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let list = client.get("/api/v1/operators").await.body;
        assert!(list["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|o| o["id"] != alice.id.as_str()));
        let pauses = client.get("/api/v1/pause-types").await.body;
        assert_eq!(pauses["items"].as_array().map(Vec::len), Some(0));
    }
    // A pause type of company A cannot be used by company B's operator.
    let bob_op = app.user(&b, "Bert", Role::Operator).await;
    let bert = app.login(&bob_op).await;
    let r = bert
        .put(
            &format!("/api/v1/operators/{}/state", bob_op.id),
            json!({"status": "away", "pause_type_id": lunch_a}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["error"]["code"], "unknown_pause_type");
    // Nothing happened to Alice, and her pause type is untouched.
    let state = alice_tab.state_of(&alice.id).await;
    assert_eq!(state["status"], "online");
    assert_eq!(state["cause"], "login");
    let pauses = alice_tab.get("/api/v1/pause-types").await.body;
    assert_eq!(pauses["items"][0]["name"], "Lunch");
    assert_eq!(pauses["items"][0]["archived"], false);
}
