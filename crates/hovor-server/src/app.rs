//! The application: its HTTP routes, and the work a node runs in the
//! background.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, MatchedPath};
use axum::http::{header, HeaderValue, Request, Response};
use axum::routing::{any, get};
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;

use crate::routes;
use crate::services::{client_presence, nodes, phone, presence, routing, webhooks};
use crate::AppState;

/// Everything Hovor serves over HTTP: the documented API (`openapi::api`),
/// and the pages around it.
pub fn router(state: AppState) -> Router {
    let (api, _document) = crate::openapi::api().split_for_parts();
    // Browsers that reached Hovor over https stay on https for a year.
    let hsts = state
        .secure_cookies()
        .then(|| HeaderValue::from_static("max-age=31536000"));
    api.route("/i/{code}", get(routes::invitations::landing))
        .route("/api/docs", get(crate::openapi::docs_page))
        .route("/widget-preview", get(crate::web::widget_preview))
        .route("/api/{*rest}", any(routes::api_not_found))
        .fallback(crate::web::serve_asset)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                 img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            move |_: &Response<Body>| hsts.clone(),
        ))
        .layer(DefaultBodyLimit::max(crate::extract::MAX_BODY))
        // gzip or brotli, as the client accepts; small answers, images and
        // the WebSocket upgrade stay as they are (tower-http's defaults).
        .layer(CompressionLayer::new())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(record_response),
        )
        .with_state(state)
}

/// A span for every request with its method and route (the matched
/// pattern, so ids do not make every path unique), closed with the status
/// and the latency (`record_response`). Answers are logged at `debug`;
/// server errors at `error` (tower-http's failure classification), inside
/// the span, so the cause logged by `ApiError::internal` carries them too.
/// `HOVOR_LOG` filters as before (`hovor_server=debug` shows every request).
fn request_span(request: &Request<Body>) -> Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("(no route)", MatchedPath::as_str);
    tracing::info_span!(
        "request",
        method = %request.method(),
        route,
        status = tracing::field::Empty,
        latency_ms = tracing::field::Empty,
    )
}

fn record_response(response: &Response<Body>, latency: Duration, span: &Span) {
    span.record("status", response.status().as_u16());
    span.record("latency_ms", latency.as_millis());
    tracing::debug!("answered");
}

/// Starts what every node runs, tests included: the routing worker (the
/// passes asked for by whatever makes someone eligible, `publish.rs`), the
/// hint dispatcher (hints from the bus to the connections subscribed to
/// their topic, `hub.rs`) and the queue places worker (waiting clients'
/// places, computed once per queue change). Call once.
pub fn start(state: &AppState) {
    let (Some(jobs), Some(place_requests)) =
        (state.routing.take_inbox(), state.queue_places.take_inbox())
    else {
        tracing::warn!("the node's workers were already started");
        return;
    };
    state.workers.spawn(routing::run(state.clone(), jobs));
    state.workers.spawn(crate::queue_places::run(
        state.queue_places.clone(),
        state.store.clone(),
        state.clock.clone(),
        state.hub.clone(),
        place_requests,
    ));
    state.workers.spawn(dispatch_hints(state.clone()));
    crate::message_writer::start_lanes(
        &state.messages,
        state.store.clone(),
        Arc::new(state.clone()),
        &state.workers,
    );
}

/// Hints from the bus to the node's connections, by topic: a stream's new
/// events wake its readers; a queue change has the company's places
/// recomputed (which then wakes its listeners); a logout closes the user's
/// connections. Lost hints wake everyone to reread the store.
async fn dispatch_hints(app: AppState) {
    use crate::bus::Hint;
    use crate::hub::{Topic, LOGGED_OUT, SETTINGS};
    use tokio::sync::broadcast::error::RecvError;
    let mut hints = app.bus.subscribe();
    loop {
        match hints.recv().await {
            Ok(Hint::Stream { stream, seq }) => app.hub.wake_stream(&stream, seq),
            Ok(Hint::LoggedOut { user_id }) => {
                app.hub.wake(&Topic::Stream(user_id), LOGGED_OUT);
            }
            Ok(Hint::Queue { company_id }) => app.queue_places.changed(&company_id),
            Ok(Hint::Settings { company_id }) => {
                app.hub.wake(&Topic::Queue(company_id), SETTINGS);
            }
            Ok(Hint::SessionPlace {
                company_id,
                session_id,
                seq,
                at,
                place,
            }) => app
                .routing_books
                .session_moved(&company_id, &session_id, seq, at, place),
            Ok(Hint::Typing { session_id, from }) => app.hub.typing(&session_id, from),
            Ok(Hint::Resync) => resync(&app),
            Err(RecvError::Lagged(missed)) => {
                tracing::warn!("{missed} hints missed: every connection rereads its stream");
                resync(&app);
            }
            Err(RecvError::Closed) => return,
        }
    }
}

