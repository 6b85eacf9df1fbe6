//! The security review's findings (issue 13), each reproduced and now
//! refused: limits that hold under parallel requests and behind a proxy,
//! per-address limits on what clients may start, and oversized messages.

use std::time::Duration;

use futures_util::future::join_all;
use hovor_core::Role;
use hovor_server::state::{Config, Limits};
use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{TestApp, PASSWORD};
use crate::on_both_stores;

/// The server as it ships: the production limits.
fn shipped() -> Config {
    Config::default()
}

/// Behind a proxy on this host, with few sockets per address.
fn behind_proxy() -> Config {
    Config {
        trusted_proxies: "127.0.0.1".parse().expect("proxies"),
        limits: Limits {
            sockets_per_address: 3,
            ..Limits::default()
        },
        ..Config::default()
    }
}

on_both_stores!(with shipped:
    parallel_wrong_passwords_are_limited_before_they_are_checked,
    unknown_invitation_codes_never_lock_out_real_ones,
    client_sessions_are_limited_per_address,
    a_huge_websocket_message_closes_the_connection,
);

on_both_stores!(with behind_proxy:
    behind_a_trusted_proxy_limits_count_per_client,
    websockets_are_limited_per_address,
);

/// A login as a client behind the proxy at `address`.
async fn login_from(
    http: &reqwest::Client,
    base: &str,
    address: &str,
    email: &str,
    password: &str,
) -> StatusCode {
    http.post(format!("{base}/api/v1/auth/login"))
        .header("x-forwarded-for", address)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("login")
        .status()
}

