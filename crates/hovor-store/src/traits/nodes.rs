use async_trait::async_trait;
use hovor_core::Millis;

use crate::{Committed, StateChange, StoreResult};

/// What the cluster holds now, for metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Gauges {
    pub waiting: i64,
    pub offered: i64,
    pub active: i64,
    /// Outbox events past each active webhook's cursor, summed.
    pub webhook_backlog: i64,
}

/// The nodes of a cluster: each holds a lease it renews, and the connections
/// it holds are counted per node, so that a dead node's connections can be
/// taken away exactly (issue 11).
#[async_trait]
pub trait NodeStore {
    /// A node starts: its lease runs until `lease_until`.
    async fn register_node(&self, node: &str, now: Millis, lease_until: Millis) -> StoreResult<()>;
    /// Renews the node's lease; `false` when it is gone (another node found
    /// it expired and took its connections away).
    async fn renew_node(&self, node: &str, lease_until: Millis) -> StoreResult<bool>;
    /// The other nodes whose lease runs at `now`.
    async fn live_nodes(&self, me: &str, now: Millis) -> StoreResult<Vec<String>>;
    /// The other nodes whose lease ran out before `now`.
    async fn expired_nodes(&self, me: &str, now: Millis) -> StoreResult<Vec<String>>;
    /// The operators a node holds connections of: `(company, user)`.
    async fn node_operators(&self, node: &str) -> StoreResult<Vec<(String, String)>>;
    /// A dead node's connections of one operator are lost, in one
    /// transaction with the state change (`LoseConnections`) and its events.
    async fn release_node_operator(
        &self,
        node: &str,
        company_id: &str,
        user_id: &str,
        now: Millis,
    ) -> StoreResult<Committed<StateChange>>;
    /// A dead node's client connections are gone: their sessions count them
    /// no more and their clients are seen `now`, so each has the company's
    /// time to reconnect (to another node). Returns the sessions touched.
    async fn release_node_clients(&self, node: &str, now: Millis) -> StoreResult<u64>;
    /// Removes a node whose connections were all released, and its claims
    /// on webhooks.
    async fn remove_node(&self, node: &str) -> StoreResult<()>;
    /// Sessions by status and the webhook backlog, read now.
    async fn gauges(&self) -> StoreResult<Gauges>;
    /// Removes every other node and its connection counts: the first node
    /// of a cluster that was down (its own start-up reset covers them).
    async fn remove_other_nodes(&self, me: &str) -> StoreResult<()>;
}
