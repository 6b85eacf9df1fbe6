//! The telephony connector: the company's exchange (PBX) reports extension
//! registrations and calls, asks which extension should ring, and receives
//! signed dial requests from operators' handsets.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use hovor_core::phone::{valid_extension, valid_number, CallEvent, Direction};
use hovor_core::time::parse_rfc3339;
use hovor_store::{CallReport, Session};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Actor, ApiJson};
use crate::services::phone;
use crate::AppState;

/// The exchange authenticates with an API key that has the telephony scope.
fn require_connector(actor: &Actor) -> ApiResult<()> {
    match actor {
        Actor::ApiKey(key) if key.scopes.iter().any(|s| s == "telephony") => Ok(()),
        _ => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "telephony_scope_required",
            "use an API key with the telephony scope",
        )),
    }
}

async fn owner_of(app: &AppState, company_id: &str, extension: &str) -> ApiResult<String> {
    app.store
        .users(company_id)
        .await?
        .into_iter()
        .find(|u| u.phone_extension.as_deref() == Some(extension))
        .map(|u| u.id)
        .ok_or_else(|| ApiError::not_found("an operator with this extension"))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    registered: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Registered {
    extension: String,
    registered: bool,
    operator_id: String,
}

/// The exchange reports an extension's registration; the operator's
/// handset changes colour live.
#[utoipa::path(put, path = "/api/v1/telephony/extensions/{extension}", operation_id = "registerExtension", tag = "Telephony", params(("extension" = String, Path)),
    request_body = Registration,
    responses((status = 200, body = Registered), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn register(
    State(app): State<AppState>,
    actor: Actor,
    Path(extension): Path<String>,
    ApiJson(body): ApiJson<Registration>,
) -> ApiResult<Json<Registered>> {
    require_connector(&actor)?;
    let company = actor.company_id();
    if !valid_extension(&extension) {
        return Err(ApiError::not_found("an operator with this extension"));
    }
    let operator_id = phone::register(&app, company, &extension, body.registered)
        .await?
        .ok_or_else(|| ApiError::not_found("an operator with this extension"))?;
    Ok(Json(Registered {
        extension,
        registered: body.registered,
        operator_id,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallEventBody {
    call_id: String,
    event: CallEvent,
    direction: Direction,
    from: String,
    to: String,
    /// The operator's extension involved.
    extension: Option<String>,
    /// When it happened (RFC 3339); default now. Lets late reports keep the right times.
    at: Option<String>,
    /// The group the call queued for (accepted; not used yet).
    #[allow(dead_code)]
    queue: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CallReply {
    session: Session,
}

/// A call event. Each call is one phone session; repeated and out-of-order
/// reports leave one consistent record. A call is known from its `ringing`:
/// other events for an unknown call, and any for an unknown extension, are
/// 404 and change nothing.
#[utoipa::path(post, path = "/api/v1/telephony/events", operation_id = "reportCallEvent", tag = "Telephony", request_body = CallEventBody,
    responses((status = 200, body = CallReply), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn event(
    State(app): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<CallEventBody>,
) -> ApiResult<Json<CallReply>> {
    require_connector(&actor)?;
    let company = actor.company_id().to_owned();
    if body.call_id.trim().is_empty() || body.call_id.len() > 100 {
        return Err(ApiError::invalid(
            "invalid_call_id",
            "call_id has 1 to 100 characters",
        ));
    }
    if body.from.len() > 40 || body.to.len() > 40 {
        return Err(ApiError::invalid(
            "invalid_number",
            "numbers have at most 40 characters",
        ));
    }
    let at = match &body.at {
        Some(text) => parse_rfc3339(text)
            .ok_or_else(|| ApiError::invalid("invalid_time", "at must be an RFC 3339 timestamp"))?,
        None => app.now(),
    };
    let operator = match &body.extension {
        Some(ext) => Some(owner_of(&app, &company, ext).await?),
        None => None,
    };
    let report = CallReport {
        call_id: body.call_id,
        event: body.event,
        direction: body.direction,
        from: body.from,
        to: body.to,
        extension: body.extension,
        at,
    };
    let session = phone::report_call(&app, &company, &report, operator.as_deref())
        .await?
        .ok_or_else(|| ApiError::not_found("the call (a call starts with its ringing)"))?;
    Ok(Json(CallReply { session }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteQuestion {
    call_id: String,
    /// The caller (accepted; routing does not use it yet).
    #[allow(dead_code)]
    from: String,
    /// A group id; absent: the company's "All operators".
    queue: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RouteAnswer {
    extension: String,
}

/// Which extension should ring for this queue call? Routing answers: an
/// operator online, with the phone channel on, a green line, not on another
/// call; longest idle first.
#[utoipa::path(post, path = "/api/v1/telephony/route", operation_id = "routeCall", tag = "Telephony", request_body = RouteQuestion,
    responses((status = 200, body = RouteAnswer), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody, description = "`no_operator_available`"),
              (status = 422, body = ErrorBody)))]
pub async fn route(
    State(app): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<RouteQuestion>,
) -> ApiResult<Json<RouteAnswer>> {
    require_connector(&actor)?;
    let company = actor.company_id().to_owned();
    let group = match body.queue {
        Some(id) => {
            let groups = app.store.groups(&company).await?;
            let group = groups
                .into_iter()
                .find(|g| g.id == id)
                .ok_or_else(|| ApiError::not_found("the queue"))?;
            (!group.builtin).then_some(group.id)
        }
        None => None,
    };
    let extension = phone::route_call(&app, &company, &body.call_id, group)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "no_operator_available",
                "no operator can take a call now",
            )
        })?;
    Ok(Json(RouteAnswer { extension }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TelephonySettings {
    /// Where dial requests are sent.
    dial_url: Option<String>,
    /// Whether a signing secret is set (it is never shown).
    secret_set: bool,
    /// The exchange has spoken within the last two minutes.
    connector_up: bool,
}

async fn settings_of(app: &AppState, company: &str) -> ApiResult<TelephonySettings> {
    let facts = app.store.telephony_facts(company).await?;
    Ok(TelephonySettings {
        connector_up: hovor_core::phone::connector_up(facts.last_seen, app.now()),
        dial_url: facts.dial_url,
        secret_set: facts.secret.is_some(),
    })
}

#[utoipa::path(get, path = "/api/v1/telephony/settings", operation_id = "getTelephonySettings", tag = "Telephony",
    responses((status = 200, body = TelephonySettings), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn get_settings(
    State(app): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<TelephonySettings>> {
    actor.require_admin()?;
    Ok(Json(settings_of(&app, actor.company_id()).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TelephonySettingsPatch {
    dial_url: Option<String>,
    /// 16 to 200 characters; dial requests are signed with it.
    secret: Option<String>,
}

#[utoipa::path(patch, path = "/api/v1/telephony/settings", operation_id = "updateTelephonySettings", tag = "Telephony", request_body = TelephonySettingsPatch,
    responses((status = 200, body = TelephonySettings), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch_settings(
    State(app): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<TelephonySettingsPatch>,
) -> ApiResult<Json<TelephonySettings>> {
    actor.require_admin()?;
    if let Some(url) = &body.dial_url {
        if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() > 2000 {
            return Err(ApiError::invalid(
                "invalid_url",
                "dial_url is an http:// or https:// address",
            ));
        }
        if !app.outbound.allows_url(url) {
            return Err(super::webhooks::private_address());
        }
    }
    if body
        .secret
        .as_ref()
        .is_some_and(|s| s.len() < 16 || s.len() > 200)
    {
        return Err(ApiError::invalid(
            "invalid_secret",
            "a secret has 16 to 200 characters",
        ));
    }
    app.store
        .save_telephony_settings(
            actor.company_id(),
            body.dial_url.as_deref(),
            body.secret.as_deref(),
        )
        .await?;
    Ok(Json(settings_of(&app, actor.company_id()).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Dial {
    to: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Dialled {
    call_id: String,
}

/// The handset's dial pad: a signed request to the exchange's `dial_url`
/// (`Hovor-Signature` as for webhooks); the call's progress comes back as
/// telephony events with `direction: "out"`.
#[utoipa::path(post, path = "/api/v1/telephony/dial", operation_id = "dial", tag = "Telephony", request_body = Dial,
    responses((status = 202, body = Dialled), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`line_unavailable`, `telephony_not_configured` or `exchange_unreachable`"),
              (status = 422, body = ErrorBody)))]
pub async fn dial(
    State(app): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<Dial>,
) -> ApiResult<(StatusCode, Json<Dialled>)> {
    let user = actor
        .user()
        .cloned()
        .ok_or_else(|| ApiError::forbidden("dialling is for an operator's handset"))?;
    if !valid_number(&body.to) {
        return Err(ApiError::invalid(
            "invalid_number",
            "dial 3 to 20 digits, * and #, optionally with a leading +",
        ));
    }
    let call_id = phone::dial(&app, &user, &body.to).await?;
    Ok((StatusCode::ACCEPTED, Json(Dialled { call_id })))
}

/// These endpoints with their OpenAPI declarations.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(event))
        .routes(routes!(route))
        .routes(routes!(dial))
        .routes(routes!(get_settings, patch_settings))
}
