//! Audio and video calls inside a conversation: who may propose one, who
//! answers, and what a conversation becomes when a call starts or ends.
//!
//! A call belongs to a chat or `av` session. While a call is proposed or
//! running the session's channel is `av` (it holds the operator's one call
//! seat, routing sends it only to operators with `av`); without one it is
//! `chat`. So a client who starts with a video call and drops back to chat
//! stays in the same conversation, now counted as a chat, and an operator
//! who upgrades a chat to a call holds a call seat while it lasts.
//!
//! The media itself flows between the browsers (WebRTC); the server only
//! keeps this state and carries the signalling.

use serde::{Deserialize, Serialize};

pub use crate::call_terms::{Media, Party};
use crate::session::{Notice, SessionStatus};
use crate::{Channel, Millis, Refusal};

/// Where a call stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallState {
    /// One side asked; the other has not answered yet.
    Proposed,
    /// Both agreed: the browsers connect and talk.
    Active,
}

text_enum!(CallState { Proposed => "proposed", Active => "active" });

/// A conversation's call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Call {
    pub state: CallState,
    pub media: Media,
    /// Who asked for it.
    pub proposed_by: Party,
    /// When it was proposed, or when it started (active).
    pub since: Millis,
}

/// What one side does about the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallAction {
    Propose(Media),
    /// Answer yes; `Some(media)` accepts with other media (a video call
    /// taken as voice only).
    Accept(Option<Media>),
    Decline,
    /// Leave the call (or withdraw one's own proposal): the conversation
    /// goes on as a chat.
    HangUp,
}

/// The conversation after an action: its call, its channel, and the system
/// message that records what happened (none for a proposal: the other side
/// sees it as the call's state).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallChange {
    pub call: Option<Call>,
    pub channel: Channel,
    pub notice: Option<Notice>,
}

/// The channel a chat-or-call conversation has with or without a call.
fn channel_with(call: Option<&Call>) -> Channel {
    if call.is_some() {
        Channel::Av
    } else {
        Channel::Chat
    }
}

/// Decides an action by one side. Calls happen in active conversations of
/// the chat and `av` channels only; a proposal waits for the other side;
/// only the other side answers it; either side hangs up.
pub fn decide(
    status: SessionStatus,
    channel: Channel,
    call: Option<&Call>,
    by: Party,
    action: CallAction,
    now: Millis,
) -> Result<CallChange, Refusal> {
    if !matches!(channel, Channel::Chat | Channel::Av) {
        return Err(Refusal::NoCallsOnChannel);
    }
    match status {
        SessionStatus::Active => {}
        SessionStatus::Ended => return Err(Refusal::SessionEnded),
        // A client waiting with a call may change their mind: they wait for a chat instead.
        SessionStatus::Waiting | SessionStatus::Offered
            if action == CallAction::HangUp && call.is_some_and(|c| c.proposed_by == by) => {}
        SessionStatus::Waiting | SessionStatus::Offered => return Err(Refusal::SessionNotActive),
    }
    let changed = |call: Option<Call>, notice: Option<Notice>| CallChange {
        channel: channel_with(call.as_ref()),
        call,
        notice,
    };
    match (action, call) {
        (CallAction::Propose(media), None) => Ok(changed(
            Some(Call {
                state: CallState::Proposed,
                media,
                proposed_by: by,
                since: now,
            }),
            None,
        )),
        (CallAction::Propose(_), Some(_)) => Err(Refusal::CallInProgress),
        (CallAction::Accept(media), Some(c))
            if c.state == CallState::Proposed && c.proposed_by != by =>
        {
            let media = match media {
                // A voice-only answer to a video call; never the reverse
                // (the other side agreed to voice only).
                Some(Media::Audio) => Media::Audio,
                _ => c.media,
            };
            Ok(changed(
                Some(Call {
                    state: CallState::Active,
                    media,
                    proposed_by: c.proposed_by,
                    since: now,
                }),
                Some(Notice::CallStarted { media }),
            ))
        }
        (CallAction::Decline, Some(c)) if c.state == CallState::Proposed && c.proposed_by != by => {
            Ok(changed(
                None,
                Some(Notice::CallDeclined { by, media: c.media }),
            ))
        }
        (CallAction::Accept(_) | CallAction::Decline, Some(_)) => Err(Refusal::NotYoursToAnswer),
        (CallAction::HangUp, Some(c)) => Ok(changed(None, Some(ended_notice(c, by, now)))),
        (CallAction::Accept(_) | CallAction::Decline | CallAction::HangUp, None) => {
            Err(Refusal::NoCall)
        }
    }
}

