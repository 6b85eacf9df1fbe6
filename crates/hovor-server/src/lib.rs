//! The Hovor server: HTTP API, real-time WebSocket endpoint and the embedded
//! web app, as a library so that tests can start the real thing on port 0.
//!
//! Layers, each using only those below it: `routes` and `ws` (HTTP: parse,
//! authorize, shape) → `services` (the use cases) → `publish` (commit, then
//! publish, in one place) → `state` (what everything shares) → the store
//! and `hovor-core`.

pub mod app;
pub mod auth;
pub mod bus;
pub mod cli;
pub mod client_address;
pub mod clock;
pub mod company_ids;
pub mod demo;
pub mod error;
pub mod extract;
pub mod files;
pub mod frames;
pub mod hub;
pub mod ice;
pub mod mail;
pub mod message_writer;
pub mod metrics;
pub mod openapi;
pub mod outbound;
mod publish;
pub mod queue_places;
pub mod rate_limit;
pub mod routes;
pub mod routing_book;
pub mod routing_queue;
pub mod secret_box;
pub mod serve;
pub mod services;
pub mod signing;
pub mod state;
pub mod web;
pub mod webhook_workers;
pub mod workers;
pub mod ws;

pub use app::{router, start, start_background};
pub use state::{AppState, Config};
