//! The real-time endpoint: live fan-out, resume without loss or duplicates,
//! heartbeats, and presence driven by connections and the grace period.

use hovor_core::Role;
use reqwest::StatusCode;
use serde_json::Value;

use crate::harness::{eventually, TestApp};
use crate::on_both_stores;

on_both_stores!(
    a_status_change_reaches_every_tab_and_every_supervisor_live,
    resume_replays_exactly_the_missed_events,
    a_page_resumes_from_the_seq_its_me_snapshot_carries,
    losing_the_connection_starts_the_grace_period_and_its_expiry_makes_the_operator_offline,
    reconnecting_inside_the_grace_period_changes_nothing,
    heartbeats_are_answered_and_strangers_are_refused,
    shutting_a_node_down_closes_its_connections_and_records_the_disconnect,
);

fn presence(event: &Value) -> &str {
    event["data"]["state"]["presence"].as_str().unwrap_or("?")
}

async fn a_status_change_reaches_every_tab_and_every_supervisor_live(app: TestApp) {
    let c = app.company("acme").await;
    let jana = app.user(&c, "Jana", Role::Operator).await;
    let tomas = app.user(&c, "Tomas", Role::Operator).await;
    let boss = app.user(&c, "Boss", Role::Supervisor).await;
    let lunch = app.pause_type(&c, "Lunch", false).await;

    let boss_client = app.login(&boss).await;
    let mut boss_ws = boss_client.ws(None).await;
    let tomas_client = app.login(&tomas).await;
    let mut tomas_ws = tomas_client.ws(None).await;
    // Tomas' own login and connection reach the supervisor.
    assert_eq!(presence(&boss_ws.next_event().await), "disconnected");
    assert_eq!(presence(&boss_ws.next_event().await), "online");

    let tab1 = app.login(&jana).await;
    let mut ws1 = tab1.ws(None).await;
    let mut ws2 = tab1.ws(None).await;
    assert_eq!(presence(&boss_ws.next_event().await), "disconnected");
    assert_eq!(presence(&boss_ws.next_event().await), "online");

    tab1.set_status(&jana.id, "away", Some(&lunch)).await;
    for ws in [&mut ws1, &mut ws2, &mut boss_ws] {
        let e = ws.next_event().await;
        assert_eq!(e["type"], "event");
        assert_eq!(e["event"], "operator.state_changed");
        assert_eq!(e["data"]["operator_id"], jana.id.as_str());
        assert_eq!(e["data"]["name"], "Jana");
        assert_eq!(presence(&e), "break");
        assert_eq!(e["data"]["state"]["pause_type"]["name"], "Lunch");
    }
    tab1.set_status(&jana.id, "online", None).await;
    let e1 = ws1.next_event().await;
    let e2 = ws2.next_event().await;
    assert_eq!(presence(&e1), "online");
    assert_eq!(e1["seq"], e2["seq"], "both tabs read the same stream");
    assert_eq!(e1["seq"].as_i64(), Some(ws1.head + 2));
    assert_eq!(presence(&boss_ws.next_event().await), "online");
    // Another operator is not told about Jana.
    tomas_ws.expect_silence(300).await;
}

async fn resume_replays_exactly_the_missed_events(app: TestApp) {
    let c = app.company("acme").await;
    let jana = app.user(&c, "Jana", Role::Operator).await;
    let lunch = app.pause_type(&c, "Lunch", false).await;
    let tab = app.login(&jana).await;
    let keeper = tab.ws(None).await; // keeps her connected throughout

    let mut ws = tab.ws(None).await;
    tab.set_status(&jana.id, "away", None).await;
    let seen = ws.next_event().await;
    let last = seen["seq"].as_i64().expect("seq");
    ws.close().await;

    // Three changes while this tab is away.
    tab.set_status(&jana.id, "away", Some(&lunch)).await;
    tab.set_status(&jana.id, "online", None).await;
    tab.set_status(&jana.id, "away", None).await;

    let mut resumed = tab.ws(Some(last)).await;
    assert_eq!(resumed.head, last + 3);
    let mut replayed = Vec::new();
    for _ in 0..3 {
        let e = resumed.next_event().await;
        replayed.push((e["seq"].as_i64().expect("seq"), presence(&e).to_owned()));
    }
    assert_eq!(
        replayed,
        vec![
            (last + 1, "break".to_owned()),
            (last + 2, "online".to_owned()),
            (last + 3, "away".to_owned()),
        ]
    );
    // Nothing twice, and live events follow without a gap.
    resumed.expect_silence(300).await;
    tab.set_status(&jana.id, "online", None).await;
    assert_eq!(resumed.next_event().await["seq"].as_i64(), Some(last + 4));

    // A fresh connection without last_seq gets no backlog.
    let mut fresh = tab.ws(None).await;
    assert_eq!(fresh.head, last + 4);
    fresh.expect_silence(200).await;
    drop(keeper);
}

