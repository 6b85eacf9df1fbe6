//! Groups as routing targets: membership decides who is offered, the queue
//! limit is enforced, the built-in group stays.

use hovor_core::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::TestApp;
use crate::on_both_stores;

on_both_stores!(
    sessions_for_a_group_go_to_its_members_and_its_queue_limit_holds,
    a_broadcast_group_rings_every_member_and_exactly_one_accept_wins,
);

/// Issue 14: a `broadcast` group offers a client to every eligible member at
/// once (each sees them in their queue, nobody holds a personal offer); of N
/// racing accepts exactly one wins, and the client leaves everyone else's
/// queue.
async fn a_broadcast_group_rings_every_member_and_exactly_one_accept_wins(app: TestApp) {
    const N: usize = 6;
    let c = app.company("acme").await;
    let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
    let names: Vec<String> = (0..N).map(|i| format!("Op{i}")).collect();
    let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let (ids, tabs) = app.chat_operators(&c, &name_refs, 3).await;
    let (outsider_ids, outsider_tabs) = app.chat_operators(&c, &["Outsider"], 3).await;
    let mut sockets = Vec::new();
    for tab in tabs.iter().chain(&outsider_tabs) {
        sockets.push(tab.ws(None).await);
    }
    let r = admin
        .post(
            "/api/v1/groups",
            json!({"name": "Hotline", "strategy": "broadcast", "members": ids}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["strategy"], "broadcast");
    let hotline = r.body["id"].as_str().expect("id").to_owned();
    let r = admin
        .post("/api/v1/groups", json!({"name": "X", "strategy": "random"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "unsupported_strategy");

    for round in 0..3 {
        let r = app
            .anonymous()
            .post(
                "/api/v1/client/sessions",
                json!({"company": "acme", "channel": "chat", "name": format!("caller {round}"), "group_id": hotline}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.body["session"]["id"].as_str().expect("id").to_owned();
        // Every member has them in their queue, still waiting: nobody was
        // given a personal offer, so nobody's offer can run out.
        for tab in &tabs {
            let mut seen = false;
            for _ in 0..50 {
                let queue = tab.get("/api/v1/sessions/queue").await.body;
                if let Some(s) = queue["items"]
                    .as_array()
                    .and_then(|items| items.iter().find(|s| s["id"] == id.as_str()))
                {
                    assert_eq!(s["status"], "waiting", "round {round}: {s}");
                    assert!(s["offered_to"].is_null());
                    seen = true;
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            assert!(seen, "round {round}: a member does not see the caller");
        }
        let outsider = outsider_tabs[0].get("/api/v1/sessions/queue").await.body;
        assert!(outsider["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|s| s["id"] != id.as_str()));
        app.clock.advance_ms(60_000);
        assert_eq!(app.expire_offers().await, 0, "no offer to run out");

        // All of them accept at once: exactly one wins.
        let path = format!("/api/v1/sessions/{id}/accept");
        let replies =
            futures_util::future::join_all(tabs.iter().map(|t| t.send(Method::POST, &path, None)))
                .await;
        let winners: Vec<usize> = (0..N)
            .filter(|i| replies[*i].status == StatusCode::OK)
            .collect();
        assert_eq!(
            winners.len(),
            1,
            "round {round}: {:?}",
            replies.iter().map(|r| r.status).collect::<Vec<_>>()
        );
        for (i, r) in replies.iter().enumerate() {
            if i != winners[0] {
                assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
                assert_eq!(r.body["error"]["code"], "already_taken");
            }
        }
        let winner = winners[0];
        let session = tabs[winner]
            .get(&format!("/api/v1/sessions/{id}"))
            .await
            .body;
        assert_eq!(session["status"], "active");
        assert_eq!(session["operator_id"], ids[winner].as_str());
        // Gone from everyone's queue.
        for tab in &tabs {
            let queue = tab.get("/api/v1/sessions/queue").await.body;
            assert!(queue["items"]
                .as_array()
                .expect("items")
                .iter()
                .all(|s| s["id"] != id.as_str()));
        }
    }
    assert!(!outsider_ids.is_empty());

    // Back to longest_idle: the next caller is offered to one member.
    let r = admin
        .send(
            Method::PATCH,
            &format!("/api/v1/groups/{hotline}"),
            Some(json!({"strategy": "longest_idle"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["strategy"], "longest_idle");
    let r = app
        .anonymous()
        .post(
            "/api/v1/client/sessions",
            json!({"company": "acme", "channel": "chat", "group_id": hotline}),
        )
        .await;
    let id = r.body["session"]["id"].as_str().expect("id").to_owned();
    let mut offered_to = serde_json::Value::Null;
    for _ in 0..50 {
        let s = admin.get(&format!("/api/v1/sessions/{id}")).await.body;
        if s["status"] == "offered" {
            offered_to = s["offered_to"].clone();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(ids.iter().any(|i| offered_to == i.as_str()), "{offered_to}");
}

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
