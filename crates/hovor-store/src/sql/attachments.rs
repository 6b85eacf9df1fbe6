//! The rows of the `attachments` table: which session a file belongs to
//! and what carries it (an e-mail, a chat message, or nothing yet). The
//! bytes are in the file store, named by their SHA-256.

use hovor_core::Millis;

use super::Tx;
use crate::{new_id, Attachment, NewAttachment, StoreResult};

/// What carries a file of a session.
#[derive(Clone, Copy)]
pub(crate) enum HeldBy<'a> {
    /// An e-mail (received, or a reply).
    Email(&'a str),
    /// A chat message, by its seq.
    Message(i64),
    /// Nothing yet: an operator's upload for their next e-mail reply.
    Waiting,
}

/// Records a file of the session (its bytes are in the file store).
pub(crate) async fn insert_attachment(
    tx: &mut Tx,
    (company_id, session_id): (&str, &str),
    held_by: HeldBy<'_>,
    file: &NewAttachment,
    uploaded_by: Option<&str>,
    now: Millis,
) -> StoreResult<Attachment> {
    let id = new_id("att");
    let (email_id, message_seq) = match held_by {
        HeldBy::Email(id) => (Some(id), None),
        HeldBy::Message(seq) => (None, Some(seq)),
        HeldBy::Waiting => (None, None),
    };
    sqlx::query(
        "INSERT INTO attachments (id, company_id, session_id, email_id, message_seq, name, \
         content_type, size, sha256, uploaded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&id)
    .bind(company_id)
    .bind(session_id)
    .bind(email_id)
    .bind(message_seq)
    .bind(&file.name)
    .bind(&file.content_type)
    .bind(file.size)
    .bind(&file.sha256)
    .bind(uploaded_by)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(Attachment {
        id,
        name: file.name.clone(),
        content_type: file.content_type.clone(),
        size: file.size,
        available: file.sha256.is_some(),
        email_id: email_id.map(str::to_owned),
        sha256: file.sha256.clone(),
        message_seq,
    })
}
