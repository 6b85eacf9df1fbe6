//! The real-time endpoint `/api/v1/ws`.
//!
//! Protocol (see docs/realtime.md): the server sends `hello` with the head of
//! the user's stream, replays every stored event after the client's
//! `last_seq`, then pushes new ones as the bus hints at them. Events are read
//! from the store, never from the hint, so a lost hint loses nothing.
//! Both sides ping; a connection that stays silent past the idle timeout, or
//! whose bounded send queue overflows, is closed and the client resumes.

use std::time::Instant;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{header, HeaderMap, Method};
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use hovor_core::Command;
use hovor_store::{Session, User};
use serde::Deserialize;
use tokio::sync::mpsc;

use crate::error::{ApiError, ApiResult};
use crate::extract::{client_session, Actor, ApiQuery, ClientSession};
use crate::frames::{
    ClientFrame, ClientHello, EventFrame, Hello, OperatorHello, QueuePlaceFrame, ServerFrame,
};
use crate::hub::{Subscription, Topic, LOGGED_OUT, QUEUE, STREAM};
use crate::services::status::change_state;
use crate::AppState;

const REPLAY_BATCH: i64 = 500;

#[derive(Deserialize)]
pub struct WsQuery {
    last_seq: Option<i64>,
    /// A client (widget) connects with its token instead of a cookie.
    client_token: Option<String>,
}

/// Who is on the other end.
#[derive(Clone)]
enum Peer {
    Operator(User),
    Client(Box<Session>),
}

impl Peer {
    fn stream(&self) -> &str {
        match self {
            Peer::Operator(user) => &user.id,
            Peer::Client(session) => &session.id,
        }
    }

    fn company_id(&self) -> &str {
        match self {
            Peer::Operator(user) => &user.company_id,
            Peer::Client(session) => &session.company_id,
        }
    }

    /// What the connection listens to: its stream, and its company's queue
    /// (a client's place, an operator's queue).
    fn topics(&self) -> Vec<Topic> {
        vec![
            Topic::Stream(self.stream().to_owned()),
            Topic::Queue(self.company_id().to_owned()),
        ]
    }
}

