use async_trait::async_trait;

use crate::{StoreResult, StreamEvent};

/// The event log: numbered events per stream (a user's, a client's session,
/// a company's webhook outbox), read back from any point.
#[async_trait]
pub trait EventLog {
    async fn events_after(
        &self,
        stream: &str,
        after_seq: i64,
        limit: i64,
    ) -> StoreResult<Vec<StreamEvent>>;
    /// The stream's last seq (0 for a stream with no events).
    async fn last_seq(&self, stream: &str) -> StoreResult<i64>;
}
