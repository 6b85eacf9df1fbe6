//! The real-time endpoint `/api/v1/ws`.
//!
//! Protocol (see docs/realtime.md): the server sends `hello` with the head of
//! the peer's own stream (and, for an operator, of the other streams it
//! follows: `follows.rs`), replays every stored event after the peer's
//! cursors, then pushes new ones as the hub wakes it. Events come from the
//! store, or from the hub's memory of what this node committed when it
//! holds all of them; never from a hint, so a lost hint loses nothing. Both sides
//! ping; a connection that stays silent past the idle timeout, or whose
//! bounded send queue overflows, is closed and the peer resumes.

mod follows;
mod messages;

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{header, HeaderMap, Method};
use axum::response::Response;
use futures_util::stream::{FuturesOrdered, SplitSink};
use futures_util::{SinkExt, StreamExt};
use hovor_core::call::Party;
use hovor_core::session::SessionStatus;
use hovor_store::{company_stream, Session, SessionFilter, User};
use serde::Deserialize;

use crate::error::{ApiError, ApiResult};
use crate::extract::ClientAddress;
use crate::extract::{client_session, Actor, ApiQuery, ClientSession};
use crate::frames::{
    ClientFrame, ClientHello, Hello, OperatorHello, QueuePlaceFrame, ServerFrame, TopicCursor,
    TypingFrame,
};
use crate::hub::{
    SharedEvent, Subscription, Topic, LOGGED_OUT, QUEUE, RECONNECT, SETTINGS, STREAM, TYPING,
};
use crate::rate_limit::OpenSlot;
use crate::services;
use crate::AppState;
use follows::{Cursor, Follows, Turn};

const REPLAY_BATCH: i64 = 500;
/// Messages one connection may have waiting for their commit; it reads no
/// further until an answer goes out.
const MAX_IN_FLIGHT: usize = 64;

#[derive(Deserialize)]
pub struct WsQuery {
    last_seq: Option<i64>,
    /// A client (widget) connects with its token instead of a cookie.
    client_token: Option<String>,
    /// An operator's cursors in their other streams: `stream:seq,…`.
    topics: Option<String>,
}

/// Where a connection starts: its own stream's cursor, and the others'.
struct Start {
    last_seq: Option<i64>,
    resume: Vec<(String, i64)>,
    /// The peer resumes (it gave `last_seq`); else it starts fresh.
    resumed: bool,
    /// When an operator's login session ends: the socket is closed with
    /// `logged_out` then (checked at every heartbeat).
    login_ends: Option<hovor_core::Millis>,
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

    /// The company's team stream, for supervisors and admins.
    fn company_stream(&self) -> Option<String> {
        match self {
            Peer::Operator(user) if user.role.oversees_others() => {
                Some(company_stream(&user.company_id))
            }
            _ => None,
        }
    }

    /// What the connection listens to from the start: its stream, the team
    /// stream (supervisors), and its company's queue (a client's place, an
    /// operator's queue).
    fn topics(&self) -> Vec<Topic> {
        let mut topics = vec![Topic::Stream(self.stream().to_owned())];
        match self {
            // A client hears of the queue only when its own place moves.
            Peer::Client(session) => topics.push(Topic::Place(session.id.clone())),
            Peer::Operator(_) => topics.push(Topic::Queue(self.company_id().to_owned())),
        }
        topics.extend(self.company_stream().map(Topic::Stream));
        topics
    }
}

