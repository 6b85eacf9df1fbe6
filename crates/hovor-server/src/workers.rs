//! A node's background work, owned: every task is tracked, sees the node's
//! shutdown signal, and is waited for when the node stops. Nothing is
//! spawned and forgotten.

use std::future::Future;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

#[derive(Default)]
pub struct Workers {
    shutdown: CancellationToken,
    tasks: TaskTracker,
}

impl Workers {
    pub fn new() -> Workers {
        Workers::default()
    }

    /// Runs a task until it ends or the node shuts down, whichever is first.
    pub fn spawn<F>(&self, task: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let shutdown = self.shutdown.clone();
        self.tasks.spawn(async move {
            tokio::select! {
                () = shutdown.cancelled() => {}
                () = task => {}
            }
        });
    }

    /// Runs `step` every `interval` until the node shuts down. A step that
    /// overruns delays the next one instead of piling up.
    pub fn spawn_every<S, F>(&self, name: &'static str, interval: Duration, mut step: S)
    where
        S: FnMut() -> F + Send + 'static,
        F: Future<Output = anyhow::Result<()>> + Send,
    {
        self.spawn(async move {
            let mut tick = tokio::time::interval(interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = step().await {
                    tracing::warn!("{name}: {e:#}");
                }
            }
        });
    }

    /// Resolves when the node is shutting down (for long-lived connections).
    pub fn shutdown_signal(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Tracks a task the caller runs itself (a WebSocket connection), so
    /// that shutting down waits for it too.
    pub fn track<F>(&self, task: F) -> impl Future<Output = F::Output>
    where
        F: Future,
    {
        self.tasks.track_future(task)
    }

    /// Signals every task to stop and waits for them, at most `grace`.
    /// Returns false when some did not stop in time.
    pub async fn shut_down(&self, grace: Duration) -> bool {
        self.shutdown.cancel();
        self.tasks.close();
        tokio::time::timeout(grace, self.tasks.wait()).await.is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[tokio::test]
    async fn shutting_down_stops_every_task_and_waits_for_it() {
        let workers = Workers::new();
        let steps = Arc::new(AtomicUsize::new(0));
        let counted = steps.clone();
        workers.spawn_every("counter", Duration::from_millis(5), move || {
            let counted = counted.clone();
            async move {
                counted.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
        });
        workers.spawn(std::future::pending());
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert!(workers.shut_down(Duration::from_secs(1)).await);
        let after = steps.load(Ordering::SeqCst);
        assert!(after > 0);
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert_eq!(
            steps.load(Ordering::SeqCst),
            after,
            "nothing runs after shutdown"
        );
    }
}