/// What is recorded when a call stops: a proposal withdrawn or unanswered,
/// or a call that ran (with how long).
pub fn ended_notice(call: &Call, by: Party, now: Millis) -> Notice {
    match call.state {
        CallState::Proposed => Notice::CallCancelled {
            by,
            media: call.media,
        },
        CallState::Active => Notice::CallEnded {
            by,
            media: call.media,
            duration_s: now.saturating_sub(call.since).max(0) / 1000,
        },
    }
}

/// An operator takes a session that a client started as a call: taking it
/// answers the call.
pub fn on_accept(call: Option<&Call>, now: Millis) -> Option<(Call, Notice)> {
    let c = call?;
    (c.state == CallState::Proposed && c.proposed_by == Party::Client).then_some((
        Call {
            state: CallState::Active,
            since: now,
            ..*c
        },
        Notice::CallStarted { media: c.media },
    ))
}

/// The session goes back to the queue (a transfer): a call the client was
/// in, or asked for, waits for the next operator to answer it; an
/// operator's unanswered proposal is withdrawn with the operator.
pub fn on_transfer(call: Option<&Call>, now: Millis) -> Option<Call> {
    let c = call?;
    (c.state == CallState::Active || c.proposed_by == Party::Client).then_some(Call {
        state: CallState::Proposed,
        proposed_by: Party::Client,
        since: now,
        ..*c
    })
}

/// A WebRTC signalling message, carried from one browser to the other as
/// an event in the conversation's stream. The server checks only its size
/// and shape; the browsers give it meaning. `pc` names one peer connection,
/// so that a message about an earlier one (before a reload) is ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Signal {
    /// The operator's browser offers a connection (an SDP offer).
    Offer { pc: String, sdp: String },
    /// The client's browser answers it (an SDP answer).
    Answer { pc: String, sdp: String },
    /// Network candidates found for the connection.
    Ice {
        pc: String,
        candidates: Vec<IceCandidate>,
    },
    /// The sender's page joined the call (or came back after a reload)
    /// and needs a fresh connection.
    Ready,
    /// The sender's microphone and camera: on or off, and what the browser
    /// allows.
    Media {
        microphone: bool,
        camera: bool,
        microphone_permission: Permission,
        camera_permission: Permission,
    },
    /// The connection could not be made (the network blocks it).
    Failed { pc: String },
}

/// One ICE candidate, as the browser's `RTCIceCandidateInit` has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IceCandidate {
    pub candidate: String,
    pub sdp_mid: Option<String>,
    pub sdp_m_line_index: Option<u16>,
}

/// What a browser allows a page to do with a camera or a microphone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    Granted,
    Denied,
    /// Not asked yet.
    Prompt,
    /// The device is missing or taken by another program.
    Unavailable,
}

/// The largest SDP a browser sends for one audio and one video track is a
/// few kilobytes; this leaves room for many codecs and candidates.
pub const MAX_SDP_BYTES: usize = 20_000;
pub const MAX_CANDIDATES: usize = 50;
pub const MAX_CANDIDATE_BYTES: usize = 1_000;

/// Why a signal is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignalProblem {
    BadConnectionId,
    TooLarge,
}