/// Upgrades to the real-time WebSocket (protocol: docs/realtime.md).
#[utoipa::path(get, path = "/api/v1/ws", operation_id = "openWebSocket", tag = "Real time", params(("last_seq" = Option<i64>, Query, description = "Resume after this sequence number")),
    responses((status = 101, description = "Switching to WebSocket"), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
pub async fn upgrade(
    State(app): State<AppState>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<WsQuery>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> ApiResult<Response> {
    // Who it is first (401 before anything else), then the upgrade itself.
    let not_a_websocket = |e: WebSocketUpgradeRejection| {
        ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "not_a_websocket",
            e.body_text(),
        )
    };
    if let Some(token) = &query.client_token {
        // Widgets run on the company's own website: any origin.
        let ClientSession(session) = client_session(&app, token).await?;
        let ws = sized(ws.map_err(not_a_websocket)?);
        let peer = Peer::Client(Box::new(session));
        return Ok(ws.on_upgrade(move |socket| tracked(app, peer, query.last_seq, socket)));
    }
    let actor = Actor::authenticate(&headers, &Method::GET, &app).await?;
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
    let ws = sized(ws.map_err(not_a_websocket)?);
    let peer = Peer::Operator(user);
    Ok(ws.on_upgrade(move |socket| tracked(app, peer, query.last_seq, socket)))
}

/// Chat-sized buffers and limits. The library's defaults (128 KiB read and
/// write buffers, 64 MiB messages) are made for bulk transfer: with them an
/// idle socket costs over 100 KB of server memory, and every read zeroes a
/// 128 KiB buffer. Frames from a peer are small (pings, and messages of at
/// most 4,000 characters), so anything over 64 KiB is refused.
fn sized(ws: WebSocketUpgrade) -> WebSocketUpgrade {
    ws.read_buffer_size(4 * 1024)
        .write_buffer_size(4 * 1024)
        .max_write_buffer_size(1024 * 1024)
        .max_message_size(64 * 1024)
        .max_frame_size(64 * 1024)
}

/// A connection is part of the node's work: shutting down closes it (the
/// client resumes elsewhere or later) and waits for it to record the
/// disconnect.
async fn tracked(app: AppState, peer: Peer, last_seq: Option<i64>, socket: WebSocket) {
    let workers = app.workers.clone();
    workers.track(run(app, peer, last_seq, socket)).await;
}

async fn run(app: AppState, peer: Peer, last_seq: Option<i64>, socket: WebSocket) {
    // Subscribe before reading the stream head, so nothing falls in between.
    let subscription = app.hub.subscribe(peer.topics());
    if let Peer::Operator(user) = &peer {
        if let Err(e) = change_state(&app, &user.company_id, &user.id, Command::Connect).await {
            tracing::warn!("connect {}: {}", user.id, e.message);
        }
    }
    let shutdown = app.workers.shutdown_signal();
    let served = tokio::select! {
        served = serve_connection(&app, &peer, last_seq, socket, &subscription) => served,
        () = shutdown.cancelled() => Ok(()),
    };
    if let Err(e) = served {
        tracing::debug!("connection of {} ended: {e:#}", peer.stream());
    }
    if let Peer::Operator(user) = &peer {
        if let Err(e) = change_state(&app, &user.company_id, &user.id, Command::Disconnect).await {
            tracing::warn!("disconnect {}: {}", user.id, e.message);
        }
    }
}

/// The first message: where the stream stands, and the peer's own state.
async fn hello(app: &AppState, peer: &Peer, head: i64) -> Result<ServerFrame, Ended> {
    Ok(ServerFrame::Hello(Box::new(match peer {
        Peer::Operator(user) => {
            // The operator's own state as it is now, this connection included.
            let state = app
                .store
                .operator_state(&user.company_id, &user.id)
                .await?
                .map(|v| v.json());
            Hello::Operator(OperatorHello {
                last_seq: head,
                state,
            })
        }
        Peer::Client(session) => {
            let session = app
                .store
                .session(&session.company_id, &session.id)
                .await?
                .unwrap_or_else(|| (**session).clone());
            let place = app.store.queue_place(&session).await?;
            Hello::Client(ClientHello {
                last_seq: head,
                session,
                queue_position: place.position,
                estimated_wait_s: place.estimated_wait_s,
            })
        }
    })))
}

/// What a queue change means for this connection: a waiting client's new
/// place (derived state, read from the places computed once for the whole
/// company), or the workspace's cue to refetch its queue.
fn queue_frame(app: &AppState, peer: &Peer) -> Option<ServerFrame> {
    match peer {
        Peer::Client(session) => app
            .queue_places
            .place_of(&session.company_id, &session.id)
            .map(|place| {
                ServerFrame::Queue(QueuePlaceFrame {
                    queue_position: place.position,
                    estimated_wait_s: place.estimated_wait_s,
                })
            }),
        Peer::Operator(_) => Some(ServerFrame::QueueChanged),
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
    fn push(&mut self, frame: ServerFrame) -> Result<(), Ended> {
        self.queue
            .try_send(Message::Text(Utf8Bytes::from(frame.to_text())))
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
                let seq = e.seq;
                self.push(ServerFrame::Event(EventFrame::of(e)))?;
                self.sent = seq;
            }
            if !full {
                return Ok(());
            }
        }
    }
}

async fn serve_connection(
    app: &AppState,
    peer: &Peer,
    last_seq: Option<i64>,
    socket: WebSocket,
    subscription: &Subscription,
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
        let stream = peer.stream();
        let head = app.store.last_seq(stream).await?;
        let mut out = Outbox {
            queue,
            sent: last_seq.map_or(head, |s| s.clamp(0, head)),
        };
        out.push(hello(app, peer, head).await?)?;
        out.catch_up(app, stream).await?;

        let mut ping = tokio::time::interval(app.config.heartbeat);
        ping.tick().await;
        let mut last_heard = Instant::now();
        loop {
            tokio::select! {
                bits = subscription.next() => {
                    // The stream first: a logout's own state change comes
                    // before the logout.
                    if bits & STREAM != 0 {
                        out.catch_up(app, stream).await?;
                    }
                    if bits & LOGGED_OUT != 0 {
                        out.push(ServerFrame::LoggedOut)?;
                        return Ok(());
                    }
                    if bits & QUEUE != 0 {
                        if let Some(frame) = queue_frame(app, peer) {
                            out.push(frame)?;
                        }
                    }
                }
                _ = ping.tick() => {
                    if last_heard.elapsed() > app.config.idle_timeout {
                        return Err(Ended::Idle);
                    }
                    out.push(ServerFrame::Ping)?;
                    out.push_raw(Message::Ping(Default::default()))?;
                }
                message = incoming.next() => match message {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return Ok(()),
                    Some(Ok(Message::Text(text))) => {
                        last_heard = Instant::now();
                        if let Ok(ClientFrame::Ping) = serde_json::from_str(text.as_str()) {
                            out.push(ServerFrame::Pong)?;
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
