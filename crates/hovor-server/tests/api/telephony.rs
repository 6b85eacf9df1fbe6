//! The telephony connector driven as an exchange would: registrations flip
//! the handset live, the route question respects status and line, dial
//! requests are signed, and call reports make one consistent phone session.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::http::HeaderMap;
use hmac::{Hmac, Mac};
use hovor_core::{Channel, Role};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::harness::{Client, TestApp, START};
use crate::on_both_stores;

on_both_stores!(
    registration_and_the_phone_channel_colour_the_handset_live,
    the_route_question_picks_only_a_ready_available_operator,
    dial_requests_reach_the_exchange_signed,
    call_reports_make_one_phone_session_whatever_their_order,
);

struct Phone {
    eva: crate::harness::TestUser,
    eva_tab: Client,
    /// The telephone exchange: its key reaches the telephony endpoints only.
    exchange: Client,
    admin: Client,
}

async fn setup(app: &TestApp) -> Phone {
    let c = app.company("acme").await;
    let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
    let eva = app.user(&c, "Eva", Role::Operator).await;
    app.store()
        .assign_channels(
            &c.id,
            &eva.id,
            &[(Channel::Chat, 3), (Channel::Phone, 1)],
            None,
            START,
        )
        .await
        .expect("assign")
        .into_unpublished();
    let r = admin
        .send(
            Method::PATCH,
            &format!("/api/v1/users/{}", eva.id),
            Some(json!({"phone_extension": "201"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let key = admin
        .post(
            "/api/v1/api-keys",
            json!({"name": "PBX", "scopes": ["telephony"]}),
        )
        .await
        .body["secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    // Another user cannot take the same extension; nothing is half-written.
    let other = app.user(&c, "Other", Role::Operator).await;
    let r = admin
        .send(
            Method::PATCH,
            &format!("/api/v1/users/{}", other.id),
            Some(json!({"phone_extension": "201", "name": "Renamed"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "extension_taken");
    let unchanged = admin.get(&format!("/api/v1/users/{}", other.id)).await.body;
    assert_eq!(unchanged["name"], "Other");
    let r = admin
        .post("/api/v1/users", json!({"name": "New", "email": "new@acme.test", "role": "operator", "phone_extension": "201"}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let users = admin.get("/api/v1/users").await.body;
    assert!(users["items"]
        .as_array()
        .expect("items")
        .iter()
        .all(|u| u["email"] != "new@acme.test"));
    let eva_tab = app.login(&eva).await;
    Phone {
        eva,
        eva_tab,
        exchange: app.with_api_key(&key),
        admin,
    }
}

fn line(body: &Value) -> (String, Value) {
    (
        body["state"].as_str().unwrap_or("?").to_owned(),
        body["reason"].clone(),
    )
}

async fn registration_and_the_phone_channel_colour_the_handset_live(app: TestApp) {
    let p = setup(&app).await;
    let c = app
        .store()
        .company_by_slug("acme")
        .await
        .expect("db")
        .expect("company");
    let jana = app.user(&c, "Jana", Role::Operator).await;
    assert_eq!(
        app.login(&jana).await.get("/api/v1/me").await.body["phone_line"],
        Value::Null,
        "no phone channel, no handset"
    );
    let me = p.eva_tab.get("/api/v1/me").await.body;
    assert_eq!(me["phone_line"]["extension"], "201");
    assert_eq!(
        line(&me["phone_line"]),
        ("unavailable".into(), json!("connector_down"))
    );
    let mut ws = p.eva_tab.ws(None).await;

    let r = p
        .exchange
        .put(
            "/api/v1/telephony/extensions/201",
            json!({"registered": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["operator_id"], p.eva.id.as_str());
    let e = ws.next_of("operator.phone_line_changed").await;
    assert_eq!(
        line(&e["data"]["phone_line"]),
        ("ready".into(), Value::Null)
    );

    let path = format!("/api/v1/operators/{}/channels/phone", p.eva.id);
    p.eva_tab.put(&path, json!({"enabled": false})).await;
    let e = ws.next_of("operator.phone_line_changed").await;
    assert_eq!(
        line(&e["data"]["phone_line"]),
        ("unavailable".into(), json!("channel_off"))
    );
    p.eva_tab.put(&path, json!({"enabled": true})).await;
    assert_eq!(
        line(&ws.next_of("operator.phone_line_changed").await["data"]["phone_line"]),
        ("ready".into(), Value::Null)
    );

    p.exchange
        .put(
            "/api/v1/telephony/extensions/201",
            json!({"registered": false}),
        )
        .await;
    let e = ws.next_of("operator.phone_line_changed").await;
    assert_eq!(
        line(&e["data"]["phone_line"]),
        ("unavailable".into(), json!("not_registered"))
    );
    let listed = p.admin.get("/api/v1/operators").await.body;
    let eva = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|o| o["id"] == p.eva.id.as_str())
        .cloned()
        .expect("eva");
    assert_eq!(
        line(&eva["phone_line"]),
        ("unavailable".into(), json!("not_registered"))
    );

    // Unknown extension, wrong credentials: refused, nothing changes.
    let r = p
        .exchange
        .put(
            "/api/v1/telephony/extensions/999",
            json!({"registered": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let plain_key = app.api_key(&c).await;
    let r = app
        .with_api_key(&plain_key)
        .put(
            "/api/v1/telephony/extensions/201",
            json!({"registered": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .anonymous()
        .put(
            "/api/v1/telephony/extensions/201",
            json!({"registered": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        line(&p.eva_tab.get("/api/v1/me").await.body["phone_line"]).1,
        json!("not_registered")
    );

    // The exchange falls silent: every line goes grey.
    p.exchange
        .put(
            "/api/v1/telephony/extensions/201",
            json!({"registered": true}),
        )
        .await;
    ws.next_of("operator.phone_line_changed").await;
    app.clock.advance_ms(121_000);
    hovor_server::services::phone::check_connectors(&app.state)
        .await
        .expect("check");
    let e = ws.next_of("operator.phone_line_changed").await;
    assert_eq!(
        line(&e["data"]["phone_line"]),
        ("unavailable".into(), json!("connector_down"))
    );
}

async fn the_route_question_picks_only_a_ready_available_operator(app: TestApp) {
    let p = setup(&app).await;
    let c = app
        .store()
        .company_by_slug("acme")
        .await
        .expect("db")
        .expect("company");
    // Tomas has the phone channel but no extension: his line is grey.
    let tomas = app.user(&c, "Tomas", Role::Operator).await;
    app.store()
        .assign_channels(&c.id, &tomas.id, &[(Channel::Phone, 1)], None, START)
        .await
        .expect("assign")
        .into_unpublished();
    let tomas_tab = app.login(&tomas).await;
    let _tomas_ws = tomas_tab.ws(None).await;
    let ask = || {
        p.exchange.post(
            "/api/v1/telephony/route",
            json!({"call_id": "c-1", "from": "+420777000111"}),
        )
    };

    let r = ask().await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "Eva is not connected and Tomas's line is grey"
    );
    assert_eq!(r.body["error"]["code"], "no_operator_available");
    let _ws = p.eva_tab.ws(None).await;
    let r = ask().await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "Eva's extension is not registered yet"
    );
    p.exchange
        .put(
            "/api/v1/telephony/extensions/201",
            json!({"registered": true}),
        )
        .await;
    let r = ask().await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body, json!({"extension": "201"}));

    p.eva_tab.set_status(&p.eva.id, "away", None).await;
    assert_eq!(ask().await.status, StatusCode::NOT_FOUND, "away");
    p.eva_tab.set_status(&p.eva.id, "online", None).await;
    // On a call: not picked.
    p.exchange
        .post("/api/v1/telephony/events", json!({"call_id": "busy", "event": "ringing", "direction": "in", "from": "+420777000222", "to": "201", "extension": "201"}))
        .await;
    p.exchange
        .post("/api/v1/telephony/events", json!({"call_id": "busy", "event": "answered", "direction": "in", "from": "+420777000222", "to": "201", "extension": "201"}))
        .await;
    assert_eq!(ask().await.status, StatusCode::NOT_FOUND, "on another call");
}

async fn dial_requests_reach_the_exchange_signed(app: TestApp) {
    let p = setup(&app).await;
    let got: Arc<Mutex<Vec<(HeaderMap, String)>>> = Arc::default();
    let sink = got.clone();
    let router = axum::Router::new().route(
        "/dial",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let sink = sink.clone();
            async move {
                sink.lock().expect("lock").push((headers, body));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr: SocketAddr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    let c = app
        .store()
        .company_by_slug("acme")
        .await
        .expect("db")
        .expect("company");
    let admin = app.login(&app.user(&c, "Boss", Role::Admin).await).await;
    let secret = "a-very-secret-dial-key";
    let r = admin
        .send(
            Method::PATCH,
            "/api/v1/telephony/settings",
            Some(json!({"dial_url": format!("http://{addr}/dial"), "secret": secret})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["secret_set"], true);

    let _ws = p.eva_tab.ws(None).await;
    let r = p
        .eva_tab
        .post("/api/v1/telephony/dial", json!({"to": "+420777123456"}))
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "the line is grey until the extension registers"
    );
    assert_eq!(r.body["error"]["code"], "line_unavailable");
    p.exchange
        .put(
            "/api/v1/telephony/extensions/201",
            json!({"registered": true}),
        )
        .await;
    let r = p
        .eva_tab
        .post("/api/v1/telephony/dial", json!({"to": "call me maybe"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = p
        .eva_tab
        .post("/api/v1/telephony/dial", json!({"to": "+420777123456"}))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let call_id = r.body["call_id"].as_str().expect("call id").to_owned();

    let requests = got.lock().expect("lock").clone();
    assert_eq!(requests.len(), 1);
    let (headers, body) = &requests[0];
    let sent: Value = serde_json::from_str(body).expect("json");
    assert_eq!(
        sent,
        json!({"call_id": call_id, "extension": "201", "to": "+420777123456"})
    );
    let sig = headers["hovor-signature"].to_str().expect("ascii");
    let (t, v1) = sig.split_once(",v1=").expect("t=…,v1=…");
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(format!("{}.{body}", t.trim_start_matches("t=")).as_bytes());
    assert_eq!(hex::encode(mac.finalize().into_bytes()), v1);
}

async fn call_reports_make_one_phone_session_whatever_their_order(app: TestApp) {
    let p = setup(&app).await;
    let mut ws = p.eva_tab.ws(None).await;
    p.exchange
        .put(
            "/api/v1/telephony/extensions/201",
            json!({"registered": true}),
        )
        .await;
    let report = |call: &str, event: &str, at: &str| {
        json!({"call_id": call, "event": event, "direction": "in", "from": "+420777123456", "to": "201",
               "extension": "201", "at": at})
    };
    let send = |body: Value| p.exchange.post("/api/v1/telephony/events", body);

    let r = send(report("call-1", "ringing", "2026-01-05T09:00:00Z")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["session"]["channel"], "phone");
    assert_eq!(r.body["session"]["status"], "offered");
    let offered = ws.next_of("session.offered").await;
    assert_eq!(
        offered["data"]["session"]["client"]["phone"],
        "+420777123456"
    );
    send(report("call-1", "answered", "2026-01-05T09:00:05Z")).await;
    let again = send(report("call-1", "answered", "2026-01-05T09:00:09Z")).await;
    assert_eq!(again.body["session"]["status"], "active");
    assert_eq!(again.body["session"]["operator_id"], p.eva.id.as_str());
    assert_eq!(
        again.body["session"]["accepted_at"], "2026-01-05T09:00:05.000Z",
        "the first report counts"
    );
    let ended = send(report("call-1", "hangup", "2026-01-05T09:03:00Z")).await;
    assert_eq!(ended.body["session"]["status"], "ended");
    assert_eq!(ended.body["session"]["end_reason"], "client_left");

    // Out of order: the hangup arrives before the answer.
    send(report("call-2", "ringing", "2026-01-05T10:00:00Z")).await;
    send(report("call-2", "hangup", "2026-01-05T10:02:00Z")).await;
    let late = send(report("call-2", "answered", "2026-01-05T10:00:04Z")).await;
    let s = &late.body["session"];
    assert_eq!(s["status"], "ended");
    assert_eq!(s["accepted_at"], "2026-01-05T10:00:04.000Z");
    assert_eq!(s["ended_at"], "2026-01-05T10:02:00.000Z");
    assert_eq!(s["end_reason"], "client_left");
    assert_eq!(s["operator_id"], p.eva.id.as_str());

    // Unknown call or extension: 404 and nothing written.
    let before = p.admin.get("/api/v1/sessions?channel=phone").await.body["items"]
        .as_array()
        .map(Vec::len);
    assert_eq!(
        send(report("never-rang", "answered", "2026-01-05T11:00:00Z"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let mut stranger = report("call-3", "ringing", "2026-01-05T11:00:00Z");
    stranger["extension"] = json!("999");
    assert_eq!(send(stranger).await.status, StatusCode::NOT_FOUND);
    let after = p.admin.get("/api/v1/sessions?channel=phone").await.body["items"]
        .as_array()
        .map(Vec::len);
    assert_eq!(before, Some(2));
    assert_eq!(after, before);
    // The caller's earlier sessions.
    let history = p
        .eva_tab
        .get("/api/v1/sessions?phone=%2B420777123456")
        .await
        .body;
    assert_eq!(history["items"].as_array().map(Vec::len), Some(2));
}
