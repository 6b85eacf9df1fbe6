//! Audio and video calls in a conversation, for its operator and its
//! client: propose, answer, hang up (`call`), and the WebRTC signalling
//! between their browsers (`call/signals`), which each receives as
//! `call.signal` events in the conversation's stream.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use hovor_core::call::{CallAction, Media, Signal};
use hovor_store::Session;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::sessions::visible;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Actor, ApiJson, ClientSession};
use crate::services::calls::{self, Side};
use crate::AppState;

/// What one side does about the call.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallVerb {
    /// Ask the other side for a call (`media`, video by default).
    Propose,
    /// Say yes to the other side's proposal; `media: "audio"` takes a video
    /// call as voice only.
    Accept,
    /// Say no: the conversation goes on as a chat.
    Decline,
    /// Leave the call, or withdraw one's own proposal: back to chat.
    HangUp,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallRequest {
    action: CallVerb,
    media: Option<Media>,
}

impl CallRequest {
    fn action(&self) -> CallAction {
        match self.action {
            CallVerb::Propose => CallAction::Propose(self.media.unwrap_or(Media::Video)),
            CallVerb::Accept => CallAction::Accept(self.media),
            CallVerb::Decline => CallAction::Decline,
            CallVerb::HangUp => CallAction::HangUp,
        }
    }
}

/// A signal was passed on.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SignalSent {
    sent: bool,
}

fn operator(actor: &Actor) -> ApiResult<&str> {
    actor
        .user()
        .map(|u| u.id.as_str())
        .ok_or_else(|| ApiError::forbidden("only an operator makes calls"))
}

/// The operator holding the conversation proposes a call (upgrading the
/// chat), answers the client's, or hangs up. A call that starts takes the
/// operator's one call seat.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/call", operation_id = "changeCall", tag = "Calls", params(("id" = String, Path)), request_body = CallRequest,
    responses((status = 200, body = Session), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`call_in_progress`, `no_call`, `not_yours_to_answer`, `on_another_call`, `channel_not_assigned` (no `av`), `no_calls_on_channel`, `session_not_active` or `session_ended`"),
              (status = 422, body = ErrorBody)))]
pub async fn change_call(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CallRequest>,
) -> ApiResult<Json<Session>> {
    let me = operator(&actor)?;
    let session = visible(&app, &actor, &id).await?;
    Ok(Json(
        calls::act(&app, &session, Side::Operator(me), body.action()).await?,
    ))
}

/// Passes a WebRTC signal to the client's browser, while the call runs.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/call/signals", operation_id = "sendCallSignal", tag = "Calls", params(("id" = String, Path)), request_body = Signal,
    responses((status = 202, body = SignalSent), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`no_call` (no call runs), `session_not_active`, `session_ended`"),
              (status = 413, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn send_signal(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(signal): ApiJson<Signal>,
) -> ApiResult<(StatusCode, Json<SignalSent>)> {
    let me = operator(&actor)?;
    let session = visible(&app, &actor, &id).await?;
    calls::signal(&app, &session, Side::Operator(me), &signal).await?;
    Ok((StatusCode::ACCEPTED, Json(SignalSent { sent: true })))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ClientCall {
    session: Session,
}

/// The client proposes a call to the operator, answers the operator's, or
/// hangs up.
#[utoipa::path(post, path = "/api/v1/client/sessions/{id}/call", operation_id = "changeClientCall", tag = "Client", params(("id" = String, Path)), request_body = CallRequest,
    security(("client_token" = [])),
    responses((status = 200, body = ClientCall), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "as for the operator; `on_another_call` or `channel_not_assigned` when the operator cannot take a call"),
              (status = 422, body = ErrorBody)))]
pub async fn change_client_call(
    State(app): State<AppState>,
    client: ClientSession,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CallRequest>,
) -> ApiResult<Json<ClientCall>> {
    let session = client.for_path(&id)?;
    Ok(Json(ClientCall {
        session: calls::act(&app, &session, Side::Client, body.action()).await?,
    }))
}

/// Passes a WebRTC signal to the operator's browser, while the call runs.
#[utoipa::path(post, path = "/api/v1/client/sessions/{id}/call/signals", operation_id = "sendClientCallSignal", tag = "Client", params(("id" = String, Path)), request_body = Signal,
    security(("client_token" = [])),
    responses((status = 202, body = SignalSent), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn send_client_signal(
    State(app): State<AppState>,
    client: ClientSession,
    Path(id): Path<String>,
    ApiJson(signal): ApiJson<Signal>,
) -> ApiResult<(StatusCode, Json<SignalSent>)> {
    let session = client.for_path(&id)?;
    calls::signal(&app, &session, Side::Client, &signal).await?;
    Ok((StatusCode::ACCEPTED, Json(SignalSent { sent: true })))
}

/// The operator's endpoints (the client's are in the client router, which
/// answers other origins).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(change_call))
        .routes(routes!(send_signal))
}
