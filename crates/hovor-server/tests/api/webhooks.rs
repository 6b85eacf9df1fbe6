//! Webhooks against a real local HTTP receiver: signed, in order, retried
//! while the receiver is down, and nothing lost across a restart.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode as AxumStatus};
use hmac::{Hmac, Mac};
use hovor_core::{Channel, Role};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::harness::{TestApp, START};
use crate::on_both_stores;

on_both_stores!(
    deliveries_are_signed_and_carry_every_subscribed_event,
    a_receiver_that_was_down_gets_everything_in_order,
    the_outbox_survives_a_restart_between_change_and_delivery,
    two_nodes_delivering_at_once_deliver_each_event_once,
    a_client_rates_a_conversation_once_after_it_ends,
);

#[derive(Default)]
struct Receiver {
    down: AtomicBool,
    got: Mutex<Vec<(HeaderMap, String)>>,
}

impl Receiver {
    async fn start() -> (Arc<Receiver>, String) {
        let receiver = Arc::new(Receiver::default());
        let shared = receiver.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: String| {
                let shared = shared.clone();
                async move {
                    if shared.down.load(Ordering::SeqCst) {
                        return AxumStatus::SERVICE_UNAVAILABLE;
                    }
                    shared.got.lock().expect("lock").push((headers, body));
                    AxumStatus::OK
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr: SocketAddr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        (receiver, format!("http://{addr}/hook"))
    }

    fn bodies(&self) -> Vec<Value> {
        self.got
            .lock()
            .expect("lock")
            .iter()
            .map(|(_, b)| serde_json::from_str(b).expect("json body"))
            .collect()
    }

    fn types(&self) -> Vec<String> {
        self.bodies()
            .iter()
            .map(|b| b["type"].as_str().unwrap_or("").to_owned())
            .collect()
    }
}

async fn deliver(app: &TestApp) -> usize {
    hovor_server::services::webhooks::deliver_due(&app.state)
        .await
        .expect("deliver")
}

async fn subscribe(
    app: &TestApp,
    admin: &crate::harness::Client,
    url: &str,
    events: &[&str],
) -> Value {
    let r = admin
        .post("/api/v1/webhooks", json!({"url": url, "events": events}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let _ = app;
    r.body
}

async fn deliveries_are_signed_and_carry_every_subscribed_event(app: TestApp) {
    let c = app.company("acme").await;
    let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
    let (receiver, url) = Receiver::start().await;
    for (bad, code) in [
        (
            json!({"url": "ftp://example.com/x", "events": ["session.created"]}),
            "invalid_url",
        ),
        (
            json!({"url": "javascript:alert(1)", "events": ["session.created"]}),
            "invalid_url",
        ),
        (
            json!({"url": url, "events": ["session.exploded"]}),
            "unknown_event",
        ),
        (json!({"url": url, "events": []}), "invalid_events"),
    ] {
        let r = admin.post("/api/v1/webhooks", bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.body["error"]["code"], code);
    }
    let hook = subscribe(
        &app,
        &admin,
        &url,
        &[
            "session.created",
            "session.accepted",
            "message.created",
            "operator.state_changed",
        ],
    )
    .await;
    let secret = hook["secret"]
        .as_str()
        .expect("secret shown once")
        .to_owned();
    let listed = admin.get("/api/v1/webhooks").await.body;
    assert!(
        listed["items"][0].get("secret").is_none(),
        "never shown again"
    );

    let jana = app.user(&c, "Jana", Role::Operator).await;
    app.store()
        .assign_channels(&c.id, &jana.id, &[(Channel::Chat, 3)], None, START)
        .await
        .expect("assign")
        .into_unpublished();
    let tab = app.login(&jana).await;
    let mut ws = tab.ws(None).await;
    let (session, token) = app.start_chat("acme", "Karel").await;
    ws.next_of("session.offered").await;
    tab.send(
        Method::POST,
        &format!("/api/v1/sessions/{session}/accept"),
        None,
    )
    .await;
    app.anonymous()
        .bearer(&token)
        .post(
            &format!("/api/v1/client/sessions/{session}/messages"),
            json!({"text": "Dobrý den"}),
        )
        .await;

    deliver(&app).await;
    let types = receiver.types();
    assert_eq!(
        types,
        vec![
            "operator.state_changed", // login
            "operator.state_changed", // connected
            "session.created",
            "session.accepted",
            "message.created",
        ],
        "subscribed events only (no session.offered), in order"
    );
    let got = receiver.got.lock().expect("lock").clone();
    let mut delivery_ids = Vec::new();
    for (headers, body) in &got {
        let sig = headers["hovor-signature"].to_str().expect("ascii");
        let (t, v1) = sig.split_once(",v1=").expect("t=…,v1=…");
        let t = t.trim_start_matches("t=");
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
        mac.update(format!("{t}.{body}").as_bytes());
        assert_eq!(
            hex::encode(mac.finalize().into_bytes()),
            v1,
            "signature verifies"
        );
        let parsed: Value = serde_json::from_str(body).expect("json");
        assert_eq!(
            headers["hovor-event"].to_str().expect("ascii"),
            parsed["type"]
        );
        assert_eq!(parsed["company_id"], c.id.as_str());
        assert!(parsed["id"].as_str().is_some() && parsed["created_at"].as_str().is_some());
        delivery_ids.push(
            headers["hovor-delivery"]
                .to_str()
                .expect("ascii")
                .to_owned(),
        );
    }
    let unique: std::collections::HashSet<_> = delivery_ids.iter().collect();
    assert_eq!(unique.len(), delivery_ids.len());
    let message = &receiver.bodies()[4];
    assert_eq!(message["data"]["message"]["text"], "Dobrý den");
    assert_eq!(message["data"]["session_id"], session.as_str());

    let id = hook["id"].as_str().expect("id");
    let log = admin
        .get(&format!("/api/v1/webhooks/{id}/deliveries"))
        .await
        .body;
    assert_eq!(log["items"].as_array().map(Vec::len), Some(5));
    assert_eq!(log["items"][0]["outcome"], "delivered");
    assert_eq!(log["items"][0]["status_code"], 200);
    // Nothing twice.
    assert_eq!(deliver(&app).await, 0);
    assert_eq!(receiver.types().len(), 5);
}

async fn a_receiver_that_was_down_gets_everything_in_order(app: TestApp) {
    let c = app.company("acme").await;
    let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
    let (receiver, url) = Receiver::start().await;
    let hook = subscribe(&app, &admin, &url, &["message.created"]).await;
    let id = hook["id"].as_str().expect("id").to_owned();
    let jana = app.user(&c, "Jana", Role::Operator).await;
    app.store()
        .assign_channels(&c.id, &jana.id, &[(Channel::Chat, 3)], None, START)
        .await
        .expect("assign")
        .into_unpublished();
    let tab = app.login(&jana).await;
    let _ws = tab.ws(None).await;
    let (session, token) = app.start_chat("acme", "Karel").await;
    let client = app.anonymous().bearer(&token);

    receiver.down.store(true, Ordering::SeqCst);
    for n in 1..=3 {
        client
            .post(
                &format!("/api/v1/client/sessions/{session}/messages"),
                json!({"text": format!("message {n}")}),
            )
            .await;
    }
    assert_eq!(deliver(&app).await, 0);
    // Before the backoff has passed nothing is attempted; then it is, in order.
    assert_eq!(deliver(&app).await, 0);
    app.clock.advance_ms(1_000);
    assert_eq!(deliver(&app).await, 0);
    app.clock.advance_ms(2_000);
    assert_eq!(deliver(&app).await, 0);
    let log = admin
        .get(&format!("/api/v1/webhooks/{id}/deliveries"))
        .await
        .body;
    let outcomes: Vec<(&str, i64, i64)> = log["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|a| {
            (
                a["outcome"].as_str().unwrap_or(""),
                a["attempt"].as_i64().unwrap_or(0),
                a["status_code"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        vec![("failed", 3, 503), ("failed", 2, 503), ("failed", 1, 503)],
        "only the first event, retried with backoff"
    );

    receiver.down.store(false, Ordering::SeqCst);
    app.clock.advance_ms(4_000);
    assert_eq!(deliver(&app).await, 3);
    let texts: Vec<String> = receiver
        .bodies()
        .iter()
        .map(|b| {
            b["data"]["message"]["text"]
                .as_str()
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    assert_eq!(texts, vec!["message 1", "message 2", "message 3"]);

    // A receiver gone for good: after 24 hours the event is given up, the next one goes.
    receiver.down.store(true, Ordering::SeqCst);
    client
        .post(
            &format!("/api/v1/client/sessions/{session}/messages"),
            json!({"text": "lost"}),
        )
        .await;
    deliver(&app).await;
    app.clock.advance_ms(24 * 3600 * 1000);
    deliver(&app).await;
    // (A day later the admin's login has expired: read the log with a key.)
    let key = app.api_key(&c).await;
    let log = app
        .with_api_key(&key)
        .get(&format!("/api/v1/webhooks/{id}/deliveries"))
        .await
        .body;
    assert_eq!(log["items"][0]["outcome"], "dead");
    receiver.down.store(false, Ordering::SeqCst);
    client
        .post(
            &format!("/api/v1/client/sessions/{session}/messages"),
            json!({"text": "after"}),
        )
        .await;
    assert_eq!(deliver(&app).await, 1);
    assert_eq!(
        receiver
            .bodies()
            .last()
            .map(|b| b["data"]["message"]["text"].clone()),
        Some(json!("after"))
    );

    // The receiver is fixed: the admin retries the dead delivery by hand.
    let admin = app.with_api_key(&key);
    let log = admin
        .get(&format!("/api/v1/webhooks/{id}/deliveries"))
        .await
        .body;
    let items = log["items"].as_array().expect("items");
    let dead = items
        .iter()
        .find(|a| a["outcome"] == "dead")
        .expect("a dead delivery");
    let delivered = items
        .iter()
        .find(|a| a["outcome"] == "delivered")
        .expect("a delivered one");
    let r = admin
        .post(
            &format!(
                "/api/v1/webhooks/{id}/deliveries/{}/retry",
                delivered["id"].as_str().expect("id")
            ),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "not_dead");
    let retry_path = format!(
        "/api/v1/webhooks/{id}/deliveries/{}/retry",
        dead["id"].as_str().expect("id")
    );
    let r = admin.post(&retry_path, json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["outcome"], "delivered");
    assert_eq!(r.body["event_id"], dead["event_id"]);
    let last = receiver
        .got
        .lock()
        .expect("lock")
        .last()
        .cloned()
        .expect("got");
    let body: Value = serde_json::from_str(&last.1).expect("json");
    assert_eq!(body["data"]["message"]["text"], "lost");
    assert_eq!(body["id"], dead["event_id"]);
    // Down again: the retry is logged as dead once more, nothing else moves.
    receiver.down.store(true, Ordering::SeqCst);
    let r = admin.post(&retry_path, json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["outcome"], "dead");
    assert_eq!(r.body["status_code"], 503);
    receiver.down.store(false, Ordering::SeqCst);
    assert_eq!(
        admin
            .post(
                &format!("/api/v1/webhooks/{id}/deliveries/att_nothing/retry"),
                json!({})
            )
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // A new secret, shown once; the next delivery is signed with it.
    let r = admin
        .post(&format!("/api/v1/webhooks/{id}/rotate-secret"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let secret = r.body["secret"]
        .as_str()
        .expect("secret shown once")
        .to_owned();
    assert!(admin.get(&format!("/api/v1/webhooks/{id}")).await.body["secret"].is_null());
    client
        .post(
            &format!("/api/v1/client/sessions/{session}/messages"),
            json!({"text": "new secret"}),
        )
        .await;
    assert_eq!(deliver(&app).await, 1);
    let (headers, body) = receiver
        .got
        .lock()
        .expect("lock")
        .last()
        .cloned()
        .expect("got");
    let header = headers
        .get("hovor-signature")
        .and_then(|v| v.to_str().ok())
        .expect("signature");
    let t = header
        .split(',')
        .find_map(|p| p.strip_prefix("t="))
        .expect("t")
        .to_owned();
    assert_eq!(
        header,
        hovor_server::signing::signature(&secret, t.parse().expect("unix"), &body)
    );
    // Another company's admin cannot retry or rotate it.
    let other = app.company("other").await;
    let stranger = app.with_api_key(&app.api_key(&other).await);
    assert_eq!(
        stranger
            .post(&format!("/api/v1/webhooks/{id}/rotate-secret"), json!({}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        stranger.post(&retry_path, json!({})).await.status,
        StatusCode::NOT_FOUND
    );
}

async fn the_outbox_survives_a_restart_between_change_and_delivery(app: TestApp) {
    let c = app.company("acme").await;
    let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
    let (receiver, url) = Receiver::start().await;
    subscribe(&app, &admin, &url, &["session.created", "session.ended"]).await;
    let jana = app.user(&c, "Jana", Role::Operator).await;
    app.store()
        .assign_channels(&c.id, &jana.id, &[(Channel::Chat, 3)], None, START)
        .await
        .expect("assign")
        .into_unpublished();
    let tab = app.login(&jana).await;
    let _ws = tab.ws(None).await;
    let (session, token) = app.start_chat("acme", "Karel").await;
    app.anonymous()
        .bearer(&token)
        .send(
            Method::POST,
            &format!("/api/v1/client/sessions/{session}/leave"),
            None,
        )
        .await;
    // The changes are committed; no delivery has run. The node dies and a
    // new one starts on the same database with nothing in memory.
    let restarted = app.restarted_state().await;
    let delivered = hovor_server::services::webhooks::deliver_due(&restarted)
        .await
        .expect("deliver");
    assert_eq!(delivered, 2);
    assert_eq!(receiver.types(), vec!["session.created", "session.ended"]);
    // (Abandoned in the queue, or left after routing offered it: a race
    // this test does not care about.)
    let reason = receiver.bodies()[1]["data"]["session"]["end_reason"].clone();
    assert!(reason == "abandoned" || reason == "client_left", "{reason}");
}

/// Every node runs a dispatcher: two passing over the same outbox at once
/// deliver each event once, in order (a node claims a webhook while it
/// delivers).
async fn two_nodes_delivering_at_once_deliver_each_event_once(app: TestApp) {
    let c = app.company("acme").await;
    let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
    let (receiver, url) = Receiver::start().await;
    subscribe(&app, &admin, &url, &["session.created"]).await;
    let jana = app.user(&c, "Jana", Role::Operator).await;
    app.store()
        .assign_channels(&c.id, &jana.id, &[(Channel::Chat, 20)], None, START)
        .await
        .expect("assign")
        .into_unpublished();
    let tab = app.login(&jana).await;
    let _ws = tab.ws(None).await;
    let mut started = Vec::new();
    for n in 0..20 {
        started.push(json!(
            app.start_chat("acme", &format!("Client {n}")).await.0
        ));
    }
    let other = app.restarted_state().await;
    let (one, two) = tokio::join!(
        hovor_server::services::webhooks::deliver_due(&app.state),
        hovor_server::services::webhooks::deliver_due(&other),
    );
    let delivered = one.expect("node one") + two.expect("node two");
    // What the claim kept one node from, the next pass delivers.
    let rest = hovor_server::services::webhooks::deliver_due(&other)
        .await
        .expect("again");
    assert_eq!(delivered + rest, 20);
    let ids: Vec<Value> = receiver
        .bodies()
        .iter()
        .map(|b| b["data"]["session"]["id"].clone())
        .collect();
    assert_eq!(ids, started, "each once, in order");
}

/// Ratings: once, after the end, of a conversation someone took; the
/// operator hears it, a webhook carries it, a company may switch them off.
/// (Here for the webhook receiver.)
async fn a_client_rates_a_conversation_once_after_it_ends(app: TestApp) {
    let c = app.company("acme").await;
    let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
    let (receiver, url) = Receiver::start().await;
    subscribe(&app, &admin, &url, &["session.rated"]).await;
    let (ids, tabs) = app.chat_operators(&c, &["Jana"], 3).await;
    let mut ws = tabs[0].ws(None).await;
    let (id, token) = app.start_chat("acme", "Karel").await;
    let client = app.anonymous().bearer(&token);
    let rating = format!("/api/v1/client/sessions/{id}/rating");
    let view = client.get(&format!("/api/v1/client/sessions/{id}")).await;
    assert_eq!(view.body["ratings"], true, "{}", view.body);
    let r = tabs[0]
        .post(&format!("/api/v1/sessions/{id}/accept"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = client.post(&rating, json!({"score": 5})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "not_ended_yet");
    let r = tabs[0]
        .post(&format!("/api/v1/sessions/{id}/end"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for (body, code) in [
        (json!({"score": 0}), "invalid_score"),
        (json!({"score": 6}), "invalid_score"),
        (
            json!({"score": 4, "comment": "ž".repeat(1001)}),
            "comment_too_long",
        ),
    ] {
        let r = client.post(&rating, body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.body["error"]["code"], code);
    }
    // Sent twice at once (a double click): stored once.
    let twice = futures_util::future::join_all((0..2).map(|_| {
        let client = client.clone();
        let rating = rating.clone();
        async move {
            client
                .post(&rating, json!({"score": 4, "comment": " Rychlé a milé "}))
                .await
        }
    }))
    .await;
    let mut statuses: Vec<u16> = twice.iter().map(|r| r.status.as_u16()).collect();
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        [201, 409],
        "{twice:?}",
        twice = twice.iter().map(|r| &r.body).collect::<Vec<_>>()
    );
    let created = twice
        .iter()
        .find(|r| r.status == StatusCode::CREATED)
        .expect("one stored");
    assert_eq!(created.body["session"]["rating"]["score"], 4);
    assert_eq!(
        created.body["session"]["rating"]["comment"],
        "Rychlé a milé"
    );
    // Jana hears it in her own stream; the session shows it.
    loop {
        let e = ws.next_of("session.changed").await;
        if !e["data"]["session"]["rating"].is_null() {
            assert_eq!(e["data"]["session"]["id"], id.as_str());
            break;
        }
    }
    let seen = tabs[0].get(&format!("/api/v1/sessions/{id}")).await;
    assert_eq!(seen.body["rating"]["score"], 4, "{}", seen.body);
    deliver(&app).await;
    assert_eq!(receiver.types(), ["session.rated"]);
    assert_eq!(
        receiver.bodies()[0]["data"]["session"]["rating"]["score"],
        4
    );
    // Counted in the operators report.
    let report = admin
        .get("/api/v1/reports/operators?from=2026-01-01T00:00:00Z&to=2026-01-31T00:00:00Z&bucket=week")
        .await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    let jana = report.body["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["operator_id"] == ids[0].as_str()))
        .expect("Jana's line");
    let rated: Vec<&Value> = jana["buckets"]
        .as_array()
        .expect("buckets")
        .iter()
        .filter(|b| b["ratings"] != 0)
        .collect();
    assert_eq!(rated.len(), 1, "{jana}");
    assert_eq!(rated[0]["ratings"], 1);
    assert_eq!(rated[0]["average_rating"], 4.0);

    // Nobody took it: nothing to rate.
    let (gone, gone_token) = app.start_chat("acme", "Olga").await;
    let gone_client = app.anonymous().bearer(&gone_token);
    gone_client
        .post(&format!("/api/v1/client/sessions/{gone}/leave"), json!({}))
        .await;
    let r = gone_client
        .post(
            &format!("/api/v1/client/sessions/{gone}/rating"),
            json!({"score": 1}),
        )
        .await;
    assert_eq!(r.body["error"]["code"], "nothing_to_rate", "{}", r.body);
    // A company that asks for no ratings refuses them, and says so.
    let r = admin
        .send(
            reqwest::Method::PATCH,
            "/api/v1/company/settings",
            Some(json!({"ratings_enabled": false})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let (other, other_token) = app.start_chat("acme", "Petr").await;
    let other_client = app.anonymous().bearer(&other_token);
    let view = other_client
        .get(&format!("/api/v1/client/sessions/{other}"))
        .await;
    assert_eq!(view.body["ratings"], false, "{}", view.body);
    tabs[0]
        .post(&format!("/api/v1/sessions/{other}/accept"), json!({}))
        .await;
    tabs[0]
        .post(&format!("/api/v1/sessions/{other}/end"), json!({}))
        .await;
    let r = other_client
        .post(
            &format!("/api/v1/client/sessions/{other}/rating"),
            json!({"score": 2}),
        )
        .await;
    assert_eq!(r.body["error"]["code"], "ratings_off", "{}", r.body);
}
