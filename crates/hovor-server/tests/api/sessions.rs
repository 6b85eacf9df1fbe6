//! Clients reach operators: the widget's API, routing, the conversation.
//! (One file past 500 lines: these scenarios share their set-up helpers.)

use hovor_core::{Channel, Role};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::harness::{eventually, TestApp, TestUser, START};
use crate::on_both_stores;

on_both_stores!(
    a_client_chat_is_offered_accepted_and_both_sides_talk,
    nobody_ineligible_is_offered_and_switching_chat_routes_the_queue,
    two_operators_racing_for_one_session_exactly_one_wins,
    a_missed_offer_goes_back_to_the_queue_and_the_operator_away,
    transfers_and_ends_with_a_note,
    bad_client_input_is_refused,
    waiting_clients_learn_their_new_place_when_someone_ahead_leaves,
    the_wait_is_estimated_from_recent_acceptances_only,
    the_client_learns_who_joined,
);

async fn operator(
    app: &TestApp,
    company: &hovor_store::Company,
    name: &str,
    chat_capacity: u32,
) -> TestUser {
    let user = app.user(company, name, Role::Operator).await;
    app.store()
        .assign_channels(
            &company.id,
            &user.id,
            &[(Channel::Chat, chat_capacity)],
            None,
            START,
        )
        .await
        .expect("assign chat")
        .into_unpublished();
    user
}