/// Checks a signal's size and shape before it is stored.
pub fn check_signal(signal: &Signal) -> Result<(), SignalProblem> {
    let pc_ok = |pc: &str| {
        (1..=64).contains(&pc.len())
            && pc
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    match signal {
        Signal::Offer { pc, sdp } | Signal::Answer { pc, sdp } => {
            if !pc_ok(pc) {
                return Err(SignalProblem::BadConnectionId);
            }
            if sdp.is_empty() || sdp.len() > MAX_SDP_BYTES {
                return Err(SignalProblem::TooLarge);
            }
        }
        Signal::Ice { pc, candidates } => {
            if !pc_ok(pc) {
                return Err(SignalProblem::BadConnectionId);
            }
            let too_large = candidates.len() > MAX_CANDIDATES
                || candidates.iter().any(|c| {
                    c.candidate.len() > MAX_CANDIDATE_BYTES
                        || c.sdp_mid.as_ref().is_some_and(|m| m.len() > 64)
                });
            if too_large {
                return Err(SignalProblem::TooLarge);
            }
        }
        Signal::Failed { pc } if !pc_ok(pc) => return Err(SignalProblem::BadConnectionId),
        Signal::Failed { .. } | Signal::Ready | Signal::Media { .. } => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Millis = 1_000_000;

    fn proposed(by: Party, media: Media) -> Call {
        Call {
            state: CallState::Proposed,
            media,
            proposed_by: by,
            since: T,
        }
    }

    fn active(media: Media) -> Call {
        Call {
            state: CallState::Active,
            media,
            proposed_by: Party::Operator,
            since: T,
        }
    }

    fn act(call: Option<&Call>, by: Party, action: CallAction) -> Result<CallChange, Refusal> {
        decide(
            SessionStatus::Active,
            Channel::Chat,
            call,
            by,
            action,
            T + 65_500,
        )
    }

    #[test]
    fn signals_are_checked_for_size_and_shape() {
        let offer = |pc: &str, sdp: &str| Signal::Offer {
            pc: pc.into(),
            sdp: sdp.into(),
        };
        assert_eq!(check_signal(&offer("pc-1_a", "v=0")), Ok(()));
        assert_eq!(
            check_signal(&offer("", "v=0")),
            Err(SignalProblem::BadConnectionId)
        );
        assert_eq!(
            check_signal(&offer("a b", "v=0")),
            Err(SignalProblem::BadConnectionId)
        );
        assert_eq!(
            check_signal(&offer(&"p".repeat(65), "v=0")),
            Err(SignalProblem::BadConnectionId)
        );
        assert_eq!(
            check_signal(&offer("pc", &"v".repeat(MAX_SDP_BYTES + 1))),
            Err(SignalProblem::TooLarge)
        );
        let candidate = IceCandidate {
            candidate: "candidate:1 1 udp 2122260223 10.0.0.2 5000 typ host".into(),
            sdp_mid: Some("0".into()),
            sdp_m_line_index: Some(0),
        };
        let ice = |n: usize| Signal::Ice {
            pc: "pc".into(),
            candidates: vec![candidate.clone(); n],
        };
        assert_eq!(check_signal(&ice(MAX_CANDIDATES)), Ok(()));
        assert_eq!(
            check_signal(&ice(MAX_CANDIDATES + 1)),
            Err(SignalProblem::TooLarge)
        );
        let json = r#"{"kind":"media","microphone":false,"camera":true,"microphone_permission":"granted","camera_permission":"denied"}"#;
        let media: Signal = serde_json::from_str(json).expect("parse");
        assert_eq!(serde_json::to_string(&media).expect("json"), json);
    }

    #[test]
    fn a_proposal_makes_the_chat_a_call_until_answered() {
        let change = act(None, Party::Operator, CallAction::Propose(Media::Video)).unwrap();
        assert_eq!(change.channel, Channel::Av);
        assert_eq!(change.notice, None);
        let call = change.call.unwrap();
        assert_eq!(call.state, CallState::Proposed);
        assert_eq!(call.proposed_by, Party::Operator);
        assert_eq!(call.since, T + 65_500);
    }

    #[test]
    fn only_the_other_side_answers() {
        let call = proposed(Party::Operator, Media::Video);
        for action in [CallAction::Accept(None), CallAction::Decline] {
            assert_eq!(
                act(Some(&call), Party::Operator, action),
                Err(Refusal::NotYoursToAnswer)
            );
        }
        let accepted = act(Some(&call), Party::Client, CallAction::Accept(None)).unwrap();
        let started = accepted.call.unwrap();
        assert_eq!(started.state, CallState::Active);
        assert_eq!(started.media, Media::Video);
        assert_eq!(accepted.channel, Channel::Av);
        assert_eq!(
            accepted.notice,
            Some(Notice::CallStarted {
                media: Media::Video
            })
        );
    }

    #[test]
    fn a_video_call_may_be_taken_as_voice_only_never_the_reverse() {
        let video = proposed(Party::Client, Media::Video);
        let change = act(
            Some(&video),
            Party::Operator,
            CallAction::Accept(Some(Media::Audio)),
        )
        .unwrap();
        assert_eq!(change.call.unwrap().media, Media::Audio);
        let audio = proposed(Party::Client, Media::Audio);
        let change = act(
            Some(&audio),
            Party::Operator,
            CallAction::Accept(Some(Media::Video)),
        )
        .unwrap();
        assert_eq!(change.call.unwrap().media, Media::Audio);
    }

    #[test]
    fn a_declined_call_is_recorded_and_the_chat_goes_on() {
        let call = proposed(Party::Operator, Media::Audio);
        let change = act(Some(&call), Party::Client, CallAction::Decline).unwrap();
        assert_eq!(change.call, None);
        assert_eq!(change.channel, Channel::Chat);
        assert_eq!(
            change.notice,
            Some(Notice::CallDeclined {
                by: Party::Client,
                media: Media::Audio
            })
        );
    }

    #[test]
    fn hanging_up_drops_back_to_chat_with_the_duration() {
        let change = act(
            Some(&active(Media::Video)),
            Party::Client,
            CallAction::HangUp,
        )
        .unwrap();
        assert_eq!(change.call, None);
        assert_eq!(change.channel, Channel::Chat);
        assert_eq!(
            change.notice,
            Some(Notice::CallEnded {
                by: Party::Client,
                media: Media::Video,
                duration_s: 65
            })
        );
        let call = proposed(Party::Operator, Media::Video);
        let withdrawn = act(Some(&call), Party::Operator, CallAction::HangUp).unwrap();
        assert_eq!(
            withdrawn.notice,
            Some(Notice::CallCancelled {
                by: Party::Operator,
                media: Media::Video
            })
        );
    }

    #[test]
    fn one_call_at_a_time_and_none_to_answer_without_one() {
        let call = active(Media::Audio);
        assert_eq!(
            act(
                Some(&call),
                Party::Client,
                CallAction::Propose(Media::Video)
            ),
            Err(Refusal::CallInProgress)
        );
        assert_eq!(
            act(Some(&call), Party::Client, CallAction::Accept(None)),
            Err(Refusal::NotYoursToAnswer)
        );
        for action in [
            CallAction::Accept(None),
            CallAction::Decline,
            CallAction::HangUp,
        ] {
            assert_eq!(act(None, Party::Client, action), Err(Refusal::NoCall));
        }
    }

    #[test]
    fn calls_only_in_active_chats() {
        let propose = CallAction::Propose(Media::Video);
        for (status, channel, refusal) in [
            (
                SessionStatus::Active,
                Channel::Email,
                Refusal::NoCallsOnChannel,
            ),
            (
                SessionStatus::Active,
                Channel::Phone,
                Refusal::NoCallsOnChannel,
            ),
            (
                SessionStatus::Waiting,
                Channel::Chat,
                Refusal::SessionNotActive,
            ),
            (
                SessionStatus::Offered,
                Channel::Chat,
                Refusal::SessionNotActive,
            ),
            (SessionStatus::Ended, Channel::Chat, Refusal::SessionEnded),
        ] {
            assert_eq!(
                decide(status, channel, None, Party::Operator, propose, T),
                Err(refusal),
                "{status:?} {channel:?}"
            );
        }
    }

    #[test]
    fn a_waiting_caller_may_wait_for_a_chat_instead() {
        let call = proposed(Party::Client, Media::Video);
        for status in [SessionStatus::Waiting, SessionStatus::Offered] {
            let change = decide(
                status,
                Channel::Av,
                Some(&call),
                Party::Client,
                CallAction::HangUp,
                T,
            )
            .unwrap();
            assert_eq!(change.call, None);
            assert_eq!(change.channel, Channel::Chat);
            assert_eq!(
                change.notice,
                Some(Notice::CallCancelled {
                    by: Party::Client,
                    media: Media::Video
                })
            );
            // Nothing else happens to a call before someone takes the conversation.
            assert_eq!(
                decide(
                    status,
                    Channel::Av,
                    Some(&call),
                    Party::Operator,
                    CallAction::HangUp,
                    T
                ),
                Err(Refusal::SessionNotActive)
            );
        }
    }

    #[test]
    fn taking_a_clients_call_answers_it() {
        let call = proposed(Party::Client, Media::Video);
        let (started, notice) = on_accept(Some(&call), T + 5).unwrap();
        assert_eq!(started.state, CallState::Active);
        assert_eq!(started.since, T + 5);
        assert_eq!(
            notice,
            Notice::CallStarted {
                media: Media::Video
            }
        );
        assert_eq!(on_accept(None, T), None);
    }

    #[test]
    fn a_transfer_keeps_the_clients_call_for_the_next_operator() {
        let next = on_transfer(Some(&active(Media::Video)), T + 9).unwrap();
        assert_eq!(next.state, CallState::Proposed);
        assert_eq!(next.proposed_by, Party::Client);
        assert_eq!(next.since, T + 9);
        let asked = proposed(Party::Client, Media::Audio);
        assert!(on_transfer(Some(&asked), T).is_some());
        let offered = proposed(Party::Operator, Media::Video);
        assert_eq!(on_transfer(Some(&offered), T), None);
    }
}
