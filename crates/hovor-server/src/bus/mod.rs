//! The bus carries small hints ("stream X has data up to seq N"), never the
//! data itself: a lost hint only delays a reader until its next read of the
//! store, and a bus that lost hints (a reconnect) says so with
//! [`Hint::Resync`], after which every connection rereads its streams.
//!
//! Three buses, chosen by `HOVOR_BUS_URL`:
//! - `memory`: one node, a broadcast channel inside the process;
//! - `postgres`: `LISTEN/NOTIFY` on the database in use (no extra service);
//! - `nats://…`: NATS, for more than a few nodes.
//!
//! A network bus delivers a node's own hints to itself at once, in the
//! process, and to the other nodes over the network (in batches); hints that
//! come back from the network with the node's own id are dropped.

use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

mod nats;
mod network;
mod postgres;

pub use network::NetworkBus;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "h", rename_all = "snake_case")]
pub enum Hint {
    /// New events were stored in this stream.
    Stream { stream: String, seq: i64 },
    /// The user logged out: their open connections must close.
    LoggedOut { user_id: String },
    /// The company's queue changed: waiting clients get their new place.
    Queue { company_id: String },
    /// The company's settings changed: open workspaces fetch them again.
    Settings { company_id: String },
    /// Where a session stands now, for the other nodes' routing books (the
    /// committing node moved its own). A cache hint: an offer planned from
    /// it is rechecked in the database.
    SessionPlace {
        company_id: String,
        session_id: String,
        seq: i64,
        at: hovor_core::Millis,
        place: hovor_core::routing_book::Place,
    },
    /// Someone is typing in a conversation: shown to the other side, never
    /// stored (a lost one costs nothing; the next keystroke sends another).
    Typing {
        session_id: String,
        from: hovor_core::call::Party,
    },
    /// Hints may have been lost (the bus reconnected): every connection
    /// rereads its streams, and derived state is recomputed.
    Resync,
}

pub trait Bus: Send + Sync + 'static {
    /// To every node, this one included.
    fn publish(&self, hint: Hint);
    /// To the other nodes only (what this node already applied).
    fn publish_to_others(&self, hint: Hint);
    fn subscribe(&self) -> broadcast::Receiver<Hint>;
    /// Connected (for `/readyz`); the in-process bus always is.
    fn is_up(&self) -> bool;
    /// What it is, for logs and `/readyz`.
    fn kind(&self) -> &'static str;
}

/// One node's bus: a broadcast channel inside the process.
pub struct InProcessBus {
    sender: broadcast::Sender<Hint>,
}

impl InProcessBus {
    pub fn new() -> InProcessBus {
        let (sender, _) = broadcast::channel(4096);
        InProcessBus { sender }
    }
}

impl Default for InProcessBus {
    fn default() -> Self {
        InProcessBus::new()
    }
}

impl Bus for InProcessBus {
    fn publish(&self, hint: Hint) {
        // No subscriber is not an error: nobody is connected.
        let _ = self.sender.send(hint);
    }

    fn publish_to_others(&self, _hint: Hint) {}

    fn subscribe(&self) -> broadcast::Receiver<Hint> {
        self.sender.subscribe()
    }

    fn is_up(&self) -> bool {
        true
    }

    fn kind(&self) -> &'static str {
        "memory"
    }
}

/// Which bus a `HOVOR_BUS_URL` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BusChoice {
    Memory,
    Postgres,
    Nats(String),
}

impl BusChoice {
    pub fn parse(url: Option<&str>) -> anyhow::Result<BusChoice> {
        match url.map(str::trim) {
            None | Some("") | Some("memory") => Ok(BusChoice::Memory),
            Some("postgres") => Ok(BusChoice::Postgres),
            Some(url) if url.starts_with("nats://") || url.starts_with("tls://") => {
                Ok(BusChoice::Nats(url.to_owned()))
            }
            Some(other) => anyhow::bail!(
                "HOVOR_BUS_URL={other}: expected \"memory\", \"postgres\" or a nats:// URL"
            ),
        }
    }
}

/// Opens the chosen bus. `postgres` needs the database's URL.
pub async fn open(
    choice: &BusChoice,
    database_url: Option<&str>,
    node_id: &str,
    metrics: std::sync::Arc<crate::metrics::Metrics>,
) -> anyhow::Result<std::sync::Arc<dyn Bus>> {
    use anyhow::Context;
    Ok(match choice {
        BusChoice::Memory => std::sync::Arc::new(InProcessBus::new()),
        BusChoice::Postgres => {
            let url = database_url
                .context("HOVOR_BUS_URL=postgres needs HOVOR_DATABASE_URL=postgres://…")?;
            std::sync::Arc::new(postgres::open(url, node_id, metrics).await?)
        }
        BusChoice::Nats(url) => std::sync::Arc::new(nats::open(url, node_id, metrics).await?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bus_urls() {
        assert_eq!(BusChoice::parse(None).ok(), Some(BusChoice::Memory));
        assert_eq!(
            BusChoice::parse(Some("memory")).ok(),
            Some(BusChoice::Memory)
        );
        assert_eq!(
            BusChoice::parse(Some("postgres")).ok(),
            Some(BusChoice::Postgres)
        );
        assert_eq!(
            BusChoice::parse(Some("nats://127.0.0.1:4222")).ok(),
            Some(BusChoice::Nats("nats://127.0.0.1:4222".into()))
        );
        assert!(BusChoice::parse(Some("redis://x")).is_err());
    }
}