/// A page reads `/me`, then opens its socket with `last_seq` = the answer's
/// `stream_seq`: its own connect, and anything between the two, is replayed,
/// so it never needs `/me` again.
async fn a_page_resumes_from_the_seq_its_me_snapshot_carries(app: TestApp) {
    let c = app.company("acme").await;
    let jana = app.user(&c, "Jana", Role::Operator).await;
    let lunch = app.pause_type(&c, "Lunch", false).await;
    let tab = app.login(&jana).await;
    let me = tab.get("/api/v1/me").await.body;
    let snapshot = me["stream_seq"].as_i64().expect("stream_seq");
    assert_eq!(me["state"]["presence"], "disconnected");

    // Between the snapshot and the socket: a change made elsewhere.
    tab.set_status(&jana.id, "away", Some(&lunch)).await;
    let mut ws = tab.ws(Some(snapshot)).await;
    let first = ws.next_event().await;
    assert_eq!(first["seq"].as_i64(), Some(snapshot + 1));
    assert_eq!(presence(&first), "disconnected");
    assert_eq!(first["data"]["state"]["pause_type"]["name"], "Lunch");
    let second = ws.next_event().await;
    assert_eq!(second["seq"].as_i64(), Some(snapshot + 2));
    assert_eq!(presence(&second), "break", "its own connect");
    ws.expect_silence(300).await;
    assert_eq!(ws.head, snapshot + 2);
    // A new read says where the stream stands now.
    let again = tab.get("/api/v1/me").await.body;
    assert_eq!(again["stream_seq"].as_i64(), Some(snapshot + 2));
}

async fn losing_the_connection_starts_the_grace_period_and_its_expiry_makes_the_operator_offline(
    app: TestApp,
) {
    let c = app.company("acme").await;
    let jana = app.user(&c, "Jana", Role::Operator).await;
    let boss = app
        .login(&app.user(&c, "Boss", Role::Supervisor).await)
        .await;
    let tab = app.login(&jana).await;
    let ws = tab.ws(None).await;
    let mut boss_ws = boss.ws(None).await;
    app.clock.advance_ms(10_000);

    ws.close().await;
    eventually("presence disconnected", || async {
        boss.state_of(&jana.id).await["presence"] == "disconnected"
    })
    .await;
    assert_eq!(presence(&boss_ws.next_event().await), "disconnected");
    let state = boss.state_of(&jana.id).await;
    assert_eq!(state["status"], "online", "the chosen status is kept");
    assert_eq!(state["since"], "2026-01-05T08:00:10.000Z");

    // One second before the 60 s grace period ends: nothing happens.
    app.clock.advance_ms(59_000);
    assert_eq!(app.reap().await, 0);
    assert_eq!(boss.state_of(&jana.id).await["presence"], "disconnected");

    app.clock.advance_ms(1_000);
    assert_eq!(app.reap().await, 1);
    let e = boss_ws.next_event().await;
    assert_eq!(presence(&e), "offline");
    assert_eq!(e["data"]["state"]["cause"], "disconnect");
    let history = boss
        .get(&format!("/api/v1/operators/{}/state-history", jana.id))
        .await
        .body;
    assert_eq!(history["items"][0]["presence"], "offline");
    assert_eq!(history["items"][0]["cause"], "disconnect");
    assert_eq!(
        history["items"][0]["started_at"],
        "2026-01-05T08:00:10.000Z"
    );
    assert_eq!(history["items"][1]["ended_at"], "2026-01-05T08:00:10.000Z");

    // Coming back after the grace period is recorded as a reconnect.
    app.clock.advance_ms(5_000);
    let _back = tab.ws(None).await;
    let e = boss_ws.next_event().await;
    assert_eq!(presence(&e), "online");
    assert_eq!(e["data"]["state"]["cause"], "reconnect");
    assert_eq!(app.reap().await, 0);
}

