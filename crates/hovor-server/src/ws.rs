//! The real-time endpoint `/api/v1/ws`.
//!
//! Protocol (see docs/realtime.md): the server sends `hello` with the head of
//! the user's stream, replays every stored event after the client's
//! `last_seq`, then pushes new ones as the bus hints at them. Events are read
//! from the store, never from the hint, so a lost hint loses nothing.
//! Both sides ping; a connection that stays silent past the idle timeout, or
//! whose bounded send queue overflows, is closed and the client resumes.

use std::time::Instant;

use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use hovor_core::Command;
use hovor_store::User;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::{broadcast, mpsc};

use crate::bus::Hint;
use crate::error::{ApiError, ApiResult};
use crate::extract::Actor;
use crate::status::change_state;
use crate::AppState;

const REPLAY_BATCH: i64 = 500;

#[derive(Deserialize)]
pub struct WsQuery {
    last_seq: Option<i64>,
}

/// Upgrades to the real-time WebSocket (protocol: docs/realtime.md).
#[utoipa::path(get, path = "/api/v1/ws", tag = "Real time", params(("last_seq" = Option<i64>, Query, description = "Resume after this sequence number")),
    responses((status = 101, description = "Switching to WebSocket"), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
pub async fn upgrade(
    State(app): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    Query(query): Query<WsQuery>,
    ws: WebSocketUpgrade,
) -> ApiResult<Response> {
    let Some(user) = actor.user().cloned() else {
        return Err(ApiError::forbidden(
            "the real-time endpoint is for logged-in users",
        ));
    };
    // A cookie travels with cross-site WebSocket requests too: only our own
    // pages may open one.
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or(origin);
        if origin_host != host {
            return Err(ApiError::forbidden(
                "WebSocket connections from other sites are refused",
            ));
        }
    }
    Ok(ws.on_upgrade(move |socket| run(app, user, query.last_seq, socket)))
}

async fn run(app: AppState, user: User, last_seq: Option<i64>, socket: WebSocket) {
    // Subscribe before reading the stream head, so nothing falls in between.
    let hints = app.bus.subscribe();
    if let Err(e) = change_state(&app, &user.company_id, &user.id, Command::Connect).await {
        tracing::warn!("connect {}: {}", user.id, e.message);
    }
    if let Err(e) = serve_connection(&app, &user, last_seq, socket, hints).await {
        tracing::debug!("connection of {} ended: {e:#}", user.id);
    }
    if let Err(e) = change_state(&app, &user.company_id, &user.id, Command::Disconnect).await {
        tracing::warn!("disconnect {}: {}", user.id, e.message);
    }
}

/// Why the loop stopped, when it was not the client leaving.
#[derive(Debug, thiserror::Error)]
enum Ended {
    #[error("send queue full (slow consumer)")]
    SlowConsumer,
    #[error("silent for too long")]
    Idle,
    #[error("store: {0}")]
    Store(#[from] hovor_store::StoreError),
}

struct Outbox {
    queue: mpsc::Sender<Message>,
    /// The highest seq queued for this client.
    sent: i64,
}

impl Outbox {
    fn push(&mut self, value: Value) -> Result<(), Ended> {
        self.queue
            .try_send(Message::Text(Utf8Bytes::from(value.to_string())))
            .map_err(|_| Ended::SlowConsumer)
    }

    fn push_raw(&mut self, message: Message) -> Result<(), Ended> {
        self.queue
            .try_send(message)
            .map_err(|_| Ended::SlowConsumer)
    }

    /// Queues every stored event after `sent`, in order.
    async fn catch_up(&mut self, app: &AppState, stream: &str) -> Result<(), Ended> {
        loop {
            let events = app
                .store
                .events_after(stream, self.sent, REPLAY_BATCH)
                .await?;
            let full = events.len() as i64 == REPLAY_BATCH;
            for e in events {
                let data: Value = serde_json::from_str(&e.payload).unwrap_or(Value::Null);
                self.push(json!({ "type": "event", "seq": e.seq, "event": e.kind, "data": data }))?;
                self.sent = e.seq;
            }
            if !full {
                return Ok(());
            }
        }
    }
}

async fn serve_connection(
    app: &AppState,
    user: &User,
    last_seq: Option<i64>,
    socket: WebSocket,
    mut hints: broadcast::Receiver<Hint>,
) -> Result<(), Ended> {
    let (mut sink, mut incoming) = socket.split();
    let (queue, mut outgoing) = mpsc::channel::<Message>(app.config.send_queue);
    let writer = tokio::spawn(async move {
        while let Some(message) = outgoing.recv().await {
            if sink.send(message).await.is_err() {
                return;
            }
        }
        let _ = sink.close().await;
    });

    let result = async {
        let head = app.store.last_seq(&user.id).await?;
        let mut out = Outbox {
            queue,
            sent: last_seq.map_or(head, |s| s.clamp(0, head)),
        };
        // The hello carries the user's own state as it is now, this
        // connection included, so a client needs no extra request.
        let state = app
            .store
            .operator_state(&user.company_id, &user.id)
            .await?
            .map(|v| v.json());
        out.push(json!({ "type": "hello", "last_seq": head, "state": state }))?;
        out.catch_up(app, &user.id).await?;

        let mut ping = tokio::time::interval(app.config.heartbeat);
        ping.tick().await;
        let mut last_heard = Instant::now();
        loop {
            tokio::select! {
                hint = hints.recv() => match hint {
                    Ok(Hint::Stream { stream, seq }) if stream == user.id && seq > out.sent => {
                        out.catch_up(app, &user.id).await?;
                    }
                    Ok(Hint::LoggedOut { user_id }) if user_id == user.id => {
                        out.push(json!({ "type": "logged_out" }))?;
                        return Ok(());
                    }
                    Ok(_) => {}
                    // Missed hints: the store has the truth.
                    Err(broadcast::error::RecvError::Lagged(_)) => out.catch_up(app, &user.id).await?,
                    Err(broadcast::error::RecvError::Closed) => return Ok(()),
                },
                _ = ping.tick() => {
                    if last_heard.elapsed() > app.config.idle_timeout {
                        return Err(Ended::Idle);
                    }
                    out.push(json!({ "type": "ping" }))?;
                    out.push_raw(Message::Ping(Default::default()))?;
                }
                message = incoming.next() => match message {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return Ok(()),
                    Some(Ok(Message::Text(text))) => {
                        last_heard = Instant::now();
                        let kind = serde_json::from_str::<Value>(text.as_str())
                            .ok()
                            .and_then(|v| v.get("type").and_then(Value::as_str).map(str::to_owned));
                        if kind.as_deref() == Some("ping") {
                            out.push(json!({ "type": "pong" }))?;
                        }
                    }
                    Some(Ok(_)) => last_heard = Instant::now(),
                },
            }
        }
    }
    .await;
    // Dropping the queue lets the writer flush what is queued and close.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), writer).await;
    result
}
