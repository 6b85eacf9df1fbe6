//! Groups: routing targets. Every company has the built-in "All operators".

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hovor_store::Group;
use serde::Deserialize;

use super::{page, Page};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Actor, ApiJson};
use crate::AppState;

#[utoipa::path(get, path = "/api/v1/groups", tag = "Groups",
    responses((status = 200, body = Page<Group>), (status = 401, body = ErrorBody)))]
pub async fn list(State(app): State<AppState>, actor: Actor) -> ApiResult<Json<Page<Group>>> {
    Ok(page(app.store.groups(actor.company_id()).await?, None))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGroup {
    name: String,
    /// Only `longest_idle` is implemented.
    #[serde(default)]
    strategy: Option<String>,
    max_queue: Option<i64>,
    #[serde(default)]
    members: Vec<String>,
}

/// Admins only.
#[utoipa::path(post, path = "/api/v1/groups", tag = "Groups", request_body = NewGroup,
    responses((status = 201, body = Group), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody, description = "a member is not a user of the company"),
              (status = 422, body = ErrorBody)))]
pub async fn create(
    State(app): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<NewGroup>,
) -> ApiResult<(StatusCode, Json<Group>)> {
    actor.require_admin()?;
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::invalid(
            "invalid_name",
            "a group needs a name of 1 to 100 characters",
        ));
    }
    if body
        .strategy
        .as_deref()
        .is_some_and(|s| s != "longest_idle")
    {
        return Err(ApiError::invalid(
            "unsupported_strategy",
            "only the longest_idle strategy is implemented",
        ));
    }
    if body.max_queue.is_some_and(|m| m < 1) {
        return Err(ApiError::invalid(
            "invalid_max_queue",
            "max_queue must be at least 1",
        ));
    }
    let group = app
        .store
        .create_group(
            actor.company_id(),
            name,
            &body.members,
            body.max_queue,
            app.now(),
        )
        .await
        .map_err(|e| match e {
            hovor_store::StoreError::NotFound => ApiError::not_found("a member"),
            other => other.into(),
        })?;
    Ok((StatusCode::CREATED, Json(group)))
}
