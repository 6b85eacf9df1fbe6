use async_trait::async_trait;
use hovor_core::{Command, HistorySpan, Millis};

use crate::{Committed, HistoryEntry, StateChange, StateView, StoreResult};

/// Operators' status: the chosen status, the connection, and their history.
#[async_trait]
pub trait StatusStore {
    async fn operator_state(
        &self,
        company_id: &str,
        user_id: &str,
    ) -> StoreResult<Option<StateView>>;
    /// Every active user's state, by name.
    async fn operator_states(&self, company_id: &str) -> StoreResult<Vec<StateView>>;
    /// Applies a state-machine command in one transaction: the new state, its
    /// history span and the events for every watcher are written together.
    async fn apply_state_command(
        &self,
        company_id: &str,
        user_id: &str,
        command: Command,
        now: Millis,
    ) -> StoreResult<Committed<StateChange>>;
    /// The same, given by a supervisor or admin (`by`, their user id): their
    /// name is kept with the history span it begins.
    async fn apply_state_command_by(
        &self,
        company_id: &str,
        user_id: &str,
        command: Command,
        by: &str,
        now: Millis,
    ) -> StoreResult<Committed<StateChange>>;
    /// One of the operator's connections opened (`Connect`) or closed
    /// (`Disconnect`) on `node`: the state and the node's count of their
    /// connections move in one transaction.
    async fn connection_changed(
        &self,
        company_id: &str,
        user_id: &str,
        node: &str,
        opened: bool,
        now: Millis,
    ) -> StoreResult<Committed<StateChange>>;
    /// Operators with no live connection whose grace period may have run
    /// out: `(company, user)`.
    async fn disconnected_operators(&self) -> StoreResult<Vec<(String, String)>>;
    /// At start-up no connection survives from before: leaves each counted
    /// connection at one, so that a `Disconnect` (with its events) takes it
    /// to zero. Returns `(company, user)` of each.
    async fn reset_live_connections(&self, now: Millis) -> StoreResult<Vec<(String, String)>>;
    async fn state_history(
        &self,
        company_id: &str,
        user_id: &str,
        from: Millis,
        to: Millis,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<HistoryEntry>>;
    async fn history_spans(
        &self,
        company_id: &str,
        user_id: &str,
        from: Millis,
        to: Millis,
    ) -> StoreResult<Vec<HistorySpan>>;
}
