//! Messages: numbered per session, idempotent for a resend, and told once
//! in the session's stream (its client and the operator holding it both
//! read it there).
//!
//! Messages are written in batches (group commit): one transaction and a
//! handful of statements for however many messages arrived together,
//! whatever their sessions. Each is checked against its session as it is
//! when the batch runs, with the sessions locked in id order so that
//! batches on several nodes never deadlock.

use std::collections::HashMap;

use async_trait::async_trait;
use hovor_core::session::{self, Author, Notice};
use hovor_core::Millis;
use sqlx::{QueryBuilder, Row};

use super::attachments::{insert_attachment, HeldBy};
use super::event_log::Outgoing;
use super::rows::{self, SESSION_COLUMNS};
use super::session_rows::locked_session;
use super::{Backend, Db, Tx};
use crate::{
    Committed, Message, MessageCreated, MessageStore, NewAttachment, NewMessage, Posted, Readers,
    Session, StoreResult, WebhookEvent, Writer, Written,
};

const MESSAGE_SELECT: &str =
    "SELECT m.seq, m.author, m.operator_id, u.name AS operator_name, m.text, m.sent_at, \
     m.internal, m.notice, m.attachments FROM messages m LEFT JOIN users u ON u.id = m.operator_id";

/// The id a write is made idempotent by, as stored: a client's as it is, an
/// operator's under their own id, so that the two can never meet.
fn stored_msg_id(writer: &Writer) -> Option<String> {
    match writer {
        Writer::Client { client_msg_id } => client_msg_id.clone(),
        Writer::Operator {
            id, client_msg_id, ..
        } => client_msg_id.as_ref().map(|m| format!("{id}/{m}")),
        Writer::System => None,
    }
}

/// Who wrote it, as a message shows it.
fn author_of(writer: &Writer) -> (Author, Option<String>, Option<String>) {
    match writer {
        Writer::Client { .. } => (Author::Client, None, None),
        Writer::Operator { id, name, .. } => {
            (Author::Operator, Some(id.clone()), Some(name.clone()))
        }
        Writer::System => (Author::System, None, None),
    }
}

/// The next message seq of a session whose row the caller's transaction
/// holds locked.
async fn next_seq(tx: &mut Tx, session_id: &str) -> StoreResult<i64> {
    Ok(
        sqlx::query("SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM messages WHERE session_id = $1")
            .bind(session_id)
            .fetch_one(&mut **tx)
            .await?
            .try_get("n")?,
    )
}

/// Stores a message inside the caller's transaction, whose session row is
/// already locked, and announces it (and its webhook). Returns its seq.
async fn write_locked(
    tx: &mut Tx,
    out: &mut Outgoing,
    session: &Session,
    mut message: Message,
    now: Millis,
) -> StoreResult<i64> {
    message.seq = next_seq(tx, &session.id).await?;
    let seq = message.seq;
    out.message(&session.id, message.clone(), None);
    let data = MessageCreated {
        session_id: session.id.clone(),
        message,
    };
    out.webhook(&session.company_id, WebhookEvent::MessageCreated(data), now);
    Ok(seq)
}

/// Stores a system message inside the caller's transaction, whose session
/// row is already locked; `internal`: for operators only (a transfer's note).
pub(crate) async fn write_system_message(
    tx: &mut Tx,
    out: &mut Outgoing,
    session: &Session,
    (notice, internal): (Notice, bool),
    now: Millis,
) -> StoreResult<()> {
    let message = Message {
        seq: 0,
        author: Author::System,
        operator_id: None,
        operator_name: None,
        text: notice.text(),
        sent_at: now,
        internal,
        notice: Some(notice),
        attachments: Vec::new(),
    };
    write_locked(tx, out, session, message, now).await?;
    Ok(())
}

/// Stores an operator's message written outside the batch writer (an
/// e-mail reply) inside the caller's transaction, whose session row is
/// already locked. Returns it with its seq.
pub(crate) async fn write_operator_message(
    tx: &mut Tx,
    out: &mut Outgoing,
    session: &Session,
    mut message: Message,
    now: Millis,
) -> StoreResult<Message> {
    message.seq = write_locked(tx, out, session, message.clone(), now).await?;
    Ok(message)
}

/// Stores what the client wrote by another way than the widget (an
/// e-mail) inside the caller's transaction, whose session row is already
/// locked. Returns its seq.
pub(crate) async fn write_client_message(
    tx: &mut Tx,
    out: &mut Outgoing,
    session: &Session,
    text: &str,
    now: Millis,
) -> StoreResult<i64> {
    let message = Message {
        seq: 0,
        author: Author::Client,
        operator_id: None,
        operator_name: None,
        text: text.to_owned(),
        sent_at: now,
        internal: false,
        notice: None,
        attachments: Vec::new(),
    };
    write_locked(tx, out, session, message, now).await
}

