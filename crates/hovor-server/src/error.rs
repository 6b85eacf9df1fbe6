//! API errors: `{"error": {"code", "message"}}` with the right HTTP status.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use hovor_core::session::TextRefusal;
use hovor_core::{DomainError, Refusal};
use hovor_store::StoreError;

#[derive(Debug, Clone, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn not_found(what: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} was not found"),
        )
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn unauthenticated() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "log in or send an API key to use this endpoint",
        )
    }

    pub fn invalid(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    /// Something failed that the caller cannot fix. The cause is logged here,
    /// once, with its whole chain of sources; the caller gets a 500 without
    /// internals.
    pub fn internal(context: &str, error: impl std::fmt::Display) -> ApiError {
        tracing::error!(error = %error, "{context} failed");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "the server could not complete the request; it has been logged",
        )
    }
}

/// The status a refusal answers with: 410 for an invitation that can never
/// be used again, 422 for a change the built-in group or an unknown member
/// makes invalid (or an unknown group), 409 for a request that lost to the current state.
fn refusal_status(refusal: Refusal) -> StatusCode {
    match refusal {
        Refusal::InvitationUsed | Refusal::InvitationInvalidated => StatusCode::GONE,
        Refusal::BuiltinGroupFixed
        | Refusal::BuiltinGroupPermanent
        | Refusal::UnknownMember
        | Refusal::UnknownGroup
        | Refusal::UnknownAttachment => StatusCode::UNPROCESSABLE_ENTITY,
        Refusal::AlreadyTaken
        | Refusal::NotOfferedToYou
        | Refusal::NotInGroup
        | Refusal::ChannelNotAssigned
        | Refusal::CapacityFull
        | Refusal::SessionNotActive
        | Refusal::SessionEnded
        | Refusal::GroupHasQueue
        | Refusal::ExtensionTaken
        | Refusal::AnswerByEmail
        | Refusal::TooManyUploads
        | Refusal::NoCallsOnChannel
        | Refusal::CallInProgress
        | Refusal::NoCall
        | Refusal::NotYoursToAnswer
        | Refusal::OnAnotherCall
        | Refusal::TooManyCannedAnswers
        | Refusal::RatingsOff
        | Refusal::NotEndedYet
        | Refusal::NothingToRate
        | Refusal::AlreadyRated
        | Refusal::TooManyFiles => StatusCode::CONFLICT,
    }
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        ApiError::new(refusal_status(refusal), refusal.code(), refusal.to_string())
    }
}

impl From<TextRefusal> for ApiError {
    fn from(refusal: TextRefusal) -> Self {
        match refusal {
            TextRefusal::Empty => ApiError::invalid("empty_message", "a message needs some text"),
            TextRefusal::TooLong => ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "message_too_long",
                "a message has at most 4000 characters",
            ),
        }
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        ApiError::invalid(e.code(), e.to_string())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::not_found("the object"),
            StoreError::Duplicate(what) => ApiError::new(StatusCode::CONFLICT, "conflict", what),
            StoreError::Refused(refusal) => refusal.into(),
            StoreError::Domain(d) => d.into(),
            other => ApiError::internal("storage", DisplayChain(&other)),
        }
    }
}

/// An error with its sources: `outer: inner: innermost`.
pub struct DisplayChain<'a>(pub &'a (dyn std::error::Error + 'static));

impl std::fmt::Display for DisplayChain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(inner) = source {
            write!(f, ": {inner}")?;
            source = inner.source();
        }
        Ok(())
    }
}

/// The body of every error response.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code, e.g. `unknown_pause_type`.
    pub code: String,
    /// A human sentence.
    pub message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_answer_with_their_code_and_status() {
        let e = ApiError::from(StoreError::Refused(Refusal::AlreadyTaken));
        assert_eq!((e.status, e.code), (StatusCode::CONFLICT, "already_taken"));
        let e = ApiError::from(Refusal::InvitationUsed);
        assert_eq!((e.status, e.code), (StatusCode::GONE, "invitation_used"));
        let e = ApiError::from(Refusal::BuiltinGroupPermanent);
        assert_eq!(
            (e.status, e.code),
            (StatusCode::UNPROCESSABLE_ENTITY, "builtin_group")
        );
    }

    #[test]
    fn a_chain_shows_every_source() {
        #[derive(Debug, thiserror::Error)]
        #[error("outer")]
        struct Outer(#[source] std::io::Error);
        let e = Outer(std::io::Error::other("disk full"));
        assert_eq!(DisplayChain(&e).to_string(), "outer: disk full");
    }
}
