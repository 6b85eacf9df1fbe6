//! Which companies' webhooks this node delivers to now (`services/webhooks.rs`
//! does the delivering).

use std::collections::HashSet;

/// Companies delivered to at once on a node.
const COMPANIES_AT_ONCE: usize = 32;

/// Which companies' deliveries run on this node now, and room for more.
/// Each company is served by a worker of its own: one company's slow or
/// dead receivers (10 s per attempt) hold up only that company's
/// deliveries, never another's.
pub struct WebhookWorkers {
    busy: std::sync::Mutex<HashSet<String>>,
    slots: tokio::sync::Semaphore,
}

impl Default for WebhookWorkers {
    fn default() -> Self {
        WebhookWorkers {
            busy: std::sync::Mutex::new(HashSet::new()),
            slots: tokio::sync::Semaphore::new(COMPANIES_AT_ONCE),
        }
    }
}

/// A company marked busy; unmarked when dropped (also on an error).
pub struct Busy<'a> {
    workers: &'a WebhookWorkers,
    company_id: String,
}

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        let mut busy = self.workers.busy.lock().unwrap_or_else(|p| p.into_inner());
        busy.remove(&self.company_id);
    }
}

impl WebhookWorkers {
    /// Marks the company busy, unless a worker already delivers for it.
    pub fn take(&self, company_id: &str) -> Option<Busy<'_>> {
        let mut busy = self.busy.lock().unwrap_or_else(|p| p.into_inner());
        busy.insert(company_id.to_owned()).then(|| Busy {
            workers: self,
            company_id: company_id.to_owned(),
        })
    }

    /// Waits until fewer than `COMPANIES_AT_ONCE` companies are delivered to.
    pub async fn turn(&self) -> anyhow::Result<tokio::sync::SemaphorePermit<'_>> {
        self.slots
            .acquire()
            .await
            .map_err(|e| anyhow::anyhow!("webhook workers closed: {e}"))
    }
}
