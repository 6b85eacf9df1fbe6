//! Clients rate their conversations once they end.

use hovor_core::rating::{check, RatingProblem};
use hovor_store::{Session, StoreError};

use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// The client's rating of their conversation (checked, stored once).
pub async fn rate(
    app: &AppState,
    session: &Session,
    score: i64,
    comment: Option<&str>,
) -> ApiResult<Session> {
    let (score, comment) = check(score, comment).map_err(|p| match p {
        RatingProblem::ScoreOutOfRange => {
            ApiError::invalid("invalid_score", "a rating is 1 to 5 stars")
        }
        RatingProblem::CommentTooLong => {
            ApiError::invalid("comment_too_long", "a comment has at most 1000 characters")
        }
    })?;
    Ok(app
        .store
        .rate_session(
            &session.company_id,
            &session.id,
            score,
            comment.as_deref(),
            app.now(),
        )
        .await
        .map_err(|e| match e {
            StoreError::NotFound => ApiError::not_found("the session"),
            other => other.into(),
        })?
        .publish(app))
}
