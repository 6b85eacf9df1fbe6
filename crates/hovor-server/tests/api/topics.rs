//! Store once, fan out by topic: a message is written once, to its
//! session's stream, which its client and the operator holding it read; a
//! team event once to the company's stream, which supervisors read; and an
//! operator's connection follows the sessions they take and resumes each
//! stream from its own cursor.

use hovor_core::{Channel, Role};
use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{TestApp, START};
use crate::on_both_stores;

on_both_stores!(
    a_message_is_stored_once_in_its_sessions_stream,
    a_team_event_is_stored_once_for_every_supervisor,
    a_supervisor_hears_their_own_change_once,
    an_operator_resumes_a_session_stream_from_its_cursor,
    a_session_taken_in_another_tab_is_followed_from_the_take_on_resume,
    both_sides_send_messages_over_the_socket_and_get_an_ack_after_the_commit,
);

async fn chat_operator(
    app: &TestApp,
    c: &hovor_store::Company,
    name: &str,
) -> crate::harness::TestUser {
    let user = app.user(c, name, Role::Operator).await;
    app.store()
        .assign_channels(&c.id, &user.id, &[(Channel::Chat, 3)], None, START)
        .await
        .expect("assign chat")
        .into_unpublished();
    user
}

async fn kinds(app: &TestApp, stream: &str) -> Vec<String> {
    app.store()
        .events_after(stream, 0, 1000)
        .await
        .expect("events")
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

async fn a_message_is_stored_once_in_its_sessions_stream(app: TestApp) {
    let c = app.company("acme").await;
    let jana = chat_operator(&app, &c, "Jana").await;
    let tab = app.login(&jana).await;
    let mut ws = tab.ws(None).await;
    let (id, token) = app.start_chat("acme", "Karel").await;
    ws.next_of("session.offered").await;
    let r = tab
        .post(&format!("/api/v1/sessions/{id}/accept"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let client = app.anonymous().bearer(&token);
    for text in ["Dobrý den", "Máte otevřeno?"] {
        let r = client
            .post(
                &format!("/api/v1/client/sessions/{id}/messages"),
                json!({ "text": text }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    // Jana hears both, through the session's stream.
    for text in ["Dobrý den", "Máte otevřeno?"] {
        let m = ws.next_of("message.created").await;
        assert_eq!(m["data"]["message"]["text"], text);
        assert_eq!(m["topic"], id.as_str());
    }
    let session = kinds(&app, &id).await;
    assert_eq!(
        session.iter().filter(|k| *k == "message.created").count(),
        2,
        "{session:?}"
    );
    let own = kinds(&app, &jana.id).await;
    assert!(
        !own.iter().any(|k| k == "message.created"),
        "not copied to the operator's stream: {own:?}"
    );
    // Stored once: the message's row is its event; no copy in `events`.
    assert_eq!(
        app.count_rows("SELECT COUNT(*) FROM events WHERE kind = 'message.created'")
            .await,
        0
    );
    assert_eq!(
        app.count_rows("SELECT COUNT(*) FROM messages WHERE event_seq IS NOT NULL")
            .await,
        2
    );
    // A transfer's note is a message too, stored the same way, and comes
    // back from the stream in its place.
    let petr = chat_operator(&app, &c, "Petr").await;
    let r = tab
        .post(
            &format!("/api/v1/sessions/{id}/transfer"),
            json!({ "operator_id": petr.id, "note": "Ptá se na otevírací dobu" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let events = app
        .store()
        .events_after(&id, 0, 1000)
        .await
        .expect("events");
    let texts: Vec<String> = events
        .iter()
        .filter(|e| e.kind == "message.created")
        .map(|e| {
            let data: serde_json::Value = serde_json::from_str(&e.payload).expect("json");
            data["message"]["text"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(texts.len(), 3, "{texts:?}");
    assert_eq!(&texts[..2], ["Dobrý den", "Máte otevřeno?"]);
    let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
    assert!(
        seqs.windows(2).all(|w| w[1] == w[0] + 1),
        "the stream has no gaps: {seqs:?}"
    );
    assert_eq!(
        app.count_rows("SELECT COUNT(*) FROM events WHERE kind = 'message.created'")
            .await,
        0
    );
}

async fn a_team_event_is_stored_once_for_every_supervisor(app: TestApp) {
    let c = app.company("acme").await;
    let jana = chat_operator(&app, &c, "Jana").await;
    let mut watching = Vec::new();
    for (name, role) in [
        ("Boss", Role::Supervisor),
        ("Vedoucí", Role::Supervisor),
        ("Admin", Role::Admin),
    ] {
        let user = app.user(&c, name, role).await;
        let tab = app.login(&user).await;
        let ws = tab.ws(None).await;
        watching.push((user, tab, ws));
    }
    let tab = app.login(&jana).await;
    let _ws = tab.ws(None).await;
    tab.set_status(&jana.id, "away", None).await;
    // Every supervisor hears it, from the team stream.
    for (_, _, ws) in &mut watching {
        loop {
            let e = ws.next_of("operator.state_changed").await;
            if e["data"]["operator_id"] == jana.id.as_str()
                && e["data"]["state"]["presence"] == "away"
            {
                assert_eq!(e["topic"], format!("co_{}", c.id));
                break;
            }
        }
    }
    // Written once: in Jana's own stream and the team stream, in no
    // supervisor's.
    for (user, _, _) in &watching {
        let copies = app
            .store()
            .events_after(&user.id, 0, 1000)
            .await
            .expect("events")
            .into_iter()
            .filter(|e| e.payload.contains(&jana.id))
            .count();
        assert_eq!(copies, 0, "no copy in {}'s own stream", user.id);
    }
    let aways = app
        .store()
        .events_after(&format!("co_{}", c.id), 0, 1000)
        .await
        .expect("events")
        .into_iter()
        .filter(|e| {
            e.subject.as_deref() == Some(jana.id.as_str()) && e.payload.contains("\"away\"")
        })
        .count();
    assert_eq!(aways, 1, "written once for three supervisors");
}

async fn a_supervisor_hears_their_own_change_once(app: TestApp) {
    let c = app.company("acme").await;
    let boss = app.user(&c, "Boss", Role::Supervisor).await;
    let tab = app.login(&boss).await;
    let mut ws = tab.ws(None).await;
    tab.set_status(&boss.id, "away", None).await;
    let e = ws.next_of("operator.state_changed").await;
    assert_eq!(e["data"]["operator_id"], boss.id.as_str());
    assert!(e.get("topic").is_none(), "from their own stream: {e}");
    ws.expect_silence(300).await;
}

async fn an_operator_resumes_a_session_stream_from_its_cursor(app: TestApp) {
    let c = app.company("acme").await;
    let jana = chat_operator(&app, &c, "Jana").await;
    let tab = app.login(&jana).await;
    let keeper = tab.ws(None).await; // keeps her connected throughout
    let mut ws = tab.ws(None).await;
    let (id, token) = app.start_chat("acme", "Karel").await;
    ws.next_of("session.offered").await;
    tab.post(&format!("/api/v1/sessions/{id}/accept"), json!({}))
        .await;
    let client = app.anonymous().bearer(&token);
    client
        .post(
            &format!("/api/v1/client/sessions/{id}/messages"),
            json!({"text": "první"}),
        )
        .await;
    let first = ws.next_of("message.created").await;
    let own_seq = ws.head;
    let session_seq = first["seq"].as_i64().expect("seq");
    ws.close().await;

    client
        .post(
            &format!("/api/v1/client/sessions/{id}/messages"),
            json!({"text": "druhá"}),
        )
        .await;
    // Resumed with both cursors: exactly the missed message, then silence.
    let mut resumed = tab
        .ws_query(&format!("last_seq={own_seq}&topics={id}:{session_seq}"))
        .await;
    let m = resumed.next_of("message.created").await;
    assert_eq!(m["data"]["message"]["text"], "druhá");
    assert_eq!(m["seq"].as_i64(), Some(session_seq + 1));
    resumed.expect_silence_of("message.created", 300).await;

    // A fresh connection lists the session it follows, with its head, and
    // replays nothing.
    let fresh = tab.ws(None).await;
    let raw = fresh.hello_raw.clone();
    assert_eq!(raw["topics"][0]["topic"], id.as_str(), "{raw}");
    assert_eq!(raw["topics"][0]["last_seq"].as_i64(), Some(session_seq + 1));

    // Malformed cursors are refused before the upgrade.
    let r = tab.get("/api/v1/ws?topics=nonsense").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["error"]["code"], "invalid_topics");
    drop(keeper);
}

/// A tab that was away while another tab took a session learns of it from
/// its own stream's replay and follows the session from the take: the
/// messages written meanwhile arrive, once.
async fn a_session_taken_in_another_tab_is_followed_from_the_take_on_resume(app: TestApp) {
    let c = app.company("acme").await;
    let jana = chat_operator(&app, &c, "Jana").await;
    let tab = app.login(&jana).await;
    let other_tab = tab.ws(None).await; // keeps her connected throughout
    let ws = tab.ws(None).await;
    let own_seq = ws.head;
    ws.close().await;

    let (id, token) = app.start_chat("acme", "Karel").await;
    let r = tab
        .post(&format!("/api/v1/sessions/{id}/accept"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    app.anonymous()
        .bearer(&token)
        .post(
            &format!("/api/v1/client/sessions/{id}/messages"),
            json!({"text": "mezitím"}),
        )
        .await;

    let mut resumed = tab.ws(Some(own_seq)).await;
    let taken = resumed.next_of("session.changed").await;
    assert_eq!(taken["data"]["session"]["status"], "active");
    let m = resumed.next_of("message.created").await;
    assert_eq!(m["data"]["message"]["text"], "mezitím");
    assert_eq!(m["topic"], id.as_str());
    resumed.expect_silence_of("message.created", 300).await;
    drop(other_tab);
}

/// Messages over the socket: acknowledged with their seq once stored (the
/// REST API already lists them), idempotent by client_msg_id, held to the
/// same rules as over HTTP.
async fn both_sides_send_messages_over_the_socket_and_get_an_ack_after_the_commit(app: TestApp) {
    let c = app.company("acme").await;
    let jana = chat_operator(&app, &c, "Jana").await;
    let tab = app.login(&jana).await;
    let mut ws = tab.ws(None).await;
    let (id, token) = app.start_chat("acme", "Karel").await;
    ws.next_of("session.offered").await;

    // Before she takes it, she may not write in it.
    let message = |cmid: &str, text: &str| {
        json!({"type": "message", "client_msg_id": cmid, "text": text, "session_id": id})
            .to_string()
    };
    ws.send_text(&message("op-0", "ahoj")).await;
    let refused = ws.next_of("refused").await;
    assert_eq!(refused["client_msg_id"], "op-0");
    assert_eq!(refused["error"]["code"], "session_not_active");

    tab.post(&format!("/api/v1/sessions/{id}/accept"), json!({}))
        .await;
    let mut client_ws = app.client_ws(&token, None).await;
    client_ws
        .send_text(
            &json!({"type": "message", "client_msg_id": "c-1", "text": "Dobrý den"}).to_string(),
        )
        .await;
    let ack = client_ws.next_of("ack").await;
    assert_eq!(ack["client_msg_id"], "c-1");
    assert_eq!(ack["session_id"], id.as_str());
    let seq = ack["seq"].as_i64().expect("seq");
    // Stored before the ack: the REST API has it.
    let listed = app
        .anonymous()
        .bearer(&token)
        .get(&format!("/api/v1/client/sessions/{id}/messages"))
        .await;
    assert_eq!(listed.body["items"][0]["text"], "Dobrý den");
    assert_eq!(listed.body["items"][0]["seq"].as_i64(), Some(seq));
    let heard = ws.next_of("message.created").await;
    assert_eq!(heard["data"]["message"]["text"], "Dobrý den");

    // The same id again (a resend after a reconnect): the same seq, nothing new.
    client_ws
        .send_text(
            &json!({"type": "message", "client_msg_id": "c-1", "text": "Dobrý den"}).to_string(),
        )
        .await;
    assert_eq!(client_ws.next_of("ack").await["seq"].as_i64(), Some(seq));
    ws.expect_silence_of("message.created", 300).await;

    // Jana answers over her socket; Karel hears it.
    ws.send_text(&message("op-1", "Dobrý den, jak mohu pomoci?"))
        .await;
    let ack = ws.next_of("ack").await;
    assert_eq!(ack["client_msg_id"], "op-1");
    assert_eq!(ack["seq"].as_i64(), Some(seq + 1));
    let answer = client_ws.next_of("message.created").await;
    assert_eq!(answer["data"]["message"]["author"], "operator");
    assert_eq!(answer["data"]["message"]["operator_name"], "Jana");

    // Bad input is refused with the REST API's codes.
    client_ws
        .send_text(&json!({"type": "message", "client_msg_id": "", "text": "x"}).to_string())
        .await;
    assert_eq!(
        client_ws.next_of("refused").await["error"]["code"],
        "invalid_client_msg_id"
    );
    client_ws
        .send_text(&json!({"type": "message", "client_msg_id": "c-2", "text": "  "}).to_string())
        .await;
    assert_eq!(
        client_ws.next_of("refused").await["error"]["code"],
        "empty_message"
    );
    // The flood limit holds on the socket too (10 in 10 s, the first counted).
    let mut codes = Vec::new();
    for n in 0..12 {
        client_ws
            .send_text(
                &json!({"type": "message", "client_msg_id": format!("f-{n}"), "text": "spam"})
                    .to_string(),
            )
            .await;
        loop {
            let m = client_ws.next_event().await;
            if m["type"] == "ack" || m["type"] == "refused" {
                codes.push(m["error"]["code"].as_str().unwrap_or("ok").to_owned());
                break;
            }
        }
    }
    assert!(codes.iter().any(|c| c == "too_many_messages"), "{codes:?}");
}
