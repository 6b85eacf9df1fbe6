//! Groups: how they hand out their clients, and what may change about them.

use crate::routing::Waiting;
use crate::Refusal;

/// How a group's waiting clients reach its members.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// One offer at a time, to the eligible member idle the longest; an
    /// offer not accepted in time goes to the next.
    LongestIdle,
    /// Every eligible member sees the client in their queue at once (and is
    /// alerted); the first to accept gets them, the others see them gone.
    Broadcast,
}

text_enum!(Strategy { LongestIdle => "longest_idle", Broadcast => "broadcast" });

/// Does routing offer this session to one operator at a time? Not when it
/// waits in a broadcast group (`broadcast`: those groups' ids; a session
/// without a group is in the built-in one), unless it is bound to one
/// operator (an invitation, a transfer to a person).
pub fn offered_one_at_a_time(session: &Waiting, builtin: Option<&str>, broadcast: &[&str]) -> bool {
    if session.target_operator_id.is_some() {
        return true;
    }
    let group = session.group_id.as_deref().or(builtin);
    !group.is_some_and(|g| broadcast.contains(&g))
}

/// May a group be renamed or get new members? The built-in "All operators"
/// always holds every operator, so only its `max_queue` may change.
pub fn may_change(builtin: bool, renames_or_sets_members: bool) -> Result<(), Refusal> {
    if builtin && renames_or_sets_members {
        Err(Refusal::BuiltinGroupFixed)
    } else {
        Ok(())
    }
}

/// May a group be deleted (archived)? Never the built-in one, and not while
/// clients wait in it.
pub fn may_archive(builtin: bool, queued: i64) -> Result<(), Refusal> {
    if builtin {
        Err(Refusal::BuiltinGroupPermanent)
    } else if queued > 0 {
        Err(Refusal::GroupHasQueue)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Channel;

    fn waiting(group: Option<&str>, target: Option<&str>) -> Waiting {
        Waiting {
            session_id: "s".into(),
            channel: Channel::Chat,
            group_id: group.map(str::to_owned),
            target_operator_id: target.map(str::to_owned),
            preferred_operator_id: None,
            created_at: 0,
            declined_by: Vec::new(),
        }
    }

    #[test]
    fn a_broadcast_group_rings_everyone_instead_of_offering_one() {
        let broadcast = ["sales", "all"];
        assert!(!offered_one_at_a_time(
            &waiting(Some("sales"), None),
            Some("all"),
            &broadcast
        ));
        assert!(offered_one_at_a_time(
            &waiting(Some("support"), None),
            Some("all"),
            &broadcast
        ));
        // No group: the built-in one, broadcast here.
        assert!(!offered_one_at_a_time(
            &waiting(None, None),
            Some("all"),
            &broadcast
        ));
        assert!(offered_one_at_a_time(
            &waiting(None, None),
            Some("all"),
            &["sales"]
        ));
        // Bound to one person: offered to them.
        assert!(offered_one_at_a_time(
            &waiting(Some("sales"), Some("u1")),
            Some("all"),
            &broadcast
        ));
        assert_eq!(Strategy::parse("broadcast"), Some(Strategy::Broadcast));
        assert_eq!(Strategy::LongestIdle.as_str(), "longest_idle");
    }

    #[test]
    fn the_builtin_group_keeps_its_name_members_and_life() {
        assert_eq!(may_change(true, true), Err(Refusal::BuiltinGroupFixed));
        assert_eq!(may_change(true, false), Ok(()));
        assert_eq!(may_change(false, true), Ok(()));
        assert_eq!(may_archive(true, 0), Err(Refusal::BuiltinGroupPermanent));
    }

    #[test]
    fn a_group_with_a_queue_stays() {
        assert_eq!(may_archive(false, 2), Err(Refusal::GroupHasQueue));
        assert_eq!(may_archive(false, 0), Ok(()));
    }
}
