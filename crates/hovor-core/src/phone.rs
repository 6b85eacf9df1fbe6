//! The operator's phone line (the handset's colour) and call records.

use serde::{Deserialize, Serialize};

use crate::session::{EndReason, SessionStatus};
use crate::{Channel, ChannelSetting, Millis};

/// Without a word from the exchange for this long, the connector is down.
pub const CONNECTOR_TIMEOUT_MS: Millis = 120_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LineReason {
    ChannelOff,
    NoExtension,
    NotRegistered,
    ConnectorDown,
}

/// The API's `phone_line`: `ready` is the green handset, `unavailable` grey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PhoneLine {
    pub extension: Option<String>,
    /// `ready` or `unavailable`.
    #[schema(example = "ready")]
    pub state: &'static str,
    pub reason: Option<LineReason>,
}

impl PhoneLine {
    pub fn ready(&self) -> bool {
        self.reason.is_none()
    }
}

/// The facts a line depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineFacts<'a> {
    /// `None`: the phone channel is not assigned (no handset at all).
    pub phone_channel_on: Option<bool>,
    pub extension: Option<&'a str>,
    pub registered: bool,
    pub connector_up: bool,
}

pub fn phone_line(facts: LineFacts<'_>) -> Option<PhoneLine> {
    let channel_on = facts.phone_channel_on?;
    let reason = if !channel_on {
        Some(LineReason::ChannelOff)
    } else if facts.extension.is_none() {
        Some(LineReason::NoExtension)
    } else if !facts.connector_up {
        Some(LineReason::ConnectorDown)
    } else if !facts.registered {
        Some(LineReason::NotRegistered)
    } else {
        None
    };
    Some(PhoneLine {
        extension: facts.extension.map(str::to_owned),
        state: if reason.is_none() {
            "ready"
        } else {
            "unavailable"
        },
        reason,
    })
}

/// An operator's line from their channels and extension and what the
/// exchange reported: the registered state of each extension, and when it
/// last spoke.
pub fn line_of(
    channels: &[ChannelSetting],
    extension: Option<&str>,
    registrations: &[(String, bool)],
    exchange_last_seen: Option<Millis>,
    now: Millis,
) -> Option<PhoneLine> {
    phone_line(LineFacts {
        phone_channel_on: channels
            .iter()
            .find(|c| c.channel == Channel::Phone)
            .map(|c| c.enabled),
        extension,
        registered: extension.is_some_and(|ext| registrations.iter().any(|(e, r)| e == ext && *r)),
        connector_up: connector_up(exchange_last_seen, now),
    })
}

pub fn connector_up(last_seen: Option<Millis>, now: Millis) -> bool {
    last_seen.is_some_and(|seen| now - seen < CONNECTOR_TIMEOUT_MS)
}

/// An extension: 2 to 20 digits.
pub fn valid_extension(text: &str) -> bool {
    (2..=20).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
}

/// A dialable number: 3 to 20 digits, `*` and `#` (service codes such as
/// `*21#`), with an optional leading +.
pub fn valid_number(text: &str) -> bool {
    let digits = text.strip_prefix('+').unwrap_or(text);
    (3..=20).contains(&digits.len())
        && digits
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'*' || b == b'#')
}

/// What the exchange reports of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallEvent {
    Ringing,
    Answered,
    Hangup,
}

/// Which way a call goes, seen from the company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    In,
    Out,
}

/// What is known of a call; each moment is set by its first report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CallFacts {
    pub ringing_at: Option<Millis>,
    pub answered_at: Option<Millis>,
    pub ended_at: Option<Millis>,
}

impl CallFacts {
    /// Adds a report; repeats change nothing, and order does not matter.
    pub fn with(mut self, event: CallEvent, at: Millis) -> CallFacts {
        let slot = match event {
            CallEvent::Ringing => &mut self.ringing_at,
            CallEvent::Answered => &mut self.answered_at,
            CallEvent::Hangup => &mut self.ended_at,
        };
        if slot.is_none() {
            *slot = Some(at);
        }
        self
    }

    /// The session's status the facts add up to.
    pub fn status(&self) -> SessionStatus {
        if self.ended_at.is_some() {
            SessionStatus::Ended
        } else if self.answered_at.is_some() {
            SessionStatus::Active
        } else if self.ringing_at.is_some() {
            SessionStatus::Offered
        } else {
            SessionStatus::Waiting
        }
    }

