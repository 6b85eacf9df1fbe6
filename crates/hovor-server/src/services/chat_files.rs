//! Files sent in a chat, by the client or the operator: checked against
//! the company's kinds and size (what a file is is read from its bytes),
//! stored in the file store, and written as a message of their own.

use axum::body::Body;
use axum::http::StatusCode;
use hovor_core::files::{check_chat_file, clean_name, max_bytes, ChatFileRefusal};
use hovor_core::session;
use hovor_store::{NewAttachment, Posted, Session, Writer};

use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// Sends the request's body as a file message from `writer` in `session`.
/// `session` was read before: a conversation the writer may not write in
/// is refused before any byte is stored.
pub async fn send(
    app: &AppState,
    session: &Session,
    writer: Writer,
    name: &str,
    body: Body,
) -> ApiResult<Posted> {
    let by_operator = matches!(writer, Writer::Operator { .. });
    let operator_id = match &writer {
        Writer::Operator { id, .. } => Some(id.as_str()),
        _ => None,
    };
    session::may_write(operator_id, session.status, session.operator_id.as_deref())
        .and_then(|()| session::may_chat(session.channel, by_operator))?;
    let settings = app
        .store
        .company(&session.company_id)
        .await?
        .ok_or_else(|| ApiError::not_found("the company"))?
        .settings;
    if settings.chat_file_kinds.is_empty() {
        return Err(refused(ChatFileRefusal::Off));
    }
    let bytes = axum::body::to_bytes(body, max_bytes(settings.chat_file_max_mb))
        .await
        .map_err(|_| refused(ChatFileRefusal::TooLarge(settings.chat_file_max_mb)))?;
    let name = clean_name(name);
    let content_type = check_chat_file(
        &settings.chat_file_kinds,
        settings.chat_file_max_mb,
        &bytes,
        &name,
    )
    .map_err(refused)?;
    let sha256 = app
        .config
        .files
        .put(&bytes)
        .await
        .map_err(|e| ApiError::internal("storing a chat file", format!("{e:#}")))?;
    let file = NewAttachment {
        name,
        content_type: content_type.to_owned(),
        size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        sha256: Some(sha256),
    };
    Ok(app
        .store
        .add_file_message(&session.company_id, &session.id, &writer, &file, app.now())
        .await?
        .publish(app))
}

fn refused(refusal: ChatFileRefusal) -> ApiError {
    match refusal {
        ChatFileRefusal::Off => ApiError::new(
            StatusCode::CONFLICT,
            "files_off",
            "this company takes no files in chats",
        ),
        ChatFileRefusal::TooLarge(mb) => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "file_too_large",
            format!("a file has at most {mb} MB here"),
        ),
        ChatFileRefusal::Empty => ApiError::invalid("empty_file", "the file is empty"),
        ChatFileRefusal::WrongKind => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_file_type",
            "this kind of file is not taken here (what a file is is read from its content, \
             not its name)",
        ),
    }
}
