//! The event log: per-stream numbered events, appended inside the
//! transaction of the change they describe, and read back from any seq.
//!
//! A message is stored once: its row in `messages` is its `message.created`
//! event in the session's stream (at `event_seq`, numbered by the stream's
//! counter with the stream's other events). Reading a stream reads both.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use async_trait::async_trait;
use hovor_core::routing_book::Place;
use hovor_core::session::Author;
use hovor_core::Millis;
use sqlx::{QueryBuilder, Row};

use super::companies::to_json;
use super::rows;
use super::{Backend, Db, Tx};
use crate::events::Recorded;
use crate::{
    company_stream, outbox_stream, Change, EventLog, Message, MessageCreated, RealtimeEvent,
    StoreError, StoreResult, StreamEvent, WebhookEvent,
};

/// The events a transaction appends, collected as it goes and written just
/// before it commits: three statements for all of them, whatever their
/// number and streams — which webhooks want the webhook events, a counter
/// move per stream (all of them in one statement, in stream order, so that
/// concurrent transactions take the counters in the same order), and the
/// events themselves.
#[derive(Default)]
pub(crate) struct Outgoing {
    realtime: Vec<Pending>,
    webhooks: Vec<PendingWebhook>,
    places: Vec<PendingPlace>,
    messages: Vec<PendingMessage>,
}

/// A message to store, whose row is its event at `event` (in the session's
/// stream).
struct PendingMessage {
    session_id: String,
    message: Message,
    client_msg_id: Option<String>,
    event: usize,
}

/// Where a session stands after this transaction; its seq is that of the
/// event at `event` (in the session's own stream).
struct PendingPlace {
    company_id: String,
    session_id: String,
    place: Place,
    at: Millis,
    event: usize,
}

struct Pending {
    stream: String,
    event: RealtimeEvent,
    /// In a company's stream: the operator the event is about.
    subject: Option<String>,
    at: Millis,
    /// Its `session_seq` is the seq the event at this place gets.
    session_seq_of: Option<usize>,
    /// Stored as a row of `messages`, not of `events`.
    is_message: bool,
}

/// An event with its seq, as written.
struct Numbered {
    stream: String,
    seq: i64,
    recorded: Recorded,
    at: Millis,
    subject: Option<String>,
    /// A row of `events` (else of `messages`).
    row_of_events: bool,
    operators_only: bool,
}

struct PendingWebhook {
    company_id: String,
    event: WebhookEvent,
    at: Millis,
    /// Already known to be wanted (the caller asked); else the write asks.
    known_wanted: bool,
}

impl Outgoing {
    pub(crate) fn new() -> Outgoing {
        Outgoing::default()
    }

    /// An event in one stream; returns its place, for [`Outgoing::linked`].
    pub(crate) fn event(&mut self, stream: &str, event: RealtimeEvent, at: Millis) -> usize {
        self.realtime.push(Pending {
            stream: stream.to_owned(),
            event,
            subject: None,
            at,
            session_seq_of: None,
            is_message: false,
        });
        self.realtime.len() - 1
    }

    /// A message, stored once: its row is its `message.created` event in
    /// the session's stream.
    pub(crate) fn message(
        &mut self,
        session_id: &str,
        message: Message,
        client_msg_id: Option<String>,
    ) {
        let at = message.sent_at;
        self.realtime.push(Pending {
            stream: session_id.to_owned(),
            event: RealtimeEvent::MessageCreated(MessageCreated {
                session_id: session_id.to_owned(),
                message: message.clone(),
            }),
            subject: None,
            at,
            session_seq_of: None,
            is_message: true,
        });
        self.messages.push(PendingMessage {
            session_id: session_id.to_owned(),
            message,
            client_msg_id,
            event: self.realtime.len() - 1,
        });
    }

    /// An event in each of these streams that says where a session's own
    /// stream stands: its `session_seq` is the seq of the event at `place`.
    pub(crate) fn linked(
        &mut self,
        streams: &[String],
        event: &RealtimeEvent,
        at: Millis,
        place: usize,
    ) {
        for stream in streams {
            self.realtime.push(Pending {
                stream: stream.clone(),
                event: event.clone(),
                subject: None,
                at,
                session_seq_of: Some(place),
                is_message: false,
            });
        }
    }

