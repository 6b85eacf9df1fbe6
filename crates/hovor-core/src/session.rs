//! The life of a session: `waiting` → `offered` → `active` → `ended`, with
//! transfers back to `waiting`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    Waiting,
    Offered,
    Active,
    Ended,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Widget,
    Invitation,
    Email,
    Phone,
    Api,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// The operator ended the conversation.
    OperatorEnded,
    /// The client left an accepted (or offered) conversation.
    ClientLeft,
    /// The client left while still waiting in the queue.
    Abandoned,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Author {
    Client,
    Operator,
    System,
}

text_enum!(SessionStatus { Waiting => "waiting", Offered => "offered", Active => "active", Ended => "ended" });
text_enum!(Source { Widget => "widget", Invitation => "invitation", Email => "email", Phone => "phone", Api => "api" });
text_enum!(EndReason { OperatorEnded => "operator_ended", ClientLeft => "client_left", Abandoned => "abandoned" });
text_enum!(Author { Client => "client", Operator => "operator", System => "system" });

/// Longest message text, in characters.
pub const MAX_MESSAGE_CHARS: usize = 4000;

/// Why a message text is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextRefusal {
    Empty,
    TooLong,
}

/// Checks a message text: not blank, at most [`MAX_MESSAGE_CHARS`].
pub fn check_text(text: &str) -> Result<(), TextRefusal> {
    if text.trim().is_empty() {
        Err(TextRefusal::Empty)
    } else if text.chars().count() > MAX_MESSAGE_CHARS {
        Err(TextRefusal::TooLong)
    } else {
        Ok(())
    }
}

impl SessionStatus {
    /// Still in the queue: not yet accepted, not ended.
    pub fn queued(self) -> bool {
        matches!(self, SessionStatus::Waiting | SessionStatus::Offered)
    }
}

/// How a session ends when the client leaves it in this status.
pub fn reason_when_client_leaves(status: SessionStatus) -> EndReason {
    if status == SessionStatus::Waiting {
        EndReason::Abandoned
    } else {
        EndReason::ClientLeft
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_text_limits() {
        assert_eq!(check_text("  \n"), Err(TextRefusal::Empty));
        assert_eq!(check_text(&"ž".repeat(4000)), Ok(()));
        assert_eq!(check_text(&"ž".repeat(4001)), Err(TextRefusal::TooLong));
        assert_eq!(check_text("<img src=x onerror=alert(1)>"), Ok(()));
    }

    #[test]
    fn leaving_the_queue_is_abandoning_it() {
        assert_eq!(
            reason_when_client_leaves(SessionStatus::Waiting),
            EndReason::Abandoned
        );
        assert_eq!(
            reason_when_client_leaves(SessionStatus::Offered),
            EndReason::ClientLeft
        );
        assert_eq!(
            reason_when_client_leaves(SessionStatus::Active),
            EndReason::ClientLeft
        );
    }

    #[test]
    fn texts_round_trip() {
        assert_eq!(
            SessionStatus::parse("offered"),
            Some(SessionStatus::Offered)
        );
        assert_eq!(
            EndReason::parse(EndReason::Abandoned.as_str()),
            Some(EndReason::Abandoned)
        );
        assert_eq!(Source::parse("fax"), None);
    }
}
