//! The use cases. Each runs its store call, publishes what was committed
//! (the `AppState` is the store's `Publisher`: `publish.rs`), and returns
//! what the caller shows. Routes parse, authorize and shape responses;
//! `hovor-core` decides; the store locks, loads and writes.
//!
//! Dependencies only point one way: `routing` uses `status` and `phone`;
//! `sessions`, `channels` and `users` use `phone` or `status`; nothing here
//! uses `routing` — it reacts to committed changes (`publish.rs`).

pub mod calls;
pub mod channels;
pub mod chat_files;
pub mod client_presence;
pub mod client_terms;
pub mod email_sender;
pub mod inbox_reader;
pub mod inbox_readers;
pub mod invitations;
pub mod nodes;
pub mod phone;
pub mod presence;
pub mod ratings;
pub mod routing;
pub mod sessions;
pub mod status;
pub mod transcript_mail;
pub mod transcripts;
pub mod upload_janitor;
pub mod users;
pub mod webhooks;
