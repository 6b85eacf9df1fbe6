//! `GET /api/v1/me`: who am I, and what is my state.

use axum::extract::State;
use axum::Json;
use hovor_core::notifications::{NotificationPatch, NotificationSettings};
use hovor_core::phone::PhoneLine;
use hovor_core::ChannelSetting;
use hovor_store::{AfterChatWork, StateJson, User};
use serde::Serialize;
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Actor, ApiJson};
use crate::services;
use crate::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct MeReply {
    pub user: User,
    pub state: StateJson,
    /// The channels assigned to me, each with my switch.
    pub channels: Vec<ChannelSetting>,
    /// My phone line (the handset): null without the phone channel.
    pub phone_line: Option<PhoneLine>,
    /// My alert settings; they follow me to any computer.
    pub notification_settings: NotificationSettings,
    /// My after-chat work running now: nothing new of its channel is
    /// offered to me until it ends (`POST /api/v1/me/after-chat/ready` ends
    /// it early). Followed by `operator.after_chat_changed`.
    pub after_chat: Vec<AfterChatWork>,
    /// The CSRF token of this login session, so a reloaded page can write.
    pub csrf_token: String,
    /// Where my own event stream stood before this answer was read: a socket
    /// opened with `last_seq` set to it misses nothing that came after, so
    /// the page need not ask for `/me` again when it connects.
    pub stream_seq: i64,
}

#[utoipa::path(get, path = "/api/v1/me", operation_id = "getMe", tag = "Auth",
    responses((status = 200, body = MeReply), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn me(State(app): State<AppState>, actor: Actor) -> ApiResult<Json<MeReply>> {
    let Actor::User {
        user, csrf_token, ..
    } = actor
    else {
        return Err(ApiError::forbidden(
            "/me describes a logged-in user, not an API key",
        ));
    };
    // Read first: whatever changes after it is replayed on a socket resumed
    // from it, and is at worst applied twice (events carry whole states).
    let stream_seq = app.store.last_seq(&user.id).await?;
    let view = app
        .store
        .operator_state(&user.company_id, &user.id)
        .await?
        .ok_or_else(|| ApiError::not_found("your state"))?;
    let channels = app.store.channels(&user.company_id, &user.id).await?;
    let notification_settings = app.store.notification_settings(&user.id).await?;
    let phone_line = services::phone::line_of(&app, &user.company_id, &user.id).await?;
    let after_chat = app
        .store
        .running_after_chat(&user.company_id, &user.id, app.now())
        .await?;
    Ok(Json(MeReply {
        state: view.json(),
        notification_settings,
        after_chat,
        user,
        channels,
        phone_line,
        csrf_token,
        stream_seq,
    }))
}

/// Changes my alert settings (any subset); my other tabs and computers
/// follow through `me.notification_settings_changed`.
#[utoipa::path(patch, path = "/api/v1/me/notification-settings", operation_id = "updateNotificationSettings", tag = "Auth", request_body = NotificationPatch,
    responses((status = 200, body = NotificationSettings), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch_notification_settings(
    State(app): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Json<NotificationSettings>> {
    let Actor::User { user, .. } = actor else {
        return Err(ApiError::forbidden(
            "notification settings belong to a logged-in user",
        ));
    };
    let invalid = |message: String| ApiError::invalid("invalid_notification_settings", message);
    let patch: NotificationPatch =
        serde_json::from_value(body).map_err(|e| invalid(e.to_string()))?;
    let current = app.store.notification_settings(&user.id).await?;
    let next = current
        .patched(&patch)
        .map_err(|e| invalid(e.to_string()))?;
    services::users::save_notification_settings(&app, &user, &next).await?;
    Ok(Json(next))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Ready {
    /// The after-chat work that ended now (empty: none was running).
    ended: Vec<AfterChatWork>,
}

/// I am ready: my after-chat work ends now, and new sessions may be
/// offered to me again.
#[utoipa::path(post, path = "/api/v1/me/after-chat/ready", operation_id = "endAfterChatWork", tag = "Operator status",
    responses((status = 200, body = Ready), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn ready(State(app): State<AppState>, actor: Actor) -> ApiResult<Json<Ready>> {
    let Some(user) = actor.user() else {
        return Err(ApiError::forbidden(
            "after-chat work belongs to a logged-in operator",
        ));
    };
    let ended = app
        .store
        .end_after_chat(&user.company_id, &user.id, app.now())
        .await?
        .publish(&app);
    Ok(Json(Ready { ended }))
}

/// These endpoints with their OpenAPI declarations.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(patch_notification_settings))
        .routes(routes!(ready))
}
