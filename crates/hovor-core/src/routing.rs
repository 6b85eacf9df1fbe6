//! Who may be offered which session, and who gets it.
//!
//! Routing is a pure decision over a snapshot: the waiting sessions (oldest
//! first) and the operators with their status, channels, load and idle time.
//! The storage layer then applies each offer with a conditional update, so a
//! decision made on a stale snapshot can lose, never double-assign.

use std::collections::HashMap;

use crate::{Channel, ChannelSetting, Millis};

/// A session waiting in the queue.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Waiting {
    pub session_id: String,
    pub channel: Channel,
    /// The group it was sent to; `None` means the built-in "All operators".
    pub group_id: Option<String>,
    /// Bound to one operator (an invitation, or a transfer to a person).
    pub target_operator_id: Option<String>,
    /// Goes to this operator when they are eligible, before anyone idle
    /// longer (an e-mail follow-up to the thread's operator); binds nobody.
    #[serde(default)]
    pub preferred_operator_id: Option<String>,
    pub created_at: Millis,
    /// Operators who declined its offer: never offered it again.
    pub declined_by: Vec<String>,
}

/// An operator as routing sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub operator_id: String,
    /// Presence is `online` (logged in, connected, chose online).
    pub online: bool,
    pub channels: Vec<ChannelSetting>,
    /// Sessions active or offered to them, per channel.
    pub load: HashMap<Channel, u32>,
    /// The groups they belong to (besides the built-in one).
    pub groups: Vec<String>,
    /// When they were last offered a session; `None` = never (most idle).
    pub last_offered_at: Option<Millis>,
    /// Their phone line is green (extension registered, connector up).
    pub phone_ready: bool,
    /// The channels they are in after-chat work on (`hovor_core::after_chat`):
    /// nothing new of those is offered to them meanwhile.
    pub resting: Vec<Channel>,
}

/// Why an operator may not be offered a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ineligible {
    NotTheTarget,
    NotInGroup,
    NotOnline,
    ChannelNotAssigned,
    ChannelOff,
    CapacityFull,
    OnAnotherCall,
    LineNotReady,
    Declined,
    /// Finishing the last conversation of the channel (after-chat work).
    AfterChatWork,
}

impl Candidate {
    fn load_on(&self, channel: Channel) -> u32 {
        self.load.get(&channel).copied().unwrap_or(0)
    }

    fn on_a_call(&self) -> bool {
        Channel::ALL
            .iter()
            .any(|c| c.is_call() && self.load_on(*c) > 0)
    }

    /// Group and target rules only: could this session ever be theirs?
    pub fn may_serve(&self, session: &Waiting) -> Result<(), Ineligible> {
        if let Some(target) = &session.target_operator_id {
            if *target != self.operator_id {
                return Err(Ineligible::NotTheTarget);
            }
        } else if let Some(group) = &session.group_id {
            if !self.groups.contains(group) {
                return Err(Ineligible::NotInGroup);
            }
        }
        if !self.channels.iter().any(|c| c.channel == session.channel) {
            return Err(Ineligible::ChannelNotAssigned);
        }
        Ok(())
    }

    /// Has a free slot on the channel (calls: no other call at all).
    pub fn has_room(&self, channel: Channel) -> Result<(), Ineligible> {
        let Some(setting) = self.channels.iter().find(|c| c.channel == channel) else {
            return Err(Ineligible::ChannelNotAssigned);
        };
        if channel.is_call() && self.on_a_call() {
            return Err(Ineligible::OnAnotherCall);
        }
        if self.load_on(channel) >= setting.capacity {
            return Err(Ineligible::CapacityFull);
        }
        Ok(())
    }

    /// May this session be offered to this operator now?
    pub fn eligible_for(&self, session: &Waiting) -> Result<(), Ineligible> {
        self.may_serve(session)?;
        if session.declined_by.contains(&self.operator_id) {
            return Err(Ineligible::Declined);
        }
        if !self.online {
            return Err(Ineligible::NotOnline);
        }
        let on = self
            .channels
            .iter()
            .any(|c| c.channel == session.channel && c.enabled);
        if !on {
            return Err(Ineligible::ChannelOff);
        }
        if self.resting.contains(&session.channel) {
            return Err(Ineligible::AfterChatWork);
        }
        if session.channel == Channel::Phone && !self.phone_ready {
            return Err(Ineligible::LineNotReady);
        }
        self.has_room(session.channel)
    }
}

/// Decides the offers to make now: waiting sessions oldest first, each to
/// its preferred operator when they are eligible, else to the eligible
/// operator idle the longest. Returns `(session, operator)`.
pub fn plan_offers(
    waiting: &[Waiting],
    candidates: &[Candidate],
    now: Millis,
) -> Vec<(String, String)> {
    let mut sessions: Vec<&Waiting> = waiting.iter().collect();
    sessions.sort_by(|a, b| {
        a.created_at
            .cmp(&b.created_at)
            .then(a.session_id.cmp(&b.session_id))
    });
    let mut pool: Vec<Candidate> = candidates.to_vec();
    let mut offers = Vec::new();
    for session in sessions {
        let best = pool
            .iter_mut()
            .filter(|c| c.eligible_for(session).is_ok())
            .min_by(|a, b| {
                let preferred =
                    |c: &Candidate| session.preferred_operator_id.as_ref() != Some(&c.operator_id);
                preferred(a)
                    .cmp(&preferred(b))
                    .then(a.last_offered_at.cmp(&b.last_offered_at))
                    .then(a.operator_id.cmp(&b.operator_id))
            });
        if let Some(chosen) = best {
            *chosen.load.entry(session.channel).or_insert(0) += 1;
            chosen.last_offered_at = Some(now);
            offers.push((session.session_id.clone(), chosen.operator_id.clone()));
        }
    }
    offers
}

