//! Chat traffic between clients and operators, the same on Hovor and on
//! the bare relay: sockets, the links between a client and its operator,
//! and a tracker that knows every message sent, acknowledged and
//! delivered, so the suite can say how fast, and that none was lost or
//! duplicated.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use crate::hovor_api::{self, Login, Socket};
use crate::stats::Latency;

/// Who is under test, and how Hovor's messages travel.
#[derive(Clone, Debug)]
pub enum Mode {
    Relay {
        url: String,
    },
    /// `http_messages`: send over the REST API (the versions before socket
    /// messages); otherwise over the sockets, acknowledged after the commit.
    Hovor {
        url: String,
        /// Every node's URL (one for a single node): operators and clients
        /// are spread over them.
        nodes: Vec<String>,
        http_messages: bool,
    },
}

/// Every message of a phase: when it was sent, whether it was acknowledged
/// and when (and how often) it arrived on the other side.
#[derive(Default)]
struct Book {
    sent: HashMap<u64, (Instant, usize)>,
    acked: HashSet<u64>,
    delivered: HashSet<u64>,
    refused: HashMap<String, u64>,
    duplicates: u64,
    latencies: Vec<Duration>,
    first_sent: Option<Instant>,
    last_delivered: Option<Instant>,
    /// Sockets that ended during the phase, by how (a close frame's code
    /// and reason, or how the stream ended). The endpoints do not reconnect,
    /// so what a closed socket would have received counts as lost.
    closed: HashMap<String, u64>,
}

pub struct Tracker {
    book: Mutex<Book>,
    /// Links whose message was answered (acked or refused), for closed loops.
    answered: mpsc::UnboundedSender<usize>,
}

/// What a phase came to.
#[derive(Debug, Default)]
pub struct Outcome {
    pub sent: u64,
    pub acked: u64,
    pub delivered: u64,
    pub refused: HashMap<String, u64>,
    /// Acknowledged, yet never delivered.
    pub lost: u64,
    pub duplicates: u64,
    pub latency: Latency,
    /// From the first message sent to the last delivered.
    pub span: Duration,
    /// Sockets that ended during the phase, by how.
    pub closed: HashMap<String, u64>,
}

impl Outcome {
    pub fn refused_total(&self) -> u64 {
        self.refused.values().sum()
    }

    pub fn closed_total(&self) -> u64 {
        self.closed.values().sum()
    }

    pub fn is_clean(&self) -> bool {
        self.lost == 0 && self.duplicates == 0
    }
}

impl Tracker {
    pub fn new() -> (Arc<Tracker>, mpsc::UnboundedReceiver<usize>) {
        let (answered, rx) = mpsc::unbounded_channel();
        (
            Arc::new(Tracker {
                book: Mutex::new(Book::default()),
                answered,
            }),
            rx,
        )
    }

    fn book(&self) -> std::sync::MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn sent(&self, id: u64, link: usize) {
        let now = Instant::now();
        let mut book = self.book();
        book.first_sent.get_or_insert(now);
        book.sent.insert(id, (now, link));
    }

    fn acked(&self, id: u64) {
        let link = {
            let mut book = self.book();
            book.acked.insert(id);
            book.sent.get(&id).map(|s| s.1)
        };
        if let Some(link) = link {
            let _ = self.answered.send(link);
        }
    }

    fn refused(&self, id: u64, code: &str) {
        let link = {
            let mut book = self.book();
            *book.refused.entry(code.to_owned()).or_default() += 1;
            book.sent.get(&id).map(|s| s.1)
        };
        if let Some(link) = link {
            let _ = self.answered.send(link);
        }
    }

    fn delivered(&self, id: u64) {
        let now = Instant::now();
        let mut book = self.book();
        let Some(&(sent, _)) = book.sent.get(&id) else {
            return; // from an earlier phase
        };
        if book.delivered.insert(id) {
            book.latencies.push(now - sent);
            book.last_delivered = Some(now);
        } else {
            book.duplicates += 1;
        }
    }

    fn closed(&self, how: String) {
        *self.book().closed.entry(how).or_default() += 1;
    }

