//! Messages: numbered per session, idempotent for a client's resend, and
//! told to the client and to the operator who has the session.

use async_trait::async_trait;
use hovor_core::session;
use hovor_core::Millis;
use sqlx::Row;

use super::event_log::{append, emit};
use super::rows;
use super::session_rows::locked_session;
use super::users::active_user;
use super::{Backend, Tx};
use crate::{
    Change, Committed, Message, MessageCreated, MessageStore, Posted, RealtimeEvent, Session,
    StoreResult, WebhookEvent, Writer,
};

const MESSAGE_SELECT: &str =
    "SELECT m.seq, m.author, m.operator_id, u.name AS operator_name, m.text, m.sent_at \
     FROM messages m LEFT JOIN users u ON u.id = m.operator_id";

/// The id a write is made idempotent by, as stored: a client's as it is, an
/// operator's under their own id, so that the two can never meet.
fn stored_msg_id(writer: &Writer) -> Option<String> {
    match writer {
        Writer::Client { client_msg_id } => client_msg_id.clone(),
        Writer::Operator { id, client_msg_id } => {
            client_msg_id.as_ref().map(|m| format!("{id}/{m}"))
        }
        Writer::System => None,
    }
}

/// Stores a message and tells the client and the operator who has it.
pub(crate) async fn write_message(
    tx: &mut Tx,
    session: &Session,
    writer: &Writer,
    text: &str,
    now: Millis,
) -> StoreResult<(Posted, Vec<Change>)> {
    if let Some(id) = stored_msg_id(writer) {
        let sql = format!("{MESSAGE_SELECT} WHERE m.session_id = $1 AND m.client_msg_id = $2");
        let row = sqlx::query(&sql)
            .bind(&session.id)
            .bind(&id)
            .fetch_optional(&mut **tx)
            .await?;
        if let Some(row) = row {
            let message = rows::message(&row)?;
            return Ok((
                Posted {
                    message,
                    created: false,
                },
                Vec::new(),
            ));
        }
    }
    let seq: i64 =
        sqlx::query("SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM messages WHERE session_id = $1")
            .bind(&session.id)
            .fetch_one(&mut **tx)
            .await?
            .try_get("n")?;
    let client_msg_id = stored_msg_id(writer);
    let (author, operator_id) = match writer {
        Writer::Client { .. } => (session::Author::Client, None),
        Writer::Operator { id, .. } => (session::Author::Operator, Some(id.clone())),
        Writer::System => (session::Author::System, None),
    };
    sqlx::query(
        "INSERT INTO messages (session_id, seq, author, operator_id, text, client_msg_id, \
         sent_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&session.id)
    .bind(seq)
    .bind(author.as_str())
    .bind(&operator_id)
    .bind(text)
    .bind(&client_msg_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let operator_name = match &operator_id {
        Some(id) => active_user(&mut **tx, &session.company_id, id)
            .await?
            .map(|u| u.name),
        None => None,
    };
    let message = Message {
        seq,
        author,
        operator_id,
        operator_name,
        text: text.to_owned(),
        sent_at: now,
    };
    let data = MessageCreated {
        session_id: session.id.clone(),
        message: message.clone(),
    };
    // Once, in the session's stream: its client and the operator holding it
    // both read it there.
    let realtime = RealtimeEvent::MessageCreated(data.clone());
    let mut changes = append(tx, std::slice::from_ref(&session.id), &realtime, now).await?;
    let webhook = WebhookEvent::MessageCreated(data);
    changes.extend(emit(tx, &session.company_id, &webhook, now).await?);
    Ok((
        Posted {
            message,
            created: true,
        },
        changes,
    ))
}

#[async_trait]
impl MessageStore for Backend {
    async fn add_message(
        &self,
        company_id: &str,
        session_id: &str,
        writer: &Writer,
        text: &str,
        now: Millis,
    ) -> StoreResult<Committed<Posted>> {
        // No company lock: the session's row lock orders the writes to its
        // stream, and a message touches no other stream but the outbox, which
        // every transaction writes last.
        let mut tx = self.begin().await?;
        let session = locked_session(&mut tx, company_id, session_id).await?;
        let operator = match writer {
            Writer::Operator { id, .. } => Some(id.as_str()),
            Writer::Client { .. } | Writer::System => None,
        };
        session::may_write(operator, session.status, session.operator_id.as_deref())?;
        let (posted, changes) = write_message(&mut tx, &session, writer, text, now).await?;
        tx.commit().await?;
        Ok(Committed::new(posted, changes))
    }

    async fn messages_after(
        &self,
        session_id: &str,
        after_seq: i64,
        limit: i64,
    ) -> StoreResult<Vec<Message>> {
        let sql = format!(
            "{MESSAGE_SELECT} WHERE m.session_id = $1 AND m.seq > $2 ORDER BY m.seq LIMIT $3"
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
