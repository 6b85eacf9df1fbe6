//! The inboxes this node reads now, each with the inbox as its reader
//! started with and the token that stops it (`services::inbox_readers`
//! decides which).

use hovor_store::Inbox;
use std::collections::HashMap;
use std::sync::Mutex;
use tokio_util::sync::CancellationToken;

pub struct Running {
    /// The inbox as the reader was started with (a change restarts it).
    pub inbox: Inbox,
    pub stop: CancellationToken,
}

/// This node's inbox readers.
#[derive(Default)]
pub struct MailReaders {
    running: Mutex<HashMap<String, Running>>,
}

impl MailReaders {
    /// The readers by inbox id (held briefly, never across an await).
    pub fn running(&self) -> std::sync::MutexGuard<'_, HashMap<String, Running>> {
        self.running.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stops every reader (the node is shutting down).
    pub fn stop_all(&self) {
        for (_, r) in self.running().drain() {
            r.stop.cancel();
        }
    }
}
