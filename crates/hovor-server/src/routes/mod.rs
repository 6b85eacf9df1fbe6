//! HTTP handlers, one module per resource.

pub mod api_keys;
pub mod attachments;
pub mod auth;
pub mod calls;
pub mod canned;
pub mod channels;
pub mod client;
pub mod company;
pub mod groups;
pub mod ice;
pub mod inboxes;
pub mod invitations;
pub mod me;
pub mod operators;
pub mod pause_types;
pub mod reports;
pub mod sessions;
pub mod telephony;
pub mod transcripts;
pub mod users;
pub mod wallboard;
pub mod webhooks;

use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;

use crate::error::{ApiError, ErrorBody};

#[utoipa::path(get, path = "/healthz", operation_id = "healthz", tag = "System", responses((status = 200, description = "The server serves requests", body = String)))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// What `/readyz` found.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Readiness {
    /// `ok`, or why not.
    pub database: String,
    /// `ok`, or why not.
    pub bus: String,
    /// Which bus: `memory`, `postgres` or `nats`.
    pub bus_kind: &'static str,
}

/// Ready for traffic: the database answers and the bus is connected. A load
/// balancer sends requests only to nodes that answer 200.
#[utoipa::path(get, path = "/readyz", operation_id = "readyz", tag = "System", responses(
    (status = 200, description = "Ready", body = Readiness),
    (status = 503, description = "The database or the bus is not reachable", body = Readiness)))]
pub async fn readyz(
    axum::extract::State(app): axum::extract::State<crate::AppState>,
) -> (StatusCode, Json<Readiness>) {
    // Reading a stream's head is a real round trip to the database.
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(2),
        app.store.last_seq("readyz"),
    )
    .await;
    let database = match read {
        Ok(Ok(_)) => "ok".to_owned(),
        Ok(Err(e)) => format!("unreachable: {e}"),
        Err(_) => "no answer within 2 s".to_owned(),
    };
    let bus = if app.bus.is_up() {
        "ok".to_owned()
    } else {
        "disconnected".to_owned()
    };
    let status = if database == "ok" && bus == "ok" {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let bus_kind = app.bus.kind();
    (
        status,
        Json(Readiness {
            database,
            bus,
            bus_kind,
        }),
    )
}

/// Prometheus metrics (text format), with `Authorization: Bearer` and the
/// node's `HOVOR_METRICS_TOKEN`; 404 when no token is set.
#[utoipa::path(get, path = "/metrics", operation_id = "metrics", tag = "System", responses(
    (status = 200, description = "Prometheus text format", content_type = "text/plain", body = String),
    (status = 401, description = "Without the node's metrics token", body = ErrorBody),
    (status = 404, description = "Metrics are off (no HOVOR_METRICS_TOKEN)", body = ErrorBody)))]
pub async fn metrics(
    axum::extract::State(app): axum::extract::State<crate::AppState>,
    headers: axum::http::HeaderMap,
) -> Result<([(axum::http::HeaderName, &'static str); 1], String), ApiError> {
    let Some(token) = app.config.metrics_token.as_deref() else {
        return Err(api_not_found().await);
    };
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    // Compared as digests, so the time taken says nothing about the token.
    if crate::auth::digest(given) != crate::auth::digest(token) {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "metrics need the node's metrics token",
        ));
    }
    let gauges = app
        .store
        .gauges()
        .await
        .map_err(|e| ApiError::internal("metrics", e))?;
    let text = app.metrics.render(&gauges, app.bus.is_up());
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    ))
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

/// A plausible e-mail address, trimmed and lowercased; 422 `invalid_email`.
pub fn valid_email(email: &str) -> Result<String, ApiError> {
    let email = email.trim().to_lowercase();
    let plausible = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !email.contains(char::is_whitespace)
        });
    if !plausible {
        return Err(ApiError::invalid(
            "invalid_email",
            format!("{email:?} is not an e-mail address"),
        ));
    }
    Ok(email)
}

/// For a patch's nullable field: absent stays as it is (`None`), `null`
/// clears (`Some(None)`).
pub fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(d).map(Some)
}
