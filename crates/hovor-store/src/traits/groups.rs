use async_trait::async_trait;
use hovor_core::group::Strategy;
use hovor_core::Millis;

use crate::{Group, StoreResult};

/// Groups: the routing targets.
#[async_trait]
pub trait GroupStore {
    /// The company's groups, the built-in one first.
    async fn groups(&self, company_id: &str) -> StoreResult<Vec<Group>>;
    /// `NotFound` when a member is not an active user of the company.
    async fn create_group(
        &self,
        company_id: &str,
        name: &str,
        members: &[String],
        max_queue: Option<i64>,
        strategy: Strategy,
        now: Millis,
    ) -> StoreResult<Group>;
    /// `max_queue: Some(None)` clears the limit. The built-in group's name
    /// and members cannot change (`Refused(BuiltinGroupFixed)`).
    async fn update_group(
        &self,
        company_id: &str,
        id: &str,
        name: Option<&str>,
        max_queue: Option<Option<i64>>,
        members: Option<&[String]>,
        strategy: Option<Strategy>,
    ) -> StoreResult<()>;
    /// Deletes by archiving; refused for the built-in group and while
    /// clients wait in it.
    async fn archive_group(&self, company_id: &str, id: &str) -> StoreResult<()>;
    /// Sessions waiting or offered in the group.
    async fn queued_in_group(&self, group_id: &str) -> StoreResult<i64>;
}
