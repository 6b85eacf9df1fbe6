use async_trait::async_trait;
use hovor_core::Millis;

use crate::{CannedAnswer, CannedDraft, StoreResult};

/// Canned answers: the company's and each operator's own.
#[async_trait]
pub trait CannedStore {
    /// The company's canned answers and the operator's own (`None`: the
    /// company's only), by shortcut.
    async fn canned_answers(
        &self,
        company_id: &str,
        operator_id: Option<&str>,
    ) -> StoreResult<Vec<CannedAnswer>>;

    async fn canned_answer(&self, company_id: &str, id: &str) -> StoreResult<Option<CannedAnswer>>;

    /// A new one, for the company (`owner_id: None`) or an operator.
    /// `Duplicate` when the owner has the shortcut already; `Domain` when the
    /// owner keeps as many as they may.
    async fn create_canned_answer(
        &self,
        company_id: &str,
        owner_id: Option<&str>,
        draft: &CannedDraft,
        now: Millis,
    ) -> StoreResult<CannedAnswer>;

    async fn update_canned_answer(
        &self,
        company_id: &str,
        id: &str,
        draft: &CannedDraft,
        now: Millis,
    ) -> StoreResult<CannedAnswer>;

    async fn delete_canned_answer(&self, company_id: &str, id: &str) -> StoreResult<()>;
}
