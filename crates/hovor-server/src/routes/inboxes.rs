//! Inboxes (admins): where the company's e-mail is read (IMAP) and answered
//! from (SMTP). Passwords go in and never come out: they are sealed with the
//! deployment's secret key before they are stored.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use hovor_core::email::{InboxState, MailSecurity};
use hovor_store::{
    ImapServer, Inbox, InboxChange, NewInbox, SealedPasswords, SmtpServer, StoreError,
};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{page, Page};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Actor, ApiJson};
use crate::mail::password_context;
use crate::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct InboxJson {
    id: String,
    name: String,
    /// The address clients write to; replies are sent from it.
    address: String,
    /// New threads wait in this group; null: the built-in one.
    group_id: Option<String>,
    imap: ImapServer,
    smtp: SmtpServer,
    /// Read and answered (false: paused by an admin).
    active: bool,
    /// How the last attempt to read it went.
    state: InboxState,
    /// Why the last attempt failed, when it did.
    last_error: Option<String>,
    #[schema(format = DateTime)]
    checked_at: Option<String>,
}

fn json_of(inbox: Inbox) -> InboxJson {
    InboxJson {
        id: inbox.id,
        name: inbox.name,
        address: inbox.address,
        group_id: inbox.group_id,
        imap: inbox.imap,
        smtp: inbox.smtp,
        active: inbox.active,
        state: inbox.state,
        last_error: inbox.last_error,
        checked_at: inbox.checked_at.map(hovor_core::time::to_rfc3339),
    }
}

/// An IMAP server as an admin gives it; the password is written, never read.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImapInput {
    host: String,
    port: u16,
    security: MailSecurity,
    username: String,
    /// Required when the inbox is made; left out of a change, it stays.
    password: Option<String>,
    /// `INBOX` when left out.
    folder: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SmtpInput {
    host: String,
    port: u16,
    security: MailSecurity,
    username: String,
    /// Required when the inbox is made; left out of a change, it stays.
    password: Option<String>,
}

fn invalid(code: &'static str, message: &str) -> ApiError {
    ApiError::invalid(code, message.to_owned())
}

/// A host name or address: no scheme, path, port or space. A name is
/// checked for where it points each time Hovor connects; an address
/// written here is judged now.
fn valid_host(app: &AppState, host: &str) -> ApiResult<String> {
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    let plausible = !host.is_empty()
        && host.len() <= 253
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if !plausible {
        return Err(invalid(
            "invalid_host",
            "a mail server is a host name or an IP address, without a scheme or port",
        ));
    }
    if !app.outbound.allows_host(&host) {
        return Err(super::webhooks::private_address());
    }
    Ok(host)
}

fn valid_port(port: u16) -> ApiResult<u16> {
    if port == 0 {
        return Err(invalid("invalid_port", "a port is 1 to 65535"));
    }
    Ok(port)
}

fn valid_username(name: &str) -> ApiResult<String> {
    let name = name.trim();
    if name.is_empty() || name.len() > 320 {
        return Err(invalid(
            "invalid_username",
            "the mail server's user name has 1 to 320 characters",
        ));
    }
    Ok(name.to_owned())
}

fn valid_password(password: &str) -> ApiResult<&str> {
    if password.is_empty() || password.len() > 1024 {
        return Err(invalid(
            "invalid_password",
            "the mail server's password has 1 to 1024 characters",
        ));
    }
    Ok(password)
}

fn valid_folder(folder: Option<&str>) -> ApiResult<String> {
    let folder = folder.map(str::trim).unwrap_or("INBOX");
    if folder.is_empty() || folder.len() > 200 || folder.contains(['\r', '\n', '"']) {
        return Err(invalid(
            "invalid_folder",
            "a folder name has 1 to 200 characters, without quotes or line breaks",
        ));
    }
    Ok(folder.to_owned())
}

fn imap_of(app: &AppState, input: &ImapInput) -> ApiResult<ImapServer> {
    Ok(ImapServer {
        host: valid_host(app, &input.host)?,
        port: valid_port(input.port)?,
        security: input.security,
        username: valid_username(&input.username)?,
        folder: valid_folder(input.folder.as_deref())?,
    })
}

fn smtp_of(app: &AppState, input: &SmtpInput) -> ApiResult<SmtpServer> {
    Ok(SmtpServer {
        host: valid_host(app, &input.host)?,
        port: valid_port(input.port)?,
        security: input.security,
        username: valid_username(&input.username)?,
    })
}

fn refused(e: StoreError) -> ApiError {
    match e {
        StoreError::Duplicate(_) => ApiError::new(
            StatusCode::CONFLICT,
            "inbox_address_taken",
            "another inbox of the company has this address",
        ),
        StoreError::NotFound => {
            ApiError::invalid("unknown_group", "the company has no such group".to_owned())
        }
        other => other.into(),
    }
}