/// Upgrades to the real-time WebSocket (protocol: docs/realtime.md).
#[utoipa::path(get, path = "/api/v1/ws", operation_id = "openWebSocket", tag = "Real time", params(("last_seq" = Option<i64>, Query, description = "Resume your own stream after this sequence number"),
        ("topics" = Option<String>, Query, description = "An operator's cursors in the other streams it follows, `stream:seq,…` (from `hello.topics` and events' `topic`)"),
        ("client_token" = Option<String>, Query, description = "A client may connect with its token here; better offered as the subprotocol `hovor.client-token.<token>` beside `hovor` (`Sec-WebSocket-Protocol`), which keeps it out of URLs that proxies log")),
    responses((status = 101, description = "Switching to WebSocket"), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
pub async fn upgrade(
    State(app): State<AppState>,
    address: ClientAddress,
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
    let resume = match query.topics.as_deref() {
        None => Vec::new(),
        Some(text) => follows::parse_resume(text).ok_or_else(|| {
            ApiError::invalid(
                "invalid_topics",
                "topics is a list of stream:seq, at most 64",
            )
        })?,
    };
    let start = Start {
        last_seq: query.last_seq,
        resume,
        resumed: query.last_seq.is_some(),
        login_ends: None,
    };
    // Held for as long as the socket is open.
    let slot = app.open_sockets.try_open(address.0).ok_or_else(|| {
        ApiError::new(
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            "too_many_connections",
            "too many real-time connections are open from your address",
        )
    })?;
    if let Some(token) = client_token_of(&headers).or(query.client_token.as_deref()) {
        // Widgets run on the company's own website: any origin.
        let ClientSession(session) = client_session(&app, token).await?;
        let ws = sized(ws.map_err(not_a_websocket)?).protocols([PROTOCOL]);
        let peer = Peer::Client(Box::new(session));
        return Ok(ws.on_upgrade(move |socket| tracked(app, peer, start, socket, slot)));
    }
    let actor = Actor::authenticate(&headers, &Method::GET, &app).await?;
    let Actor::User {
        user, expires_at, ..
    } = actor
    else {
        return Err(ApiError::forbidden(
            "the real-time endpoint is for logged-in users",
        ));
    };
    let start = Start {
        login_ends: Some(expires_at),
        ..start
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
    Ok(ws.on_upgrade(move |socket| tracked(app, peer, start, socket, slot)))
}

/// The subprotocol a widget asks for, beside the one that carries its token.
pub const PROTOCOL: &str = "hovor";
/// A client token offered as a subprotocol, `hovor.client-token.<token>`: it
/// reaches the server in a header, not in the URL (which proxies log).
const TOKEN_PROTOCOL: &str = "hovor.client-token.";

/// The client token a widget offered among its subprotocols.
fn client_token_of(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|p| p.trim().strip_prefix(TOKEN_PROTOCOL))
}

/// The largest message a peer may send. The largest frame of the protocol
/// is a chat message of 4,000 characters: at most 16,000 bytes of UTF-8, or
/// 24,000 if every character were a JSON-escaped control character. Anything
/// larger closes the connection before it is read further (a socket may
/// otherwise make the server buffer and parse megabytes).
pub const MAX_PEER_MESSAGE: usize = 32 * 1024;

/// Chat-sized buffers and limits. The library's defaults (128 KiB read and
/// write buffers, 64 MiB messages) are made for bulk transfer: with them an
/// idle socket costs over 100 KB of server memory, every read zeroes a
/// 128 KiB buffer, and anyone with a client token could make the server hold
/// 64 MiB per socket.
fn sized(ws: WebSocketUpgrade) -> WebSocketUpgrade {
    ws.read_buffer_size(1024)
        .write_buffer_size(4 * 1024)
        .max_write_buffer_size(1024 * 1024)
        .max_message_size(MAX_PEER_MESSAGE)
        .max_frame_size(MAX_PEER_MESSAGE)
}

/// A connection is part of the node's work: shutting down closes it (the
/// client resumes elsewhere or later) and waits for it to record the
/// disconnect.
async fn tracked(app: AppState, peer: Peer, start: Start, socket: WebSocket, slot: OpenSlot) {
    let workers = app.workers.clone();
    workers.track(run(app, peer, start, socket)).await;
    drop(slot);
}

async fn run(app: AppState, peer: Peer, start: Start, socket: WebSocket) {
    let kind = match &peer {
        Peer::Operator(_) => "operator",
        Peer::Client(_) => "client",
    };
    let _counted = crate::metrics::ConnectionGauge::open(&app.metrics, kind);
    // Subscribe before reading where the streams stand, so nothing falls in
    // between.
    let subscription = app.hub.subscribe(peer.topics());
    let mut start = start;
    if let Peer::Operator(user) = &peer {
        // A fresh connection starts after its own connect: what follows it
        // (an offer its coming online brought) is sent, the connect itself
        // is the hello's state. Read before connecting, in case it changes
        // nothing visible (a second tab).
        let before = Box::pin(app.store.last_seq(&user.id)).await.ok();
        match Box::pin(services::status::connect(&app, user)).await {
            Ok(own) if !start.resumed => start.last_seq = own.or(before),
            Ok(_) => {}
            Err(e) => tracing::warn!("connect {}: {}", user.id, e.message),
        }
    }
    if let Peer::Client(session) = &peer {
        let connected = app
            .store
            .client_connected(&session.id, &app.node_id, app.now());
        if let Err(e) = connected.await {
            tracing::warn!("client of {} connected: {e}", session.id);
        }
    }
    let served = serve_connection(&app, &peer, start, socket, &subscription).await;
    let left = match served {
        Ok(left) => left,
        Err(e) => {
            tracing::debug!("connection of {} ended: {e:#}", peer.stream());
            PeerLeft::Quietly
        }
    };
    match &peer {
        Peer::Operator(user) => {
            let disconnect = services::status::disconnect(&app, user);
            if let Err(e) = Box::pin(disconnect).await {
                tracing::warn!("disconnect {}: {}", user.id, e.message);
            }
        }
        Peer::Client(session) => {
            let leaving = left == PeerLeft::Leaving;
            let gone = app
                .store
                .client_disconnected(&session.id, &app.node_id, leaving, app.now());
            if let Err(e) = gone.await {
                tracing::warn!("client of {} disconnected: {e}", session.id);
            }
        }
    }
}

/// The streams a connection follows from the start, each from the peer's
/// cursor if it gave one (and it is not ahead of the stream), else from its
/// head: a client its session's; an operator their own, the team stream
/// (supervisors) and the sessions they hold.
async fn follows_at_start(
    app: &AppState,
    peer: &Peer,
    start: &Start,
    subscription: &Subscription,
) -> Result<(Follows, Vec<i64>), Ended> {
    let mut streams = vec![peer.stream().to_owned()];
    if let Peer::Operator(user) = peer {
        streams.extend(peer.company_stream());
        let filter = SessionFilter {
            status: Some(SessionStatus::Active),
            operator_id: Some(user.id.clone()),
            ..SessionFilter::default()
        };
        for session in app.store.sessions(&user.company_id, &filter, 500).await? {
            subscription.add(Topic::Stream(session.id.clone()));
            streams.push(session.id);
        }
    }
    let mut cursors = Vec::with_capacity(streams.len());
    let mut heads = Vec::with_capacity(streams.len());
    for (n, stream) in streams.into_iter().enumerate() {
        let head = app.store.last_seq(&stream).await?;
        let asked = if n == 0 {
            start.last_seq
        } else {
            start
                .resume
                .iter()
                .find(|(s, _)| *s == stream)
                .map(|(_, seq)| *seq)
        };
        let sent = asked.map_or(head, |s| s.clamp(0, head));
        // A held session without the peer's cursor while it resumes its own
        // stream: the replay may show it was taken meanwhile (follows.rs).
        let provisional = n > 0 && asked.is_none() && start.resumed;
        heads.push(head);
        cursors.push(Cursor {
            stream,
            sent,
            provisional,
        });
    }
    let follows = Follows {
        cursors,
        operator: match peer {
            Peer::Operator(user) => Some(user.id.clone()),
            Peer::Client(_) => None,
        },
        company_stream: peer.company_stream(),
    };
    Ok((follows, heads))
}

/// The first message: where the streams stand (their heads; after it come
/// the events the peer missed, then live ones), and the peer's own state. A
/// fresh connection's own stream is given where it starts instead: after
/// its own connect, so what that brought (an offer) follows the hello.
async fn hello(
    app: &AppState,
    peer: &Peer,
    follows: &Follows,
    heads: &[i64],
    resumed: bool,
) -> Result<ServerFrame, Ended> {
    let head = if resumed {
        heads[0]
    } else {
        follows.cursors[0].sent
    };
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
                topics: follows.cursors[1..]
                    .iter()
                    .zip(&heads[1..])
                    .map(|(c, head)| TopicCursor {
                        topic: c.stream.clone(),
                        last_seq: *head,
                    })
                    .collect(),
            })
        }
        Peer::Client(session) => {
            let session = app
                .store
                .session(&session.company_id, &session.id)
                .await?
                .unwrap_or_else(|| (**session).clone());
            let place = app.store.queue_place(&session, app.now()).await?;
            let operator_name = services::sessions::holder_name(app, &session).await?;
            let terms = services::client_terms::of(app, &session.company_id).await?;
            Hello::Client(Box::new(ClientHello {
                last_seq: head,
                session,
                queue_position: place.position,
                estimated_wait_s: place.estimated_wait_s,
                operator_name,
                ratings: terms.ratings,
                files: terms.files,
                transcript_by_email: terms.transcript_by_email,
            }))
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

/// One side says it is typing: told to the conversation's connections on
/// every node, at most every 2 seconds per side, never stored. A client
/// types in its own session; an operator in one they hold (whose stream
/// this connection follows). Anything else is ignored.
fn typing_in(app: &AppState, peer: &Peer, follows: &Follows, session_id: Option<&str>) {
    let (session_id, from) = match peer {
        Peer::Client(session) => {
            if session_id.is_some_and(|id| id != session.id) {
                return;
            }
            (session.id.as_str(), Party::Client)
        }
        Peer::Operator(user) => {
            let Some(id) = session_id else { return };
            let held = id != user.id
                && follows.company_stream.as_deref() != Some(id)
                && follows.sent(id).is_some();
            if !held {
                return;
            }
            (id, Party::Operator)
        }
    };
    if !app
        .typing
        .try_take(&format!("{session_id}:{}", from.as_str()))
    {
        return;
    }
    app.bus.publish(crate::bus::Hint::Typing {
        session_id: session_id.to_owned(),
        from,
    });
}

/// The close code a widget's page sends as it goes away (`pagehide`): its
/// client has a short while to come back (a reload, the next page of the
/// site) before leaving the queue.
const LEAVING_CLOSE_CODE: u16 = 4000;

/// How the peer ended the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PeerLeft {
    Quietly,
    /// Closed with [`LEAVING_CLOSE_CODE`].
    Leaving,
}

