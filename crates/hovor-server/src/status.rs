//! Changing an operator's state: store first, then tell the bus.

use hovor_core::Command;
use hovor_store::StateChange;

use crate::error::ApiResult;
use crate::AppState;

pub async fn change_state(
    app: &AppState,
    company_id: &str,
    user_id: &str,
    command: Command,
) -> ApiResult<StateChange> {
    let change = app
        .store
        .apply_state_command(company_id, user_id, command, app.now())
        .await?;
    app.publish(&change.written);
    if change.changed {
        if change.view.state.routable() {
            crate::routing::kick(app, company_id);
        } else if change.view.state.presence() == hovor_core::Presence::Offline {
            // Gone for routing: their pending offers go back to the queue.
            if let Err(e) = crate::routing::withdraw_offers_of(app, company_id, user_id).await {
                tracing::warn!("withdrawing offers of {user_id}: {e:#}");
            }
            crate::routing::kick(app, company_id);
        }
    }
    Ok(change)
}