/// Hints were lost (here, or on the bus): every connection rereads its
/// streams, routing rereads its books, and waiting clients' places are
/// recomputed.
fn resync(app: &AppState) {
    app.hub.wake_all(crate::hub::STREAM | crate::hub::QUEUE);
    app.routing_books.forget_all();
    app.queue_places.changed_all();
}

/// Starts what a serving node does on a clock, each as an owned task that
/// stops when the node shuts down: expiring grace periods, clients who left
/// the queue without a word, offers that ran
/// out (and a routing pass for every company with a queue), telephony
/// connectors that fell silent, and webhook deliveries (woken by every
/// outbox hint, and every tick for retries).
pub fn start_background(state: &AppState) {
    let interval = state.config.reaper_interval;
    let app = state.clone();
    state
        .workers
        .spawn_every("lease", nodes::renew_every(state), move || {
            let app = app.clone();
            async move { nodes::renew(&app).await }
        });
    let app = state.clone();
    state.workers.spawn_every("dead nodes", interval, move || {
        let app = app.clone();
        async move { nodes::release_dead(&app).await.map(drop) }
    });
    let app = state.clone();
    state
        .workers
        .spawn_every("presence reaper", interval, move || {
            let app = app.clone();
            async move { presence::expire_grace_periods(&app).await.map(drop) }
        });
    let app = state.clone();
    state
        .workers
        .spawn_every("clients who left", interval, move || {
            let app = app.clone();
            async move { client_presence::abandon_gone_clients(&app).await.map(drop) }
        });
    let app = state.clone();
    state
        .workers
        .spawn_every("offer deadlines", interval, move || {
            let app = app.clone();
            async move { routing::tick(&app).await }
        });
    let app = state.clone();
    state
        .workers
        .spawn_every("inbox readers", interval, move || {
            let app = app.clone();
            async move { crate::services::inbox_readers::tick(&app).await }
        });
    let app = state.clone();
    state
        .workers
        .spawn_every("e-mail replies", interval, move || {
            let app = app.clone();
            async move { crate::services::email_sender::tick(&app).await }
        });
    let app = state.clone();
    state.workers.spawn_every(
        "unsent uploads",
        Duration::from_secs(600).max(interval),
        move || {
            let app = app.clone();
            async move { crate::services::upload_janitor::tick(&app).await }
        },
    );
    let app = state.clone();
    state
        .workers
        .spawn_every("telephony watch", interval, move || {
            let app = app.clone();
            async move { phone::check_connectors(&app).await }
        });
    state
        .workers
        .spawn(webhook_dispatcher(state.clone(), interval));
}

async fn webhook_dispatcher(app: AppState, interval: Duration) {
    use tokio::sync::broadcast::error::RecvError;
    let mut hints = app.bus.subscribe();
    let mut tick = tokio::time::interval(interval);
    loop {
        tokio::select! {
            hint = hints.recv() => match hint {
                Ok(crate::bus::Hint::Stream { stream, .. }) if stream.starts_with("wh_") => {}
                Ok(_) => continue,
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            },
            _ = tick.tick() => {}
        }
        // Not awaited: a pass still delivering to a slow company must not
        // hold up the next one (which skips that company).
        let pass = app.clone();
        app.workers.spawn(async move {
            if let Err(e) = webhooks::deliver_due(&pass).await {
                tracing::warn!("webhooks: {e:#}");
            }
        });
    }
}
