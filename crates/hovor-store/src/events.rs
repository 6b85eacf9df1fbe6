//! The events Hovor records, typed once: what a user's or a client's stream
//! carries over the WebSocket ([`RealtimeEvent`], see `docs/realtime.md`) and
//! what a company's outbox delivers to webhooks ([`WebhookEvent`]). Both are
//! published with their schemas in the OpenAPI document.

use hovor_core::notifications::NotificationSettings;
use hovor_core::phone::{CallEvent, Direction, PhoneLine};
use hovor_core::ChannelSetting;
use serde::Serialize;

use crate::{Email, Message, Session, StateJson, StoreError, StoreResult, UserRef};

/// An operator's status changed (`state` is the API's state object).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OperatorStateChanged {
    pub operator_id: String,
    pub name: String,
    pub state: StateJson,
}

/// An operator's channels changed: all their assigned channels.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OperatorChannelsChanged {
    pub operator_id: String,
    pub name: String,
    pub channels: Vec<ChannelSetting>,
    /// The supervisor or admin who changed them for the operator; null when
    /// the operator did it themself, or an API key did.
    pub changed_by: Option<UserRef>,
}

/// An operator's after-chat work began or ended: what holds back their
/// offers now (empty: nothing).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AfterChatChanged {
    pub operator_id: String,
    pub after_chat: Vec<crate::AfterChatWork>,
}

/// An operator's phone line changed (the handset's colour).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PhoneLineChanged {
    pub operator_id: String,
    pub name: String,
    pub phone_line: Option<PhoneLine>,
}

/// My alert settings changed (in another tab).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NotificationSettingsChanged {
    pub notification_settings: NotificationSettings,
}

/// A session as it is now; a client also gets their place in the queue.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SessionUpdate {
    pub session: Session,
    /// 1-based place in the queue while waiting or offered (client streams only).
    pub queue_position: Option<i64>,
    pub estimated_wait_s: Option<i64>,
    /// In the session's own stream (its client's), while an operator holds
    /// it: their name, so the client sees who joined.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operator_name: Option<String>,
    /// In an operator's own stream: the seq of this change in the session's
    /// stream. An operator who takes a session follows its stream from there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_seq: Option<i64>,
}

/// A session, for webhooks.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SessionEvent {
    pub session: Session,
}

/// A session went back to the queue for a group or an operator.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SessionTransferred {
    pub session: Session,
    pub note: Option<String>,
}

/// An operator declined an offer: the session went back to the queue.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SessionDeclined {
    pub session: Session,
    pub operator_id: String,
    pub reason: Option<String>,
}

/// A message was written in a session.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MessageCreated {
    pub session_id: String,
    pub message: Message,
}

/// A WebRTC signalling message from one side of a call to the other (in
/// the conversation's stream; each side ignores its own).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CallSignalSent {
    pub session_id: String,
    pub from: hovor_core::call::Party,
    pub signal: hovor_core::call::Signal,
}

