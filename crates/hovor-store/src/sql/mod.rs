//! The SQL behind both stores, written once, one file per domain.
//!
//! This module is compiled twice: `sqlite.rs` and `postgres.rs` each include
//! it (`#[path = "sql/mod.rs"]`) after naming their `Backend` store, their
//! `Db` and their `DbRow`. Queries use `$1`-style parameters, which both
//! drivers accept. Where the dialects differ the backend says how
//! (`Backend::LOCK`, `Backend::COMPANY_LOCK`).

mod after_chat;
mod attachments;
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
mod rows;
mod session_rows;
mod sessions;
mod status;
mod telephony;
mod transcripts;
mod users;
mod wallboard;
mod webhooks;

pub(crate) use super::{Backend, Db, DbRow};

use crate::{Store, StoreResult};

/// A write transaction of this backend.
pub(crate) type Tx = sqlx::Transaction<'static, Db>;

impl Store for Backend {
    fn backend(&self) -> &'static str {
        Backend::BACKEND
    }
}

impl Backend {
    /// Begins a write transaction.
    pub(crate) async fn begin(&self) -> StoreResult<Tx> {
        Ok(self.writer().begin_with(Backend::BEGIN).await?)
    }

    /// Begins a write transaction that appends stream events for a company.
    /// On PostgreSQL it first takes the company's advisory lock, so such
    /// transactions run one at a time per company and can never deadlock on
    /// the stream counters; SQLite's single writer gives the same order by
    /// itself.
    pub(crate) async fn begin_for(&self, company_id: &str) -> StoreResult<Tx> {
        let mut tx = self.begin().await?;
        if let Some(lock) = Backend::COMPANY_LOCK {
            sqlx::query(lock).bind(company_id).execute(&mut *tx).await?;
        }
        Ok(tx)
    }
}
