use async_trait::async_trait;
use hovor_core::Millis;

use crate::{AfterChatWork, Committed, StoreResult};

/// After-chat work: the rests that follow conversations (started when a
/// conversation an operator held ends, in the same transaction).
#[async_trait]
pub trait AfterChatStore {
    /// The operator's rests running at `now`.
    async fn running_after_chat(
        &self,
        company_id: &str,
        user_id: &str,
        now: Millis,
    ) -> StoreResult<Vec<AfterChatWork>>;

    /// Rests that overlap `[from, to)`, oldest first: one operator's, or
    /// everyone's in the company.
    async fn after_chat_spans(
        &self,
        company_id: &str,
        user_id: Option<&str>,
        from: Millis,
        to: Millis,
    ) -> StoreResult<Vec<AfterChatWork>>;

    /// The operator is ready: their running rests end now. Returns those
    /// that ended (none: nothing was running).
    async fn end_after_chat(
        &self,
        company_id: &str,
        user_id: &str,
        now: Millis,
    ) -> StoreResult<Committed<Vec<AfterChatWork>>>;

    /// A group's after-chat time (0–600 s, checked by the caller).
    async fn set_group_after_chat(
        &self,
        company_id: &str,
        group_id: &str,
        seconds: u32,
    ) -> StoreResult<()>;
}
