//! STUN and TURN for calls: the ICE servers a logged-in user and a client
//! with its token are given, and proof against a real coturn (Debian's
//! `turnserver`, started here on its own port) that the TURN credentials
//! Hovor makes open a relay, while a wrong or expired one does not.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hovor_core::{Channel, Role};
use hovor_server::ice::{turn_credential, IceConfig};
use hovor_server::Config;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::harness::{test_config, Backend, Client, TestApp, START};
use crate::on_both_stores;

on_both_stores!(nothing_configured_gives_an_empty_list_and_keys_get_none);
on_both_stores!(with turn_config: a_client_gets_ice_servers_while_its_session_lasts);

/// A TURN server that is never contacted: the routes only sign for it.
fn turn_config() -> Config {
    Config {
        ice: IceConfig::parse(
            "stun:stun.hovor.test:3478",
            "turn:turn.hovor.test:3478,turns:turn.hovor.test:5349?transport=tcp",
            Some("the-shared-secret"),
            3600,
        )
        .expect("valid ICE settings"),
        ..test_config()
    }
}

/// A GET as `tab` sends it (cookie or bearer token), with the reply's
/// headers.
async fn get(tab: &Client, path: &str, bearer: Option<&str>) -> (StatusCode, HeaderMap, Value) {
    let mut request = reqwest::Client::new().get(format!("{}{path}", tab.base));
    if let Some(cookie) = &tab.cookie {
        request = request.header("cookie", cookie);
    }
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("a body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, headers, body)
}

fn cache_control(headers: &HeaderMap) -> &str {
    headers
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// An operator online with the workspace open, so that clients may start
/// chats.
async fn serving(app: &TestApp, company: &hovor_store::Company) -> (Client, crate::harness::Ws) {
    let eva = app.user(company, "Eva", Role::Operator).await;
    app.store()
        .assign_channels(
            &company.id,
            &eva.id,
            &[(Channel::Chat, 3), (Channel::Av, 1)],
            None,
            START,
        )
        .await
        .expect("assign chat and av")
        .into_unpublished();
    let tab = app.login(&eva).await;
    let ws = tab.ws(None).await;
    (tab, ws)
}

async fn nothing_configured_gives_an_empty_list_and_keys_get_none(app: TestApp) {
    let c = app.company("acme").await;
    let (tab, _ws) = serving(&app, &c).await;
    let (status, headers, body) = get(&tab, "/api/v1/ice-servers", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"ice_servers": [], "expires_at": null}));
    assert_eq!(cache_control(&headers), "no-store");

    let (id, token) = start_call(&app, "Karel").await;
    let path = format!("/api/v1/client/sessions/{id}/ice-servers");
    let (status, _, body) = get(&app.anonymous(), &path, Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["ice_servers"], json!([]));

    // A key takes no calls; nobody gets them without logging in.
    let key = app.api_key(&c).await;
    let (status, _, body) = get(&app.anonymous(), "/api/v1/ice-servers", Some(&key)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "forbidden");
    let (status, _, body) = get(&app.anonymous(), "/api/v1/ice-servers", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}

/// A client who starts with a video call; returns (session id, client token).
async fn start_call(app: &TestApp, name: &str) -> (String, String) {
    app.start_session(json!({"company": "acme", "channel": "av", "name": name}))
        .await
}

async fn a_client_gets_ice_servers_while_its_session_lasts(app: TestApp) {
    let c = app.company("acme").await;
    let (_tab, _ws) = serving(&app, &c).await;
    let anonymous = app.anonymous();
    // A chat without a call gets no relay credentials: least rights.
    let (chat, chat_token) = app.start_chat("acme", "Petr").await;
    let (status, _, body) = get(
        &anonymous,
        &format!("/api/v1/client/sessions/{chat}/ice-servers"),
        Some(&chat_token),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "no_call");
    let (id, token) = start_call(&app, "Karel Novák").await;
    let path = format!("/api/v1/client/sessions/{id}/ice-servers");

    let (status, headers, body) = get(&anonymous, &path, Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(cache_control(&headers), "no-store");
    // The manual clock stands at START: the credential opens relays for
    // an hour from then, and names the session by its opaque id only.
    let expiry = START / 1000 + 3600;
    let username = format!("{expiry}:{id}");
    assert_eq!(
        body,
        json!({
            "ice_servers": [
                {"urls": ["stun:stun.hovor.test:3478"]},
                {
                    "urls": ["turn:turn.hovor.test:3478", "turns:turn.hovor.test:5349?transport=tcp"],
                    "username": username,
                    "credential": turn_credential("the-shared-secret", &username),
                },
            ],
            "expires_at": "2026-01-05T09:00:00.000Z",
        })
    );
    assert!(
        !body.to_string().contains("Karel"),
        "no personal data: {body}"
    );

    // Other websites call it: the preflight is answered for any origin.
    let preflight = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, format!("{}{path}", app.base))
        .header("origin", "https://shop.example")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization")
        .send()
        .await
        .expect("preflight");
    assert!(preflight.status().is_success(), "{}", preflight.status());
    assert_eq!(
        preflight
            .headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some("*")
    );

    // Without the token, 401; with it, another session's id is 404.
    let (status, _, body) = get(&anonymous, &path, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (other, _) = app.start_chat("acme", "Jana").await;
    let (status, _, body) = get(
        &anonymous,
        &format!("/api/v1/client/sessions/{other}/ice-servers"),
        Some(&token),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

    // An ended conversation takes no calls.
    let left = anonymous
        .bearer(&token)
        .post(&format!("/api/v1/client/sessions/{id}/leave"), json!({}))
        .await;
    assert_eq!(left.status, StatusCode::OK, "{}", left.body);
    let (status, _, body) = get(&anonymous, &path, Some(&token)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "session_ended");
}

// ---------------------------------------------------------------------------
// Against a real coturn.

/// A missing coturn fails the test under CI (`.ci/run` installs it);
/// elsewhere the test says loudly that it did not run.
fn coturn_missing(what: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(what).is_file()));
    if found {
        return false;
    }
    if std::env::var_os("CI").is_some() {
        panic!("{what} is not installed, and CI requires the TURN test: apt-get install coturn");
    }
    eprintln!(
        "SKIPPED: {what} is not installed (apt-get install coturn) — the TURN credentials are \
         NOT checked against coturn"
    );
    true
}

/// Debian's coturn on a loopback port of its own, with coturn's REST API
/// secret, logging to a buffer that failed assertions show.
struct Coturn {
    child: Child,
    port: u16,
    log: Arc<Mutex<String>>,
    _dir: tempfile::TempDir,
}

impl Drop for Coturn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port free for both UDP and TCP on loopback (coturn listens on both).
fn free_udp_and_tcp_port() -> u16 {
    for _ in 0..50 {
        let udp = std::net::UdpSocket::bind("127.0.0.1:0").expect("a UDP port");
        let port = udp.local_addr().expect("its address").port();
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no port free for both UDP and TCP");
}

/// Reads a child's output into `log` until it closes.
fn keep_lines(stream: impl std::io::Read + Send + 'static, log: Arc<Mutex<String>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if let Ok(mut log) = log.lock() {
                log.push_str(&line);
                log.push('\n');
            }
        }
    });
}

