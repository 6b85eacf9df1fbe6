use async_trait::async_trait;
use hovor_core::Millis;

use crate::{
    Attachment, Committed, Email, Inbox, IncomingEmail, Ingested, Message, NewAttachment,
    OutgoingEmail, StoreResult,
};

/// The most uploads one session holds unsent.
pub const MAX_WAITING_UPLOADS: i64 = 30;

/// The e-mails of threads: each incoming one joins its thread's session or
/// starts one, in one transaction with its message.
#[async_trait]
pub trait EmailStore {
    /// Stores an e-mail read from `inbox` (once: the same Message-ID again
    /// is [`Ingested::AlreadyStored`]). It joins the thread it replies to
    /// or references, else the thread with its subject from the same
    /// sender in the last 30 days; an open session of that thread gets it
    /// as a client message, otherwise a new `email` session waits in the
    /// inbox's group.
    async fn ingest_email(
        &self,
        inbox: &Inbox,
        email: &IncomingEmail,
        now: Millis,
    ) -> StoreResult<Committed<Ingested>>;
    /// An operator's reply in their e-mail session: their message and the
    /// e-mail that carries it (to be sent), in one transaction. It answers
    /// the thread's latest e-mail from the client, from the inbox's
    /// address, with the threading headers that keep it in the thread.
    /// `NotFound` when the session has no e-mail to answer.
    async fn write_email_reply(
        &self,
        company_id: &str,
        session_id: &str,
        operator: (&str, &str),
        text: &str,
        attachments: &[String],
        now: Millis,
    ) -> StoreResult<Committed<(Message, Email)>>;
    /// An operator's upload to the session they hold, to go out with their
    /// next reply (`attachments` of [`EmailStore::write_email_reply`]).
    /// `Refused` when the session is not theirs to write in, or already
    /// holds [`MAX_WAITING_UPLOADS`] unsent uploads.
    async fn add_upload(
        &self,
        company_id: &str,
        session_id: &str,
        operator_id: &str,
        file: &NewAttachment,
        now: Millis,
    ) -> StoreResult<Attachment>;
    /// Forgets uploads no reply took, made before `before` (at most
    /// `limit`), and answers the files they named that no other
    /// attachment names (so their bytes may go).
    async fn forget_unsent_uploads(&self, before: Millis, limit: i64) -> StoreResult<Vec<String>>;
    /// One file of a session.
    async fn attachment(
        &self,
        company_id: &str,
        session_id: &str,
        id: &str,
    ) -> StoreResult<Option<Attachment>>;
    /// Replies whose (next) attempt is due, each claimed for `claim_ms` so
    /// that no other node sends it meanwhile.
    async fn claim_due_emails(
        &self,
        now: Millis,
        claim_ms: Millis,
        limit: i64,
    ) -> StoreResult<Vec<OutgoingEmail>>;
    /// A reply was sent (told to the session's stream).
    async fn email_sent(&self, id: &str, now: Millis) -> StoreResult<Committed<()>>;
    /// A reply's attempt failed: tried again at `retry_at`, or given up
    /// (`None`: `failed`).
    async fn email_failed(
        &self,
        id: &str,
        error: &str,
        retry_at: Option<Millis>,
        now: Millis,
    ) -> StoreResult<Committed<()>>;
    /// A session's e-mails, oldest first.
    async fn session_emails(&self, company_id: &str, session_id: &str) -> StoreResult<Vec<Email>>;
}
