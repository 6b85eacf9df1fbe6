//! `GET /api/v1/me`: who am I, and what is my state.

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult};
use crate::extract::Actor;
use crate::AppState;

pub async fn me(State(app): State<AppState>, actor: Actor) -> ApiResult<Json<Value>> {
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
    Ok(Json(json!({
        "user": user,
        "state": view.json(),
        // Channels, the phone line and notification settings arrive with
        // their own features; until then these are honestly empty.
        "channels": [],
        "phone_line": null,
        "notification_settings": null,
        "csrf_token": csrf_token,
    })))
}
