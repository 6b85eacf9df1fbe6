use async_trait::async_trait;
use hovor_core::reports::queue::Waited;
use hovor_core::{Cause, Channel, HistorySpan, Millis, Presence, Status};

use crate::{PauseTypeRef, Session, StoreResult};

/// A group as reports see it: archived ones too (their sessions stay).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportGroup {
    pub id: String,
    pub name: String,
    /// The built-in group holds every operator and lists no members.
    pub builtin: bool,
    /// Active member user ids.
    pub members: Vec<String>,
}

/// Which sessions a queue report counts.
#[derive(Debug, Clone, Copy, Default)]
pub struct QueueFilter<'a> {
    pub group_id: Option<&'a str>,
    pub channel: Option<Channel>,
}

/// One recorded status span with its operator, for the export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    pub operator_id: String,
    pub operator_name: String,
    pub presence: Presence,
    pub status: Status,
    pub pause_type: Option<PauseTypeRef>,
    pub cause: Cause,
    pub started_at: Millis,
    pub ended_at: Option<Millis>,
    /// The name of the supervisor or admin who set it (cause `supervisor`).
    pub changed_by_name: Option<String>,
}

/// A session with the names of its group and operator, for the export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub session: Session,
    pub group_name: Option<String>,
    pub operator_name: Option<String>,
}

/// What the reports read: history, acceptances and waits over a window
/// `[from, to)`, each from one query on the reader.
#[async_trait]
pub trait ReportStore {
    /// A group of the company, archived or not; `None` for another
    /// company's or an unknown id.
    async fn report_group(
        &self,
        company_id: &str,
        group_id: &str,
    ) -> StoreResult<Option<ReportGroup>>;
    /// The history spans of the company's users that reach into the window,
    /// as `(user id, span)`, each user's in the order recorded.
    async fn company_history_spans(
        &self,
        company_id: &str,
        from: Millis,
        to: Millis,
    ) -> StoreResult<Vec<(String, HistorySpan)>>;
    /// `(operator id, accepted_at)` of the sessions accepted in the window
    /// (by whoever holds or last held them).
    async fn acceptances(
        &self,
        company_id: &str,
        from: Millis,
        to: Millis,
    ) -> StoreResult<Vec<(String, Millis)>>;
    /// The waits of the sessions created before `to` whose wait had not
    /// ended by `from`, oldest first.
    async fn queue_waits(
        &self,
        company_id: &str,
        filter: QueueFilter<'_>,
        from: Millis,
        to: Millis,
    ) -> StoreResult<Vec<Waited>>;
    /// At most `limit` spans reaching into the window, of one user or all,
    /// by operator name and then in the order recorded.
    async fn history_rows(
        &self,
        company_id: &str,
        operator_id: Option<&str>,
        from: Millis,
        to: Millis,
        limit: i64,
    ) -> StoreResult<Vec<HistoryRow>>;
    /// At most `limit` sessions created in the window, of one group or all,
    /// oldest first.
    async fn session_rows(
        &self,
        company_id: &str,
        group_id: Option<&str>,
        from: Millis,
        to: Millis,
        limit: i64,
    ) -> StoreResult<Vec<SessionRow>>;
}
