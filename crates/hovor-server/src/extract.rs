//! Request extractors: who is asking, and a JSON body with our error shape.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, StatusCode};
use hovor_core::session::SessionStatus;
use hovor_core::{api_scope, Cause, Role};
use hovor_store::{ApiKey, Session, User};
use serde::de::DeserializeOwned;

use crate::auth::{
    constant_time_eq, cookie_value, digest, API_KEY_PREFIX, CSRF_HEADER, SESSION_COOKIE,
};
use crate::error::{ApiError, ApiResult};
use crate::services::client_presence::SEEN_EVERY_MS;
use crate::AppState;
use axum::extract::ConnectInfo;
use std::net::{IpAddr, SocketAddr};

/// The authenticated caller: a logged-in user or an API key.
#[derive(Debug, Clone)]
pub enum Actor {
    User {
        user: User,
        csrf_token: String,
        /// When the login session ends (its sockets close then).
        expires_at: hovor_core::Millis,
    },
    ApiKey(ApiKey),
}

impl Actor {
    pub fn company_id(&self) -> &str {
        match self {
            Actor::User { user, .. } => &user.company_id,
            Actor::ApiKey(key) => &key.company_id,
        }
    }

    /// An API key acts with admin rights inside its company when its scopes
    /// say so (no scope, or `admin`); a narrower key reaches nothing beyond
    /// its endpoints (checked for every request, `from_request_parts`).
    pub fn role(&self) -> Role {
        match self {
            Actor::User { user, .. } => user.role,
            Actor::ApiKey(_) => Role::Admin,
        }
    }

    pub fn user(&self) -> Option<&User> {
        match self {
            Actor::User { user, .. } => Some(user),
            Actor::ApiKey(_) => None,
        }
    }

    pub fn is_user(&self, id: &str) -> bool {
        self.user().is_some_and(|u| u.id == id)
    }

    /// May this caller act on that operator's status and see their history?
    pub fn may_manage_operator(&self, operator_id: &str) -> bool {
        self.is_user(operator_id) || self.role().oversees_others()
    }

    /// The cause recorded when this caller changes an operator's status.
    pub fn cause_for(&self, operator_id: &str) -> Cause {
        match self {
            Actor::ApiKey(_) => Cause::Api,
            Actor::User { user, .. } if user.id == operator_id => Cause::Manual,
            Actor::User { .. } => Cause::Supervisor,
        }
    }

    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.role().administers() {
            Ok(())
        } else {
            Err(ApiError::forbidden("only an administrator may do this"))
        }
    }
}

impl FromRequestParts<AppState> for Actor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Actor, ApiError> {
        let actor = Actor::authenticate(&parts.headers, &parts.method, state).await?;
        if let Actor::ApiKey(key) = &actor {
            if !api_scope::reaches(&key.scopes, parts.uri.path()) {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "scope_forbidden",
                    "this API key's scopes do not reach this endpoint",
                ));
            }
        }
        Ok(actor)
    }
}

impl Actor {
    /// An API key in `Authorization`, or the login cookie (plus the CSRF
    /// header on anything but reads).
    pub async fn authenticate(
        headers: &HeaderMap,
        method: &Method,
        state: &AppState,
    ) -> Result<Actor, ApiError> {
        if let Some(auth) = headers.get(header::AUTHORIZATION) {
            let bearer = auth
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .filter(|k| k.starts_with(API_KEY_PREFIX))
                .ok_or_else(ApiError::unauthenticated)?;
            let key = state
                .store
                .api_key_by_hash(&digest(bearer))
                .await?
                .ok_or_else(ApiError::unauthenticated)?;
            return Ok(Actor::ApiKey(key));
        }

        let token = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|h| cookie_value(h, SESSION_COOKIE))
            .ok_or_else(ApiError::unauthenticated)?;
        let hovor_store::LoginSession {
            user,
            csrf_token,
            expires_at,
        } = state
            .store
            .auth_session(&digest(token), state.now())
            .await?
            .ok_or_else(ApiError::unauthenticated)?;

        let safe = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe {
            let sent = headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !constant_time_eq(sent, &csrf_token) {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "csrf_token_invalid",
                    "send the X-CSRF-Token header you received at login",
                ));
            }
        }
        Ok(Actor::User {
            user,
            csrf_token,
            expires_at,
        })
    }
}

/// The largest request body: the API takes small JSON documents (a chat
/// message has at most 4,000 characters). Larger bodies get 413 before they
/// are read (the router's `DefaultBodyLimit`).
pub const MAX_BODY: usize = 64 * 1024;

/// A JSON body whose rejections use the API's error shape: 400 for malformed
/// JSON, 422 for JSON of the wrong shape.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(JsonRejection::JsonDataError(e)) => {
                Err(ApiError::invalid("invalid_body", e.body_text()))
            }
            Err(JsonRejection::JsonSyntaxError(e)) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                e.body_text(),
            )),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                "send the body as JSON with Content-Type: application/json",
            )),
            Err(other) if other.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                format!("a request body has at most {} KiB", MAX_BODY / 1024),
            )),
            Err(other) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_request",
                other.body_text(),
            )),
        }
    }
}

/// Query parameters whose rejection uses the API's error shape (400).
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(e) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                e.body_text(),
            )),
        }
    }
}

/// The session a client token opens.
pub struct ClientSession(pub Session);

impl FromRequestParts<AppState> for ClientSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "unauthenticated",
                    "send the client_token as Authorization: Bearer",
                )
            })?;
        client_session(app, token).await
    }
}

/// How long a client token works after its session ended: seven days.
pub const CLIENT_TOKEN_AFTER_END_MS: hovor_core::Millis = 7 * 24 * 3600 * 1000;

/// The session a client token opens, while it may.
///
/// A request is a sighting of the client: one that polls over HTTP instead
/// of holding a socket is not taken for gone (written at most every few
/// seconds, and only while the session is queued).
pub async fn client_session(app: &AppState, token: &str) -> ApiResult<ClientSession> {
    let session = app
        .store
        .session_by_token(&digest(token))
        .await?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "unknown client token",
            )
        })?;
    // The client may read its ended conversation for a while (a reload, the
    // transcript); after that the token opens nothing.
    if session
        .ended_at
        .is_some_and(|ended| app.now() >= ended + CLIENT_TOKEN_AFTER_END_MS)
    {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "this conversation ended; its client token has expired",
        ));
    }
    if matches!(
        session.status,
        SessionStatus::Waiting | SessionStatus::Offered
    ) {
        app.store
            .client_seen(&session.id, SEEN_EVERY_MS, app.now())
            .await?;
    }
    Ok(ClientSession(session))
}

impl ClientSession {
    /// A token opens its own session only; any other id is 404.
    pub fn for_path(self, id: &str) -> ApiResult<Session> {
        if self.0.id == id {
            Ok(self.0)
        } else {
            Err(ApiError::not_found("the session"))
        }
    }
}

/// The request's client address (see the module's text).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub IpAddr);

impl ClientAddress {
    /// The key limits count it under.
    pub fn key(&self) -> String {
        self.0.to_string()
    }
}

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<ClientAddress, ApiError> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .ok_or_else(|| {
                ApiError::internal(
                    "client address",
                    "the server runs without connection info (serve.rs gives it to every request)",
                )
            })?;
        Ok(ClientAddress(
            app.config.trusted_proxies.client_of(peer, &parts.headers),
        ))
    }
}
