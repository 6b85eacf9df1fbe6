//! Three `hovor` nodes on one PostgreSQL database, once with each network
//! bus (PostgreSQL NOTIFY, NATS), clients and operators spread over them:
//! a message crosses nodes, routing never offers a session twice or over
//! capacity, and a node killed with SIGKILL under load loses nothing — its operators
//! turn `disconnected` and then `offline` for the whole cluster, their offers
//! go back to the queue, and its clients resume on another node. A rolling
//! restart of every node loses nothing, and with NATS a restart of the NATS
//! server loses nothing either.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};

use crate::harness::process::{
    client_ws, free_port, login, nats_skipped, operator_ws, start, start_nats, stop_gracefully,
    NatsServer, Operator,
};
use crate::harness::{fresh_pg_database, postgres_skipped, Ws};

const NODES: usize = 3;
const CLIENTS: usize = 9;
const CAPACITY: usize = 2;
/// Messages operator 1 sends in a burst while their node dies.
const UNDER_LOAD: usize = 500;

#[tokio::test]
async fn three_nodes_with_the_postgres_bus() {
    if postgres_skipped() {
        return;
    }
    let (url, _database) = fresh_pg_database().await;
    a_cluster_keeps_its_guarantees(&url, "postgres", None).await;
}

#[tokio::test]
async fn three_nodes_with_nats() {
    if postgres_skipped() {
        return;
    }
    if nats_skipped() {
        eprintln!("HOVOR_SKIP_NATS=1: the NATS cluster test is skipped");
        return;
    }
    let (url, _database) = fresh_pg_database().await;
    let nats = start_nats(free_port());
    let bus = format!("nats://127.0.0.1:{}", nats.port);
    a_cluster_keeps_its_guarantees(&url, &bus, Some(nats)).await;
}