/// Why the loop stopped, when it was not the client leaving.
#[derive(Debug, thiserror::Error)]
enum Ended {
    #[error("send queue full (slow consumer)")]
    SlowConsumer,
    #[error("silent for too long")]
    Idle,
    #[error("the node lost its lease: reconnect")]
    Reconnect,
    #[error("the peer is gone")]
    Gone,
    #[error("store: {0}")]
    Store(#[from] hovor_store::StoreError),
}

/// The way to the peer, and what waits to go there: at most `limit`
/// frames. The connection's own loop writes them (no second task per
/// connection).
struct Outbox {
    sink: SplitSink<WebSocket, Message>,
    queue: VecDeque<Message>,
    limit: usize,
    /// Frames were handed to the socket and not yet flushed.
    unflushed: bool,
}

/// How long a replay waits for a peer that does not read.
const REPLAY_WRITE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

impl Outbox {
    fn new(sink: SplitSink<WebSocket, Message>, limit: usize) -> Outbox {
        Outbox {
            sink,
            queue: VecDeque::new(),
            limit,
            unflushed: false,
        }
    }

    /// During a replay: writes what is queued once the queue is full, so a
    /// long backlog streams out instead of counting as a slow consumer.
    async fn make_room(&mut self) -> Result<(), Ended> {
        if self.queue.len() < self.limit {
            return Ok(());
        }
        match tokio::time::timeout(REPLAY_WRITE_TIMEOUT, self.write()).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(Ended::Gone),
            Err(_) => Err(Ended::SlowConsumer),
        }
    }

