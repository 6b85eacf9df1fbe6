//! What can go wrong in the store, typed so that the API layer picks codes
//! and statuses without reading strings.

use hovor_core::{DomainError, Refusal};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique value is taken (a company slug, a user's e-mail, an
    /// invitation code that was drawn twice).
    #[error("{0}")]
    Duplicate(&'static str),
    /// A request that lost to the current state, decided by `hovor-core`.
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

pub(crate) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?}"))
}

/// A unique constraint answered: the value is taken.
pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}
