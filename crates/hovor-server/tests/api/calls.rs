//! Audio and video calls: a client starts one, an operator upgrades a chat,
//! the other side answers; the browsers' signalling passes through the
//! conversation's stream; one call per operator at a time.

use hovor_core::{Channel, Role};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::harness::{Client, TestApp, TestUser, START};
use crate::on_both_stores;

on_both_stores!(
    a_client_starts_a_video_call_and_the_operator_takes_it,
    an_operator_upgrades_a_chat_and_the_client_declines,
    a_call_ends_with_its_conversation_and_survives_a_transfer,
    an_invitation_starts_with_a_call,
);

async fn operator(app: &TestApp, c: &hovor_store::Company, name: &str, av: bool) -> TestUser {
    let user = app.user(c, name, Role::Operator).await;
    let mut channels = vec![(Channel::Chat, 3)];
    if av {
        channels.push((Channel::Av, 1));
    }
    app.store()
        .assign_channels(&c.id, &user.id, &channels, None, START)
        .await
        .expect("assign channels")
        .into_unpublished();
    user
}

async fn start(app: &TestApp, body: Value) -> (String, Client) {
    let (id, token) = app.start_session(body).await;
    (id, app.anonymous().bearer(&token))
}

fn call_path(id: &str, client: bool) -> String {
    if client {
        format!("/api/v1/client/sessions/{id}/call")
    } else {
        format!("/api/v1/sessions/{id}/call")
    }
}

async fn act(who: &Client, id: &str, client: bool, body: Value) -> (StatusCode, Value) {
    let r = who.post(&call_path(id, client), body).await;
    let session = if client {
        r.body["session"].clone()
    } else {
        r.body.clone()
    };
    (
        r.status,
        if r.status == StatusCode::OK {
            session
        } else {
            r.body
        },
    )
}

async fn signal(who: &Client, id: &str, client: bool, body: Value) -> (StatusCode, Value) {
    let r = who
        .post(&format!("{}/signals", call_path(id, client)), body)
        .await;
    (r.status, r.body)
}

async fn system_texts(tab: &Client, id: &str) -> Vec<String> {
    let r = tab.get(&format!("/api/v1/sessions/{id}/messages")).await;
    r.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|m| m["author"] == "system")
        .map(|m| m["text"].as_str().unwrap_or("").to_owned())
        .collect()
}

