use async_trait::async_trait;
use hovor_core::{CompanySettings, Millis};

use crate::{Company, PauseType, StoreResult};

/// Companies: their settings and pause types.
#[async_trait]
pub trait CompanyStore {
    /// Also creates the company's built-in "All operators" group.
    /// `Duplicate` when the slug is taken.
    async fn create_company(&self, slug: &str, name: &str, now: Millis) -> StoreResult<Company>;
    async fn company(&self, id: &str) -> StoreResult<Option<Company>>;
    async fn company_by_slug(&self, slug: &str) -> StoreResult<Option<Company>>;
    async fn save_company_settings(
        &self,
        company_id: &str,
        settings: &CompanySettings,
    ) -> StoreResult<()>;

    async fn pause_types(&self, company_id: &str) -> StoreResult<Vec<PauseType>>;
    async fn pause_type(&self, company_id: &str, id: &str) -> StoreResult<Option<PauseType>>;
    /// A new pause type goes last.
    async fn create_pause_type(
        &self,
        company_id: &str,
        name: &str,
        paid: bool,
        now: Millis,
    ) -> StoreResult<PauseType>;
    async fn update_pause_type(
        &self,
        company_id: &str,
        id: &str,
        name: Option<&str>,
        paid: Option<bool>,
        position: Option<usize>,
    ) -> StoreResult<Option<PauseType>>;
    /// Pause types are archived, never deleted: history keeps their names.
    async fn archive_pause_type(&self, company_id: &str, id: &str) -> StoreResult<bool>;
}
