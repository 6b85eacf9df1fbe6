//! The WebSocket protocol's frames (docs/realtime.md), typed once: the
//! server builds them from these types and the OpenAPI document publishes
//! their schemas (`ServerFrame`, `ClientFrame`), from which the web app's
//! types are generated.

use hovor_store::{RealtimeEvent, Session, StateJson, StreamEvent};

use crate::error::ErrorDetail;
use serde::{Deserialize, Serialize};

/// What the server sends, one JSON object per WebSocket text message.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(tag = "type")]
pub enum ServerFrame {
    /// The first frame: where the stream stands, and the peer's own state.
    #[serde(rename = "hello")]
    Hello(Box<Hello>),
    /// A stored event, in order; resume after its `seq`.
    #[serde(rename = "event")]
    Event(EventFrame),
    /// A waiting client's new place in the queue (derived, so not stored).
    #[serde(rename = "queue")]
    Queue(QueuePlaceFrame),
    /// The company's queue changed: the workspace refetches it (derived, so
    /// not stored and without a seq).
    #[serde(rename = "queue.changed")]
    QueueChanged,
    /// The company's settings or pause types changed (an admin saved them):
    /// the workspace fetches `GET /api/v1/company/settings` and
    /// `GET /api/v1/pause-types` again. Derived, without a seq.
    #[serde(rename = "settings.changed")]
    SettingsChanged,
    #[serde(rename = "ping")]
    Ping,
    #[serde(rename = "pong")]
    Pong,
    /// The user logged out (everywhere): the connection closes.
    #[serde(rename = "logged_out")]
    LoggedOut,
    /// A message sent over this socket is stored: its seq in the session.
    /// (It also comes back as `message.created`, like any other.)
    #[serde(rename = "ack")]
    Ack(Ack),
    /// A message sent over this socket was refused; nothing was stored.
    #[serde(rename = "refused")]
    Refused(Refused),
    /// The other side of a conversation is typing (derived, without a seq).
    #[serde(rename = "typing")]
    Typing(TypingFrame),
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Ack {
    pub client_msg_id: String,
    pub session_id: String,
    /// The message's seq in its session.
    pub seq: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Refused {
    pub client_msg_id: String,
    /// As the REST API says it: `{code, message}`.
    pub error: ErrorDetail,
}

/// An operator's or a client's `hello`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum Hello {
    Operator(OperatorHello),
    Client(Box<ClientHello>),
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OperatorHello {
    /// Where the operator's own stream stands: resume it with `last_seq`.
    pub last_seq: i64,
    /// Their own state now, this connection included.
    pub state: Option<StateJson>,
    /// The other streams this connection follows (the team stream for
    /// supervisors, the sessions the operator holds) and where each starts:
    /// resume them with `topics=stream:seq,…`.
    pub topics: Vec<TopicCursor>,
}

/// A stream a connection follows besides its own, and a seq in it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TopicCursor {
    pub topic: String,
    pub last_seq: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClientHello {
    /// The head of the session's stream.
    pub last_seq: i64,
    pub session: Session,
    pub queue_position: Option<i64>,
    pub estimated_wait_s: Option<i64>,
    /// The name of the operator who holds the session, while one does.
    pub operator_name: Option<String>,
    /// The company asks for a rating when the conversation ends.
    pub ratings: bool,
    /// The files the client may send in the chat.
    pub files: hovor_core::files::ChatFileTerms,
    /// The transcript can be e-mailed to the address the client gave.
    pub transcript_by_email: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EventFrame {
    /// Its place in its stream.
    pub seq: i64,
    /// The stream, when it is not the connection's own (an operator's team
    /// or session streams); `seq` counts in it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// The event as it was recorded: `event` names it, `data` carries it.
    #[serde(flatten)]
    #[schema(value_type = RealtimeEvent)]
    pub event: RecordedEvent,
}

/// A [`RealtimeEvent`] as the store keeps it (its serialisation).
#[derive(Debug, Serialize)]
pub struct RecordedEvent {
    pub event: String,
    pub data: serde_json::Value,
}

impl EventFrame {
    pub fn of(stored: StreamEvent, topic: Option<String>) -> EventFrame {
        EventFrame {
            seq: stored.seq,
            topic,
            event: RecordedEvent {
                data: serde_json::from_str(&stored.payload).unwrap_or(serde_json::Value::Null),
                event: stored.kind,
            },
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QueuePlaceFrame {
    pub queue_position: Option<i64>,
    pub estimated_wait_s: Option<i64>,
}

/// What a peer may send; anything else is ignored (it still counts as a
/// sign of life).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type")]
pub enum ClientFrame {
    /// Answered with `pong`.
    #[serde(rename = "ping")]
    Ping,
    #[serde(rename = "pong")]
    Pong,
    /// A message, answered with `ack` once stored (or `refused`).
    #[serde(rename = "message")]
    Message(OutgoingMessage),
    /// I am typing (at most every 2 seconds; never stored, not answered).
    /// An operator names the session they hold; a client's is its own.
    #[serde(rename = "typing")]
    Typing(TypingIn),
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TypingIn {
    pub session_id: Option<String>,
}

/// The other side of a conversation is typing: show it for a few seconds.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TypingFrame {
    pub session_id: String,
    pub from: hovor_core::call::Party,
}

/// A message sent over the socket: a client's into its session, an
/// operator's into a session they hold.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutgoingMessage {
    /// 1 to 64 characters, unique per message: sending it again (after a
    /// reconnect, say) stores nothing twice and is acked with the same seq.
    pub client_msg_id: String,
    pub text: String,
    /// The session (an operator's message; a client's is its own).
    pub session_id: Option<String>,
}

impl ServerFrame {
    pub fn to_text(&self) -> String {
        // Our own types always serialise; keep the connection alive if not.
        serde_json::to_string(self).unwrap_or_else(|e| {
            tracing::error!("a server frame did not serialise: {e}");
            r#"{"type":"ping"}"#.to_owned()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_keep_their_wire_shape() {
        let queue = ServerFrame::Queue(QueuePlaceFrame {
            queue_position: Some(2),
            estimated_wait_s: None,
        });
        assert_eq!(
            queue.to_text(),
            r#"{"type":"queue","queue_position":2,"estimated_wait_s":null}"#
        );
        let hello = ServerFrame::Hello(Box::new(Hello::Operator(OperatorHello {
            last_seq: 7,
            state: None,
            topics: vec![],
        })));
        assert_eq!(
            hello.to_text(),
            r#"{"type":"hello","last_seq":7,"state":null,"topics":[]}"#
        );
        let event = ServerFrame::Event(EventFrame::of(
            StreamEvent {
                seq: 3,
                kind: "session.changed".into(),
                payload: r#"{"x":1}"#.into(),
                created_at: 0,
                subject: None,
                operators_only: false,
            },
            None,
        ));
        assert_eq!(
            event.to_text(),
            r#"{"type":"event","seq":3,"event":"session.changed","data":{"x":1}}"#
        );
        assert_eq!(
            ServerFrame::QueueChanged.to_text(),
            r#"{"type":"queue.changed"}"#
        );
        assert!(matches!(
            serde_json::from_str::<ClientFrame>(r#"{"type":"ping"}"#),
            Ok(ClientFrame::Ping)
        ));
    }
}
