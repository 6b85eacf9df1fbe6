//! Hovor's REST API and sockets, as the suite uses them: the demo admin
//! makes operators, operators log in and open workspaces, clients start
//! chats and open their sockets.

use std::net::IpAddr;

use anyhow::{anyhow, bail, Context};
use futures_util::StreamExt;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::relay::socket_config;

pub type Socket = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

/// A logged-in user: the session cookie and its CSRF token.
#[derive(Clone, Debug)]
pub struct Login {
    pub cookie: String,
    pub csrf: String,
}

pub async fn login(
    http: &reqwest::Client,
    url: &str,
    email: &str,
    password: &str,
) -> anyhow::Result<Login> {
    let r = http
        .post(format!("{url}/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await?;
    if !r.status().is_success() {
        bail!("login of {email}: {}", r.status());
    }
    let cookie = r
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .ok_or_else(|| anyhow!("login of {email}: no cookie"))?
        .to_owned();
    let body: Value = r.json().await?;
    Ok(Login {
        cookie,
        csrf: body["csrf_token"].as_str().unwrap_or_default().to_owned(),
    })
}

pub async fn admin(http: &reqwest::Client, url: &str) -> anyhow::Result<Login> {
    login(http, url, "admin@demo.test", "demo1234").await
}

/// Creates `count` chat operators (capacity `capacity` each) and logs them
/// in, two at a time (password hashing is the slow part).
pub async fn operators(
    http: &reqwest::Client,
    url: &str,
    count: usize,
    capacity: u32,
) -> anyhow::Result<Vec<Login>> {
    let admin = admin(http, url).await?;
    let make = |n: usize| {
        let (http, admin) = (http.clone(), admin.clone());
        async move {
            let email = format!("bench-{n}@demo.test");
            let r = http
                .post(format!("{url}/api/v1/users"))
                .header("cookie", &admin.cookie)
                .header("x-csrf-token", &admin.csrf)
                .json(
                    &json!({"name": format!("Bench operator {n}"), "email": email,
                    "password": "bench-password", "role": "operator",
                    "channels": [{"channel": "chat", "capacity": capacity}]}),
                )
                .send()
                .await?;
            if !r.status().is_success() {
                bail!(
                    "creating an operator: {} {}",
                    r.status(),
                    r.text().await.unwrap_or_default()
                );
            }
            login(&http, url, &email, "bench-password").await
        }
    };
    futures_util::stream::iter(0..count)
        .map(make)
        .buffered(2)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect()
}

/// A started chat: its session and the client's token.
#[derive(Clone, Debug)]
pub struct Chat {
    pub session_id: String,
    pub token: String,
}

pub async fn start_chat(http: &reqwest::Client, url: &str, n: usize) -> anyhow::Result<Chat> {
    let r = http
        .post(format!("{url}/api/v1/client/sessions"))
        .json(&json!({"company": "demo", "channel": "chat", "name": format!("Bench client {n}")}))
        .send()
        .await
        .context("starting a chat")?;
    if !r.status().is_success() {
        bail!(
            "starting a chat: {} {}",
            r.status(),
            r.text().await.unwrap_or_default()
        );
    }
    let body: Value = r.json().await?;
    Ok(Chat {
        session_id: body["session"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        token: body["client_token"].as_str().unwrap_or_default().to_owned(),
    })
}

pub async fn accept(
    http: &reqwest::Client,
    url: &str,
    operator: &Login,
    session_id: &str,
) -> anyhow::Result<reqwest::StatusCode> {
    Ok(http
        .post(format!("{url}/api/v1/sessions/{session_id}/accept"))
        .header("cookie", &operator.cookie)
        .header("x-csrf-token", &operator.csrf)
        .send()
        .await?
        .status())
}

/// Opens a WebSocket at `url` (http://… is turned into ws://…), from
/// `local` when given (to spread many sockets over loopback addresses).
pub async fn connect(
    url: &str,
    cookie: Option<&str>,
    local: Option<IpAddr>,
) -> anyhow::Result<Socket> {
    let ws_url = url.replacen("http", "ws", 1);
    let mut request = ws_url.as_str().into_client_request()?;
    if let Some(cookie) = cookie {
        request.headers_mut().insert("cookie", cookie.parse()?);
    }
    let host = request
        .uri()
        .authority()
        .ok_or_else(|| anyhow!("no host in {ws_url}"))?
        .as_str()
        .to_owned();
    let server: std::net::SocketAddr = tokio::net::lookup_host(&host)
        .await?
        .next()
        .ok_or_else(|| anyhow!("{host} does not resolve"))?;
    let socket = tokio::net::TcpSocket::new_v4()?;
    if let Some(local) = local {
        socket.bind((local, 0).into())?;
    }
    let stream = socket
        .connect(server)
        .await
        .with_context(|| format!("connecting to {host}"))?;
    stream.set_nodelay(true)?;
    let (socket, _) =
        tokio_tungstenite::client_async_with_config(request, stream, Some(socket_config()))
            .await
            .with_context(|| format!("opening {ws_url}"))?;
    Ok(socket)
}

pub fn operator_socket_url(url: &str) -> String {
    format!("{url}/api/v1/ws")
}

pub fn client_socket_url(url: &str, token: &str) -> String {
    format!("{url}/api/v1/ws?client_token={token}")
}

/// Waits until the demo company takes chats (operators' sockets count as
/// live once the server has seen them).
pub async fn wait_available(http: &reqwest::Client, url: &str) -> anyhow::Result<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let r: Value = http
            .get(format!(
                "{url}/api/v1/client/availability?company=demo&channel=chat"
            ))
            .send()
            .await?
            .json()
            .await?;
        if r["state"] == "online" {
            return Ok(());
        }
        if std::time::Instant::now() > deadline {
            bail!("no operator came online: {r}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
