//! `hovor-bench chat`: drives a running `hovor demo` the way its users do
//! and reports how fast it serves them (the first benchmark; the suite
//! measures more).
//!
//! It creates operators through the admin API, logs them in with open
//! workspaces (WebSockets) that accept every offer and answer each client
//! message, then starts clients in waves: each client starts a chat, waits
//! for an operator, sends messages and times each answer, and leaves.
//! Everything goes over real HTTP and WebSocket on loopback.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::hovor_api::{self, Login};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Base URL of a server started with `hovor demo`.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// Operators to create and keep online (chat capacity 5 each).
    #[arg(long, default_value_t = 10)]
    operators: usize,
    /// Clients in total.
    #[arg(long, default_value_t = 200)]
    clients: usize,
    /// Clients chatting at the same time.
    #[arg(long, default_value_t = 40)]
    concurrency: usize,
    /// Messages each client sends (each answered by the operator).
    #[arg(long, default_value_t = 3)]
    messages: usize,
}

/// An operator's workspace: accept every offer, answer every client message.
async fn operate(url: String, session: Login) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let ws_url = format!("{}/api/v1/ws", url.replacen("http", "ws", 1));
    let mut request = ws_url.into_client_request()?;
    request
        .headers_mut()
        .insert("cookie", session.cookie.parse()?);
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
    while let Some(frame) = socket.next().await {
        let Message::Text(text) = frame? else {
            continue;
        };
        let m: Value = serde_json::from_str(text.as_str())?;
        match (m["type"].as_str(), m["event"].as_str()) {
            (Some("ping"), _) => {
                socket
                    .send(Message::Text(r#"{"type":"pong"}"#.into()))
                    .await?
            }
            (_, Some("session.offered")) => {
                let id = m["data"]["session"]["id"].as_str().unwrap_or_default();
                http.post(format!("{url}/api/v1/sessions/{id}/accept"))
                    .header("cookie", &session.cookie)
                    .header("x-csrf-token", &session.csrf)
                    .send()
                    .await?;
            }
            (_, Some("message.created")) if m["data"]["message"]["author"] == "client" => {
                let id = m["data"]["session_id"].as_str().unwrap_or_default();
                let text = format!(
                    "re: {}",
                    m["data"]["message"]["text"].as_str().unwrap_or("")
                );
                http.post(format!("{url}/api/v1/sessions/{id}/messages"))
                    .header("cookie", &session.cookie)
                    .header("x-csrf-token", &session.csrf)
                    .json(&json!({"text": text}))
                    .send()
                    .await?;
            }
            _ => {}
        }
    }
    Ok(())
}

#[derive(Default)]
struct Timings {
    waits: Vec<Duration>,
    answers: Vec<Duration>,
    failures: usize,
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The next JSON text frame, within a minute.
async fn next_json(socket: &mut Socket) -> anyhow::Result<Value> {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(60), socket.next())
            .await
            .context("no event within 60 s")?
            .ok_or_else(|| anyhow!("socket closed"))??;
        if let Message::Text(text) = frame {
            return Ok(serde_json::from_str(text.as_str())?);
        }
    }
}

