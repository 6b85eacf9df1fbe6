//! The API's declaration, once: every documented endpoint is registered here
//! through `utoipa_axum::routes!`, which takes a handler only with its
//! `#[utoipa::path]`, so a route cannot exist without its documentation and
//! the OpenAPI document is what the router serves. The document also carries
//! the schemas of the WebSocket frames and of webhook deliveries.

mod reference;

use std::sync::OnceLock;

use axum::Json;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::frames::{ClientFrame, ServerFrame};
use crate::routes;
use crate::services::webhooks::WebhookDelivery;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Hovor API", description = "The public REST API of Hovor. Errors are `{\"error\": {\"code\", \"message\"}}`. \
        The WebSocket at /api/v1/ws speaks `ServerFrame` and `ClientFrame`; webhooks receive `WebhookDelivery`."),
    components(schemas(ServerFrame, ClientFrame, WebhookDelivery)),
    modifiers(&Security),
    security(("session_cookie" = []), ("api_key" = []))
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "hovor_session",
                "Set by POST /api/v1/auth/login; writes also need the X-CSRF-Token header",
            ))),
        );
        components.add_security_scheme(
            "client_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The client_token of POST /api/v1/client/sessions"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API key of one company. Scopes: none or `admin` acts as an admin; \
                         `telephony` reaches only /api/v1/telephony/* (403 scope_forbidden \
                         elsewhere)",
                    ))
                    .build(),
            ),
        );
    }
}

/// Every documented endpoint, each with its declaration.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(routes::healthz))
        .routes(routes!(routes::readyz))
        .routes(routes!(routes::metrics))
        .merge(routes::auth::router())
        .merge(routes::me::router())
        .merge(routes::api_keys::router())
        .merge(routes::operators::router())
        .merge(routes::wallboard::router())
        .merge(routes::reports::router())
        .merge(routes::channels::router())
        .merge(routes::pause_types::router())
        .merge(routes::users::router())
        .merge(routes::company::router())
        .merge(routes::groups::router())
        .merge(routes::sessions::router())
        .merge(routes::calls::router())
        .merge(routes::canned::router())
        .merge(routes::transcripts::router())
        .merge(routes::attachments::router())
        .merge(routes::invitations::router())
        .merge(routes::webhooks::router())
        .merge(routes::inboxes::router())
        .merge(routes::telephony::router())
        .merge(routes::client::router())
        .merge(routes::ice::router())
        .routes(routes!(crate::ws::upgrade))
        .routes(routes!(serve))
}

/// The OpenAPI document of [`api`], built once.
pub fn document() -> &'static utoipa::openapi::OpenApi {
    static DOCUMENT: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOCUMENT.get_or_init(|| api().split_for_parts().1)
}

#[utoipa::path(get, path = "/api/v1/openapi.json", operation_id = "getOpenApiDocument", tag = "System", responses((status = 200, description = "This document")))]
pub async fn serve() -> Json<&'static utoipa::openapi::OpenApi> {
    Json(document())
}

/// `GET /api/docs`: a readable reference rendered from the same document.
pub async fn docs_page() -> axum::response::Html<String> {
    axum::response::Html(reference::render(
        &serde_json::to_value(document()).unwrap_or_default(),
    ))
}