/// What a client sees before starting a chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    /// Someone eligible has a free slot.
    Online,
    /// Someone is there, but every one of them is full.
    Busy,
    /// Nobody is online with the channel switched on.
    Offline,
}

pub fn availability(
    candidates: &[Candidate],
    channel: Channel,
    group_id: Option<&str>,
) -> Availability {
    let probe = Waiting {
        session_id: String::new(),
        channel,
        group_id: group_id.map(str::to_owned),
        target_operator_id: None,
        preferred_operator_id: None,
        created_at: 0,
        declined_by: Vec::new(),
    };
    let mut someone_there = false;
    for c in candidates {
        match c.eligible_for(&probe) {
            Ok(()) => return Availability::Online,
            // Full, or about to be free again: the client waits a little.
            Err(
                Ineligible::CapacityFull | Ineligible::OnAnotherCall | Ineligible::AfterChatWork,
            ) => someone_there = true,
            Err(_) => {}
        }
    }
    if someone_there {
        Availability::Busy
    } else {
        Availability::Offline
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(id: &str) -> Candidate {
        Candidate {
            operator_id: id.into(),
            online: true,
            channels: vec![
                ChannelSetting {
                    channel: Channel::Chat,
                    enabled: true,
                    capacity: 2,
                },
                ChannelSetting {
                    channel: Channel::Av,
                    enabled: true,
                    capacity: 1,
                },
            ],
            load: HashMap::new(),
            groups: vec!["sales".into()],
            last_offered_at: Some(100),
            phone_ready: true,
            resting: Vec::new(),
        }
    }

    fn chat(id: &str, at: Millis) -> Waiting {
        Waiting {
            session_id: id.into(),
            channel: Channel::Chat,
            group_id: None,
            target_operator_id: None,
            preferred_operator_id: None,
            created_at: at,
            declined_by: Vec::new(),
        }
    }

    #[test]
    fn eligibility_table() {
        type Tweak = fn(&mut Candidate, &mut Waiting);
        let cases: &[(&str, Tweak, Result<(), Ineligible>)] = &[
            ("online with chat on and room", |_, _| {}, Ok(())),
            (
                "away or on a break",
                |c, _| c.online = false,
                Err(Ineligible::NotOnline),
            ),
            (
                "disconnected",
                |c, _| c.online = false,
                Err(Ineligible::NotOnline),
            ),
            (
                "channel switched off",
                |c, _| c.channels[0].enabled = false,
                Err(Ineligible::ChannelOff),
            ),
            (
                "channel not assigned",
                |c, _| {
                    c.channels.remove(0);
                },
                Err(Ineligible::ChannelNotAssigned),
            ),
            (
                "chat capacity full",
                |c, _| {
                    c.load.insert(Channel::Chat, 2);
                },
                Err(Ineligible::CapacityFull),
            ),
            (
                "declined it before",
                |c, s| s.declined_by.push(c.operator_id.clone()),
                Err(Ineligible::Declined),
            ),
            (
                "someone else declined it",
                |_, s| s.declined_by.push("somebody".into()),
                Ok(()),
            ),
            (
                "chat with one slot left",
                |c, _| {
                    c.load.insert(Channel::Chat, 1);
                },
                Ok(()),
            ),
            (
                "in the target group",
                |_, s| s.group_id = Some("sales".into()),
                Ok(()),
            ),
            (
                "not in the target group",
                |_, s| s.group_id = Some("support".into()),
                Err(Ineligible::NotInGroup),
            ),
            (
                "bound to this operator",
                |_, s| s.target_operator_id = Some("a".into()),
                Ok(()),
            ),
            (
                "bound to someone else",
                |_, s| s.target_operator_id = Some("b".into()),
                Err(Ineligible::NotTheTarget),
            ),
            (
                "a call while on a call",
                |c, s| {
                    s.channel = Channel::Av;
                    c.load.insert(Channel::Av, 1);
                },
                Err(Ineligible::OnAnotherCall),
            ),
            (
                "a call while chatting",
                |c, s| {
                    s.channel = Channel::Av;
                    c.load.insert(Channel::Chat, 2);
                },
                Ok(()),
            ),
            (
                "a phone call with the line grey",
                |c, s| {
                    s.channel = Channel::Phone;
                    c.channels.push(ChannelSetting {
                        channel: Channel::Phone,
                        enabled: true,
                        capacity: 1,
                    });
                    c.phone_ready = false;
                },
                Err(Ineligible::LineNotReady),
            ),
            (
                "a phone call with the line green",
                |c, s| {
                    s.channel = Channel::Phone;
                    c.channels.push(ChannelSetting {
                        channel: Channel::Phone,
                        enabled: true,
                        capacity: 1,
                    });
                },
                Ok(()),
            ),
            (
                "a phone call while on an audio/video call",
                |c, s| {
                    s.channel = Channel::Phone;
                    c.channels.push(ChannelSetting {
                        channel: Channel::Phone,
                        enabled: true,
                        capacity: 1,
                    });
                    c.load.insert(Channel::Av, 1);
                },
                Err(Ineligible::OnAnotherCall),
            ),
        ];
        for (name, tweak, expected) in cases {
            let mut candidate = op("a");
            let mut session = chat("s", 0);
            tweak(&mut candidate, &mut session);
            assert_eq!(candidate.eligible_for(&session), *expected, "{name}");
        }
    }

    #[test]
    fn the_longest_idle_operator_gets_the_oldest_session() {
        let mut a = op("a");
        a.last_offered_at = Some(500);
        let mut b = op("b");
        b.last_offered_at = Some(200);
        let mut c = op("c");
        c.last_offered_at = None; // never offered: most idle
        let waiting = [chat("late", 20), chat("early", 10), chat("middle", 15)];
        let offers = plan_offers(&waiting, &[a, b, c], 1_000);
        assert_eq!(
            offers,
            vec![
                ("early".into(), "c".into()),
                ("middle".into(), "b".into()),
                ("late".into(), "a".into()),
            ]
        );
    }

    #[test]
    fn planning_respects_capacity_and_leaves_the_rest_waiting() {
        let mut a = op("a");
        a.load.insert(Channel::Chat, 1);
        let mut away = op("b");
        away.online = false;
        let waiting = [chat("1", 1), chat("2", 2), chat("3", 3)];
        let offers = plan_offers(&waiting, &[a, away], 1_000);
        assert_eq!(offers, vec![("1".into(), "a".into())]);
    }

    #[test]
    fn a_preferred_operator_comes_first_when_free_and_binds_nobody() {
        let mut idle = op("idle");
        idle.last_offered_at = None;
        let busy_recently = op("thread-owner");
        let mut follow_up = chat("follow-up", 1);
        follow_up.preferred_operator_id = Some("thread-owner".into());
        let offers = plan_offers(
            &[follow_up.clone()],
            &[idle.clone(), busy_recently.clone()],
            1_000,
        );
        assert_eq!(offers, vec![("follow-up".into(), "thread-owner".into())]);
        // Away, full or gone: the session goes to whoever routing picks.
        let mut away = busy_recently.clone();
        away.online = false;
        let offers = plan_offers(&[follow_up.clone()], &[idle.clone(), away], 1_000);
        assert_eq!(offers, vec![("follow-up".into(), "idle".into())]);
        let mut full = busy_recently;
        full.load.insert(Channel::Chat, 2);
        let offers = plan_offers(&[follow_up], &[idle, full], 1_000);
        assert_eq!(offers, vec![("follow-up".into(), "idle".into())]);
    }

    #[test]
    fn a_second_round_goes_to_the_next_idle_operator() {
        let waiting = [chat("1", 1), chat("2", 2)];
        let offers = plan_offers(&waiting, &[op("a"), op("b")], 1_000);
        assert_eq!(
            offers,
            vec![("1".into(), "a".into()), ("2".into(), "b".into())]
        );
    }

    #[test]
    fn availability_says_online_busy_or_offline() {
        let mut full = op("a");
        full.load.insert(Channel::Chat, 2);
        let mut off = op("b");
        off.channels[0].enabled = false;
        assert_eq!(
            availability(&[op("a")], Channel::Chat, None),
            Availability::Online
        );
        assert_eq!(
            availability(&[full.clone()], Channel::Chat, None),
            Availability::Busy
        );
        assert_eq!(
            availability(&[off.clone()], Channel::Chat, None),
            Availability::Offline
        );
        assert_eq!(
            availability(&[], Channel::Chat, None),
            Availability::Offline
        );
        assert_eq!(
            availability(&[full, op("c")], Channel::Chat, Some("sales")),
            Availability::Online
        );
    }

    #[test]
    fn after_chat_work_holds_back_offers_of_its_channel_only() {
        let mut resting = op("a");
        resting.resting = vec![Channel::Chat];
        resting.channels.push(ChannelSetting {
            channel: Channel::Email,
            enabled: true,
            capacity: 5,
        });
        let first = chat("s1", 1);
        assert_eq!(resting.eligible_for(&first), Err(Ineligible::AfterChatWork));
        let email = Waiting {
            channel: Channel::Email,
            ..chat("s2", 2)
        };
        assert_eq!(resting.eligible_for(&email), Ok(()));
        // The client waits a moment rather than being told nobody is there.
        assert_eq!(
            availability(&[resting.clone()], Channel::Chat, None),
            Availability::Busy
        );
        let planned = plan_offers(&[first, email], &[resting], 10);
        assert_eq!(planned, vec![("s2".to_owned(), "a".to_owned())]);
    }
}
