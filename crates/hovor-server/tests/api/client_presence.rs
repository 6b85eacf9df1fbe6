//! Clients who leave without a word (issue 12): a waiting client whose page
//! has been closed for the company's `client_gone_s` leaves the queue as
//! `abandoned`, its offer is withdrawn, and no operator is set Away for
//! having missed a client who was not there.

use hovor_core::{Channel, Role};
use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{eventually, TestApp, TestUser, START};
use crate::on_both_stores;

on_both_stores!(
    a_client_who_closed_the_page_leaves_the_queue_and_nobody_is_blamed,
    a_page_that_says_it_is_leaving_goes_soon_unless_it_comes_back,
    a_client_polling_over_http_is_not_taken_for_gone,
    client_connections_do_not_outlive_a_restart,
);

async fn chat_operator(app: &TestApp, c: &hovor_store::Company, name: &str) -> TestUser {
    let user = app.user(c, name, Role::Operator).await;
    app.store()
        .assign_channels(&c.id, &user.id, &[(Channel::Chat, 2)], None, START)
        .await
        .expect("assign chat")
        .into_unpublished();
    user
}

/// An operator online with their workspace open, so the company takes chats.
async fn serving(
    app: &TestApp,
    c: &hovor_store::Company,
) -> (crate::harness::Client, crate::harness::Ws) {
    let eva = chat_operator(app, c, "Eva").await;
    let tab = app.login(&eva).await;
    let ws = tab.ws(None).await;
    (tab, ws)
}

/// Waits until the server has recorded the client's socket as closed (the
/// time a client has to come back runs from then).
async fn seen_gone(app: &TestApp, session_id: &str, leaving: bool) {
    eventually("the closed socket recorded", || async {
        app.store()
            .client_presence(session_id)
            .await
            .ok()
            .flatten()
            .is_some_and(|p| p.connections == 0 && p.leaving == leaving)
    })
    .await;
}

async fn a_client_who_closed_the_page_leaves_the_queue_and_nobody_is_blamed(app: TestApp) {
    let c = app.company("acme").await;
    let alice = chat_operator(&app, &c, "Alice").await;
    let tab = app.login(&alice).await;
    let mut ws = tab.ws(None).await;
    let (id, token) = app.start_chat("acme", "Karel").await;
    let karel = app.client_ws(&token, None).await;
    ws.next_of("session.offered").await;

    // Karel closes the page (the network just drops: no word).
    karel.close().await;
    seen_gone(&app, &id, false).await;
    // Alice does not answer in time, but Karel was no longer there: she
    // stays Online, and the session goes back to the queue for now.
    app.clock.advance_ms(30_000);
    assert_eq!(app.expire_offers().await, 1);
    let state = tab.state_of(&alice.id).await;
    assert_eq!(state["status"], "online", "{state}");
    assert_ne!(state["cause"], "missed_offer");

    // 59 s after he left he still has his chance; at 60 s (the company's
    // default `client_gone_s`) he has left the queue.
    app.clock.advance_ms(29_000);
    assert_eq!(app.reap_clients().await, 0);
    app.clock.advance_ms(1_000);
    assert_eq!(app.reap_clients().await, 1);
    assert_eq!(app.reap_clients().await, 0, "once");
    // Read as the company (Alice was only offered it; it is not hers to read).
    let company = app.with_api_key(&app.api_key(&c).await);
    let session = company.get(&format!("/api/v1/sessions/{id}")).await.body;
    assert_eq!(session["status"], "ended", "{session}");
    assert_eq!(session["end_reason"], "abandoned");
    let queue = tab.get("/api/v1/sessions/queue").await.body;
    assert_eq!(queue["items"].as_array().map(Vec::len), Some(0), "{queue}");
    let state = tab.state_of(&alice.id).await;
    assert_eq!(state["status"], "online");
}