    fn push(&mut self, frame: ServerFrame) -> Result<(), Ended> {
        self.push_raw(Message::Text(Utf8Bytes::from(frame.to_text())))
    }

    fn push_raw(&mut self, message: Message) -> Result<(), Ended> {
        if self.queue.len() >= self.limit {
            return Err(Ended::SlowConsumer);
        }
        self.queue.push_back(message);
        Ok(())
    }

    fn has_work(&self) -> bool {
        !self.queue.is_empty() || self.unflushed
    }

    /// Hands the queued frames to the socket and flushes it. Safe to cancel
    /// at any await: a frame leaves the queue only once the socket took it.
    async fn write(&mut self) -> Result<(), axum::Error> {
        let Outbox {
            sink,
            queue,
            unflushed,
            ..
        } = self;
        std::future::poll_fn(|cx| {
            while !queue.is_empty() {
                std::task::ready!(sink.poll_ready_unpin(cx))?;
                if let Some(message) = queue.pop_front() {
                    sink.start_send_unpin(message)?;
                    *unflushed = true;
                }
            }
            std::task::ready!(sink.poll_flush_unpin(cx))?;
            *unflushed = false;
            std::task::Poll::Ready(Ok(()))
        })
        .await
    }
}

/// Sends every stored event of `stream` after its cursor, in order, and
/// follows what they say: a session taken is joined (and caught up in
/// turn), a session no longer held is left after its last event.
async fn catch_up(
    app: &AppState,
    out: &mut Outbox,
    follows: &mut Follows,
    subscription: &Subscription,
    stream: &str,
) -> Result<(), Ended> {
    let mut pending = vec![stream.to_owned()];
    while let Some(stream) = pending.pop() {
        while let Some(sent) = follows.sent(&stream) {
            // From memory when it holds all of it, else from the store.
            let (events, full) = match app.hub.recent_after(&stream, sent) {
                Some(events) => (events, false),
                None => {
                    let stored = app.store.events_after(&stream, sent, REPLAY_BATCH).await?;
                    let full = stored.len() as i64 == REPLAY_BATCH;
                    let shared = stored
                        .into_iter()
                        .map(|e| Arc::new(SharedEvent::new(e)))
                        .collect();
                    (shared, full)
                }
            };
            let mut left = false;
            for shared in events {
                let e = &shared.event;
                follows.set_sent(&stream, e.seq);
                if follows.is_own_team_event(&stream, e.subject.as_deref()) {
                    continue;
                }
                // A note between operators never reaches the client.
                if e.operators_only && follows.operator.is_none() {
                    continue;
                }
                let turn = follows.turn(&stream, &e.kind, &e.payload);
                let own = follows.is_primary(&stream);
                out.make_room().await?;
                out.push_raw(Message::Text(shared.frame(&stream, own)))?;
                match turn {
                    Turn::Stay => {}
                    Turn::Join {
                        stream: joined,
                        after,
                    } => {
                        // Listen first, then read where it stands.
                        subscription.add(Topic::Stream(joined.clone()));
                        let after = match after {
                            Some(seq) => seq,
                            None => app.store.last_seq(&joined).await?,
                        };
                        follows.join(joined.clone(), after);
                        pending.push(joined);
                    }
                    Turn::Leave { stream: gone } => {
                        follows.leave(&gone);
                        subscription.remove(&Topic::Stream(gone));
                        left = true;
                        break;
                    }
                }
            }
            if !full || left {
                break;
            }
        }
    }
    Ok(())
}

