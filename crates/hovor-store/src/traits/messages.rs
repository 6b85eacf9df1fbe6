use async_trait::async_trait;
use hovor_core::Millis;

use crate::{Committed, Message, Posted, StoreResult, Writer};

/// The messages of a session, numbered in it.
#[async_trait]
pub trait MessageStore {
    /// Stores a message; a client's resend of the same `client_msg_id`
    /// returns the stored one (`created: false`).
    async fn add_message(
        &self,
        company_id: &str,
        session_id: &str,
        writer: &Writer,
        text: &str,
        now: Millis,
    ) -> StoreResult<Committed<Posted>>;

    async fn messages_after(
        &self,
        session_id: &str,
        after_seq: i64,
        limit: i64,
    ) -> StoreResult<Vec<Message>>;
}
