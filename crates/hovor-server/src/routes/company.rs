//! Company settings.

use axum::extract::State;
use axum::Json;
use hovor_core::{CompanySettings, SettingsPatch};

use crate::error::{ApiError, ApiResult};
use crate::extract::{Actor, ApiJson};
use crate::AppState;

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
    Ok(Json(next))
}
