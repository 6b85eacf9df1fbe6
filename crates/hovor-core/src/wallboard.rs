//! The supervisor's wallboard: for each group, how many clients wait, since
//! when, and how many of its operators could take one now. Pure, over the
//! same operator facts routing decides from, so the board and the routing
//! never disagree about who is available.

use crate::routing::Candidate;
use crate::{Channel, Millis};

/// A group as the board lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardGroup {
    pub id: String,
    /// "All operators": every operator is a member.
    pub builtin: bool,
}

/// A session waiting (or offered, not yet accepted) in a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    pub group_id: String,
    pub channel: Channel,
    /// When it (last) joined the queue.
    pub since: Millis,
}

/// One group's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupLine {
    pub group_id: String,
    pub waiting: u32,
    /// The longest-waiting client joined the queue then.
    pub oldest_since: Option<Millis>,
    /// Members who are online with a free slot on a switched-on channel.
    pub available: u32,
}

/// Could this operator be offered a session of this channel now: online,
/// the channel switched on, a free slot (calls: no other call, and a ready
/// line for the phone)?
pub fn free_for(candidate: &Candidate, channel: Channel) -> bool {
    candidate.online
        && candidate
            .channels
            .iter()
            .any(|c| c.channel == channel && c.enabled)
        && (channel != Channel::Phone || candidate.phone_ready)
        && candidate.has_room(channel).is_ok()
}

/// Free for any of their channels (or only `only`, when given).
pub fn available(candidate: &Candidate, only: Option<Channel>) -> bool {
    Channel::ALL
        .iter()
        .filter(|c| only.is_none_or(|o| o == **c))
        .any(|c| free_for(candidate, *c))
}

fn member(candidate: &Candidate, group: &BoardGroup) -> bool {
    group.builtin || candidate.groups.contains(&group.id)
}

/// The board's group rows, in the order given; with a channel, only that
/// channel's clients and slots count.
pub fn group_lines(
    groups: &[BoardGroup],
    queued: &[Queued],
    candidates: &[Candidate],
    channel: Option<Channel>,
) -> Vec<GroupLine> {
    groups
        .iter()
        .map(|group| {
            let mine = queued
                .iter()
                .filter(|q| q.group_id == group.id && channel.is_none_or(|c| c == q.channel));
            GroupLine {
                group_id: group.id.clone(),
                waiting: u32::try_from(mine.clone().count()).unwrap_or(u32::MAX),
                oldest_since: mine.map(|q| q.since).min(),
                available: u32::try_from(
                    candidates
                        .iter()
                        .filter(|c| member(c, group) && available(c, channel))
                        .count(),
                )
                .unwrap_or(u32::MAX),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::ChannelSetting;

    fn operator(id: &str, online: bool, chat_load: u32, groups: &[&str]) -> Candidate {
        Candidate {
            operator_id: id.into(),
            online,
            channels: vec![ChannelSetting {
                channel: Channel::Chat,
                enabled: true,
                capacity: 2,
            }],
            load: HashMap::from([(Channel::Chat, chat_load)]),
            groups: groups.iter().map(|g| (*g).to_owned()).collect(),
            last_offered_at: None,
            phone_ready: false,
            resting: Vec::new(),
        }
    }

    fn group(id: &str, builtin: bool) -> BoardGroup {
        BoardGroup {
            id: id.into(),
            builtin,
        }
    }

    #[test]
    fn available_means_online_with_a_free_slot_on_a_switched_on_channel() {
        assert!(available(&operator("a", true, 1, &[]), None));
        assert!(!available(&operator("a", true, 2, &[]), None), "full");
        assert!(
            !available(&operator("a", false, 0, &[]), None),
            "not online"
        );
        let mut off = operator("a", true, 0, &[]);
        off.channels[0].enabled = false;
        assert!(!available(&off, None), "switched off");
        assert!(!available(
            &operator("a", true, 0, &[]),
            Some(Channel::Email)
        ));
        let mut phone = operator("a", true, 0, &[]);
        phone.channels = vec![ChannelSetting {
            channel: Channel::Phone,
            enabled: true,
            capacity: 1,
        }];
        assert!(!available(&phone, None), "the line is not ready");
        phone.phone_ready = true;
        assert!(available(&phone, None));
    }

    #[test]
    fn each_group_counts_its_queue_and_its_members() {
        let groups = [group("all", true), group("sales", false)];
        let queued = [
            Queued {
                group_id: "sales".into(),
                channel: Channel::Chat,
                since: 500,
            },
            Queued {
                group_id: "sales".into(),
                channel: Channel::Email,
                since: 300,
            },
            Queued {
                group_id: "all".into(),
                channel: Channel::Chat,
                since: 900,
            },
        ];
        let people = [
            operator("a", true, 0, &["sales"]),
            operator("b", true, 0, &[]),
            operator("c", true, 2, &["sales"]),
        ];
        let lines = group_lines(&groups, &queued, &people, None);
        assert_eq!(
            lines,
            vec![
                GroupLine {
                    group_id: "all".into(),
                    waiting: 1,
                    oldest_since: Some(900),
                    available: 2,
                },
                GroupLine {
                    group_id: "sales".into(),
                    waiting: 2,
                    oldest_since: Some(300),
                    available: 1,
                },
            ]
        );
        let chat_only = group_lines(&groups, &queued, &people, Some(Channel::Chat));
        assert_eq!(chat_only[1].waiting, 1);
        assert_eq!(chat_only[1].oldest_since, Some(500));
        let email_only = group_lines(&groups, &queued, &people, Some(Channel::Email));
        assert_eq!(email_only[1].available, 0);
    }
}
