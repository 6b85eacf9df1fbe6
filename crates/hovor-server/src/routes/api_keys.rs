//! API keys, managed by admins: the secret is shown once, only its digest is kept.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use hovor_store::ApiKey;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{page, Page};
use crate::auth::{digest, new_api_key};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Actor, ApiJson};
use crate::AppState;

pub use hovor_core::api_scope::SCOPES;

#[utoipa::path(get, path = "/api/v1/api-keys", operation_id = "listApiKeys", tag = "API keys",
    responses((status = 200, body = Page<ApiKey>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(State(app): State<AppState>, actor: Actor) -> ApiResult<Json<Page<ApiKey>>> {
    actor.require_admin()?;
    Ok(page(app.store.api_keys(actor.company_id()).await?, None))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewKey {
    name: String,
    /// Scopes: none or `admin` for everything an admin may do; `telephony`
    /// for the telephone exchange's endpoints only (`/api/v1/telephony/*`).
    #[serde(default)]
    scopes: Vec<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CreatedKey {
    #[serde(flatten)]
    key: ApiKey,
    /// The secret, shown only in this response.
    secret: String,
}

#[utoipa::path(post, path = "/api/v1/api-keys", operation_id = "createApiKey", tag = "API keys", request_body = NewKey,
    responses((status = 201, body = CreatedKey), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(app): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<NewKey>,
) -> ApiResult<(StatusCode, Json<CreatedKey>)> {
    actor.require_admin()?;
    let name = super::valid_name(&body.name, 100, "a key")?;
    if let Some(unknown) = body.scopes.iter().find(|s| !SCOPES.contains(&s.as_str())) {
        return Err(ApiError::invalid(
            "unknown_scope",
            format!("unknown scope {unknown:?}; known: {}", SCOPES.join(", ")),
        ));
    }
    let secret = new_api_key();
    let key = app
        .store
        .create_api_key(
            actor.company_id(),
            name,
            &digest(&secret),
            &body.scopes,
            app.now(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(CreatedKey { key, secret })))
}

/// Revokes the key at once; requests with it get 401.
#[utoipa::path(delete, path = "/api/v1/api-keys/{id}", operation_id = "revokeApiKey", tag = "API keys", params(("id" = String, Path)),
    responses((status = 204, description = "Revoked"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    actor.require_admin()?;
    if app
        .store
        .revoke_api_key(actor.company_id(), &id, app.now())
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("the API key"))
    }
}

/// These endpoints with their OpenAPI declarations.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(revoke))
}