async fn a_page_that_says_it_is_leaving_goes_soon_unless_it_comes_back(app: TestApp) {
    let c = app.company("acme").await;
    let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
    let r = admin
        .send(
            reqwest::Method::PATCH,
            "/api/v1/company/settings",
            Some(json!({ "client_gone_s": 120 })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["client_gone_s"], 120);

    let _eva = serving(&app, &c).await;
    let (leaving, leaving_token) = app.start_chat("acme", "Karel").await;
    let (reloading, reloading_token) = app.start_chat("acme", "Bára").await;
    let karel = app.client_ws(&leaving_token, None).await;
    let bara = app.client_ws(&reloading_token, None).await;
    // Both pages go away, saying so; Bára's was a reload and comes back.
    karel.close_with_code(4000, "leaving").await;
    bara.close_with_code(4000, "leaving").await;
    // The leaving window runs from when the server saw them go.
    for id in [&leaving, &reloading] {
        seen_gone(&app, id, true).await;
    }
    app.clock.advance_ms(3_000);
    let _bara_again = app.client_ws(&reloading_token, None).await;

    app.clock.advance_ms(6_999);
    assert_eq!(app.reap_clients().await, 0);
    app.clock.advance_ms(1);
    assert_eq!(app.reap_clients().await, 1);
    let read = |token: &str, id: &str| {
        let client = app.anonymous().bearer(token);
        let path = format!("/api/v1/client/sessions/{id}");
        async move { client.get(&path).await.body }
    };
    let karel = read(&leaving_token, &leaving).await;
    assert_eq!(karel["session"]["status"], "ended", "{karel}");
    assert_eq!(karel["session"]["end_reason"], "abandoned");
    let bara = read(&reloading_token, &reloading).await;
    assert_ne!(bara["session"]["status"], "ended", "{bara}");
    assert_eq!(bara["queue_position"], 1, "Bára moved up: {bara}");

    // Long after, Bára is still connected and still waiting.
    app.clock.advance_ms(10 * 60_000);
    assert_eq!(app.reap_clients().await, 0);
}

async fn a_client_polling_over_http_is_not_taken_for_gone(app: TestApp) {
    let c = app.company("acme").await;
    let _eva = serving(&app, &c).await;
    let (id, token) = app.start_chat("acme", "Karel").await;
    let client = app.anonymous().bearer(&token);
    for _ in 0..5 {
        app.clock.advance_ms(50_000);
        assert_eq!(app.reap_clients().await, 0);
        let r = client.get(&format!("/api/v1/client/sessions/{id}")).await;
        assert_ne!(r.body["session"]["status"], "ended", "{}", r.body);
    }
    // Then it stops asking.
    app.clock.advance_ms(59_000);
    assert_eq!(app.reap_clients().await, 0);
    app.clock.advance_ms(1_000);
    assert_eq!(app.reap_clients().await, 1);
}

async fn client_connections_do_not_outlive_a_restart(app: TestApp) {
    let c = app.company("acme").await;
    let _eva = serving(&app, &c).await;
    let (id, token) = app.start_chat("acme", "Karel").await;
    let karel = app.client_ws(&token, None).await;
    // Bára's page closed cleanly, a while before the node went down.
    let (_, bara_token) = app.start_chat("acme", "Bára").await;
    app.client_ws(&bara_token, None).await.close().await;
    app.clock.advance_ms(50_000);
    // The node dies with Karel's socket counted as open; its disconnect
    // is never recorded. It is down for five minutes.
    std::mem::forget(karel);
    app.clock.advance_ms(5 * 60_000);
    let restarted = app.restarted_state().await;
    hovor_server::services::client_presence::forget_client_connections_from_before(&restarted)
        .await
        .expect("forget");
    app.clock.advance_ms(59_000);
    assert_eq!(
        hovor_server::services::client_presence::abandon_gone_clients(&restarted)
            .await
            .expect("reap"),
        0,
        "a minute to come back from the restart, for both"
    );
    app.clock.advance_ms(1_000);
    assert_eq!(
        hovor_server::services::client_presence::abandon_gone_clients(&restarted)
            .await
            .expect("reap"),
        2
    );
    let session = app
        .store()
        .session(&c.id, &id)
        .await
        .expect("session")
        .expect("exists");
    assert_eq!(session.end_reason.map(|r| r.as_str()), Some("abandoned"));
}
