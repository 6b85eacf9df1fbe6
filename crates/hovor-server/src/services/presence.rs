//! Connection-driven presence: the grace period after the last connection
//! closes, and the clean-up at start-up.

use hovor_core::Command;

use super::status::change_state;
use crate::AppState;

/// Makes every operator whose grace period has run out offline (cause
/// `disconnect`, recorded from the moment the connection was lost).
pub async fn expire_grace_periods(app: &AppState) -> anyhow::Result<usize> {
    let mut expired = 0;
    for (company_id, user_id) in app.store.disconnected_operators().await? {
        let Some(company) = app.store.company(&company_id).await? else {
            continue;
        };
        let grace_ms = i64::from(company.settings.disconnect_grace_s) * 1000;
        let change = change_state(
            app,
            &company_id,
            &user_id,
            Command::ExpireGrace { grace_ms },
        )
        .await
        .map_err(|e| anyhow::anyhow!("expiring {user_id}: {}", e.message))?;
        if change.changed {
            expired += 1;
        }
    }
    Ok(expired)
}

/// No connection survives a restart of a single node: everyone connected
/// before now starts their grace period, and reconnecting tabs restore them.
pub async fn forget_connections_from_before(app: &AppState) -> anyhow::Result<()> {
    for (company_id, user_id) in app.store.reset_live_connections(app.now()).await? {
        change_state(app, &company_id, &user_id, Command::Disconnect)
            .await
            .map_err(|e| anyhow::anyhow!("resetting {user_id}: {}", e.message))?;
    }
    Ok(())
}
