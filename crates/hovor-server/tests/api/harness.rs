//! Starts the real server on port 0 against a fresh SQLite file or a fresh
//! PostgreSQL database, with a manual clock, and talks to it over HTTP and
//! WebSocket like a browser would.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use hovor_core::Role;
use hovor_server::clock::ManualClock;
use hovor_server::{router, AppState, Config};
use hovor_store::{Company, NewUser, Store};
use reqwest::{Method, StatusCode};

mod client;
pub mod mail;
pub mod process;
pub mod s3;
mod ws;
pub use client::Client;
pub use ws::Ws;

pub const PASSWORD: &str = "correct horse battery";
/// 2026-01-05T08:00:00Z, a Monday morning.
pub const START: i64 = 1_767_600_000_000;

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    _dir: Option<tempfile::TempDir>,
    _pg: Option<PgDatabase>,
    /// Where the database is, to open it again as a restarted server would.
    database: (Option<String>, std::path::PathBuf),
}

pub struct PgDatabase {
    admin_url: String,
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Drop runs outside async: use a thread with its own runtime.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                use sqlx::Connection;
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await;
                }
            });
        })
        .join();
    }
}

fn password_hash() -> String {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hovor_server::auth::hash_password(PASSWORD).expect("hash"))
        .clone()
}

fn pg_admin_url() -> String {
    std::env::var("HOVOR_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// PostgreSQL tests run unless HOVOR_SKIP_POSTGRES=1 says otherwise (the
/// test script sets it, loudly, only when no server answers). An unreachable
/// server without that flag fails the test: absence is never silent.
pub fn postgres_skipped() -> bool {
    std::env::var("HOVOR_SKIP_POSTGRES").is_ok_and(|v| v == "1")
}

pub async fn fresh_pg_database() -> (String, PgDatabase) {
    use sqlx::Connection;
    let admin_url = pg_admin_url();
    let mut conn = sqlx::PgConnection::connect(&admin_url)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "PostgreSQL is not reachable at {admin_url}: {e}. Start it, or run with \
             HOVOR_SKIP_POSTGRES=1 to skip the PostgreSQL pass knowingly."
            )
        });
    let name = hovor_store::new_id("hovor_test");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .unwrap_or(&admin_url);
    (format!("{base}/{name}"), PgDatabase { admin_url, name })
}

/// The shipped configuration, except that webhooks and dial URLs may reach
/// the tests' receivers on loopback (security.rs checks the shipped rule).
pub fn test_config() -> Config {
    Config {
        allow_private_targets: true,
        ..Config::default()
    }
}

