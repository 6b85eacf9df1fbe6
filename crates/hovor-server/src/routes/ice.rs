//! The ICE servers (STUN, and TURN with short-lived credentials) a browser
//! needs for a call: for a logged-in user, and for a client with its
//! session's token. The TURN username carries only an opaque id (the
//! user's or the session's), never a name or address.

use axum::extract::{Path, State};
use axum::http::header;
use axum::Json;
use hovor_core::session::SessionStatus;
use hovor_core::Refusal;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Actor, ClientSession};
use crate::ice::{ice_servers, IceServers};
use crate::AppState;

/// A reply no cache may keep: it carries credentials.
type NoStore<T> = ([(header::HeaderName, &'static str); 1], Json<T>);

fn no_store<T>(body: T) -> NoStore<T> {
    ([(header::CACHE_CONTROL, "no-store")], Json(body))
}

/// Now in Unix seconds, by the server's clock.
fn now_unix_s(app: &AppState) -> u64 {
    u64::try_from(app.now().div_euclid(1000)).unwrap_or(0)
}

/// The ICE servers for my calls: pass `ice_servers` to `new
/// RTCPeerConnection({iceServers})`. Fetch them again before a call after
/// `expires_at`.
#[utoipa::path(get, path = "/api/v1/ice-servers", operation_id = "getIceServers", tag = "Calls",
    security(("session_cookie" = [])),
    responses((status = 200, body = IceServers, description = "Sent with `Cache-Control: no-store`"),
              (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "an API key: a key takes no calls")))]
pub async fn for_user(State(app): State<AppState>, actor: Actor) -> ApiResult<NoStore<IceServers>> {
    let Actor::User { user, .. } = actor else {
        return Err(ApiError::forbidden(
            "ICE servers are for a logged-in user's calls; an API key takes no calls",
        ));
    };
    Ok(no_store(ice_servers(
        &app.config.ice,
        &user.id,
        now_unix_s(&app),
    )))
}

/// The ICE servers for the client's call in this session, while the session
/// has one (proposed or running).
#[utoipa::path(get, path = "/api/v1/client/sessions/{id}/ice-servers", operation_id = "getClientIceServers", tag = "Calls",
    params(("id" = String, Path)), security(("client_token" = [])),
    responses((status = 200, body = IceServers, description = "Sent with `Cache-Control: no-store`"),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`session_ended`, or `no_call` while the session has no call")))]
pub async fn for_client(
    State(app): State<AppState>,
    client: ClientSession,
    Path(id): Path<String>,
) -> ApiResult<NoStore<IceServers>> {
    let session = client.for_path(&id)?;
    if session.status == SessionStatus::Ended {
        return Err(Refusal::SessionEnded.into());
    }
    // Relay credentials only for a call, not for any chat (least rights).
    if session.call.is_none() {
        return Err(Refusal::NoCall.into());
    }
    Ok(no_store(ice_servers(
        &app.config.ice,
        &session.id,
        now_unix_s(&app),
    )))
}

/// The user's route (the client's is in the client router, with the rest of
/// the client API and its CORS for company websites).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(for_user))
}
