//! The life of a session: `waiting` → `offered` → `active` → `ended`, with
//! transfers back to `waiting`.

use serde::{Deserialize, Serialize};

use crate::call_terms::{Media, Party};
use crate::{Channel, Refusal};

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

/// An operator's seat on one channel, as the database has it inside the
/// transaction that decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Seat {
    /// Their capacity on the channel; `None` when it is not assigned (for an
    /// offer, also when it is switched off).
    pub capacity: Option<u32>,
    /// Sessions on this channel active with them or offered to them, not
    /// counting the session being decided.
    pub load: u32,
    /// Calls (`av`, `phone`) active with them or offered to them, not counting
    /// the session being decided.
    pub calls: u32,
}

/// Room for one more session of this channel: a free slot, and for a call,
/// no other call at all.
pub fn seat_has_room(channel: Channel, seat: Seat) -> Result<(), Refusal> {
    let Some(capacity) = seat.capacity else {
        return Err(Refusal::ChannelNotAssigned);
    };
    if seat.load >= capacity || (channel.is_call() && seat.calls > 0) {
        return Err(Refusal::CapacityFull);
    }
    Ok(())
}

/// What decides whether an operator may accept a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcceptFacts<'a> {
    pub operator_id: &'a str,
    pub status: SessionStatus,
    pub channel: Channel,
    pub offered_to: Option<&'a str>,
    /// Bound to one operator (an invitation, a transfer to a person).
    pub target_operator_id: Option<&'a str>,
    /// The session's group is the built-in one, or the operator is a member.
    pub in_group: bool,
    pub seat: Seat,
}

/// May the operator take the session now? An offer to them is theirs to
/// take; a waiting session is, if it is for them (target or group); anything
/// else was taken or has ended. Then they need room on its channel.
pub fn may_accept(facts: &AcceptFacts<'_>) -> Result<(), Refusal> {
    match (facts.status, facts.offered_to) {
        (SessionStatus::Offered, Some(to)) if to == facts.operator_id => {}
        (SessionStatus::Waiting, _) => match facts.target_operator_id {
            Some(target) if target != facts.operator_id => return Err(Refusal::AlreadyTaken),
            None if !facts.in_group => return Err(Refusal::NotInGroup),
            _ => {}
        },
        _ => return Err(Refusal::AlreadyTaken),
    }
    seat_has_room(facts.channel, facts.seat)
}

/// Longest reason an operator may give for declining an offer.
pub const MAX_DECLINE_REASON_CHARS: usize = 200;

/// May the operator decline the session? Only an offer to them, while it
/// stands.
pub fn may_decline(
    status: SessionStatus,
    offered_to: Option<&str>,
    operator_id: &str,
) -> Result<(), Refusal> {
    match (status, offered_to) {
        (SessionStatus::Offered, Some(to)) if to == operator_id => Ok(()),
        _ => Err(Refusal::NotOfferedToYou),
    }
}

/// The operators who declined a session, with one more (each once).
pub fn with_decliner(declined_by: &[String], operator_id: &str) -> Vec<String> {
    let mut all = declined_by.to_vec();
    if !all.iter().any(|id| id == operator_id) {
        all.push(operator_id.to_owned());
    }
    all
}

/// May a message be written into a session in this status? An operator
/// (`Some(their id)`) writes only in their own active conversation; clients
/// and the system write until it ends.
pub fn may_write(
    operator: Option<&str>,
    status: SessionStatus,
    holder: Option<&str>,
) -> Result<(), Refusal> {
    match operator {
        Some(id) if status != SessionStatus::Active || holder != Some(id) => {
            Err(Refusal::SessionNotActive)
        }
        _ if status == SessionStatus::Ended => Err(Refusal::SessionEnded),
        _ => Ok(()),
    }
}

/// Whether an operator may answer in a session of this channel with a chat
/// message: an e-mail thread is answered by e-mail, so that the client
/// gets it.
pub fn may_chat(channel: Channel, by_operator: bool) -> Result<(), Refusal> {
    if by_operator && channel == Channel::Email {
        Err(Refusal::AnswerByEmail)
    } else {
        Ok(())
    }
}

/// A session can be transferred until it ends.
pub fn may_transfer(status: SessionStatus) -> Result<(), Refusal> {
    if status == SessionStatus::Ended {
        Err(Refusal::SessionEnded)
    } else {
        Ok(())
    }
}

