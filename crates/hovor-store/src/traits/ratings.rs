use async_trait::async_trait;
use hovor_core::Millis;

use crate::{Committed, Session, StoreResult};

/// Clients' ratings of their conversations.
#[async_trait]
pub trait RatingStore {
    /// The client rates the conversation (`hovor_core::rating::may_rate`
    /// decides, against the company's settings), exactly once even when
    /// sent twice at the same moment.
    async fn rate_session(
        &self,
        company_id: &str,
        session_id: &str,
        score: u8,
        comment: Option<&str>,
        now: Millis,
    ) -> StoreResult<Committed<Session>>;

    /// Ratings given in `[from, to)`: (operator, when, score).
    async fn ratings(
        &self,
        company_id: &str,
        from: Millis,
        to: Millis,
    ) -> StoreResult<Vec<(String, Millis, u8)>>;
}
