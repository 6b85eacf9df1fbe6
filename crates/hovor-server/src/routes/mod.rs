//! HTTP handlers, one module per resource.

pub mod api_keys;
pub mod auth;
pub mod channels;
pub mod client;
pub mod company;
pub mod groups;
pub mod invitations;
pub mod me;
pub mod operators;
pub mod pause_types;
pub mod sessions;
pub mod telephony;
pub mod users;
pub mod webhooks;

use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;

use crate::error::ApiError;

#[utoipa::path(get, path = "/healthz", operation_id = "healthz", tag = "System", responses((status = 200, description = "The server serves requests", body = String)))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// Any `/api/…` path that is not an endpoint: a JSON 404, never the web app.
pub async fn api_not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such API endpoint")
}

/// A trimmed display name of 1 to `max` characters, or 422 `invalid_name`
/// saying what needs it.
pub fn valid_name<'a>(name: &'a str, max: usize, what: &str) -> Result<&'a str, ApiError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > max {
        return Err(ApiError::invalid(
            "invalid_name",
            format!("{what} needs a name of 1 to {max} characters"),
        ));
    }
    Ok(name)
}

/// The list envelope of API.md: `{items, next_cursor}`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Page<T: Serialize> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

pub fn page<T: Serialize>(items: Vec<T>, next_cursor: Option<String>) -> Json<Page<T>> {
    Json(Page { items, next_cursor })
}
