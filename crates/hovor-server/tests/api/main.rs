//! Integration tests over real HTTP and WebSocket, each scenario on SQLite
//! and on PostgreSQL.

mod harness;

mod invitations;

mod after_chat;
mod api_keys;
mod auth;
mod calls;
mod canned;
mod channels;
mod chat_files;
mod cli;
mod client_presence;
mod cluster;
mod crash;
mod delivery;
mod email;
mod file_bucket;
mod group_commit;
mod groups;
mod ice;
mod inboxes;
mod isolation;
mod load;
mod nodes;
mod notifications;
mod offers;
mod operations;
mod permissions;
mod realtime;
mod reports;
mod routing_book;
mod security;
mod sessions;
mod status;
mod telephony;
mod topics;
mod transcripts;
mod typing;
mod users;
mod wallboard;
mod webhooks;
