//! A server killed under load (SIGKILL, no shutdown) loses nothing it
//! acknowledged: after a restart on the same data every acked message is
//! there exactly once, and clients and operators resume.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use crate::harness::process::{client_ws, login, operator_ws, start};
use crate::harness::{fresh_pg_database, postgres_skipped};

const CLIENTS: usize = 24;
const OPERATORS: usize = 3;
const MESSAGES: usize = 10;

#[tokio::test]
async fn on_sqlite() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().to_str().expect("utf-8 path");
    acknowledged_messages_survive_a_killed_server_and_everyone_resumes(&["--data-dir", data]).await;
}

#[tokio::test]
async fn on_postgres() {
    if postgres_skipped() {
        return;
    }
    let (url, _database) = fresh_pg_database().await;
    acknowledged_messages_survive_a_killed_server_and_everyone_resumes(&["--database-url", &url])
        .await;
}

async fn acknowledged_messages_survive_a_killed_server_and_everyone_resumes(database: &[&str]) {
    let (server, url) = start(database);
    let http = reqwest::Client::new();

    // Operators with room for every client, online with their workspaces open.
    let admin = login(&http, &url, "admin@demo.test", "demo1234").await;
    let mut operators = Vec::new();
    for n in 0..OPERATORS {
        let email = format!("crash-{n}@demo.test");
        let r = http
            .post(format!("{url}/api/v1/users"))
            .header("cookie", &admin.cookie)
            .header("x-csrf-token", &admin.csrf)
            .json(
                &json!({"name": format!("Crash {n}"), "email": email, "password": "crash-password",
                          "role": "operator", "channels": [{"channel": "chat", "capacity": 20}]}),
            )
            .send()
            .await
            .expect("create operator");
        assert_eq!(r.status(), 201);
        let op = login(&http, &url, &email, "crash-password").await;
        let ws = operator_ws(&url, &op, None).await;
        operators.push((op, ws));
    }

    // Clients start chats; the operators take every offer.
    let mut clients = Vec::new();
    for n in 0..CLIENTS {
        let r = http
            .post(format!("{url}/api/v1/client/sessions"))
            .json(&json!({"company": "demo", "channel": "chat", "name": format!("Client {n}")}))
            .send()
            .await
            .expect("start");
        assert_eq!(r.status(), 201);
        let body: Value = r.json().await.expect("json");
        let id = body["session"]["id"].as_str().expect("id").to_owned();
        let token = body["client_token"].as_str().expect("token").to_owned();
        clients.push((id, token));
    }
    let mut taken = 0;
    while taken < CLIENTS {
        for (op, ws) in &mut operators {
            let Ok(m) = tokio::time::timeout(Duration::from_millis(200), ws.next_event()).await
            else {
                continue;
            };
            if m["event"] == "session.offered" {
                let id = m["data"]["session"]["id"].as_str().expect("id");
                let r = http
                    .post(format!("{url}/api/v1/sessions/{id}/accept"))
                    .header("cookie", &op.cookie)
                    .header("x-csrf-token", &op.csrf)
                    .send()
                    .await
                    .expect("accept");
                assert_eq!(r.status(), 200);
                taken += 1;
            }
            if let Some(seq) = m["seq"].as_i64().filter(|_| m.get("topic").is_none()) {
                op.last_seq = op.last_seq.max(seq);
            }
        }
    }

    // Every client writes over its socket as fast as it is answered; the
    // server is killed once a quarter of the messages are acknowledged.
    let acks = Arc::new(AtomicUsize::new(0));
    let mut writers = Vec::new();
    for (n, (_, token)) in clients.iter().enumerate() {
        let mut ws = client_ws(&url, token, None).await;
        let acks = acks.clone();
        writers.push(tokio::spawn(async move {
            let mut acked = Vec::new();
            let mut seen = 0;
            for k in 0..MESSAGES {
                let text = format!("c{n}-m{k}");
                ws.send_text(
                    &json!({"type": "message", "client_msg_id": text, "text": text}).to_string(),
                )
                .await;
                loop {
                    let Ok(Some(m)) = ws.try_next_message(Duration::from_secs(5)).await else {
                        return (acked, seen); // the server is gone
                    };
                    if m["type"] == "event" {
                        seen = seen.max(m["seq"].as_i64().unwrap_or(0));
                    }
                    if m["type"] == "ack" {
                        acked.push(text.clone());
                        acks.fetch_add(1, Ordering::SeqCst);
                        break;
                    }
                    assert_ne!(m["type"], "refused", "{text} refused: {m}");
                }
            }
            (acked, seen)
        }));
    }
    while acks.load(Ordering::SeqCst) < CLIENTS * MESSAGES / 4 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    drop(server); // SIGKILL
    let mut results = Vec::new();
    for writer in writers {
        results.push(writer.await.expect("writer"));
    }
    let acked_total: usize = results.iter().map(|(a, _)| a.len()).sum();
    assert!(
        acked_total < CLIENTS * MESSAGES,
        "the server was killed while messages were still coming"
    );

    // Started again on the same data. Every client resumes where it was and
    // sends again what was not acknowledged, with the same ids, as the
    // widget's outbox does; each ack comes, and nothing is stored twice.
    let (_server, url) = start(database);
    for (n, ((id, token), (acked, seen))) in clients.iter().zip(&results).enumerate() {
        let mut ws = client_ws(&url, token, Some(*seen)).await;
        for k in 0..MESSAGES {
            let text = format!("c{n}-m{k}");
            if acked.contains(&text) {
                continue;
            }
            ws.send_text(
                &json!({"type": "message", "client_msg_id": text, "text": text}).to_string(),
            )
            .await;
            let ack = ws.next_of("ack").await;
            assert_eq!(ack["client_msg_id"], text.as_str());
            assert_eq!(ack["session_id"], id.as_str());
        }
        let listed: Value = http
            .get(format!("{url}/api/v1/client/sessions/{id}/messages"))
            .bearer_auth(token)
            .send()
            .await
            .expect("messages")
            .json()
            .await
            .expect("json");
        let texts: Vec<&str> = listed["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|m| m["text"].as_str())
            .collect();
        let expected: Vec<String> = (0..MESSAGES).map(|k| format!("c{n}-m{k}")).collect();
        assert_eq!(
            texts, expected,
            "every message of client {n} once, in order"
        );
    }

    // An operator comes back: resumes their own stream, and still follows
    // the sessions they hold, so what is written there reaches them.
    let op = login(&http, &url, "crash-0@demo.test", "crash-password").await;
    let mut ws = operator_ws(&url, &op, Some(operators[0].0.last_seq)).await;
    let held: Value = http
        .get(format!("{url}/api/v1/sessions?status=active"))
        .header("cookie", &op.cookie)
        .send()
        .await
        .expect("sessions")
        .json()
        .await
        .expect("json");
    let session = held["items"][0]["id"]
        .as_str()
        .expect("operator 0 holds a session")
        .to_owned();
    // (Written from the operator's other tab: the clients have used up
    // their rate limit resending.)
    let r = http
        .post(format!("{url}/api/v1/sessions/{session}/messages"))
        .header("cookie", &op.cookie)
        .header("x-csrf-token", &op.csrf)
        .json(&json!({"text": "slyšíte mě?"}))
        .send()
        .await
        .expect("send");
    assert!(r.status().is_success(), "{}", r.status());
    // What they missed of their sessions comes first, each message once.
    let mut heard = HashSet::new();
    loop {
        let m = ws.next_of("message.created").await;
        let text = m["data"]["message"]["text"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if text == "slyšíte mě?" {
            break;
        }
        assert!(heard.insert(text.clone()), "{text} came twice");
    }
}
