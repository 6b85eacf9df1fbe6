use async_trait::async_trait;
use hovor_core::phone::PhoneLine;
use hovor_core::Millis;

use crate::{CallReport, Committed, Session, StoreResult, TelephonyFacts};

/// What the company's telephone exchange reports: the connector's
/// heartbeat, extension registrations and calls.
#[async_trait]
pub trait TelephonyStore {
    async fn telephony_facts(&self, company_id: &str) -> StoreResult<TelephonyFacts>;
    /// The exchange spoke now. True when the connector was not announced up.
    async fn touch_connector(&self, company_id: &str, now: Millis) -> StoreResult<bool>;
    /// `(company, last_seen, announced_up)` of every company with telephony.
    async fn connectors(&self) -> StoreResult<Vec<(String, Option<Millis>, bool)>>;
    /// Records what was announced of the connector; `false` when it already
    /// was (another node announced it first), so it is announced once.
    async fn set_connector_announced(&self, company_id: &str, up: bool) -> StoreResult<bool>;
    async fn save_telephony_settings(
        &self,
        company_id: &str,
        dial_url: Option<&str>,
        secret: Option<&str>,
    ) -> StoreResult<()>;
    /// `None` (and no change) when no user has the extension; else the
    /// owner's id.
    async fn register_extension(
        &self,
        company_id: &str,
        extension: &str,
        registered: bool,
        now: Millis,
    ) -> StoreResult<Option<String>>;
    /// Tells the operator's tabs and supervisors (and webhooks) their line.
    async fn announce_phone_line(
        &self,
        company_id: &str,
        user_id: &str,
        phone_line: Option<&PhoneLine>,
        now: Millis,
    ) -> StoreResult<Committed<()>>;
    async fn call_known(&self, company_id: &str, call_id: &str) -> StoreResult<bool>;
    /// Folds a call report into the call's one phone session.
    async fn call_report(
        &self,
        company_id: &str,
        report: &CallReport,
        operator_id: Option<&str>,
        now: Millis,
    ) -> StoreResult<Committed<Session>>;
}
