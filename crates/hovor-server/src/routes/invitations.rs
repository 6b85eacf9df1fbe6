//! Invitations: an operator's code that connects a client directly with
//! them. Operators' codes are single use; API-made codes are reusable; any
//! can be invalidated. Unknown codes are rate-limited per address.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use hovor_core::invitation::normalize;
use hovor_core::Channel;
use hovor_store::{Invitation, Session};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{page, Page};
use crate::auth::{digest, random_token};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ClientAddress;
use crate::extract::{Actor, ApiJson, ApiQuery};
use crate::services::invitations::{self, Invite};
use crate::AppState;

/// The API's `invitation` object.
#[derive(Serialize, utoipa::ToSchema)]
pub struct InvitationJson {
    id: String,
    /// Read it out as it is; dashes and case do not matter.
    code: String,
    url: String,
    operator_id: String,
    operator_name: String,
    reusable: bool,
    label: Option<String>,
    #[schema(format = DateTime)]
    created_at: String,
    /// `operator` or `api`.
    created_by: String,
    uses: i64,
    #[schema(format = DateTime)]
    invalidated_at: Option<String>,
}

fn json_of(app: &AppState, i: Invitation) -> InvitationJson {
    use hovor_core::time::to_rfc3339;
    InvitationJson {
        url: format!("{}/i/{}", app.config.public_url, i.code),
        id: i.id,
        code: i.code,
        operator_id: i.operator_id,
        operator_name: i.operator_name,
        reusable: i.reusable,
        label: i.label,
        created_at: to_rfc3339(i.created_at),
        created_by: i.created_by,
        uses: i.uses,
        invalidated_at: i.invalidated_at.map(to_rfc3339),
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvitationBody {
    /// Required with an API key; an operator invites for themself.
    operator_id: Option<String>,
    label: Option<String>,
}

/// An operator (cookie) creates a single-use invitation for themself; an
/// API key creates a reusable one for the operator it names.
#[utoipa::path(post, path = "/api/v1/invitations", operation_id = "createInvitation", tag = "Invitations", request_body = NewInvitationBody,
    responses((status = 201, body = InvitationJson), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(app): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<NewInvitationBody>,
) -> ApiResult<(StatusCode, Json<InvitationJson>)> {
    let label = body
        .label
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty());
    if label.as_ref().is_some_and(|l| l.chars().count() > 100) {
        return Err(ApiError::invalid(
            "invalid_label",
            "a label has at most 100 characters",
        ));
    }
    let (operator_id, reusable, created_by) = match &actor {
        Actor::User { user, .. } => {
            if body.operator_id.as_deref().is_some_and(|o| o != user.id) {
                return Err(ApiError::forbidden(
                    "an operator creates invitations for themself only",
                ));
            }
            (user.id.clone(), false, "operator")
        }
        Actor::ApiKey(_) => {
            let id = body.operator_id.ok_or_else(|| {
                ApiError::invalid(
                    "operator_id_required",
                    "name the operator the invitation connects to",
                )
            })?;
            (id, true, "api")
        }
    };
    let known = app
        .store
        .user(actor.company_id(), &operator_id)
        .await?
        .is_some_and(|u| u.active);
    if !known {
        return Err(ApiError::not_found("the operator"));
    }
    let invite = Invite {
        company_id: actor.company_id().to_owned(),
        operator_id,
        reusable,
        label,
        created_by,
    };
    let created = invitations::create(&app, invite).await?;
    Ok((StatusCode::CREATED, Json(json_of(&app, created))))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    operator_id: Option<String>,
    /// true: still usable; false: used up or invalidated.
    active: Option<bool>,
}

/// Operators see their own invitations; supervisors, admins and keys all.
#[utoipa::path(get, path = "/api/v1/invitations", operation_id = "listInvitations", tag = "Invitations", params(ListQuery),
    responses((status = 400, body = ErrorBody, description = "a query parameter is malformed"), (status = 200, body = Page<InvitationJson>), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<InvitationJson>>> {
    let operator = match actor.user() {
        Some(u) if !u.role.oversees_others() => Some(u.id.clone()),
        _ => q.operator_id,
    };
    let items = app
        .store
        .invitations(actor.company_id(), operator.as_deref(), q.active, 500)
        .await?;
    Ok(page(
        items.into_iter().map(|i| json_of(&app, i)).collect(),
        None,
    ))
}

async fn visible(app: &AppState, actor: &Actor, id: &str) -> ApiResult<Invitation> {
    let found = app.store.invitation(actor.company_id(), id).await?;
    match found {
        Some(i) if actor.may_manage_operator(&i.operator_id) => Ok(i),
        _ => Err(ApiError::not_found("the invitation")),
    }
}

#[utoipa::path(get, path = "/api/v1/invitations/{id}", operation_id = "getInvitation", tag = "Invitations", params(("id" = String, Path)),
    responses((status = 200, body = InvitationJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<InvitationJson>> {
    Ok(Json(json_of(&app, visible(&app, &actor, &id).await?)))
}

/// The link stops working (410). Idempotent.
#[utoipa::path(post, path = "/api/v1/invitations/{id}/invalidate", operation_id = "invalidateInvitation", tag = "Invitations", params(("id" = String, Path)),
    responses((status = 200, body = InvitationJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn invalidate(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<InvitationJson>> {
    visible(&app, &actor, &id).await?;
    let done = invitations::invalidate(&app, actor.company_id(), &id)
        .await?
        .ok_or_else(|| ApiError::not_found("the invitation"))?;
    Ok(Json(json_of(&app, done)))
}

/// Looks a code up for a client. An address that guesses (too many unknown
/// codes) is told to wait, but a real code always works: behind one address
/// (a company's network, a mobile carrier) a guesser must not lock out the
/// invited. Codes have 100 random bits, so a guess never finds one.
async fn lookup(app: &AppState, address: &ClientAddress, raw: &str) -> ApiResult<Invitation> {
    let found = match normalize(raw) {
        Some(code) => app.store.invitation_by_code(&code).await?,
        None => None,
    };
    if let Some(invitation) = found {
        return Ok(invitation);
    }
    if !app.invitation_guesses.try_take(&address.key()) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            "too many unknown invitation codes from your address; wait a few minutes",
        ));
    }
    Err(ApiError::not_found("the invitation"))
}

/// Why an invitation can no longer be used (410), if it cannot.
fn gone(i: &Invitation) -> Option<ApiError> {
    hovor_core::invitation::redeemable(i.reusable, i.uses, i.invalidated_at.is_some())
        .err()
        .map(ApiError::from)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Redeemed {
    session: Session,
    client_token: String,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RedeemQuery {
    /// Start with a call (`audio` or `video`) instead of a chat: the
    /// operator's accepting it answers the call.
    media: Option<hovor_core::call::Media>,
}

/// Connects: starts a session bound to the invitation's operator (no group
/// queue). If they are not online, the client waits for them.
#[utoipa::path(post, path = "/api/v1/client/invitations/{code}/redeem", operation_id = "redeemInvitation", tag = "Client", params(("code" = String, Path), RedeemQuery), security(()),
    responses((status = 201, body = Redeemed), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`channel_not_assigned`: a call asked of an operator without `av`"), (status = 410, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn redeem(
    State(app): State<AppState>,
    address: ClientAddress,
    Path(code): Path<String>,
    ApiQuery(query): ApiQuery<RedeemQuery>,
) -> ApiResult<(StatusCode, Json<Redeemed>)> {
    let invitation = lookup(&app, &address, &code).await?;
    if let Some(e) = gone(&invitation) {
        return Err(e);
    }
    if query.media.is_some() && !takes_calls(&app, &invitation).await {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "channel_not_assigned",
            "this operator takes no calls; connect to a chat instead",
        ));
    }
    let token = random_token();
    let session = invitations::redeem(&app, &invitation.code, &digest(&token), query.media).await?;
    Ok((
        StatusCode::CREATED,
        Json(Redeemed {
            session,
            client_token: token,
        }),
    ))
}

/// Whether the invitation's operator has the `av` channel (a call started
/// from the invitation waits for them alone). Unknown counts as no.
async fn takes_calls(app: &AppState, invitation: &Invitation) -> bool {
    app.store
        .channels(&invitation.company_id, &invitation.operator_id)
        .await
        .is_ok_and(|channels| channels.iter().any(|c| c.channel == Channel::Av))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn czech(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .is_some_and(|first| first.trim().to_ascii_lowercase().starts_with("cs"))
}

/// The body of a 410 page. It still loads the widget: the browser that
/// redeemed the code has its conversation saved and rejoins it; anyone else
/// sees only the explanation.
fn gone_page(invitation: &Invitation, why: &str, title: &str, text: &str, cs: bool) -> String {
    format!(
        "<div id=\"hovor-invitation-gone\"><h1>{}</h1><p class=\"lead\">{}</p></div>\
         <div id=\"hovor-invitation\" data-code=\"{code}\" data-operator=\"{}\" data-gone=\"{why}\"></div>\
         <script src=\"/widget.js\" data-invitation=\"{code}\" data-lang=\"{}\" async></script>",
        escape(title),
        escape(text),
        escape(&invitation.operator_name),
        if cs { "cs" } else { "en" },
        code = escape(&invitation.code),
    )
}

/// `GET /i/{code}`: the client's landing page. Opening it consumes nothing
/// (link previews and mail scanners open links): only Connect redeems.
pub async fn landing(
    State(app): State<AppState>,
    address: ClientAddress,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Response {
    let cs = czech(&headers);
    let t = |en: &'static str, cz: &'static str| if cs { cz } else { en };
    let (status, title, body) = match lookup(&app, &address, &code).await {
        Ok(invitation) => match gone(&invitation) {
            None => (
                StatusCode::OK,
                t("Chat with us", "Napište nám"),
                format!(
                    "<p class=\"lead\">{}</p><p class=\"who\">{}</p>\
                     <div id=\"hovor-invitation\" data-code=\"{}\" data-operator=\"{}\"{}></div>\
                     <noscript>{}</noscript>\
                     <script src=\"/widget.js\" data-invitation=\"{}\" data-lang=\"{}\" async></script>",
                    // Czech: the name follows as the subject, so it stays in the nominative
                    // ("s Janou Novákovou" would need a declined name).
                    t("You are invited to a conversation with", "Do konverzace vás zve"),
                    escape(&invitation.operator_name),
                    escape(&invitation.code),
                    escape(&invitation.operator_name),
                    // The page offers a video call when the operator can take one.
                    if takes_calls(&app, &invitation).await {
                        " data-calls=\"1\""
                    } else {
                        ""
                    },
                    t("Please enable JavaScript to connect.", "Pro spojení prosím zapněte JavaScript."),
                    escape(&invitation.code),
                    if cs { "cs" } else { "en" },
                ),
            ),
            Some(e) if e.code == "invitation_used" => (
                StatusCode::GONE,
                t("Invitation already used", "Pozvánka už byla použita"),
                gone_page(
                    &invitation,
                    "used",
                    t("Invitation already used", "Pozvánka už byla použita"),
                    t(
                        "This invitation has been used already. Ask for a new one.",
                        "Tato pozvánka už byla použita. Požádejte o\u{a0}novou.",
                    ),
                    cs,
                ),
            ),
            Some(_) => (
                StatusCode::GONE,
                t("Invitation no longer valid", "Pozvánka už neplatí"),
                gone_page(
                    &invitation,
                    "invalidated",
                    t("Invitation no longer valid", "Pozvánka už neplatí"),
                    t(
                        "This invitation has been invalidated and can no longer be used.",
                        "Tato pozvánka byla zrušena a\u{a0}už ji nelze použít.",
                    ),
                    cs,
                ),
            ),
        },
        Err(e) if e.status == StatusCode::TOO_MANY_REQUESTS => (
            StatusCode::TOO_MANY_REQUESTS,
            t("Too many attempts", "Příliš mnoho pokusů"),
            format!(
                "<p class=\"lead\">{}</p>",
                t("Please wait a few minutes and try again.", "Počkejte prosím pár minut a\u{a0}zkuste to znovu.")
            ),
        ),
        Err(_) => (
            StatusCode::NOT_FOUND,
            t("Invitation not found", "Pozvánka nenalezena"),
            format!(
                "<p class=\"lead\">{}</p>",
                t(
                    "We do not know this invitation. Check the link.",
                    "Tuto pozvánku neznáme. Zkontrolujte prosím odkaz."
                )
            ),
        ),
    };
    let html = format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><title>{title} · Hovor</title>\
         <style>body{{margin:0;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;background:#f3f4f6;color:#111827}}\
         main{{max-width:34rem;margin:12vh auto;background:#fff;border-radius:16px;padding:2rem 2.25rem;box-shadow:0 10px 30px rgba(0,0,0,.08)}}\
         h1{{font-size:1.5rem;margin:0 0 .75rem}}.lead{{color:#4b5563;line-height:1.5}}.who{{font-size:1.25rem;font-weight:600;color:#0f766e}}</style>\
         </head><body><main>{heading}{body}</main></body></html>",
        lang = if cs { "cs" } else { "en" },
        // A 410 page carries its heading inside the part the widget hides
        // for the client who rejoins.
        heading = if body.contains("id=\"hovor-invitation-gone\"") {
            String::new()
        } else {
            format!("<h1>{title}</h1>")
        },
    );
    (status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

/// These endpoints with their OpenAPI declarations.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one))
        .routes(routes!(invalidate))
}
