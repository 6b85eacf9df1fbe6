//! Many clients, several operators: everyone is served, nobody over
//! capacity, and nobody ineligible is ever offered anything.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use hovor_core::session::SessionStatus;
use hovor_core::{Channel, Role};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::{eventually, Client, TestApp, START};
use crate::on_both_stores;

/// Sixty clients from one test address: the per-address limit on new
/// sessions (made for one person) is lifted.
fn a_crowd_on_one_address() -> hovor_server::state::Config {
    hovor_server::state::Config {
        limits: hovor_server::state::Limits {
            client_sessions_per_address: 1000,
            ..hovor_server::state::Limits::default()
        },
        ..crate::harness::test_config()
    }
}

on_both_stores!(with a_crowd_on_one_address:
    sixty_clients_six_operators_all_served_within_capacity,
);

on_both_stores!(
    a_pass_commits_its_offers_together_and_rechecks_room_for_each,
    a_large_pass_tells_each_client_its_place,
);

const CLIENTS: usize = 60;

/// An operator who accepts every offer, answers, and ends the chat.
async fn serve(
    app: Arc<TestApp>,
    tab: Client,
    me: String,
    capacity: i64,
    served: Arc<AtomicUsize>,
) {
    let mut ws = tab.ws(None).await;
    loop {
        let offer = ws.next_of("session.offered").await;
        let id = offer["data"]["session"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let held = app
            .store()
            .sessions(&offer_company(&app, &id).await, &Default::default(), 500)
            .await
            .expect("sessions")
            .into_iter()
            .filter(|s| {
                (s.status == SessionStatus::Active && s.operator_id.as_deref() == Some(me.as_str()))
                    || (s.status == SessionStatus::Offered
                        && s.offered_to.as_deref() == Some(me.as_str()))
            })
            .count() as i64;
        assert!(
            held <= capacity,
            "{me} holds {held} sessions with capacity {capacity}"
        );
        let r = tab
            .send(Method::POST, &format!("/api/v1/sessions/{id}/accept"), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{me} accepting {id}: {}", r.body);
        let r = tab
            .post(
                &format!("/api/v1/sessions/{id}/messages"),
                json!({"text": "Hello, how can I help?"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        let tab = tab.clone();
        let served = served.clone();
        tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(30)).await;
            let r = tab
                .post(&format!("/api/v1/sessions/{id}/end"), json!({}))
                .await;
            assert_eq!(r.status, StatusCode::OK, "ending {id}: {}", r.body);
            served.fetch_add(1, Ordering::SeqCst);
        });
    }
}

async fn offer_company(app: &TestApp, _session: &str) -> String {
    app.store()
        .company_by_slug("load")
        .await
        .ok()
        .flatten()
        .map(|c| c.id)
        .unwrap_or_default()
}

/// An operator who must never be offered anything.
async fn never_offered(tab: Client, offered: Arc<AtomicUsize>) {
    let mut ws = tab.ws(None).await;
    loop {
        let m = ws.next_event().await;
        if m["event"] == "session.offered" {
            offered.fetch_add(1, Ordering::SeqCst);
        }
    }
}

async fn sixty_clients_six_operators_all_served_within_capacity(app: TestApp) {
    let app = Arc::new(app);
    let c = app.company("load").await;
    // (name, chat capacity, how they are)
    let team = [
        ("Serving3", 3, "serving"),
        ("Serving2", 2, "serving"),
        ("Serving1", 1, "serving"),
        ("ChatOff", 3, "chat_off"),
        ("Away", 2, "away"),
        ("Disconnected", 2, "disconnected"),
    ];
    let served = Arc::new(AtomicUsize::new(0));
    let wrongly_offered = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    let mut ids = HashMap::new();
    for (name, capacity, how) in team {
        let user = app.user(&c, name, Role::Operator).await;
        app.store()
            .assign_channels(&c.id, &user.id, &[(Channel::Chat, capacity)], None, START)
            .await
            .expect("assign")
            .into_unpublished();
        let tab = app.login(&user).await;
        ids.insert(name, user.id.clone());
        match how {
            "serving" => tasks.push(tokio::spawn(serve(
                app.clone(),
                tab,
                user.id,
                i64::from(capacity),
                served.clone(),
            ))),
            "chat_off" => {
                tab.put(
                    &format!("/api/v1/operators/{}/channels/chat", user.id),
                    json!({"enabled": false}),
                )
                .await;
                tasks.push(tokio::spawn(never_offered(tab, wrongly_offered.clone())));
            }
            "away" => {
                tab.set_status(&user.id, "away", None).await;
                tasks.push(tokio::spawn(never_offered(tab, wrongly_offered.clone())));
            }
            // Logged in, but no workspace connected: not routable.
            _ => {}
        }
    }
    // Let the operators connect: three serving, one online with chat off.
    eventually("four operators online", || async {
        app.store()
            .routing_snapshot(&c.id, crate::harness::START)
            .await
            .map(|(_, cs)| cs.iter().filter(|c| c.online).count())
            .unwrap_or(0)
            == 4
    })
    .await;

    let starts = (0..CLIENTS).map(|n| {
        let app = app.clone();
        async move { app.start_chat("load", &format!("client {n}")).await.0 }
    });
    let sessions: Vec<String> = futures_util::future::join_all(starts).await;
    assert_eq!(sessions.len(), CLIENTS);

    for _ in 0..600 {
        if served.load(Ordering::SeqCst) == CLIENTS {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        served.load(Ordering::SeqCst),
        CLIENTS,
        "every client was served"
    );
    let all = app
        .store()
        .sessions(&c.id, &Default::default(), 500)
        .await
        .expect("sessions");
    assert!(all.iter().all(|s| s.status == SessionStatus::Ended));
    let by: Vec<&str> = all
        .iter()
        .filter_map(|s| s.operator_id.as_deref())
        .collect();
    for name in ["ChatOff", "Away", "Disconnected"] {
        assert!(!by.contains(&ids[name].as_str()), "{name} served a session");
    }
    assert_eq!(wrongly_offered.load(Ordering::SeqCst), 0);
    for task in tasks {
        task.abort();
    }
}

/// A routing pass's offers go in one transaction, and each is rechecked
/// there: with room for two, the third planned offer is not made; a session
/// no longer waiting is not offered; an operator who is not online (the
/// plan, made from memory, thought so) is offered nothing; nothing of it is
/// half written.
async fn a_pass_commits_its_offers_together_and_rechecks_room_for_each(app: TestApp) {
    let c = app.company("acme").await;
    let eva = chat_operator(&app, &c, "Eva", 2, true).await;
    // Olga has room but is not logged in.
    let olga = chat_operator(&app, &c, "Olga", 5, false).await;
    // Written but not published: no routing pass runs on its own.
    let mut ids = Vec::new();
    for name in ["A", "B", "C", "D", "E"] {
        let session = app
            .store()
            .create_session(&widget_chat(&c.id, name), None, START)
            .await
            .expect("create")
            .into_unpublished();
        ids.push(session.id);
    }
    app.store()
        .end_session(
            &c.id,
            &ids[3],
            hovor_core::session::EndReason::ClientLeft,
            None,
            START,
        )
        .await
        .expect("end")
        .into_unpublished();
    let mut plan: Vec<(String, String)> = ids[..4]
        .iter()
        .map(|id| (id.clone(), eva.id.clone()))
        .collect();
    plan.push((ids[4].clone(), olga.id.clone()));
    let before = app.store().last_seq(&eva.id).await.expect("seq");
    let made = app
        .store()
        .offer_all(&c.id, &plan, START + 30_000, START)
        .await
        .expect("offer all")
        .into_unpublished();
    let offered: Vec<bool> = made.iter().map(Option::is_some).collect();
    assert_eq!(offered, vec![true, true, false, false, false]);
    for (id, status) in [
        (&ids[0], SessionStatus::Offered),
        (&ids[1], SessionStatus::Offered),
        (&ids[2], SessionStatus::Waiting),
        (&ids[3], SessionStatus::Ended),
        (&ids[4], SessionStatus::Waiting),
    ] {
        let s = app
            .store()
            .session(&c.id, id)
            .await
            .expect("read")
            .expect("session");
        assert_eq!(s.status, status, "{id}");
    }
    let events = app
        .store()
        .events_after(&eva.id, before, 100)
        .await
        .expect("events");
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, vec!["session.offered", "session.offered"]);
    // An empty plan writes nothing.
    let none = app
        .store()
        .offer_all(&c.id, &[], START, START)
        .await
        .expect("empty plan")
        .into_unpublished();
    assert!(none.is_empty());
}

/// A pass of many offers numbers the queue once for all of them: each
/// client's offered session still carries its own place.
async fn a_large_pass_tells_each_client_its_place(app: TestApp) {
    let c = app.company("acme").await;
    let eva = chat_operator(&app, &c, "Eva", 20, true).await;
    let mut ids = Vec::new();
    for n in 0..12 {
        let new = widget_chat(&c.id, &format!("Client {n}"));
        let session = app
            .store()
            .create_session(&new, None, START + n)
            .await
            .expect("create")
            .into_unpublished();
        ids.push(session.id);
    }
    // The last ten, in one pass: the first two stay waiting ahead of them.
    let plan: Vec<(String, String)> = ids[2..]
        .iter()
        .map(|id| (id.clone(), eva.id.clone()))
        .collect();
    let made = app
        .store()
        .offer_all(&c.id, &plan, START + 30_000, START + 100)
        .await
        .expect("offer all")
        .into_unpublished();
    assert!(made.iter().all(Option::is_some));
    for (n, id) in ids.iter().enumerate().skip(2) {
        let events = app.store().events_after(id, 0, 10).await.expect("events");
        let last = events.last().expect("an event");
        let data: serde_json::Value = serde_json::from_str(&last.payload).expect("json");
        assert_eq!(last.kind, "session.changed");
        assert_eq!(data["session"]["status"], "offered");
        assert_eq!(data["queue_position"], n as i64 + 1, "{id}");
    }
}

/// An operator with chat capacity, written straight to the store (nothing
/// published: no routing pass runs on its own); online too when asked.
async fn chat_operator(
    app: &TestApp,
    c: &hovor_store::Company,
    name: &str,
    capacity: u32,
    online: bool,
) -> crate::harness::TestUser {
    let user = app.user(c, name, Role::Operator).await;
    app.store()
        .assign_channels(&c.id, &user.id, &[(Channel::Chat, capacity)], None, START)
        .await
        .expect("assign chat")
        .into_unpublished();
    let commands = [
        hovor_core::Command::Login {
            status_after_login: hovor_core::Status::Online,
        },
        hovor_core::Command::Connect,
    ];
    for command in commands.into_iter().filter(|_| online) {
        app.store()
            .apply_state_command(&c.id, &user.id, command, START)
            .await
            .expect("online")
            .into_unpublished();
    }
    user
}

/// A widget chat from this client, as the store takes it.
fn widget_chat(company_id: &str, name: &str) -> hovor_store::NewSession {
    hovor_store::NewSession {
        company_id: company_id.to_owned(),
        channel: Channel::Chat,
        source: hovor_core::session::Source::Widget,
        group_id: None,
        target_operator_id: None,
        preferred_operator_id: None,
        client: hovor_store::ClientInfo {
            name: Some(name.to_owned()),
            email: None,
            phone: None,
        },
        page_url: None,
        client_token_hash: None,
        call_media: None,
        visitor_hash: None,
    }
}
