//! The supervisor's wallboard (issue 14): each operator's load, open offers
//! and today's misses and handled sessions; each group's queue, its oldest
//! wait, who could take a client now, and today's answered and abandoned.

use hovor_core::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::harness::TestApp;
use crate::on_both_stores;

on_both_stores!(
    the_wallboard_counts_what_happened_today,
    a_supervisor_switching_channels_or_ending_a_session_is_named,
);

fn operator<'a>(board: &'a Value, id: &str) -> &'a Value {
    board["operators"]
        .as_array()
        .and_then(|ops| ops.iter().find(|o| o["operator_id"] == id))
        .unwrap_or(&Value::Null)
}

fn group<'a>(board: &'a Value, id: &str) -> &'a Value {
    board["groups"]
        .as_array()
        .and_then(|gs| gs.iter().find(|g| g["group_id"] == id))
        .unwrap_or(&Value::Null)
}

async fn the_wallboard_counts_what_happened_today(app: TestApp) {
    let c = app.company("acme").await;
    let other = app.company("other").await;
    let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
    let boss = app
        .login(&app.user(&c, "Boss", Role::Supervisor).await)
        .await;
    let stranger = app
        .login(&app.user(&other, "Stranger", Role::Supervisor).await)
        .await;
    let (ids, tabs) = app.chat_operators(&c, &["Alice", "Bob"], 2).await;
    let (alice, bob) = (&ids[0], &ids[1]);
    let mut alice_ws = tabs[0].ws(None).await;
    let _bob_ws = tabs[1].ws(None).await;
    let r = admin
        .post(
            "/api/v1/groups",
            json!({"name": "Sales", "members": [alice]}),
        )
        .await;
    let sales = r.body["id"].as_str().expect("id").to_owned();
    let board = boss.get("/api/v1/wallboard").await;
    assert_eq!(board.status, StatusCode::OK, "{}", board.body);
    let builtin = board.body["groups"][0]["group_id"]
        .as_str()
        .expect("builtin")
        .to_owned();
    assert_eq!(board.body["groups"][0]["builtin"], true);
    assert_eq!(group(&board.body, &builtin)["available"], 2);
    assert_eq!(group(&board.body, &sales)["available"], 1);
    assert_eq!(group(&board.body, &sales)["waiting"], 0);

    // Karel waits in Sales; Alice is offered him and lets the offer run out.
    let r = app
        .anonymous()
        .post(
            "/api/v1/client/sessions",
            json!({"company": "acme", "channel": "chat", "name": "Karel", "group_id": sales}),
        )
        .await;
    let karel = r.body["session"]["id"].as_str().expect("id").to_owned();
    let token = r.body["client_token"].as_str().expect("token").to_owned();
    let _karel_ws = app.client_ws(&token, None).await;
    alice_ws.next_of("session.offered").await;
    let board = boss.get("/api/v1/wallboard").await.body;
    let line = group(&board, &sales);
    assert_eq!(line["waiting"], 1);
    assert_eq!(line["oldest_waiting_since"], "2026-01-05T08:00:00.000Z");
    assert_eq!(operator(&board, alice)["offered"], 1);
    app.clock.advance_ms(30_000);
    assert_eq!(app.expire_offers().await, 1);
    let board = boss.get("/api/v1/wallboard").await.body;
    assert_eq!(operator(&board, alice)["missed_today"], 1);
    assert_eq!(operator(&board, alice)["offered"], 0);
    assert_eq!(operator(&board, alice)["available"], false, "set away");
    assert_eq!(group(&board, &sales)["available"], 0);
    assert_eq!(group(&board, &sales)["waiting"], 1);
    assert_eq!(operator(&board, bob)["available"], true);

    // A second later the supervisor brings her back; she takes Karel.
    app.clock.advance_ms(1_000);
    let r = boss
        .put(
            &format!("/api/v1/operators/{alice}/state"),
            json!({"status": "online"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Recorded with the supervisor's name; her own changes name nobody.
    let history = boss
        .get(&format!("/api/v1/operators/{alice}/state-history"))
        .await
        .body;
    assert_eq!(history["items"][0]["cause"], "supervisor");
    assert_eq!(history["items"][0]["changed_by"]["name"], "Boss");
    assert_eq!(history["items"][1]["cause"], "missed_offer");
    assert_eq!(history["items"][1]["changed_by"], Value::Null);
    alice_ws.next_of("session.offered").await;
    let r = tabs[0]
        .send(
            Method::POST,
            &format!("/api/v1/sessions/{karel}/accept"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let board = boss.get("/api/v1/wallboard").await.body;
    assert_eq!(operator(&board, alice)["handled_today"], 1);
    assert_eq!(
        operator(&board, alice)["load"],
        json!([{"channel": "chat", "active": 1, "capacity": 2, "enabled": true}])
    );
    assert_eq!(group(&board, &sales)["answered_today"], 1);
    assert_eq!(group(&board, &sales)["waiting"], 0);

    // With nobody free (Bob away, Alice full), a client waits and gives up:
    // abandoned today.
    boss.put(
        &format!("/api/v1/operators/{bob}/state"),
        json!({"status": "away"}),
    )
    .await;
    let (_, mirek) = app.start_chat("acme", "Mirek").await;
    let _mirek_ws = app.client_ws(&mirek, None).await;
    alice_ws.next_of("session.offered").await;
    let (waiting, token) = app.start_chat("acme", "Lenka").await;
    let board = boss.get("/api/v1/wallboard").await.body;
    // Mirek (offered to Alice, not yet taken) and Lenka.
    assert_eq!(group(&board, &builtin)["waiting"], 2);
    assert_eq!(group(&board, &builtin)["available"], 0);
    // The supervisor assigns Lenka to Bob (away now: she waits for him).
    let r = boss
        .post(
            &format!("/api/v1/sessions/{waiting}/transfer"),
            json!({"operator_id": bob, "note": "assigned by a supervisor"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "waiting");
    assert_eq!(r.body["target_operator_id"], bob.as_str());
    let r = app
        .anonymous()
        .bearer(&token)
        .post(
            &format!("/api/v1/client/sessions/{waiting}/leave"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let board = boss.get("/api/v1/wallboard").await.body;
    assert_eq!(group(&board, &builtin)["abandoned_today"], 1);
    assert_eq!(group(&board, &builtin)["waiting"], 1);
    // "Today" as the caller's day: the miss was before, the accept after.
    let board = boss
        .get("/api/v1/wallboard?since=2026-01-05T08:00:30.001Z")
        .await
        .body;
    assert_eq!(operator(&board, alice)["missed_today"], 0);
    assert_eq!(operator(&board, alice)["handled_today"], 1);

    // Who may look: supervisors, admins and keys; not operators; another
    // company sees its own board only.
    assert_eq!(admin.get("/api/v1/wallboard").await.status, StatusCode::OK);
    let key = app.api_key(&c).await;
    assert_eq!(
        app.with_api_key(&key).get("/api/v1/wallboard").await.status,
        StatusCode::OK
    );
    let r = tabs[1].get("/api/v1/wallboard").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let theirs = stranger.get("/api/v1/wallboard").await.body;
    assert!(group(&theirs, &sales).is_null());
    assert!(operator(&theirs, alice).is_null());
    let r = boss.get("/api/v1/wallboard?since=yesterday").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// The wallboard's actions on someone else's work are recorded with the
/// supervisor's name: a channel switch in the event the operator and the
/// webhooks get, an ended session in an internal note of its transcript.
async fn a_supervisor_switching_channels_or_ending_a_session_is_named(app: TestApp) {
    let c = app.company("acme").await;
    let boss = app
        .login(&app.user(&c, "Boss", Role::Supervisor).await)
        .await;
    let (ids, tabs) = app.chat_operators(&c, &["Alice"], 2).await;
    let alice = &ids[0];
    let mut alice_ws = tabs[0].ws(None).await;

    let path = format!("/api/v1/operators/{alice}/channels/chat");
    let r = boss.put(&path, json!({"enabled": false})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let e = alice_ws.next_of("operator.channel_changed").await;
    assert_eq!(e["data"]["channels"][0]["enabled"], false);
    assert_eq!(e["data"]["changed_by"]["name"], "Boss");
    let r = tabs[0].put(&path, json!({"enabled": true})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let e = alice_ws.next_of("operator.channel_changed").await;
    assert_eq!(e["data"]["channels"][0]["enabled"], true);
    assert_eq!(e["data"]["changed_by"], Value::Null, "her own switch");

    // Karel's chat is Alice's; the supervisor ends it from the board.
    let (karel, token) = app.start_chat("acme", "Karel").await;
    alice_ws.next_of("session.offered").await;
    let r = tabs[0]
        .send(
            Method::POST,
            &format!("/api/v1/sessions/{karel}/accept"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = boss
        .post(&format!("/api/v1/sessions/{karel}/end"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let note = alice_ws.next_of("message.created").await;
    let message = &note["data"]["message"];
    assert_eq!(message["author"], "system");
    assert_eq!(message["internal"], true);
    assert_eq!(message["text"], "Ended by Boss");
    assert_eq!(
        message["notice"],
        json!({"kind": "ended_by", "name": "Boss"})
    );
    let ended = alice_ws.next_of("session.changed").await;
    assert_eq!(ended["data"]["session"]["status"], "ended");
    let transcript = tabs[0]
        .get(&format!("/api/v1/sessions/{karel}/messages"))
        .await
        .body;
    assert_eq!(transcript["items"][0]["notice"]["name"], "Boss");
    // Replayed after a reconnect, it still carries its notice.
    let mut again = tabs[0].ws(Some(0)).await;
    let replayed = again.next_of("message.created").await;
    assert_eq!(replayed["data"]["message"]["notice"]["kind"], "ended_by");
    // The client is not told who ended it.
    let client = app
        .anonymous()
        .bearer(&token)
        .get(&format!(
            "/api/v1/client/sessions/{karel}/messages?after_seq=0"
        ))
        .await
        .body;
    assert_eq!(client["items"], json!([]));
}
