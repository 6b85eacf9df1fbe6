//! Login and logout.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{verify_against_dummy, verify_password, SESSION_COOKIE};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Actor, ApiJson};
use crate::services::status;
use crate::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct LoginBody {
    email: String,
    password: String,
}

fn invalid_credentials() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
        "the e-mail or the password is not right",
    )
}

/// The caller's address; behind a proxy the first `X-Forwarded-For` hop is
/// not trusted by default, so the socket address is what counts.
fn client_address(peer: &ConnectInfo<SocketAddr>) -> String {
    peer.0.ip().to_string()
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
    peer: ConnectInfo<SocketAddr>,
    ApiJson(body): ApiJson<LoginBody>,
) -> ApiResult<Response> {
    let address = client_address(&peer);
    if !app.login_limiter.allows(&address, &body.email) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            "too many failed logins; wait a few minutes and try again",
        ));
    }
    let found = app.store.user_for_login(&body.email).await?;
    let password = body.password.clone();
    let user = tokio::task::spawn_blocking(move || match found {
        Some((user, hash)) if verify_password(&password, &hash) => Some(user),
        Some(_) => None,
        None => {
            verify_against_dummy(&password);
            None
        }
    })
    .await
    .map_err(|e| ApiError::internal("password check", e))?;
    let Some(user) = user else {
        app.login_limiter.record_failure(&address, &body.email);
        return Err(invalid_credentials());
    };
    app.login_limiter.record_success(&address, &body.email);

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
