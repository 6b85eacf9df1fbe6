use async_trait::async_trait;

use crate::{Committed, Message, NewMessage, StoreResult, Written};

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

    async fn messages_after(
        &self,
        session_id: &str,
        after_seq: i64,
        limit: i64,
        readers: Readers,
    ) -> StoreResult<Vec<Message>>;
}
