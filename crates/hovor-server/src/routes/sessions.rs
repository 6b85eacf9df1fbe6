//! The operator's side of sessions: the queue, accepting, writing,
//! transferring and ending.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use hovor_core::session::{EndReason, SessionStatus, MAX_DECLINE_REASON_CHARS};
use hovor_core::Channel;
use hovor_store::{Email, Message, Readers, Session, SessionFilter, TransferTarget};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{page, Page};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Actor, ApiJson, ApiQuery};
use crate::services::sessions;
use crate::AppState;

async fn load(app: &AppState, actor: &Actor, id: &str) -> ApiResult<Session> {
    app.store
        .session(actor.company_id(), id)
        .await?
        .ok_or_else(|| ApiError::not_found("the session"))
}

fn operator_id(actor: &Actor) -> ApiResult<&str> {
    actor
        .user()
        .map(|u| u.id.as_str())
        .ok_or_else(|| ApiError::forbidden("only an operator can do this"))
}

/// May the caller read the session and its transcript? Supervisors, admins
/// and API keys read all; an operator reads what they hold, are offered or
/// are its target, what they held before (a transfer), and the waiting
/// clients of their queue. What the list and the queue show, nothing else.
pub(super) async fn visible(app: &AppState, actor: &Actor, id: &str) -> ApiResult<Session> {
    let session = load(app, actor, id).await?;
    let Some(user) = actor.user().filter(|_| !actor.role().oversees_others()) else {
        return Ok(session);
    };
    if concerns(&session, &user.id)
        || !app
            .store
            .held_by(&user.id, std::slice::from_ref(&session.id))
            .await?
            .is_empty()
    {
        return Ok(session);
    }
    // A waiting client in the operator's queue: they may pick it.
    if session.status.queued()
        && sessions::queue_of(app, actor.company_id(), &user.id)
            .await?
            .iter()
            .any(|s| s.id == session.id)
    {
        return Ok(session);
    }
    // As if it did not exist: ids of others' conversations reveal nothing.
    Err(ApiError::not_found("the session"))
}

/// Is the session the operator's now: held, offered or targeted to them?
fn concerns(session: &Session, operator_id: &str) -> bool {
    [
        &session.operator_id,
        &session.offered_to,
        &session.target_operator_id,
    ]
    .iter()
    .any(|o| o.as_deref() == Some(operator_id))
}

/// The operator who has the session, or a supervisor, admin or API key.
fn may_handle(actor: &Actor, session: &Session) -> ApiResult<()> {
    let mine = session
        .operator_id
        .as_deref()
        .is_some_and(|o| actor.is_user(o));
    if mine || actor.role().oversees_others() {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "this conversation belongs to another operator",
        ))
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    status: Option<SessionStatus>,
    operator_id: Option<String>,
    channel: Option<Channel>,
    /// The client's phone number: a caller's earlier sessions.
    phone: Option<String>,
    /// 1 to 500, default 50.
    limit: Option<i64>,
}

/// Newest first. Operators see the sessions they have, are offered or are
/// the target of, and those they held before; supervisors, admins and API
/// keys see all.
#[utoipa::path(get, path = "/api/v1/sessions", operation_id = "listSessions", tag = "Sessions", params(ListQuery),
    responses((status = 400, body = ErrorBody, description = "a query parameter is malformed"), (status = 200, body = Page<Session>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<Session>>> {
    let limit = q.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::invalid(
            "invalid_limit",
            "limit must be between 1 and 500",
        ));
    }
    let filter = SessionFilter {
        status: q.status,
        operator_id: q.operator_id,
        channel: q.channel,
        phone: q.phone,
    };
    let mut items = app
        .store
        .sessions(actor.company_id(), &filter, limit)
        .await?;
    if let Some(user) = actor.user().filter(|_| !actor.role().oversees_others()) {
        let others: Vec<String> = items
            .iter()
            .filter(|s| !concerns(s, &user.id))
            .map(|s| s.id.clone())
            .collect();
        let held = app.store.held_by(&user.id, &others).await?;
        items.retain(|s| concerns(s, &user.id) || held.contains(&s.id));
    }
    Ok(page(items, None))
}

