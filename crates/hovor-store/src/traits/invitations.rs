use async_trait::async_trait;
use hovor_core::Millis;

use crate::{Committed, Invitation, NewInvitation, Session, StoreResult};

/// Invitations: codes that connect a client straight to one operator.
#[async_trait]
pub trait InvitationStore {
    /// `Duplicate` if the code is taken (draw another).
    async fn create_invitation(
        &self,
        new: &NewInvitation,
        now: Millis,
    ) -> StoreResult<Committed<Invitation>>;
    async fn invitation(&self, company_id: &str, id: &str) -> StoreResult<Option<Invitation>>;
    async fn invitation_by_code(&self, code: &str) -> StoreResult<Option<Invitation>>;
    /// Newest first; `active` filters by whether they can still be redeemed.
    async fn invitations(
        &self,
        company_id: &str,
        operator_id: Option<&str>,
        active: Option<bool>,
        limit: i64,
    ) -> StoreResult<Vec<Invitation>>;
    /// Idempotent: an invalidated invitation stays as it was invalidated.
    async fn invalidate_invitation(
        &self,
        company_id: &str,
        id: &str,
        now: Millis,
    ) -> StoreResult<Committed<Option<Invitation>>>;
    /// Uses the invitation once and starts a session bound to its operator,
    /// atomically: a single-use code redeemed by many at once starts exactly
    /// one session. `Refused` with `InvitationUsed` / `InvitationInvalidated`.
    /// With `call`, the client starts with an audio or video call (`av`).
    async fn redeem_invitation(
        &self,
        code: &str,
        client_token_hash: &str,
        call: Option<hovor_core::call::Media>,
        now: Millis,
    ) -> StoreResult<Committed<(Session, Invitation)>>;
}
