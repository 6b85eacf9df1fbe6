use async_trait::async_trait;
use hovor_core::routing::{Candidate, Waiting};
use hovor_core::routing_book::Place;
use hovor_core::Millis;

use crate::{Committed, Session, StoreResult};

/// What routing reads and the offers it makes. The database has the last
/// word: an offer rechecks the operator's room inside its transaction.
#[async_trait]
pub trait RoutingStore {
    /// The sessions waiting to be offered.
    async fn waiting(&self, company_id: &str) -> StoreResult<Vec<Waiting>>;
    /// Every operator with a channel, as routing sees them, their phone
    /// line's readiness as of `now` included.
    async fn candidates(&self, company_id: &str, now: Millis) -> StoreResult<Vec<Candidate>>;
    /// Both: what routing decides from.
    async fn routing_snapshot(
        &self,
        company_id: &str,
        now: Millis,
    ) -> StoreResult<(Vec<Waiting>, Vec<Candidate>)> {
        Ok((
            self.waiting(company_id).await?,
            self.candidates(company_id, now).await?,
        ))
    }
    /// The company's open sessions (waiting, offered, active) as routing's
    /// book tracks them: `(session, seq of its stream's head, place)`, read
    /// in one statement, so each seq matches its place.
    async fn open_sessions(&self, company_id: &str) -> StoreResult<Vec<(String, i64, Place)>>;
    /// Companies with sessions waiting now.
    async fn companies_with_waiting(&self) -> StoreResult<Vec<String>>;
    /// Makes a routing pass's offers, `(session, operator)` in turn, in one
    /// transaction: each session that is still waiting goes to its operator
    /// if they still have room (rechecked with the offers before it), else
    /// its answer is `None`.
    async fn offer_all(
        &self,
        company_id: &str,
        plan: &[(String, String)],
        deadline: Millis,
        now: Millis,
    ) -> StoreResult<Committed<Vec<Option<Session>>>>;
    /// Offers whose deadline has passed: `(company, session, operator)`.
    async fn expired_offers(&self, now: Millis) -> StoreResult<Vec<(String, String, String)>>;
    /// Sessions offered to this operator now.
    async fn offers_to(&self, company_id: &str, operator_id: &str) -> StoreResult<Vec<String>>;
    /// Puts an offered session back in the queue (if still offered to that
    /// operator).
    async fn withdraw_offer(
        &self,
        company_id: &str,
        session_id: &str,
        operator_id: &str,
        now: Millis,
    ) -> StoreResult<Committed<Option<Session>>>;
    /// The operator was just chosen (a call routed by the exchange): the
    /// longest-idle order moves on.
    async fn mark_offered(&self, operator_id: &str, now: Millis) -> StoreResult<()>;
}
