//! Transcripts: a conversation as a text file, for its client (what they
//! saw) and for those who may read it in the workspace (notes included).

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hovor_core::reports::calendar::DEFAULT_TZ;
use hovor_core::reports::parse_tz;
use hovor_core::transcript::{render, Heading, Lang, Line};
use hovor_store::{EarlierSession, Readers, Session};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::sessions::visible;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Actor, ApiQuery, ClientSession};
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
    let lang = match q.lang.as_deref() {
        None => Lang::En,
        Some(l) => {
            Lang::parse(l).ok_or_else(|| ApiError::invalid("invalid_lang", "lang is cs or en"))?
        }
    };
    let tz = match q.tz.as_deref() {
        None => DEFAULT_TZ,
        Some(name) => parse_tz(name).ok_or_else(|| {
            ApiError::invalid(
                "invalid_tz",
                "tz is an IANA time zone such as Europe/Prague",
            )
        })?,
    };
    let company = app
        .store
        .company(&session.company_id)
        .await?
        .map(|c| c.name)
        .unwrap_or_default();
    // All of it, a thousand at a time.
    let mut messages = Vec::new();
    loop {
        let after = messages.last().map_or(0, |m: &hovor_store::Message| m.seq);
        let batch = app
            .store
            .messages_after(&session.id, after, 1000, readers)
            .await?;
        let full = batch.len() == 1000;
        messages.extend(batch);
        if !full {
            break;
        }
    }
    let lines: Vec<Line<'_>> = messages
        .iter()
        .map(|m| Line {
            author: m.author,
            operator_name: m.operator_name.as_deref(),
            text: &m.text,
            notice: m.notice.as_ref(),
            sent_at: m.sent_at,
            files: m.attachments.iter().map(|f| f.name.as_str()).collect(),
        })
        .collect();
    let heading = Heading {
        company: &company,
        client_name: session.client.name.as_deref(),
        started_at: session.created_at,
    };
    let body = render(lang, tz, &heading, &lines);
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

/// The operators' route (the client's is in the client router).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(for_operator))
        .routes(routes!(earlier_sessions))
}
