//! What an operator does with an offer besides accepting it (issue 12):
//! declining it, with a reason, which is not a miss; and picking another
//! waiting client while an offer holds their last slot, which gives that
//! offer back instead of failing with `capacity_full`.

use hovor_core::{Channel, Role};
use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{TestApp, TestUser, START};
use crate::on_both_stores;

on_both_stores!(
    a_declined_offer_goes_to_someone_else_and_is_not_a_miss,
    only_the_operator_an_offer_stands_for_may_decline_it,
    picking_another_client_gives_back_the_offer_that_holds_the_last_slot,
);

async fn chat_operator(
    app: &TestApp,
    c: &hovor_store::Company,
    name: &str,
    capacity: u32,
) -> TestUser {
    let user = app.user(c, name, Role::Operator).await;
    app.store()
        .assign_channels(&c.id, &user.id, &[(Channel::Chat, capacity)], None, START)
        .await
        .expect("assign chat")
        .into_unpublished();
    user
}

async fn a_declined_offer_goes_to_someone_else_and_is_not_a_miss(app: TestApp) {
    let c = app.company("acme").await;
    // An integration subscribes to declines (the outbox is kept whether or
    // not its receiver answers).
    let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
    let r = admin
        .post(
            "/api/v1/webhooks",
            json!({"url": "http://127.0.0.1:9/hook", "events": ["session.declined"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let alice = chat_operator(&app, &c, "Alice", 2).await;
    let alice_tab = app.login(&alice).await;
    let mut alice_ws = alice_tab.ws(None).await;
    let (id, token) = app.start_chat("acme", "Karel").await;
    let _karel = app.client_ws(&token, None).await;
    alice_ws.next_of("session.offered").await;

    // Bob comes online after the offer was made to Alice.
    let bob = chat_operator(&app, &c, "Bob", 2).await;
    let bob_tab = app.login(&bob).await;
    let mut bob_ws = bob_tab.ws(None).await;

    let r = alice_tab
        .post(
            &format!("/api/v1/sessions/{id}/decline"),
            json!({ "reason": "  Mluví jen německy  " }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "waiting");
    // Alice is told it is no longer hers, and stays Online.
    let changed = alice_ws.next_of("session.changed").await;
    assert_eq!(changed["data"]["session"]["status"], "waiting");
    let state = alice_tab.state_of(&alice.id).await;
    assert_eq!(state["status"], "online");
    assert_ne!(state["cause"], "missed_offer");
    // Bob gets it.
    let offer = bob_ws.next_of("session.offered").await;
    assert_eq!(offer["data"]["session"]["id"], id.as_str());

    // Bob's offer runs out (he is set Away, his miss): Alice, the only one
    // online now, is never offered it again.
    app.clock.advance_ms(30_000);
    assert_eq!(app.expire_offers().await, 1);
    assert_eq!(bob_tab.state_of(&bob.id).await["cause"], "missed_offer");
    alice_ws.expect_silence_of("session.offered", 300).await;
    let session = alice_tab.get(&format!("/api/v1/sessions/{id}")).await.body;
    assert_eq!(session["status"], "waiting", "{session}");
    // She may still pick it herself.
    let r = alice_tab
        .post(&format!("/api/v1/sessions/{id}/accept"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // The decline is recorded with its reason, and goes to the webhook.
    assert_eq!(
        app.count_rows("SELECT COUNT(*) FROM offer_declines WHERE reason = 'Mluví jen německy'")
            .await,
        1
    );
    let outbox = app
        .store()
        .events_after(&hovor_store::outbox_stream(&c.id), 0, 100)
        .await
        .expect("outbox");
    let declined: Vec<serde_json::Value> = outbox
        .iter()
        .filter(|e| e.kind == "session.declined")
        .map(|e| serde_json::from_str(&e.payload).expect("json"))
        .collect();
    assert_eq!(declined.len(), 1, "{outbox:?}");
    assert_eq!(declined[0]["operator_id"], alice.id.as_str());
    assert_eq!(declined[0]["reason"], "Mluví jen německy");
    assert_eq!(declined[0]["session"]["id"], id.as_str());
}

async fn only_the_operator_an_offer_stands_for_may_decline_it(app: TestApp) {
    let c = app.company("acme").await;
    let alice = chat_operator(&app, &c, "Alice", 2).await;
    let holder = app.login(&alice).await;
    let mut alice_ws = holder.ws(None).await;
    let (id, _) = app.start_chat("acme", "Karel").await;
    alice_ws.next_of("session.offered").await;
    let bob = chat_operator(&app, &c, "Bob", 2).await;
    let other = app.login(&bob).await;
    let r = other
        .post(&format!("/api/v1/sessions/{id}/decline"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "not_offered_to_you");
    let long = "x".repeat(201);
    let r = holder
        .post(
            &format!("/api/v1/sessions/{id}/decline"),
            json!({ "reason": long }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "invalid_reason");
    // Nothing changed: the offer still stands.
    let session = holder.get(&format!("/api/v1/sessions/{id}")).await.body;
    assert_eq!(session["status"], "offered");
    assert_eq!(
        app.count_rows("SELECT COUNT(*) FROM offer_declines").await,
        0
    );
    // Declined once, it cannot be declined again.
    let r = holder
        .post(&format!("/api/v1/sessions/{id}/decline"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = holder
        .post(&format!("/api/v1/sessions/{id}/decline"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    alice_ws.next_of("session.changed").await;
}

async fn picking_another_client_gives_back_the_offer_that_holds_the_last_slot(app: TestApp) {
    let c = app.company("acme").await;
    // Alice has three chats; two are busy.
    let alice = chat_operator(&app, &c, "Alice", 3).await;
    let tab = app.login(&alice).await;
    let mut ws = tab.ws(None).await;
    for name in ["Adam", "Bára"] {
        let (id, _) = app.start_chat("acme", name).await;
        ws.next_of("session.offered").await;
        let r = tab
            .post(&format!("/api/v1/sessions/{id}/accept"), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    // Cyril is offered to her (her last slot); Dana waits behind him.
    let (cyril, _) = app.start_chat("acme", "Cyril").await;
    let offer = ws.next_of("session.offered").await;
    assert_eq!(offer["data"]["session"]["id"], cyril.as_str());
    let (dana, _) = app.start_chat("acme", "Dana").await;

    // She picks Dana: Cyril's offer goes back, Dana is hers.
    let r = tab
        .post(&format!("/api/v1/sessions/{dana}/accept"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "active");
    let cyril_now = tab.get(&format!("/api/v1/sessions/{cyril}")).await.body;
    assert_eq!(cyril_now["status"], "waiting", "{cyril_now}");
    assert!(cyril_now["offered_to"].is_null());
    // Full now: nothing more is offered to her.
    ws.expect_silence_of("session.offered", 300).await;
    let state = tab.state_of(&alice.id).await;
    assert_eq!(state["status"], "online");
}
