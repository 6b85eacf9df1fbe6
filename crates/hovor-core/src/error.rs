//! Errors that domain rules can raise, each with a stable API code.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    #[error("the pause type does not exist in this company or is archived")]
    UnknownPauseType,
    #[error("a pause type can only be given with the status \"away\"")]
    PauseTypeRequiresAway,
    #[error("{0}")]
    InvalidSetting(String),
}

impl DomainError {
    /// The snake_case code that the API returns for this error.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::UnknownPauseType => "unknown_pause_type",
            DomainError::PauseTypeRequiresAway => "pause_type_requires_away",
            DomainError::InvalidSetting(_) => "invalid_setting",
        }
    }
}
