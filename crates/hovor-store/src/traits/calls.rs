use async_trait::async_trait;
use hovor_core::call::{CallAction, Party, Signal};
use hovor_core::Millis;

use crate::{Committed, Session, StoreResult};

/// Audio and video calls in conversations: their state, and the signalling
/// between the two browsers.
#[async_trait]
pub trait CallStore {
    /// One side acts on the conversation's call (`hovor_core::call::decide`).
    /// `operator_id`: the operator acting, who must hold the conversation;
    /// `None` for its client. A call that starts takes the operator's call
    /// seat: refused when they are in another call, or have no `av`.
    async fn change_call(
        &self,
        company_id: &str,
        session_id: &str,
        by: Party,
        operator_id: Option<&str>,
        action: CallAction,
        now: Millis,
    ) -> StoreResult<Committed<Session>>;

    /// Records a signal for the other side, in the conversation's stream,
    /// while its call is running.
    async fn call_signal(
        &self,
        company_id: &str,
        session_id: &str,
        by: Party,
        operator_id: Option<&str>,
        signal: &Signal,
        now: Millis,
    ) -> StoreResult<Committed<()>>;
}
