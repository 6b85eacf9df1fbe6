//! Users (admin): create, change, deactivate. Supervisors may read.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use hovor_core::{Channel, ChannelSetting, Role};
use hovor_store::{NewUser, StoreError, User, UserChange};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{page, Page};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Actor, ApiJson};
use crate::services;
use crate::AppState;

const MIN_PASSWORD: usize = 8;

/// A user with their assigned channels and groups.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct UserJson {
    #[serde(flatten)]
    user: User,
    channels: Vec<ChannelSetting>,
    /// Ids of the groups they are a member of, besides the built-in "All
    /// operators" that holds everyone.
    groups: Vec<String>,
}

/// At most this many groups in one request.
const MAX_GROUPS: usize = 200;

fn valid_groups(groups: &[String]) -> ApiResult<Vec<String>> {
    if groups.len() > MAX_GROUPS {
        return Err(ApiError::invalid(
            "invalid_groups",
            format!("at most {MAX_GROUPS} groups"),
        ));
    }
    let mut out = groups.to_vec();
    out.sort();
    out.dedup();
    Ok(out)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelAssignment {
    channel: Channel,
    /// Concurrent sessions on this channel; calls (`av`, `phone`) are always 1.
    capacity: Option<u32>,
}

fn valid_channels(list: &[ChannelAssignment]) -> ApiResult<Vec<(Channel, u32)>> {
    let mut out: Vec<(Channel, u32)> = Vec::with_capacity(list.len());
    for a in list {
        if out.iter().any(|(c, _)| *c == a.channel) {
            return Err(ApiError::invalid(
                "invalid_channels",
                format!("{} is listed twice", a.channel.as_str()),
            ));
        }
        let capacity = a
            .channel
            .effective_capacity(a.capacity)
            .map_err(|m| ApiError::invalid("invalid_channels", m))?;
        out.push((a.channel, capacity));
    }
    Ok(out)
}

async fn with_channels(app: &AppState, user: User) -> ApiResult<UserJson> {
    let channels = app.store.channels(&user.company_id, &user.id).await?;
    let groups = app
        .store
        .user_groups(&user.company_id)
        .await?
        .into_iter()
        .filter(|(u, _)| *u == user.id)
        .map(|(_, g)| g)
        .collect();
    Ok(UserJson {
        user,
        channels,
        groups,
    })
}

fn require_reader(actor: &Actor) -> ApiResult<()> {
    if actor.role().oversees_others() {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "only supervisors and administrators see the users",
        ))
    }
}

fn valid_name(name: &str) -> ApiResult<String> {
    super::valid_name(name, 100, "a user").map(str::to_owned)
}

async fn hashed(app: &AppState, password: Option<String>) -> ApiResult<Option<String>> {
    let Some(password) = password else {
        return Ok(None);
    };
    if password.chars().count() < MIN_PASSWORD {
        return Err(ApiError::invalid(
            "weak_password",
            format!("a password has at least {MIN_PASSWORD} characters"),
        ));
    }
    app.passwords
        .hash(password)
        .await
        .map(Some)
        .map_err(|e| ApiError::internal("hashing", e))
}

fn email_taken(e: StoreError) -> ApiError {
    match e {
        StoreError::Duplicate(_) => ApiError::new(
            StatusCode::CONFLICT,
            "email_taken",
            "a user with this e-mail already exists",
        ),
        other => other.into(),
    }
}

