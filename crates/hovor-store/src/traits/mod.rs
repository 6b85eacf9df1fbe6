//! The store's interface, one small trait per domain, and [`Store`], the
//! umbrella that callers hold (`Arc<dyn Store>`). Every method takes the
//! company it acts for: nothing crosses companies. Methods that write return
//! [`Committed`](crate::Committed) values, which the caller must publish.

mod after_chat;
mod calls;
mod canned;
mod channels;
mod client_presence;
mod companies;
mod emails;
mod event_log;
mod groups;
mod inboxes;
mod invitations;
mod messages;
mod nodes;
mod ratings;
mod reports;
mod routing;
mod sessions;
mod status;
mod telephony;
mod transcripts;
mod users;
mod wallboard;
mod webhooks;

pub use after_chat::AfterChatStore;
pub use calls::CallStore;
pub use canned::CannedStore;
pub use channels::ChannelStore;
pub use client_presence::ClientPresenceStore;
pub use companies::CompanyStore;
pub use emails::{EmailStore, MAX_WAITING_UPLOADS};
pub use event_log::EventLog;
pub use groups::GroupStore;
pub use inboxes::InboxStore;
pub use invitations::InvitationStore;
pub use messages::{MessageStore, Readers};
pub use nodes::{Gauges, NodeStore};
pub use ratings::RatingStore;
pub use reports::{HistoryRow, QueueFilter, ReportGroup, ReportStore, SessionRow};
pub use routing::RoutingStore;
pub use sessions::SessionStore;
pub use status::StatusStore;
pub use telephony::TelephonyStore;
pub use transcripts::TranscriptStore;
pub use users::UserStore;
pub use wallboard::{WallboardCounts, WallboardStore};
pub use webhooks::WebhookStore;

/// Everything the server stores, over SQLite or PostgreSQL.
pub trait Store:
    CompanyStore
    + AfterChatStore
    + TranscriptStore
    + CallStore
    + CannedStore
    + RatingStore
    + UserStore
    + StatusStore
    + ChannelStore
    + GroupStore
    + SessionStore
    + ClientPresenceStore
    + MessageStore
    + NodeStore
    + RoutingStore
    + InvitationStore
    + WebhookStore
    + InboxStore
    + EmailStore
    + TelephonyStore
    + WallboardStore
    + ReportStore
    + EventLog
    + Send
    + Sync
    + 'static
{
    /// Which database this is, for logs and health output.
    fn backend(&self) -> &'static str;
}
