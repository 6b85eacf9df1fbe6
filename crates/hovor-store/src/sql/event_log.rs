//! The event log: per-stream numbered events, appended inside the
//! transaction of the change they describe, and read back from any seq.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use async_trait::async_trait;
use hovor_core::Millis;
use sqlx::{QueryBuilder, Row};

use super::{Backend, Db, Tx};
use crate::events::Recorded;
use crate::{
    company_stream, outbox_stream, Change, EventLog, RealtimeEvent, StoreError, StoreResult,
    StreamEvent, WebhookEvent,
};

/// Records an event about an operator: in their own stream, and once in the
/// company's stream, which supervisors and admins read (not once per
/// supervisor).
pub(crate) async fn about_operator(
    tx: &mut Tx,
    company_id: &str,
    user_id: &str,
    event: &RealtimeEvent,
    now: Millis,
) -> StoreResult<Vec<Change>> {
    let recorded = event.record()?;
    Ok(vec![
        append_one(tx, user_id, &recorded, None, now).await?,
        append_one(
            tx,
            &company_stream(company_id),
            &recorded,
            Some(user_id),
            now,
        )
        .await?,
    ])
}

/// Appends one real-time event to each stream.
pub(crate) async fn append(
    tx: &mut Tx,
    streams: &[String],
    event: &RealtimeEvent,
    now: Millis,
) -> StoreResult<Vec<Change>> {
    let recorded = event.record()?;
    let mut changes = Vec::with_capacity(streams.len());
    for stream in streams {
        changes.push(append_one(tx, stream, &recorded, None, now).await?);
    }
    Ok(changes)
}

/// One event to append with others ([`append_many`]).
pub(crate) struct Entry {
    stream: String,
    recorded: Recorded,
    at: Millis,
}

impl Entry {
    /// A real-time event in `stream`.
    pub(crate) fn realtime(stream: &str, event: &RealtimeEvent, at: Millis) -> StoreResult<Entry> {
        Ok(Entry {
            stream: stream.to_owned(),
            recorded: event.record()?,
            at,
        })
    }

    /// A webhook event in the company's outbox (the caller knows a webhook
    /// wants it).
    pub(crate) fn webhook(
        company_id: &str,
        event: &WebhookEvent,
        at: Millis,
    ) -> StoreResult<Entry> {
        Ok(Entry {
            stream: outbox_stream(company_id),
            recorded: event.record()?,
            at,
        })
    }
}

/// Appends many events, to any streams, in two statements: one numbers
/// them (each stream's counter moved once, by how many it gets, in stream
/// order so that concurrent writers lock counters in the same order), one
/// stores them. Within a stream they keep the order given.
pub(crate) async fn append_many(tx: &mut Tx, entries: Vec<Entry>) -> StoreResult<Vec<Change>> {
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
    for entry in &entries {
        *counts.entry(entry.stream.as_str()).or_default() += 1;
    }
    let mut numbering = QueryBuilder::<Db>::new("INSERT INTO streams (stream, last_seq) ");
    numbering.push_values(&counts, |mut row, (stream, count)| {
        row.push_bind(*stream).push_bind(*count);
    });
    numbering.push(
        " ON CONFLICT (stream) DO UPDATE SET last_seq = streams.last_seq + excluded.last_seq \
         RETURNING stream, last_seq",
    );
    let mut next: HashMap<String, i64> = HashMap::with_capacity(counts.len());
    for row in numbering.build().fetch_all(&mut **tx).await? {
        let stream: String = row.try_get("stream")?;
        let last: i64 = row.try_get("last_seq")?;
        let count = counts.get(stream.as_str()).copied().unwrap_or(0);
        next.insert(stream, last - count + 1);
    }
    let mut numbered = Vec::with_capacity(entries.len());
    for entry in entries {
        let seq = next
            .get_mut(&entry.stream)
            .ok_or_else(|| StoreError::Corrupt(format!("stream {} not numbered", entry.stream)))?;
        numbered.push((*seq, entry));
        *seq += 1;
    }
    let mut insert = QueryBuilder::<Db>::new(
        "INSERT INTO events (stream, seq, kind, payload, created_at, subject) ",
    );
    insert.push_values(&numbered, |mut row, (seq, entry)| {
        row.push_bind(entry.stream.as_str())
            .push_bind(*seq)
            .push_bind(entry.recorded.kind.as_str())
            .push_bind(entry.recorded.data.as_str())
            .push_bind(entry.at)
            .push_bind(None::<String>);
    });
    insert.build().execute(&mut **tx).await?;
    Ok(numbered
        .into_iter()
        .map(|(seq, entry)| Change::Appended {
            event: Arc::new(StreamEvent {
                seq,
                kind: entry.recorded.kind,
                payload: entry.recorded.data,
                created_at: entry.at,
                subject: None,
            }),
            stream: entry.stream,
            seq,
        })
        .collect())
}

/// Writes a webhook event into the company's outbox, in the caller's
/// transaction: it exists exactly when the change does. Only when a
/// webhook of the company subscribes to its type: a subscription starts at
/// the outbox's head ("from now on"), and it is created under the same
/// company lock as this transaction, so nothing it wants can be skipped.
pub(crate) async fn emit(
    tx: &mut Tx,
    company_id: &str,
    event: &WebhookEvent,
    now: Millis,
) -> StoreResult<Option<Change>> {
    let recorded = event.record()?;
    let wanted = sqlx::query(
        "SELECT id FROM webhooks WHERE company_id = $1 AND active AND deleted_at IS NULL \
         AND (',' || events || ',') LIKE $2 LIMIT 1",
    )
    .bind(company_id)
    .bind(format!("%,{},%", recorded.kind))
    .fetch_optional(&mut **tx)
    .await?;
    if wanted.is_none() {
        return Ok(None);
    }
    Ok(Some(
        append_one(tx, &outbox_stream(company_id), &recorded, None, now).await?,
    ))
}

/// Numbers the event in its stream and stores it.
async fn append_one(
    tx: &mut Tx,
    stream: &str,
    event: &Recorded,
    subject: Option<&str>,
    now: Millis,
) -> StoreResult<Change> {
    let seq: i64 = sqlx::query(
        "INSERT INTO streams (stream, last_seq) VALUES ($1, 1) ON CONFLICT (stream) \
         DO UPDATE SET last_seq = streams.last_seq + 1 RETURNING last_seq",
    )
    .bind(stream)
    .fetch_one(&mut **tx)
    .await?
    .try_get("last_seq")?;
    sqlx::query(
        "INSERT INTO events (stream, seq, kind, payload, created_at, subject) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(stream)
    .bind(seq)
    .bind(&event.kind)
    .bind(&event.data)
    .bind(now)
    .bind(subject)
    .execute(&mut **tx)
    .await?;
    Ok(Change::Appended {
        stream: stream.to_owned(),
        seq,
        event: Arc::new(StreamEvent {
            seq,
            kind: event.kind.clone(),
            payload: event.data.clone(),
            created_at: now,
            subject: subject.map(str::to_owned),
        }),
    })
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
        let rows = sqlx::query(
            "SELECT seq, kind, payload, created_at, subject FROM events \
             WHERE stream = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        )
        .bind(stream)
        .bind(after_seq)
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StreamEvent {
                    seq: r.try_get("seq")?,
                    kind: r.try_get("kind")?,
                    payload: r.try_get("payload")?,
                    created_at: r.try_get("created_at")?,
                    subject: r.try_get("subject")?,
                })
            })
            .collect()
    }

    async fn last_seq(&self, stream: &str) -> StoreResult<i64> {
        head(self.reader(), stream).await
    }
}