impl TestApp {
    /// `None` only when the PostgreSQL pass is knowingly skipped.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, test_config()).await
    }

    pub async fn spawn_with(backend: Backend, config: Config) -> Option<TestApp> {
        let (store, dir, pg, database): (Arc<dyn Store>, _, _, _) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let store = hovor_store::open(None, dir.path())
                    .await
                    .expect("open sqlite");
                let path = dir.path().to_path_buf();
                (store, Some(dir), None, (None, path))
            }
            Backend::Postgres => {
                if postgres_skipped() {
                    eprintln!("SKIPPED: PostgreSQL pass disabled by HOVOR_SKIP_POSTGRES=1");
                    return None;
                }
                let (url, db) = fresh_pg_database().await;
                let store = hovor_store::open(Some(&url), std::path::Path::new("."))
                    .await
                    .expect("open postgres");
                (
                    store,
                    None,
                    Some(db),
                    (Some(url), std::path::PathBuf::from(".")),
                )
            }
        };
        let clock = Arc::new(ManualClock::new(START));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let base = format!("http://{addr}");
        let state = AppState::new(
            store,
            Config {
                public_url: base.clone(),
                ..config
            },
        )
        .with_clock(clock.clone());
        // Routing and the real-time fan-out run as on every node; the
        // clock-driven work (grace periods, offer deadlines) is driven by
        // the tests themselves.
        hovor_server::start(&state);
        // The accept loop the binary runs, with its limits.
        let app = router(state.clone());
        let limits = state.connection_limits();
        tokio::spawn(async move {
            let _ = hovor_server::serve::serve(listener, app, limits, std::future::pending()).await;
        });
        Some(TestApp {
            base,
            state,
            clock,
            _dir: dir,
            _pg: pg,
            database,
        })
    }

    /// A new server state over the same database, with nothing in memory:
    /// what a node finds after it was killed and started again.
    pub async fn restarted_state(&self) -> AppState {
        let store = hovor_store::open(self.database.0.as_deref(), &self.database.1)
            .await
            .expect("reopen the database");
        AppState::new(store, (*self.state.config).clone()).with_clock(self.clock.clone())
    }

    /// A count straight from the database, past the store (to check how
    /// something is stored, not only what it reads back as).
    pub async fn count_rows(&self, sql: &str) -> i64 {
        use sqlx::{Connection, Row};
        let row = match &self.database.0 {
            Some(url) => {
                let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
                sqlx::query(sql)
                    .fetch_one(&mut conn)
                    .await
                    .expect("count")
                    .try_get::<i64, _>(0)
            }
            None => {
                let path = self.database.1.join("hovor.sqlite");
                let url = format!("sqlite://{}", path.display());
                let mut conn = sqlx::SqliteConnection::connect(&url)
                    .await
                    .expect("connect");
                sqlx::query(sql)
                    .fetch_one(&mut conn)
                    .await
                    .expect("count")
                    .try_get::<i64, _>(0)
            }
        };
        row.expect("a count")
    }

    pub fn store(&self) -> &dyn Store {
        self.state.store.as_ref()
    }

    pub async fn company(&self, slug: &str) -> Company {
        self.store()
            .create_company(slug, &format!("Company {slug}"), START)
            .await
            .expect("company")
    }

    pub async fn user(&self, company: &Company, name: &str, role: Role) -> TestUser {
        let email = format!("{}@{}.test", name.to_lowercase(), company.slug);
        let user = self
            .store()
            .create_user(
                &NewUser {
                    company_id: company.id.clone(),
                    name: name.into(),
                    email: email.clone(),
                    role,
                    password_hash: password_hash(),
                    phone_extension: None,
                    groups: Vec::new(),
                },
                START,
            )
            .await
            .expect("user");
        TestUser { id: user.id, email }
    }

    /// Operators with this chat capacity, each logged in: their ids and
    /// their tabs, in the order named.
    pub async fn chat_operators(
        &self,
        company: &Company,
        names: &[&str],
        capacity: u32,
    ) -> (Vec<String>, Vec<Client>) {
        let mut ids = Vec::new();
        let mut tabs = Vec::new();
        for name in names {
            let u = self.user(company, name, Role::Operator).await;
            self.store()
                .assign_channels(
                    &company.id,
                    &u.id,
                    &[(hovor_core::Channel::Chat, capacity)],
                    None,
                    START,
                )
                .await
                .expect("assign chat")
                .into_unpublished();
            tabs.push(self.login(&u).await);
            ids.push(u.id);
        }
        (ids, tabs)
    }

    pub async fn pause_type(&self, company: &Company, name: &str, paid: bool) -> String {
        self.store()
            .create_pause_type(&company.id, name, paid, START)
            .await
            .expect("pause type")
            .id
    }

    pub fn anonymous(&self) -> Client {
        Client {
            base: self.base.clone(),
            http: reqwest::Client::new(),
            cookie: None,
            csrf: None,
            bearer: None,
        }
    }

    pub async fn login(&self, user: &TestUser) -> Client {
        let mut client = self.anonymous();
        let response = client
            .send(
                Method::POST,
                "/api/v1/auth/login",
                Some(serde_json::json!({"email": user.email, "password": PASSWORD})),
            )
            .await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "login of {}: {}",
            user.email,
            response.body
        );
        let cookie = response
            .set_cookie
            .expect("login sets a cookie")
            .split(';')
            .next()
            .unwrap_or_default()
            .to_owned();
        assert!(cookie.starts_with("hovor_session="));
        client.cookie = Some(cookie);
        client.csrf = response.body["csrf_token"].as_str().map(str::to_owned);
        client
    }

    pub fn with_api_key(&self, key: &str) -> Client {
        Client {
            bearer: Some(key.to_owned()),
            ..self.anonymous()
        }
    }

    pub async fn api_key(&self, company: &Company) -> String {
        let key = hovor_server::auth::new_api_key();
        self.store()
            .create_api_key(
                &company.id,
                "test",
                &hovor_server::auth::digest(&key),
                &[],
                START,
            )
            .await
            .expect("api key");
        key
    }

    /// A client (widget) connection, authenticated by its token, which it
    /// offers as a subprotocol as the widget does (not in the URL).
    pub async fn client_ws(&self, token: &str, last_seq: Option<i64>) -> Ws {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut url = format!("{}/api/v1/ws", self.base.replace("http", "ws"));
        if let Some(seq) = last_seq {
            url.push_str(&format!("?last_seq={seq}"));
        }
        let mut request = url.into_client_request().expect("ws request");
        request.headers_mut().insert(
            "sec-websocket-protocol",
            format!("hovor, hovor.client-token.{token}")
                .parse()
                .expect("protocol header"),
        );
        let (socket, response) = tokio_tungstenite::connect_async(request)
            .await
            .expect("client ws connect");
        assert_eq!(
            response
                .headers()
                .get("sec-websocket-protocol")
                .and_then(|v| v.to_str().ok()),
            Some("hovor"),
            "the server picks the plain protocol, never echoes the token"
        );
        let (mut ws, hello) = Ws::greeted(socket).await;
        ws.hello_state = hello;
        ws
    }

    /// Starts a chat as a client would; returns (session id, client token).
    pub async fn start_chat(&self, company: &str, name: &str) -> (String, String) {
        self.start_session(serde_json::json!({"company": company, "channel": "chat", "name": name}))
            .await
    }

    /// Starts a client session with this body (`company` and `channel`
    /// included); returns (session id, client token).
    pub async fn start_session(&self, body: serde_json::Value) -> (String, String) {
        let r = self.anonymous().post("/api/v1/client/sessions", body).await;
        assert_eq!(r.status, StatusCode::CREATED, "start a session: {}", r.body);
        (
            r.body["session"]["id"]
                .as_str()
                .expect("session id")
                .to_owned(),
            r.body["client_token"].as_str().expect("token").to_owned(),
        )
    }

    /// Runs the offer-deadline check once, as the background tick would.
    pub async fn expire_offers(&self) -> usize {
        hovor_server::services::routing::expire_offers(&self.state)
            .await
            .expect("expire offers")
    }

    /// Ends the sessions of clients who left, once, as the background task
    /// would.
    pub async fn reap_clients(&self) -> usize {
        hovor_server::services::client_presence::abandon_gone_clients(&self.state)
            .await
            .expect("clients who left")
    }

    /// Runs the presence reaper once, as the background task would.
    pub async fn reap(&self) -> usize {
        hovor_server::services::presence::expire_grace_periods(&self.state)
            .await
            .expect("reaper")
    }
}

