//! Real `hovor` processes for the tests that need them: a server killed
//! with SIGKILL, several nodes of a cluster.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use super::Ws;

const BIN: &str = env!("CARGO_BIN_EXE_hovor");

pub struct Server(pub std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `hovor demo` on a free port over this database; its URL.
pub fn start(database: &[&str]) -> (Server, String) {
    start_with_env(database, &[])
}

/// `hovor demo` with these arguments and environment variables; its URL.
pub fn start_with_env(args: &[&str], vars: &[(&str, &str)]) -> (Server, String) {
    let mut child = Command::new(BIN)
        .args(["demo", "--listen", "127.0.0.1:0"])
        .args(args)
        .env("HOVOR_LOG", "warn")
        .envs(vars.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start hovor demo");
    let stdout = child.stdout.take().expect("stdout");
    // Read the address, and keep draining what the demo prints so that it
    // never writes into a closed pipe.
    let (found, address) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line.split_whitespace().find(|w| w.starts_with("http://")) {
                let _ = found.send(url.trim_end_matches('/').to_owned());
            }
        }
    });
    let url = address
        .recv_timeout(Duration::from_secs(60))
        .expect("the demo prints its address");
    (Server(child), url)
}

pub struct Operator {
    pub cookie: String,
    pub csrf: String,
    pub last_seq: i64,
}

pub async fn login(http: &reqwest::Client, url: &str, email: &str, password: &str) -> Operator {
    let r = http
        .post(format!("{url}/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("login");
    assert!(r.status().is_success(), "login of {email}: {}", r.status());
    let cookie = r
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("cookie")
        .to_owned();
    let body: Value = r.json().await.expect("json");
    Operator {
        cookie,
        csrf: body["csrf_token"].as_str().expect("csrf").to_owned(),
        last_seq: 0,
    }
}

pub async fn operator_ws(url: &str, op: &Operator, last_seq: Option<i64>) -> Ws {
    let query = last_seq.map_or(String::new(), |s| format!("?last_seq={s}"));
    let mut request = format!("{}/api/v1/ws{query}", url.replace("http", "ws"))
        .into_client_request()
        .expect("request");
    request
        .headers_mut()
        .insert("cookie", op.cookie.parse().expect("cookie"));
    let (socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("operator ws");
    Ws::greeted(socket).await.0
}

pub async fn client_ws(url: &str, token: &str, last_seq: Option<i64>) -> Ws {
    let resume = last_seq.map_or(String::new(), |s| format!("&last_seq={s}"));
    let (socket, _) = tokio_tungstenite::connect_async(format!(
        "{}/api/v1/ws?client_token={token}{resume}",
        url.replace("http", "ws")
    ))
    .await
    .expect("client ws");
    Ws::greeted(socket).await.0
}

impl Operator {
    /// A JSON request with this operator's cookie (and CSRF token on writes).
    pub async fn call(
        &self,
        http: &reqwest::Client,
        method: reqwest::Method,
        url: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = http
            .request(method, url)
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

/// Stops a node the polite way (SIGTERM) and waits for it to exit.
pub fn stop_gracefully(mut server: Server) {
    let pid = libc::pid_t::try_from(server.0.id()).expect("pid");
    // SAFETY: kill(2) on the pid of a child this test started and still holds.
    unsafe {
        libc::kill(pid, libc::SIGTERM);
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while std::time::Instant::now() < deadline {
        if let Ok(Some(_)) = server.0.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the node did not stop within 20 s of SIGTERM");
}

/// A NATS server of the test's own (Debian's `nats-server`), so that the
/// test can stop and start it.
pub struct NatsServer {
    child: std::process::Child,
    pub port: u16,
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// NATS tests run unless HOVOR_SKIP_NATS=1 says otherwise; a missing
/// `nats-server` without it fails the test.
pub fn nats_skipped() -> bool {
    std::env::var("HOVOR_SKIP_NATS").is_ok_and(|v| v == "1")
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Starts `nats-server` on `port` and waits until it takes connections.
pub fn start_nats(port: u16) -> NatsServer {
    let child = Command::new("nats-server")
        .args(["-a", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "nats-server could not start ({e}): install Debian's nats-server, or run with \
                 HOVOR_SKIP_NATS=1 to skip the NATS cluster test knowingly"
            )
        });
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "nats-server did not listen"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    NatsServer { child, port }
}
