//! The supervisor's wallboard: `GET /api/v1/wallboard`. Who is doing what
//! (the live team list gives each operator's state, channels and line; this
//! adds their load and today's counts) and each group's queue.

use axum::extract::State;
use axum::Json;
use hovor_core::time::{parse_rfc3339, to_rfc3339};
use hovor_core::wallboard::{group_lines, BoardGroup};
use hovor_core::{Channel, Millis};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Actor, ApiQuery};
use crate::services::phone;
use crate::AppState;

const DAY_MS: Millis = 24 * 3600 * 1000;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BoardQuery {
    /// RFC 3339: where "today" begins for the daily counts (the caller's
    /// local midnight). Default 24 hours ago; at most 48 hours ago.
    since: Option<String>,
    /// Count only this channel's clients and free slots in the groups.
    channel: Option<Channel>,
}

/// One operator's sessions on one channel.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ChannelLoad {
    channel: Channel,
    /// Sessions active now.
    active: i64,
    capacity: u32,
    enabled: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct OperatorBoard {
    operator_id: String,
    /// Per assigned channel.
    load: Vec<ChannelLoad>,
    /// Offers open now.
    offered: i64,
    /// Offers let run out since `since` (clients who had left do not count).
    missed_today: i64,
    /// Sessions accepted since `since`.
    handled_today: i64,
    /// Online with a free slot on a switched-on channel: routing may offer
    /// them a client now.
    available: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct GroupBoard {
    group_id: String,
    name: String,
    builtin: bool,
    /// Clients waiting (or offered, not yet accepted).
    waiting: u32,
    /// When the longest-waiting of them joined the queue.
    oldest_waiting_since: Option<String>,
    /// Members who could be offered a client now.
    available: u32,
    /// Accepted since `since`.
    answered_today: i64,
    /// Left the queue before anyone took them (`end_reason: abandoned`)
    /// since `since`.
    abandoned_today: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Wallboard {
    /// The server's clock when the board was read (timers count from it).
    now: String,
    since: String,
    operators: Vec<OperatorBoard>,
    groups: Vec<GroupBoard>,
}

/// Supervisors and admins (and admin keys). Operators' names, states,
/// channels and lines are in `GET /api/v1/operators` (and live over the
/// WebSocket); this adds what they carry and each group's queue.
#[utoipa::path(get, path = "/api/v1/wallboard", operation_id = "getWallboard", tag = "Supervision", params(BoardQuery),
    responses((status = 200, body = Wallboard), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn board(
    State(app): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<BoardQuery>,
) -> ApiResult<Json<Wallboard>> {
    if !actor.role().oversees_others() {
        return Err(ApiError::forbidden(
            "only supervisors and administrators see the wallboard",
        ));
    }
    let now = app.now();
    let since = match q.since.as_deref() {
        None => now - DAY_MS,
        Some(text) => parse_rfc3339(text).ok_or_else(|| {
            ApiError::invalid(
                "invalid_time",
                format!("since must be an RFC 3339 timestamp, not {text:?}"),
            )
        })?,
    };
    if since > now || since < now - 2 * DAY_MS {
        return Err(ApiError::invalid(
            "invalid_time",
            "since lies within the last 48 hours",
        ));
    }
    let company_id = actor.company_id();
    let counts = app.store.wallboard_counts(company_id, since).await?;
    let (_, candidates) = phone::routing_snapshot(&app, company_id).await?;
    let channels = app.store.company_channels(company_id).await?;
    let groups = app.store.groups(company_id).await?;

    let board_groups: Vec<BoardGroup> = groups
        .iter()
        .map(|g| BoardGroup {
            id: g.id.clone(),
            builtin: g.builtin,
        })
        .collect();
    let lines = group_lines(&board_groups, &counts.queued, &candidates, q.channel);
    let groups = groups
        .into_iter()
        .zip(lines)
        .map(|(g, line)| GroupBoard {
            oldest_waiting_since: line.oldest_since.map(to_rfc3339),
            waiting: line.waiting,
            available: line.available,
            answered_today: counts.answered.get(&g.id).copied().unwrap_or(0),
            abandoned_today: counts.abandoned.get(&g.id).copied().unwrap_or(0),
            group_id: g.id,
            name: g.name,
            builtin: g.builtin,
        })
        .collect();

    let operators = app
        .store
        .users(company_id)
        .await?
        .into_iter()
        .map(|user| {
            let active = counts.active.get(&user.id);
            let load = channels
                .iter()
                .filter(|(id, _)| *id == user.id)
                .map(|(_, c)| ChannelLoad {
                    channel: c.channel,
                    active: active.and_then(|a| a.get(&c.channel)).copied().unwrap_or(0),
                    capacity: c.capacity,
                    enabled: c.enabled,
                })
                .collect();
            let available = candidates
                .iter()
                .find(|c| c.operator_id == user.id)
                .is_some_and(|c| hovor_core::wallboard::available(c, q.channel));
            OperatorBoard {
                load,
                offered: counts.offered.get(&user.id).copied().unwrap_or(0),
                missed_today: counts.missed.get(&user.id).copied().unwrap_or(0),
                handled_today: counts.handled.get(&user.id).copied().unwrap_or(0),
                available,
                operator_id: user.id,
            }
        })
        .collect();
    Ok(Json(Wallboard {
        now: to_rfc3339(now),
        since: to_rfc3339(since),
        operators,
        groups,
    }))
}

/// These endpoints with their OpenAPI declarations.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(board))
}
