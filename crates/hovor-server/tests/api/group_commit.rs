//! Group commit: messages that arrive together are written in one batch,
//! and each is judged on its own — one refused message takes nothing else
//! down, resends stay single, and every reader sees each stored message
//! once, in order.

use std::collections::HashSet;

use hovor_core::{Channel, Refusal, Role};
use hovor_store::{NewMessage, Writer, Written};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::{TestApp, START};
use crate::on_both_stores;

on_both_stores!(
    a_batch_judges_each_message_on_its_own,
    many_writers_at_once_each_get_their_ack_and_nothing_twice,
    messages_waiting_together_share_one_commit,
    one_socket_has_many_messages_in_flight_and_hears_them_in_order,
    two_nodes_writing_into_one_session_at_once_number_each_message_once,
);

fn from_client(company_id: &str, session_id: &str, id: Option<&str>, text: &str) -> NewMessage {
    NewMessage {
        company_id: company_id.to_owned(),
        session_id: session_id.to_owned(),
        writer: Writer::Client {
            client_msg_id: id.map(str::to_owned),
        },
        text: text.to_owned(),
        at: START,
    }
}

fn stored(written: &Written) -> (i64, bool, &str) {
    match written {
        Written::Stored(posted) => (
            posted.message.seq,
            posted.created,
            posted.message.text.as_str(),
        ),
        other => panic!("expected a stored message, got {other:?}"),
    }
}