/// A session of the batch as it stands: its row, its last message's seq,
/// and whether a webhook of its company wants its messages.
struct Target {
    session: Session,
    last_seq: i64,
    webhook_wants: bool,
}

/// Locks the batch's sessions (in id order) and reads what writing into
/// them needs: the rows with the locks, then their last messages.
///
/// The last seqs are read by a statement of their own, after the locks are
/// held: on PostgreSQL a statement that waited for a row lock sees the row
/// as its holder committed it, but anything else it reads (a subquery over
/// `messages`) as it was when the statement began — so a batch on another
/// node that wrote to the same session meanwhile would go unseen, and two
/// messages would get one seq.
async fn lock_targets(tx: &mut Tx, ids: &[&str]) -> StoreResult<HashMap<String, Target>> {
    let mut query = QueryBuilder::<Db>::new(format!(
        "SELECT {SESSION_COLUMNS}, \
         EXISTS (SELECT 1 FROM webhooks w WHERE w.company_id = s.company_id AND w.active \
         AND w.deleted_at IS NULL AND (',' || w.events || ',') LIKE '%,message.created,%') \
         AS webhook_wants \
         FROM sessions s WHERE s.id IN ("
    ));
    let mut list = query.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
    query.push(format!(") ORDER BY s.id{}", Backend::LOCK));
    let rows = query.build().fetch_all(&mut **tx).await?;
    let mut targets = HashMap::with_capacity(rows.len());
    for row in &rows {
        let session = rows::session(row)?;
        targets.insert(
            session.id.clone(),
            Target {
                session,
                last_seq: 0,
                webhook_wants: row.try_get("webhook_wants")?,
            },
        );
    }
    if targets.is_empty() {
        return Ok(targets);
    }
    // One index probe per session (MAX over a `GROUP BY` would read every
    // message of each).
    let mut last = QueryBuilder::<Db>::new(
        "SELECT s.id AS session_id, \
         (SELECT COALESCE(MAX(m.seq), 0) FROM messages m WHERE m.session_id = s.id) AS last_seq \
         FROM sessions s WHERE s.id IN (",
    );
    let mut list = last.separated(", ");
    for id in targets.keys() {
        list.push_bind(id.as_str());
    }
    last.push(")");
    for row in last.build().fetch_all(&mut **tx).await? {
        let id: String = row.try_get("session_id")?;
        if let Some(target) = targets.get_mut(&id) {
            target.last_seq = row.try_get("last_seq")?;
        }
    }
    Ok(targets)
}

/// The stored messages that resends in the batch name, by (session, stored
/// id).
async fn stored_resends(
    tx: &mut Tx,
    wanted: &[(&str, String)],
) -> StoreResult<HashMap<(String, String), Message>> {
    if wanted.is_empty() {
        return Ok(HashMap::new());
    }
    let mut query = QueryBuilder::<Db>::new(
        "SELECT m.session_id, m.client_msg_id, m.seq, m.author, m.operator_id, \
         u.name AS operator_name, m.text, m.sent_at, m.internal, m.notice, m.attachments \
         FROM messages m LEFT JOIN users u ON u.id = m.operator_id WHERE m.client_msg_id IN (",
    );
    let mut list = query.separated(", ");
    for (_, id) in wanted {
        list.push_bind(id.as_str());
    }
    query.push(") AND m.session_id IN (");
    let mut list = query.separated(", ");
    for (session, _) in wanted {
        list.push_bind(*session);
    }
    query.push(")");
    let rows = query.build().fetch_all(&mut **tx).await?;
    let mut found = HashMap::with_capacity(rows.len());
    for row in &rows {
        let key: (String, String) = (row.try_get("session_id")?, row.try_get("client_msg_id")?);
        if wanted.iter().any(|(s, id)| *s == key.0 && *id == key.1) {
            found.insert(key, rows::message(row)?);
        }
    }
    Ok(found)
}