    /// Where a session stands after this transaction, told together with
    /// its own stream's event at `event` (whose seq versions it).
    pub(crate) fn place(
        &mut self,
        company_id: &str,
        session_id: &str,
        place: Place,
        at: Millis,
        event: usize,
    ) {
        self.places.push(PendingPlace {
            company_id: company_id.to_owned(),
            session_id: session_id.to_owned(),
            place,
            at,
            event,
        });
    }

    /// An event about an operator: in their own stream, and once in the
    /// company's stream, which supervisors and admins read (not once per
    /// supervisor).
    pub(crate) fn about_operator(
        &mut self,
        company_id: &str,
        user_id: &str,
        event: RealtimeEvent,
        at: Millis,
    ) {
        self.event(user_id, event.clone(), at);
        self.realtime.push(Pending {
            stream: company_stream(company_id),
            event,
            subject: Some(user_id.to_owned()),
            at,
            session_seq_of: None,
            is_message: false,
        });
    }

    /// A webhook event, into the company's outbox if a webhook of the
    /// company subscribes to its type. The outbox is written in the same
    /// transaction as the change: it exists exactly when the change does. A
    /// subscription starts at the outbox's head ("from now on").
    pub(crate) fn webhook(&mut self, company_id: &str, event: WebhookEvent, at: Millis) {
        self.webhooks.push(PendingWebhook {
            company_id: company_id.to_owned(),
            event,
            at,
            known_wanted: false,
        });
    }

    /// A webhook event the caller knows a webhook wants.
    pub(crate) fn wanted_webhook(&mut self, company_id: &str, event: WebhookEvent, at: Millis) {
        self.webhooks.push(PendingWebhook {
            company_id: company_id.to_owned(),
            event,
            at,
            known_wanted: true,
        });
    }

