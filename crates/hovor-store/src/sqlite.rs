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
    pub(crate) const SHARE: &'static str = "";
    /// The company lock of event-writing transactions: the single writer
    /// already gives that order.
    pub(crate) const COMPANY_LOCK: Option<&'static str> = None;
    /// A write transaction takes the write lock when it begins (waiting up
    /// to the busy timeout for another process, `hovor api-key create` say),
    /// not at its first write: a transaction that read first could not
    /// upgrade after another process wrote, and would fail outright.
    pub(crate) const BEGIN: &'static str = "BEGIN IMMEDIATE";
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
        migrate(&options).await?;
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
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

/// Applies the migrations on a connection of its own with foreign keys off:
/// SQLite changes a column's constraints only by rebuilding the table, and
/// with foreign keys on, dropping a table others refer to fails even inside
/// the migration's transaction (sqlx runs every SQLite migration in one).
/// The keys are checked once all are applied: a migration that broke them
/// fails the start.
async fn migrate(options: &SqliteConnectOptions) -> crate::StoreResult<()> {
    use sqlx::{ConnectOptions, Connection};
    let mut conn = options.clone().foreign_keys(false).connect().await?;
    sqlx::migrate!("./migrations/sqlite").run(&mut conn).await?;
    let broken: Vec<sqlx::sqlite::SqliteRow> = sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(&mut conn)
        .await?;
    conn.close().await?;
    if !broken.is_empty() {
        return Err(crate::StoreError::Corrupt(format!(
            "the migrations left {} rows whose foreign keys point nowhere",
            broken.len()
        )));
    }
    Ok(())
}

// The same SQL text is compiled once per backend, on purpose.
#[allow(clippy::duplicate_mod)]
#[path = "sql/mod.rs"]
mod sql;

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::{CompanyStore, SqliteSync};

    /// Two processes on one database file (a server and `hovor api-key
    /// create`): a transaction that reads and then writes must not fail
    /// because the other wrote in between; the other waits for it instead.
    #[tokio::test]
    async fn a_transaction_that_reads_first_still_writes_while_another_process_writes() {
        let dir = std::env::temp_dir().join(format!(
            "hovor-store-immediate-{}-{}",
            std::process::id(),
            chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("hovor.db");
        let server = SqliteStore::open(&path, SqliteSync::Full)
            .await
            .expect("open");
        let other = SqliteStore::open(&path, SqliteSync::Full)
            .await
            .expect("open again");

        let mut tx = server.begin().await.expect("begin");
        let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM companies")
            .fetch_one(&mut *tx)
            .await
            .expect("read");
        // Meanwhile the other process writes.
        let writing = tokio::spawn(async move { other.create_company("other", "Other", 0).await });
        tokio::time::sleep(Duration::from_millis(200)).await;
        sqlx::query(
            "INSERT INTO companies (id, slug, name, settings, created_at) \
             VALUES ('c_first', 'first', 'First', '{}', 0)",
        )
        .execute(&mut *tx)
        .await
        .expect("the transaction that read first still writes");
        tx.commit().await.expect("commit");
        writing
            .await
            .expect("task")
            .expect("the other process waited, then wrote");
        let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM companies")
            .fetch_one(server.reader())
            .await
            .expect("count");
        assert_eq!(after, before + 2);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
