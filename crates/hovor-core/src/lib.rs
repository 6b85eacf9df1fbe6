//! Hovor's domain rules as plain, synchronous code.
//!
//! Nothing here performs I/O. The storage and HTTP layers load facts, ask these
//! functions what follows from them, and persist the answer.

pub mod channel;
pub mod error;
pub mod role;
pub mod routing;
pub mod settings;
pub mod status;
pub mod summary;
pub mod time;

pub use channel::{Channel, ChannelSetting};
pub use error::DomainError;
pub use role::Role;
pub use settings::{CompanySettings, SettingsPatch};
pub use status::{Cause, Command, OperatorState, Presence, Status, Transition};
pub use summary::{summarize, HistorySpan, PauseSeconds, Summary};
pub use time::Millis;
