//! Operators and their status: `/api/v1/operators/...`.

use axum::extract::{Path, State};
use axum::Json;
use hovor_core::phone::PhoneLine;
use hovor_core::time::parse_rfc3339;
use hovor_core::{summarize, ChannelSetting, Command, Millis, Role, Status};
use hovor_store::{AfterChatWork, HistoryEntry, PauseTypeRef, StateJson, StateView};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{page, Page};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Actor, ApiJson, ApiQuery};
use crate::services::phone;
use crate::services::status::{change_state, change_state_by};
use crate::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct OperatorJson {
    id: String,
    name: String,
    email: String,
    role: Role,
    state: StateJson,
    /// The operator's assigned channels with their switches.
    channels: Vec<ChannelSetting>,
    /// The handset: null without the phone channel.
    phone_line: Option<PhoneLine>,
}

impl OperatorJson {
    fn new(view: &StateView, channels: Vec<ChannelSetting>, phone_line: Option<PhoneLine>) -> Self {
        OperatorJson {
            id: view.operator.id.clone(),
            name: view.operator.name.clone(),
            email: view.operator.email.clone(),
            role: view.operator.role,
            state: view.json(),
            channels,
            phone_line,
        }
    }
}

/// Every active user of the caller's company with their state.
#[utoipa::path(get, path = "/api/v1/operators", operation_id = "listOperators", tag = "Operator status",
    responses((status = 200, body = Page<OperatorJson>), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<Page<OperatorJson>>> {
    let views = app.store.operator_states(actor.company_id()).await?;
    let channels = app.store.company_channels(actor.company_id()).await?;
    let lines = phone::lines(&app, actor.company_id()).await?;
    let items = views
        .iter()
        .map(|view| {
            let own = channels
                .iter()
                .filter(|(user, _)| *user == view.operator.id)
                .map(|(_, setting)| *setting)
                .collect();
            let line = lines.get(&view.operator.id).cloned().flatten();
            OperatorJson::new(view, own, line)
        })
        .collect();
    Ok(page(items, None))
}

/// The operator's state, or 404 when they are not of the caller's company.
async fn load(app: &AppState, actor: &Actor, id: &str) -> ApiResult<StateView> {
    app.store
        .operator_state(actor.company_id(), id)
        .await?
        .ok_or_else(|| ApiError::not_found("the operator"))
}

fn require_manage(actor: &Actor, id: &str) -> ApiResult<()> {
    if actor.may_manage_operator(id) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "only a supervisor or an administrator may act on another operator",
        ))
    }
}

