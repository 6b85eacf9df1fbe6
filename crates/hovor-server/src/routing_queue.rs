//! The routing worker's inbox. Whatever can make someone eligible asks for
//! a pass here; the worker (`services::routing::run`) does the passes one at
//! a time. Asking is cheap and coalesces: while a company's pass is waiting
//! to start, further asks are covered by it (it reads the state when it
//! starts), so a burst of changes costs one pass, not one each.

use std::collections::HashSet;
use std::sync::Mutex;

use tokio::sync::mpsc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    /// Offer the company's waiting sessions to whoever is eligible now.
    Route { company_id: String },
    /// The operator is gone for routing: their offers go back to the queue,
    /// then a pass.
    OperatorGone {
        company_id: String,
        operator_id: String,
    },
}

pub struct RoutingQueue {
    jobs: mpsc::UnboundedSender<Job>,
    /// The worker's end, until it takes it.
    inbox: Mutex<Option<mpsc::UnboundedReceiver<Job>>>,
    /// Companies with a pass asked for and not yet started.
    pending: Mutex<HashSet<String>>,
}

impl Default for RoutingQueue {
    fn default() -> Self {
        let (jobs, inbox) = mpsc::unbounded_channel();
        RoutingQueue {
            jobs,
            inbox: Mutex::new(Some(inbox)),
            pending: Mutex::default(),
        }
    }
}

impl RoutingQueue {
    /// Asks for a routing pass for the company.
    pub fn route(&self, company_id: &str) {
        let newly = self
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(company_id.to_owned());
        if newly {
            self.send(Job::Route {
                company_id: company_id.to_owned(),
            });
        }
    }

    /// The operator went offline: take their offers back, then route.
    pub fn operator_gone(&self, company_id: &str, operator_id: &str) {
        self.send(Job::OperatorGone {
            company_id: company_id.to_owned(),
            operator_id: operator_id.to_owned(),
        });
    }

    /// The worker starts a pass: from here on, a change needs a new pass.
    pub fn starting(&self, company_id: &str) {
        self.pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(company_id);
    }

    /// The worker's end of the queue; `None` once taken.
    pub fn take_inbox(&self) -> Option<mpsc::UnboundedReceiver<Job>> {
        self.inbox.lock().unwrap_or_else(|p| p.into_inner()).take()
    }

    fn send(&self, job: Job) {
        // The worker is gone only when the node shuts down.
        if self.jobs.send(job).is_err() {
            tracing::debug!("routing asked for during shutdown");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asks_coalesce_until_the_pass_starts() {
        let queue = RoutingQueue::default();
        let mut inbox = queue.take_inbox().expect("inbox");
        queue.route("acme");
        queue.route("acme");
        queue.route("beta");
        assert_eq!(
            inbox.try_recv().ok(),
            Some(Job::Route {
                company_id: "acme".into()
            })
        );
        assert!(matches!(inbox.try_recv(), Ok(Job::Route { company_id }) if company_id == "beta"));
        assert!(inbox.try_recv().is_err(), "the second ask was covered");
        queue.starting("acme");
        queue.route("acme");
        assert!(
            inbox.try_recv().is_ok(),
            "a change after the start needs a pass"
        );
        assert!(queue.take_inbox().is_none());
    }
}