async fn a_client_starts_a_video_call_and_the_operator_takes_it(app: TestApp) {
    let c = app.company("acme").await;
    let jana = operator(&app, &c, "Jana", true).await;
    let tab = app.login(&jana).await;
    let mut ws = tab.ws(None).await;
    let r = app
        .anonymous()
        .get("/api/v1/client/availability?company=acme&channel=av")
        .await;
    assert_eq!(r.body["state"], "online", "{}", r.body);

    // Bad input: media without a call, a channel clients do not start.
    for body in [
        json!({"company": "acme", "channel": "chat", "media": "video"}),
        json!({"company": "acme", "channel": "phone"}),
        json!({"company": "acme", "channel": "av", "media": "hologram"}),
    ] {
        let r = app.anonymous().post("/api/v1/client/sessions", body).await;
        assert!(r.status.is_client_error(), "{}", r.body);
    }

    let (id, client) = start(
        &app,
        json!({"company": "acme", "channel": "av", "name": "Karel"}),
    )
    .await;
    let offer = ws.next_of("session.offered").await;
    let offered = &offer["data"]["session"];
    assert_eq!(offered["id"], id.as_str());
    assert_eq!(offered["channel"], "av");
    assert_eq!(offered["call"]["state"], "proposed");
    assert_eq!(offered["call"]["media"], "video");
    assert_eq!(offered["call"]["proposed_by"], "client");

    // A second caller waits: Jana has one call seat, and it is offered.
    let (second, second_client) = start(
        &app,
        json!({"company": "acme", "channel": "av", "media": "audio"}),
    )
    .await;
    let view = second_client
        .get(&format!("/api/v1/client/sessions/{second}"))
        .await;
    assert_eq!(view.body["session"]["status"], "waiting", "{}", view.body);
    assert_eq!(view.body["session"]["call"]["media"], "audio");

    // No signals before the call runs.
    let offer_sdp = json!({"kind": "offer", "pc": "pc-1", "sdp": "v=0\r\n"});
    let (status, body) = signal(&tab, &id, false, offer_sdp.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    // Taking the session answers the call.
    let mut client_ws = app
        .client_ws(client.bearer.as_deref().expect("token"), None)
        .await;
    let r = tab
        .post(&format!("/api/v1/sessions/{id}/accept"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["call"]["state"], "active");
    assert_eq!(r.body["channel"], "av");
    let changed = client_ws.next_of("session.changed").await;
    assert_eq!(changed["data"]["session"]["call"]["state"], "active");
    assert_eq!(system_texts(&tab, &id).await, ["Video call started"]);

    // Signalling: each side's signal reaches the other in the stream.
    let (status, body) = signal(&tab, &id, false, offer_sdp).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let heard = client_ws.next_of("call.signal").await;
    assert_eq!(heard["data"]["from"], "operator");
    assert_eq!(heard["data"]["signal"]["kind"], "offer");
    assert_eq!(heard["data"]["signal"]["sdp"], "v=0\r\n");
    let answer = json!({"kind": "answer", "pc": "pc-1", "sdp": "v=0\r\na=answer\r\n"});
    assert_eq!(
        signal(&client, &id, true, answer).await.0,
        StatusCode::ACCEPTED
    );
    let ice = json!({"kind": "ice", "pc": "pc-1", "candidates": [
        {"candidate": "candidate:1 1 udp 2122260223 192.0.2.7 50000 typ host", "sdp_mid": "0", "sdp_m_line_index": 0}]});
    assert_eq!(
        signal(&client, &id, true, ice).await.0,
        StatusCode::ACCEPTED
    );
    let media = json!({"kind": "media", "microphone": false, "camera": true,
        "microphone_permission": "granted", "camera_permission": "denied"});
    assert_eq!(
        signal(&client, &id, true, media).await.0,
        StatusCode::ACCEPTED
    );
    let mut kinds = Vec::new();
    while kinds.len() < 4 {
        let e = ws.next_of("call.signal").await;
        if e["data"]["from"] == "client" {
            kinds.push(
                e["data"]["signal"]["kind"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned(),
            );
            if e["data"]["signal"]["kind"] == "media" {
                assert_eq!(e["data"]["signal"]["microphone"], false);
                assert_eq!(e["data"]["signal"]["camera_permission"], "denied");
            }
        } else {
            kinds.push("own".into());
        }
    }
    assert_eq!(kinds, ["own", "answer", "ice", "media"]);

    // Malformed and oversized signals are refused; nothing is stored.
    let bad = [
        (json!({"kind": "offer", "pc": "a b", "sdp": "v=0"}), 422),
        (
            json!({"kind": "offer", "pc": "p", "sdp": "v".repeat(20_001)}),
            413,
        ),
        (json!({"kind": "shout", "pc": "p"}), 422),
        (
            json!({"kind": "ice", "pc": "p", "candidates": vec![json!({"candidate": "c"}); 51]}),
            413,
        ),
    ];
    for (body, code) in bad {
        let (status, reply) = signal(&client, &id, true, body).await;
        assert_eq!(status.as_u16(), code, "{reply}");
    }
    // Another client cannot signal into this call.
    assert_eq!(
        signal(&second_client, &id, true, json!({"kind": "ready"}))
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    // The client drops to chat: the conversation goes on, the call seat is free.
    let (status, session) = act(&client, &id, true, json!({"action": "hang_up"})).await;
    assert_eq!(status, StatusCode::OK, "{session}");
    assert_eq!(session["status"], "active");
    assert_eq!(session["channel"], "chat");
    assert!(session["call"].is_null());
    let texts = system_texts(&tab, &id).await;
    assert_eq!(texts[1], "Video call ended by the client after 0:00");
    assert_eq!(
        signal(&tab, &id, false, json!({"kind": "ready"})).await.0,
        StatusCode::CONFLICT
    );
    // Now the waiting caller is offered to Jana.
    loop {
        let e = ws.next_of("session.offered").await;
        if e["data"]["session"]["id"] == second.as_str() {
            break;
        }
    }
    let r = tab
        .post(
            &format!("/api/v1/sessions/{id}/messages"),
            json!({"text": "Píšeme dál"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

async fn an_operator_upgrades_a_chat_and_the_client_declines(app: TestApp) {
    let c = app.company("acme").await;
    let petr = operator(&app, &c, "Petr", false).await;
    let petr_tab = app.login(&petr).await;
    let _petr_ws = petr_tab.ws(None).await;
    let (id, client) = start(&app, json!({"company": "acme", "channel": "chat"})).await;
    let r = petr_tab
        .post(&format!("/api/v1/sessions/{id}/accept"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // Petr has no av: no calls for him.
    let (status, body) = act(&petr_tab, &id, false, json!({"action": "propose"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "channel_not_assigned", "{body}");
    // Nor may the client call him.
    let (status, body) = act(&client, &id, true, json!({"action": "propose"})).await;
    assert_eq!(
        body["error"]["code"], "channel_not_assigned",
        "{status} {body}"
    );

    app.store()
        .assign_channels(
            &c.id,
            &petr.id,
            &[(Channel::Chat, 3), (Channel::Av, 1)],
            None,
            START,
        )
        .await
        .expect("assign av")
        .into_unpublished();
    let mut client_ws = app
        .client_ws(client.bearer.as_deref().expect("token"), None)
        .await;
    let (status, session) = act(
        &petr_tab,
        &id,
        false,
        json!({"action": "propose", "media": "video"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{session}");
    assert_eq!(session["channel"], "av");
    assert_eq!(session["call"]["proposed_by"], "operator");
    let seen = client_ws.next_of("session.changed").await;
    assert_eq!(seen["data"]["session"]["call"]["state"], "proposed");

    // One call at a time; only the client answers it.
    let (_, body) = act(&petr_tab, &id, false, json!({"action": "propose"})).await;
    assert_eq!(body["error"]["code"], "call_in_progress", "{body}");
    let (_, body) = act(&petr_tab, &id, false, json!({"action": "accept"})).await;
    assert_eq!(body["error"]["code"], "not_yours_to_answer", "{body}");
    // Petr's call seat is taken: an upgrade of his second chat is refused.
    let (other, _other_client) = start(&app, json!({"company": "acme", "channel": "chat"})).await;
    let r = petr_tab
        .post(&format!("/api/v1/sessions/{other}/accept"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let (_, body) = act(&petr_tab, &other, false, json!({"action": "propose"})).await;
    assert_eq!(body["error"]["code"], "on_another_call", "{body}");

    // The client declines: a system message, and the chat goes on.
    let (status, session) = act(&client, &id, true, json!({"action": "decline"})).await;
    assert_eq!(status, StatusCode::OK, "{session}");
    assert_eq!(session["channel"], "chat");
    assert!(session["call"].is_null());
    let messages = client
        .get(&format!("/api/v1/client/sessions/{id}/messages"))
        .await;
    let last = messages.body["items"]
        .as_array()
        .and_then(|m| m.last().cloned())
        .expect("a message");
    assert_eq!(last["author"], "system");
    assert_eq!(last["text"], "The client declined the video call");
    assert_eq!(last["notice"]["kind"], "call_declined");
    assert_eq!(last["notice"]["by"], "client");
    let (_, body) = act(&client, &id, true, json!({"action": "hang_up"})).await;
    assert_eq!(body["error"]["code"], "no_call", "{body}");

    // The client asks for a voice call; Petr takes it; then the seat is his.
    let (status, _) = act(
        &client,
        &id,
        true,
        json!({"action": "propose", "media": "audio"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, session) = act(&petr_tab, &id, false, json!({"action": "accept"})).await;
    assert_eq!(status, StatusCode::OK, "{session}");
    assert_eq!(session["call"]["state"], "active");
    assert_eq!(session["call"]["media"], "audio");
    // A colleague's API key or another operator cannot hang up for him.
    let eva = operator(&app, &c, "Eva", true).await;
    let eva_tab = app.login(&eva).await;
    let (status, _) = act(&eva_tab, &id, false, json!({"action": "hang_up"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = act(&petr_tab, &id, false, json!({"action": "wave"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

async fn a_call_ends_with_its_conversation_and_survives_a_transfer(app: TestApp) {
    let c = app.company("acme").await;
    let jana = operator(&app, &c, "Jana", true).await;
    let tab = app.login(&jana).await;
    let mut ws = tab.ws(None).await;
    let (id, client) = start(&app, json!({"company": "acme", "channel": "av"})).await;
    ws.next_of("session.offered").await;
    let r = tab
        .post(&format!("/api/v1/sessions/{id}/accept"), json!({}))
        .await;
    assert_eq!(r.body["call"]["state"], "active", "{}", r.body);

    // Transferred to Tomáš, the client's call waits for him to answer it.
    let tomas = operator(&app, &c, "Tomáš", true).await;
    let tomas_tab = app.login(&tomas).await;
    let mut tomas_ws = tomas_tab.ws(None).await;
    let r = tab
        .post(
            &format!("/api/v1/sessions/{id}/transfer"),
            json!({"operator_id": tomas.id}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["channel"], "av");
    assert_eq!(r.body["call"]["state"], "proposed");
    assert_eq!(r.body["call"]["proposed_by"], "client");
    tomas_ws.next_of("session.offered").await;
    let r = tomas_tab
        .post(&format!("/api/v1/sessions/{id}/accept"), json!({}))
        .await;
    assert_eq!(r.body["call"]["state"], "active", "{}", r.body);

    // The client closes the conversation mid-call: the call ends with it.
    let r = client
        .post(&format!("/api/v1/client/sessions/{id}/leave"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body["session"]["call"].is_null(), "{}", r.body);
    assert_eq!(
        r.body["session"]["channel"], "av",
        "counted as the call it was"
    );
    let texts = system_texts(&tomas_tab, &id).await;
    assert_eq!(
        texts.last().map(String::as_str),
        Some("Video call ended by the client after 0:00"),
        "{texts:?}"
    );
    let (_, body) = act(&client, &id, true, json!({"action": "propose"})).await;
    assert_eq!(body["error"]["code"], "session_ended", "{body}");
    // Tomáš is free for the next call (Jana has gone away).
    tab.set_status(&jana.id, "away", None).await;
    let (next, _) = start(&app, json!({"company": "acme", "channel": "av"})).await;
    loop {
        let e = tomas_ws.next_of("session.offered").await;
        if e["data"]["session"]["id"] == next.as_str() {
            break;
        }
    }
}

async fn an_invitation_starts_with_a_call(app: TestApp) {
    let c = app.company("acme").await;
    let jana = operator(&app, &c, "Jana", true).await;
    let tab = app.login(&jana).await;
    let mut ws = tab.ws(None).await;
    let r = tab.post("/api/v1/invitations", json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let code = r.body["code"].as_str().expect("code").to_owned();
    let r = app
        .anonymous()
        .post(
            &format!("/api/v1/client/invitations/{code}/redeem?media=video"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["session"]["channel"], "av");
    assert_eq!(r.body["session"]["call"]["proposed_by"], "client");
    let id = r.body["session"]["id"].as_str().expect("id").to_owned();
    let client = app
        .anonymous()
        .bearer(r.body["client_token"].as_str().expect("token"));
    let offer = ws.next_of("session.offered").await;
    assert_eq!(offer["data"]["session"]["call"]["media"], "video");
    // Still ringing at Jana's, the client would rather write: the call is
    // withdrawn and the conversation waits as a chat.
    let (_, body) = act(&tab, &id, false, json!({"action": "hang_up"})).await;
    assert_eq!(body["error"]["code"], "session_not_active", "{body}");
    let (status, session) = act(&client, &id, true, json!({"action": "hang_up"})).await;
    assert_eq!(status, StatusCode::OK, "{session}");
    assert_eq!(session["status"], "offered");
    assert_eq!(session["channel"], "chat");
    assert!(session["call"].is_null());
    let changed = ws.next_of("session.changed").await;
    assert_eq!(changed["data"]["session"]["channel"], "chat");
    let r = tab
        .post(&format!("/api/v1/sessions/{id}/accept"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body["call"].is_null(), "a chat: {}", r.body);
    assert_eq!(
        system_texts(&tab, &id).await,
        ["The client cancelled the video call"]
    );
    let r = app
        .anonymous()
        .post(
            &format!("/api/v1/client/invitations/{code}/redeem?media=fax"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    // The landing page offers a call only for an operator who takes calls.
    let base = app.anonymous().base;
    let page = |code: String| {
        let url = format!("{base}/i/{code}");
        async move {
            reqwest::get(url)
                .await
                .expect("landing page")
                .text()
                .await
                .expect("page text")
        }
    };
    let r = tab.post("/api/v1/invitations", json!({})).await;
    let fresh = r.body["code"].as_str().expect("code").to_owned();
    assert!(page(fresh).await.contains("data-calls=\"1\""));
    let petr = operator(&app, &c, "Petr", false).await;
    let petr_tab = app.login(&petr).await;
    let r = petr_tab.post("/api/v1/invitations", json!({})).await;
    let petrs = r.body["code"].as_str().expect("code").to_owned();
    assert!(!page(petrs.clone()).await.contains("data-calls"));
    // Petr has no av: a call from his invitation would wait for him forever.
    let r = app
        .anonymous()
        .post(
            &format!("/api/v1/client/invitations/{petrs}/redeem?media=audio"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "channel_not_assigned");
    let r = app
        .anonymous()
        .post(
            &format!("/api/v1/client/invitations/{petrs}/redeem"),
            json!({}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "a chat still connects: {}",
        r.body
    );
    assert_eq!(r.body["session"]["channel"], "chat");
}
