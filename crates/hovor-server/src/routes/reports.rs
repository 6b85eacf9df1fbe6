//! Reports for supervisors and admins: `/api/v1/reports/...`. Time per
//! status and handled sessions per operator and local day or week, the
//! queue per local hour, and CSV exports of status history and sessions.
//! The computing is `hovor_core::reports`; this reads the facts and shapes
//! the answers.

mod csv;
mod exports;
mod window;

use std::collections::HashMap;

use axum::extract::State;
use axum::Json;
use hovor_core::after_chat::{self, Rest};
use hovor_core::rating;
use hovor_core::reports::{self, presence, queue, Period};
use hovor_core::time::to_rfc3339;
use hovor_core::{Channel, HistorySpan, Millis, Summary};
use hovor_store::{PauseType, PauseTypeRef, QueueFilter, User};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Actor, ApiQuery};
use crate::AppState;
use window::{require_overseer, ReportWindow};

/// How the operators report splits its window.
#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OperatorBucketSize {
    /// Local calendar days.
    #[default]
    Day,
    /// ISO weeks, Monday to Sunday.
    Week,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OperatorsQuery {
    /// RFC 3339: the window's start.
    from: String,
    /// RFC 3339: its end, after `from` and at most 93 days later.
    to: String,
    /// IANA time zone whose days and weeks count; default `Europe/Prague`.
    tz: Option<String>,
    /// `day` (default) or `week`.
    #[param(inline)]
    bucket: Option<OperatorBucketSize>,
    /// Only this group's members (the built-in group: everyone).
    group_id: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ReportBreak {
    pause_type: PauseTypeRef,
    paid: bool,
    seconds: i64,
}

/// One operator's local day or week. The parts add up to the bucket, or to
/// the part of it already past.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OperatorBucket {
    /// The local boundary as an RFC 3339 UTC instant (clipped to the window).
    #[schema(format = DateTime)]
    start: String,
    #[schema(format = DateTime)]
    end: String,
    online_s: i64,
    away_s: i64,
    /// Per pause type, in the order they were first taken.
    break_s: Vec<ReportBreak>,
    offline_s: i64,
    paid_break_s: i64,
    unpaid_break_s: i64,
    /// Sessions this operator accepted in the bucket.
    sessions_handled: i64,
    /// Clients' ratings of this operator's conversations given in the bucket.
    ratings: i64,
    /// Their average, 1 to 5 (two decimals); null without any.
    average_rating: Option<f64>,
    /// After-chat work: time this operator was held back from new sessions
    /// of a channel to finish the last one (part of their online time).
    after_chat_s: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct OperatorLine {
    operator_id: String,
    name: String,
    buckets: Vec<OperatorBucket>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct OperatorsReport {
    /// Every active user of the company (or the group's members), by name.
    items: Vec<OperatorLine>,
}

/// Time per status, per pause type (paid and unpaid) and handled sessions,
/// per operator and local day or week.
#[utoipa::path(get, path = "/api/v1/reports/operators", operation_id = "getOperatorsReport", tag = "Reports", params(OperatorsQuery),
    responses((status = 200, body = OperatorsReport), (status = 400, body = ErrorBody, description = "a query parameter is malformed"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn operators(
    State(app): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<OperatorsQuery>,
) -> ApiResult<Json<OperatorsReport>> {
    require_overseer(&actor)?;
    let w = ReportWindow::parse(&q.from, &q.to, q.tz.as_deref())?;
    let company_id = actor.company_id();
    let mut users = app.store.users(company_id).await?;
    if let Some(id) = &q.group_id {
        let group = window::group(&app, &actor, id).await?;
        if !group.builtin {
            users.retain(|u| group.members.contains(&u.id));
        }
    }
    let period = match q.bucket.unwrap_or_default() {
        OperatorBucketSize::Day => Period::Day,
        OperatorBucketSize::Week => Period::Week,
    };
    let buckets = reports::buckets(w.from, w.to, w.tz, period);
    let mut spans: HashMap<String, Vec<HistorySpan>> = HashMap::new();
    for (user_id, span) in app
        .store
        .company_history_spans(company_id, w.from, w.to)
        .await?
    {
        spans.entry(user_id).or_default().push(span);
    }
    let mut accepted: HashMap<String, Vec<Millis>> = HashMap::new();
    for (user_id, at) in app.store.acceptances(company_id, w.from, w.to).await? {
        accepted.entry(user_id).or_default().push(at);
    }
    let mut rated: HashMap<String, Vec<(Millis, u8)>> = HashMap::new();
    for (user_id, at, score) in app.store.ratings(company_id, w.from, w.to).await? {
        rated.entry(user_id).or_default().push((at, score));
    }
    let mut rests: HashMap<String, Vec<Rest>> = HashMap::new();
    for work in app
        .store
        .after_chat_spans(company_id, None, w.from, w.to)
        .await?
    {
        rests
            .entry(work.operator_id.clone())
            .or_default()
            .push(work.rest());
    }
    let pause_types = app.store.pause_types(company_id).await?;
    let now = app.now();
    let items = users
        .into_iter()
        .map(|user| {
            let summaries = presence::per_bucket(
                spans.get(&user.id).map_or(&[], Vec::as_slice),
                &buckets,
                now,
            );
            let handled = presence::count_per_bucket(
                accepted.get(&user.id).into_iter().flatten().copied(),
                &buckets,
            );
            let ratings =
                rating::per_bucket(rated.get(&user.id).into_iter().flatten().copied(), &buckets);
            let after_chat = after_chat::seconds_per_bucket(
                rests.get(&user.id).map_or(&[], Vec::as_slice),
                &buckets,
                now,
            );
            let lines = buckets
                .iter()
                .zip(summaries)
                .zip(handled)
                .zip(ratings)
                .zip(after_chat)
                .map(|((((b, s), n), r), a)| operator_bucket(b, s, (n, r, a), &pause_types))
                .collect();
            operator_line(user, lines)
        })
        .collect();
    Ok(Json(OperatorsReport { items }))
}

fn operator_line(user: User, buckets: Vec<OperatorBucket>) -> OperatorLine {
    OperatorLine {
        operator_id: user.id,
        name: user.name,
        buckets,
    }
}

/// One bucket of an operator's line: their time (`s`), and the handled
/// sessions, ratings and after-chat seconds counted in it.
fn operator_bucket(
    bucket: &reports::Bucket,
    s: Summary,
    (sessions_handled, (ratings, average_rating), after_chat_s): (i64, (i64, Option<f64>), i64),
    pause_types: &[PauseType],
) -> OperatorBucket {
    let paid = |id: &str| pause_types.iter().any(|p| p.id == id && p.paid);
    let (paid_break_s, unpaid_break_s) = presence::paid_and_unpaid(&s.break_s, paid);
    let break_s = s
        .break_s
        .into_iter()
        .filter_map(|b| {
            let p = pause_types.iter().find(|p| p.id == b.pause_type_id)?;
            Some(ReportBreak {
                pause_type: PauseTypeRef::from(p),
                paid: p.paid,
                seconds: b.seconds,
            })
        })
        .collect();
    OperatorBucket {
        start: to_rfc3339(bucket.start),
        end: to_rfc3339(bucket.end),
        online_s: s.online_s,
        away_s: s.away_s,
        break_s,
        offline_s: s.offline_s,
        paid_break_s,
        unpaid_break_s,
        sessions_handled,
        ratings,
        average_rating,
        after_chat_s,
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// RFC 3339: the window's start.
    from: String,
    /// RFC 3339: its end, after `from` and at most 93 days later.
    to: String,
    /// IANA time zone whose hours count; default `Europe/Prague`.
    tz: Option<String>,
    /// Only this group's queue; default every group.
    group_id: Option<String>,
    /// Answered within this many seconds counts toward the service level:
    /// 1 to 3600, default 20.
    service_level_s: Option<i64>,
    /// Only this channel's sessions.
    channel: Option<Channel>,
}

/// One local hour of the queue. Sessions count in the hour they were
/// created; `max_waiting` counts every session waiting during the hour.
#[derive(Serialize, utoipa::ToSchema)]
pub struct QueueHour {
    #[schema(format = DateTime)]
    start: String,
    #[schema(format = DateTime)]
    end: String,
    created: i64,
    answered: i64,
    answered_within_sl: i64,
    /// The client left before anyone accepted them.
    abandoned: i64,
    /// The most sessions waiting at the same time.
    max_waiting: i64,
    /// Over finished waits (answered or abandoned), to a tenth of a second;
    /// null without any.
    avg_wait_s: Option<f64>,
    /// Whole seconds; null without any finished wait.
    max_wait_s: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct QueueTotals {
    created: i64,
    answered: i64,
    answered_within_sl: i64,
    /// answered_within_sl / (answered + abandoned), 0 to 1; null when
    /// nobody was answered or gave up.
    service_level: Option<f64>,
    abandoned: i64,
    avg_wait_s: Option<f64>,
    max_wait_s: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct QueueReport {
    items: Vec<QueueHour>,
    totals: QueueTotals,
    service_level_s: i64,
}

/// The queue per local hour: clients who came, were answered (within the
/// service level) or gave up, how long they waited and how many at once.
/// A session waits from its creation until accepted, or until it ended
/// unaccepted.
#[utoipa::path(get, path = "/api/v1/reports/queue", operation_id = "getQueueReport", tag = "Reports", params(QueueQuery),
    responses((status = 200, body = QueueReport), (status = 400, body = ErrorBody, description = "a query parameter is malformed"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn queue(
    State(app): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> ApiResult<Json<QueueReport>> {
    require_overseer(&actor)?;
    let w = ReportWindow::parse(&q.from, &q.to, q.tz.as_deref())?;
    let service_level_s = q.service_level_s.unwrap_or(20);
    if !(1..=3600).contains(&service_level_s) {
        return Err(ApiError::invalid(
            "invalid_service_level",
            "service_level_s must be between 1 and 3600",
        ));
    }
    if let Some(id) = &q.group_id {
        window::group(&app, &actor, id).await?;
    }
    let filter = QueueFilter {
        group_id: q.group_id.as_deref(),
        channel: q.channel,
    };
    let waits = app
        .store
        .queue_waits(actor.company_id(), filter, w.from, w.to)
        .await?;
    let hours = reports::buckets(w.from, w.to, w.tz, Period::Hour);
    let lines = queue::per_bucket(&waits, &hours, service_level_s * 1000, app.now());
    let t = queue::totals(&lines);
    let items = hours
        .iter()
        .zip(&lines)
        .map(|(h, l)| QueueHour {
            start: to_rfc3339(h.start),
            end: to_rfc3339(h.end),
            created: l.created,
            answered: l.answered,
            answered_within_sl: l.answered_within_sl,
            abandoned: l.abandoned,
            max_waiting: l.max_waiting,
            avg_wait_s: l.avg_wait_s(),
            max_wait_s: l.max_wait_s(),
        })
        .collect();
    Ok(Json(QueueReport {
        items,
        totals: QueueTotals {
            created: t.created,
            answered: t.answered,
            answered_within_sl: t.answered_within_sl,
            service_level: t.service_level,
            abandoned: t.abandoned,
            avg_wait_s: t.avg_wait_s,
            max_wait_s: t.max_wait_s,
        },
        service_level_s,
    }))
}

/// These endpoints with their OpenAPI declarations.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(operators))
        .routes(routes!(queue))
        .routes(routes!(exports::state_history))
        .routes(routes!(exports::sessions))
}
