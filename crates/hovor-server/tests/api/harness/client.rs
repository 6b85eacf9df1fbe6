//! An HTTP client as a logged-in browser, an API key or a widget is: a
//! cookie and CSRF header, or a bearer token; and its WebSocket.

use reqwest::{Method, StatusCode};
use serde_json::Value;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use super::Ws;

pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    pub set_cookie: Option<String>,
}

#[derive(Clone)]
pub struct Client {
    pub base: String,
    pub(crate) http: reqwest::Client,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
    pub bearer: Option<String>,
}

impl Client {
    /// The same client with a bearer token (a client token or an API key).
    pub fn bearer(&self, token: &str) -> Client {
        Client {
            bearer: Some(token.to_owned()),
            ..self.clone()
        }
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        if let Some(csrf) = &self.csrf {
            request = request.header("x-csrf-token", csrf);
        }
        if let Some(key) = &self.bearer {
            request = request.bearer_auth(key);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        read(response).await
    }

    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        body: &'static str,
    ) -> Reply {
        self.with_body(method, path, content_type, body).await
    }

    /// A request with raw bytes (an upload).
    pub async fn upload(&self, path: &str, bytes: Vec<u8>) -> Reply {
        self.with_body(Method::POST, path, "application/octet-stream", bytes)
            .await
    }

    /// A request with a body as it is, as the browser sends it (cookie and
    /// CSRF header).
    async fn with_body(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Reply {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("content-type", content_type)
            .body(body);
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        if let Some(csrf) = &self.csrf {
            request = request.header("x-csrf-token", csrf);
        }
        if let Some(key) = &self.bearer {
            request = request.bearer_auth(key);
        }
        read(request.send().await.expect("request")).await
    }

    /// A GET whose answer is bytes: its status, headers and body.
    pub async fn download(&self, path: &str) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
        let mut request = self.http.get(format!("{}{path}", self.base));
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        if let Some(key) = &self.bearer {
            request = request.bearer_auth(key);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.expect("a body").to_vec();
        (status, headers, body)
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.send(Method::PUT, path, Some(body)).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(Method::POST, path, Some(body)).await
    }

    /// Sets the status through the API and checks it was accepted.
    pub async fn set_status(&self, operator_id: &str, status: &str, pause: Option<&str>) -> Value {
        let r = self
            .put(
                &format!("/api/v1/operators/{operator_id}/state"),
                serde_json::json!({"status": status, "pause_type_id": pause}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "set status: {}", r.body);
        r.body
    }

    pub async fn state_of(&self, operator_id: &str) -> Value {
        let r = self
            .get(&format!("/api/v1/operators/{operator_id}/state"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.body
    }

    pub async fn ws(&self, last_seq: Option<i64>) -> Ws {
        match last_seq {
            Some(seq) => self.ws_query(&format!("last_seq={seq}")).await,
            None => self.ws_query("").await,
        }
    }

    /// The workspace's socket with this query (`last_seq=…&topics=…`).
    pub async fn ws_query(&self, query: &str) -> Ws {
        let base = format!("{}/api/v1/ws", self.base.replace("http", "ws"));
        let url = if query.is_empty() {
            base
        } else {
            format!("{base}?{query}")
        };
        let mut request = url.into_client_request().expect("ws request");
        if let Some(cookie) = &self.cookie {
            request
                .headers_mut()
                .insert("cookie", cookie.parse().expect("cookie header"));
        }
        let (socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("ws connect");
        let (mut ws, hello) = Ws::greeted(socket).await;
        ws.hello_state = hello["state"].clone();
        ws
    }
}

async fn read(response: reqwest::Response) -> Reply {
    let status = response.status();
    let set_cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = response.text().await.expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    Reply {
        status,
        body,
        set_cookie,
    }
}
