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
    Ok(change)
}