    /// Messages sent and not yet answered.
    pub fn outstanding(&self) -> u64 {
        let book = self.book();
        let refused: u64 = book.refused.values().sum();
        (book.sent.len() as u64).saturating_sub(book.acked.len() as u64 + refused)
    }

    /// Waits (up to `patience`) for every acknowledged message to arrive,
    /// then closes the book: what the phase came to.
    pub async fn settle(&self, patience: Duration) -> Outcome {
        let deadline = Instant::now() + patience;
        loop {
            let done = {
                let book = self.book();
                let refused: u64 = book.refused.values().sum();
                book.acked.len() as u64 + refused >= book.sent.len() as u64
                    && book.acked.iter().all(|id| book.delivered.contains(id))
            };
            if done || Instant::now() >= deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let book = std::mem::take(&mut *self.book());
        Outcome {
            sent: book.sent.len() as u64,
            acked: book.acked.len() as u64,
            delivered: book.delivered.len() as u64,
            lost: book
                .acked
                .iter()
                .filter(|id| !book.delivered.contains(id))
                .count() as u64,
            duplicates: book.duplicates,
            span: match (book.first_sent, book.last_delivered) {
                (Some(first), Some(last)) => last.saturating_duration_since(first),
                _ => Duration::ZERO,
            },
            refused: book.refused,
            closed: book.closed,
            latency: Latency::of(book.latencies),
        }
    }
}

/// Who holds a socket: their messages come back to them too (Hovor echoes
/// each message to every reader of the session); only the other side's
/// count as delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Client,
    Operator,
}

impl Side {
    fn author(self) -> &'static str {
        match self {
            Side::Client => "client",
            Side::Operator => "operator",
        }
    }
}

/// An open socket: frames to send go through its writer task.
#[derive(Clone)]
pub struct Endpoint {
    out: mpsc::UnboundedSender<Message>,
}

/// An operator who hears offers: with `accept`, accepts each and reports the
/// session once accepted; without, reports each offer as it comes.
#[derive(Clone)]
pub struct Acceptor {
    pub http: reqwest::Client,
    pub url: String,
    pub login: Login,
    pub index: usize,
    pub accept: bool,
    pub reports: mpsc::UnboundedSender<(String, usize)>,
}

impl Acceptor {
    /// Opens the operator's workspace socket and runs it: offers are
    /// reported (and, with `accept`, accepted first).
    pub async fn open(self, tracker: &Arc<Tracker>) -> anyhow::Result<Endpoint> {
        let socket = hovor_api::connect(
            &hovor_api::operator_socket_url(&self.url),
            Some(&self.login.cookie),
            None,
        )
        .await?;
        Ok(Endpoint::run(
            socket,
            Side::Operator,
            tracker.clone(),
            Some(self),
        ))
    }
}

/// Operators online: their logins, their open workspaces, and where their
/// offers are reported (accepted first with `accept`).
pub struct Team {
    pub logins: Vec<Login>,
    pub workspaces: Vec<Endpoint>,
    pub offers: mpsc::UnboundedReceiver<(String, usize)>,
}

impl Team {
    /// Makes `count` chat operators (`capacity` each), opens their
    /// workspaces, and waits until the company takes chats.
    pub async fn online(
        http: &reqwest::Client,
        url: &str,
        nodes: &[String],
        count: usize,
        capacity: u32,
        accept: bool,
        tracker: &Arc<Tracker>,
    ) -> anyhow::Result<Team> {
        let logins = hovor_api::operators(http, url, count, capacity).await?;
        let (reports, offers) = mpsc::unbounded_channel();
        let mut workspaces = Vec::new();
        for (index, login) in logins.iter().enumerate() {
            let acceptor = Acceptor {
                http: http.clone(),
                // Each operator's workspace on a node of its own, in turn.
                url: nodes
                    .get(index % nodes.len().max(1))
                    .map_or_else(|| url.to_owned(), Clone::clone),
                login: login.clone(),
                index,
                accept,
                reports: reports.clone(),
            };
            workspaces.push(acceptor.open(tracker).await?);
        }
        hovor_api::wait_available(http, url).await?;
        Ok(Team {
            logins,
            workspaces,
            offers,
        })
    }
}

