//! The e-mail channel's parts that need no application state: connections
//! to mail servers, parsing, and the registry of this node's inbox readers
//! (the readers themselves are `services::inbox_reader(s)`).

pub mod connect;
pub mod parse;
pub mod readers;
pub mod smtp;

/// What each sealed inbox password is bound to: its inbox and its use
/// (`imap` or `smtp`).
pub fn password_context(inbox_id: &str, server: &str) -> String {
    format!("inbox:{inbox_id}:{server}")
}