    /// Who the call is with, given who has it (the extension reported now,
    /// or whoever had it before): `(offered_to, holder)`. Ringing is an
    /// offer; answered (and ended after an answer) is held; a call nobody
    /// answered is with nobody once it ends.
    pub fn parties<'a>(&self, who: Option<&'a str>) -> (Option<&'a str>, Option<&'a str>) {
        match self.status() {
            SessionStatus::Offered => (who, None),
            SessionStatus::Active => (None, who),
            SessionStatus::Ended if self.answered_at.is_some() => (None, who),
            _ => (None, None),
        }
    }

    /// A call hung up before anyone answered was abandoned by the caller.
    pub fn end_reason(&self) -> Option<EndReason> {
        self.ended_at.map(|_| {
            if self.answered_at.is_some() {
                EndReason::ClientLeft
            } else {
                EndReason::Abandoned
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(
        channel: Option<bool>,
        ext: Option<&str>,
        registered: bool,
        up: bool,
    ) -> LineFacts<'_> {
        LineFacts {
            phone_channel_on: channel,
            extension: ext,
            registered,
            connector_up: up,
        }
    }

    #[test]
    fn the_handset_colour_and_its_reason() {
        let cases = [
            (facts(None, Some("201"), true, true), None),
            (
                facts(Some(true), Some("201"), true, true),
                Some(("ready", None)),
            ),
            (
                facts(Some(false), Some("201"), true, true),
                Some(("unavailable", Some(LineReason::ChannelOff))),
            ),
            (
                facts(Some(true), None, false, true),
                Some(("unavailable", Some(LineReason::NoExtension))),
            ),
            (
                facts(Some(true), Some("201"), true, false),
                Some(("unavailable", Some(LineReason::ConnectorDown))),
            ),
            (
                facts(Some(true), Some("201"), false, true),
                Some(("unavailable", Some(LineReason::NotRegistered))),
            ),
        ];
        for (input, expected) in cases {
            let line = phone_line(input);
            assert_eq!(
                line.as_ref().map(|l| (l.state, l.reason)),
                expected,
                "{input:?}"
            );
        }
    }

    #[test]
    fn the_connector_is_up_while_the_exchange_speaks() {
        assert!(!connector_up(None, 0));
        assert!(connector_up(Some(1_000), 1_000 + CONNECTOR_TIMEOUT_MS - 1));
        assert!(!connector_up(Some(1_000), 1_000 + CONNECTOR_TIMEOUT_MS));
    }

    #[test]
    fn call_reports_in_any_order_and_repeated_give_one_record() {
        let in_order = CallFacts::default()
            .with(CallEvent::Ringing, 1)
            .with(CallEvent::Answered, 5)
            .with(CallEvent::Hangup, 60);
        let shuffled = CallFacts::default()
            .with(CallEvent::Hangup, 60)
            .with(CallEvent::Ringing, 1)
            .with(CallEvent::Hangup, 99)
            .with(CallEvent::Answered, 5)
            .with(CallEvent::Ringing, 2);
        assert_eq!(in_order, shuffled);
        assert_eq!(in_order.status(), SessionStatus::Ended);
        assert_eq!(in_order.end_reason(), Some(EndReason::ClientLeft));
        let missed = CallFacts::default()
            .with(CallEvent::Ringing, 1)
            .with(CallEvent::Hangup, 9);
        assert_eq!(missed.end_reason(), Some(EndReason::Abandoned));
        assert_eq!(
            CallFacts::default().with(CallEvent::Answered, 3).status(),
            SessionStatus::Active
        );
    }

    #[test]
    fn a_ringing_call_is_offered_an_answered_one_held() {
        let ringing = CallFacts::default().with(CallEvent::Ringing, 1);
        assert_eq!(ringing.parties(Some("eva")), (Some("eva"), None));
        let answered = ringing.with(CallEvent::Answered, 2);
        assert_eq!(answered.parties(Some("eva")), (None, Some("eva")));
        let done = answered.with(CallEvent::Hangup, 9);
        assert_eq!(done.parties(Some("eva")), (None, Some("eva")));
        let missed = ringing.with(CallEvent::Hangup, 9);
        assert_eq!(missed.parties(Some("eva")), (None, None));
    }

    #[test]
    fn a_line_from_channels_extension_and_the_exchange() {
        let phone_on = [ChannelSetting {
            channel: Channel::Phone,
            enabled: true,
            capacity: 1,
        }];
        let registered = [("201".to_owned(), true), ("202".to_owned(), false)];
        let ready = line_of(&phone_on, Some("201"), &registered, Some(1_000), 2_000);
        assert!(ready.is_some_and(|l| l.ready()));
        let unregistered = line_of(&phone_on, Some("202"), &registered, Some(1_000), 2_000);
        assert_eq!(
            unregistered.and_then(|l| l.reason),
            Some(LineReason::NotRegistered)
        );
        let silent = line_of(
            &phone_on,
            Some("201"),
            &registered,
            Some(0),
            CONNECTOR_TIMEOUT_MS,
        );
        assert_eq!(
            silent.and_then(|l| l.reason),
            Some(LineReason::ConnectorDown)
        );
        assert_eq!(
            line_of(&[], Some("201"), &registered, Some(0), 1),
            None,
            "no handset"
        );
    }

    #[test]
    fn extensions_and_numbers() {
        assert!(valid_extension("201"));
        assert!(!valid_extension("2"));
        assert!(!valid_extension("20a"));
        assert!(valid_number("+420777123456"));
        assert!(valid_number("*21#"));
        assert!(!valid_number("call me"));
        assert!(!valid_number("12"));
        assert!(!valid_number("+42-077"));
    }
}
