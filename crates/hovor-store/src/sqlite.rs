//! The default store: one SQLite file in WAL mode.
//!
//! Writes go through a pool of exactly one connection, so SQLite never has to
//! upgrade a reader to a writer under contention; reads use a separate pool.
//! The SQL is `sql/`, compiled here for SQLite's types.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub struct SqliteStore {
    read: SqlitePool,
    write: SqlitePool,
}

pub(crate) type Backend = SqliteStore;
pub(crate) type Db = sqlx::Sqlite;
pub(crate) type DbRow = sqlx::sqlite::SqliteRow;

impl SqliteStore {
    /// Row locks: none, the single writer already serialises.
    pub(crate) const LOCK: &'static str = "";
    /// The company lock of event-writing transactions: the single writer
    /// already gives that order.
    pub(crate) const COMPANY_LOCK: Option<&'static str> = None;
    pub(crate) const BACKEND: &'static str = "sqlite";

    pub async fn open(path: &Path, sync: crate::SqliteSync) -> crate::StoreResult<SqliteStore> {
        let options = SqliteConnectOptions::from_str("sqlite://")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(match sync {
                crate::SqliteSync::Full => SqliteSynchronous::Full,
                crate::SqliteSync::Normal => SqliteSynchronous::Normal,
            })
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&write).await?;
        let read = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.read_only(true))
            .await?;
        Ok(SqliteStore { read, write })
    }

    pub(crate) fn reader(&self) -> &SqlitePool {
        &self.read
    }

    pub(crate) fn writer(&self) -> &SqlitePool {
        &self.write
    }
}

// The same SQL text is compiled once per backend, on purpose.
#[allow(clippy::duplicate_mod)]
#[path = "sql/mod.rs"]
mod sql;