/// What a system message says, as data, so that each reader shows it in
/// their own language; the message's `text` is its English wording, for
/// integrations and transcripts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notice {
    /// Moved to a group or a colleague (`to` names it), with the note for
    /// the colleague, if any.
    Transferred { to: String, note: Option<String> },
    /// A supervisor or admin ended the session of the operator who had it.
    EndedBy { name: String },
    /// A call was answered and starts.
    CallStarted { media: Media },
    /// The side that was asked said no; the conversation goes on as a chat.
    CallDeclined { by: Party, media: Media },
    /// The side that asked withdrew before an answer (or left with it).
    CallCancelled { by: Party, media: Media },
    /// A call ran for `duration_s` seconds; `by` hung up (dropped to chat).
    CallEnded {
        by: Party,
        media: Media,
        duration_s: i64,
    },
}

fn call_name(media: Media) -> &'static str {
    match media {
        Media::Audio => "Audio call",
        Media::Video => "Video call",
    }
}

fn who(party: Party) -> &'static str {
    match party {
        Party::Client => "The client",
        Party::Operator => "The operator",
    }
}

impl Notice {
    /// A transfer's notice; a blank note is none.
    pub fn transferred(to: &str, note: Option<&str>) -> Notice {
        Notice::Transferred {
            to: to.to_owned(),
            note: note
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned),
        }
    }

    /// The English wording, stored as the message's text.
    pub fn text(&self) -> String {
        match self {
            Notice::Transferred {
                to,
                note: Some(note),
            } => format!("Transferred to {to}: {note}"),
            Notice::Transferred { to, note: None } => format!("Transferred to {to}"),
            Notice::EndedBy { name } => format!("Ended by {name}"),
            Notice::CallStarted { media } => format!("{} started", call_name(*media)),
            Notice::CallDeclined { by, media } => {
                format!(
                    "{} declined the {}",
                    who(*by),
                    call_name(*media).to_lowercase()
                )
            }
            Notice::CallCancelled { by, media } => {
                format!(
                    "{} cancelled the {}",
                    who(*by),
                    call_name(*media).to_lowercase()
                )
            }
            Notice::CallEnded {
                by,
                media,
                duration_s,
            } => format!(
                "{} ended by {} after {}:{:02}",
                call_name(*media),
                who(*by).to_lowercase(),
                duration_s / 60,
                duration_s % 60
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_the_operator_an_offer_stands_for_may_decline_it() {
        assert_eq!(
            may_decline(SessionStatus::Offered, Some("jana"), "jana"),
            Ok(())
        );
        for (status, to) in [
            (SessionStatus::Offered, Some("petr")),
            (SessionStatus::Waiting, None),
            (SessionStatus::Active, None),
            (SessionStatus::Ended, None),
        ] {
            assert_eq!(
                may_decline(status, to, "jana"),
                Err(Refusal::NotOfferedToYou),
                "{status:?} {to:?}"
            );
        }
    }

    #[test]
    fn a_decliner_is_listed_once() {
        let once = with_decliner(&[], "jana");
        assert_eq!(once, ["jana"]);
        assert_eq!(with_decliner(&once, "jana"), ["jana"]);
        assert_eq!(with_decliner(&once, "petr"), ["jana", "petr"]);
    }

    use super::*;

    fn facts(status: SessionStatus) -> AcceptFacts<'static> {
        AcceptFacts {
            operator_id: "jana",
            status,
            channel: Channel::Chat,
            offered_to: None,
            target_operator_id: None,
            in_group: true,
            seat: Seat {
                capacity: Some(3),
                load: 0,
                calls: 0,
            },
        }
    }

    #[test]
    fn an_offer_is_taken_only_by_whom_it_was_offered_to() {
        let mine = AcceptFacts {
            offered_to: Some("jana"),
            ..facts(SessionStatus::Offered)
        };
        assert_eq!(may_accept(&mine), Ok(()));
        let theirs = AcceptFacts {
            offered_to: Some("petr"),
            ..mine
        };
        assert_eq!(may_accept(&theirs), Err(Refusal::AlreadyTaken));
        assert_eq!(
            may_accept(&facts(SessionStatus::Active)),
            Err(Refusal::AlreadyTaken)
        );
        assert_eq!(
            may_accept(&facts(SessionStatus::Ended)),
            Err(Refusal::AlreadyTaken)
        );
    }

    #[test]
    fn a_waiting_session_is_for_its_target_or_its_group() {
        assert_eq!(may_accept(&facts(SessionStatus::Waiting)), Ok(()));
        let for_petr = AcceptFacts {
            target_operator_id: Some("petr"),
            ..facts(SessionStatus::Waiting)
        };
        assert_eq!(may_accept(&for_petr), Err(Refusal::AlreadyTaken));
        let other_group = AcceptFacts {
            in_group: false,
            ..facts(SessionStatus::Waiting)
        };
        assert_eq!(may_accept(&other_group), Err(Refusal::NotInGroup));
        let for_me_outside_my_groups = AcceptFacts {
            target_operator_id: Some("jana"),
            in_group: false,
            ..facts(SessionStatus::Waiting)
        };
        assert_eq!(may_accept(&for_me_outside_my_groups), Ok(()));
    }

    #[test]
    fn accepting_needs_the_channel_and_a_free_slot() {
        let unassigned = AcceptFacts {
            seat: Seat::default(),
            ..facts(SessionStatus::Waiting)
        };
        assert_eq!(may_accept(&unassigned), Err(Refusal::ChannelNotAssigned));
        let full = AcceptFacts {
            seat: Seat {
                capacity: Some(3),
                load: 3,
                calls: 0,
            },
            ..facts(SessionStatus::Waiting)
        };
        assert_eq!(may_accept(&full), Err(Refusal::CapacityFull));
    }

    #[test]
    fn a_call_needs_no_other_call() {
        let seat = Seat {
            capacity: Some(1),
            load: 0,
            calls: 1,
        };
        assert_eq!(seat_has_room(Channel::Av, seat), Err(Refusal::CapacityFull));
        assert_eq!(seat_has_room(Channel::Chat, seat), Ok(()));
        assert_eq!(
            seat_has_room(Channel::Av, Seat { calls: 0, ..seat }),
            Ok(())
        );
    }

    #[test]
    fn who_may_write_when() {
        use SessionStatus::*;
        assert_eq!(may_write(Some("jana"), Active, Some("jana")), Ok(()));
        assert_eq!(
            may_write(Some("jana"), Active, Some("petr")),
            Err(Refusal::SessionNotActive)
        );
        assert_eq!(
            may_write(Some("jana"), Waiting, None),
            Err(Refusal::SessionNotActive)
        );
        assert_eq!(may_write(None, Waiting, None), Ok(()));
        assert_eq!(may_write(None, Ended, None), Err(Refusal::SessionEnded));
        assert_eq!(may_transfer(Ended), Err(Refusal::SessionEnded));
        assert_eq!(may_transfer(Active), Ok(()));
    }

    #[test]
    fn an_email_thread_is_not_answered_by_chat() {
        assert_eq!(may_chat(Channel::Email, true), Err(Refusal::AnswerByEmail));
        assert_eq!(may_chat(Channel::Email, false), Ok(()));
        assert_eq!(may_chat(Channel::Chat, true), Ok(()));
    }

    #[test]
    fn a_transfer_leaves_a_note() {
        let text = |to, note| Notice::transferred(to, note).text();
        assert_eq!(text("Sales", None), "Transferred to Sales");
        assert_eq!(text("Sales", Some("  ")), "Transferred to Sales");
        assert_eq!(
            text("Petr", Some(" wants a refund ")),
            "Transferred to Petr: wants a refund"
        );
        assert_eq!(
            Notice::transferred("Petr", Some(" wants a refund ")),
            Notice::Transferred {
                to: "Petr".into(),
                note: Some("wants a refund".into())
            }
        );
    }

    #[test]
    fn a_notice_is_stored_as_tagged_json() {
        let ended = Notice::EndedBy {
            name: "Petr".into(),
        };
        assert_eq!(ended.text(), "Ended by Petr");
        let json = serde_json::to_string(&ended).expect("json");
        assert_eq!(json, r#"{"kind":"ended_by","name":"Petr"}"#);
        assert_eq!(serde_json::from_str::<Notice>(&json).expect("parse"), ended);
    }

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
