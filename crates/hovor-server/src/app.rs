//! The application: its HTTP routes, and the work a node runs in the
//! background.

use std::time::Duration;

use axum::http::{header, HeaderValue};
use axum::routing::{get, post, put};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::routes;
use crate::services::{phone, presence, routing, webhooks};
use crate::AppState;

/// Everything Hovor serves over HTTP.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/auth/login", post(routes::auth::login))
        .route("/auth/logout", post(routes::auth::logout))
        .route("/me", get(routes::me::me))
        .route(
            "/api-keys",
            get(routes::api_keys::list).post(routes::api_keys::create),
        )
        .route(
            "/api-keys/{id}",
            axum::routing::delete(routes::api_keys::revoke),
        )
        .route(
            "/me/notification-settings",
            axum::routing::patch(routes::me::patch_notification_settings),
        )
        .route("/operators", get(routes::operators::list))
        .route(
            "/operators/{id}/state",
            get(routes::operators::get_state).put(routes::operators::put_state),
        )
        .route(
            "/operators/{id}/state-history",
            get(routes::operators::history),
        )
        .route(
            "/operators/{id}/state-summary",
            get(routes::operators::summary),
        )
        .route("/operators/{id}/channels", get(routes::channels::list))
        .route(
            "/operators/{id}/channels/{channel}",
            put(routes::channels::switch),
        )
        .route(
            "/pause-types",
            get(routes::pause_types::list).post(routes::pause_types::create),
        )
        .route(
            "/pause-types/{id}",
            get(routes::pause_types::get_one)
                .patch(routes::pause_types::update)
                .delete(routes::pause_types::archive),
        )
        .route(
            "/users",
            get(routes::users::list).post(routes::users::create),
        )
        .route(
            "/users/{id}",
            get(routes::users::get_one)
                .patch(routes::users::update)
                .delete(routes::users::deactivate),
        )
        .route(
            "/company/settings",
            get(routes::company::get_settings).patch(routes::company::patch_settings),
        )
        .route(
            "/groups",
            get(routes::groups::list).post(routes::groups::create),
        )
        .route(
            "/groups/{id}",
            get(routes::groups::get_one)
                .patch(routes::groups::update)
                .delete(routes::groups::delete),
        )
        .route("/sessions", get(routes::sessions::list))
        .route("/sessions/queue", get(routes::sessions::queue))
        .route("/sessions/{id}", get(routes::sessions::get_one))
        .route(
            "/sessions/{id}/messages",
            get(routes::sessions::messages).post(routes::sessions::send),
        )
        .route("/sessions/{id}/accept", post(routes::sessions::accept))
        .route("/sessions/{id}/transfer", post(routes::sessions::transfer))
        .route("/sessions/{id}/end", post(routes::sessions::end))
        .route(
            "/invitations",
            get(routes::invitations::list).post(routes::invitations::create),
        )
        .route("/invitations/{id}", get(routes::invitations::get_one))
        .route(
            "/invitations/{id}/invalidate",
            post(routes::invitations::invalidate),
        )
        .route(
            "/webhooks",
            get(routes::webhooks::list).post(routes::webhooks::create),
        )
        .route(
            "/webhooks/{id}",
            get(routes::webhooks::get_one)
                .patch(routes::webhooks::update)
                .delete(routes::webhooks::delete),
        )
        .route(
            "/webhooks/{id}/deliveries",
            get(routes::webhooks::deliveries),
        )
        .route(
            "/telephony/extensions/{extension}",
            put(routes::telephony::register),
        )
        .route("/telephony/events", post(routes::telephony::event))
        .route("/telephony/route", post(routes::telephony::route))
        .route("/telephony/dial", post(routes::telephony::dial))
        .route(
            "/telephony/settings",
            get(routes::telephony::get_settings).patch(routes::telephony::patch_settings),
        )
        .nest("/client", client_api())
        .route("/openapi.json", get(crate::openapi::serve))
        .route("/ws", get(crate::ws::upgrade))
        .fallback(routes::api_not_found);

    Router::new()
        .nest("/api/v1", api)
        .route("/healthz", get(routes::healthz))
        .route("/i/{code}", get(routes::invitations::landing))
        .route("/api/docs", get(crate::openapi::docs_page))
        .route(
            "/api/{*rest}",
            put(routes::api_not_found).get(routes::api_not_found),
        )
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
        .with_state(state)
}

/// The client API is called from company websites: any origin may use it
/// (it carries no cookie, only the client's own token).
fn client_api() -> Router<AppState> {
    use tower_http::cors::{Any, CorsLayer};
    Router::new()
        .route("/availability", get(routes::client::get_availability))
        .route("/sessions", post(routes::client::start))
        .route("/sessions/{id}", get(routes::client::get_session))
        .route(
            "/sessions/{id}/messages",
            get(routes::client::messages).post(routes::client::send),
        )
        .route("/sessions/{id}/leave", post(routes::client::leave))
        .route(
            "/invitations/{code}/redeem",
            post(routes::invitations::redeem),
        )
        .layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods([axum::http::Method::GET, axum::http::Method::POST])
                .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE]),
        )
}

/// Starts the routing worker: the passes asked for by whatever makes
/// someone eligible (`publish.rs`). Every node runs it; call once.
pub fn start_routing(state: &AppState) {
    match state.routing.take_inbox() {
        Some(jobs) => state.workers.spawn(routing::run(state.clone(), jobs)),
        None => tracing::warn!("the routing worker was already started"),
    }
}

/// Starts what a serving node does on a clock, each as an owned task that
/// stops when the node shuts down: expiring grace periods, offers that ran
/// out (and a routing pass for every company with a queue), telephony
/// connectors that fell silent, and webhook deliveries (woken by every
/// outbox hint, and every tick for retries).
pub fn start_background(state: &AppState) {
    let interval = state.config.reaper_interval;
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
        .spawn_every("offer deadlines", interval, move || {
            let app = app.clone();
            async move { routing::tick(&app).await }
        });
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
        if let Err(e) = webhooks::deliver_due(&app).await {
            tracing::warn!("webhooks: {e:#}");
        }
    }
}
