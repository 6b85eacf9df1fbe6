//! Users: deactivation, and their own settings.

use hovor_core::notifications::NotificationSettings;
use hovor_store::User;

use super::status::log_out_everywhere;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// Deactivates a user: logged out everywhere, unable to log in again; their
/// history stays.
pub async fn deactivate(app: &AppState, user: &User) -> ApiResult<()> {
    log_out_everywhere(app, user).await?;
    if !app
        .store
        .deactivate_user(&user.company_id, &user.id)
        .await?
    {
        return Err(ApiError::not_found("the user"));
    }
    app.routing_books.operators_changed(&user.company_id);
    Ok(())
}

/// Saves a user's alert settings; their other tabs follow.
pub async fn save_notification_settings(
    app: &AppState,
    user: &User,
    settings: &NotificationSettings,
) -> ApiResult<()> {
    app.store
        .save_notification_settings(&user.company_id, &user.id, settings, app.now())
        .await?
        .publish(app);
    Ok(())
}
