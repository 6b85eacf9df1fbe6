//! What one connection follows, and where it stands in each stream.
//!
//! A client follows its session's stream. An operator follows their own
//! stream (the primary: `last_seq` resumes it), and besides it the streams
//! of the sessions they hold and, for supervisors and admins, the company's
//! stream of team events. An operator's own stream says when they take a
//! session (with where its stream stands then), and the session's stream
//! says when it is no longer theirs: the connection joins and leaves
//! session streams by itself, without a gap or a repeat.

use hovor_core::session::SessionStatus;
use serde::Deserialize;

/// A stream followed and the last seq sent from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub stream: String,
    pub sent: i64,
    /// Started at the head only because the peer gave no cursor while
    /// resuming its own stream: if replaying that stream shows the session
    /// was taken meanwhile, it is followed from there instead.
    pub provisional: bool,
}

/// A connection's streams.
#[derive(Debug)]
pub struct Follows {
    /// Its own stream (first) and the others.
    pub cursors: Vec<Cursor>,
    /// The operator (to recognise their own team events and sessions).
    pub operator: Option<String>,
    /// The company's team stream, for supervisors and admins.
    pub company_stream: Option<String>,
}

/// What following an event changes.
#[derive(Debug, PartialEq, Eq)]
pub enum Turn {
    /// Nothing: go on.
    Stay,
    /// The operator took this session: follow its stream after the seq the
    /// take was written at there (`None`: from its head now).
    Join { stream: String, after: Option<i64> },
    /// The session is no longer theirs: stop following its stream.
    Leave { stream: String },
}

#[derive(Deserialize)]
struct SessionPart {
    id: String,
    status: SessionStatus,
    operator_id: Option<String>,
}

#[derive(Deserialize)]
struct SessionEvent {
    session: SessionPart,
    session_seq: Option<i64>,
}

impl Follows {
    pub fn primary(&self) -> &str {
        &self.cursors[0].stream
    }

    pub fn sent(&self, stream: &str) -> Option<i64> {
        self.cursors
            .iter()
            .find(|c| c.stream == stream)
            .map(|c| c.sent)
    }

    pub fn set_sent(&mut self, stream: &str, seq: i64) {
        if let Some(cursor) = self.cursors.iter_mut().find(|c| c.stream == stream) {
            cursor.sent = seq;
            cursor.provisional = false;
        }
    }

    pub fn is_primary(&self, stream: &str) -> bool {
        self.primary() == stream
    }

    /// An event about the supervisor themself in the team stream: it also
    /// comes through their own stream, so it is not sent twice.
    pub fn is_own_team_event(&self, stream: &str, subject: Option<&str>) -> bool {
        self.company_stream.as_deref() == Some(stream)
            && subject.is_some()
            && subject == self.operator.as_deref()
    }

    /// Whether an event (sent from `stream`) makes the connection join or
    /// leave a session's stream.
    pub fn turn(&self, stream: &str, kind: &str, payload: &str) -> Turn {
        let Some(me) = self.operator.as_deref() else {
            return Turn::Stay;
        };
        if kind != "session.changed" || self.company_stream.as_deref() == Some(stream) {
            return Turn::Stay;
        }
        let Ok(event) = serde_json::from_str::<SessionEvent>(payload) else {
            return Turn::Stay;
        };
        let held = event.session.status == SessionStatus::Active
            && event.session.operator_id.as_deref() == Some(me);
        let following = self
            .cursors
            .iter()
            .any(|c| c.stream == event.session.id && !c.provisional);
        if self.is_primary(stream) && held && !following {
            Turn::Join {
                stream: event.session.id,
                after: event.session_seq,
            }
        } else if !self.is_primary(stream) && stream == event.session.id && !held {
            Turn::Leave {
                stream: event.session.id,
            }
        } else {
            Turn::Stay
        }
    }

    pub fn join(&mut self, stream: String, after: i64) {
        match self.cursors.iter_mut().find(|c| c.stream == stream) {
            Some(cursor) if cursor.provisional => {
                cursor.sent = after;
                cursor.provisional = false;
            }
            Some(_) => {}
            None => self.cursors.push(Cursor {
                stream,
                sent: after,
                provisional: false,
            }),
        }
    }

    pub fn leave(&mut self, stream: &str) {
        if !self.is_primary(stream) {
            self.cursors.retain(|c| c.stream != stream);
        }
    }
}

