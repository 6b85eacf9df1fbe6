//! Refusals: a request that lost to the current state of things (a session
//! someone else took, a full seat, a used invitation). Each has a stable
//! snake_case code that the API returns; the HTTP layer picks the status
//! (409, or 410 for a gone invitation).

use thiserror::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum Refusal {
    #[error("another operator has taken this session, or it has ended")]
    AlreadyTaken,
    #[error("this session is for another group")]
    NotInGroup,
    #[error("this channel is not assigned to you")]
    ChannelNotAssigned,
    #[error("you already have as many sessions on this channel as you can take")]
    CapacityFull,
    #[error("you can write only in your active conversations")]
    SessionNotActive,
    #[error("this conversation has ended")]
    SessionEnded,
    #[error("the built-in group holds every operator; only its max_queue can change")]
    BuiltinGroupFixed,
    #[error("the built-in group cannot be deleted")]
    BuiltinGroupPermanent,
    #[error("clients are waiting in this group; transfer them first")]
    GroupHasQueue,
    #[error("a member is not a user of this company")]
    UnknownMember,
    #[error("this invitation has been used already")]
    InvitationUsed,
    #[error("this invitation is no longer valid")]
    InvitationInvalidated,
    #[error("a group is not a group of this company")]
    UnknownGroup,
    #[error("another user has this extension")]
    ExtensionTaken,
    #[error("this session is not offered to you (it was taken, withdrawn, or has ended)")]
    NotOfferedToYou,
    #[error("an e-mail conversation is answered by e-mail (send an e-mail reply), not by a chat message")]
    AnswerByEmail,
    #[error(
        "this conversation already holds as many unsent files as it may; send or remove some first"
    )]
    TooManyUploads,
    #[error("an attachment is not a file uploaded to this conversation and not sent yet")]
    UnknownAttachment,
    #[error("calls are made in chat conversations, not by e-mail or telephone")]
    NoCallsOnChannel,
    #[error("this conversation already has a call (proposed or running)")]
    CallInProgress,
    #[error("this conversation has no call now")]
    NoCall,
    #[error("only the side that was asked answers a call")]
    NotYoursToAnswer,
    #[error("you are in another call; end it first")]
    OnAnotherCall,
    #[error("there are as many canned answers here as there may be (500); remove some first")]
    TooManyCannedAnswers,
    #[error("this company does not ask its clients for ratings")]
    RatingsOff,
    #[error("a conversation is rated once it has ended")]
    NotEndedYet,
    #[error("no operator took this conversation, so there is nothing to rate")]
    NothingToRate,
    #[error("this conversation has been rated already")]
    AlreadyRated,
    #[error("this conversation holds as many files as it may (100)")]
    TooManyFiles,
}

impl Refusal {
    /// The snake_case code that the API returns for this refusal.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::AlreadyTaken => "already_taken",
            Refusal::NotInGroup => "not_in_group",
            Refusal::ChannelNotAssigned => "channel_not_assigned",
            Refusal::CapacityFull => "capacity_full",
            Refusal::SessionNotActive => "session_not_active",
            Refusal::SessionEnded => "session_ended",
            Refusal::BuiltinGroupFixed | Refusal::BuiltinGroupPermanent => "builtin_group",
            Refusal::GroupHasQueue => "group_has_queue",
            Refusal::UnknownMember => "unknown_member",
            Refusal::InvitationUsed => "invitation_used",
            Refusal::InvitationInvalidated => "invitation_invalidated",
            Refusal::UnknownGroup => "unknown_group",
            Refusal::ExtensionTaken => "extension_taken",
            Refusal::NotOfferedToYou => "not_offered_to_you",
            Refusal::AnswerByEmail => "answer_by_email",
            Refusal::TooManyUploads => "too_many_uploads",
            Refusal::UnknownAttachment => "unknown_attachment",
            Refusal::NoCallsOnChannel => "no_calls_on_channel",
            Refusal::CallInProgress => "call_in_progress",
            Refusal::NoCall => "no_call",
            Refusal::NotYoursToAnswer => "not_yours_to_answer",
            Refusal::OnAnotherCall => "on_another_call",
            Refusal::TooManyCannedAnswers => "too_many_canned_answers",
            Refusal::RatingsOff => "ratings_off",
            Refusal::NotEndedYet => "not_ended_yet",
            Refusal::NothingToRate => "nothing_to_rate",
            Refusal::AlreadyRated => "already_rated",
            Refusal::TooManyFiles => "too_many_files",
        }
    }

    /// The invitation can never be used again (HTTP 410 rather than 409).
    pub fn is_gone(self) -> bool {
        matches!(
            self,
            Refusal::InvitationUsed | Refusal::InvitationInvalidated
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_snake_case_and_stable() {
        assert_eq!(Refusal::AlreadyTaken.code(), "already_taken");
        assert_eq!(Refusal::BuiltinGroupPermanent.code(), "builtin_group");
        assert!(Refusal::InvitationUsed.is_gone());
        assert!(!Refusal::CapacityFull.is_gone());
    }
}
