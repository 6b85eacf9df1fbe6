//! Messages sent over the socket: stored like those sent over HTTP (the
//! same checks, limits and idempotency), then acknowledged with their seq,
//! or refused with the REST API's error.

use hovor_store::Posted;

use super::Peer;
use crate::error::{ApiError, ApiResult, ErrorDetail};
use crate::frames::{Ack, OutgoingMessage, Refused, ServerFrame};
use crate::services::sessions;
use crate::AppState;

/// Stores the message and answers `ack`, or `refused` with why.
pub async fn receive(app: &AppState, peer: &Peer, message: OutgoingMessage) -> ServerFrame {
    let client_msg_id = message.client_msg_id.clone();
    match post(app, peer, message).await {
        Ok(posted) => ServerFrame::Ack(Ack {
            client_msg_id,
            session_id: posted.0,
            seq: posted.1.message.seq,
        }),
        Err(error) => ServerFrame::Refused(Refused {
            client_msg_id,
            error: ErrorDetail {
                code: error.code.to_owned(),
                message: error.message,
            },
        }),
    }
}

async fn post(
    app: &AppState,
    peer: &Peer,
    message: OutgoingMessage,
) -> ApiResult<(String, Posted)> {
    let OutgoingMessage {
        client_msg_id,
        text,
        session_id,
    } = message;
    match peer {
        Peer::Client(session) => {
            if session_id.as_deref().is_some_and(|id| id != session.id) {
                return Err(ApiError::not_found("the session"));
            }
            let posted = sessions::post_as_client(app, session, Some(client_msg_id), &text).await?;
            Ok((session.id.clone(), posted))
        }
        Peer::Operator(user) => {
            let Some(session_id) = session_id else {
                return Err(ApiError::invalid(
                    "session_id_required",
                    "say which session the message is for",
                ));
            };
            let posted =
                sessions::post_as_operator(app, user, &session_id, Some(client_msg_id), &text)
                    .await?;
            Ok((session_id, posted))
        }
    }
}
