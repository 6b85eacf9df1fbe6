//! Channel availability: `/api/v1/operators/{id}/channels`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use hovor_core::channel::{may_toggle, ToggleRefusal};
use hovor_core::{Channel, ChannelSetting};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Actor, ApiJson};
use crate::services;
use crate::AppState;

async fn require_user(app: &AppState, actor: &Actor, id: &str) -> ApiResult<()> {
    app.store
        .user(actor.company_id(), id)
        .await?
        .filter(|u| u.active)
        .map(|_| ())
        .ok_or_else(|| ApiError::not_found("the operator"))
}

/// The channels assigned to an operator, each with its switch.
#[utoipa::path(get, path = "/api/v1/operators/{id}/channels", operation_id = "listOperatorChannels", tag = "Channels", params(("id" = String, Path)),
    responses((status = 200, body = Vec<ChannelSetting>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<ChannelSetting>>> {
    require_user(&app, &actor, &id).await?;
    Ok(Json(app.store.channels(actor.company_id(), &id).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Switch {
    enabled: bool,
}

/// Switches an assigned channel on or off. Only new routing is affected:
/// conversations already accepted go on.
#[utoipa::path(put, path = "/api/v1/operators/{id}/channels/{channel}", operation_id = "switchOperatorChannel", tag = "Channels",
    params(("id" = String, Path), ("channel" = Channel, Path)), request_body = Switch,
    responses((status = 200, body = ChannelSetting), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "`channel_toggle_forbidden` when the company forbids operators to switch channels"),
              (status = 404, body = ErrorBody, description = "the channel is not assigned to the operator"), (status = 422, body = ErrorBody)))]
pub async fn switch(
    State(app): State<AppState>,
    actor: Actor,
    Path((id, channel)): Path<(String, String)>,
    ApiJson(body): ApiJson<Switch>,
) -> ApiResult<Json<ChannelSetting>> {
    require_user(&app, &actor, &id).await?;
    let channel = Channel::parse(&channel).ok_or_else(|| ApiError::not_found("the channel"))?;
    let company = app
        .store
        .company(actor.company_id())
        .await?
        .ok_or_else(|| ApiError::not_found("the company"))?;
    match may_toggle(
        actor.role(),
        actor.is_user(&id),
        company.settings.operators_may_toggle_channels,
    ) {
        Ok(()) => {}
        Err(ToggleRefusal::CompanyForbids) => {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "channel_toggle_forbidden",
                "your company does not allow operators to switch channels; ask a supervisor",
            ))
        }
        Err(ToggleRefusal::NotYours) => {
            return Err(ApiError::forbidden(
                "only a supervisor or an administrator may switch another operator's channels",
            ))
        }
    }
    let by = actor.user().map(|me| me.id.as_str());
    services::channels::switch(&app, actor.company_id(), &id, channel, body.enabled, by)
        .await?
        .into_iter()
        .find(|c| c.channel == channel)
        .map(Json)
        .ok_or_else(|| ApiError::internal("channel switch", "switched channel missing"))
}

/// These endpoints with their OpenAPI declarations.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(switch))
}
