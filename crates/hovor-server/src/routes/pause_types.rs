//! Pause types: defined per company by admins, each paid or unpaid, in the
//! order the admin gives them.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use hovor_store::PauseType;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{page, Page};
use crate::bus::Hint;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Actor, ApiJson};
use crate::AppState;

fn valid_name(name: &str) -> ApiResult<&str> {
    super::valid_name(name, 60, "a pause type")
}

#[utoipa::path(get, path = "/api/v1/pause-types", operation_id = "listPauseTypes", tag = "Pause types",
    responses((status = 200, body = Page<PauseType>), (status = 401, body = ErrorBody)))]
pub async fn list(State(app): State<AppState>, actor: Actor) -> ApiResult<Json<Page<PauseType>>> {
    Ok(page(app.store.pause_types(actor.company_id()).await?, None))
}

#[utoipa::path(get, path = "/api/v1/pause-types/{id}", operation_id = "getPauseType", tag = "Pause types", params(("id" = String, Path)),
    responses((status = 200, body = PauseType), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<PauseType>> {
    app.store
        .pause_type(actor.company_id(), &id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("the pause type"))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPauseType {
    name: String,
    paid: bool,
}

/// Admins only.
#[utoipa::path(post, path = "/api/v1/pause-types", operation_id = "createPauseType", tag = "Pause types", request_body = NewPauseType,
    responses((status = 201, body = PauseType), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(app): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<NewPauseType>,
) -> ApiResult<(StatusCode, Json<PauseType>)> {
    actor.require_admin()?;
    let name = valid_name(&body.name)?;
    let created = app
        .store
        .create_pause_type(actor.company_id(), name, body.paid, app.now())
        .await?;
    announce(&app, &actor);
    Ok((StatusCode::CREATED, Json(created)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PauseTypePatch {
    name: Option<String>,
    paid: Option<bool>,
    /// Moves it to this place in the company's order (0 is first; past the
    /// end means last); the others keep their order around it.
    position: Option<u32>,
}

/// Admins only.
#[utoipa::path(patch, path = "/api/v1/pause-types/{id}", operation_id = "updatePauseType", tag = "Pause types", params(("id" = String, Path)), request_body = PauseTypePatch,
    responses((status = 200, body = PauseType), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PauseTypePatch>,
) -> ApiResult<Json<PauseType>> {
    actor.require_admin()?;
    let name = body.name.as_deref().map(valid_name).transpose()?;
    let updated = app
        .store
        .update_pause_type(
            actor.company_id(),
            &id,
            name,
            body.paid,
            body.position.map(|p| p as usize),
        )
        .await?
        .ok_or_else(|| ApiError::not_found("the pause type"))?;
    announce(&app, &actor);
    Ok(Json(updated))
}

/// Deleting archives: operators can no longer choose it, history keeps it.
#[utoipa::path(delete, path = "/api/v1/pause-types/{id}", operation_id = "archivePauseType", tag = "Pause types", params(("id" = String, Path)),
    responses((status = 204, description = "Archived"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn archive(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    actor.require_admin()?;
    if app
        .store
        .archive_pause_type(actor.company_id(), &id)
        .await?
    {
        announce(&app, &actor);
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("the pause type"))
    }
}

/// Open workspaces list the pause types in the status menu: they fetch them
/// again, as they do the settings, without a reload.
fn announce(app: &AppState, actor: &Actor) {
    app.bus.publish(Hint::Settings {
        company_id: actor.company_id().to_owned(),
    });
}

/// These endpoints with their OpenAPI declarations.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update, archive))
}
