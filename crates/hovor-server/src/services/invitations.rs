//! Invitations: created with a fresh code, invalidated, redeemed into a
//! session bound to their operator.

use hovor_core::invitation::code_from_random;
use hovor_store::{Invitation, NewInvitation, Session, StoreError};
use rand::RngCore;

use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// 100 bits from the operating system's random source.
fn new_code() -> String {
    let mut bytes = [0u8; 13];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    code_from_random(bytes)
}

/// What an invitation is for; the code is drawn here.
pub struct Invite {
    pub company_id: String,
    pub operator_id: String,
    pub reusable: bool,
    pub label: Option<String>,
    /// `operator` or `api`.
    pub created_by: &'static str,
}

pub async fn create(app: &AppState, invite: Invite) -> ApiResult<Invitation> {
    for _ in 0..3 {
        let new = NewInvitation {
            company_id: invite.company_id.clone(),
            code: new_code(),
            operator_id: invite.operator_id.clone(),
            reusable: invite.reusable,
            label: invite.label.clone(),
            created_by: invite.created_by,
        };
        match app.store.create_invitation(&new, app.now()).await {
            Ok(created) => return Ok(created.publish(app)),
            // 100 random bits colliding: draw again.
            Err(StoreError::Duplicate(_)) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(ApiError::internal(
        "invitation",
        "three code collisions in a row",
    ))
}

/// The link stops working; idempotent. `None` for an unknown invitation.
pub async fn invalidate(
    app: &AppState,
    company_id: &str,
    id: &str,
) -> ApiResult<Option<Invitation>> {
    Ok(app
        .store
        .invalidate_invitation(company_id, id, app.now())
        .await?
        .publish(app))
}

/// Uses the code once: a session bound to its operator starts.
pub async fn redeem(
    app: &AppState,
    code: &str,
    client_token_hash: &str,
    call: Option<hovor_core::call::Media>,
) -> ApiResult<Session> {
    let (session, _) = app
        .store
        .redeem_invitation(code, client_token_hash, call, app.now())
        .await?
        .publish(app);
    Ok(session)
}
