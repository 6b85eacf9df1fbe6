//! The event log: per-stream numbered events, appended inside the
//! transaction of the change they describe, and read back from any seq.

use std::sync::Arc;

use async_trait::async_trait;
use hovor_core::Millis;
use sqlx::Row;

use super::{Backend, Db, Tx};
use crate::events::Recorded;
use crate::{
    company_stream, outbox_stream, Change, EventLog, RealtimeEvent, StoreResult, StreamEvent,
    WebhookEvent,
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