    /// Numbers and stores everything collected, in the caller's transaction.
    pub(crate) async fn write(self, tx: &mut Tx) -> StoreResult<Vec<Change>> {
        let Outgoing {
            mut realtime,
            webhooks,
            places,
            messages,
        } = self;
        let mut recorded_webhooks = Vec::with_capacity(webhooks.len());
        for w in webhooks {
            recorded_webhooks.push((w.company_id, w.event.record()?, w.at, w.known_wanted));
        }
        let subscribed = subscriptions(tx, &recorded_webhooks).await?;
        let outbox: Vec<(String, Recorded, Millis)> = recorded_webhooks
            .into_iter()
            .filter(|(company, recorded, _, known)| {
                *known
                    || subscribed.iter().any(|(c, events)| {
                        c == company && events.split(',').any(|e| e == recorded.kind)
                    })
            })
            .map(|(company, recorded, at, _)| (outbox_stream(&company), recorded, at))
            .collect();
        // Numbering: one counter move per stream.
        let mut counts: BTreeMap<String, i64> = BTreeMap::new();
        for stream in realtime
            .iter()
            .map(|p| &p.stream)
            .chain(outbox.iter().map(|o| &o.0))
        {
            *counts.entry(stream.clone()).or_default() += 1;
        }
        if counts.is_empty() {
            return Ok(Vec::new());
        }
        let mut next = reserve(tx, &counts).await?;
        let mut take = |stream: &str| -> StoreResult<i64> {
            let seq = next
                .get_mut(stream)
                .ok_or_else(|| StoreError::Corrupt(format!("stream {stream} not numbered")))?;
            *seq += 1;
            Ok(*seq - 1)
        };
        let mut seqs = Vec::with_capacity(realtime.len());
        for p in &realtime {
            seqs.push(take(&p.stream)?);
        }
        // Every event, in the order collected.
        let mut numbered: Vec<Numbered> = Vec::with_capacity(realtime.len() + outbox.len());
        for (n, p) in realtime.iter_mut().enumerate() {
            if let Some(place) = p.session_seq_of {
                p.event.set_session_seq(seqs.get(place).copied());
            }
            let operators_only =
                matches!(&p.event, RealtimeEvent::MessageCreated(m) if m.message.internal);
            numbered.push(Numbered {
                stream: p.stream.clone(),
                seq: seqs[n],
                recorded: p.event.record()?,
                at: p.at,
                subject: p.subject.take(),
                row_of_events: !p.is_message,
                operators_only,
            });
        }
        for (stream, recorded, at) in outbox {
            let seq = take(&stream)?;
            numbered.push(Numbered {
                stream,
                seq,
                recorded,
                at,
                subject: None,
                row_of_events: true,
                operators_only: false,
            });
        }
        if numbered.iter().any(|e| e.row_of_events) {
            let mut insert = QueryBuilder::<Db>::new(
                "INSERT INTO events (stream, seq, kind, payload, created_at, subject) ",
            );
            insert.push_values(numbered.iter().filter(|e| e.row_of_events), |mut row, e| {
                row.push_bind(e.stream.as_str())
                    .push_bind(e.seq)
                    .push_bind(e.recorded.kind.as_str())
                    .push_bind(e.recorded.data.as_str())
                    .push_bind(e.at)
                    .push_bind(e.subject.as_deref());
            });
            insert.build().execute(&mut **tx).await?;
        }
        if !messages.is_empty() {
            let mut insert = QueryBuilder::<Db>::new(
                "INSERT INTO messages (session_id, seq, author, operator_id, text, \
                 client_msg_id, sent_at, event_seq, internal, notice, attachments) ",
            );
            let mut rows = Vec::with_capacity(messages.len());
            for m in &messages {
                let seq = *seqs
                    .get(m.event)
                    .ok_or_else(|| StoreError::Corrupt("a message without its event".into()))?;
                let notice = m.message.notice.as_ref().map(to_json).transpose()?;
                let files = if m.message.attachments.is_empty() {
                    None
                } else {
                    Some(to_json(&m.message.attachments)?)
                };
                rows.push((m, seq, notice, files));
            }
            insert.push_values(rows, |mut row, (m, event_seq, notice, files)| {
                row.push_bind(m.session_id.as_str())
                    .push_bind(m.message.seq)
                    .push_bind(m.message.author.as_str())
                    .push_bind(m.message.operator_id.as_deref())
                    .push_bind(m.message.text.as_str())
                    .push_bind(m.client_msg_id.as_deref())
                    .push_bind(m.message.sent_at)
                    .push_bind(event_seq)
                    .push_bind(m.message.internal)
                    .push_bind(notice)
                    .push_bind(files);
            });
            insert.build().execute(&mut **tx).await?;
        }
        let mut changes = Vec::with_capacity(numbered.len() + places.len());
        for p in places {
            let seq = *seqs
                .get(p.event)
                .ok_or_else(|| StoreError::Corrupt("a session place without its event".into()))?;
            changes.push(Change::SessionPlace {
                company_id: p.company_id,
                session_id: p.session_id,
                seq,
                at: p.at,
                place: p.place,
            });
        }
        changes.extend(numbered.into_iter().map(|e| Change::Appended {
            event: Arc::new(StreamEvent {
                seq: e.seq,
                kind: e.recorded.kind,
                payload: e.recorded.data,
                created_at: e.at,
                subject: e.subject,
                operators_only: e.operators_only,
            }),
            stream: e.stream,
            seq: e.seq,
        }));
        Ok(changes)
    }
}

/// The webhook subscriptions (company, comma-separated event types) of the
/// companies whose events are not known to be wanted: one statement, none
/// when there are no such events.
async fn subscriptions(
    tx: &mut Tx,
    webhooks: &[(String, Recorded, Millis, bool)],
) -> StoreResult<Vec<(String, String)>> {
    let mut companies: Vec<&str> = webhooks
        .iter()
        .filter(|w| !w.3)
        .map(|w| w.0.as_str())
        .collect();
    companies.sort_unstable();
    companies.dedup();
    if companies.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = QueryBuilder::<Db>::new(
        "SELECT company_id, events FROM webhooks \
         WHERE active AND deleted_at IS NULL AND company_id IN (",
    );
    let mut list = query.separated(", ");
    for company in &companies {
        list.push_bind(*company);
    }
    query.push(")");
    let mut found = Vec::new();
    for row in query.build().fetch_all(&mut **tx).await? {
        found.push((row.try_get("company_id")?, row.try_get("events")?));
    }
    Ok(found)
}