async fn reconnecting_inside_the_grace_period_changes_nothing(app: TestApp) {
    let c = app.company("acme").await;
    let jana = app.user(&c, "Jana", Role::Operator).await;
    let lunch = app.pause_type(&c, "Lunch", false).await;
    let boss = app
        .login(&app.user(&c, "Boss", Role::Supervisor).await)
        .await;
    let tab = app.login(&jana).await;
    let ws = tab.ws(None).await;
    tab.set_status(&jana.id, "away", Some(&lunch)).await;
    let before = boss.state_of(&jana.id).await;
    let history_path = format!("/api/v1/operators/{}/state-history", jana.id);
    let history_before = boss.get(&history_path).await.body;

    ws.close().await;
    eventually("presence disconnected", || async {
        boss.state_of(&jana.id).await["presence"] == "disconnected"
    })
    .await;
    app.clock.advance_ms(59_000);
    let _ws = tab.ws(None).await;
    app.clock.advance_ms(60_000);
    // (The supervisor, logged in without a workspace open, does expire.)
    app.reap().await;

    assert_eq!(boss.state_of(&jana.id).await, before);
    assert_eq!(boss.get(&history_path).await.body, history_before);
}

async fn heartbeats_are_answered_and_strangers_are_refused(app: TestApp) {
    let c = app.company("acme").await;
    let jana = app.user(&c, "Jana", Role::Operator).await;
    let tab = app.login(&jana).await;
    let mut ws = tab.ws(None).await;
    ws.send_text(r#"{"type":"ping"}"#).await;
    let mut reply = ws.next_message().await;
    while reply["type"] == "ping" {
        reply = ws.next_message().await;
    }
    assert_eq!(reply["type"], "pong");
    let r = app.anonymous().get("/api/v1/ws").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // A page of another site cannot open a socket with the operator's cookie.
    let http = reqwest::Client::new();
    let r = http
        .get(format!("{}/api/v1/ws", app.base))
        .header("cookie", tab.cookie.clone().unwrap_or_default())
        .header("origin", "https://evil.example")
        .header("connection", "upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

/// A node that shuts down stops its work: open WebSockets close (clients
/// resume elsewhere or later), and each operator's lost connection is
/// recorded, so their grace period starts as if the network had dropped.
async fn shutting_a_node_down_closes_its_connections_and_records_the_disconnect(app: TestApp) {
    let c = app.company("acme").await;
    let jana = app.user(&c, "Jana", Role::Operator).await;
    let boss = app.user(&c, "Boss", Role::Supervisor).await;
    let tab = app.login(&jana).await;
    let mut ws = tab.ws(None).await;
    let boss_tab = app.login(&boss).await;
    assert_eq!(boss_tab.state_of(&jana.id).await["presence"], "online");

    assert!(
        app.state
            .workers
            .shut_down(std::time::Duration::from_secs(5))
            .await,
        "every task stopped in time"
    );
    assert_eq!(ws.next_event().await["type"], "closed");
    assert_eq!(
        boss_tab.state_of(&jana.id).await["presence"],
        "disconnected"
    );
}

/// A backlog longer than the send queue streams out as the peer reads it;
/// only a peer that stops reading live is dropped as a slow consumer.
mod a_long_backlog_streams_out_past_the_send_queue {
    use super::*;
    use crate::harness::Backend;
    use hovor_server::Config;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        run(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        run(Backend::Postgres).await;
    }

    async fn run(backend: Backend) {
        let config = Config {
            send_queue: 8,
            ..Config::default()
        };
        let Some(app) = TestApp::spawn_with(backend, config).await else {
            return;
        };
        let c = app.company("acme").await;
        let jana = app.user(&c, "Jana", Role::Operator).await;
        let tab = app.login(&jana).await;
        for n in 0..20 {
            let status = if n % 2 == 0 { "away" } else { "online" };
            tab.set_status(&jana.id, status, None).await;
        }
        let mut ws = tab.ws(Some(0)).await;
        let mut seqs = Vec::new();
        while seqs.len() < 20 {
            let m = ws.next_of("operator.state_changed").await;
            seqs.push(m["seq"].as_i64().expect("seq"));
        }
        assert!(
            seqs.windows(2).all(|w| w[1] == w[0] + 1),
            "in order, none missing: {seqs:?}"
        );
    }
}
