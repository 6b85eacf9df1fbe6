//! Company settings.

use axum::extract::State;
use axum::Json;
use hovor_core::{CompanySettings, SettingsPatch};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::bus::Hint;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Actor, ApiJson};
use crate::AppState;

/// The caller's company as its website embeds it.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct CompanyJson {
    id: String,
    /// What the widget's `data-company` names.
    slug: String,
    name: String,
    /// The chat widget's script at this server's public address.
    widget_url: String,
}

#[utoipa::path(get, path = "/api/v1/company", operation_id = "getCompany", tag = "Company",
    responses((status = 200, body = CompanyJson), (status = 401, body = ErrorBody)))]
pub async fn get_company(
    State(app): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<CompanyJson>> {
    let company = app
        .store
        .company(actor.company_id())
        .await?
        .ok_or_else(|| ApiError::not_found("the company"))?;
    Ok(Json(CompanyJson {
        id: company.id,
        slug: company.slug,
        name: company.name,
        widget_url: format!("{}/widget.js", app.config.public_url.trim_end_matches('/')),
    }))
}

#[utoipa::path(get, path = "/api/v1/company/settings", operation_id = "getCompanySettings", tag = "Company",
    responses((status = 200, body = CompanySettings), (status = 401, body = ErrorBody)))]
pub async fn get_settings(
    State(app): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<CompanySettings>> {
    let company = app
        .store
        .company(actor.company_id())
        .await?
        .ok_or_else(|| ApiError::not_found("the company"))?;
    Ok(Json(company.settings))
}

/// Admins only. Unknown fields and values out of range are refused (422).
#[utoipa::path(patch, path = "/api/v1/company/settings", operation_id = "updateCompanySettings", tag = "Company", request_body = SettingsPatch,
    responses((status = 200, body = CompanySettings), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch_settings(
    State(app): State<AppState>,
    actor: Actor,
    ApiJson(patch): ApiJson<SettingsPatch>,
) -> ApiResult<Json<CompanySettings>> {
    actor.require_admin()?;
    let company = app
        .store
        .company(actor.company_id())
        .await?
        .ok_or_else(|| ApiError::not_found("the company"))?;
    let next = company.settings.patched(&patch)?;
    app.store.save_company_settings(&company.id, &next).await?;
    // Open workspaces show what the settings allow (channel switches, say)
    // without a reload.
    app.bus.publish(Hint::Settings {
        company_id: company.id.clone(),
    });
    Ok(Json(next))
}

/// These endpoints with their OpenAPI declarations.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_company))
        .routes(routes!(get_settings, patch_settings))
}
