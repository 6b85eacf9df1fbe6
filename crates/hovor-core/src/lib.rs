//! Hovor's domain rules as plain, synchronous code.
//!
//! Nothing here performs I/O. The storage and HTTP layers load facts, ask these
//! functions what follows from them, and persist the answer.

/// `as_str` and `parse` for an enum stored and sent as snake_case text.
macro_rules! text_enum {
    ($ty:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $ty {
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $text),+ }
            }
            pub fn parse(text: &str) -> Option<$ty> {
                match text { $($text => Some($ty::$variant),)+ _ => None }
            }
        }
    };
}

pub mod after_chat;
pub mod api_scope;
pub mod call;
pub mod call_terms;
pub mod canned;
pub mod channel;
pub mod client_presence;
pub mod email;
pub mod error;
pub mod files;
pub mod group;
pub mod invitation;
pub mod notifications;
pub mod ordering;
pub mod outbound_address;
pub mod phone;
pub mod queue;
pub mod rating;
pub mod refusal;
pub mod reply_format;
pub mod reports;
pub mod role;
pub mod routing;
pub mod routing_book;
pub mod session;
pub mod settings;
pub mod status;
pub mod summary;
pub mod time;
pub mod transcript;
pub mod wallboard;

pub use channel::{Channel, ChannelSetting};
pub use error::DomainError;
pub use refusal::Refusal;
pub use role::Role;
pub use settings::{CompanySettings, SettingsPatch};
pub use status::{Cause, Command, OperatorState, Presence, Status, Transition};
pub use summary::{summarize, HistorySpan, PauseSeconds, Summary};
pub use time::Millis;
