use async_trait::async_trait;

use hovor_core::Millis;

use crate::{Committed, Message, NewAttachment, NewMessage, Posted, StoreResult, Writer, Written};

/// Who reads a transcript: the client never sees internal messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readers {
    Operators,
    Client,
}

/// The messages of a session, numbered in it.
#[async_trait]
pub trait MessageStore {
    /// Stores a batch of messages in one transaction (group commit), each
    /// checked against its session as it is when the batch runs; what
    /// became of each comes back in the batch's order. A refused message
    /// changes nothing; a resend of a stored `client_msg_id` returns the
    /// stored message (`created: false`).
    async fn add_messages(&self, batch: &[NewMessage]) -> StoreResult<Committed<Vec<Written>>>;

    /// Stores a file sent in a chat (its bytes already in the file store)
    /// as a message of its own, carrying it: checked like any message, at
    /// most [`hovor_core::files::MAX_FILES_PER_CHAT`] files a conversation,
    /// and idempotent by the writer's `client_msg_id`.
    async fn add_file_message(
        &self,
        company_id: &str,
        session_id: &str,
        writer: &Writer,
        file: &NewAttachment,
        now: Millis,
    ) -> StoreResult<Committed<Posted>>;

    async fn messages_after(
        &self,
        session_id: &str,
        after_seq: i64,
        limit: i64,
        readers: Readers,
    ) -> StoreResult<Vec<Message>>;
}
