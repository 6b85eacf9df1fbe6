//! The bus carries small hints ("stream X has data up to seq N"), never the
//! data itself: a lost hint only delays a client until its next read of the
//! store, it never loses an event.

use tokio::sync::broadcast;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hint {
    /// New events were stored in this user's stream.
    Stream { stream: String, seq: i64 },
    /// The user logged out: their open connections must close.
    LoggedOut { user_id: String },
    /// The company's queue changed: waiting clients get their new place.
    Queue { company_id: String },
    /// The company's settings changed: open workspaces fetch them again.
    Settings { company_id: String },
}

pub trait Bus: Send + Sync + 'static {
    fn publish(&self, hint: Hint);
    fn subscribe(&self) -> broadcast::Receiver<Hint>;
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

    fn subscribe(&self) -> broadcast::Receiver<Hint> {
        self.sender.subscribe()
    }
}
