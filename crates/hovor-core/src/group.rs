//! Groups: what may change about them.

use crate::Refusal;

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