/// An e-mail reply went out, or an attempt failed (it is retried, or given
/// up): the e-mail as it is now.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EmailSendStateChanged {
    pub session_id: String,
    pub email: Email,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InvitationCreated {
    pub invitation_id: String,
    pub operator_id: String,
    pub reusable: bool,
    pub label: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InvitationRedeemed {
    pub invitation_id: String,
    pub code: String,
    pub session_id: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InvitationInvalidated {
    pub invitation_id: String,
}

/// A call report from the exchange, with the call's phone session.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PhoneCall {
    pub call_id: String,
    pub event: CallEvent,
    pub direction: Direction,
    pub from: String,
    pub to: String,
    pub extension: Option<String>,
    pub session: Session,
}

/// An event in a user's or a client's stream: the `event` and `data` of a
/// WebSocket `event` frame.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(tag = "event", content = "data")]
pub enum RealtimeEvent {
    #[serde(rename = "operator.state_changed")]
    OperatorStateChanged(OperatorStateChanged),
    #[serde(rename = "operator.channel_changed")]
    OperatorChannelChanged(OperatorChannelsChanged),
    #[serde(rename = "operator.phone_line_changed")]
    OperatorPhoneLineChanged(PhoneLineChanged),
    /// The operator's after-chat work began or ended.
    #[serde(rename = "operator.after_chat_changed")]
    OperatorAfterChatChanged(AfterChatChanged),
    #[serde(rename = "me.notification_settings_changed")]
    NotificationSettingsChanged(NotificationSettingsChanged),
    /// A session changed (a client's own session; an operator's offers and conversations).
    #[serde(rename = "session.changed")]
    SessionChanged(SessionUpdate),
    /// A session is offered to me.
    #[serde(rename = "session.offered")]
    SessionOffered(SessionUpdate),
    #[serde(rename = "message.created")]
    MessageCreated(MessageCreated),
    /// In an e-mail session's stream: a reply was sent, or failed to be.
    #[serde(rename = "email.send_state_changed")]
    EmailSendStateChanged(EmailSendStateChanged),
    /// In a conversation's stream: one side's browser signals to the
    /// other's for their call.
    #[serde(rename = "call.signal")]
    CallSignal(CallSignalSent),
}

/// An event a webhook receives: the `type` and `data` of a delivery.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(tag = "type", content = "data")]
pub enum WebhookEvent {
    #[serde(rename = "operator.state_changed")]
    OperatorStateChanged(OperatorStateChanged),
    #[serde(rename = "operator.channel_changed")]
    OperatorChannelChanged(OperatorChannelsChanged),
    #[serde(rename = "session.created")]
    SessionCreated(SessionEvent),
    #[serde(rename = "session.offered")]
    SessionOffered(SessionEvent),
    #[serde(rename = "session.accepted")]
    SessionAccepted(SessionEvent),
    #[serde(rename = "session.transferred")]
    SessionTransferred(SessionTransferred),
    #[serde(rename = "session.declined")]
    SessionDeclined(SessionDeclined),
    #[serde(rename = "session.ended")]
    SessionEnded(SessionEvent),
    /// The client rated the conversation (`session.rating`).
    #[serde(rename = "session.rated")]
    SessionRated(SessionEvent),
    #[serde(rename = "message.created")]
    MessageCreated(MessageCreated),
    #[serde(rename = "invitation.created")]
    InvitationCreated(InvitationCreated),
    #[serde(rename = "invitation.redeemed")]
    InvitationRedeemed(InvitationRedeemed),
    #[serde(rename = "invitation.invalidated")]
    InvitationInvalidated(InvitationInvalidated),
    #[serde(rename = "phone.line_changed")]
    PhoneLineChanged(PhoneLineChanged),
    #[serde(rename = "phone.call")]
    PhoneCall(PhoneCall),
}

/// Every webhook event type, as subscriptions name them.
pub const WEBHOOK_EVENT_TYPES: &[&str] = &[
    "operator.state_changed",
    "operator.channel_changed",
    "session.created",
    "session.offered",
    "session.accepted",
    "session.transferred",
    "session.declined",
    "session.ended",
    "session.rated",
    "message.created",
    "invitation.created",
    "invitation.redeemed",
    "invitation.invalidated",
    "phone.line_changed",
    "phone.call",
];

/// An event as stored: its kind, and its data as JSON text.
pub(crate) struct Recorded {
    pub kind: String,
    pub data: String,
}

/// Splits an adjacently tagged event into its tag and its content.
fn record(event: &impl Serialize, tag: &str, content: &str) -> StoreResult<Recorded> {
    let value = serde_json::to_value(event)
        .map_err(|e| StoreError::Corrupt(format!("event does not serialise: {e}")))?;
    let kind = value
        .get(tag)
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| StoreError::Corrupt(format!("event without {tag}")))?
        .to_owned();
    let data = value
        .get(content)
        .map(serde_json::Value::to_string)
        .unwrap_or_else(|| "null".into());
    Ok(Recorded { kind, data })
}

impl RealtimeEvent {
    pub(crate) fn record(&self) -> StoreResult<Recorded> {
        record(self, "event", "data")
    }

    /// Says where the session's own stream stands (an operator's copy of a
    /// session event); other events have no such field.
    pub(crate) fn set_session_seq(&mut self, seq: Option<i64>) {
        if let RealtimeEvent::SessionChanged(update) | RealtimeEvent::SessionOffered(update) = self
        {
            update.session_seq = seq;
        }
    }
}

impl WebhookEvent {
    pub(crate) fn record(&self) -> StoreResult<Recorded> {
        record(self, "type", "data")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_is_stored_as_its_kind_and_data() {
        let event = WebhookEvent::InvitationInvalidated(InvitationInvalidated {
            invitation_id: "inv_1".into(),
        });
        let recorded = event.record().expect("record");
        assert_eq!(recorded.kind, "invitation.invalidated");
        assert_eq!(recorded.data, r#"{"invitation_id":"inv_1"}"#);
        assert!(WEBHOOK_EVENT_TYPES.contains(&recorded.kind.as_str()));
    }
}