async fn serve_connection(
    app: &AppState,
    peer: &Peer,
    start: Start,
    socket: WebSocket,
    subscription: &Subscription,
) -> Result<PeerLeft, Ended> {
    let (sink, mut incoming) = socket.split();
    let mut out = Outbox::new(sink, app.config.send_queue);
    let result = async {
        let (mut follows, heads) =
            Box::pin(follows_at_start(app, peer, &start, subscription)).await?;
        out.push(Box::pin(hello(app, peer, &follows, &heads, start.resumed)).await?)?;
        let streams: Vec<String> = follows.cursors.iter().map(|c| c.stream.clone()).collect();
        for stream in &streams {
            Box::pin(catch_up(app, &mut out, &mut follows, subscription, stream)).await?;
        }

        // Messages read and not yet answered, answered in the order read.
        let mut in_flight: FuturesOrdered<messages::Answer> = FuturesOrdered::new();
        let shutdown = app.workers.shutdown_signal();
        let mut ping = tokio::time::interval(app.config.heartbeat);
        ping.tick().await;
        let mut last_heard = Instant::now();
        loop {
            tokio::select! {
                // The node stops: the peer resumes elsewhere or later.
                () = shutdown.cancelled() => return Ok(PeerLeft::Quietly),
                Some(answer) = in_flight.next(), if !in_flight.is_empty() => {
                    out.push(answer)?;
                }
                written = out.write(), if out.has_work() => {
                    if written.is_err() {
                        return Ok(PeerLeft::Quietly); // the peer is gone
                    }
                }
                woken = subscription.next() => {
                    // Streams first: a logout's own state change comes before
                    // the logout.
                    if woken.bits & STREAM != 0 {
                        for stream in &woken.streams {
                            Box::pin(catch_up(app, &mut out, &mut follows, subscription, stream)).await?;
                        }
                    }
                    if woken.bits & TYPING != 0 {
                        for (session_id, from) in woken.typing {
                            // Each side sees the other's typing, not its own.
                            let mine = matches!(
                                (peer, from),
                                (Peer::Client(_), Party::Client) | (Peer::Operator(_), Party::Operator)
                            );
                            if !mine {
                                out.push(ServerFrame::Typing(TypingFrame { session_id, from }))?;
                            }
                        }
                    }
                    if woken.bits & LOGGED_OUT != 0 {
                        out.push(ServerFrame::LoggedOut)?;
                        return Ok(PeerLeft::Quietly);
                    }
                    if woken.bits & RECONNECT != 0 {
                        return Err(Ended::Reconnect);
                    }
                    if woken.bits & SETTINGS != 0 {
                        out.push(ServerFrame::SettingsChanged)?;
                    }
                    if woken.bits & QUEUE != 0 {
                        if let Some(frame) = queue_frame(app, peer) {
                            out.push(frame)?;
                        }
                    }
                }
                _ = ping.tick() => {
                    if last_heard.elapsed() > app.config.idle_timeout {
                        return Err(Ended::Idle);
                    }
                    if start.login_ends.is_some_and(|end| app.now() >= end) {
                        out.push(ServerFrame::LoggedOut)?;
                        return Ok(PeerLeft::Quietly);
                    }
                    out.push(ServerFrame::Ping)?;
                    out.push_raw(Message::Ping(Default::default()))?;
                }
                // Reads on while few enough answers are pending.
                message = incoming.next(), if in_flight.len() < MAX_IN_FLIGHT => match message {
                    Some(Ok(Message::Close(Some(frame)))) if frame.code == LEAVING_CLOSE_CODE => {
                        return Ok(PeerLeft::Leaving);
                    }
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return Ok(PeerLeft::Quietly),
                    Some(Ok(Message::Text(text))) => {
                        last_heard = Instant::now();
                        match serde_json::from_str(text.as_str()) {
                            Ok(ClientFrame::Ping) => out.push(ServerFrame::Pong)?,
                            Ok(ClientFrame::Message(message)) => {
                                in_flight.push_back(messages::receive(app, peer, message));
                            }
                            Ok(ClientFrame::Typing(typing)) => {
                                typing_in(app, peer, &follows, typing.session_id.as_deref());
                            }
                            Ok(ClientFrame::Pong) | Err(_) => {}
                        }
                    }
                    Some(Ok(_)) => last_heard = Instant::now(),
                },
            }
        }
    }
    .await;
    // What is queued (a logout, the last events) still goes out, then the
    // socket closes; a peer that does not read gets two seconds.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), async {
        let _ = out.write().await;
        let _ = out.sink.close().await;
    })
    .await;
    result
}