/// Polls `check` every 100 ms for up to `secs`, failing with `what`.
async fn within<F, Fut>(secs: u64, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !check().await {
        assert!(Instant::now() < deadline, "not within {secs} s: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn presence(http: &reqwest::Client, admin: &Operator, url: &str) -> String {
    let (_, state) = admin.call(http, Method::GET, url, None).await;
    state["presence"].as_str().unwrap_or("?").to_owned()
}

struct Client {
    id: String,
    token: String,
    /// The node its socket is on.
    node: usize,
    ws: Option<Ws>,
    /// The messages the server acknowledged.
    acked: Vec<String>,
}

async fn send_acked(client: &mut Client, text: &str) {
    let ws = client.ws.as_mut().expect("connected");
    ws.send_text(&json!({"type": "message", "client_msg_id": text, "text": text}).to_string())
        .await;
    let ack = ws.next_of("ack").await;
    assert_eq!(ack["client_msg_id"], text);
    client.acked.push(text.to_owned());
}

/// Waits for a `message.created` with this text on an operator's socket.
async fn hears(ws: &mut Ws, text: &str) {
    loop {
        let m = ws.next_of("message.created").await;
        if m["data"]["message"]["text"] == text {
            return;
        }
    }
}

async fn a_cluster_keeps_its_guarantees(database: &str, bus: &str, mut nats: Option<NatsServer>) {
    let args = [
        "--database-url",
        database,
        "--bus-url",
        bus,
        "--node-lease-s",
        "3",
        "--metrics-token",
        "cluster-metrics",
    ];
    // The first node creates the demo company; the others join it.
    let mut nodes = Vec::new();
    let mut urls = Vec::new();
    for _ in 0..NODES {
        let (server, url) = start(&args);
        nodes.push(Some(server));
        urls.push(url);
    }
    let http = reqwest::Client::new();
    let admin = login(&http, &urls[0], "admin@demo.test", "demo1234").await;
    let (status, body) = admin
        .call(
            &http,
            Method::PATCH,
            &format!("{}/api/v1/company/settings", urls[0]),
            Some(json!({"disconnect_grace_s": 2})),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    // One operator per node, each with room for two chats, workspace open
    // on their own node.
    let mut operators: Vec<(String, Operator, Ws)> = Vec::new();
    for (n, url) in urls.iter().enumerate() {
        let email = format!("node-{n}@demo.test");
        let (status, body) = admin
            .call(
                &http,
                Method::POST,
                &format!("{url}/api/v1/users"),
                Some(json!({"name": format!("Node {n}"), "email": email,
                    "password": "cluster-password", "role": "operator",
                    "channels": [{"channel": "chat", "capacity": CAPACITY}]})),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        let id = body["id"].as_str().expect("id").to_owned();
        let op = login(&http, url, &email, "cluster-password").await;
        let ws = operator_ws(url, &op, None).await;
        operators.push((id, op, ws));
    }

    // Nine clients, each starting on one node with its socket on the next.
    let mut clients = Vec::new();
    for n in 0..CLIENTS {
        let r = http
            .post(format!("{}/api/v1/client/sessions", urls[n % NODES]))
            .json(&json!({"company": "demo", "channel": "chat", "name": format!("Client {n}")}))
            .send()
            .await
            .expect("start");
        assert_eq!(r.status(), 201);
        let body: Value = r.json().await.expect("json");
        let token = body["client_token"].as_str().expect("token").to_owned();
        let node = (n + 1) % NODES;
        clients.push(Client {
            id: body["session"]["id"].as_str().expect("id").to_owned(),
            ws: Some(client_ws(&urls[node], &token, None).await),
            token,
            node,
            acked: Vec::new(),
        });
    }

    // The operators take what they are offered, wherever it was routed.
    let mut offered: HashMap<String, Vec<usize>> = HashMap::new();
    let mut held: Vec<Vec<String>> = vec![Vec::new(); NODES];
    let deadline = Instant::now() + Duration::from_secs(30);
    while held.iter().map(Vec::len).sum::<usize>() < NODES * CAPACITY {
        assert!(Instant::now() < deadline, "offers: {offered:?}");
        for (n, (_, op, ws)) in operators.iter_mut().enumerate() {
            let Ok(Ok(Some(m))) = tokio::time::timeout(Duration::from_millis(100), async {
                ws.try_next_message(Duration::from_millis(100)).await
            })
            .await
            else {
                continue;
            };
            if m["event"] != "session.offered" {
                continue;
            }
            let id = m["data"]["session"]["id"].as_str().expect("id").to_owned();
            offered.entry(id.clone()).or_default().push(n);
            let (status, body) = op
                .call(
                    &http,
                    Method::POST,
                    &format!("{}/api/v1/sessions/{id}/accept", urls[n]),
                    None,
                )
                .await;
            assert_eq!(status, 200, "{body}");
            held[n].push(id);
        }
    }
    // Full: nobody is offered more, and nothing was offered twice.
    for (_, _, ws) in &mut operators {
        ws.expect_silence_of("session.offered", 1000).await;
    }
    for (session, to) in &offered {
        assert_eq!(to.len(), 1, "{session} offered to {to:?}");
    }
    let (_, active) = admin
        .call(
            &http,
            Method::GET,
            &format!("{}/api/v1/sessions?status=active", urls[0]),
            None,
        )
        .await;
    let mut load: HashMap<String, usize> = HashMap::new();
    for s in active["items"].as_array().expect("items") {
        *load
            .entry(s["operator_id"].as_str().unwrap_or("").to_owned())
            .or_default() += 1;
    }
    assert_eq!(load.values().sum::<usize>(), NODES * CAPACITY, "{load:?}");
    assert!(load.values().all(|n| *n <= CAPACITY), "{load:?}");

    // A message crosses nodes both ways: operator 0 (node 0) and their
    // client, whose socket is on another node.
    let session = held[0][0].clone();
    let k = clients
        .iter()
        .position(|c| c.id == session)
        .expect("a client of operator 0");
    if clients[k].node == 0 {
        clients[k].node = 1;
        clients[k].ws = Some(client_ws(&urls[1], &clients[k].token, None).await);
    }
    let (status, body) = operators[0]
        .1
        .call(
            &http,
            Method::POST,
            &format!("{}/api/v1/sessions/{session}/messages", urls[0]),
            Some(json!({"text": "Dobrý den z uzlu 0"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let heard = clients[k]
        .ws
        .as_mut()
        .expect("connected")
        .next_of("message.created")
        .await;
    assert_eq!(heard["data"]["message"]["text"], "Dobrý den z uzlu 0");
    send_acked(&mut clients[k], "Odpověď z jiného uzlu").await;
    hears(&mut operators[0].2, "Odpověď z jiného uzlu").await;

    // Operator 1 gets room for one more: a waiting client is offered to
    // them, and the offer is pending when their node dies.
    let (status, body) = admin
        .call(
            &http,
            Method::PATCH,
            &format!("{}/api/v1/users/{}", urls[0], operators[1].0),
            Some(json!({"channels": [{"channel": "chat", "capacity": CAPACITY + 1}]})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let pending = operators[1].2.next_of("session.offered").await["data"]["session"]["id"]
        .as_str()
        .expect("id")
        .to_owned();

    // Every client says something, acknowledged, before node 1 dies.
    for (n, client) in clients.iter_mut().enumerate() {
        send_acked(client, &format!("před pádem {n}")).await;
    }

    // Operator 1 sends a burst into their chats over their socket on
    // node 1, many messages in flight at once; node 1 is killed (with the
    // sockets of some clients) once some are acknowledged.
    let sessions1 = held[1].clone();
    let texts: Vec<(String, String)> = (0..UNDER_LOAD)
        .map(|k| (sessions1[k % sessions1.len()].clone(), format!("zátěž {k}")))
        .collect();
    for (session, text) in &texts {
        operators[1]
            .2
            .send_text(
                &json!({"type": "message", "client_msg_id": text, "text": text,
                    "session_id": session})
                .to_string(),
            )
            .await;
    }
    let mut operator_acked: Vec<(String, String)> = Vec::new();
    loop {
        let Ok(Some(m)) = operators[1]
            .2
            .try_next_message(Duration::from_secs(5))
            .await
        else {
            break; // the node is gone
        };
        if m["type"] == "ack" {
            let id = m["client_msg_id"].as_str().unwrap_or("").to_owned();
            let session = m["session_id"].as_str().unwrap_or("").to_owned();
            operator_acked.push((session, id));
            if operator_acked.len() == 20 {
                drop(nodes[1].take());
            }
        }
        assert_ne!(m["type"], "refused", "{m}");
    }
    assert!(
        operator_acked.len() >= 20 && operator_acked.len() < UNDER_LOAD,
        "node 1 died while messages were still coming ({} acknowledged)",
        operator_acked.len()
    );
    let op1 = operators[1].0.clone();
    let state_url = format!("{}/api/v1/operators/{op1}/state", urls[0]);
    // Disconnected once its lease (3 s) runs out, offline after the grace
    // period (2 s): for every node.
    within(15, "operator 1 disconnected", || async {
        presence(&http, &admin, &state_url).await == "disconnected"
    })
    .await;
    within(15, "operator 1 offline", || async {
        presence(&http, &admin, &state_url).await == "offline"
    })
    .await;
    let (_, other_view) = operators[2]
        .1
        .call(
            &http,
            Method::GET,
            &format!("{}/api/v1/operators/{op1}/state", urls[2]),
            None,
        )
        .await;
    assert_eq!(other_view["presence"], "offline");
    // Their pending offer went back to the queue (everyone else is full).
    within(10, "the pending offer back in the queue", || async {
        let (_, s) = admin
            .call(
                &http,
                Method::GET,
                &format!("{}/api/v1/sessions/{pending}", urls[0]),
                None,
            )
            .await;
        s["status"] == "waiting"
    })
    .await;

    // Every message the server acknowledged to operator 1 is stored, once.
    for session in &held[1] {
        let (_, listed) = admin
            .call(
                &http,
                Method::GET,
                &format!("{}/api/v1/sessions/{session}/messages", urls[0]),
                None,
            )
            .await;
        let texts: Vec<&str> = listed["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|m| m["text"].as_str())
            .collect();
        for (_, text) in operator_acked.iter().filter(|(s, _)| s == session) {
            let times = texts.iter().filter(|t| **t == text.as_str()).count();
            assert_eq!(times, 1, "{text} stored once");
        }
    }

    // The dead node's clients resume on node 0 from where they were, and
    // go on writing.
    for (n, client) in clients.iter_mut().enumerate() {
        if client.node != 1 {
            continue;
        }
        client.ws = None;
        client.node = 0;
        let mut ws = client_ws(&urls[0], &client.token, Some(0)).await;
        // The replay holds what it acknowledged before the node died.
        let mut replayed = Vec::new();
        while replayed.len() < client.acked.len() {
            let m = ws.next_of("message.created").await;
            if m["data"]["message"]["author"] == "client" {
                replayed.push(
                    m["data"]["message"]["text"]
                        .as_str()
                        .unwrap_or("")
                        .to_owned(),
                );
            }
        }
        assert_eq!(replayed, client.acked, "client {n}'s replay");
        client.ws = Some(ws);
        send_acked(client, &format!("po pádu {n}")).await;
    }

    // With NATS: the NATS server restarts while a client writes to node 0;
    // the operator on node 2 still hears it once NATS is back.
    if let Some(server) = nats.take() {
        let port = server.port;
        let session = held[2][0].clone();
        let k = clients
            .iter()
            .position(|c| c.id == session)
            .expect("a client of operator 2");
        drop(server);
        let r = http
            .post(format!(
                "{}/api/v1/client/sessions/{session}/messages",
                urls[0]
            ))
            .bearer_auth(&clients[k].token)
            .json(&json!({"text": "zatímco NATS stál"}))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), 201);
        clients[k].acked.push("zatímco NATS stál".to_owned());
        tokio::time::sleep(Duration::from_millis(500)).await;
        let _back = start_nats(port);
        tokio::time::timeout(
            Duration::from_secs(20),
            hears(&mut operators[2].2, "zatímco NATS stál"),
        )
        .await
        .expect("the operator on node 2 hears it after NATS came back");
        nats = Some(_back);
    }

    // A rolling restart: each node in turn stops politely (its sockets
    // close, its lease goes) and starts again; its clients move to the next
    // node and go on. A node starting beside live ones leaves their
    // operators' presence alone.
    let (status, body) = admin
        .call(
            &http,
            Method::PATCH,
            &format!("{}/api/v1/company/settings", urls[0]),
            Some(json!({"disconnect_grace_s": 60})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    // (Node 1, killed above, comes back first.)
    for i in [1, 2, 0] {
        let next = (i + 1) % NODES;
        if let Some(server) = nodes[i].take() {
            stop_gracefully(server);
        }
        let (server, url) = start(&args);
        nodes[i] = Some(server);
        urls[i] = url;
        assert_eq!(
            presence(
                &http,
                &admin,
                &format!("{}/api/v1/operators/{}/state", urls[i], operators[2].0)
            )
            .await,
            if i == 2 { "disconnected" } else { "online" },
            "operator 2 while node {i} restarts"
        );
        for (n, client) in clients.iter_mut().enumerate() {
            if client.node != i {
                continue;
            }
            client.node = next;
            client.ws = Some(client_ws(&urls[next], &client.token, None).await);
            send_acked(client, &format!("během restartu {i}: {n}")).await;
        }
        if i == 2 {
            // Operator 2's workspace was on node 2: it reconnects, within
            // the grace period, and they are online again.
            operators[2].2 = operator_ws(&urls[2], &operators[2].1, None).await;
        }
    }
    within(5, "operator 2 online again", || async {
        presence(
            &http,
            &admin,
            &format!("{}/api/v1/operators/{}/state", urls[0], operators[2].0),
        )
        .await
            == "online"
    })
    .await;

    // Each node shows what crossed the bus, and that it is connected.
    for url in &urls {
        let text = http
            .get(format!("{url}/metrics"))
            .bearer_auth("cluster-metrics")
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("text");
        assert!(text.contains("hovor_bus_up 1"), "{text}");
        let received = text
            .lines()
            .find(|l| l.starts_with("hovor_bus_hints_total{direction=\"received\"}"))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse::<f64>().ok());
        assert!(received.is_some_and(|n| n > 0.0), "{text}");
    }

    // Nothing acknowledged is lost or doubled.
    for (n, client) in clients.iter().enumerate() {
        let listed: Value = http
            .get(format!(
                "{}/api/v1/client/sessions/{}/messages",
                urls[2], client.id
            ))
            .bearer_auth(&client.token)
            .send()
            .await
            .expect("messages")
            .json()
            .await
            .expect("json");
        let texts: Vec<String> = listed["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|m| m["author"] == "client")
            .filter_map(|m| m["text"].as_str().map(str::to_owned))
            .collect();
        assert_eq!(
            texts, client.acked,
            "client {n}: every acknowledged message once"
        );
    }
    drop(nats);
}
