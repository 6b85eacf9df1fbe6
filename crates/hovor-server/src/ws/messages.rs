//! Messages sent over the socket: stored like those sent over HTTP (the
//! same checks, limits and idempotency), then acknowledged with their seq,
//! or refused with the REST API's error.
//!
//! A connection submits each message as it reads it and answers each after
//! its commit, in the order they came, with many in flight: a busy
//! operator's socket does not wait for one commit before reading the next.

use std::future::Future;
use std::pin::Pin;

use super::Peer;
use crate::error::{ApiError, ApiResult, ErrorDetail};
use crate::frames::{Ack, OutgoingMessage, Refused, ServerFrame};
use crate::services::sessions::{self, Submitted};
use crate::AppState;

/// The answer to one message: `ack` after its commit, or `refused`.
pub type Answer = Pin<Box<dyn Future<Output = ServerFrame> + Send>>;

/// Checks the message and hands it to the writer now; the returned answer
/// resolves after the commit.
pub fn receive(app: &AppState, peer: &Peer, message: OutgoingMessage) -> Answer {
    let client_msg_id = message.client_msg_id.clone();
    let submitted = submit(app, peer, message);
    Box::pin(async move {
        let written = match submitted {
            Ok((session_id, submitted)) => submitted.written().await.map(|p| (session_id, p)),
            Err(error) => Err(error),
        };
        match written {
            Ok((session_id, posted)) => ServerFrame::Ack(Ack {
                client_msg_id,
                session_id,
                seq: posted.message.seq,
            }),
            Err(error) => ServerFrame::Refused(Refused {
                client_msg_id,
                error: ErrorDetail {
                    code: error.code.to_owned(),
                    message: error.message,
                },
            }),
        }
    })
}

fn submit(app: &AppState, peer: &Peer, message: OutgoingMessage) -> ApiResult<(String, Submitted)> {
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
            let submitted = sessions::submit_as_client(app, session, Some(client_msg_id), &text)?;
            Ok((session.id.clone(), submitted))
        }
        Peer::Operator(user) => {
            let Some(session_id) = session_id else {
                return Err(ApiError::invalid(
                    "session_id_required",
                    "say which session the message is for",
                ));
            };
            let submitted =
                sessions::submit_as_operator(app, user, &session_id, Some(client_msg_id), &text)?;
            Ok((session_id, submitted))
        }
    }
}
