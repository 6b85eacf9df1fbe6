//! Hovor's storage.
//!
//! [`Store`] is the one interface the server holds: a small trait per domain
//! (`traits/`) under one umbrella. There are two implementations,
//! [`SqliteStore`] (the zero-setup default: one file under the data
//! directory) and [`PgStore`] (for several nodes sharing one database). Both
//! compile the same SQL text (`sql/`, one file per domain): the module is
//! included once per backend, each naming its own database types, so the
//! two cannot drift apart. Each has its own migrations folder.
//!
//! The store locks, loads the facts, asks `hovor-core` what follows, writes,
//! and returns what it committed ([`Committed`]) for the server to publish.

mod committed;
mod error;
mod events;
mod model;
mod postgres;
mod sqlite;
mod traits;

use std::sync::Arc;

use hovor_core::Role;

pub use committed::{Change, Committed, Publisher};
pub use error::{StoreError, StoreResult};
pub use events::*;
pub use model::*;
pub use postgres::PgStore;
pub use sqlite::SqliteStore;
pub use traits::*;

/// When SQLite reports a commit done (it is in WAL mode either way).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SqliteSync {
    /// Every commit reaches the disk before it is acknowledged: nothing
    /// acknowledged is lost, not even on power loss.
    #[default]
    Full,
    /// Commits reach the disk at checkpoints: a killed process loses
    /// nothing, but power loss can take back the last commits (never
    /// corrupting the database).
    Normal,
}

/// Opens the store named by a database URL: `postgres://…` for PostgreSQL,
/// anything else is taken as a SQLite file path. Migrations are applied.
pub async fn open(
    database_url: Option<&str>,
    data_dir: &std::path::Path,
) -> StoreResult<Arc<dyn Store>> {
    open_with(database_url, data_dir, SqliteSync::default()).await
}

/// [`open`], saying how SQLite commits.
pub async fn open_with(
    database_url: Option<&str>,
    data_dir: &std::path::Path,
    sync: SqliteSync,
) -> StoreResult<Arc<dyn Store>> {
    match database_url {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Ok(Arc::new(PgStore::connect(url).await?))
        }
        Some(other) => Ok(Arc::new(
            SqliteStore::open(std::path::Path::new(other), sync).await?,
        )),
        None => {
            std::fs::create_dir_all(data_dir).map_err(|e| {
                StoreError::Corrupt(format!(
                    "cannot create data directory {}: {e}",
                    data_dir.display()
                ))
            })?;
            Ok(Arc::new(
                SqliteStore::open(&data_dir.join("hovor.sqlite"), sync).await?,
            ))
        }
    }
}

/// A fresh random identifier with a readable prefix, e.g. `usr_5k2…`.
pub fn new_id(prefix: &str) -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"0123456789abcdefghjkmnpqrstvwxyz";
    let mut rng = rand::rngs::OsRng;
    let tail: String = (0..20)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{prefix}_{tail}")
}

/// Only these roles appear in the company's live status overview.
pub fn watches_everyone(role: Role) -> bool {
    role.oversees_others()
}