async fn availability(app: &TestApp, company: &str) -> String {
    let r = app
        .anonymous()
        .get(&format!(
            "/api/v1/client/availability?company={company}&channel=chat"
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["state"].as_str().unwrap_or("?").to_owned()
}

fn texts(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|m| m["text"].as_str().unwrap_or("").to_owned())
        .collect()
}

async fn a_client_chat_is_offered_accepted_and_both_sides_talk(app: TestApp) {
    let c = app.company("acme").await;
    assert_eq!(availability(&app, "acme").await, "offline");
    let jana = operator(&app, &c, "Jana", 2).await;
    let tab = app.login(&jana).await;
    assert_eq!(
        availability(&app, "acme").await,
        "offline",
        "logged in but no workspace open"
    );
    let mut ws = tab.ws(None).await;
    assert_eq!(availability(&app, "acme").await, "online");

    let r = app
        .anonymous()
        .post(
            "/api/v1/client/sessions",
            json!({"company": "acme", "channel": "chat", "name": "Karel", "page_url": "https://shop.example/cart"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["session"]["id"].as_str().expect("id").to_owned();
    let token = r.body["client_token"].as_str().expect("token").to_owned();
    let client = app.anonymous().bearer(&token);

    let offer = ws.next_of("session.offered").await;
    assert_eq!(offer["data"]["session"]["id"], id.as_str());
    assert_eq!(offer["data"]["session"]["client"]["name"], "Karel");
    assert_eq!(
        offer["data"]["session"]["page_url"],
        "https://shop.example/cart"
    );
    assert_eq!(offer["data"]["session"]["offered_to"], jana.id.as_str());
    let queue = tab.get("/api/v1/sessions/queue").await.body;
    assert_eq!(queue["items"][0]["id"], id.as_str());
    let view = client
        .get(&format!("/api/v1/client/sessions/{id}"))
        .await
        .body;
    assert_eq!(view["queue_position"], 1);

    // The client writes while waiting; the message is kept for the operator.
    let r = client
        .post(
            &format!("/api/v1/client/sessions/{id}/messages"),
            json!({"text": "Dobrý den", "client_msg_id": "m-1"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["seq"], 1);
    // The same message resent (a network drop): no duplicate.
    let again = client
        .post(
            &format!("/api/v1/client/sessions/{id}/messages"),
            json!({"text": "Dobrý den", "client_msg_id": "m-1"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body["seq"], 1);

    let mut client_ws = app.client_ws(&token, None).await;
    let r = tab
        .send(Method::POST, &format!("/api/v1/sessions/{id}/accept"), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "active");
    assert_eq!(r.body["operator_id"], jana.id.as_str());
    let changed = client_ws.next_of("session.changed").await;
    assert_eq!(changed["data"]["session"]["status"], "active");

    let hostile = "<img src=x onerror=alert(1)>";
    let r = tab
        .post(
            &format!("/api/v1/sessions/{id}/messages"),
            json!({"text": hostile}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["operator_name"], "Jana");
    let m = client_ws.next_of("message.created").await;
    assert_eq!(m["data"]["message"]["text"], hostile);
    assert_eq!(m["data"]["message"]["author"], "operator");

    let r = client
        .post(
            &format!("/api/v1/client/sessions/{id}/messages"),
            json!({"text": "Děkuji"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    // Her own message comes first (her other tabs see it too), then the client's.
    let own = ws.next_of("message.created").await;
    assert_eq!(own["data"]["message"]["text"], hostile);
    let m = ws.next_of("message.created").await;
    assert_eq!(m["data"]["session_id"], id.as_str());
    assert_eq!(m["data"]["message"]["text"], "Děkuji");
    assert_eq!(m["data"]["message"]["author"], "client");

    let on_both_sides = [
        tab.get(&format!("/api/v1/sessions/{id}/messages"))
            .await
            .body,
        client
            .get(&format!("/api/v1/client/sessions/{id}/messages"))
            .await
            .body,
    ];
    for body in &on_both_sides {
        assert_eq!(texts(body), vec!["Dobrý den", hostile, "Děkuji"]);
    }
    let after = client
        .get(&format!(
            "/api/v1/client/sessions/{id}/messages?after_seq=2"
        ))
        .await
        .body;
    assert_eq!(texts(&after), vec!["Děkuji"]);

    // A dropped client connection resumes with exactly what it missed.
    let own = client_ws.next_of("message.created").await;
    assert_eq!(own["data"]["message"]["text"], "Děkuji");
    let seen = own["seq"].as_i64().expect("seq");
    drop(client_ws);
    tab.post(
        &format!("/api/v1/sessions/{id}/messages"),
        json!({"text": "Ještě něco?"}),
    )
    .await;
    let mut resumed = app.client_ws(&token, Some(seen)).await;
    let e = resumed.next_of("message.created").await;
    assert_eq!(e["data"]["message"]["text"], "Ještě něco?");
    resumed.expect_silence(200).await;

    let r = client
        .send(
            Method::POST,
            &format!("/api/v1/client/sessions/{id}/leave"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["session"]["status"], "ended");
    assert_eq!(r.body["session"]["end_reason"], "client_left");
    let ended = ws.next_of("session.changed").await;
    assert_eq!(ended["data"]["session"]["status"], "ended");
    let r = tab
        .post(
            &format!("/api/v1/sessions/{id}/messages"),
            json!({"text": "haló?"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
}

async fn nobody_ineligible_is_offered_and_switching_chat_routes_the_queue(app: TestApp) {
    let c = app.company("acme").await;
    let a = operator(&app, &c, "Alice", 2).await;
    let b = operator(&app, &c, "Bob", 2).await;
    let away = operator(&app, &c, "Away", 2).await;
    let a_tab = app.login(&a).await;
    let b_tab = app.login(&b).await;
    let away_tab = app.login(&away).await;
    let mut a_ws = a_tab.ws(None).await;
    let mut b_ws = b_tab.ws(None).await;
    let mut away_ws = away_tab.ws(None).await;
    away_tab.set_status(&away.id, "away", None).await;
    // Bob switches chat off: only Alice can take chats.
    let r = b_tab
        .put(
            &format!("/api/v1/operators/{}/channels/chat", b.id),
            json!({"enabled": false}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);

    // They arrive a millisecond apart (the test clock does not move by
    // itself): the queue is in order of arrival.
    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push(app.start_chat("acme", &format!("client {n}")).await.0);
        app.clock.advance_ms(1);
    }
    // Alice has room for two; the third waits and the widget says busy.
    let first = a_ws.next_of("session.offered").await;
    let second = a_ws.next_of("session.offered").await;
    assert_eq!(first["data"]["session"]["id"], ids[0].as_str());
    assert_eq!(second["data"]["session"]["id"], ids[1].as_str());
    eventually("third waits", || async {
        app.store()
            .session(&c.id, &ids[2])
            .await
            .ok()
            .flatten()
            .is_some_and(|s| s.status == hovor_core::session::SessionStatus::Waiting)
    })
    .await;
    assert_eq!(availability(&app, "acme").await, "busy");

    // Bob switches chat on: the waiting chat goes to him at once.
    let r = b_tab
        .put(
            &format!("/api/v1/operators/{}/channels/chat", b.id),
            json!({"enabled": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let third = b_ws.next_of("session.offered").await;
    assert_eq!(third["data"]["session"]["id"], ids[2].as_str());

    // Alice switches chat off: her accepted conversations go on, no new offers.
    for id in &ids[..2] {
        let r = a_tab
            .send(Method::POST, &format!("/api/v1/sessions/{id}/accept"), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    a_tab
        .put(
            &format!("/api/v1/operators/{}/channels/chat", a.id),
            json!({"enabled": false}),
        )
        .await;
    let r = a_tab
        .post(
            &format!("/api/v1/sessions/{}/messages", ids[0]),
            json!({"text": "still here"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let fourth = app.start_chat("acme", "client 4").await.0;
    // Bob has one offer and room for one more: the fourth goes to him.
    loop {
        let e = b_ws.next_of("session.offered").await;
        if e["data"]["session"]["id"] == fourth.as_str() {
            break;
        }
    }
    a_ws.expect_silence_of("session.offered", 300).await;
    away_ws.expect_silence_of("session.offered", 100).await;
}

async fn two_operators_racing_for_one_session_exactly_one_wins(app: TestApp) {
    let c = app.company("acme").await;
    let a = operator(&app, &c, "Alice", 10).await;
    let b = operator(&app, &c, "Bob", 10).await;
    let a_tab = app.login(&a).await;
    let b_tab = app.login(&b).await;
    let _a_ws = a_tab.ws(None).await;
    let _b_ws = b_tab.ws(None).await;
    for round in 0..5 {
        let (id, _) = app.start_chat("acme", &format!("racer {round}")).await;
        let path = format!("/api/v1/sessions/{id}/accept");
        let (ra, rb) = tokio::join!(
            a_tab.send(Method::POST, &path, None),
            b_tab.send(Method::POST, &path, None)
        );
        let mut statuses = [ra.status.as_u16(), rb.status.as_u16()];
        statuses.sort();
        assert_eq!(
            statuses,
            [200, 409],
            "round {round}: {} / {}",
            ra.body,
            rb.body
        );
        let loser = if ra.status == StatusCode::CONFLICT {
            &ra
        } else {
            &rb
        };
        assert_eq!(loser.body["error"]["code"], "already_taken");
        let winner = if ra.status == StatusCode::CONFLICT {
            &b_tab
        } else {
            &a_tab
        };
        let session = winner.get(&format!("/api/v1/sessions/{id}")).await.body;
        assert_eq!(session["status"], "active");
    }
}

async fn a_missed_offer_goes_back_to_the_queue_and_the_operator_away(app: TestApp) {
    let c = app.company("acme").await;
    let a = operator(&app, &c, "Alice", 2).await;
    let a_tab = app.login(&a).await;
    let mut a_ws = a_tab.ws(None).await;
    let (id, token) = app.start_chat("acme", "Karel").await;
    // Karel's widget is open all along: the miss is Alice's.
    let _karel = app.client_ws(&token, None).await;
    let offer = a_ws.next_of("session.offered").await;
    assert_eq!(
        offer["data"]["session"]["offer_expires_at"],
        "2026-01-05T08:00:30.000Z"
    );

    app.clock.advance_ms(29_999);
    assert_eq!(app.expire_offers().await, 0);
    app.clock.advance_ms(1);
    assert_eq!(app.expire_offers().await, 1);
    let state = a_tab.state_of(&a.id).await;
    assert_eq!(state["status"], "away");
    assert_eq!(state["cause"], "missed_offer");
    let session = a_tab.get(&format!("/api/v1/sessions/{id}")).await.body;
    assert_eq!(session["status"], "waiting");

    // Someone else online takes it.
    let b = operator(&app, &c, "Bob", 2).await;
    let b_tab = app.login(&b).await;
    let mut b_ws = b_tab.ws(None).await;
    let offer = b_ws.next_of("session.offered").await;
    assert_eq!(offer["data"]["session"]["id"], id.as_str());
}

async fn transfers_and_ends_with_a_note(app: TestApp) {
    let c = app.company("acme").await;
    let a = operator(&app, &c, "Alice", 2).await;
    let b = operator(&app, &c, "Bob", 2).await;
    let a_tab = app.login(&a).await;
    let mut a_ws = a_tab.ws(None).await;
    let (id, token) = app.start_chat("acme", "Karel").await;
    a_ws.next_of("session.offered").await;
    a_tab
        .send(Method::POST, &format!("/api/v1/sessions/{id}/accept"), None)
        .await;

    let b_tab = app.login(&b).await;
    let mut b_ws = b_tab.ws(None).await;
    let mut client_ws = app.client_ws(&token, None).await;
    let r = a_tab
        .post(
            &format!("/api/v1/sessions/{id}/transfer"),
            json!({"operator_id": b.id, "note": "wants an invoice"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "waiting");
    let offer = b_ws.next_of("session.offered").await;
    assert_eq!(offer["data"]["session"]["id"], id.as_str());
    let r = b_tab
        .send(Method::POST, &format!("/api/v1/sessions/{id}/accept"), None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    // The note is for Bob: in the operators' transcript, never the client's.
    let msgs = b_tab
        .get(&format!("/api/v1/sessions/{id}/messages"))
        .await
        .body;
    assert_eq!(texts(&msgs), vec!["Transferred to Bob: wants an invoice"]);
    assert_eq!(msgs["items"][0]["author"], "system");
    assert_eq!(msgs["items"][0]["internal"], true);
    // Also as data, for the workspace to say it in the operator's language.
    assert_eq!(
        msgs["items"][0]["notice"],
        json!({"kind": "transferred", "to": "Bob", "note": "wants an invoice"})
    );
    let client_transcript = |after: i64| {
        let anon = app.anonymous().bearer(&token);
        let path = format!("/api/v1/client/sessions/{id}/messages?after_seq={after}");
        async move { anon.get(&path).await.body }
    };
    assert_eq!(texts(&client_transcript(0).await), Vec::<String>::new());
    b_tab
        .post(
            &format!("/api/v1/sessions/{id}/messages"),
            json!({"text": "Hello, Bob here"}),
        )
        .await;
    assert_eq!(texts(&client_transcript(0).await), vec!["Hello, Bob here"]);
    // Live and replayed alike, the client's stream skips it.
    let live = client_ws.next_of("message.created").await;
    assert_eq!(live["data"]["message"]["text"], "Hello, Bob here");
    assert_eq!(live["data"]["message"]["internal"], false);
    let mut replay = app.client_ws(&token, Some(0)).await;
    let first = replay.next_of("message.created").await;
    assert_eq!(first["data"]["message"]["text"], "Hello, Bob here");

    // Alice no longer has it; Bob ends it.
    let r = a_tab
        .post(&format!("/api/v1/sessions/{id}/end"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = b_tab
        .post(&format!("/api/v1/sessions/{id}/end"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["end_reason"], "operator_ended");
    // Her own end leaves no notice; only someone else's would.
    let msgs = b_tab
        .get(&format!("/api/v1/sessions/{id}/messages"))
        .await
        .body;
    assert_eq!(msgs["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(msgs["items"][1]["notice"], Value::Null);
    let r = b_tab
        .post(
            &format!("/api/v1/sessions/{id}/transfer"),
            json!({"group_id": "x", "operator_id": "y"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
}

async fn bad_client_input_is_refused(app: TestApp) {
    let c = app.company("acme").await;
    let a = operator(&app, &c, "Alice", 3).await;
    let tab = app.login(&a).await;
    let _ws = tab.ws(None).await;
    let anon = app.anonymous();
    let r = anon
        .post(
            "/api/v1/client/sessions",
            json!({"company": "nope", "channel": "chat"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = anon
        .post(
            "/api/v1/client/sessions",
            json!({"company": "acme", "channel": "fax"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let (one, token_one) = app.start_chat("acme", "One").await;
    let (two, _) = app.start_chat("acme", "Two").await;
    let client = anon.bearer(&token_one);

    // Another session with this token: 404, nothing leaks.
    for path in [
        format!("/api/v1/client/sessions/{two}"),
        format!("/api/v1/client/sessions/{two}/messages"),
    ] {
        assert_eq!(
            client.get(&path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let r = client
        .post(
            &format!("/api/v1/client/sessions/{two}/messages"),
            json!({"text": "hi"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        anon.bearer("made-up")
            .get(&format!("/api/v1/client/sessions/{one}"))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    let path = format!("/api/v1/client/sessions/{one}/messages");
    let r = client.post(&path, json!({"text": "x".repeat(4001)})).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.body["error"]["code"], "message_too_long");
    let r = client.post(&path, json!({"text": "   "})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["error"]["code"], "empty_message");
    let mut limited = None;
    for n in 0..12 {
        let r = client
            .post(&path, json!({"text": format!("flood {n}")}))
            .await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some((n, r.body["error"]["code"].clone()));
            break;
        }
    }
    assert_eq!(limited, Some((10, json!("too_many_messages"))));
    let stored = client.get(&path).await.body;
    assert_eq!(
        stored["items"].as_array().map(Vec::len),
        Some(10),
        "refused messages are not stored"
    );

    // Operators: a session already taken is 409; other company's session is 404.
    let other = app.company("other").await;
    let stranger = app
        .login(&operator(&app, &other, "Stranger", 3).await)
        .await;
    assert_eq!(
        stranger
            .get(&format!("/api/v1/sessions/{one}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = stranger
        .send(
            Method::POST,
            &format!("/api/v1/sessions/{one}/accept"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = tab
        .post(
            &format!("/api/v1/sessions/{one}/messages"),
            json!({"text": "not mine yet"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
}

/// The client learns who took the conversation: live, on reconnecting, and
/// from the client API. (Issue 12: "the client is not told when an
/// operator joins".)
async fn the_client_learns_who_joined(app: TestApp) {
    let c = app.company("acme").await;
    let jana = operator(&app, &c, "Jana", 2).await;
    let tab = app.login(&jana).await;
    let mut ws = tab.ws(None).await;
    let (id, token) = app.start_chat("acme", "Karel").await;
    let mut karel = app.client_ws(&token, None).await;
    assert!(karel.hello_raw["operator_name"].is_null());
    ws.next_of("session.offered").await;
    let r = tab
        .post(&format!("/api/v1/sessions/{id}/accept"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let joined = loop {
        let e = karel.next_of("session.changed").await;
        if e["data"]["session"]["status"] == "active" {
            break e;
        }
    };
    assert_eq!(joined["data"]["operator_name"], "Jana", "{joined}");
    let again = app.client_ws(&token, None).await;
    assert_eq!(again.hello_raw["operator_name"], "Jana");
    let view = app
        .anonymous()
        .bearer(&token)
        .get(&format!("/api/v1/client/sessions/{id}"))
        .await
        .body;
    assert_eq!(view["operator_name"], "Jana", "{view}");
    // Operators' copies do not carry it (they know who they are).
    let own = tab.get(&format!("/api/v1/sessions/{id}")).await.body;
    assert!(own.get("operator_name").is_none(), "{own}");
}

/// A wait is estimated from how long recent clients waited to be taken, and
/// only from that: with nobody taken in the last half hour there is none.
async fn the_wait_is_estimated_from_recent_acceptances_only(app: TestApp) {
    let c = app.company("acme").await;
    let jana = operator(&app, &c, "Jana", 1).await;
    let tab = app.login(&jana).await;
    let mut ws = tab.ws(None).await;
    let (adam, _) = app.start_chat("acme", "Adam").await;
    ws.next_of("session.offered").await;
    app.clock.advance_ms(40_000);
    let r = tab
        .post(&format!("/api/v1/sessions/{adam}/accept"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Jana is full: Bára waits first in line, about as long as Adam did.
    let (bara, token) = app.start_chat("acme", "Bára").await;
    let client = app.anonymous().bearer(&token);
    let read = client
        .get(&format!("/api/v1/client/sessions/{bara}"))
        .await
        .body;
    assert_eq!(read["queue_position"], 1, "{read}");
    assert_eq!(read["estimated_wait_s"], 40, "{read}");
    // Half an hour on, nobody else taken: no estimate any more.
    app.clock.advance_ms(30 * 60_000 + 1_000);
    let read = client
        .get(&format!("/api/v1/client/sessions/{bara}"))
        .await
        .body;
    assert_eq!(read["queue_position"], 1, "{read}");
    assert!(read["estimated_wait_s"].is_null(), "{read}");
}

/// Queue places are derived state, computed once for the whole company and
/// pushed to every waiting client (not queried by each socket).
async fn waiting_clients_learn_their_new_place_when_someone_ahead_leaves(app: TestApp) {
    let c = app.company("acme").await;
    let jana = operator(&app, &c, "Jana", 1).await;
    let tab = app.login(&jana).await;
    let _workspace = tab.ws(None).await;

    // A second apart: the queue is in order of arrival.
    app.start_chat("acme", "Adam").await; // offered to Jana
    app.clock.advance_ms(1_000);
    let (second, second_token) = app.start_chat("acme", "Bára").await;
    app.clock.advance_ms(1_000);
    let (third, third_token) = app.start_chat("acme", "Cyril").await;
    let mut second_ws = app.client_ws(&second_token, None).await;
    let mut third_ws = app.client_ws(&third_token, None).await;
    assert_eq!(second_ws.hello_state["queue_position"], 2);
    assert_eq!(third_ws.hello_state["queue_position"], 3);
    assert!(
        third_ws.hello_state["estimated_wait_s"].is_null(),
        "nobody has been taken yet: no invented estimate"
    );
    // Each was told its place when it was created, too (counted from
    // routing's book, not the table).
    for (token, place) in [(&second_token, 2), (&third_token, 3)] {
        let mut replay = app.client_ws(token, Some(0)).await;
        let created = replay.next_of("session.changed").await;
        assert_eq!(created["data"]["queue_position"], place, "{created}");
    }

    // Bára gives up: Cyril moves up; Bára hears nothing more of the queue.
    let left = app
        .anonymous()
        .bearer(&second_token)
        .post(
            &format!("/api/v1/client/sessions/{second}/leave"),
            json!({}),
        )
        .await;
    assert_eq!(left.status, StatusCode::OK);
    let moved = third_ws.next_of("queue").await;
    assert_eq!(moved["queue_position"], 2);
    second_ws.expect_silence_of("queue", 300).await;

    // Adam's offer runs out and goes back to the queue: still first, so
    // Cyril's place does not move, and he is not told it did.
    app.clock.advance_ms(31_000);
    assert_eq!(app.expire_offers().await, 1);
    third_ws.expect_silence_of("queue", 600).await;
    let read = app
        .anonymous()
        .bearer(&third_token)
        .get(&format!("/api/v1/client/sessions/{third}"))
        .await;
    assert_eq!(read.body["queue_position"], 2, "{}", read.body);
}