pub struct TestUser {
    pub id: String,
    pub email: String,
}

/// A chat's first exchange: the client asks, `operator` takes the session
/// and answers.
pub async fn ask_and_answer(
    id: &str,
    client: &Client,
    operator: &Client,
    question: &str,
    answer: &str,
) {
    let r = client
        .post(
            &format!("/api/v1/client/sessions/{id}/messages"),
            serde_json::json!({"text": question}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "the question: {}", r.body);
    let r = operator
        .post(
            &format!("/api/v1/sessions/{id}/accept"),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "taking the session: {}", r.body);
    let r = operator
        .post(
            &format!("/api/v1/sessions/{id}/messages"),
            serde_json::json!({"text": answer}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "the answer: {}", r.body);
}

/// Waits until a condition on the server holds (the server reacts to socket
/// closes asynchronously).
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("timed out waiting for: {what}");
}

/// Runs a scenario once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_stores {
    // Each scenario on a server made with `super::$config()`.
    (with $config:ident: $($name:ident),+ $(,)?) => {$(
        mod $name {
            use $crate::harness::{Backend, TestApp};
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(app) = TestApp::spawn_with(Backend::Sqlite, super::$config()).await {
                    super::$name(app).await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = TestApp::spawn_with(Backend::Postgres, super::$config()).await {
                    super::$name(app).await;
                }
            }
        }
    )+};
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            use $crate::harness::{Backend, TestApp};
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(app) = TestApp::spawn(Backend::Sqlite).await {
                    super::$name(app).await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = TestApp::spawn(Backend::Postgres).await {
                    super::$name(app).await;
                }
            }
        }
    )+};
}
