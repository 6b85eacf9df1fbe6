//! The OpenAPI document, generated from the handlers' annotations.

use axum::Json;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(title = "Hovor API", description = "The public REST API of Hovor. Errors are `{\"error\": {\"code\", \"message\"}}`."),
    paths(
        routes::healthz,
        routes::auth::login,
        routes::auth::logout,
        routes::me::me,
        routes::api_keys::list,
        routes::api_keys::create,
        routes::api_keys::revoke,
        routes::me::patch_notification_settings,
        routes::operators::list,
        routes::operators::get_state,
        routes::operators::put_state,
        routes::operators::history,
        routes::operators::summary,
        routes::channels::list,
        routes::channels::switch,
        routes::pause_types::list,
        routes::pause_types::create,
        routes::pause_types::get_one,
        routes::pause_types::update,
        routes::pause_types::archive,
        routes::users::list,
        routes::users::create,
        routes::users::get_one,
        routes::users::update,
        routes::users::deactivate,
        routes::company::get_settings,
        routes::company::patch_settings,
        routes::groups::list,
        routes::groups::create,
        routes::groups::get_one,
        routes::groups::update,
        routes::groups::delete,
        routes::sessions::list,
        routes::sessions::queue,
        routes::sessions::get_one,
        routes::sessions::messages,
        routes::sessions::accept,
        routes::sessions::send,
        routes::sessions::transfer,
        routes::sessions::end,
        routes::invitations::create,
        routes::invitations::list,
        routes::invitations::get_one,
        routes::invitations::invalidate,
        routes::invitations::redeem,
        routes::client::get_availability,
        routes::client::start,
        routes::client::get_session,
        routes::client::send,
        routes::client::messages,
        routes::client::leave,
        crate::ws::upgrade,
    ),
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
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "System", responses((status = 200, description = "This document")))]
pub async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}
