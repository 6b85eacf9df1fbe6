//! E-mails: each incoming one joins its thread's open session (as a client
//! message) or starts an `email` session, in one transaction, and is stored
//! once however often it is read.

use async_trait::async_trait;
use hovor_core::email::{
    address_key, id_list, reply_headers, reply_subject, thread_candidates, thread_subject,
};
use hovor_core::session::{self, Author, SessionStatus, Source};
use hovor_core::{Channel, Millis};
use sqlx::Row;

use super::attachments::{insert_attachment, HeldBy};
use super::companies::builtin_group_id;
use super::event_log::Outgoing;
use super::messages::{write_client_message, write_operator_message};
use super::session_rows::{insert_session, locked_session};
use super::sessions::{announce, moved, Operators};
use super::{Backend, Db, DbRow, Tx};
use crate::{
    new_id, Attachment, ClientInfo, Committed, Email, EmailSendStateChanged, EmailStore, Inbox,
    IncomingEmail, Ingested, Message, NewAttachment, NewSession, OutgoingEmail, RealtimeEvent,
    SessionEvent, StoreError, StoreResult, WebhookEvent, MAX_WAITING_UPLOADS,
};
use hovor_core::Refusal;

const EMAIL_COLUMNS: &str = "id, message_seq, direction, message_id, subject, from_address, \
     from_name, to_addresses, cc_addresses, text_body, sent_at, send_state, send_error";

/// How far back a message with no threading headers is matched to a
/// thread by its subject and sender.
const BY_SUBJECT_WITHIN_MS: Millis = 30 * 24 * 3600 * 1000;
/// At most this many of an e-mail's references are looked up.
const MAX_CANDIDATES: usize = 50;

fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect()
}

fn email(row: &DbRow) -> StoreResult<Email> {
    Ok(Email {
        id: row.try_get("id")?,
        message_seq: row.try_get("message_seq")?,
        direction: row.try_get("direction")?,
        message_id: row.try_get("message_id")?,
        subject: row.try_get("subject")?,
        from_address: row.try_get("from_address")?,
        from_name: row.try_get("from_name")?,
        to: split_list(&row.try_get::<String, _>("to_addresses")?),
        cc: split_list(&row.try_get::<String, _>("cc_addresses")?),
        text: row.try_get("text_body")?,
        sent_at: row.try_get("sent_at")?,
        send_state: row.try_get("send_state")?,
        send_error: row.try_get("send_error")?,
        attachments: Vec::new(),
    })
}

const ATTACHMENT_COLUMNS: &str = "id, email_id, name, content_type, size, sha256, message_seq";

fn attachment(row: &DbRow) -> StoreResult<Attachment> {
    let sha256: Option<String> = row.try_get("sha256")?;
    Ok(Attachment {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        content_type: row.try_get("content_type")?,
        size: row.try_get("size")?,
        available: sha256.is_some(),
        email_id: row.try_get("email_id")?,
        sha256,
        message_seq: row.try_get("message_seq")?,
    })
}

