//! Calls in conversations: one side proposes, the other answers, either
//! hangs up; meanwhile their browsers signal each other through the
//! conversation's stream.

use axum::http::StatusCode;
use hovor_core::call::{check_signal, CallAction, Party, Signal, SignalProblem};
use hovor_store::Session;

use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// Who acts: the conversation's client, or the operator holding it.
#[derive(Clone, Copy)]
pub enum Side<'a> {
    Client,
    Operator(&'a str),
}

impl Side<'_> {
    fn party(self) -> Party {
        match self {
            Side::Client => Party::Client,
            Side::Operator(_) => Party::Operator,
        }
    }

    fn operator_id(&self) -> Option<&str> {
        match self {
            Side::Client => None,
            Side::Operator(id) => Some(id),
        }
    }
}

/// Proposes, answers or ends the conversation's call.
pub async fn act(
    app: &AppState,
    session: &Session,
    side: Side<'_>,
    action: CallAction,
) -> ApiResult<Session> {
    Ok(app
        .store
        .change_call(
            &session.company_id,
            &session.id,
            side.party(),
            side.operator_id(),
            action,
            app.now(),
        )
        .await?
        .publish(app))
}

/// Passes a signal to the other side, while the call runs.
pub async fn signal(
    app: &AppState,
    session: &Session,
    side: Side<'_>,
    signal: &Signal,
) -> ApiResult<()> {
    check_signal(signal).map_err(|problem| match problem {
        SignalProblem::BadConnectionId => ApiError::invalid(
            "invalid_signal",
            "pc is 1 to 64 letters, digits, '-' or '_'",
        ),
        SignalProblem::TooLarge => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "signal_too_large",
            "a signal carries at most 20,000 bytes of SDP and 50 candidates",
        ),
    })?;
    if !app.call_signals.try_take(&session.id) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_signals",
            "too many call signals in this conversation; wait a moment",
        ));
    }
    app.store
        .call_signal(
            &session.company_id,
            &session.id,
            side.party(),
            side.operator_id(),
            signal,
            app.now(),
        )
        .await?
        .publish(app);
    Ok(())
}