async fn parallel_wrong_passwords_are_limited_before_they_are_checked(app: TestApp) {
    let c = app.company("acme").await;
    let jana = app.user(&c, "Jana", Role::Operator).await;
    let http = reqwest::Client::new();
    // 40 guesses at once: the limit (10) is taken before the slow hash, so
    // the parallel ones cannot all pass the check.
    let guesses = (0..40).map(|n| {
        let (http, base, email) = (http.clone(), app.base.clone(), jana.email.clone());
        async move { login_from(&http, &base, "", &email, &format!("guess{n}")).await }
    });
    let answers = join_all(guesses).await;
    let refused = answers
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    let wrong = answers
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!(wrong + refused, 40, "{answers:?}");
    assert!(wrong <= 10, "{wrong} wrong passwords were checked");
    assert!(refused >= 30, "{answers:?}");
    // The account's limit does not depend on the address: another address
    // may not go on guessing.
    let elsewhere = app.anonymous();
    let r = elsewhere
        .post(
            "/api/v1/auth/login",
            json!({"email": jana.email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
}

async fn behind_a_trusted_proxy_limits_count_per_client(app: TestApp) {
    let c = app.company("acme").await;
    let jana = app.user(&c, "Jana", Role::Operator).await;
    let http = reqwest::Client::new();
    // One client behind the proxy tries 50 accounts that do not exist.
    for n in 0..50 {
        let s = login_from(
            &http,
            &app.base,
            "203.0.113.7",
            &format!("n{n}@x.test"),
            "x",
        )
        .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let s = login_from(&http, &app.base, "203.0.113.7", &jana.email, PASSWORD).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "that client waits");
    // Everybody else behind the same proxy logs in.
    let s = login_from(&http, &app.base, "198.51.100.1", &jana.email, PASSWORD).await;
    assert_eq!(s, StatusCode::OK, "another client is not locked out");
    // A forged first hop does not make a new client: the proxy appended
    // the real address after it.
    let s = login_from(
        &http,
        &app.base,
        "192.0.2.99, 203.0.113.7",
        &jana.email,
        PASSWORD,
    )
    .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
}

async fn unknown_invitation_codes_never_lock_out_real_ones(app: TestApp) {
    let c = app.company("acme").await;
    let (_, tabs) = app.chat_operators(&c, &["Jana"], 2).await;
    let created = tabs[0].post("/api/v1/invitations", json!({})).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let code = created.body["code"].as_str().expect("code").to_owned();
    let anon = app.anonymous();
    let mut last = StatusCode::OK;
    for n in 0..25 {
        let r = anon
            .post(
                &format!("/api/v1/client/invitations/{n:05}-00000-00000-00001/redeem"),
                json!({}),
            )
            .await;
        last = r.status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS, "guessing is limited");
    // The invited client behind the same address still gets in.
    let page = reqwest::get(format!("{}/i/{code}", app.base))
        .await
        .expect("page");
    assert_eq!(page.status(), StatusCode::OK);
    let r = anon
        .post(
            &format!("/api/v1/client/invitations/{code}/redeem"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

async fn client_sessions_are_limited_per_address(app: TestApp) {
    let c = app.company("acme").await;
    let (_, tabs) = app.chat_operators(&c, &["Jana"], 2).await;
    let _online = tabs[0].ws(None).await;
    let anon = app.anonymous();
    let starts = (0..100).map(|n| {
        let anon = anon.clone();
        async move {
            anon.post(
                "/api/v1/client/sessions",
                json!({"company": "acme", "channel": "chat", "name": format!("Client {n}")}),
            )
            .await
        }
    });
    let answers = join_all(starts).await;
    let started = answers
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    let refused: Vec<_> = answers
        .iter()
        .filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    let limit = Limits::default().client_sessions_per_address;
    assert_eq!(started, limit, "one address starts {limit} at most");
    assert_eq!(refused.len(), 100 - limit);
    assert_eq!(refused[0].body["error"]["code"], "too_many_sessions");
    let stored = app.count_rows("SELECT COUNT(*) FROM sessions").await;
    assert_eq!(
        stored, limit as i64,
        "a refused start leaves nothing behind"
    );
}

async fn websockets_are_limited_per_address(app: TestApp) {
    let c = app.company("acme").await;
    let (_, tabs) = app.chat_operators(&c, &["Jana"], 5).await;
    // The operator's socket and two of a client: three from this address.
    let _online = tabs[0].ws(None).await;
    let (_, token) = app.start_chat("acme", "Eva").await;
    let first = app.client_ws(&token, None).await;
    let _second = app.client_ws(&token, None).await;
    let url = format!(
        "{}/api/v1/ws?client_token={token}",
        app.base.replace("http", "ws")
    );
    match tokio_tungstenite::connect_async(url.as_str()).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        }
        other => panic!("a fourth socket from one address: {:?}", other.map(|_| ())),
    }
    // One closes: there is room again.
    first.close().await;
    crate::harness::eventually("a socket's slot is given back", || async {
        tokio_tungstenite::connect_async(url.as_str()).await.is_ok()
    })
    .await;
}

async fn a_huge_websocket_message_closes_the_connection(app: TestApp) {
    let c = app.company("acme").await;
    let (_, tabs) = app.chat_operators(&c, &["Jana"], 2).await;
    let _online = tabs[0].ws(None).await;
    let (_, token) = app.start_chat("acme", "Eva").await;
    let mut ws = app.client_ws(&token, None).await;
    let huge = format!(
        "{{\"type\":\"message\",\"text\":\"{}\"}}",
        "x".repeat(1024 * 1024)
    );
    let _ = ws.try_send_text(&huge).await;
    // The server closes the socket rather than read it all.
    let mut closed = false;
    for _ in 0..50 {
        match ws.try_next_message(Duration::from_millis(200)).await {
            Ok(None) => {
                closed = true;
                break;
            }
            Ok(Some(frame)) if frame["type"] == "closed" => {
                closed = true;
                break;
            }
            _ => continue,
        }
    }
    assert!(closed, "a 1 MiB message closes the connection");
    // A message of the largest allowed size still goes through.
    let mut ws = app.client_ws(&token, None).await;
    let largest = format!(
        "{{\"type\":\"message\",\"client_msg_id\":\"m1\",\"text\":\"{}\"}}",
        "\\u0001".repeat(4000)
    );
    assert!(largest.len() > 24_000);
    assert!(ws.try_send_text(&largest).await);
    let ack = ws.next_of("ack").await;
    assert!(ack["seq"].as_i64().is_some(), "{ack}");
}

/// A heartbeat fast enough for a test to see a socket's login run out.
fn quick_heartbeat() -> Config {
    Config {
        heartbeat: Duration::from_millis(100),
        ..Config::default()
    }
}

on_both_stores!(a_new_password_or_role_ends_the_users_logins_and_sockets,);

on_both_stores!(with quick_heartbeat:
    a_socket_closes_when_its_login_expires,
);

async fn a_new_password_or_role_ends_the_users_logins_and_sockets(app: TestApp) {
    let c = app.company("acme").await;
    let admin = app.user(&c, "Adam", Role::Admin).await;
    let admin = app.login(&admin).await;
    let jana = app.user(&c, "Jana", Role::Operator).await;
    let old = app.login(&jana).await;
    let mut ws = old.ws(None).await;
    let r = admin
        .send(
            reqwest::Method::PATCH,
            &format!("/api/v1/users/{}", jana.id),
            Some(json!({"password": "a new password 2"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(ws.next_of("logged_out").await["type"], "logged_out");
    assert_eq!(old.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
    // The new password works; a change of name alone ends nothing.
    let mut again = app.anonymous();
    let r = again
        .post(
            "/api/v1/auth/login",
            json!({"email": jana.email, "password": "a new password 2"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    again.cookie = r
        .set_cookie
        .map(|c| c.split(';').next().unwrap_or_default().to_owned());
    again.csrf = r.body["csrf_token"].as_str().map(str::to_owned);
    let r = admin
        .send(
            reqwest::Method::PATCH,
            &format!("/api/v1/users/{}", jana.id),
            Some(json!({"name": "Jana Nová"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(again.get("/api/v1/me").await.status, StatusCode::OK);
    // A new role ends it.
    let mut ws = again.ws(None).await;
    let r = admin
        .send(
            reqwest::Method::PATCH,
            &format!("/api/v1/users/{}", jana.id),
            Some(json!({"role": "supervisor"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(ws.next_of("logged_out").await["type"], "logged_out");
    assert_eq!(
        again.get("/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );
}

async fn a_socket_closes_when_its_login_expires(app: TestApp) {
    let c = app.company("acme").await;
    let jana = app.user(&c, "Jana", Role::Operator).await;
    let tab = app.login(&jana).await;
    let mut ws = tab.ws(None).await;
    ws.expect_silence_of("logged_out", 300).await;
    app.clock
        .advance_ms(app.state.config.session_ttl.as_millis() as i64 + 1000);
    assert_eq!(ws.next_of("logged_out").await["type"], "logged_out");
    assert_eq!(tab.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
}

on_both_stores!(with shipped:
    webhooks_and_dial_urls_to_internal_addresses_are_refused,
);

async fn webhooks_and_dial_urls_to_internal_addresses_are_refused(app: TestApp) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let c = app.company("acme").await;
    let admin = app.login(&app.user(&c, "Adam", Role::Admin).await).await;
    // Hovor's own API on loopback, as in the finding.
    let own = format!("{}/api/v1/users", app.base);
    for url in [
        own.as_str(),
        "http://localhost:9/hook",
        "http://[::1]:9/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.7/hook",
    ] {
        let r = admin
            .post(
                "/api/v1/webhooks",
                json!({"url": url, "events": ["session.created"]}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{url}: {}",
            r.body
        );
        assert_eq!(r.body["error"]["code"], "private_address");
    }
    let r = admin
        .send(
            reqwest::Method::PATCH,
            "/api/v1/telephony/settings",
            Some(json!({"dial_url": "http://192.168.1.10/dial"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(app.count_rows("SELECT COUNT(*) FROM webhooks").await, 0);
    // Nor may an inbox's mail servers be inside.
    for (server, host) in [
        ("imap", "127.0.0.1"),
        ("smtp", "localhost"),
        ("imap", "[::1]"),
    ] {
        let mut inbox = json!({
            "name": "Podpora", "address": "podpora@acme.test",
            "imap": {"host": "imap.example.com", "port": 993, "security": "tls",
                     "username": "u", "password": "p"},
            "smtp": {"host": "smtp.example.com", "port": 465, "security": "tls",
                     "username": "u", "password": "p"},
        });
        inbox[server]["host"] = json!(host);
        let r = admin.post("/api/v1/inboxes", inbox).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{host}: {}",
            r.body
        );
        assert_eq!(r.body["error"]["code"], "private_address");
    }
    assert_eq!(app.count_rows("SELECT COUNT(*) FROM inboxes").await, 0);

    // A webhook saved before the rule (or under a name that now resolves
    // inside) is refused when it is sent: the receiver hears nothing, and
    // the log says why in general words, not which port answered.
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let receiver = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            counted.fetch_add(1, Ordering::SeqCst);
            async { "ok" }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        let _ = axum::serve(listener, receiver).await;
    });
    let hook = app
        .store()
        .create_webhook(
            &c.id,
            &format!("http://127.0.0.1:{port}/hook"),
            &["session.created".to_owned()],
            "a secret of sixteen",
            crate::harness::START,
        )
        .await
        .expect("a webhook");
    let (_, tabs) = app.chat_operators(&c, &["Jana"], 2).await;
    let _online = tabs[0].ws(None).await;
    app.start_chat("acme", "Eva").await;
    hovor_server::services::webhooks::deliver_due(&app.state)
        .await
        .expect("deliver");
    assert_eq!(hits.load(Ordering::SeqCst), 0, "nothing reached loopback");
    let log = admin
        .get(&format!("/api/v1/webhooks/{}/deliveries", hook.id))
        .await
        .body;
    assert_eq!(log["items"][0]["outcome"], "failed", "{log}");
    assert_eq!(
        log["items"][0]["error"],
        "refused: the address is private or local"
    );
    assert!(log["items"][0]["status_code"].is_null());
}

on_both_stores!(an_operator_reads_only_the_sessions_the_list_shows_them);

async fn an_operator_reads_only_the_sessions_the_list_shows_them(app: TestApp) {
    let c = app.company("acme").await;
    let (ids, tabs) = app.chat_operators(&c, &["Alice", "Bob", "Cyril"], 2).await;
    let (alice, bob, cyril) = (&tabs[0], &tabs[1], &tabs[2]);
    let mut alice_ws = alice.ws(None).await;
    let (id, _) = app.start_chat("acme", "Karel").await;
    alice_ws.next_of("session.offered").await;
    let r = alice
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/sessions/{id}/accept"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    alice
        .post(
            &format!("/api/v1/sessions/{id}/messages"),
            json!({"text": "the invoice number is 2026-17"}),
        )
        .await;
    let session = format!("/api/v1/sessions/{id}");
    let transcript = format!("/api/v1/sessions/{id}/messages");
    // Bob and Cyril have nothing to do with it: as if it did not exist.
    for other in [bob, cyril] {
        assert_eq!(other.get(&session).await.status, StatusCode::NOT_FOUND);
        assert_eq!(other.get(&transcript).await.status, StatusCode::NOT_FOUND);
    }
    assert_eq!(alice.get(&transcript).await.status, StatusCode::OK);
    // Transferred to Bob: he (its target) reads it, and so does Alice, who
    // held it; Cyril still does not.
    let r = alice
        .post(
            &format!("/api/v1/sessions/{id}/transfer"),
            json!({"operator_id": ids[1]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(bob.get(&transcript).await.status, StatusCode::OK);
    assert_eq!(alice.get(&session).await.status, StatusCode::OK);
    assert_eq!(cyril.get(&session).await.status, StatusCode::NOT_FOUND);
    let listed = |tab: &crate::harness::Client| {
        let (tab, id) = (tab.clone(), id.clone());
        async move {
            let body = tab.get("/api/v1/sessions").await.body;
            body["items"]
                .as_array()
                .expect("items")
                .iter()
                .any(|s| s["id"] == id.as_str())
        }
    };
    assert!(listed(alice).await, "a past holder sees it in the list");
    assert!(listed(bob).await);
    assert!(!listed(cyril).await);
    // A supervisor reads everything.
    let sup = app.user(&c, "Sára", Role::Supervisor).await;
    let sup = app.login(&sup).await;
    assert_eq!(sup.get(&transcript).await.status, StatusCode::OK);
}

on_both_stores!(a_body_over_64_kib_is_413);

async fn a_body_over_64_kib_is_413(app: TestApp) {
    let http = reqwest::Client::new();
    for size in [70 * 1024, 3 * 1024 * 1024] {
        let body = format!(
            "{{\"email\":\"a@b.test\",\"password\":\"{}\"}}",
            "x".repeat(size)
        );
        let sent = http
            .post(format!("{}/api/v1/auth/login", app.base))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await;
        let r = match sent {
            Ok(r) => r,
            // The server answers 413 from the declared length and closes
            // without reading megabytes it refused: the client, still
            // writing, may see the connection go before it reads the answer.
            // Never for the small body, which fits in the socket's buffers.
            Err(e) if size > 1024 * 1024 && (e.is_request() || e.is_body()) => continue,
            Err(e) => panic!("{size} bytes: {e}"),
        };
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE, "{size} bytes");
        let body: serde_json::Value = r.json().await.expect("json");
        assert_eq!(body["error"]["code"], "body_too_large");
    }
    // Without https in the public URL, no HSTS (it would pin plain http
    // development setups to a scheme they do not serve).
    let page = reqwest::get(&app.base).await.expect("page");
    assert!(page.headers().get("strict-transport-security").is_none());
}

#[tokio::test]
async fn under_https_browsers_are_told_to_stay_on_https() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = hovor_store::open(None, dir.path()).await.expect("store");
    let state = hovor_server::AppState::new(
        store,
        Config {
            public_url: "https://chat.example.com".into(),
            ..Config::default()
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let router = hovor_server::app::router(state)
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    for path in ["/", "/api/v1/me"] {
        let r = reqwest::get(format!("{base}{path}")).await.expect("get");
        assert_eq!(
            r.headers()
                .get("strict-transport-security")
                .and_then(|v| v.to_str().ok()),
            Some("max-age=31536000"),
            "{path}"
        );
    }
}

on_both_stores!(one_companys_stuck_receiver_does_not_hold_up_another_company);

/// A receiver that counts what it got, and answers only when `release`d.
async fn receiver(held: bool) -> (String, std::sync::Arc<ReceiverState>) {
    let state = std::sync::Arc::new(ReceiverState::default());
    let shared = state.clone();
    let router = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            let shared = shared.clone();
            async move {
                shared.got.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                if held {
                    shared.release.notified().await;
                }
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (url, state)
}

#[derive(Default)]
struct ReceiverState {
    got: std::sync::atomic::AtomicUsize,
    release: tokio::sync::Notify,
}

async fn one_companys_stuck_receiver_does_not_hold_up_another_company(app: TestApp) {
    use hovor_server::services::webhooks::deliver_due;
    use std::sync::atomic::Ordering;
    let (stuck_url, stuck) = receiver(true).await;
    let (fine_url, fine) = receiver(false).await;
    let mut online = Vec::new();
    let subscribed = |slug: &'static str, url: String| {
        let app = &app;
        async move {
            let c = app.company(slug).await;
            let admin = app.login(&app.user(&c, "Admin", Role::Admin).await).await;
            let r = admin
                .post(
                    "/api/v1/webhooks",
                    json!({"url": url, "events": ["session.created"]}),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            let (_, tabs) = app.chat_operators(&c, &["Jana"], 2).await;
            tabs[0].ws(None).await
        }
    };
    online.push(subscribed("slow", stuck_url).await);
    app.start_chat("slow", "Eva").await;
    // A pass starts delivering to the stuck receiver, which does not answer.
    let state = app.state.clone();
    let first = tokio::spawn(async move { deliver_due(&state).await });
    crate::harness::eventually("the stuck receiver is being waited for", || async {
        stuck.got.load(Ordering::SeqCst) == 1
    })
    .await;
    // Meanwhile another company's event is delivered by the next pass, which
    // leaves the busy company to the first.
    online.push(subscribed("quick", fine_url).await);
    app.start_chat("quick", "Petr").await;
    let second = tokio::time::timeout(Duration::from_secs(5), deliver_due(&app.state))
        .await
        .expect("the next pass is not held up by the stuck company")
        .expect("pass");
    assert_eq!(second, 1);
    assert_eq!(fine.got.load(Ordering::SeqCst), 1);
    assert!(!first.is_finished(), "the stuck delivery is still going on");
    assert_eq!(stuck.got.load(Ordering::SeqCst), 1, "not sent twice");
    stuck.release.notify_waiters();
    assert_eq!(first.await.expect("join").expect("pass"), 1);
}

on_both_stores!(a_client_token_expires_a_week_after_its_session_ended);

async fn a_client_token_expires_a_week_after_its_session_ended(app: TestApp) {
    let c = app.company("acme").await;
    let (_, tabs) = app.chat_operators(&c, &["Jana"], 2).await;
    let _online = tabs[0].ws(None).await;
    let (id, token) = app.start_chat("acme", "Eva").await;
    let client = app.anonymous().bearer(&token);
    let r = client
        .post(&format!("/api/v1/client/sessions/{id}/leave"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // A reload shortly after still shows the ended conversation.
    app.clock.advance_ms(7 * 24 * 3600 * 1000 - 60_000);
    let r = client.get(&format!("/api/v1/client/sessions/{id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["session"]["status"], "ended");
    let _ws = app.client_ws(&token, None).await;
    // A week after the end the token opens nothing.
    app.clock.advance_ms(60_000);
    let r = client.get(&format!("/api/v1/client/sessions/{id}")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = client
        .get(&format!("/api/v1/client/sessions/{id}/messages"))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let url = format!(
        "{}/api/v1/ws?client_token={token}",
        app.base.replace("http", "ws")
    );
    match tokio_tungstenite::connect_async(url.as_str()).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        }
        other => panic!("an expired token's socket: {:?}", other.map(|_| ())),
    }
}

/// The shipped accept loop, with few connections per address.
fn few_connections() -> Config {
    Config {
        limits: Limits {
            connections_per_address: 5,
            ..Limits::default()
        },
        ..Config::default()
    }
}

/// A raw TCP connection to the test server.
async fn tcp(app: &TestApp) -> tokio::net::TcpStream {
    tokio::net::TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .expect("connect")
}

/// Reads until the server closes; `None` if it did not within `wait`.
async fn closed_within(stream: &mut tokio::net::TcpStream, wait: Duration) -> Option<Vec<u8>> {
    use tokio::io::AsyncReadExt;
    let mut got = Vec::new();
    tokio::time::timeout(wait, async {
        let mut buf = [0u8; 1024];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .ok()
    .map(|()| got)
}

#[tokio::test]
async fn a_half_sent_request_header_is_cut_off() {
    use tokio::io::AsyncWriteExt;
    let app = TestApp::spawn_with(crate::harness::Backend::Sqlite, Config::default())
        .await
        .expect("sqlite always runs");
    let mut slow = tcp(&app).await;
    slow.write_all(b"GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .expect("write");
    let cut = closed_within(&mut slow, hovor_server::serve::HEADER_READ_TIMEOUT * 2)
        .await
        .expect("the server closes a connection whose headers do not come");
    // Closed, with a 408 at most: never an answer to the unfinished request.
    let text = String::from_utf8_lossy(&cut);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 408"),
        "{text}"
    );
}

on_both_stores!(with few_connections:
    connections_per_address_are_capped,
);

async fn connections_per_address_are_capped(app: TestApp) {
    use tokio::io::AsyncWriteExt;
    let mut held = Vec::new();
    for _ in 0..5 {
        held.push(tcp(&app).await);
    }
    // The sixth is closed at once, without an answer.
    let mut sixth = tcp(&app).await;
    let _ = sixth.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
    let got = closed_within(&mut sixth, Duration::from_secs(5))
        .await
        .expect("closed");
    assert!(got.is_empty(), "{}", String::from_utf8_lossy(&got));
    // One closes: there is room again.
    drop(held.pop());
    crate::harness::eventually("a connection's slot is given back", || async {
        reqwest::Client::new()
            .get(format!("{}/api/v1/me", app.base))
            .send()
            .await
            .is_ok_and(|r| r.status() == StatusCode::UNAUTHORIZED)
    })
    .await;
}

on_both_stores!(an_address_in_another_company_is_not_revealed);

async fn an_address_in_another_company_is_not_revealed(app: TestApp) {
    let a = app.company("alpha").await;
    let b = app.company("beta").await;
    let jana_a = app.user(&a, "Jana", Role::Operator).await;
    let admin_b = app.login(&app.user(&b, "Boris", Role::Admin).await).await;
    // Beta's admin adds the same address: nothing says Alpha has it.
    let r = admin_b
        .post(
            "/api/v1/users",
            json!({"name": "Jana B", "email": jana_a.email, "password": "beta password", "role": "operator"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let jana_b = r.body["id"].as_str().expect("id").to_owned();
    // Within one company an address is still one user.
    let r = admin_b
        .post(
            "/api/v1/users",
            json!({"name": "Jana C", "email": jana_a.email, "role": "operator"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.body["error"]["code"], "email_taken");
    // Each password opens its own company's account.
    let anon = app.anonymous();
    let r = anon
        .post(
            "/api/v1/auth/login",
            json!({"email": jana_a.email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["user"]["id"], jana_a.id.as_str());
    let r = anon
        .post(
            "/api/v1/auth/login",
            json!({"email": jana_a.email, "password": "beta password"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["user"]["id"], jana_b.as_str());
    // Naming the company picks its account; a wrong one is a wrong login.
    let r = anon
        .post(
            "/api/v1/auth/login",
            json!({"email": jana_a.email, "password": PASSWORD, "company": "beta"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = anon
        .post(
            "/api/v1/auth/login",
            json!({"email": jana_a.email, "password": "beta password", "company": "beta"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["user"]["company_id"], b.id.as_str());
    let r = anon
        .post(
            "/api/v1/auth/login",
            json!({"email": jana_a.email, "password": PASSWORD, "company": "nowhere"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

on_both_stores!(redirects_are_not_followed_and_page_urls_lose_their_query);

async fn redirects_are_not_followed_and_page_urls_lose_their_query(app: TestApp) {
    use std::sync::atomic::Ordering;
    // A receiver that answers with a redirect to another (an internal
    // service, say): the delivery stops there.
    let (target_url, target) = receiver(false).await;
    let bouncer = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            let to = target_url.clone();
            async move { axum::response::Redirect::temporary(&to) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let bouncer_url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, bouncer).await;
    });
    let c = app.company("acme").await;
    let admin = app.login(&app.user(&c, "Adam", Role::Admin).await).await;
    let hook = admin
        .post(
            "/api/v1/webhooks",
            json!({"url": bouncer_url, "events": ["session.created"]}),
        )
        .await;
    assert_eq!(hook.status, StatusCode::CREATED, "{}", hook.body);
    let (_, tabs) = app.chat_operators(&c, &["Jana"], 2).await;
    let _online = tabs[0].ws(None).await;
    // The widget's page address carries the shop's token in its query.
    let r = app
        .anonymous()
        .post(
            "/api/v1/client/sessions",
            json!({"company": "acme", "channel": "chat", "name": "Eva",
                   "page_url": "https://shop.example/cart?session=s3cret#pay"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["session"]["page_url"], "https://shop.example/cart");
    hovor_server::services::webhooks::deliver_due(&app.state)
        .await
        .expect("deliver");
    assert_eq!(
        target.got.load(Ordering::SeqCst),
        0,
        "the redirect was not followed"
    );
    let id = hook.body["id"].as_str().expect("id");
    let log = admin
        .get(&format!("/api/v1/webhooks/{id}/deliveries"))
        .await
        .body;
    assert_eq!(log["items"][0]["status_code"], 307, "{log}");
    assert_eq!(log["items"][0]["outcome"], "failed");
}
