use async_trait::async_trait;
use hovor_core::client_presence::ClientPresence;
use hovor_core::Millis;

use crate::{Committed, Session, StoreResult};

/// Whether each session's client is still there: its open connections and
/// when it was last seen.
#[async_trait]
pub trait ClientPresenceStore {
    /// A client's connection opened on `node` (counted per node too).
    async fn client_connected(&self, session_id: &str, node: &str, now: Millis) -> StoreResult<()>;
    /// `leaving`: the page said it was going away as it closed the socket.
    async fn client_disconnected(
        &self,
        session_id: &str,
        node: &str,
        leaving: bool,
        now: Millis,
    ) -> StoreResult<()>;
    /// The client made a request: seen now. Written at most every
    /// `every_ms`, so polling clients cost little.
    async fn client_seen(&self, session_id: &str, every_ms: Millis, now: Millis)
        -> StoreResult<()>;
    /// Waiting or offered sessions whose client has had no connection since
    /// `seen_before` or earlier: (company, session, presence).
    async fn clients_without_connection(
        &self,
        seen_before: Millis,
    ) -> StoreResult<Vec<(String, String, ClientPresence)>>;
    /// A session's client presence, for an offer that ran out.
    async fn client_presence(&self, session_id: &str) -> StoreResult<Option<ClientPresence>>;
    /// Ends a waiting or offered session as `abandoned` if its client is
    /// still gone (rechecked under its row lock); `None` when it was not.
    async fn abandon_if_gone(
        &self,
        company_id: &str,
        session_id: &str,
        gone_after_ms: Millis,
        now: Millis,
    ) -> StoreResult<Committed<Option<Session>>>;
    /// No connection survives a restart of a single node: every client
    /// counted as connected, and every queued client (none could connect
    /// while the node was down), is seen now, with none open, and has the
    /// company's time to come back.
    async fn reset_client_connections(&self, now: Millis) -> StoreResult<u64>;
}