/// One client: start, wait to be accepted, chat, leave.
async fn client(
    url: &str,
    n: usize,
    messages: usize,
    timings: &Mutex<Timings>,
) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let started = Instant::now();
    let r = http
        .post(format!("{url}/api/v1/client/sessions"))
        .json(&json!({"company": "demo", "channel": "chat", "name": format!("Bench client {n}")}))
        .send()
        .await?;
    if !r.status().is_success() {
        bail!("start: {}", r.status());
    }
    let body: Value = r.json().await?;
    let id = body["session"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let token = body["client_token"].as_str().unwrap_or_default().to_owned();
    let ws_url = format!(
        "{}/api/v1/ws?client_token={token}",
        url.replacen("http", "ws", 1)
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(ws_url).await?;
    // Accepted?
    loop {
        let m = next_json(&mut socket).await?;
        let status = m["data"]["session"]["status"]
            .as_str()
            .or(m["session"]["status"].as_str());
        if status == Some("active") {
            break;
        }
    }
    let waited = started.elapsed();
    let mut answers = Vec::new();
    for k in 0..messages {
        let sent = Instant::now();
        http.post(format!("{url}/api/v1/client/sessions/{id}/messages"))
            .bearer_auth(&token)
            .json(&json!({"text": format!("question {k}"), "client_msg_id": format!("{id}-{k}")}))
            .send()
            .await?;
        loop {
            let m = next_json(&mut socket).await?;
            if m["event"] == "message.created" && m["data"]["message"]["author"] == "operator" {
                break;
            }
        }
        answers.push(sent.elapsed());
    }
    http.post(format!("{url}/api/v1/client/sessions/{id}/leave"))
        .bearer_auth(&token)
        .send()
        .await?;
    let mut t = timings.lock().await;
    t.waits.push(waited);
    t.answers.extend(answers);
    Ok(())
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let admin = hovor_api::admin(&http, &args.url).await?;
    let run = Instant::now().elapsed().as_nanos() ^ u128::from(std::process::id());
    for n in 0..args.operators {
        let email = format!("bench-{run}-{n}@demo.test");
        let r = http
            .post(format!("{}/api/v1/users", args.url))
            .header("cookie", &admin.cookie)
            .header("x-csrf-token", &admin.csrf)
            .json(&json!({"name": format!("Bench operator {n}"), "email": email, "password": "bench-password",
                          "role": "operator", "channels": [{"channel": "chat", "capacity": 5}]}))
            .send()
            .await?;
        if !r.status().is_success() {
            bail!(
                "creating an operator: {} {}",
                r.status(),
                r.text().await.unwrap_or_default()
            );
        }
        let session = hovor_api::login(&http, &args.url, &email, "bench-password").await?;
        let url = args.url.clone();
        tokio::spawn(async move {
            if let Err(e) = operate(url, session).await {
                eprintln!("operator {n}: {e:#}");
            }
        });
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    let timings = Arc::new(Mutex::new(Timings::default()));
    let started = Instant::now();
    let permits = Arc::new(tokio::sync::Semaphore::new(args.concurrency));
    let mut tasks = Vec::new();
    for n in 0..args.clients {
        let permit = permits.clone().acquire_owned().await?;
        let (url, timings) = (args.url.clone(), timings.clone());
        let messages = args.messages;
        tasks.push(tokio::spawn(async move {
            if let Err(e) = client(&url, n, messages, &timings).await {
                eprintln!("client {n}: {e:#}");
                timings.lock().await.failures += 1;
            }
            drop(permit);
        }));
    }
    for t in tasks {
        t.await?;
    }
    let elapsed = started.elapsed();
    let mut t = timings.lock().await;
    t.waits.sort();
    t.answers.sort();
    println!(
        "clients: {} ({} failed), operators: {}, concurrency: {}, messages per client: {}",
        args.clients, t.failures, args.operators, args.concurrency, args.messages
    );
    println!(
        "wall time: {:.1} s, sessions per second: {:.1}",
        elapsed.as_secs_f64(),
        (args.clients - t.failures) as f64 / elapsed.as_secs_f64()
    );
    println!(
        "start → accepted (ms): p50 {:.1}, p95 {:.1}, p99 {:.1}",
        percentile(&t.waits, 0.5),
        percentile(&t.waits, 0.95),
        percentile(&t.waits, 0.99)
    );
    println!(
        "message → operator's answer back (ms): p50 {:.1}, p95 {:.1}, p99 {:.1} ({} answers)",
        percentile(&t.answers, 0.5),
        percentile(&t.answers, 0.95),
        percentile(&t.answers, 0.99),
        t.answers.len()
    );
    if t.failures > 0 {
        bail!("{} clients failed", t.failures);
    }
    Ok(())
}
