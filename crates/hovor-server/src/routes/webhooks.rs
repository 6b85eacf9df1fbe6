//! Webhook subscriptions (admins) and their delivery log.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use hovor_store::{Webhook, WebhookAttempt};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{page, Page};
use crate::auth::random_token;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Actor, ApiJson};
use crate::services;
use crate::AppState;
use hovor_store::WEBHOOK_EVENT_TYPES;

#[derive(Serialize, utoipa::ToSchema)]
pub struct WebhookJson {
    id: String,
    url: String,
    events: Vec<String>,
    active: bool,
    #[schema(format = DateTime)]
    created_at: String,
    /// Only in the response that created it: keep it to verify signatures.
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
}

fn json_of(hook: Webhook, with_secret: bool) -> WebhookJson {
    WebhookJson {
        secret: with_secret.then(|| hook.secret.clone()),
        id: hook.id,
        url: hook.url,
        events: hook.events,
        active: hook.active,
        created_at: hovor_core::time::to_rfc3339(hook.created_at),
    }
}

/// 422 for a target inside the server's network.
pub(crate) fn private_address() -> ApiError {
    ApiError::invalid(
        "private_address",
        "the address is loopback, private or link-local; this server sends only to public \
         addresses (its operator can allow private ones with HOVOR_ALLOW_PRIVATE_WEBHOOKS=1)",
    )
}

fn valid_url(app: &AppState, url: &str) -> ApiResult<String> {
    let url = url.trim();
    let scheme_ok = url.starts_with("http://") || url.starts_with("https://");
    let host = url.split_once("://").map(|(_, rest)| rest).unwrap_or("");
    if !scheme_ok
        || host.is_empty()
        || host.starts_with('/')
        || url.len() > 2000
        || url.contains(char::is_whitespace)
    {
        return Err(ApiError::invalid(
            "invalid_url",
            "a webhook URL is an http:// or https:// address",
        ));
    }
    if !app.outbound.allows_url(url) {
        return Err(private_address());
    }
    Ok(url.to_owned())
}

fn valid_events(events: &[String]) -> ApiResult<Vec<String>> {
    if events.is_empty() {
        return Err(ApiError::invalid(
            "invalid_events",
            "subscribe to at least one event",
        ));
    }
    if let Some(unknown) = events
        .iter()
        .find(|e| !WEBHOOK_EVENT_TYPES.contains(&e.as_str()))
    {
        return Err(ApiError::invalid(
            "unknown_event",
            format!("unknown event {unknown:?}"),
        ));
    }
    let mut list = events.to_vec();
    list.sort();
    list.dedup();
    Ok(list)
}