impl Coturn {
    /// coturn with the REST API secret, loopback peers allowed (the test's
    /// two relays talk over loopback), and no configuration file.
    fn with_secret(secret: &str) -> Coturn {
        let dir = tempfile::tempdir().expect("temp dir");
        Coturn::start(
            dir,
            &[
                "-n".into(), // no /etc/turnserver.conf
                "--use-auth-secret".into(),
                format!("--static-auth-secret={secret}"),
                "--realm=hovor.test".into(),
                "--allow-loopback-peers".into(),
                "--no-cli".into(),
            ],
        )
    }

    /// coturn with these options, then the test's own: a free loopback
    /// port, no TLS, the log on stdout and its files in `dir`.
    fn start(dir: tempfile::TempDir, options: &[String]) -> Coturn {
        let port = free_udp_and_tcp_port();
        let mut child = Command::new("turnserver")
            .args(options)
            .arg(format!("--listening-port={port}"))
            .args([
                "--listening-ip=127.0.0.1",
                "--relay-ip=127.0.0.1",
                "--no-tls",
                "--no-dtls",
                "--no-rfc5780",
                "--log-file=stdout",
                "--simple-log",
            ])
            .arg(format!("--userdb={}", dir.path().join("turndb").display()))
            .arg(format!(
                "--pidfile={}",
                dir.path().join("turn.pid").display()
            ))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start turnserver");
        let log = Arc::new(Mutex::new(String::new()));
        if let Some(stdout) = child.stdout.take() {
            keep_lines(stdout, log.clone());
        }
        if let Some(stderr) = child.stderr.take() {
            keep_lines(stderr, log.clone());
        }
        let mut coturn = Coturn {
            child,
            port,
            log,
            _dir: dir,
        };
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = coturn.child.try_wait() {
                panic!("turnserver exited ({status}):\n{}", coturn.log());
            }
            assert!(
                std::time::Instant::now() < deadline,
                "turnserver did not listen on {port} within 10 s:\n{}",
                coturn.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        coturn
    }

    fn log(&self) -> String {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// `turnutils_uclient` allocates two relays with these credentials and
    /// sends packets between them through coturn: whether every step
    /// worked, and what it said.
    async fn relay_works(&self, username: &str, credential: &str) -> (bool, String) {
        let run = tokio::process::Command::new("turnutils_uclient")
            .args(["-y", "-n", "2", "-u", username, "-w", credential, "-p"])
            .arg(self.port.to_string())
            .arg("127.0.0.1")
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output();
        let output = tokio::time::timeout(Duration::from_secs(60), run)
            .await
            .expect("turnutils_uclient finished within 60 s")
            .expect("run turnutils_uclient");
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        // Its last report: "start_mclient: tot_send_msgs=4, tot_recv_msgs=4".
        let received = said
            .lines()
            .filter_map(|l| l.split("tot_recv_msgs=").nth(1))
            .filter_map(|n| {
                let digits: String = n.chars().take_while(char::is_ascii_digit).collect();
                digits.parse::<u64>().ok()
            })
            .next_back()
            .unwrap_or(0);
        (output.status.success() && received > 0, said)
    }
}

/// What `turnutils_uclient` says when coturn refuses its credentials.
const REFUSED: &str = "Cannot complete Allocation";

fn unix_ms_now() -> i64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("a clock after 1970");
    i64::try_from(since.as_millis()).expect("milliseconds fit")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn turn_credentials_open_a_relay_on_coturn() {
    if coturn_missing("turnserver") || coturn_missing("turnutils_uclient") {
        return;
    }
    let secret = hovor_server::auth::random_token();
    let coturn = Coturn::with_secret(&secret);
    let turn_url = format!("turn:127.0.0.1:{}", coturn.port);
    let config = Config {
        ice: IceConfig::parse("", &turn_url, Some(&secret), 3600).expect("valid ICE settings"),
        ..test_config()
    };
    let Some(app) = TestApp::spawn_with(Backend::Sqlite, config).await else {
        return;
    };
    // coturn checks the expiry against the real time.
    let now = unix_ms_now();
    app.clock.set(now);
    let c = app.company("acme").await;
    let eva = app.user(&c, "Eva", Role::Operator).await;
    let tab = app.login(&eva).await;

    let (status, headers, body) = get(&tab, "/api/v1/ice-servers", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(cache_control(&headers), "no-store");
    let servers = body["ice_servers"].as_array().expect("a list");
    assert_eq!(servers.len(), 1, "{body}");
    assert_eq!(servers[0]["urls"], json!([turn_url]));
    let username = servers[0]["username"].as_str().expect("a username");
    let credential = servers[0]["credential"].as_str().expect("a credential");
    assert_eq!(username, format!("{}:{}", now / 1000 + 3600, eva.id));
    assert!(body["expires_at"].is_string(), "{body}");

    let (works, said) = coturn.relay_works(username, credential).await;
    assert!(
        works,
        "Hovor's credential opens a relay:\n{said}\ncoturn:\n{}",
        coturn.log()
    );

    // The same username with another password, or signed with another
    // secret, opens nothing.
    let (works, said) = coturn.relay_works(username, "not-the-credential").await;
    assert!(
        !works && said.contains(REFUSED),
        "a wrong password is refused:\n{said}"
    );
    let forged = turn_credential("another-secret", username);
    let (works, said) = coturn.relay_works(username, &forged).await;
    assert!(
        !works && said.contains(REFUSED),
        "another secret's credential is refused:\n{said}"
    );

    // Credentials made two hours ago expired an hour ago.
    app.clock.set(now - 2 * 3600 * 1000);
    let (status, _, body) = get(&tab, "/api/v1/ice-servers", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let old = &body["ice_servers"][0];
    let (works, said) = coturn
        .relay_works(
            old["username"].as_str().expect("a username"),
            old["credential"].as_str().expect("a credential"),
        )
        .await;
    assert!(
        !works && said.contains(REFUSED),
        "an expired credential is refused:\n{said}"
    );
}

/// Settings a browser could not use stop `hovor serve` at start-up, saying
/// which and why, before it touches the database.
#[tokio::test]
async fn bad_ice_settings_stop_the_server_at_start() {
    for (env, says) in [
        (
            vec![("HOVOR_TURN_URLS", "turn:turn.example.com:3478")],
            "HOVOR_TURN_URLS is set but HOVOR_TURN_SECRET is not",
        ),
        (
            vec![(
                "HOVOR_STUN_URLS",
                "stun:ok.example.com,https://stun.example.com",
            )],
            "HOVOR_STUN_URLS: \"https://stun.example.com\" is not a STUN (stun:, stuns:) URL",
        ),
        (
            vec![
                ("HOVOR_TURN_URLS", "turn://turn.example.com"),
                ("HOVOR_TURN_SECRET", "s3cret"),
            ],
            "without //",
        ),
        (vec![("HOVOR_TURN_TTL_S", "5")], "5 is not in 60..=86400"),
    ] {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_hovor"));
        command
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(dir.path().join("data"))
            .env("HOVOR_LOG", "warn")
            .stdin(Stdio::null())
            .kill_on_drop(true);
        for name in [
            "HOVOR_STUN_URLS",
            "HOVOR_TURN_URLS",
            "HOVOR_TURN_SECRET",
            "HOVOR_TURN_TTL_S",
            "HOVOR_DATABASE_URL",
        ] {
            command.env_remove(name);
        }
        command.envs(env.iter().copied());
        let output = tokio::time::timeout(Duration::from_secs(30), command.output())
            .await
            .unwrap_or_else(|_| panic!("hovor serve started with {env:?}"))
            .expect("run hovor");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{env:?}: {stderr}");
        assert!(stderr.contains(says), "{env:?}: {stderr}");
        assert!(
            !stderr.contains("s3cret"),
            "the secret is not printed: {stderr}"
        );
        assert!(
            !dir.path().join("data").exists(),
            "{env:?}: refused before the database was opened"
        );
    }
}

/// The `/etc/turnserver.conf` of docs/deployment.md, as it stands (on a
/// loopback port, without TLS, with the test's secret): Hovor's credentials
/// open a relay, and the relay refuses to reach a private address (here
/// loopback, where the other relay is).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_documented_coturn_configuration_refuses_private_peers() {
    if coturn_missing("turnserver") || coturn_missing("turnutils_uclient") {
        return;
    }
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/deployment.md"
    ))
    .expect("docs/deployment.md");
    let block = doc
        .split("```")
        .skip(1)
        .step_by(2) // the fenced blocks
        .find(|block| block.contains("use-auth-secret"))
        .expect("docs/deployment.md has a turnserver.conf block");
    let secret = hovor_server::auth::random_token();
    let mut secret_lines = 0;
    let conf: String = block
        .lines()
        .skip(1) // the fence's info string
        .filter(|line| !line.starts_with("cert=") && !line.starts_with("pkey="))
        .map(|line| {
            if line.starts_with("static-auth-secret=") {
                secret_lines += 1;
                format!("static-auth-secret={secret}\n")
            } else {
                format!("{line}\n")
            }
        })
        .collect();
    assert_eq!(secret_lines, 1, "one static-auth-secret line:\n{block}");
    for needed in [
        "use-auth-secret",
        "no-multicast-peers",
        "denied-peer-ip=10.0.0.0-10.255.255.255",
        "denied-peer-ip=127.0.0.0-127.255.255.255",
        "denied-peer-ip=169.254.0.0-169.254.255.255",
        "denied-peer-ip=172.16.0.0-172.31.255.255",
        "denied-peer-ip=192.168.0.0-192.168.255.255",
    ] {
        assert!(conf.lines().any(|l| l == needed), "{needed} is documented");
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("turnserver.conf");
    std::fs::write(&path, conf).expect("write turnserver.conf");
    let coturn = Coturn::start(dir, &["-c".into(), path.display().to_string()]);

    let config = IceConfig::parse(
        "",
        &format!("turn:127.0.0.1:{}", coturn.port),
        Some(&secret),
        3600,
    )
    .expect("valid ICE settings");
    let now_s = u64::try_from(unix_ms_now() / 1000).expect("after 1970");
    let servers = hovor_server::ice::ice_servers(&config, "ses_documented", now_s);
    let turn = &servers.ice_servers[0];
    let username = turn.username.as_deref().expect("a username");
    let credential = turn.credential.as_deref().expect("a credential");

    let (works, said) = coturn.relay_works(username, credential).await;
    assert!(!works, "no packet reaches a loopback peer:\n{said}");
    assert!(
        !said.contains(REFUSED) && said.contains("403 (Forbidden IP)"),
        "the credential opened a relay, and the relay refused the private peer:\n{said}\ncoturn:\n{}",
        coturn.log()
    );
    let (works, said) = coturn.relay_works(username, "not-the-credential").await;
    assert!(
        !works && said.contains(REFUSED),
        "a wrong password is refused:\n{said}"
    );
}
