//! Channels, their assignment to operators and the on/off switch.
//!
//! Assignment (by an admin) and availability (the operator's switch) are
//! different facts: only assigned channels are listed, and a switched-off
//! channel keeps its capacity for when it comes back.

use serde::{Deserialize, Serialize};

use crate::Role;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Chat,
    Av,
    Email,
    Phone,
}

impl Channel {
    pub const ALL: [Channel; 4] = [Channel::Chat, Channel::Av, Channel::Email, Channel::Phone];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Chat => "chat",
            Channel::Av => "av",
            Channel::Email => "email",
            Channel::Phone => "phone",
        }
    }

    pub fn parse(text: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == text)
    }

    /// Calls (audio/video and phone) take the whole operator: one at a time.
    pub fn is_call(self) -> bool {
        matches!(self, Channel::Av | Channel::Phone)
    }

    pub fn default_capacity(self) -> u32 {
        match self {
            Channel::Chat => 3,
            Channel::Email => 5,
            Channel::Av | Channel::Phone => 1,
        }
    }

    /// The capacity actually stored for a requested one.
    pub fn effective_capacity(self, requested: Option<u32>) -> Result<u32, String> {
        if self.is_call() {
            return Ok(1);
        }
        let capacity = requested.unwrap_or(self.default_capacity());
        if (1..=MAX_CAPACITY).contains(&capacity) {
            Ok(capacity)
        } else {
            Err(format!(
                "capacity of {} must be between 1 and {MAX_CAPACITY}",
                self.as_str()
            ))
        }
    }
}

pub const MAX_CAPACITY: u32 = 20;

/// One assigned channel of one operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ChannelSetting {
    pub channel: Channel,
    pub enabled: bool,
    pub capacity: u32,
}

/// Why a channel switch was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToggleRefusal {
    /// The company forbids operators to switch their own channels.
    CompanyForbids,
    /// An operator tried to switch someone else's channel.
    NotYours,
}

/// May this caller switch that operator's channel on or off?
pub fn may_toggle(
    caller: Role,
    own_channel: bool,
    operators_may_toggle: bool,
) -> Result<(), ToggleRefusal> {
    if caller.oversees_others() {
        Ok(())
    } else if !own_channel {
        Err(ToggleRefusal::NotYours)
    } else if !operators_may_toggle {
        Err(ToggleRefusal::CompanyForbids)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toggling_follows_role_ownership_and_the_company_lock() {
        let cases = [
            (Role::Operator, true, true, Ok(())),
            (
                Role::Operator,
                true,
                false,
                Err(ToggleRefusal::CompanyForbids),
            ),
            (Role::Operator, false, true, Err(ToggleRefusal::NotYours)),
            (Role::Operator, false, false, Err(ToggleRefusal::NotYours)),
            (Role::Supervisor, false, false, Ok(())),
            (Role::Admin, true, false, Ok(())),
        ];
        for (role, own, allowed, expected) in cases {
            assert_eq!(
                may_toggle(role, own, allowed),
                expected,
                "{role:?} own={own} allowed={allowed}"
            );
        }
    }

    #[test]
    fn calls_take_one_slot_and_chat_capacity_is_bounded() {
        assert_eq!(Channel::Av.effective_capacity(Some(5)), Ok(1));
        assert_eq!(Channel::Chat.effective_capacity(None), Ok(3));
        assert_eq!(Channel::Chat.effective_capacity(Some(7)), Ok(7));
        assert!(Channel::Chat.effective_capacity(Some(0)).is_err());
        assert!(Channel::Email.effective_capacity(Some(21)).is_err());
    }

    #[test]
    fn channel_names_round_trip_in_order() {
        let names: Vec<_> = Channel::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(names, ["chat", "av", "email", "phone"]);
        assert_eq!(Channel::parse("fax"), None);
        assert!(Channel::Chat < Channel::Phone);
    }
}