/// The caller's queue: waiting sessions they could be offered (their groups
/// and channels) and those offered to them, oldest first.
#[utoipa::path(get, path = "/api/v1/sessions/queue", operation_id = "getMyQueue", tag = "Sessions",
    responses((status = 200, body = Page<Session>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn queue(State(app): State<AppState>, actor: Actor) -> ApiResult<Json<Page<Session>>> {
    let me = operator_id(&actor)?;
    Ok(page(
        sessions::queue_of(&app, actor.company_id(), me).await?,
        None,
    ))
}

#[utoipa::path(get, path = "/api/v1/sessions/{id}", operation_id = "getSession", tag = "Sessions", params(("id" = String, Path)),
    responses((status = 200, body = Session), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<Session>> {
    Ok(Json(visible(&app, &actor, &id).await?))
}

/// An e-mail session's e-mails, oldest first, each with the seq of the
/// message it appears as (empty for other channels).
#[utoipa::path(get, path = "/api/v1/sessions/{id}/emails", operation_id = "listSessionEmails", tag = "Sessions", params(("id" = String, Path)),
    responses((status = 200, body = Page<Email>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn emails(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<Page<Email>>> {
    visible(&app, &actor, &id).await?;
    Ok(page(
        app.store.session_emails(actor.company_id(), &id).await?,
        None,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AfterSeq {
    /// Only messages after this one.
    after_seq: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/sessions/{id}/messages", operation_id = "listSessionMessages", tag = "Sessions", params(("id" = String, Path), AfterSeq),
    responses((status = 400, body = ErrorBody, description = "a query parameter is malformed"), (status = 200, body = Page<Message>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn messages(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<AfterSeq>,
) -> ApiResult<Json<Page<Message>>> {
    visible(&app, &actor, &id).await?;
    Ok(page(
        app.store
            .messages_after(&id, q.after_seq.unwrap_or(0), 1000, Readers::Operators)
            .await?,
        None,
    ))
}

/// Takes the session: exactly one of several racing operators wins.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/accept", operation_id = "acceptSession", tag = "Sessions", params(("id" = String, Path)),
    responses((status = 200, body = Session), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`already_taken`, `capacity_full`, `not_in_group` or `channel_not_assigned`")))]
pub async fn accept(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<Session>> {
    let me = operator_id(&actor)?.to_owned();
    load(&app, &actor, &id).await?;
    Ok(Json(
        sessions::accept(&app, actor.company_id(), &id, &me).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decline {
    /// Why (at most 200 characters), recorded for reports and sent with the
    /// `session.declined` webhook.
    reason: Option<String>,
}

/// Declines the offer one has: the client goes back to the queue (in their
/// place) and is not offered to this operator again. Not a missed offer:
/// the operator's status does not change.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/decline", operation_id = "declineSession", tag = "Sessions", params(("id" = String, Path)), request_body = Decline,
    responses((status = 200, body = Session), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`not_offered_to_you`: the offer was taken back, ran out, or was never yours"),
              (status = 422, body = ErrorBody, description = "`invalid_reason`: over 200 characters")))]
pub async fn decline(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Decline>,
) -> ApiResult<Json<Session>> {
    let me = operator_id(&actor)?.to_owned();
    load(&app, &actor, &id).await?;
    let reason = body
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if reason.is_some_and(|r| r.chars().count() > MAX_DECLINE_REASON_CHARS) {
        return Err(ApiError::invalid(
            "invalid_reason",
            format!("a reason has at most {MAX_DECLINE_REASON_CHARS} characters"),
        ));
    }
    Ok(Json(
        sessions::decline(&app, actor.company_id(), &id, &me, reason).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Text {
    text: String,
    /// Makes the send idempotent: the same id again returns the stored message.
    client_msg_id: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/sessions/{id}/messages", operation_id = "sendMessage", tag = "Sessions", params(("id" = String, Path)), request_body = Text,
    responses((status = 201, body = Message), (status = 200, body = Message, description = "a resend of a stored client_msg_id"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn send(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Text>,
) -> ApiResult<(StatusCode, Json<Message>)> {
    let Some(me) = actor.user() else {
        return Err(ApiError::forbidden("only an operator can do this"));
    };
    let posted = sessions::post_as_operator(&app, me, &id, body.client_msg_id, &body.text).await?;
    let status = if posted.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(posted.message)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailReplyBody {
    /// Plain text, at most 100,000 characters.
    text: String,
    /// Files uploaded to this conversation (`POST /sessions/{id}/attachments`)
    /// and not sent yet, at most 10 and 25 MB together.
    #[serde(default)]
    attachments: Vec<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct EmailReply {
    /// The operator's message in the conversation.
    message: Message,
    /// The e-mail that carries it, `send_state` `pending` until it is sent.
    email: Email,
}

/// The most characters of an e-mail reply.
const MAX_EMAIL_REPLY_CHARS: usize = 100_000;
/// The most bytes of files one reply carries (mail servers commonly take
/// 25 MB messages or a little more; base64 adds a third).
const MAX_REPLY_FILES_BYTES: i64 = 25 * 1024 * 1024;

/// Answers the client's latest e-mail in the operator's own e-mail session:
/// stored at once, sent from the inbox's address within seconds (retried
/// for a day if the server fails; the e-mail's `send_state` says how it
/// went). 404 when the session has no e-mail to answer.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/email-reply", operation_id = "replyByEmail", tag = "Sessions", params(("id" = String, Path)), request_body = EmailReplyBody,
    responses((status = 201, body = EmailReply), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn email_reply(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<EmailReplyBody>,
) -> ApiResult<(StatusCode, Json<EmailReply>)> {
    let Some(me) = actor.user() else {
        return Err(ApiError::forbidden("only an operator can do this"));
    };
    load(&app, &actor, &id).await?;
    if body.text.trim().is_empty() {
        return Err(ApiError::invalid(
            "empty_message",
            "a reply needs some text",
        ));
    }
    if body.text.chars().count() > MAX_EMAIL_REPLY_CHARS {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "message_too_long",
            format!("a reply has at most {MAX_EMAIL_REPLY_CHARS} characters"),
        ));
    }
    if body.attachments.len() > hovor_core::files::MAX_FILES_PER_REPLY {
        return Err(ApiError::invalid(
            "too_many_attachments",
            format!(
                "a reply carries at most {} files",
                hovor_core::files::MAX_FILES_PER_REPLY
            ),
        ));
    }
    let mut total = 0;
    for file in &body.attachments {
        let found = app
            .store
            .attachment(actor.company_id(), &id, file)
            .await?
            .filter(|f| f.email_id.is_none())
            .ok_or_else(|| ApiError::from(hovor_core::Refusal::UnknownAttachment))?;
        total += found.size;
    }
    if total > MAX_REPLY_FILES_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "attachments_too_large",
            format!(
                "the files of one reply have at most {} MB together",
                MAX_REPLY_FILES_BYTES / (1024 * 1024)
            ),
        ));
    }
    let (message, email) = app
        .store
        .write_email_reply(
            actor.company_id(),
            &id,
            (&me.id, &me.name),
            &body.text,
            &body.attachments,
            app.now(),
        )
        .await
        .map_err(|e| match e {
            hovor_store::StoreError::NotFound => {
                ApiError::not_found("an e-mail in this conversation")
            }
            other => other.into(),
        })?
        .publish(&app);
    Ok((StatusCode::CREATED, Json(EmailReply { message, email })))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Transfer {
    group_id: Option<String>,
    operator_id: Option<String>,
    /// Shown in the conversation as a system message.
    note: Option<String>,
}

/// Back to the queue, for a group or for one operator only.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/transfer", operation_id = "transferSession", tag = "Sessions", params(("id" = String, Path)), request_body = Transfer,
    responses((status = 200, body = Session), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn transfer(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Transfer>,
) -> ApiResult<Json<Session>> {
    let session = load(&app, &actor, &id).await?;
    may_handle(&actor, &session)?;
    let target = match (body.group_id, body.operator_id) {
        (Some(g), None) => TransferTarget::Group(g),
        (None, Some(o)) => TransferTarget::Operator(o),
        _ => {
            return Err(ApiError::invalid(
                "invalid_transfer",
                "give exactly one of group_id and operator_id",
            ))
        }
    };
    if body
        .note
        .as_deref()
        .is_some_and(|n| n.chars().count() > 1000)
    {
        return Err(ApiError::invalid(
            "invalid_note",
            "a note has at most 1000 characters",
        ));
    }
    let moved =
        sessions::transfer(&app, actor.company_id(), &id, &target, body.note.as_deref()).await?;
    Ok(Json(moved))
}

#[utoipa::path(post, path = "/api/v1/sessions/{id}/end", operation_id = "endSession", tag = "Sessions", params(("id" = String, Path)),
    responses((status = 200, body = Session), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn end(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<Session>> {
    let session = load(&app, &actor, &id).await?;
    may_handle(&actor, &session)?;
    let by = actor.user().map(|me| me.id.as_str());
    Ok(Json(
        sessions::end(&app, actor.company_id(), &id, EndReason::OperatorEnded, by).await?,
    ))
}

/// These endpoints with their OpenAPI declarations.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(queue))
        .routes(routes!(get_one))
        .routes(routes!(messages, send))
        .routes(routes!(emails))
        // A long reply is larger than the API's usual 64 KiB body.
        .merge(
            OpenApiRouter::new()
                .routes(routes!(email_reply))
                .layer(axum::extract::DefaultBodyLimit::max(512 * 1024)),
        )
        .routes(routes!(accept))
        .routes(routes!(decline))
        .routes(routes!(transfer))
        .routes(routes!(end))
}