#[utoipa::path(get, path = "/api/v1/inboxes", operation_id = "listInboxes", tag = "Inboxes",
    responses((status = 200, body = Page<InboxJson>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(State(app): State<AppState>, actor: Actor) -> ApiResult<Json<Page<InboxJson>>> {
    actor.require_admin()?;
    let inboxes = app.store.inboxes(actor.company_id()).await?;
    Ok(page(inboxes.into_iter().map(json_of).collect(), None))
}

#[utoipa::path(get, path = "/api/v1/inboxes/{id}", operation_id = "getInbox", tag = "Inboxes", params(("id" = String, Path)),
    responses((status = 200, body = InboxJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<InboxJson>> {
    actor.require_admin()?;
    app.store
        .inbox(actor.company_id(), &id)
        .await?
        .map(|i| Json(json_of(i)))
        .ok_or_else(|| ApiError::not_found("the inbox"))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInboxBody {
    name: String,
    address: String,
    group_id: Option<String>,
    imap: ImapInput,
    smtp: SmtpInput,
}

/// Admins only. Reading starts within seconds; `state` tells how it goes.
#[utoipa::path(post, path = "/api/v1/inboxes", operation_id = "createInbox", tag = "Inboxes", request_body = NewInboxBody,
    responses((status = 201, body = InboxJson), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody, description = "`inbox_address_taken`"),
              (status = 422, body = ErrorBody)))]
pub async fn create(
    State(app): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<NewInboxBody>,
) -> ApiResult<(StatusCode, Json<InboxJson>)> {
    actor.require_admin()?;
    let name = super::valid_name(&body.name, 80, "an inbox")?.to_owned();
    let address = super::valid_email(&body.address)?;
    let imap = imap_of(&app, &body.imap)?;
    let smtp = smtp_of(&app, &body.smtp)?;
    let missing = || invalid("invalid_password", "give the mail server's password");
    let imap_password = valid_password(body.imap.password.as_deref().ok_or_else(missing)?)?;
    let smtp_password = valid_password(body.smtp.password.as_deref().ok_or_else(missing)?)?;
    let id = hovor_store::new_id("inb");
    let secrets = &app.config.secrets;
    let new = NewInbox {
        passwords: SealedPasswords {
            imap: secrets.seal(imap_password, &password_context(&id, "imap")),
            smtp: secrets.seal(smtp_password, &password_context(&id, "smtp")),
        },
        id,
        name,
        address,
        group_id: body.group_id,
        imap,
        smtp,
    };
    let inbox = app
        .store
        .create_inbox(actor.company_id(), &new, app.now())
        .await
        .map_err(refused)?;
    Ok((StatusCode::CREATED, Json(json_of(inbox))))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InboxPatch {
    name: Option<String>,
    address: Option<String>,
    /// Null: the built-in group.
    #[serde(default, deserialize_with = "super::present")]
    #[schema(value_type = Option<String>)]
    group_id: Option<Option<String>>,
    imap: Option<ImapInput>,
    smtp: Option<SmtpInput>,
    active: Option<bool>,
}

/// Admins only. A change of server, account or password reads the inbox
/// anew (`state` back to `connecting`).
#[utoipa::path(patch, path = "/api/v1/inboxes/{id}", operation_id = "updateInbox", tag = "Inboxes", params(("id" = String, Path)), request_body = InboxPatch,
    responses((status = 200, body = InboxJson), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`inbox_address_taken`"), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<InboxPatch>,
) -> ApiResult<Json<InboxJson>> {
    actor.require_admin()?;
    let secrets = &app.config.secrets;
    let seal = |password: Option<&str>, server: &str| -> ApiResult<Option<String>> {
        password
            .map(|p| Ok(secrets.seal(valid_password(p)?, &password_context(&id, server))))
            .transpose()
    };
    let change = InboxChange {
        name: body
            .name
            .as_deref()
            .map(|n| super::valid_name(n, 80, "an inbox").map(str::to_owned))
            .transpose()?,
        address: body
            .address
            .as_deref()
            .map(super::valid_email)
            .transpose()?,
        group_id: body.group_id,
        imap: body.imap.as_ref().map(|i| imap_of(&app, i)).transpose()?,
        smtp: body.smtp.as_ref().map(|s| smtp_of(&app, s)).transpose()?,
        imap_password: seal(
            body.imap.as_ref().and_then(|i| i.password.as_deref()),
            "imap",
        )?,
        smtp_password: seal(
            body.smtp.as_ref().and_then(|s| s.password.as_deref()),
            "smtp",
        )?,
        active: body.active,
    };
    app.store
        .update_inbox(actor.company_id(), &id, &change)
        .await
        .map_err(refused)?
        .map(|i| Json(json_of(i)))
        .ok_or_else(|| ApiError::not_found("the inbox"))
}

/// Admins only. It is no longer read; its threads and e-mails stay.
#[utoipa::path(delete, path = "/api/v1/inboxes/{id}", operation_id = "deleteInbox", tag = "Inboxes", params(("id" = String, Path)),
    responses((status = 204, description = "Deleted"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    actor.require_admin()?;
    if app
        .store
        .delete_inbox(actor.company_id(), &id, app.now())
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("the inbox"))
    }
}

/// These endpoints with their OpenAPI declarations.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update, delete))
}