/// Moves each stream's counter by how many events it gets, in one
/// statement; the first seq of each.
async fn reserve(tx: &mut Tx, counts: &BTreeMap<String, i64>) -> StoreResult<HashMap<String, i64>> {
    let mut numbering = QueryBuilder::<Db>::new("INSERT INTO streams (stream, last_seq) ");
    numbering.push_values(counts, |mut row, (stream, count)| {
        row.push_bind(stream.as_str()).push_bind(*count);
    });
    numbering.push(
        " ON CONFLICT (stream) DO UPDATE SET last_seq = streams.last_seq + excluded.last_seq \
         RETURNING stream, last_seq",
    );
    let mut first = HashMap::with_capacity(counts.len());
    for row in numbering.build().fetch_all(&mut **tx).await? {
        let stream: String = row.try_get("stream")?;
        let last: i64 = row.try_get("last_seq")?;
        let count = counts.get(&stream).copied().unwrap_or(0);
        first.insert(stream, last - count + 1);
    }
    Ok(first)
}

/// The head of a stream (0 when it has no events), in a transaction or not.
pub(crate) async fn head<'e, E>(executor: E, stream: &str) -> StoreResult<i64>
where
    E: sqlx::Executor<'e, Database = Db>,
{
    let row = sqlx::query("SELECT last_seq FROM streams WHERE stream = $1")
        .bind(stream)
        .fetch_optional(executor)
        .await?;
    Ok(match row {
        Some(r) => r.try_get("last_seq")?,
        None => 0,
    })
}

#[async_trait]
impl EventLog for Backend {
    async fn events_after(
        &self,
        stream: &str,
        after_seq: i64,
        limit: i64,
    ) -> StoreResult<Vec<StreamEvent>> {
        // One statement, so both halves come from one snapshot: a stream's
        // events after a message must not be skipped because the message was
        // read later than they were.
        let rows = sqlx::query(
            "SELECT seq, kind, payload, created_at, subject, \
             CAST(NULL AS BIGINT) AS message_seq, CAST(NULL AS TEXT) AS author, \
             CAST(NULL AS TEXT) AS operator_id, CAST(NULL AS TEXT) AS operator_name, \
             CAST(NULL AS TEXT) AS text, FALSE AS internal, CAST(NULL AS TEXT) AS notice, \
             CAST(NULL AS TEXT) AS attachments \
             FROM events WHERE stream = $1 AND seq > $2 \
             UNION ALL \
             SELECT m.event_seq, 'message.created', NULL, m.sent_at, NULL, m.seq, m.author, \
             m.operator_id, u.name, m.text, m.internal, m.notice, m.attachments \
             FROM messages m LEFT JOIN users u ON u.id = m.operator_id \
             WHERE m.session_id = $1 AND m.event_seq > $2 \
             ORDER BY seq LIMIT $3",
        )
        .bind(stream)
        .bind(after_seq)
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(|r| stream_event(stream, r)).collect()
    }

    async fn last_seq(&self, stream: &str) -> StoreResult<i64> {
        head(self.reader(), stream).await
    }
}

/// A row of a stream as read by `events_after`: an event, or a message (whose
/// event is made from it).
fn stream_event(stream: &str, r: &super::DbRow) -> StoreResult<StreamEvent> {
    let seq: i64 = r.try_get("seq")?;
    let created_at: Millis = r.try_get("created_at")?;
    let message_seq: Option<i64> = r.try_get("message_seq")?;
    let Some(message_seq) = message_seq else {
        return Ok(StreamEvent {
            seq,
            kind: r.try_get("kind")?,
            payload: r.try_get("payload")?,
            created_at,
            subject: r.try_get("subject")?,
            operators_only: false,
        });
    };
    let author: String = r.try_get("author")?;
    let internal: bool = r.try_get("internal")?;
    let event = RealtimeEvent::MessageCreated(MessageCreated {
        session_id: stream.to_owned(),
        message: Message {
            seq: message_seq,
            author: Author::parse(&author)
                .ok_or_else(|| StoreError::Corrupt(format!("message author {author}")))?,
            operator_id: r.try_get("operator_id")?,
            operator_name: r.try_get("operator_name")?,
            text: r.try_get("text")?,
            sent_at: created_at,
            internal,
            notice: rows::notice(r)?,
            attachments: rows::message_files(r)?,
        },
    });
    let recorded = event.record()?;
    Ok(StreamEvent {
        seq,
        kind: recorded.kind,
        payload: recorded.data,
        created_at,
        subject: None,
        operators_only: internal,
    })
}
