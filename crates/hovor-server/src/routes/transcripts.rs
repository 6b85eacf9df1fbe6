//! Transcripts: a conversation as a text file, for its client (what they
//! saw) and for those who may read it in the workspace (notes included).

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hovor_store::{EarlierSession, Readers, Session};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::sessions::visible;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Actor, ApiJson, ApiQuery, ClientSession};
use crate::services::transcripts::{company_name, language_and_zone, transcript_text};
use crate::AppState;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TranscriptQuery {
    /// `cs` or `en` (default): the headings and system messages.
    lang: Option<String>,
    /// IANA time zone of the times; default `Europe/Prague`.
    tz: Option<String>,
    /// A session the caller may read whose client this session's is (an
    /// earlier conversation listed by `GET /api/v1/sessions/{id}/earlier`):
    /// its transcript may then be read too.
    #[serde(rename = "for")]
    for_session: Option<String>,
}

/// The transcript of a session as a download.
async fn transcript(
    app: &AppState,
    session: &Session,
    readers: Readers,
    q: &TranscriptQuery,
) -> ApiResult<Response> {
    let how = language_and_zone(q.lang.as_deref(), q.tz.as_deref())?;
    let company = company_name(app, &session.company_id).await?;
    let body = transcript_text(app, session, &company, readers, how).await?;
    let date = hovor_core::time::to_rfc3339(session.created_at);
    let file = format!(
        "attachment; filename=\"conversation-{}.txt\"",
        date.get(..10).unwrap_or("")
    );
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&file) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The conversation as a text file, with the notes between operators.
#[utoipa::path(get, path = "/api/v1/sessions/{id}/transcript", operation_id = "getTranscript", tag = "Sessions", params(("id" = String, Path), TranscriptQuery),
    responses((status = 200, content_type = "text/plain", body = String, description = "A download (`Content-Disposition: attachment`)"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn for_operator(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<TranscriptQuery>,
) -> ApiResult<Response> {
    let session = match &q.for_session {
        None => visible(&app, &actor, &id).await?,
        Some(current) => {
            // The operator serving a returning client reads their earlier conversations.
            let current = visible(&app, &actor, current).await?;
            earlier(&app, &current)
                .await?
                .into_iter()
                .map(|e| e.session)
                .find(|s| s.id == id)
                .ok_or_else(|| ApiError::not_found("the session"))?
        }
    };
    transcript(&app, &session, Readers::Operators, &q).await
}

/// How many earlier conversations are listed.
const EARLIER_AT_MOST: i64 = 20;

async fn earlier(app: &AppState, session: &Session) -> ApiResult<Vec<EarlierSession>> {
    Ok(app
        .store
        .earlier_sessions(&session.company_id, &session.id, EARLIER_AT_MOST)
        .await?)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct EarlierList {
    items: Vec<EarlierSession>,
}

/// The client's earlier conversations (at most 20, newest first): from the
/// same browser, e-mail address or phone number. Their transcripts:
/// `GET /api/v1/sessions/{earlier}/transcript?for={id}`.
#[utoipa::path(get, path = "/api/v1/sessions/{id}/earlier", operation_id = "listEarlierSessions", tag = "Sessions", params(("id" = String, Path)),
    responses((status = 200, body = EarlierList), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn earlier_sessions(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<EarlierList>> {
    let session = visible(&app, &actor, &id).await?;
    Ok(Json(EarlierList {
        items: earlier(&app, &session).await?,
    }))
}

/// The client's conversation as a text file: what they saw.
#[utoipa::path(get, path = "/api/v1/client/sessions/{id}/transcript", operation_id = "getClientTranscript", tag = "Client", params(("id" = String, Path), TranscriptQuery),
    security(("client_token" = [])),
    responses((status = 200, content_type = "text/plain", body = String, description = "A download (`Content-Disposition: attachment`)"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn for_client(
    State(app): State<AppState>,
    client: ClientSession,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<TranscriptQuery>,
) -> ApiResult<Response> {
    let session = client.for_path(&id)?;
    transcript(&app, &session, Readers::Client, &q).await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TranscriptEmailRequest {
    /// `cs` or `en` (default).
    lang: Option<String>,
    /// IANA time zone of the times; default `Europe/Prague`.
    tz: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TranscriptEmailed {
    /// The address it went to: the one the client gave.
    sent_to: String,
}

/// E-mails the transcript of the ended conversation to the address the
/// client gave, once, from the company's mailbox. Answered after the mail
/// server took it.
#[utoipa::path(post, path = "/api/v1/client/sessions/{id}/transcript/email", operation_id = "emailClientTranscript", tag = "Client",
    params(("id" = String, Path)), request_body = TranscriptEmailRequest, security(("client_token" = [])),
    responses((status = 200, body = TranscriptEmailed), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`not_ended_yet`, `nothing_to_send`, `no_email`, `no_inbox`, `transcript_already_sent`"),
              (status = 422, body = ErrorBody), (status = 502, body = ErrorBody, description = "the mail server did not take it (try again)")))]
pub async fn email_to_client(
    State(app): State<AppState>,
    client: ClientSession,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<TranscriptEmailRequest>,
) -> ApiResult<Json<TranscriptEmailed>> {
    let session = client.for_path(&id)?;
    let how = language_and_zone(body.lang.as_deref(), body.tz.as_deref())?;
    let sent_to = crate::services::transcript_mail::send(&app, &session, how).await?;
    Ok(Json(TranscriptEmailed { sent_to }))
}

/// The operators' route (the client's is in the client router).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(for_operator))
        .routes(routes!(earlier_sessions))
}
