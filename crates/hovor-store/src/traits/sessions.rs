use async_trait::async_trait;
use hovor_core::session::EndReason;
use hovor_core::Millis;

use crate::{
    Committed, EarlierSession, NewSession, QueuePlace, Session, SessionFilter, StoreResult,
    TransferTarget,
};

/// Sessions and their messages: the queue, accepting, writing,
/// transferring and ending.
#[async_trait]
pub trait SessionStore {
    /// A new session waiting in the queue. `queued_ahead`: how many the
    /// caller knows to be in the channel's queue already (its place is one
    /// more); `None` has them counted here, which costs a scan of the queue.
    async fn create_session(
        &self,
        new: &NewSession,
        queued_ahead: Option<i64>,
        now: Millis,
    ) -> StoreResult<Committed<Session>>;
    async fn session(&self, company_id: &str, id: &str) -> StoreResult<Option<Session>>;
    async fn session_by_token(&self, token_hash: &str) -> StoreResult<Option<Session>>;
    /// Which of these sessions the operator has held at some time (accepted,
    /// whether they still hold it or handed it on).
    async fn held_by(&self, operator_id: &str, session_ids: &[String]) -> StoreResult<Vec<String>>;
    /// Newest first.
    async fn sessions(
        &self,
        company_id: &str,
        filter: &SessionFilter,
        limit: i64,
    ) -> StoreResult<Vec<Session>>;
    /// Every waiting or offered session of the company, oldest first.
    async fn queued_sessions(&self, company_id: &str) -> StoreResult<Vec<Session>>;
    /// A queued session's place, and its wait estimated from the company's
    /// acceptances shortly before `now` (none without any).
    async fn queue_place(&self, session: &Session, now: Millis) -> StoreResult<QueuePlace>;
    /// Every queued session's place in the company, computed at once (for
    /// pushing to every waiting client after a queue change).
    async fn queue_places(
        &self,
        company_id: &str,
        now: Millis,
    ) -> StoreResult<Vec<(String, QueuePlace)>>;
    /// Exactly one operator wins; others are `Refused` (`AlreadyTaken`, or
    /// why they may not: `NotInGroup`, `ChannelNotAssigned`, `CapacityFull`).
    async fn accept(
        &self,
        company_id: &str,
        session_id: &str,
        operator_id: &str,
        now: Millis,
    ) -> StoreResult<Committed<Session>>;
    /// Gives back the offers standing for the operator on this channel (on
    /// any call channel, for a call) except `except`'s: they go back to the
    /// queue. For an operator who picks another waiting client themself.
    async fn release_offers(
        &self,
        company_id: &str,
        operator_id: &str,
        channel: hovor_core::Channel,
        except: &str,
        now: Millis,
    ) -> StoreResult<Committed<Vec<Session>>>;
    /// The operator declines the offer they have: back to the queue, never
    /// offered to them again, the decline recorded with its reason (a
    /// session bound to them, an invitation's, goes to the company's queue).
    /// `Refused(NotOfferedToYou)` when the offer is not theirs (any more).
    async fn decline(
        &self,
        company_id: &str,
        session_id: &str,
        operator_id: &str,
        reason: Option<&str>,
        now: Millis,
    ) -> StoreResult<Committed<Session>>;
    /// Back to the queue for a group or one operator, with a system message.
    /// `NotFound` when the target is not of the company.
    async fn transfer(
        &self,
        company_id: &str,
        session_id: &str,
        target: &TransferTarget,
        note: Option<&str>,
        now: Millis,
    ) -> StoreResult<Committed<Session>>;
    /// Idempotent: an ended session stays as it ended. `by`: the user who
    /// ends it; when that is not the operator who has it (a supervisor
    /// ending a stuck session), an internal system message names them.
    async fn end_session(
        &self,
        company_id: &str,
        session_id: &str,
        reason: EndReason,
        by: Option<&str>,
        now: Millis,
    ) -> StoreResult<Committed<Session>>;

    /// The client's other sessions from before this one, newest first: from
    /// the same browser (the widget's id), the same e-mail address (any
    /// case) or the same phone number.
    async fn earlier_sessions(
        &self,
        company_id: &str,
        session_id: &str,
        limit: i64,
    ) -> StoreResult<Vec<EarlierSession>>;
}
