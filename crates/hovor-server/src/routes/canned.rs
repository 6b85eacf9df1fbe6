//! Canned answers: the company's (made by admins) and each operator's own,
//! inserted in the workspace by their shortcut. Asked for one conversation,
//! each comes with its placeholders filled.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use hovor_core::canned::{check_content, fill, normalize_shortcut, CannedProblem};
use hovor_core::Role;
use hovor_store::{CannedAnswer, CannedDraft, User};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::sessions::visible;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Actor, ApiJson, ApiQuery};
use crate::AppState;

fn user(actor: &Actor) -> ApiResult<&User> {
    actor
        .user()
        .ok_or_else(|| ApiError::forbidden("canned answers belong to users of the workspace"))
}

fn problem(p: CannedProblem) -> ApiError {
    match p {
        CannedProblem::BadShortcut => ApiError::invalid(
            "invalid_shortcut",
            "a shortcut is 1 to 32 letters, digits, '-' or '_' (without spaces)",
        ),
        CannedProblem::TitleTooLong => {
            ApiError::invalid("invalid_title", "a title has at most 100 characters")
        }
        CannedProblem::EmptyText => ApiError::invalid("empty_text", "a canned answer needs a text"),
        CannedProblem::TextTooLong => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "text_too_long",
            "a canned answer has at most 4000 characters",
        ),
    }
}

fn draft(shortcut: &str, title: Option<&str>, text: &str) -> ApiResult<CannedDraft> {
    let shortcut = normalize_shortcut(shortcut).map_err(problem)?;
    let title = title.map(str::trim).filter(|t| !t.is_empty());
    check_content(title, text).map_err(problem)?;
    Ok(CannedDraft {
        shortcut,
        title: title.map(str::to_owned),
        text: text.to_owned(),
    })
}

/// May this user change this answer: their own, or the company's as an admin.
fn may_change(me: &User, answer: &CannedAnswer) -> ApiResult<()> {
    match &answer.owner_id {
        Some(owner) if *owner == me.id => Ok(()),
        None if me.role == Role::Admin => Ok(()),
        // Another operator's own answers are not even there for others.
        Some(_) => Err(ApiError::not_found("the canned answer")),
        None => Err(ApiError::forbidden(
            "the company's canned answers are changed by an admin",
        )),
    }
}

/// A canned answer, with its text for one conversation when asked.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CannedItem {
    #[serde(flatten)]
    answer: CannedAnswer,
    /// With `session_id`: the text with `{client_name}` and `{operator_name}`
    /// filled in for that conversation.
    #[serde(skip_serializing_if = "Option::is_none")]
    filled: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CannedList {
    items: Vec<CannedItem>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CannedQuery {
    /// Fill the placeholders for this conversation (one the caller may read).
    session_id: Option<String>,
}

/// The company's canned answers and my own, by shortcut (an operator's own
/// first when both have the shortcut).
#[utoipa::path(get, path = "/api/v1/canned-answers", operation_id = "listCannedAnswers", tag = "Canned answers", params(CannedQuery),
    responses((status = 200, body = CannedList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<CannedQuery>,
) -> ApiResult<Json<CannedList>> {
    let me = user(&actor)?;
    let session = match &q.session_id {
        Some(id) => Some(visible(&app, &actor, id).await?),
        None => None,
    };
    let mut answers = app
        .store
        .canned_answers(&me.company_id, Some(&me.id))
        .await?;
    // Mine before the company's with the same shortcut.
    answers.sort_by(|a, b| {
        a.shortcut
            .cmp(&b.shortcut)
            .then(b.owner_id.is_some().cmp(&a.owner_id.is_some()))
    });
    let items = answers
        .into_iter()
        .map(|answer| CannedItem {
            filled: session
                .as_ref()
                .map(|s| fill(&answer.text, s.client.name.as_deref(), &me.name)),
            answer,
        })
        .collect();
    Ok(Json(CannedList { items }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCanned {
    shortcut: String,
    title: Option<String>,
    text: String,
    /// The company's (admins only) instead of my own.
    #[serde(default)]
    company: bool,
}

#[utoipa::path(post, path = "/api/v1/canned-answers", operation_id = "createCannedAnswer", tag = "Canned answers", request_body = NewCanned,
    responses((status = 201, body = CannedAnswer), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`conflict`: the shortcut is taken; `too_many_canned_answers`"),
              (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(app): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<NewCanned>,
) -> ApiResult<(StatusCode, Json<CannedAnswer>)> {
    let me = user(&actor)?;
    if body.company && me.role != Role::Admin {
        return Err(ApiError::forbidden(
            "the company's canned answers are made by an admin",
        ));
    }
    let draft = draft(&body.shortcut, body.title.as_deref(), &body.text)?;
    let owner = (!body.company).then_some(me.id.as_str());
    let made = app
        .store
        .create_canned_answer(&me.company_id, owner, &draft, app.now())
        .await?;
    Ok((StatusCode::CREATED, Json(made)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CannedPatch {
    shortcut: Option<String>,
    /// An empty title removes it.
    title: Option<String>,
    text: Option<String>,
}

#[utoipa::path(patch, path = "/api/v1/canned-answers/{id}", operation_id = "updateCannedAnswer", tag = "Canned answers", params(("id" = String, Path)), request_body = CannedPatch,
    responses((status = 200, body = CannedAnswer), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CannedPatch>,
) -> ApiResult<Json<CannedAnswer>> {
    let me = user(&actor)?;
    let current = app
        .store
        .canned_answer(&me.company_id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("the canned answer"))?;
    may_change(me, &current)?;
    let title = match body.title.as_deref() {
        Some(t) => Some(t),
        None => current.title.as_deref(),
    };
    let draft = draft(
        body.shortcut.as_deref().unwrap_or(&current.shortcut),
        title,
        body.text.as_deref().unwrap_or(&current.text),
    )?;
    Ok(Json(
        app.store
            .update_canned_answer(&me.company_id, &id, &draft, app.now())
            .await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/canned-answers/{id}", operation_id = "deleteCannedAnswer", tag = "Canned answers", params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let me = user(&actor)?;
    let current = app
        .store
        .canned_answer(&me.company_id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("the canned answer"))?;
    may_change(me, &current)?;
    app.store.delete_canned_answer(&me.company_id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(update, delete))
}
