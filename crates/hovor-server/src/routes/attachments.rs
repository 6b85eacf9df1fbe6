//! Files of a conversation: an operator uploads one to send with their
//! next e-mail reply; whoever may read the conversation fetches its files.
//! What a file is comes from its bytes (`hovor_core::files`); only
//! pictures are shown in the page, everything else is downloaded.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hovor_core::files::{accepted_type, clean_name, shown_inline, MAX_FILE_BYTES};
use hovor_store::{Attachment, Message, NewAttachment, Posted, Writer};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::sessions::visible;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Actor, ApiQuery, ClientSession};
use crate::files::FileStore;
use crate::services::chat_files;
use crate::services::sessions::valid_client_msg_id;
use crate::AppState;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileName {
    /// The file's name as the operator sees it (paths are dropped).
    name: String,
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "file_too_large",
        format!("a file has at most {} MB", MAX_FILE_BYTES / (1024 * 1024)),
    )
}

/// Uploads a file (the request body, as it is) to the operator's own
/// active conversation, to go out with their next e-mail reply (its id in
/// the reply's `attachments`). Pictures, PDF, office documents, plain
/// text and CSV, at most 10 MB; what a file is is read from its bytes, so
/// a renamed program is refused (415).
#[utoipa::path(post, path = "/api/v1/sessions/{id}/attachments", operation_id = "uploadAttachment", tag = "Sessions",
    params(("id" = String, Path), FileName),
    request_body(content = String, content_type = "application/octet-stream", description = "The file's bytes, as they are"),
    responses((status = 201, body = Attachment), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "not the caller's active conversation, or too many unsent files"),
              (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<FileName>,
    body: Body,
) -> ApiResult<(StatusCode, Json<Attachment>)> {
    let Some(me) = actor.user() else {
        return Err(ApiError::forbidden("only an operator can do this"));
    };
    visible(&app, &actor, &id).await?;
    let bytes = axum::body::to_bytes(body, MAX_FILE_BYTES)
        .await
        .map_err(|_| too_large())?;
    if bytes.is_empty() {
        return Err(ApiError::invalid("empty_file", "the file is empty"));
    }
    let name = clean_name(&q.name);
    let Some(content_type) = accepted_type(&bytes, &name) else {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_file_type",
            "only pictures (PNG, JPEG, GIF, WebP), PDF, office documents, plain text and CSV \
             can be sent",
        ));
    };
    let sha256 = app
        .config
        .files
        .put(&bytes)
        .await
        .map_err(|e| ApiError::internal("storing an upload", format!("{e:#}")))?;
    let file = NewAttachment {
        name,
        content_type: content_type.to_owned(),
        size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        sha256: Some(sha256),
    };
    let stored = app
        .store
        .add_upload(actor.company_id(), &id, &me.id, &file, app.now())
        .await?;
    Ok((StatusCode::CREATED, Json(stored)))
}

