//! Application state and the router.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderValue};
use axum::routing::{get, post, put};
use axum::Router;
use hovor_store::Store;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::bus::{Bus, InProcessBus};
use crate::clock::{Clock, SystemClock};
use crate::rate_limit::{LoginLimiter, SlidingCounter};
use crate::routes;

/// Run-time settings that are not per company.
#[derive(Debug, Clone)]
pub struct Config {
    /// The address clients use, e.g. `https://chat.example.com` (no trailing slash).
    pub public_url: String,
    /// Application-level ping interval on WebSockets.
    pub heartbeat: Duration,
    /// A connection that sends nothing for this long is closed.
    pub idle_timeout: Duration,
    /// How long a login session lasts.
    pub session_ttl: Duration,
    /// Serve the demo company's fake website at `/demo-site/`.
    pub demo_site: bool,
    /// How often disconnected operators are checked for an expired grace
    /// period, and offers for their deadline.
    pub reaper_interval: Duration,
    /// Outgoing messages one WebSocket may have queued before it is dropped.
    pub send_queue: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            public_url: "http://127.0.0.1:8080".into(),
            heartbeat: Duration::from_secs(15),
            idle_timeout: Duration::from_secs(60),
            session_ttl: Duration::from_secs(24 * 3600),
            reaper_interval: Duration::from_secs(1),
            demo_site: false,
            send_queue: 256,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub bus: Arc<dyn Bus>,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<Config>,
    pub login_limiter: Arc<LoginLimiter>,
    /// One webhook delivery pass at a time on this node.
    pub webhook_lock: Arc<tokio::sync::Mutex<()>>,
    /// One routing pass at a time on this node.
    pub routing_lock: Arc<tokio::sync::Mutex<()>>,
    /// Companies with a routing pass waiting to start.
    pub routing_pending: Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
    /// Client message flood control.
    pub client_messages: Arc<SlidingCounter>,
    /// Unknown invitation codes per address (guessing).
    pub invitation_guesses: Arc<SlidingCounter>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, config: Config) -> AppState {
        AppState {
            store,
            bus: Arc::new(InProcessBus::new()),
            clock: Arc::new(SystemClock),
            config: Arc::new(config),
            login_limiter: Arc::new(LoginLimiter::default()),
            routing_lock: Arc::new(tokio::sync::Mutex::new(())),
            routing_pending: Arc::default(),
            webhook_lock: Arc::new(tokio::sync::Mutex::new(())),
            client_messages: Arc::new(SlidingCounter::client_messages()),
            invitation_guesses: Arc::new(SlidingCounter::invitation_guesses()),
        }
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> AppState {
        self.clock = clock;
        self
    }

    pub fn now(&self) -> hovor_core::Millis {
        self.clock.now()
    }

    /// Tells every connection that its stream has new events (after the
    /// transaction that wrote them has committed).
    pub fn publish(&self, written: &[(String, i64)]) {
        for (stream, seq) in written {
            self.bus.publish(crate::bus::Hint::Stream {
                stream: stream.clone(),
                seq: *seq,
            });
        }
    }

    /// Sessions are served over TLS when the public URL says so; the cookie
    /// is then marked Secure.
    pub fn secure_cookies(&self) -> bool {
        self.config.public_url.starts_with("https://")
    }
}

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

/// Starts the background work a serving node does: expiring grace periods,
/// offers and routing every tick, and webhook deliveries on every outbox
/// hint (and every tick, for retries).
pub fn spawn_background(state: &AppState) -> tokio::task::JoinHandle<()> {
    let hooks = state.clone();
    tokio::spawn(async move {
        let mut hints = hooks.bus.subscribe();
        let mut tick = tokio::time::interval(hooks.config.reaper_interval);
        loop {
            tokio::select! {
                hint = hints.recv() => match hint {
                    Ok(crate::bus::Hint::Stream { stream, .. }) if stream.starts_with("wh_") => {}
                    Ok(_) => continue,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                },
                _ = tick.tick() => {}
            }
            if let Err(e) = crate::webhooks::deliver_due(&hooks).await {
                tracing::warn!("webhooks: {e:#}");
            }
        }
    });
    let state = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(state.config.reaper_interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = crate::presence::expire_grace_periods(&state).await {
                tracing::warn!("presence reaper: {e:#}");
            }
            if let Err(e) = crate::routing::tick(&state).await {
                tracing::warn!("routing: {e:#}");
            }
            if let Err(e) = crate::phone::check_connectors(&state).await {
                tracing::warn!("telephony connectors: {e:#}");
            }
        }
    })
}
