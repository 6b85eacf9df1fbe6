//! CSV exports of status history and sessions, at most [`EXPORT_ROWS`]
//! rows each (`Hovor-Truncated: true` when there were more).

use axum::extract::State;
use axum::response::Response;
use hovor_core::reports::queue::Waited;
use hovor_core::time::to_rfc3339;
use hovor_core::Millis;
use hovor_store::{HistoryRow, SessionRow};
use serde::Deserialize;

use super::csv::Csv;
use super::window::{self, require_overseer, ReportWindow};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Actor, ApiQuery};
use crate::AppState;

/// The most rows one export holds.
pub const EXPORT_ROWS: usize = 200_000;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryExportQuery {
    /// RFC 3339: the window's start.
    from: String,
    /// RFC 3339: its end, after `from` and at most 93 days later.
    to: String,
    /// Only this user's history.
    operator_id: Option<String>,
}

const HISTORY_COLUMNS: &[&str] = &[
    "operator_id",
    "operator_name",
    "presence",
    "status",
    "pause_type",
    "paid",
    "cause",
    "started_at",
    "ended_at",
    "seconds",
    "changed_by",
];

/// Every status span reaching into the window, clipped to it, by operator
/// name and then in time order. `ended_at` is empty for a span still going
/// on; its seconds run to now.
#[utoipa::path(get, path = "/api/v1/reports/state-history.csv", operation_id = "exportStateHistory", tag = "Reports", params(HistoryExportQuery),
    responses((status = 200, content_type = "text/csv", body = String, description = "UTF-8 with a byte-order mark; columns operator_id, operator_name, presence, status, pause_type, paid, cause, started_at, ended_at, seconds, changed_by (the supervisor or admin who set it)",
                headers(("Hovor-Truncated" = String, description = "`true` when the export stopped at 200,000 rows"))),
              (status = 400, body = ErrorBody, description = "a query parameter is malformed"), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn state_history(
    State(app): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<HistoryExportQuery>,
) -> ApiResult<Response> {
    require_overseer(&actor)?;
    let w = ReportWindow::parse(&q.from, &q.to, None)?;
    if let Some(id) = &q.operator_id {
        app.store
            .user(actor.company_id(), id)
            .await?
            .ok_or_else(|| ApiError::not_found("the operator"))?;
    }
    let rows = app
        .store
        .history_rows(
            actor.company_id(),
            q.operator_id.as_deref(),
            w.from,
            w.to,
            EXPORT_ROWS as i64 + 1,
        )
        .await?;
    let truncated = rows.len() > EXPORT_ROWS;
    let now = app.now();
    let mut csv = Csv::new(HISTORY_COLUMNS);
    for row in rows.into_iter().take(EXPORT_ROWS) {
        csv.row(history_cells(row, &w, now));
    }
    Ok(csv.attachment(&filename("state-history", &w), truncated))
}

fn history_cells(row: HistoryRow, w: &ReportWindow, now: Millis) -> [String; 11] {
    let start = row.started_at.max(w.from);
    let end = row.ended_at.unwrap_or(now).min(w.to);
    let going_on = row.ended_at.is_none() && now < w.to;
    let (pause, paid) = match &row.pause_type {
        Some(p) => (p.name.clone(), p.paid.to_string()),
        None => (String::new(), String::new()),
    };
    [
        row.operator_id,
        row.operator_name,
        row.presence.as_str().to_owned(),
        row.status.as_str().to_owned(),
        pause,
        paid,
        row.cause.as_str().to_owned(),
        to_rfc3339(start),
        if going_on {
            String::new()
        } else {
            to_rfc3339(end)
        },
        ((end - start).max(0) / 1000).to_string(),
        row.changed_by_name.unwrap_or_default(),
    ]
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SessionExportQuery {
    /// RFC 3339: the window's start.
    from: String,
    /// RFC 3339: its end, after `from` and at most 93 days later.
    to: String,
    /// Only this group's sessions.
    group_id: Option<String>,
}

const SESSION_COLUMNS: &[&str] = &[
    "session_id",
    "channel",
    "source",
    "group_id",
    "group_name",
    "operator_id",
    "operator_name",
    "status",
    "created_at",
    "accepted_at",
    "ended_at",
    "end_reason",
    "wait_s",
    "client_name",
];

/// Every session created in the window, oldest first. `wait_s` is from
/// creation to acceptance, or to the end of a session nobody accepted;
/// empty while it still waits.
#[utoipa::path(get, path = "/api/v1/reports/sessions.csv", operation_id = "exportSessions", tag = "Reports", params(SessionExportQuery),
    responses((status = 200, content_type = "text/csv", body = String, description = "UTF-8 with a byte-order mark; columns session_id, channel, source, group_id, group_name, operator_id, operator_name, status, created_at, accepted_at, ended_at, end_reason, wait_s, client_name",
                headers(("Hovor-Truncated" = String, description = "`true` when the export stopped at 200,000 rows"))),
              (status = 400, body = ErrorBody, description = "a query parameter is malformed"), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn sessions(
    State(app): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<SessionExportQuery>,
) -> ApiResult<Response> {
    require_overseer(&actor)?;
    let w = ReportWindow::parse(&q.from, &q.to, None)?;
    if let Some(id) = &q.group_id {
        window::group(&app, &actor, id).await?;
    }
    let rows = app
        .store
        .session_rows(
            actor.company_id(),
            q.group_id.as_deref(),
            w.from,
            w.to,
            EXPORT_ROWS as i64 + 1,
        )
        .await?;
    let truncated = rows.len() > EXPORT_ROWS;
    let mut csv = Csv::new(SESSION_COLUMNS);
    for row in rows.into_iter().take(EXPORT_ROWS) {
        csv.row(session_cells(row));
    }
    Ok(csv.attachment(&filename("sessions", &w), truncated))
}

fn session_cells(row: SessionRow) -> [String; 14] {
    let s = row.session;
    let wait = Waited {
        created_at: s.created_at,
        accepted_at: s.accepted_at,
        ended_at: s.ended_at,
        end_reason: s.end_reason,
    };
    let time = |t: Option<Millis>| t.map(to_rfc3339).unwrap_or_default();
    [
        s.id,
        s.channel.as_str().to_owned(),
        s.source.as_str().to_owned(),
        s.group_id,
        row.group_name.unwrap_or_default(),
        s.operator_id.unwrap_or_default(),
        row.operator_name.unwrap_or_default(),
        s.status.as_str().to_owned(),
        to_rfc3339(s.created_at),
        time(s.accepted_at),
        time(s.ended_at),
        s.end_reason
            .map(|r| r.as_str().to_owned())
            .unwrap_or_default(),
        wait.wait_ms()
            .map(|ms| (ms / 1000).to_string())
            .unwrap_or_default(),
        s.client.name.unwrap_or_default(),
    ]
}

/// `hovor-<what>-<from date>-<to date>.csv`, the dates in UTC.
fn filename(what: &str, w: &ReportWindow) -> String {
    let date = |t: Millis| to_rfc3339(t).chars().take(10).collect::<String>();
    format!("hovor-{what}-{}-{}.csv", date(w.from), date(w.to))
}
