//! Channel assignments (admins) and switches (operators).

use hovor_core::{Channel, ChannelSetting};

use super::phone;
use hovor_store::StoreError;

use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// Switches one of a user's assigned channels (404 when it is not
/// assigned). The phone channel changes the handset too. `by` is the
/// supervisor or admin who does it for the operator, recorded in the event.
pub async fn switch(
    app: &AppState,
    company_id: &str,
    user_id: &str,
    channel: Channel,
    enabled: bool,
    by: Option<&str>,
) -> ApiResult<Vec<ChannelSetting>> {
    let channels = app
        .store
        .set_channel_enabled(company_id, user_id, channel, enabled, by, app.now())
        .await
        .map_err(|e| match e {
            StoreError::NotFound => {
                ApiError::not_found("that channel among the operator's assigned channels")
            }
            other => other.into(),
        })?
        .publish(app);
    if channel == Channel::Phone {
        phone::announce(app, company_id, &[user_id.to_owned()]).await?;
    }
    Ok(channels)
}

/// Replaces a user's assignment; kept channels keep their switch. Gaining
/// or losing the phone channel shows or hides the handset in their open
/// workspaces. `by` is the admin who does it, recorded in the event.
pub async fn assign(
    app: &AppState,
    company_id: &str,
    user_id: &str,
    assigned: &[(Channel, u32)],
    by: Option<&str>,
) -> ApiResult<Vec<ChannelSetting>> {
    let had_phone = app
        .store
        .channels(company_id, user_id)
        .await?
        .iter()
        .any(|c| c.channel == Channel::Phone);
    let channels = app
        .store
        .assign_channels(company_id, user_id, assigned, by, app.now())
        .await?
        .publish(app);
    let has_phone = channels.iter().any(|c| c.channel == Channel::Phone);
    if had_phone != has_phone {
        phone::announce_assignment(app, company_id, user_id).await?;
    }
    Ok(channels)
}