#[derive(Deserialize)]
struct Frame<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<&'a str>,
    id: Option<u64>,
    to: Option<&'a str>,
    client_msg_id: Option<&'a str>,
    event: Option<&'a str>,
    #[serde(borrow)]
    data: Option<Data<'a>>,
    #[serde(borrow)]
    error: Option<Code<'a>>,
}

#[derive(Deserialize)]
struct Data<'a> {
    #[serde(borrow)]
    message: Option<Text<'a>>,
    #[serde(borrow)]
    session: Option<Id<'a>>,
}

#[derive(Deserialize)]
struct Text<'a> {
    author: Option<&'a str>,
    text: Option<&'a str>,
}

#[derive(Deserialize)]
struct Id<'a> {
    id: &'a str,
}

#[derive(Deserialize)]
struct Code<'a> {
    code: &'a str,
}

fn message_id(text: &str) -> Option<u64> {
    text.strip_prefix('m')?.parse().ok()
}

impl Endpoint {
    /// Runs `socket`: a writer task for what is sent, a reader that tells
    /// `tracker` what arrives, answers the server's pings, and, for an
    /// operator with an `acceptor`, accepts every offer.
    pub fn run(
        socket: Socket,
        side: Side,
        tracker: Arc<Tracker>,
        acceptor: Option<Acceptor>,
    ) -> Endpoint {
        let (mut sink, mut stream) = socket.split();
        let (out, mut outgoing) = mpsc::unbounded_channel::<Message>();
        tokio::spawn(async move {
            while let Some(message) = outgoing.recv().await {
                if sink.feed(message).await.is_err() {
                    return;
                }
                while let Ok(more) = outgoing.try_recv() {
                    if sink.feed(more).await.is_err() {
                        return;
                    }
                }
                if sink.flush().await.is_err() {
                    return;
                }
            }
        });
        let pong = out.clone();
        tokio::spawn(async move {
            let how = loop {
                let text = match stream.next().await {
                    Some(Ok(Message::Text(text))) => text,
                    Some(Ok(Message::Close(frame))) => {
                        break match frame {
                            Some(f) => format!("closed {} {}", u16::from(f.code), f.reason),
                            None => "closed".to_owned(),
                        };
                    }
                    Some(Ok(_)) => continue,
                    Some(Err(e)) => break format!("error: {e}"),
                    None => break "ended".to_owned(),
                };
                let Ok(frame) = serde_json::from_str::<Frame>(text.as_str()) else {
                    continue;
                };
                on_frame(&frame, side, &tracker, acceptor.as_ref(), &pong);
            };
            tracker.closed(how);
        });
        Endpoint { out }
    }

    fn send(&self, text: String) {
        let _ = self.out.send(Message::Text(text.into()));
    }
}