async fn a_batch_judges_each_message_on_its_own(app: TestApp) {
    let c = app.company("acme").await;
    let other = app.company("other").await;
    let jana = app.user(&c, "Jana", Role::Operator).await;
    app.store()
        .assign_channels(&c.id, &jana.id, &[(Channel::Chat, 3)], None, START)
        .await
        .expect("assign chat")
        .into_unpublished();
    let tab = app.login(&jana).await;
    let mut ws = tab.ws(None).await;

    // An active chat (one message already in it), an ended one.
    let (active, token) = app.start_chat("acme", "Karel").await;
    ws.next_of("session.offered").await;
    let r = tab
        .send(
            Method::POST,
            &format!("/api/v1/sessions/{active}/accept"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let client = app.anonymous().bearer(&token);
    let r = client
        .post(
            &format!("/api/v1/client/sessions/{active}/messages"),
            json!({"text": "earlier", "client_msg_id": "early"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let (ended, ended_token) = app.start_chat("acme", "Petr").await;
    let r = app
        .anonymous()
        .bearer(&ended_token)
        .post(&format!("/api/v1/client/sessions/{ended}/leave"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let mut client_ws = app.client_ws(&token, None).await;

    let batch = vec![
        from_client(&c.id, &active, Some("x1"), "first"),
        from_client(&c.id, &ended, Some("y1"), "too late"),
        from_client(&c.id, "ses_nobody", None, "to nobody"),
        from_client(&other.id, &active, None, "from another company"),
        NewMessage {
            company_id: c.id.clone(),
            session_id: active.clone(),
            writer: Writer::Operator {
                id: jana.id.clone(),
                name: "Jana".into(),
                client_msg_id: Some("x1".into()),
            },
            text: "answer".into(),
            at: START,
        },
        from_client(&c.id, &active, Some("x1"), "first"),
        from_client(&c.id, &active, Some("early"), "earlier"),
    ];
    let results = app
        .store()
        .add_messages(&batch)
        .await
        .expect("batch")
        .publish(&app.state);
    assert_eq!(results.len(), batch.len());
    assert_eq!(stored(&results[0]), (2, true, "first"));
    assert!(matches!(
        results[1],
        Written::Refused(Refusal::SessionEnded)
    ));
    assert!(matches!(results[2], Written::NoSession));
    assert!(
        matches!(results[3], Written::NoSession),
        "a session of another company is not there"
    );
    assert_eq!(
        stored(&results[4]),
        (3, true, "answer"),
        "an operator's id never meets a client's"
    );
    assert_eq!(
        stored(&results[5]),
        (2, false, "first"),
        "a resend in the same batch"
    );
    assert_eq!(
        stored(&results[6]),
        (1, false, "earlier"),
        "a resend of a stored one"
    );

    // Stored once each, in order; the ended session got nothing.
    let listed = client
        .get(&format!("/api/v1/client/sessions/{active}/messages"))
        .await
        .body;
    let texts: Vec<&str> = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|m| m["text"].as_str())
        .collect();
    assert_eq!(texts, ["earlier", "first", "answer"]);
    // Jana never held the ended one: the company reads it.
    let company = app.with_api_key(&app.api_key(&c).await);
    let listed = company
        .get(&format!("/api/v1/sessions/{ended}/messages"))
        .await
        .body;
    assert!(
        listed["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|m| m["author"] == "system" || m["text"] != "too late"),
        "{listed}"
    );

    // Both sides hear each new message once, in order, with the
    // operator's name.
    // (The operator's workspace was open before "earlier" too.)
    for (socket, expected) in [
        (&mut client_ws, &["first", "answer"][..]),
        (&mut ws, &["earlier", "first", "answer"][..]),
    ] {
        for text in expected {
            let m = socket.next_of("message.created").await;
            assert_eq!(m["data"]["message"]["text"], *text);
            if *text == "answer" {
                assert_eq!(m["data"]["message"]["operator_name"], "Jana");
            }
        }
    }
}

/// Someone who takes chats, so that clients may start them.
async fn open_for_chats(app: &TestApp, company: &hovor_store::Company) -> crate::harness::Ws {
    let op = app.user(company, "Eva", Role::Operator).await;
    app.store()
        .assign_channels(&company.id, &op.id, &[(Channel::Chat, 100)], None, START)
        .await
        .expect("assign chat")
        .into_unpublished();
    app.login(&op).await.ws(None).await
}

async fn many_writers_at_once_each_get_their_ack_and_nothing_twice(app: TestApp) {
    let c = app.company("acme").await;
    let _open = open_for_chats(&app, &c).await;
    const CLIENTS: usize = 30;
    const EACH: usize = 5;
    let mut chats = Vec::new();
    for n in 0..CLIENTS {
        chats.push(app.start_chat("acme", &format!("Client {n}")).await);
    }
    let mut writers = Vec::new();
    for (n, (_, token)) in chats.iter().enumerate() {
        let mut ws = app.client_ws(token, None).await;
        writers.push(tokio::spawn(async move {
            let mut acked = Vec::new();
            for k in 0..EACH {
                let id = format!("c{n}-{k}");
                ws.send_text(
                    &json!({"type": "message", "client_msg_id": id, "text": id}).to_string(),
                )
                .await;
                let ack = ws.next_of("ack").await;
                assert_eq!(ack["client_msg_id"], id.as_str());
                acked.push(ack["seq"].as_i64().expect("seq"));
            }
            acked
        }));
    }
    for (n, writer) in writers.into_iter().enumerate() {
        let seqs = writer.await.expect("writer");
        assert_eq!(seqs, (1..=EACH as i64).collect::<Vec<_>>(), "client {n}");
    }
    for (n, (id, token)) in chats.iter().enumerate() {
        let listed = app
            .anonymous()
            .bearer(token)
            .get(&format!("/api/v1/client/sessions/{id}/messages"))
            .await
            .body;
        let texts: Vec<String> = listed["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|m| m["text"].as_str().map(str::to_owned))
            .collect();
        let expected: Vec<String> = (0..EACH).map(|k| format!("c{n}-{k}")).collect();
        assert_eq!(texts, expected);
        assert_eq!(texts.iter().collect::<HashSet<_>>().len(), EACH);
    }
}

/// Messages that are waiting when a lane is free go in one transaction.
async fn messages_waiting_together_share_one_commit(app: TestApp) {
    let c = app.company("acme").await;
    let _open = open_for_chats(&app, &c).await;
    let mut chats = Vec::new();
    for n in 0..20 {
        chats.push(app.start_chat("acme", &format!("Client {n}")).await.0);
    }
    // A node whose lanes have not started yet: the writes wait in line.
    let node = app.restarted_state().await;
    let mut writes = Vec::new();
    for (n, session_id) in chats.iter().enumerate() {
        let node = node.clone();
        let message = from_client(&c.id, session_id, Some(&format!("m{n}")), "hello");
        writes.push(tokio::spawn(
            async move { node.messages.write(message).await },
        ));
    }
    while node.messages.waiting() < chats.len() {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    hovor_server::start(&node);
    for write in writes {
        let written = write.await.expect("task").expect("written");
        assert_eq!(stored(&written), (1, true, "hello"));
    }
    // One commit per lane (SQLite has one, PostgreSQL several).
    let (batches, carried) = node.messages.committed();
    assert_eq!(carried, 20);
    assert!(
        batches <= node.messages.lanes() as u64,
        "{batches} commits for 20 messages in {} lanes",
        node.messages.lanes()
    );
}

/// An operator's socket does not wait for one commit before reading the
/// next message: what it sends back to back is committed together, and the
/// acks come back in the order sent, each session's messages in order.
async fn one_socket_has_many_messages_in_flight_and_hears_them_in_order(app: TestApp) {
    let c = app.company("acme").await;
    let eva = app.user(&c, "Eva", Role::Operator).await;
    app.store()
        .assign_channels(&c.id, &eva.id, &[(Channel::Chat, 20)], None, START)
        .await
        .expect("assign chat")
        .into_unpublished();
    let tab = app.login(&eva).await;
    let mut ws = tab.ws(None).await;
    let mut chats = Vec::new();
    for n in 0..10 {
        let (id, _) = app.start_chat("acme", &format!("Client {n}")).await;
        ws.next_of("session.offered").await;
        let r = tab
            .send(Method::POST, &format!("/api/v1/sessions/{id}/accept"), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        chats.push(id);
    }
    let (batches_before, _) = app.state.messages.committed();
    let mut sent = Vec::new();
    for round in 0..3 {
        for (n, id) in chats.iter().enumerate() {
            let msg_id = format!("s{n}-{round}");
            ws.send_text(
                &json!({"type": "message", "session_id": id, "client_msg_id": msg_id, "text": msg_id})
                    .to_string(),
            )
            .await;
            sent.push((msg_id, id.clone(), round + 1));
        }
    }
    for (msg_id, session_id, seq) in &sent {
        let ack = ws.next_of("ack").await;
        assert_eq!(
            ack["client_msg_id"],
            msg_id.as_str(),
            "acks in the order sent"
        );
        assert_eq!(ack["session_id"], session_id.as_str());
        assert_eq!(ack["seq"], *seq as i64, "{msg_id}");
    }
    let (batches_after, _) = app.state.messages.committed();
    assert!(
        batches_after - batches_before < sent.len() as u64,
        "{} commits for {} messages sent back to back: one at a time",
        batches_after - batches_before,
        sent.len()
    );
}

/// A client on one node and its operator on another write into the same
/// session at the same moment: each batch waits for the other's lock and
/// then numbers after it (a seq read before the lock was held gave two
/// messages one seq, and the whole batch failed).
async fn two_nodes_writing_into_one_session_at_once_number_each_message_once(app: TestApp) {
    let c = app.company("acme").await;
    let _open = open_for_chats(&app, &c).await;
    let (session, _) = app.start_chat("acme", "Karel").await;
    let other = app.restarted_state().await;
    let stores = [app.state.store.clone(), other.store.clone()];
    let mut writers = Vec::new();
    for (node, store) in stores.into_iter().enumerate() {
        let (company, session) = (c.id.clone(), session.clone());
        writers.push(tokio::spawn(async move {
            let mut seqs = Vec::new();
            for round in 0..20 {
                let batch: Vec<NewMessage> = (0..10)
                    .map(|n| {
                        let id = format!("n{node}-r{round}-m{n}");
                        from_client(&company, &session, Some(&id), &id)
                    })
                    .collect();
                let written = store
                    .add_messages(&batch)
                    .await
                    .expect("every batch is stored")
                    .into_unpublished();
                seqs.extend(written.iter().map(|w| stored(w).0));
            }
            seqs
        }));
    }
    let mut all = Vec::new();
    for writer in writers {
        all.extend(writer.await.expect("writer"));
    }
    let unique: HashSet<i64> = all.iter().copied().collect();
    assert_eq!(all.len(), 400);
    assert_eq!(unique.len(), 400, "no seq twice");
    assert_eq!(unique.iter().max(), Some(&400), "numbered 1 to 400");
}
