use async_trait::async_trait;
use hovor_core::{Channel, ChannelSetting, Millis};

use crate::{Committed, StoreResult};

/// The channels assigned to operators and their on/off switches.
#[async_trait]
pub trait ChannelStore {
    /// A user's assigned channels, in channel order.
    async fn channels(&self, company_id: &str, user_id: &str) -> StoreResult<Vec<ChannelSetting>>;
    /// Every assignment in the company, as `(user id, setting)`.
    async fn company_channels(
        &self,
        company_id: &str,
    ) -> StoreResult<Vec<(String, ChannelSetting)>>;
    /// `by` is the user who makes a change for someone else (kept in the
    /// event as `changed_by`).
    ///
    /// Replaces a user's assignment; kept channels keep their switch, new
    /// ones start on. Returns all their channels.
    async fn assign_channels(
        &self,
        company_id: &str,
        user_id: &str,
        assigned: &[(Channel, u32)],
        by: Option<&str>,
        now: Millis,
    ) -> StoreResult<Committed<Vec<ChannelSetting>>>;
    /// Switches one assigned channel; `NotFound` when it is not assigned.
    /// Returns all their channels.
    async fn set_channel_enabled(
        &self,
        company_id: &str,
        user_id: &str,
        channel: Channel,
        enabled: bool,
        by: Option<&str>,
        now: Millis,
    ) -> StoreResult<Committed<Vec<ChannelSetting>>>;
}
