//! A WebSocket client as the workspace and the widget are: reads frames,
//! skips pings, waits for a kind, or asserts silence.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;

pub struct Ws {
    socket: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    /// The stream head the server announced in `hello`.
    pub head: i64,
    /// The user's own state as `hello` reported it.
    pub hello_state: Value,
    /// The whole `hello`.
    pub hello_raw: Value,
}

impl Ws {
    /// A connected socket, once the server's `hello` has arrived.
    pub async fn greeted(
        socket: tokio_tungstenite::WebSocketStream<
            tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
        >,
    ) -> (Ws, Value) {
        let mut ws = Ws {
            socket,
            head: 0,
            hello_state: Value::Null,
            hello_raw: Value::Null,
        };
        let hello = ws.next_message().await;
        assert_eq!(hello["type"], "hello", "first message is hello: {hello}");
        ws.head = hello["last_seq"].as_i64().expect("hello.last_seq");
        ws.hello_raw = hello.clone();
        (ws, hello)
    }

    pub async fn next_message(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(Duration::from_secs(10), self.socket.next())
                .await
                .expect("a message within 10 s")
                .expect("socket open")
                .expect("socket ok");
            match message {
                Message::Text(text) => return serde_json::from_str(text.as_str()).expect("json"),
                Message::Close(_) => return serde_json::json!({"type": "closed"}),
                _ => continue,
            }
        }
    }

    /// The next JSON frame within `wait`; `Ok(None)` when the socket closed
    /// or failed (a killed server), `Err` when nothing came in time.
    pub async fn try_next_message(&mut self, wait: Duration) -> Result<Option<Value>, ()> {
        loop {
            match tokio::time::timeout(wait, self.socket.next()).await {
                Err(_) => return Err(()),
                Ok(None) | Ok(Some(Err(_))) | Ok(Some(Ok(Message::Close(_)))) => return Ok(None),
                Ok(Some(Ok(Message::Text(text)))) => {
                    return Ok(serde_json::from_str(text.as_str()).ok())
                }
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    /// The next event (pings skipped).
    pub async fn next_event(&mut self) -> Value {
        loop {
            let m = self.next_message().await;
            if m["type"] != "ping" && m["type"] != "pong" {
                return m;
            }
        }
    }

    /// The next event of this kind (others skipped).
    pub async fn next_of(&mut self, kind: &str) -> Value {
        loop {
            let m = self.next_event().await;
            if m["event"] == kind || m["type"] == kind {
                return m;
            }
        }
    }

    /// The next event of this kind within `wait` (for work that takes long,
    /// such as reading a mailbox of large e-mails on a loaded machine).
    pub async fn next_of_within(&mut self, kind: &str, wait: Duration) -> Value {
        let found = tokio::time::timeout(wait, async {
            loop {
                match self.try_next_message(wait).await {
                    Ok(Some(m)) if m["event"] == kind || m["type"] == kind => return Some(m),
                    Ok(Some(_)) => continue,
                    Ok(None) | Err(()) => return None,
                }
            }
        })
        .await;
        match found {
            Ok(Some(m)) => m,
            _ => panic!("no {kind} within {wait:?}"),
        }
    }

    /// Asserts that no event of this kind arrives for a while.
    pub async fn expect_silence_of(&mut self, kind: &str, ms: u64) {
        let wait = tokio::time::timeout(Duration::from_millis(ms), async {
            loop {
                match self.socket.next().await {
                    Some(Ok(Message::Text(t))) => {
                        let v: Value = serde_json::from_str(t.as_str()).unwrap_or(Value::Null);
                        if v["event"] == kind || v["type"] == kind {
                            return Some(v);
                        }
                    }
                    Some(Ok(_)) => continue,
                    _ => return None,
                }
            }
        })
        .await;
        if let Ok(Some(v)) = wait {
            panic!("expected no {kind}, got {v}");
        }
    }

    /// Asserts that nothing but pings arrives for a while.
    pub async fn expect_silence(&mut self, ms: u64) {
        let wait = tokio::time::timeout(Duration::from_millis(ms), async {
            loop {
                match self.socket.next().await {
                    Some(Ok(Message::Text(t))) if !t.as_str().contains("\"ping\"") => {
                        return Some(t.to_string())
                    }
                    Some(Ok(_)) => continue,
                    _ => return None,
                }
            }
        })
        .await;
        if let Ok(Some(text)) = wait {
            panic!("expected no event, got {text}");
        }
    }

    pub async fn send_text(&mut self, text: &str) {
        self.socket
            .send(Message::Text(text.into()))
            .await
            .expect("send");
    }

    /// Sends, and says whether the socket took it (the server may close
    /// it while a large message is still going out).
    pub async fn try_send_text(&mut self, text: &str) -> bool {
        self.socket.send(Message::Text(text.into())).await.is_ok()
    }

    pub async fn close(self) {
        self.close_with(None).await;
    }

    /// Closes with a close code, as a page going away does (4000).
    pub async fn close_with_code(self, code: u16, reason: &str) {
        use tokio_tungstenite::tungstenite::protocol::{frame::coding::CloseCode, CloseFrame};
        self.close_with(Some(CloseFrame {
            code: CloseCode::from(code),
            reason: reason.to_owned().into(),
        }))
        .await;
    }

    async fn close_with(
        mut self,
        frame: Option<tokio_tungstenite::tungstenite::protocol::CloseFrame>,
    ) {
        let _ = self.socket.close(frame).await;
        // Wait for the server to see the close.
        while let Ok(Some(_)) =
            tokio::time::timeout(Duration::from_secs(5), self.socket.next()).await
        {}
    }
}
