//! Login and logout.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::SESSION_COOKIE;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ClientAddress;
use crate::extract::{Actor, ApiJson};
use crate::services::status;
use crate::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct LoginBody {
    email: String,
    password: String,
    /// The company's slug. Needed only when the same e-mail has accounts in
    /// several companies with the same password; without it, the first
    /// account whose password matches logs in.
    company: Option<String>,
}

fn invalid_credentials() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
        "the e-mail or the password is not right",
    )
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct LoginReply {
    pub user: hovor_store::User,
    /// Send it as `X-CSRF-Token` on every write made with the session cookie.
    pub csrf_token: String,
}

/// Readable by the web app: "a login session was started in this browser".
/// It grants nothing; the session cookie does.
pub const SIGNED_IN_COOKIE: &str = "hovor_signed_in";

/// Logs in; sets the `hovor_session` cookie (HttpOnly, SameSite=Lax).
#[utoipa::path(post, path = "/api/v1/auth/login", operation_id = "logIn", tag = "Auth", request_body = LoginBody,
    responses((status = 200, body = LoginReply), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(
    State(app): State<AppState>,
    address: ClientAddress,
    ApiJson(body): ApiJson<LoginBody>,
) -> ApiResult<Response> {
    // The attempt takes its slot now and counts as a failure unless the
    // password is right: parallel guesses cannot all pass the check while
    // the first are still being hashed.
    let Some(attempt) = app.login_limiter.begin(&address.key(), &body.email) else {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            "too many failed logins; wait a few minutes and try again",
        ));
    };
    let mut candidates = app.store.users_for_login(&body.email).await?;
    if let Some(slug) = &body.company {
        // An unknown company is answered like a wrong password.
        let company_id = app.company_ids.id_of(app.store.as_ref(), slug).await?;
        candidates.retain(|(user, _)| Some(&user.company_id) == company_id.as_ref());
    }
    let Some(user) = matching(&app, &body.password, candidates).await? else {
        return Err(invalid_credentials());
    };
    attempt.succeeded();

    let (token, csrf_token) = status::log_in(&app, &user).await?;
    let ttl = app.config.session_ttl;

    let cookie = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        ttl.as_secs(),
        if app.secure_cookies() { "; Secure" } else { "" }
    );
    // A marker the web app can read (no secret in it): without it, the app
    // shows the login page at once instead of asking /me for a 401.
    let marker = format!(
        "{SIGNED_IN_COOKIE}=1; Path=/; SameSite=Lax; Max-Age={}{}",
        ttl.as_secs(),
        if app.secure_cookies() { "; Secure" } else { "" }
    );
    let mut headers = HeaderMap::new();
    for value in [cookie, marker] {
        headers.append(
            header::SET_COOKIE,
            HeaderValue::from_str(&value).map_err(|e| ApiError::internal("cookie", e))?,
        );
    }
    Ok((headers, Json(LoginReply { user, csrf_token })).into_response())
}

/// The first account whose password matches. Without any, the check still
/// takes as long as one (an unknown e-mail looks like a wrong password).
async fn matching(
    app: &AppState,
    password: &str,
    candidates: Vec<(hovor_store::User, String)>,
) -> ApiResult<Option<hovor_store::User>> {
    let check = |hash: Option<String>| {
        let passwords = app.passwords.clone();
        let password = password.to_owned();
        async move {
            passwords
                .verify(password, hash)
                .await
                .map_err(|e| ApiError::internal("password check", e))
        }
    };
    if candidates.is_empty() {
        check(None).await?;
        return Ok(None);
    }
    for (user, hash) in candidates {
        if check(Some(hash)).await? {
            return Ok(Some(user));
        }
    }
    Ok(None)
}

/// Logs the user out everywhere: all their sessions end, their open
/// workspaces close, and they become offline (cause `logout`).
#[utoipa::path(post, path = "/api/v1/auth/logout", operation_id = "logOut", tag = "Auth",
    responses((status = 204, description = "Logged out everywhere; the operator is offline"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn logout(State(app): State<AppState>, actor: Actor) -> ApiResult<Response> {
    let user = actor
        .user()
        .ok_or_else(|| ApiError::forbidden("an API key cannot log out"))?;
    status::log_out_everywhere(&app, user).await?;
    let cookie = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    let marker = format!("{SIGNED_IN_COOKIE}=; Path=/; SameSite=Lax; Max-Age=0");
    let mut headers = HeaderMap::new();
    for value in [cookie, marker] {
        headers.append(
            header::SET_COOKIE,
            HeaderValue::from_str(&value).map_err(|e| ApiError::internal("cookie", e))?,
        );
    }
    Ok((StatusCode::NO_CONTENT, headers).into_response())
}

/// These endpoints with their OpenAPI declarations.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
}