/// Records how a reply's sending went, and tells the session's stream
/// (`email.send_state_changed`, with the e-mail as it is now).
async fn send_state(
    store: &Backend,
    id: &str,
    (state, error, retry_at): (&str, Option<&str>, Option<Millis>),
    now: Millis,
) -> StoreResult<Committed<()>> {
    let owner = sqlx::query("SELECT company_id, session_id FROM emails WHERE id = $1")
        .bind(id)
        .fetch_optional(store.reader())
        .await?
        .ok_or(StoreError::NotFound)?;
    let company_id: String = owner.try_get("company_id")?;
    let session_id: String = owner.try_get("session_id")?;
    let mut tx = store.begin_for(&company_id).await?;
    sqlx::query(
        "UPDATE emails SET send_state = $2, send_error = $3, next_attempt_at = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(state)
    .bind(error)
    .bind(retry_at)
    .execute(&mut *tx)
    .await?;
    let row = sqlx::query(&format!("SELECT {EMAIL_COLUMNS} FROM emails WHERE id = $1"))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    let mut now_email = email(&row)?;
    now_email.attachments = attachments_of(&mut *tx, id).await?;
    let mut out = Outgoing::new();
    let event = RealtimeEvent::EmailSendStateChanged(EmailSendStateChanged {
        session_id: session_id.clone(),
        email: now_email,
    });
    out.event(&session_id, event, now);
    let changes = out.write(&mut tx).await?;
    tx.commit().await?;
    Ok(Committed::new((), changes))
}

/// The files of one e-mail, in the order they were attached.
async fn attachments_of<'e, E>(executor: E, email_id: &str) -> StoreResult<Vec<Attachment>>
where
    E: sqlx::Executor<'e, Database = Db>,
{
    let rows = sqlx::query(&format!(
        "SELECT {ATTACHMENT_COLUMNS} FROM attachments WHERE email_id = $1 \
         ORDER BY created_at, name, id"
    ))
    .bind(email_id)
    .fetch_all(executor)
    .await?;
    rows.iter().map(attachment).collect()
}

fn outgoing(row: &DbRow) -> StoreResult<OutgoingEmail> {
    Ok(OutgoingEmail {
        id: row.try_get("id")?,
        company_id: row.try_get("company_id")?,
        inbox_id: row.try_get("inbox_id")?,
        session_id: row.try_get("session_id")?,
        message_id: row.try_get("message_id")?,
        in_reply_to: row.try_get("in_reply_to")?,
        references: id_list(&row.try_get::<String, _>("refs")?),
        subject: row.try_get("subject")?,
        from_address: row.try_get("from_address")?,
        from_name: row.try_get("from_name")?,
        to: split_list(&row.try_get::<String, _>("to_addresses")?),
        text: row.try_get("text_body")?,
        sent_at: row.try_get("sent_at")?,
        attempts: row.try_get("send_attempts")?,
        attachments: Vec::new(),
    })
}

/// The session of the thread this e-mail belongs to, if any.
async fn thread_of(
    tx: &mut Tx,
    inbox: &Inbox,
    e: &IncomingEmail,
    now: Millis,
) -> StoreResult<Option<String>> {
    for id in thread_candidates(&e.in_reply_to, &e.references)
        .iter()
        .take(MAX_CANDIDATES)
    {
        let found =
            sqlx::query("SELECT session_id FROM emails WHERE inbox_id = $1 AND message_id = $2")
                .bind(&inbox.id)
                .bind(id)
                .fetch_optional(&mut **tx)
                .await?;
        if let Some(row) = found {
            return Ok(Some(row.try_get("session_id")?));
        }
    }
    let subject = thread_subject(&e.subject);
    if subject.is_empty() {
        return Ok(None);
    }
    let found = sqlx::query(
        "SELECT session_id FROM emails WHERE inbox_id = $1 AND thread_subject = $2 \
         AND from_address = $3 AND direction = 'in' AND stored_at > $4 \
         ORDER BY stored_at DESC, message_seq DESC LIMIT 1",
    )
    .bind(&inbox.id)
    .bind(&subject)
    .bind(address_key(&e.from_address))
    .bind(now - BY_SUBJECT_WITHIN_MS)
    .fetch_optional(&mut **tx)
    .await?;
    found
        .map(|r| r.try_get("session_id"))
        .transpose()
        .map_err(Into::into)
}

/// The session, locked, if the operator may write in it (it is theirs and
/// active).
async fn writable_session(
    tx: &mut Tx,
    company_id: &str,
    session_id: &str,
    operator_id: &str,
) -> StoreResult<crate::Session> {
    let session = locked_session(tx, company_id, session_id).await?;
    session::may_write(
        Some(operator_id),
        session.status,
        session.operator_id.as_deref(),
    )?;
    Ok(session)
}

/// The inbox's group if it still has it, else the built-in one.
async fn group_for(tx: &mut Tx, inbox: &Inbox) -> StoreResult<String> {
    if let Some(id) = &inbox.group_id {
        let live =
            sqlx::query("SELECT id FROM groups WHERE company_id = $1 AND id = $2 AND NOT archived")
                .bind(&inbox.company_id)
                .bind(id)
                .fetch_optional(&mut **tx)
                .await?;
        if live.is_some() {
            return Ok(id.clone());
        }
    }
    Ok(builtin_group_id(&inbox.company_id))
}

#[async_trait]
impl EmailStore for Backend {
    async fn ingest_email(
        &self,
        inbox: &Inbox,
        e: &IncomingEmail,
        now: Millis,
    ) -> StoreResult<Committed<Ingested>> {
        let company_id = inbox.company_id.as_str();
        let mut tx = self.begin_for(company_id).await?;
        let stored = sqlx::query("SELECT id FROM emails WHERE inbox_id = $1 AND message_id = $2")
            .bind(&inbox.id)
            .bind(&e.message_id)
            .fetch_optional(&mut *tx)
            .await?;
        if stored.is_some() {
            return Ok(Committed::unchanged(Ingested::AlreadyStored));
        }
        let thread = match thread_of(&mut tx, inbox, e, now).await? {
            Some(id) => Some(locked_session(&mut tx, company_id, &id).await?),
            None => None,
        };
        // A follow-up to an ended thread goes first to who answered it.
        let previous_operator = thread
            .as_ref()
            .filter(|s| s.status == SessionStatus::Ended)
            .and_then(|s| s.operator_id.clone());
        let open = thread.filter(|s| s.status != SessionStatus::Ended);
        let mut out = Outgoing::new();
        let (session, started) = match open {
            Some(session) => (session, false),
            None => {
                let group_id = group_for(&mut tx, inbox).await?;
                let new = NewSession {
                    company_id: company_id.to_owned(),
                    channel: Channel::Email,
                    source: Source::Email,
                    group_id: Some(group_id.clone()),
                    target_operator_id: None,
                    preferred_operator_id: previous_operator,
                    client: ClientInfo {
                        name: e.from_name.clone(),
                        email: Some(address_key(&e.from_address)).filter(|a| !a.is_empty()),
                        phone: None,
                    },
                    page_url: None,
                    client_token_hash: None,
                    call_media: None,
                    visitor_hash: None,
                };
                let session = insert_session(&mut tx, &new, &group_id, now).await?;
                announce(&mut tx, &mut out, &session, Operators::Changed(&[]), now).await?;
                let webhook = WebhookEvent::SessionCreated(SessionEvent {
                    session: session.clone(),
                });
                out.webhook(company_id, webhook, now);
                (session, true)
            }
        };
        let seq = write_client_message(&mut tx, &mut out, &session, &e.text, now).await?;
        let email_id = new_id("eml");
        sqlx::query(
            "INSERT INTO emails (id, company_id, inbox_id, session_id, message_seq, direction, \
             message_id, in_reply_to, refs, subject, thread_subject, from_address, from_name, \
             to_addresses, cc_addresses, text_body, sent_at, stored_at, send_state, \
             send_attempts, send_error, next_attempt_at) \
             VALUES ($1, $2, $3, $4, $5, 'in', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
             $16, $17, NULL, 0, NULL, NULL)",
        )
        .bind(&email_id)
        .bind(company_id)
        .bind(&inbox.id)
        .bind(&session.id)
        .bind(seq)
        .bind(&e.message_id)
        .bind(e.in_reply_to.first())
        .bind(e.references.join(" "))
        .bind(&e.subject)
        .bind(thread_subject(&e.subject))
        .bind(address_key(&e.from_address))
        .bind(&e.from_name)
        .bind(e.to.join(", "))
        .bind(e.cc.join(", "))
        .bind(&e.text)
        .bind(e.sent_at)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        for file in &e.attachments {
            let owner = (company_id, session.id.as_str());
            insert_attachment(&mut tx, owner, HeldBy::Email(&email_id), file, None, now).await?;
        }
        let mut changes = out.write(&mut tx).await?;
        changes.push(moved(company_id));
        tx.commit().await?;
        let ingested = if started {
            Ingested::Started(session)
        } else {
            Ingested::Joined(session)
        };
        Ok(Committed::new(ingested, changes))
    }

    async fn write_email_reply(
        &self,
        company_id: &str,
        session_id: &str,
        (operator_id, operator_name): (&str, &str),
        text: &str,
        attachments: &[String],
        now: Millis,
    ) -> StoreResult<Committed<(Message, Email)>> {
        let mut tx = self.begin_for(company_id).await?;
        let session = writable_session(&mut tx, company_id, session_id, operator_id).await?;
        // The client's latest e-mail is the one answered.
        let parent = sqlx::query(
            "SELECT e.inbox_id, e.message_id, e.refs, e.subject, e.from_address, i.address, \
             i.name AS inbox_name FROM emails e JOIN inboxes i ON i.id = e.inbox_id \
             WHERE e.session_id = $1 AND e.direction = 'in' ORDER BY e.message_seq DESC \
             LIMIT 1",
        )
        .bind(session_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let inbox_id: String = parent.try_get("inbox_id")?;
        let parent_id: String = parent.try_get("message_id")?;
        let parent_refs = id_list(&parent.try_get::<String, _>("refs")?);
        let (in_reply_to, references) = reply_headers(&parent_id, &parent_refs);
        let subject = reply_subject(&parent.try_get::<String, _>("subject")?);
        let to: String = parent.try_get("from_address")?;
        let from: String = parent.try_get("address")?;
        let from_name: String = parent.try_get("inbox_name")?;
        let domain = from.rsplit_once('@').map_or("hovor.invalid", |(_, d)| d);
        let message_id = format!("{}@{domain}", new_id("reply"));
        let mut out = Outgoing::new();
        let message = Message {
            seq: 0,
            author: Author::Operator,
            operator_id: Some(operator_id.to_owned()),
            operator_name: Some(operator_name.to_owned()),
            text: text.to_owned(),
            sent_at: now,
            internal: false,
            notice: None,
            attachments: Vec::new(),
        };
        let message = write_operator_message(&mut tx, &mut out, &session, message, now).await?;
        let id = new_id("eml");
        sqlx::query(
            "INSERT INTO emails (id, company_id, inbox_id, session_id, message_seq, direction, \
             message_id, in_reply_to, refs, subject, thread_subject, from_address, from_name, \
             to_addresses, cc_addresses, text_body, sent_at, stored_at, send_state, \
             send_attempts, send_error, next_attempt_at) \
             VALUES ($1, $2, $3, $4, $5, 'out', $6, $7, $8, $9, $10, $11, $12, $13, '', $14, \
             $15, $15, 'pending', 0, NULL, $15)",
        )
        .bind(&id)
        .bind(company_id)
        .bind(&inbox_id)
        .bind(session_id)
        .bind(message.seq)
        .bind(&message_id)
        .bind(&in_reply_to)
        .bind(references.join(" "))
        .bind(&subject)
        .bind(thread_subject(&subject))
        .bind(&from)
        .bind(&from_name)
        .bind(&to)
        .bind(text)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let mut unique = attachments.to_vec();
        unique.sort();
        unique.dedup();
        for file in &unique {
            // Only this session's uploads that no reply carries yet.
            let taken = sqlx::query(
                "UPDATE attachments SET email_id = $1 \
                 WHERE id = $2 AND session_id = $3 AND email_id IS NULL AND message_seq IS NULL",
            )
            .bind(&id)
            .bind(file)
            .bind(session_id)
            .execute(&mut *tx)
            .await?;
            if taken.rows_affected() != 1 {
                return Err(Refusal::UnknownAttachment.into());
            }
        }
        let row = sqlx::query(&format!("SELECT {EMAIL_COLUMNS} FROM emails WHERE id = $1"))
            .bind(&id)
            .fetch_one(&mut *tx)
            .await?;
        let mut stored = email(&row)?;
        stored.attachments = attachments_of(&mut *tx, &id).await?;
        let mut changes = out.write(&mut tx).await?;
        changes.push(moved(company_id));
        tx.commit().await?;
        Ok(Committed::new((message, stored), changes))
    }

    async fn claim_due_emails(
        &self,
        now: Millis,
        claim_ms: Millis,
        limit: i64,
    ) -> StoreResult<Vec<OutgoingEmail>> {
        let due = sqlx::query(
            "SELECT id FROM emails WHERE send_state = 'pending' AND next_attempt_at <= $1 \
             ORDER BY next_attempt_at LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        let mut claimed = Vec::new();
        for row in due {
            let id: String = row.try_get("id")?;
            // Claimed only if nobody moved its time meanwhile.
            let taken = sqlx::query(
                "UPDATE emails SET next_attempt_at = $3, send_attempts = send_attempts + 1 \
                 WHERE id = $1 AND send_state = 'pending' AND next_attempt_at <= $2",
            )
            .bind(&id)
            .bind(now)
            .bind(now + claim_ms)
            .execute(self.writer())
            .await?;
            if taken.rows_affected() == 0 {
                continue;
            }
            let row = sqlx::query(
                "SELECT id, company_id, inbox_id, session_id, message_id, in_reply_to, refs, \
                 subject, from_address, from_name, to_addresses, text_body, sent_at, \
                 send_attempts FROM emails WHERE id = $1",
            )
            .bind(&id)
            .fetch_one(self.writer())
            .await?;
            let mut reply = outgoing(&row)?;
            reply.attachments = attachments_of(self.writer(), &id).await?;
            claimed.push(reply);
        }
        Ok(claimed)
    }

    async fn email_sent(&self, id: &str, now: Millis) -> StoreResult<Committed<()>> {
        send_state(self, id, ("sent", None, None), now).await
    }

    async fn email_failed(
        &self,
        id: &str,
        error: &str,
        retry_at: Option<Millis>,
        now: Millis,
    ) -> StoreResult<Committed<()>> {
        let state = if retry_at.is_some() {
            "pending"
        } else {
            "failed"
        };
        send_state(self, id, (state, Some(error), retry_at), now).await
    }

    async fn session_emails(&self, company_id: &str, session_id: &str) -> StoreResult<Vec<Email>> {
        let rows = sqlx::query(&format!(
            "SELECT {EMAIL_COLUMNS} FROM emails \
             WHERE company_id = $1 AND session_id = $2 ORDER BY message_seq"
        ))
        .bind(company_id)
        .bind(session_id)
        .fetch_all(self.reader())
        .await?;
        let mut emails = rows.iter().map(email).collect::<StoreResult<Vec<_>>>()?;
        let files = sqlx::query(&format!(
            "SELECT {ATTACHMENT_COLUMNS} FROM attachments \
             WHERE company_id = $1 AND session_id = $2 AND email_id IS NOT NULL \
             ORDER BY created_at, name, id"
        ))
        .bind(company_id)
        .bind(session_id)
        .fetch_all(self.reader())
        .await?;
        for row in &files {
            let file = attachment(row)?;
            if let Some(e) = emails
                .iter_mut()
                .find(|e| file.email_id.as_deref() == Some(e.id.as_str()))
            {
                e.attachments.push(file);
            }
        }
        Ok(emails)
    }

    async fn add_upload(
        &self,
        company_id: &str,
        session_id: &str,
        operator_id: &str,
        file: &NewAttachment,
        now: Millis,
    ) -> StoreResult<Attachment> {
        let mut tx = self.begin_for(company_id).await?;
        writable_session(&mut tx, company_id, session_id, operator_id).await?;
        let waiting: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM attachments WHERE session_id = $1 AND email_id IS NULL \
             AND message_seq IS NULL",
        )
        .bind(session_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
        if waiting >= MAX_WAITING_UPLOADS {
            return Err(Refusal::TooManyUploads.into());
        }
        let stored = insert_attachment(
            &mut tx,
            (company_id, session_id),
            HeldBy::Waiting,
            file,
            Some(operator_id),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn forget_unsent_uploads(&self, before: Millis, limit: i64) -> StoreResult<Vec<String>> {
        let stale = sqlx::query(
            "SELECT id, sha256 FROM attachments WHERE email_id IS NULL AND message_seq IS NULL \
             AND created_at < $1 ORDER BY created_at LIMIT $2",
        )
        .bind(before)
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        let mut unused = Vec::new();
        for row in &stale {
            let id: String = row.try_get("id")?;
            let sha256: Option<String> = row.try_get("sha256")?;
            // Gone only if no reply took it meanwhile.
            let gone = sqlx::query(
                "DELETE FROM attachments WHERE id = $1 AND email_id IS NULL AND message_seq IS NULL",
            )
                .bind(&id)
                .execute(self.writer())
                .await?;
            let Some(sha256) = sha256.filter(|_| gone.rows_affected() == 1) else {
                continue;
            };
            let named = sqlx::query("SELECT 1 AS named FROM attachments WHERE sha256 = $1 LIMIT 1")
                .bind(&sha256)
                .fetch_optional(self.writer())
                .await?;
            if named.is_none() && !unused.contains(&sha256) {
                unused.push(sha256);
            }
        }
        Ok(unused)
    }

    async fn attachment(
        &self,
        company_id: &str,
        session_id: &str,
        id: &str,
    ) -> StoreResult<Option<Attachment>> {
        let row = sqlx::query(&format!(
            "SELECT {ATTACHMENT_COLUMNS} FROM attachments \
             WHERE company_id = $1 AND session_id = $2 AND id = $3"
        ))
        .bind(company_id)
        .bind(session_id)
        .bind(id)
        .fetch_optional(self.reader())
        .await?;
        row.as_ref().map(attachment).transpose()
    }
}