fn on_frame(
    frame: &Frame,
    side: Side,
    tracker: &Tracker,
    acceptor: Option<&Acceptor>,
    out: &mpsc::UnboundedSender<Message>,
) {
    match (frame.kind, frame.event) {
        // The relay: a peer's frame, or the ack of ours.
        (None, None) if frame.to.is_some() => {
            if let Some(id) = frame.id {
                tracker.delivered(id);
            }
        }
        (Some("ack"), _) => {
            if let Some(id) = frame
                .id
                .or_else(|| frame.client_msg_id.and_then(message_id))
            {
                tracker.acked(id);
            }
        }
        (Some("refused"), _) => {
            if let Some(id) = frame.client_msg_id.and_then(message_id) {
                tracker.refused(id, frame.error.as_ref().map_or("?", |e| e.code));
            }
        }
        (Some("ping"), _) => {
            let _ = out.send(Message::Text(r#"{"type":"pong"}"#.into()));
        }
        (_, Some("message.created")) => {
            let message = frame.data.as_ref().and_then(|d| d.message.as_ref());
            if let Some(m) = message {
                if m.author != Some(side.author()) {
                    if let Some(id) = m.text.and_then(message_id) {
                        tracker.delivered(id);
                    }
                }
            }
        }
        (_, Some("session.offered")) => {
            let session = frame.data.as_ref().and_then(|d| d.session.as_ref());
            if let (Some(acceptor), Some(session)) = (acceptor, session) {
                if !acceptor.accept {
                    let _ = acceptor
                        .reports
                        .send((session.id.to_owned(), acceptor.index));
                    return;
                }
                let acceptor = acceptor.clone();
                let id = session.id.to_owned();
                tokio::spawn(async move {
                    let status =
                        hovor_api::accept(&acceptor.http, &acceptor.url, &acceptor.login, &id)
                            .await;
                    if matches!(status, Ok(s) if s.is_success()) {
                        let _ = acceptor.reports.send((id, acceptor.index));
                    }
                });
            }
        }
        _ => {}
    }
}

/// A client and the operator who serves them.
pub struct Link {
    client: Endpoint,
    operator: Endpoint,
    /// Hovor: the session; the relay: the client's name.
    session_id: String,
    /// The relay: the operator's name.
    operator_name: String,
    /// Hovor over HTTP: the client's token and the operator's login.
    client_token: String,
    operator_login: Option<Login>,
}

impl Link {
    /// A chat on Hovor: its client's socket and its operator's.
    pub fn hovor(
        client: Endpoint,
        operator: Endpoint,
        chat: &hovor_api::Chat,
        login: &Login,
    ) -> Link {
        Link {
            client,
            operator,
            session_id: chat.session_id.clone(),
            operator_name: String::new(),
            client_token: chat.token.clone(),
            operator_login: Some(login.clone()),
        }
    }

    /// Sends message `id` from one side to the other.
    pub fn send(
        &self,
        mode: &Mode,
        http: &reqwest::Client,
        tracker: &Arc<Tracker>,
        index: usize,
        id: u64,
        from: Side,
    ) {
        tracker.sent(id, index);
        match mode {
            Mode::Relay { .. } => {
                let (endpoint, to) = match from {
                    Side::Client => (&self.client, &self.operator_name),
                    Side::Operator => (&self.operator, &self.session_id),
                };
                endpoint.send(format!(r#"{{"to":"{to}","id":{id}}}"#));
            }
            Mode::Hovor {
                http_messages: false,
                ..
            } => match from {
                Side::Client => self.client.send(format!(
                    r#"{{"type":"message","client_msg_id":"m{id}","text":"m{id}"}}"#
                )),
                Side::Operator => self.operator.send(format!(
                    r#"{{"type":"message","client_msg_id":"m{id}","text":"m{id}","session_id":"{}"}}"#,
                    self.session_id
                )),
            },
            Mode::Hovor {
                url,
                http_messages: true,
                ..
            } => {
                // Before socket messages, only the client's REST call took a
                // client_msg_id (an operator's refused the field).
                let body = match from {
                    Side::Client => {
                        serde_json::json!({"text": format!("m{id}"), "client_msg_id": format!("m{id}")})
                    }
                    Side::Operator => serde_json::json!({"text": format!("m{id}")}),
                };
                let request = match (from, &self.operator_login) {
                    (Side::Client, _) => http
                        .post(format!(
                            "{url}/api/v1/client/sessions/{}/messages",
                            self.session_id
                        ))
                        .bearer_auth(&self.client_token),
                    (Side::Operator, Some(login)) => http
                        .post(format!("{url}/api/v1/sessions/{}/messages", self.session_id))
                        .header("cookie", &login.cookie)
                        .header("x-csrf-token", &login.csrf),
                    (Side::Operator, None) => return,
                };
                let tracker = tracker.clone();
                tokio::spawn(async move {
                    match request.json(&body).send().await {
                        Ok(r) if r.status().is_success() => tracker.acked(id),
                        Ok(r) => tracker.refused(id, r.status().as_str()),
                        Err(_) => tracker.refused(id, "connection"),
                    }
                });
            }
        }
    }
}

/// `sessions` chats between clients and `operators` operators (at most 20
/// chats each on Hovor), all connected and, on Hovor, accepted.
pub async fn connect(
    mode: &Mode,
    http: &reqwest::Client,
    sessions: usize,
    operators: usize,
    tracker: &Arc<Tracker>,
) -> anyhow::Result<Vec<Link>> {
    match mode {
        Mode::Relay { url } => {
            let mut ops = Vec::new();
            for o in 0..operators {
                let socket = hovor_api::connect(&format!("{url}/?name=o{o}"), None, None).await?;
                ops.push(Endpoint::run(socket, Side::Operator, tracker.clone(), None));
            }
            let mut links = Vec::new();
            for s in 0..sessions {
                let socket = hovor_api::connect(&format!("{url}/?name=c{s}"), None, None).await?;
                links.push(Link {
                    client: Endpoint::run(socket, Side::Client, tracker.clone(), None),
                    operator: ops[s % operators].clone(),
                    session_id: format!("c{s}"),
                    operator_name: format!("o{}", s % operators),
                    client_token: String::new(),
                    operator_login: None,
                });
            }
            Ok(links)
        }
        Mode::Hovor { url, nodes, .. } => {
            connect_hovor(url, nodes, http, sessions, operators, tracker).await
        }
    }
}

async fn connect_hovor(
    url: &str,
    nodes: &[String],
    http: &reqwest::Client,
    sessions: usize,
    operators: usize,
    tracker: &Arc<Tracker>,
) -> anyhow::Result<Vec<Link>> {
    let capacity = sessions.div_ceil(operators).clamp(1, 20) as u32;
    if capacity as usize * operators < sessions {
        bail!(
            "{operators} operators serve at most {} chats",
            operators * 20
        );
    }
    let Team {
        logins,
        workspaces: ops,
        offers: mut accepted,
    } = Team::online(http, url, nodes, operators, capacity, true, tracker).await?;
    let chats: Vec<_> = futures_util::stream::iter(0..sessions)
        .map(|n| async move {
            // On a cluster: started on one node, its socket on the next.
            let start = &nodes[n % nodes.len()];
            let chat = hovor_api::start_chat(http, start, n).await?;
            let at = &nodes[(n + 1) % nodes.len()];
            let socket =
                hovor_api::connect(&hovor_api::client_socket_url(at, &chat.token), None, None)
                    .await?;
            anyhow::Ok((chat, socket))
        })
        .buffered(16)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<_>>()?;
    let mut held = HashMap::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while held.len() < sessions {
        let left = deadline.saturating_duration_since(Instant::now());
        let (session, operator) = tokio::time::timeout(left, accepted.recv())
            .await
            .with_context(|| format!("only {} of {sessions} chats accepted", held.len()))?
            .context("the operators are gone")?;
        held.insert(session, operator);
    }
    let mut links = Vec::new();
    for (chat, socket) in chats {
        let operator = *held
            .get(&chat.session_id)
            .with_context(|| format!("chat {} was not accepted", chat.session_id))?;
        links.push(Link {
            client: Endpoint::run(socket, Side::Client, tracker.clone(), None),
            operator: ops[operator].clone(),
            session_id: chat.session_id,
            operator_name: String::new(),
            client_token: chat.token,
            operator_login: Some(logins[operator].clone()),
        });
    }
    Ok(links)
}

/// Clients may send one message a second (Hovor's flood limit is ten in ten
/// seconds); a client whose last message is younger sends none.
const CLIENT_SPACING: Duration = Duration::from_millis(1100);
/// Unanswered messages beyond which an open loop holds back: the server is
/// not keeping up, and the phase says so. Over REST each is a request in
/// flight, so fewer (the generator would otherwise run out of ports).
const MAX_OUTSTANDING: u64 = 50_000;
const MAX_OUTSTANDING_HTTP: u64 = 2_000;

/// Sends `rate` messages a second for `duration`, spread over the links
/// in turn: from the client when it may send again, else from the operator.
/// Returns how many it sent and how many it held back.
pub async fn open_loop(
    mode: &Mode,
    http: &reqwest::Client,
    links: &[Link],
    tracker: &Arc<Tracker>,
    next_id: &mut u64,
    rate: f64,
    duration: Duration,
) -> (u64, u64) {
    let started = Instant::now();
    let mut last_client = vec![started - CLIENT_SPACING; links.len()];
    let (mut sent, mut held_back) = (0u64, 0u64);
    let limit = match mode {
        Mode::Hovor {
            http_messages: true,
            ..
        } => MAX_OUTSTANDING_HTTP,
        _ => MAX_OUTSTANDING,
    };
    let mut tick = tokio::time::interval(Duration::from_millis(2));
    while started.elapsed() < duration {
        tick.tick().await;
        let due = (started.elapsed().as_secs_f64() * rate) as u64;
        let now = Instant::now();
        while sent + held_back < due {
            if tracker.outstanding() > limit {
                held_back += 1;
                continue;
            }
            let l = (*next_id % links.len() as u64) as usize;
            let from = if now - last_client[l] >= CLIENT_SPACING {
                last_client[l] = now;
                Side::Client
            } else {
                Side::Operator
            };
            links[l].send(mode, http, tracker, l, *next_id, from);
            *next_id += 1;
            sent += 1;
        }
    }
    (sent, held_back)
}

/// As fast as the server answers: every link keeps one operator message in
/// flight and sends the next when the server answers the last.
pub async fn closed_loop(
    mode: &Mode,
    http: &reqwest::Client,
    links: &[Link],
    tracker: &Arc<Tracker>,
    answered: &mut mpsc::UnboundedReceiver<usize>,
    next_id: &mut u64,
    duration: Duration,
) -> u64 {
    while answered.try_recv().is_ok() {}
    let started = Instant::now();
    let mut sent = 0;
    for (l, link) in links.iter().enumerate() {
        link.send(mode, http, tracker, l, *next_id, Side::Operator);
        *next_id += 1;
        sent += 1;
    }
    while started.elapsed() < duration {
        let left = duration.saturating_sub(started.elapsed());
        let Ok(Some(l)) = tokio::time::timeout(left, answered.recv()).await else {
            break;
        };
        links[l].send(mode, http, tracker, l, *next_id, Side::Operator);
        *next_id += 1;
        sent += 1;
    }
    sent
}

/// The local loopback addresses the suite spreads sockets over.
pub fn loopback(n: usize) -> IpAddr {
    IpAddr::from([127, 0, (n / 250) as u8, (n % 250 + 2) as u8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_book_finds_lost_and_duplicated_messages() {
        let (tracker, mut answered) = Tracker::new();
        for id in 1..=4 {
            tracker.sent(id, id as usize);
        }
        for id in 1..=3 {
            tracker.acked(id);
        }
        tracker.refused(4, "busy");
        tracker.delivered(1);
        tracker.delivered(2);
        tracker.delivered(2);
        tracker.delivered(99); // from an earlier phase: not counted
        let outcome = tracker.settle(Duration::from_millis(50)).await;
        assert_eq!((outcome.sent, outcome.acked, outcome.delivered), (4, 3, 2));
        assert_eq!((outcome.lost, outcome.duplicates), (1, 1));
        assert_eq!(outcome.refused.get("busy"), Some(&1));
        assert!(!outcome.is_clean());
        // Each answer names its link, for the closed loop.
        let mut links = Vec::new();
        while let Ok(l) = answered.try_recv() {
            links.push(l);
        }
        assert_eq!(links, vec![1, 2, 3, 4]);
    }

    #[tokio::test]
    async fn a_clean_phase_is_clean_and_the_book_starts_over() {
        let (tracker, _answered) = Tracker::new();
        tracker.sent(1, 0);
        tracker.acked(1);
        tracker.delivered(1);
        let outcome = tracker.settle(Duration::from_secs(5)).await;
        assert!(outcome.is_clean());
        assert_eq!(tracker.outstanding(), 0);
        let next = tracker.settle(Duration::from_millis(10)).await;
        assert_eq!(next.sent, 0);
    }

    #[test]
    fn message_ids_come_back_from_their_text() {
        assert_eq!(message_id("m42"), Some(42));
        assert_eq!(message_id("re: m42"), None);
        assert_eq!(loopback(0).to_string(), "127.0.0.2");
        assert_eq!(loopback(251).to_string(), "127.0.1.3");
    }
}
