//! `GET /api/v1/me`: who am I, and what is my state.

use axum::extract::State;
use axum::Json;
use hovor_core::ChannelSetting;
use hovor_store::{StateJson, User};
use serde::Serialize;
use serde_json::Value;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::Actor;
use crate::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct MeReply {
    pub user: User,
    pub state: StateJson,
    /// The channels assigned to me, each with my switch.
    pub channels: Vec<ChannelSetting>,
    /// The phone line (arrives with the telephony feature; null until then).
    #[schema(value_type = Option<Object>)]
    pub phone_line: Option<Value>,
    /// Alert settings (arrive with the notifications feature; null until then).
    #[schema(value_type = Option<Object>)]
    pub notification_settings: Option<Value>,
    /// The CSRF token of this login session, so a reloaded page can write.
    pub csrf_token: String,
}

#[utoipa::path(get, path = "/api/v1/me", tag = "Auth",
    responses((status = 200, body = MeReply), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn me(State(app): State<AppState>, actor: Actor) -> ApiResult<Json<MeReply>> {
    let Actor::User { user, csrf_token } = actor else {
        return Err(ApiError::forbidden(
            "/me describes a logged-in user, not an API key",
        ));
    };
    let view = app
        .store
        .operator_state(&user.company_id, &user.id)
        .await?
        .ok_or_else(|| ApiError::not_found("your state"))?;
    let channels = app.store.channels(&user.company_id, &user.id).await?;
    Ok(Json(MeReply {
        state: view.json(),
        user,
        channels,
        phone_line: None,
        notification_settings: None,
        csrf_token,
    }))
}