#[utoipa::path(get, path = "/api/v1/users", operation_id = "listUsers", tag = "Users",
    responses((status = 200, body = Page<UserJson>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(State(app): State<AppState>, actor: Actor) -> ApiResult<Json<Page<UserJson>>> {
    require_reader(&actor)?;
    let users = app.store.users(actor.company_id()).await?;
    let channels = app.store.company_channels(actor.company_id()).await?;
    let groups = app.store.user_groups(actor.company_id()).await?;
    let items = users
        .into_iter()
        .map(|user| UserJson {
            channels: channels
                .iter()
                .filter(|(id, _)| *id == user.id)
                .map(|(_, c)| *c)
                .collect(),
            groups: groups
                .iter()
                .filter(|(id, _)| *id == user.id)
                .map(|(_, g)| g.clone())
                .collect(),
            user,
        })
        .collect();
    Ok(page(items, None))
}

#[utoipa::path(get, path = "/api/v1/users/{id}", operation_id = "getUser", tag = "Users", params(("id" = String, Path)),
    responses((status = 200, body = UserJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<UserJson>> {
    require_reader(&actor)?;
    let user = active_user(&app, &actor, &id).await?;
    Ok(Json(with_channels(&app, user).await?))
}

/// An active user of the caller's company; 404 for anyone else.
async fn active_user(app: &AppState, actor: &Actor, id: &str) -> ApiResult<User> {
    app.store
        .user(actor.company_id(), id)
        .await?
        .filter(|u| u.active)
        .ok_or_else(|| ApiError::not_found("the user"))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserBody {
    name: String,
    email: String,
    /// At least 8 characters. Without one the user cannot log in until it is set.
    password: Option<String>,
    role: Role,
    /// Ids of groups the user joins, besides the built-in one (none when
    /// absent); 422 `unknown_group` for one that is not the company's.
    #[serde(default)]
    groups: Vec<String>,
    /// The channels assigned to the user (none when absent).
    #[serde(default)]
    channels: Vec<ChannelAssignment>,
    /// The user's extension on the telephone exchange (digits).
    phone_extension: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/users", operation_id = "createUser", tag = "Users", request_body = NewUserBody,
    responses((status = 201, body = UserJson), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(app): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<NewUserBody>,
) -> ApiResult<(StatusCode, Json<UserJson>)> {
    actor.require_admin()?;
    let name = valid_name(&body.name)?;
    let email = super::valid_email(&body.email)?;
    let channels = valid_channels(&body.channels)?;
    let phone_extension = valid_extension(body.phone_extension.as_deref())?;
    let groups = valid_groups(&body.groups)?;
    let password_hash = hashed(&app, body.password).await?.unwrap_or_default();
    // One transaction: a taken e-mail or extension, or an unknown group,
    // leaves nothing behind.
    let user = app
        .store
        .create_user(
            &NewUser {
                company_id: actor.company_id().to_owned(),
                name,
                email,
                role: body.role,
                password_hash,
                phone_extension,
                groups,
            },
            app.now(),
        )
        .await
        .map_err(email_taken)?;
    if !channels.is_empty() {
        services::channels::assign(
            &app,
            &user.company_id,
            &user.id,
            &channels,
            actor.user().map(|me| me.id.as_str()),
        )
        .await?;
    }
    app.routing_books.operators_changed(&user.company_id);
    Ok((StatusCode::CREATED, Json(with_channels(&app, user).await?)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    name: Option<String>,
    email: Option<String>,
    password: Option<String>,
    role: Option<Role>,
    /// Replaces the user's groups (besides the built-in one).
    groups: Option<Vec<String>>,
    /// Replaces the assignment; kept channels keep the operator's switch.
    channels: Option<Vec<ChannelAssignment>>,
    /// Digits, or `null` to remove the extension.
    #[serde(default, deserialize_with = "super::present")]
    #[schema(value_type = Option<String>)]
    phone_extension: Option<Option<String>>,
}

fn valid_extension(extension: Option<&str>) -> ApiResult<Option<String>> {
    match extension {
        Some(e) if !hovor_core::phone::valid_extension(e) => Err(ApiError::invalid(
            "invalid_extension",
            "an extension has 2 to 20 digits",
        )),
        other => Ok(other.map(str::to_owned)),
    }
}

/// Changes a user. A new password or a new role ends all of the user's
/// login sessions and closes their open workspaces (`logged_out`): they log
/// in again.
#[utoipa::path(patch, path = "/api/v1/users/{id}", operation_id = "updateUser", tag = "Users", params(("id" = String, Path)), request_body = UserPatch,
    responses((status = 200, body = UserJson), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UserPatch>,
) -> ApiResult<Json<UserJson>> {
    actor.require_admin()?;
    let channels = body.channels.as_deref().map(valid_channels).transpose()?;
    let phone_extension = body
        .phone_extension
        .map(|e| valid_extension(e.as_deref()))
        .transpose()?;
    let groups = body.groups.as_deref().map(valid_groups).transpose()?;
    // Found before the password is hashed: an unknown id costs no hash.
    let before = active_user(&app, &actor, &id).await?;
    let change = UserChange {
        phone_extension,
        name: body.name.as_deref().map(valid_name).transpose()?,
        email: body.email.as_deref().map(super::valid_email).transpose()?,
        role: body.role,
        groups,
        password_hash: hashed(&app, body.password).await?,
    };
    let user = app
        .store
        .update_user(actor.company_id(), &id, &change)
        .await
        .map_err(email_taken)?
        .ok_or_else(|| ApiError::not_found("the user"))?;
    app.routing_books.operators_changed(&user.company_id);
    if change.groups.is_some() {
        // In a new group, they may be the one a waiting client needs.
        app.routing.route(&user.company_id);
    }
    // A new password or another role: whoever held the old login (a stolen
    // cookie, a browser left open) is out. The user logs in again.
    if change.password_hash.is_some() || user.role != before.role {
        services::status::log_out_everywhere(&app, &user).await?;
    }
    if change.phone_extension.is_some() {
        services::phone::announce(&app, &user.company_id, std::slice::from_ref(&user.id)).await?;
    }
    if let Some(channels) = channels {
        services::channels::assign(
            &app,
            &user.company_id,
            &user.id,
            &channels,
            actor.user().map(|me| me.id.as_str()),
        )
        .await?;
    }
    Ok(Json(with_channels(&app, user).await?))
}

/// Deactivates: the user is logged out everywhere and can no longer log
/// in; their history stays.
#[utoipa::path(delete, path = "/api/v1/users/{id}", operation_id = "deactivateUser", tag = "Users", params(("id" = String, Path)),
    responses((status = 204, description = "Deactivated"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn deactivate(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    actor.require_admin()?;
    if actor.is_user(&id) {
        return Err(ApiError::invalid(
            "cannot_deactivate_self",
            "you cannot deactivate your own account",
        ));
    }
    let user = active_user(&app, &actor, &id).await?;
    services::users::deactivate(&app, &user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How long a set-password link works.
const PASSWORD_LINK_MS: hovor_core::Millis = 72 * 3600 * 1000;

/// A set-password link, shown once.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct PasswordLink {
    /// Give it to the user; it works once. The token is in the fragment, so
    /// it reaches no server log or referrer.
    url: String,
    expires_at: String,
}

/// Makes a link the user follows to choose their own password (for a new
/// user, or one who forgot it); valid once, for 72 hours, and any earlier
/// link of theirs stops working. Shown only in this answer.
#[utoipa::path(post, path = "/api/v1/users/{id}/password-link", operation_id = "createPasswordLink", tag = "Users", params(("id" = String, Path)),
    responses((status = 201, body = PasswordLink), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn password_link(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<PasswordLink>)> {
    actor.require_admin()?;
    let user = active_user(&app, &actor, &id).await?;
    let token = crate::auth::random_token();
    let now = app.now();
    let expires_at = now + PASSWORD_LINK_MS;
    app.store
        .create_password_link(
            &user.company_id,
            &user.id,
            &crate::auth::digest(&token),
            expires_at,
            now,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(PasswordLink {
            url: format!(
                "{}/set-password#{token}",
                app.config.public_url.trim_end_matches('/')
            ),
            expires_at: hovor_core::time::to_rfc3339(expires_at),
        }),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPassword {
    /// The token from the link.
    token: String,
    /// At least 8 characters.
    password: String,
}

/// The user follows their link and chooses a password: every login of
/// theirs ends, and they log in with the new one. 410 `link_invalid` for a
/// used, expired or unknown link.
#[utoipa::path(post, path = "/api/v1/auth/set-password", operation_id = "setPassword", tag = "Auth", request_body = SetPassword,
    responses((status = 204, description = "The password is set"), (status = 400, body = ErrorBody),
              (status = 410, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_password(
    State(app): State<AppState>,
    ApiJson(body): ApiJson<SetPassword>,
) -> ApiResult<StatusCode> {
    let gone = || {
        ApiError::new(
            StatusCode::GONE,
            "link_invalid",
            "this link has been used or has expired; ask an administrator for a new one",
        )
    };
    if body.token.len() > 128 {
        return Err(gone());
    }
    let token_hash = crate::auth::digest(&body.token);
    // Checked before the (costly) hash: a made-up token costs nothing.
    if !app.store.password_link_open(&token_hash, app.now()).await? {
        return Err(gone());
    }
    let Some(password_hash) = hashed(&app, Some(body.password)).await? else {
        return Err(gone());
    };
    let user = app
        .store
        .use_password_link(&token_hash, &password_hash, app.now())
        .await?
        .ok_or_else(gone)?;
    services::status::log_out_everywhere(&app, &user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// These endpoints with their OpenAPI declarations.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update, deactivate))
        .routes(routes!(password_link))
        .routes(routes!(set_password))
}