/// A file of the conversation, for whoever may read it. Pictures are
/// shown (`inline`), anything else is downloaded (`attachment`, as bytes).
/// 404 `file_not_kept` for an attachment larger than Hovor keeps.
#[utoipa::path(get, path = "/api/v1/sessions/{id}/attachments/{attachment_id}", operation_id = "getAttachment", tag = "Sessions",
    params(("id" = String, Path), ("attachment_id" = String, Path)),
    responses((status = 200, description = "The file's bytes", content_type = "application/octet-stream"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn download(
    State(app): State<AppState>,
    actor: Actor,
    Path((id, attachment_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    visible(&app, &actor, &id).await?;
    let file = app
        .store
        .attachment(actor.company_id(), &id, &attachment_id)
        .await?
        .ok_or_else(|| ApiError::not_found("the file"))?;
    serve(&app, &file).await
}

/// A file's bytes, as a download (or shown, for a picture), checked against
/// their name in the store.
async fn serve(app: &AppState, file: &Attachment) -> ApiResult<Response> {
    let Some(sha256) = &file.sha256 else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "file_not_kept",
            "this attachment was larger than Hovor keeps; it is in the mailbox",
        ));
    };
    let bytes = app
        .config
        .files
        .get(sha256)
        .await
        .map_err(|e| ApiError::internal("reading an attachment", format!("{e:#}")))?;
    if FileStore::digest(&bytes) != *sha256 {
        return Err(ApiError::internal(
            "reading an attachment",
            format!("the stored file {sha256} does not match its name"),
        ));
    }
    let inline = shown_inline(&file.content_type);
    let content_type = if inline {
        file.content_type.as_str()
    } else {
        "application/octet-stream"
    };
    let disposition = content_disposition(inline, &file.name);
    let headers = [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_str(content_type)
                .unwrap_or(HeaderValue::from_static("application/octet-stream")),
        ),
        (
            header::CONTENT_DISPOSITION,
            HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment")),
        ),
        // Whatever it is, it runs nothing if opened in a tab.
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; sandbox"),
        ),
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, max-age=86400"),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
    ];
    Ok((headers, bytes).into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChatFileName {
    /// The file's name as the sender sees it (paths are dropped).
    name: String,
    /// Makes the send idempotent: the same id again returns the stored message.
    client_msg_id: Option<String>,
}

/// Sends a file (the request body, as it is) in the operator's own chat, as
/// a message of its own (`attachments` holds it). The company's settings
/// say which kinds and how large (`chat_file_kinds`, `chat_file_max_mb`;
/// by default pictures, PDF and office documents up to 10 MB); what a file
/// is is read from its bytes, so a renamed program is refused (415).
#[utoipa::path(post, path = "/api/v1/sessions/{id}/files", operation_id = "sendFile", tag = "Sessions",
    params(("id" = String, Path), ChatFileName),
    request_body(content = String, content_type = "application/octet-stream", description = "The file's bytes, as they are"),
    responses((status = 201, body = Message), (status = 200, body = Message, description = "a resend of a stored client_msg_id"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "not the caller's active chat, files are off, or the conversation holds 100 files"),
              (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn send_file(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ChatFileName>,
    body: Body,
) -> ApiResult<(StatusCode, Json<Message>)> {
    let Some(me) = actor.user() else {
        return Err(ApiError::forbidden("only an operator can do this"));
    };
    valid_client_msg_id(q.client_msg_id.as_deref())?;
    let session = visible(&app, &actor, &id).await?;
    let writer = Writer::Operator {
        id: me.id.clone(),
        name: me.name.clone(),
        client_msg_id: q.client_msg_id,
    };
    let posted = chat_files::send(&app, &session, writer, &q.name, body).await?;
    Ok(created(posted))
}

/// Sends a file (the request body, as it is) in the client's chat, as a
/// message of its own; the company's kinds and size hold as for operators.
#[utoipa::path(post, path = "/api/v1/client/sessions/{id}/files", operation_id = "sendClientFile", tag = "Client",
    params(("id" = String, Path), ChatFileName), security(("client_token" = [])),
    request_body(content = String, content_type = "application/octet-stream", description = "The file's bytes, as they are"),
    responses((status = 201, body = Message), (status = 200, body = Message, description = "a resend of a stored client_msg_id"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn send_client_file(
    State(app): State<AppState>,
    client: ClientSession,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ChatFileName>,
    body: Body,
) -> ApiResult<(StatusCode, Json<Message>)> {
    let session = client.for_path(&id)?;
    valid_client_msg_id(q.client_msg_id.as_deref())?;
    if !app.client_messages.try_take(&session.id) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_messages",
            "you are sending messages too fast; wait a few seconds",
        ));
    }
    let writer = Writer::Client {
        client_msg_id: q.client_msg_id,
    };
    let posted = chat_files::send(&app, &session, writer, &q.name, body).await?;
    Ok(created(posted))
}

/// A file sent in the client's chat (by either side). Pictures are shown
/// (`inline`), anything else is downloaded (`attachment`, as bytes).
#[utoipa::path(get, path = "/api/v1/client/sessions/{id}/attachments/{attachment_id}", operation_id = "getClientAttachment", tag = "Client",
    params(("id" = String, Path), ("attachment_id" = String, Path)), security(("client_token" = [])),
    responses((status = 200, description = "The file's bytes", content_type = "application/octet-stream"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn download_for_client(
    State(app): State<AppState>,
    client: ClientSession,
    Path((id, attachment_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let session = client.for_path(&id)?;
    let file = app
        .store
        .attachment(&session.company_id, &session.id, &attachment_id)
        .await?
        // Only what was sent in the chat: an operator's upload for an
        // e-mail is not the client's until it is sent.
        .filter(|f| f.message_seq.is_some())
        .ok_or_else(|| ApiError::not_found("the file"))?;
    serve(&app, &file).await
}

fn created(posted: Posted) -> (StatusCode, Json<Message>) {
    let status = if posted.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    (status, Json(posted.message))
}

/// `inline` or `attachment`, with the name both plain (ASCII, for old
/// clients) and exact (RFC 5987 `filename*`).
fn content_disposition(inline: bool, name: &str) -> String {
    let kind = if inline { "inline" } else { "attachment" };
    let plain: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && !matches!(c, '"' | '\\' | '%') || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut exact = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            exact.push(char::from(b));
        } else {
            exact.push_str(&format!("%{b:02X}"));
        }
    }
    format!("{kind}; filename=\"{plain}\"; filename*=UTF-8''{exact}")
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload))
        .routes(routes!(download))
        .routes(routes!(send_file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_survive_into_the_header() {
        assert_eq!(
            content_disposition(false, "Účtenka 5.pdf"),
            "attachment; filename=\"__tenka 5.pdf\"; filename*=UTF-8''%C3%9A%C4%8Dtenka%205.pdf"
        );
        assert_eq!(
            content_disposition(true, "a\"b.png"),
            "inline; filename=\"a_b.png\"; filename*=UTF-8''a%22b.png"
        );
    }
}
