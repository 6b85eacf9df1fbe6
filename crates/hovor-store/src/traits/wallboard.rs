use std::collections::HashMap;

use async_trait::async_trait;
use hovor_core::wallboard::Queued;
use hovor_core::{Channel, Millis};

use crate::StoreResult;

/// What the supervisor's wallboard counts, beyond the operators' states.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WallboardCounts {
    /// Sessions waiting or offered now, with their group and queue time.
    pub queued: Vec<Queued>,
    /// Per operator: sessions active now, per channel.
    pub active: HashMap<String, HashMap<Channel, i64>>,
    /// Per operator: offers open now.
    pub offered: HashMap<String, i64>,
    /// Per operator: offers let run out since the day began.
    pub missed: HashMap<String, i64>,
    /// Per operator: sessions accepted since the day began.
    pub handled: HashMap<String, i64>,
    /// Per group: sessions accepted since the day began.
    pub answered: HashMap<String, i64>,
    /// Per group: clients who left the queue before anyone took them
    /// (`abandoned`) since the day began.
    pub abandoned: HashMap<String, i64>,
}

/// The wallboard's counts and the missed offers they include.
#[async_trait]
pub trait WallboardStore {
    /// The counts now, the daily ones since `day_start`.
    async fn wallboard_counts(
        &self,
        company_id: &str,
        day_start: Millis,
    ) -> StoreResult<WallboardCounts>;
    /// An offer ran out while its client was still there.
    async fn record_missed_offer(
        &self,
        company_id: &str,
        session_id: &str,
        operator_id: &str,
        now: Millis,
    ) -> StoreResult<()>;
}