#[utoipa::path(get, path = "/api/v1/webhooks", operation_id = "listWebhooks", tag = "Webhooks",
    responses((status = 200, body = Page<WebhookJson>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(State(app): State<AppState>, actor: Actor) -> ApiResult<Json<Page<WebhookJson>>> {
    actor.require_admin()?;
    let hooks = app.store.webhooks(actor.company_id()).await?;
    Ok(page(
        hooks.into_iter().map(|h| json_of(h, false)).collect(),
        None,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    url: String,
    events: Vec<String>,
    /// Your own signing secret; one is generated when absent.
    secret: Option<String>,
}

/// Deliveries are `POST {id, type, created_at, company_id, data}` with
/// `Hovor-Event`, `Hovor-Delivery` and `Hovor-Signature: t=<unix>,v1=<hex
/// HMAC-SHA256 of "t.body">`; at least once, in order, retried with
/// exponential backoff for 24 hours.
#[utoipa::path(post, path = "/api/v1/webhooks", operation_id = "createWebhook", tag = "Webhooks", request_body = NewWebhook,
    responses((status = 201, body = WebhookJson), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(app): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<NewWebhook>,
) -> ApiResult<(StatusCode, Json<WebhookJson>)> {
    actor.require_admin()?;
    let url = valid_url(&app, &body.url)?;
    let events = valid_events(&body.events)?;
    let secret = match body.secret {
        Some(s) if s.len() < 16 || s.len() > 200 => {
            return Err(ApiError::invalid(
                "invalid_secret",
                "a secret has 16 to 200 characters",
            ))
        }
        Some(s) => s,
        None => random_token(),
    };
    let hook = app
        .store
        .create_webhook(actor.company_id(), &url, &events, &secret, app.now())
        .await?;
    Ok((StatusCode::CREATED, Json(json_of(hook, true))))
}

async fn load(app: &AppState, actor: &Actor, id: &str) -> ApiResult<Webhook> {
    actor.require_admin()?;
    app.store
        .webhook(actor.company_id(), id)
        .await?
        .ok_or_else(|| ApiError::not_found("the webhook"))
}

#[utoipa::path(get, path = "/api/v1/webhooks/{id}", operation_id = "getWebhook", tag = "Webhooks", params(("id" = String, Path)),
    responses((status = 200, body = WebhookJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<WebhookJson>> {
    Ok(Json(json_of(load(&app, &actor, &id).await?, false)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookPatch {
    url: Option<String>,
    events: Option<Vec<String>>,
    /// false pauses deliveries; they resume where they stopped.
    active: Option<bool>,
}

#[utoipa::path(patch, path = "/api/v1/webhooks/{id}", operation_id = "updateWebhook", tag = "Webhooks", params(("id" = String, Path)), request_body = WebhookPatch,
    responses((status = 200, body = WebhookJson), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<WebhookPatch>,
) -> ApiResult<Json<WebhookJson>> {
    load(&app, &actor, &id).await?;
    let url = body
        .url
        .as_deref()
        .map(|u| valid_url(&app, u))
        .transpose()?;
    let events = body.events.as_deref().map(valid_events).transpose()?;
    let hook = app
        .store
        .update_webhook(
            actor.company_id(),
            &id,
            url.as_deref(),
            events.as_deref(),
            body.active,
        )
        .await?
        .ok_or_else(|| ApiError::not_found("the webhook"))?;
    Ok(Json(json_of(hook, false)))
}

#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", operation_id = "deleteWebhook", tag = "Webhooks", params(("id" = String, Path)),
    responses((status = 204, description = "Deleted"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    load(&app, &actor, &id).await?;
    app.store
        .delete_webhook(actor.company_id(), &id, app.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The delivery log: every attempt, newest first.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", operation_id = "listWebhookDeliveries", tag = "Webhooks", params(("id" = String, Path)),
    responses((status = 200, body = Page<WebhookAttempt>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn deliveries(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<Page<WebhookAttempt>>> {
    load(&app, &actor, &id).await?;
    Ok(page(app.store.webhook_attempts(&id, 500).await?, None))
}

/// A new signing secret, shown once in the answer; deliveries from now on
/// are signed with it.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/rotate-secret", operation_id = "rotateWebhookSecret", tag = "Webhooks", params(("id" = String, Path)),
    responses((status = 200, body = WebhookJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn rotate_secret(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<WebhookJson>> {
    load(&app, &actor, &id).await?;
    let secret = random_token();
    if !app
        .store
        .set_webhook_secret(actor.company_id(), &id, &secret)
        .await?
    {
        return Err(ApiError::not_found("the webhook"));
    }
    Ok(Json(json_of(load(&app, &actor, &id).await?, true)))
}

/// Sends a dead delivery's event once more, now (after the receiver was
/// fixed): logged as a new attempt, `delivered` or `dead` again. It keeps
/// its `Hovor-Delivery` id, so a receiver that had it deduplicates; it
/// arrives out of order with the events delivered since.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/deliveries/{attempt_id}/retry", operation_id = "retryWebhookDelivery", tag = "Webhooks",
    params(("id" = String, Path), ("attempt_id" = String, Path)),
    responses((status = 200, body = WebhookAttempt), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`not_dead`: only a dead delivery is retried by hand; the others are retried by Hovor")))]
pub async fn retry(
    State(app): State<AppState>,
    actor: Actor,
    Path((id, attempt_id)): Path<(String, String)>,
) -> ApiResult<Json<WebhookAttempt>> {
    let hook = load(&app, &actor, &id).await?;
    let Some((seq, _, dead)) = app.store.webhook_attempt_event(&id, &attempt_id).await? else {
        return Err(ApiError::not_found("the delivery"));
    };
    if !dead {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "not_dead",
            "only a dead delivery is retried by hand; Hovor retries the others itself",
        ));
    }
    let retried = services::webhooks::redeliver(&app, &hook, seq).await?;
    app.store
        .webhook_attempts(&id, 500)
        .await?
        .into_iter()
        .find(|a| a.id == retried)
        .map(Json)
        .ok_or_else(|| ApiError::not_found("the delivery"))
}

/// These endpoints with their OpenAPI declarations.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update, delete))
        .routes(routes!(deliveries))
        .routes(routes!(retry))
        .routes(routes!(rotate_secret))
}
