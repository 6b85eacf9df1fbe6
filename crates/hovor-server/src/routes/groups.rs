//! Groups: routing targets. Every company has the built-in "All operators".

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use hovor_core::group::Strategy;
use hovor_store::Group;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{page, Page};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Actor, ApiJson};
use crate::AppState;

#[utoipa::path(get, path = "/api/v1/groups", operation_id = "listGroups", tag = "Groups",
    responses((status = 200, body = Page<Group>), (status = 401, body = ErrorBody)))]
pub async fn list(State(app): State<AppState>, actor: Actor) -> ApiResult<Json<Page<Group>>> {
    Ok(page(app.store.groups(actor.company_id()).await?, None))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGroup {
    name: String,
    /// `longest_idle` (the default): one offer at a time, to the member idle
    /// the longest. `broadcast`: every eligible member sees the client at
    /// once, the first to accept gets them.
    #[serde(default)]
    strategy: Option<String>,
    max_queue: Option<i64>,
    #[serde(default)]
    members: Vec<String>,
    /// After-chat work: seconds (0–600, default 0) after a conversation of
    /// the group ends during which its operator is offered nothing new of
    /// that channel.
    after_chat_s: Option<i64>,
}

/// Admins only.
#[utoipa::path(post, path = "/api/v1/groups", operation_id = "createGroup", tag = "Groups", request_body = NewGroup,
    responses((status = 201, body = Group), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody, description = "a member is not a user of the company"),
              (status = 422, body = ErrorBody)))]
pub async fn create(
    State(app): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<NewGroup>,
) -> ApiResult<(StatusCode, Json<Group>)> {
    actor.require_admin()?;
    let name = super::valid_name(&body.name, 100, "a group")?;
    let strategy = body
        .strategy
        .as_deref()
        .map(valid_strategy)
        .transpose()?
        .unwrap_or(Strategy::LongestIdle);
    if body.max_queue.is_some_and(|m| m < 1) {
        return Err(ApiError::invalid(
            "invalid_max_queue",
            "max_queue must be at least 1",
        ));
    }
    let after_chat = body.after_chat_s.map(valid_after_chat).transpose()?;
    let mut group = app
        .store
        .create_group(
            actor.company_id(),
            name,
            &body.members,
            body.max_queue,
            strategy,
            app.now(),
        )
        .await
        .map_err(|e| match e {
            hovor_store::StoreError::NotFound => ApiError::not_found("a member"),
            other => other.into(),
        })?;
    if let Some(seconds) = after_chat {
        app.store
            .set_group_after_chat(actor.company_id(), &group.id, seconds)
            .await?;
        group.after_chat_s = seconds;
    }
    // Its members may now be asked for by the new group.
    app.routing_books.operators_changed(actor.company_id());
    Ok((StatusCode::CREATED, Json(group)))
}

async fn load(app: &AppState, actor: &Actor, id: &str) -> ApiResult<Group> {
    app.store
        .groups(actor.company_id())
        .await?
        .into_iter()
        .find(|g| g.id == id)
        .ok_or_else(|| ApiError::not_found("the group"))
}

#[utoipa::path(get, path = "/api/v1/groups/{id}", operation_id = "getGroup", tag = "Groups", params(("id" = String, Path)),
    responses((status = 200, body = Group), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<Group>> {
    Ok(Json(load(&app, &actor, &id).await?))
}

fn valid_after_chat(seconds: i64) -> ApiResult<u32> {
    hovor_core::after_chat::valid_seconds(seconds).ok_or_else(|| {
        ApiError::invalid(
            "invalid_after_chat",
            format!(
                "after_chat_s is 0 to {} seconds, not {seconds}",
                hovor_core::after_chat::MAX_AFTER_CHAT_S
            ),
        )
    })
}

fn valid_strategy(text: &str) -> ApiResult<Strategy> {
    Strategy::parse(text).ok_or_else(|| {
        ApiError::invalid(
            "unsupported_strategy",
            format!("a strategy is longest_idle or broadcast, not {text:?}"),
        )
    })
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupPatch {
    name: Option<String>,
    /// A number, or `null` for no limit.
    #[serde(default, deserialize_with = "super::present")]
    #[schema(value_type = Option<i64>)]
    max_queue: Option<Option<i64>>,
    /// Replaces the members.
    members: Option<Vec<String>>,
    /// `longest_idle` or `broadcast` (the built-in group's too).
    strategy: Option<String>,
    /// After-chat work, 0–600 s (the built-in group's too).
    after_chat_s: Option<i64>,
}

/// Admins only. The built-in group's name and members cannot change.
#[utoipa::path(patch, path = "/api/v1/groups/{id}", operation_id = "updateGroup", tag = "Groups", params(("id" = String, Path)), request_body = GroupPatch,
    responses((status = 200, body = Group), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<GroupPatch>,
) -> ApiResult<Json<Group>> {
    actor.require_admin()?;
    let name = body
        .name
        .as_deref()
        .map(|n| super::valid_name(n, 100, "a group"))
        .transpose()?;
    if body.max_queue.flatten().is_some_and(|m| m < 1) {
        return Err(ApiError::invalid(
            "invalid_max_queue",
            "max_queue must be at least 1",
        ));
    }
    let strategy = body.strategy.as_deref().map(valid_strategy).transpose()?;
    let after_chat = body.after_chat_s.map(valid_after_chat).transpose()?;
    app.store
        .update_group(
            actor.company_id(),
            &id,
            name,
            body.max_queue,
            body.members.as_deref(),
            strategy,
        )
        .await?;
    if let Some(seconds) = after_chat {
        app.store
            .set_group_after_chat(actor.company_id(), &id, seconds)
            .await?;
    }
    // New members, a new limit or strategy may make someone eligible.
    app.routing_books.operators_changed(actor.company_id());
    app.routing.route(actor.company_id());
    Ok(Json(load(&app, &actor, &id).await?))
}

/// Admins only. Refused for the built-in group and while clients wait in it.
#[utoipa::path(delete, path = "/api/v1/groups/{id}", operation_id = "deleteGroup", tag = "Groups", params(("id" = String, Path)),
    responses((status = 204, description = "Deleted (archived)"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn delete(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    actor.require_admin()?;
    app.store.archive_group(actor.company_id(), &id).await?;
    app.routing_books.operators_changed(actor.company_id());
    Ok(StatusCode::NO_CONTENT)
}

/// These endpoints with their OpenAPI declarations.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update, delete))
}