#[async_trait]
impl MessageStore for Backend {
    async fn add_messages(&self, batch: &[NewMessage]) -> StoreResult<Committed<Vec<Written>>> {
        if batch.is_empty() {
            return Ok(Committed::unchanged(Vec::new()));
        }
        // No company lock: the sessions' row locks order the writes to their
        // streams, and a message touches no other stream but the outbox,
        // which every transaction writes last.
        let mut tx = self.begin().await?;
        let mut ids: Vec<&str> = batch.iter().map(|m| m.session_id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut targets = lock_targets(&mut tx, &ids).await?;
        let resends: Vec<(&str, String)> = batch
            .iter()
            .filter_map(|m| stored_msg_id(&m.writer).map(|id| (m.session_id.as_str(), id)))
            .collect();
        let mut stored = stored_resends(&mut tx, &resends).await?;

        let mut results = Vec::with_capacity(batch.len());
        let mut stored_any = false;
        let mut out = Outgoing::new();
        for new in batch {
            let Some(target) = targets
                .get_mut(&new.session_id)
                .filter(|t| t.session.company_id == new.company_id)
            else {
                results.push(Written::NoSession);
                continue;
            };
            let (author, operator_id, operator_name) = author_of(&new.writer);
            let session = &target.session;
            if let Err(refusal) = session::may_write(
                operator_id.as_deref(),
                session.status,
                session.operator_id.as_deref(),
            )
            .and_then(|()| session::may_chat(session.channel, operator_id.is_some()))
            {
                results.push(Written::Refused(refusal));
                continue;
            }
            let msg_id = stored_msg_id(&new.writer);
            if let Some(id) = &msg_id {
                if let Some(message) = stored.get(&(session.id.clone(), id.clone())) {
                    results.push(Written::Stored(Posted {
                        message: message.clone(),
                        created: false,
                    }));
                    continue;
                }
            }
            target.last_seq += 1;
            let message = Message {
                seq: target.last_seq,
                author,
                operator_id,
                operator_name,
                text: new.text.clone(),
                sent_at: new.at,
                internal: false,
                notice: None,
                attachments: Vec::new(),
            };
            if let Some(id) = &msg_id {
                // A resend within the same batch finds this one.
                stored.insert((session.id.clone(), id.clone()), message.clone());
            }
            out.message(&session.id, message.clone(), msg_id);
            if target.webhook_wants {
                let data = MessageCreated {
                    session_id: session.id.clone(),
                    message: message.clone(),
                };
                out.wanted_webhook(
                    &session.company_id,
                    WebhookEvent::MessageCreated(data),
                    new.at,
                );
            }
            stored_any = true;
            results.push(Written::Stored(Posted {
                message,
                created: true,
            }));
        }

        if !stored_any {
            tx.commit().await?;
            return Ok(Committed::unchanged(results));
        }
        let changes = out.write(&mut tx).await?;
        tx.commit().await?;
        Ok(Committed::new(results, changes))
    }

    async fn add_file_message(
        &self,
        company_id: &str,
        session_id: &str,
        writer: &Writer,
        file: &NewAttachment,
        now: Millis,
    ) -> StoreResult<Committed<Posted>> {
        let mut tx = self.begin().await?;
        let session = locked_session(&mut tx, company_id, session_id).await?;
        let (author, operator_id, operator_name) = author_of(writer);
        session::may_write(
            operator_id.as_deref(),
            session.status,
            session.operator_id.as_deref(),
        )
        .and_then(|()| session::may_chat(session.channel, operator_id.is_some()))?;
        let msg_id = stored_msg_id(writer);
        if let Some(id) = &msg_id {
            let key = (session.id.clone(), id.clone());
            let mut stored = stored_resends(&mut tx, &[(session_id, id.clone())]).await?;
            if let Some(message) = stored.remove(&key) {
                tx.commit().await?;
                return Ok(Committed::unchanged(Posted {
                    message,
                    created: false,
                }));
            }
        }
        let held: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM attachments \
             WHERE session_id = $1 AND message_seq IS NOT NULL",
        )
        .bind(session_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
        if held >= hovor_core::files::MAX_FILES_PER_CHAT {
            return Err(hovor_core::Refusal::TooManyFiles.into());
        }
        let seq = next_seq(&mut tx, session_id).await?;
        let stored = insert_attachment(
            &mut tx,
            (company_id, session_id),
            HeldBy::Message(seq),
            file,
            operator_id.as_deref(),
            now,
        )
        .await?;
        let message = Message {
            seq,
            author,
            operator_id,
            operator_name,
            text: String::new(),
            sent_at: now,
            internal: false,
            notice: None,
            attachments: vec![stored],
        };
        let mut out = Outgoing::new();
        out.message(&session.id, message.clone(), msg_id);
        let data = MessageCreated {
            session_id: session.id.clone(),
            message: message.clone(),
        };
        out.webhook(company_id, WebhookEvent::MessageCreated(data), now);
        let changes = out.write(&mut tx).await?;
        tx.commit().await?;
        Ok(Committed::new(
            Posted {
                message,
                created: true,
            },
            changes,
        ))
    }

    async fn messages_after(
        &self,
        session_id: &str,
        after_seq: i64,
        limit: i64,
        readers: Readers,
    ) -> StoreResult<Vec<Message>> {
        let only_public = match readers {
            Readers::Operators => "",
            Readers::Client => " AND NOT m.internal",
        };
        let sql = format!(
            "{MESSAGE_SELECT} WHERE m.session_id = $1 AND m.seq > $2{only_public} \
             ORDER BY m.seq LIMIT $3"
        );
        let rows = sqlx::query(&sql)
            .bind(session_id)
            .bind(after_seq)
            .bind(limit)
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(rows::message).collect()
    }
}
