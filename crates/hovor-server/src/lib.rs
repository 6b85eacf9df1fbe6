//! The Hovor server: HTTP API, real-time WebSocket endpoint and the embedded
//! web app, as a library so that tests can start the real thing on port 0.

pub mod app;
pub mod auth;
pub mod bus;
pub mod cli;
pub mod clock;
pub mod demo;
pub mod error;
pub mod extract;
pub mod openapi;
pub mod phone;
pub mod presence;
pub mod rate_limit;
pub mod routes;
pub mod routing;
pub mod status;
pub mod web;
pub mod webhooks;
pub mod ws;

pub use app::{router, AppState, Config};