#[utoipa::path(get, path = "/api/v1/operators/{id}/state", operation_id = "getOperatorState", tag = "Operator status", params(("id" = String, Path)),
    responses((status = 200, body = StateJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_state(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<StateJson>> {
    Ok(Json(load(&app, &actor, &id).await?.json()))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StateBody {
    status: Status,
    #[serde(default)]
    pause_type_id: Option<String>,
}

/// The operator themself (cause `manual`), a supervisor or admin (`supervisor`)
/// or an API key (`api`). A pause type goes only with `away`.
#[utoipa::path(put, path = "/api/v1/operators/{id}/state", operation_id = "setOperatorState", tag = "Operator status", params(("id" = String, Path)), request_body = StateBody,
    responses((status = 200, body = StateJson), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_state(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<StateBody>,
) -> ApiResult<Json<StateJson>> {
    load(&app, &actor, &id).await?;
    require_manage(&actor, &id)?;
    let command = Command::SetStatus {
        status: body.status,
        pause_type_id: body.pause_type_id,
        cause: actor.cause_for(&id),
    };
    let change = match actor.user().filter(|me| me.id != id) {
        // A supervisor or admin for someone else: kept with their name.
        Some(me) => change_state_by(&app, actor.company_id(), &id, command, &me.id).await?,
        None => change_state(&app, actor.company_id(), &id, command).await?,
    };
    Ok(Json(change.view.json()))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Window {
    /// RFC 3339; default 24 hours before `to`.
    from: Option<String>,
    /// RFC 3339; default and at most now.
    to: Option<String>,
    /// 1 to 500, default 50 (history only).
    limit: Option<i64>,
    /// `next_cursor` of the previous page (history only).
    cursor: Option<String>,
}

const DAY_MS: Millis = 24 * 3600 * 1000;

/// `from`/`to` as milliseconds: by default the last 24 hours, never past now.
fn window(w: &Window, now: Millis) -> ApiResult<(Millis, Millis)> {
    let parse = |name: &str, v: &Option<String>, default: Millis| -> ApiResult<Millis> {
        match v {
            None => Ok(default),
            Some(text) => parse_rfc3339(text).ok_or_else(|| {
                ApiError::invalid(
                    "invalid_time",
                    format!("{name} must be an RFC 3339 timestamp, not {text:?}"),
                )
            }),
        }
    };
    // "Until now" includes what started in this very millisecond.
    let to = parse("to", &w.to, now + 1)?.min(now + 1);
    let from = parse("from", &w.from, to - DAY_MS)?;
    if from > to {
        return Err(ApiError::invalid(
            "invalid_time",
            "from must not be after to",
        ));
    }
    Ok((from, to))
}

/// Newest first.
#[utoipa::path(get, path = "/api/v1/operators/{id}/state-history", operation_id = "getStateHistory", tag = "Operator status", params(("id" = String, Path), Window),
    responses((status = 400, body = ErrorBody, description = "a query parameter is malformed"), (status = 200, body = Page<HistoryEntry>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn history(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiQuery(w): ApiQuery<Window>,
) -> ApiResult<Json<Page<HistoryEntry>>> {
    load(&app, &actor, &id).await?;
    require_manage(&actor, &id)?;
    let (from, to) = window(&w, app.now())?;
    let limit = w.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::invalid(
            "invalid_limit",
            "limit must be between 1 and 500",
        ));
    }
    let offset = match &w.cursor {
        None => 0,
        Some(c) => c.parse::<i64>().ok().filter(|o| *o >= 0).ok_or_else(|| {
            ApiError::invalid("invalid_cursor", "the cursor is not one this API gave out")
        })?,
    };
    let mut items = app
        .store
        .state_history(actor.company_id(), &id, from, to, limit + 1, offset)
        .await?;
    let next = (items.len() as i64 > limit).then(|| (offset + limit).to_string());
    items.truncate(limit as usize);
    Ok(page(items, next))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AfterChatHistory {
    /// Oldest first; each a span of its own beside the status history (the
    /// operator stays online meanwhile, held back from one channel).
    items: Vec<AfterChatWork>,
    /// Their seconds within the window (a running one counts so far).
    total_s: i64,
}

/// The operator's after-chat work in the window (by default the last 24
/// hours): each rest after a conversation, when it ended, and how long
/// it held back offers.
#[utoipa::path(get, path = "/api/v1/operators/{id}/after-chat-work", operation_id = "getAfterChatWork", tag = "Operator status", params(("id" = String, Path), Window),
    responses((status = 400, body = ErrorBody, description = "a query parameter is malformed"), (status = 200, body = AfterChatHistory), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn after_chat_work(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiQuery(w): ApiQuery<Window>,
) -> ApiResult<Json<AfterChatHistory>> {
    load(&app, &actor, &id).await?;
    require_manage(&actor, &id)?;
    let now = app.now();
    let (from, to) = window(&w, now)?;
    let items = app
        .store
        .after_chat_spans(actor.company_id(), Some(&id), from, to)
        .await?;
    let total_s = items
        .iter()
        .map(|a| a.rest().seconds_within(from, to, now))
        .sum();
    Ok(Json(AfterChatHistory { items, total_s }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct BreakSeconds {
    pause_type: PauseTypeRef,
    paid: bool,
    seconds: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SummaryJson {
    online_s: i64,
    away_s: i64,
    break_s: Vec<BreakSeconds>,
    offline_s: i64,
}

/// Seconds per presence in the window; the parts add up to the window.
#[utoipa::path(get, path = "/api/v1/operators/{id}/state-summary", operation_id = "getStateSummary", tag = "Operator status", params(("id" = String, Path), Window),
    responses((status = 400, body = ErrorBody, description = "a query parameter is malformed"), (status = 200, body = SummaryJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn summary(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiQuery(w): ApiQuery<Window>,
) -> ApiResult<Json<SummaryJson>> {
    load(&app, &actor, &id).await?;
    require_manage(&actor, &id)?;
    let (from, to) = window(&w, app.now())?;
    let spans = app
        .store
        .history_spans(actor.company_id(), &id, from, to)
        .await?;
    let pause_types = app.store.pause_types(actor.company_id()).await?;
    let s = summarize(&spans, from, to);
    let break_s = s
        .break_s
        .into_iter()
        .filter_map(|b| {
            let p = pause_types.iter().find(|p| p.id == b.pause_type_id)?;
            Some(BreakSeconds {
                pause_type: PauseTypeRef::from(p),
                paid: p.paid,
                seconds: b.seconds,
            })
        })
        .collect();
    Ok(Json(SummaryJson {
        online_s: s.online_s,
        away_s: s.away_s,
        break_s,
        offline_s: s.offline_s,
    }))
}

/// These endpoints with their OpenAPI declarations.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(get_state, put_state))
        .routes(routes!(history))
        .routes(routes!(after_chat_work))
        .routes(routes!(summary))
}