/// Parses `topics=stream:seq,stream:seq` (the cursors a workspace resumes
/// its other streams from). At most 64, each a plain id.
pub fn parse_resume(text: &str) -> Option<Vec<(String, i64)>> {
    let mut out = Vec::new();
    for item in text.split(',').filter(|i| !i.is_empty()) {
        let (stream, seq) = item.rsplit_once(':')?;
        let valid = !stream.is_empty()
            && stream.len() <= 64
            && stream
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_');
        let seq: i64 = seq.parse().ok()?;
        if !valid || seq < 0 || out.len() == 64 {
            return None;
        }
        out.push((stream.to_owned(), seq));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn operator_follows() -> Follows {
        Follows {
            cursors: vec![Cursor {
                stream: "usr_jana".into(),
                sent: 10,
                provisional: false,
            }],
            operator: Some("usr_jana".into()),
            company_stream: Some("co_acme".into()),
        }
    }

    fn changed(status: &str, operator: Option<&str>, session_seq: Option<i64>) -> String {
        serde_json::json!({
            "session": {"id": "ses_1", "status": status, "operator_id": operator},
            "session_seq": session_seq,
        })
        .to_string()
    }

    #[test]
    fn taking_a_session_joins_its_stream_where_the_take_was_written() {
        let f = operator_follows();
        let took = changed("active", Some("usr_jana"), Some(7));
        assert_eq!(
            f.turn("usr_jana", "session.changed", &took),
            Turn::Join {
                stream: "ses_1".into(),
                after: Some(7)
            }
        );
        let theirs = changed("active", Some("usr_petr"), Some(7));
        assert_eq!(f.turn("usr_jana", "session.changed", &theirs), Turn::Stay);
        assert_eq!(f.turn("usr_jana", "session.offered", &took), Turn::Stay);
    }

    #[test]
    fn a_session_no_longer_held_is_left_after_its_last_event() {
        let mut f = operator_follows();
        f.join("ses_1".into(), 6);
        let ended = changed("ended", Some("usr_jana"), None);
        assert_eq!(
            f.turn("ses_1", "session.changed", &ended),
            Turn::Leave {
                stream: "ses_1".into()
            }
        );
        let transferred = changed("waiting", None, None);
        assert!(matches!(
            f.turn("ses_1", "session.changed", &transferred),
            Turn::Leave { .. }
        ));
        let still = changed("active", Some("usr_jana"), None);
        assert_eq!(f.turn("ses_1", "session.changed", &still), Turn::Stay);
        f.leave("ses_1");
        assert_eq!(f.sent("ses_1"), None);
        f.leave("usr_jana");
        assert_eq!(f.sent("usr_jana"), Some(10), "the own stream is never left");
    }

    #[test]
    fn a_session_taken_while_away_is_followed_from_the_take() {
        let mut f = operator_follows();
        // Reconnecting without a cursor for it: started at its head for now.
        f.cursors.push(Cursor {
            stream: "ses_1".into(),
            sent: 9,
            provisional: true,
        });
        let took = changed("active", Some("usr_jana"), Some(4));
        let turn = f.turn("usr_jana", "session.changed", &took);
        assert_eq!(
            turn,
            Turn::Join {
                stream: "ses_1".into(),
                after: Some(4)
            }
        );
        f.join("ses_1".into(), 4);
        assert_eq!(f.sent("ses_1"), Some(4), "rewound to the take");
        f.join("ses_1".into(), 2);
        assert_eq!(f.sent("ses_1"), Some(4), "a real cursor stays");
    }

    #[test]
    fn a_supervisor_skips_their_own_team_events() {
        let f = operator_follows();
        assert!(f.is_own_team_event("co_acme", Some("usr_jana")));
        assert!(!f.is_own_team_event("co_acme", Some("usr_petr")));
        assert!(!f.is_own_team_event("usr_jana", Some("usr_jana")));
    }

    #[test]
    fn resume_cursors_are_parsed_strictly() {
        assert_eq!(
            parse_resume("co_acme:12,ses_1:3"),
            Some(vec![("co_acme".into(), 12), ("ses_1".into(), 3)])
        );
        assert_eq!(parse_resume(""), Some(vec![]));
        assert_eq!(parse_resume("ses_1:x"), None);
        assert_eq!(parse_resume("ses 1:3"), None);
        assert_eq!(parse_resume("ses_1:-1"), None);
        let many: Vec<String> = (0..65).map(|n| format!("s{n}:1")).collect();
        assert_eq!(parse_resume(&many.join(",")), None);
    }
}
