//! Group commit: every message this node receives, over HTTP or a socket,
//! is written by a lane that takes whatever has arrived meanwhile as one
//! batch, one transaction. While a batch commits, the next one gathers, so
//! the busier the node the more messages share a commit; a lone message
//! waits for nobody. Each writer gets its answer only after the commit.
//!
//! A session always goes to the same lane, so one session's messages are
//! written in the order they arrived. SQLite has one writer anyway: one
//! lane. PostgreSQL commits in parallel: several.

use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::http::StatusCode;
use hovor_store::{NewMessage, Publisher, Store, Written};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use crate::error::ApiError;
use crate::workers::Workers;

/// The most messages one transaction takes.
const MAX_BATCH: usize = 256;
/// Messages waiting per lane before writers are told to come back later.
const LANE_QUEUE: usize = 4096;

struct Job {
    message: NewMessage,
    answer: oneshot::Sender<Result<Written, ApiError>>,
}

pub struct MessageWriter {
    lanes: Vec<mpsc::Sender<Job>>,
    /// The lanes' ends, until the node starts them.
    inboxes: std::sync::Mutex<Vec<mpsc::Receiver<Job>>>,
    hasher: std::collections::hash_map::RandomState,
    /// Transactions committed, and the messages they carried.
    batches: AtomicU64,
    carried: AtomicU64,
}

impl MessageWriter {
    pub fn new(lanes: usize) -> MessageWriter {
        let (senders, inboxes) = (0..lanes.max(1)).map(|_| mpsc::channel(LANE_QUEUE)).unzip();
        MessageWriter {
            lanes: senders,
            inboxes: std::sync::Mutex::new(inboxes),
            hasher: Default::default(),
            batches: AtomicU64::new(0),
            carried: AtomicU64::new(0),
        }
    }

    /// How many lanes write at once.
    pub fn lanes(&self) -> usize {
        self.lanes.len()
    }

    /// Messages waiting for a lane now.
    pub fn waiting(&self) -> usize {
        self.lanes
            .iter()
            .map(|lane| lane.max_capacity() - lane.capacity())
            .sum()
    }

    /// Batches committed so far, and the messages they carried.
    pub fn committed(&self) -> (u64, u64) {
        (
            self.batches.load(Ordering::Relaxed),
            self.carried.load(Ordering::Relaxed),
        )
    }

    /// Writes the message with whatever else arrives together; answers
    /// after the commit.
    pub async fn write(&self, message: NewMessage) -> Result<Written, ApiError> {
        self.submit(message)?.await
    }

    /// Puts the message in its session's lane now (so messages submitted
    /// one after another are written in that order) and returns the answer
    /// to await: it comes after the commit.
    pub fn submit(&self, message: NewMessage) -> Result<Answer, ApiError> {
        let hash = self.hasher.hash_one(&message.session_id);
        let lane = &self.lanes[(hash % self.lanes.len() as u64) as usize];
        let (answer, answered) = oneshot::channel();
        lane.try_send(Job { message, answer })
            .map_err(|e| match e {
                mpsc::error::TrySendError::Full(_) => ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "busy",
                    "too many messages are waiting to be written; send again shortly",
                ),
                mpsc::error::TrySendError::Closed(_) => stopping(),
            })?;
        Ok(Answer(answered))
    }
}

/// What the lane answers, after the commit.
pub struct Answer(oneshot::Receiver<Result<Written, ApiError>>);

impl std::future::Future for Answer {
    type Output = Result<Written, ApiError>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        std::pin::Pin::new(&mut self.0)
            .poll(cx)
            .map(|answer| answer.unwrap_or_else(|_| Err(stopping())))
    }
}

/// Starts the node's lanes (once; `app::start`): each writes to `store`
/// and hands what it committed to `publisher`. A lane is tracked, not
/// cancelled: at shutdown it finishes the batch in hand, then stops.
pub fn start_lanes(
    writer: &Arc<MessageWriter>,
    store: Arc<dyn Store>,
    publisher: Arc<dyn Publisher + Send + Sync>,
    workers: &Workers,
) {
    let inboxes = std::mem::take(&mut *writer.inboxes.lock().unwrap_or_else(|p| p.into_inner()));
    for inbox in inboxes {
        let lane = Lane {
            writer: writer.clone(),
            store: store.clone(),
            publisher: publisher.clone(),
        };
        tokio::spawn(workers.track(lane.run(inbox, workers.shutdown_signal())));
    }
}

struct Lane {
    writer: Arc<MessageWriter>,
    store: Arc<dyn Store>,
    publisher: Arc<dyn Publisher + Send + Sync>,
}

fn stopping() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "shutting_down",
        "the server is stopping; send again",
    )
}

impl Lane {
    /// Batch, commit, publish, answer; until the node shuts down,
    /// finishing the batch in hand.
    async fn run(self, mut inbox: mpsc::Receiver<Job>, shutdown: CancellationToken) {
        let mut jobs = Vec::with_capacity(MAX_BATCH);
        loop {
            let received = tokio::select! {
                n = inbox.recv_many(&mut jobs, MAX_BATCH) => n,
                () = shutdown.cancelled() => return,
            };
            if received == 0 {
                return;
            }
            let batch: Vec<NewMessage> = jobs.iter().map(|j| j.message.clone()).collect();
            match self.store.add_messages(&batch).await {
                Ok(committed) => {
                    let results = committed.publish(self.publisher.as_ref());
                    self.writer.batches.fetch_add(1, Ordering::Relaxed);
                    self.writer
                        .carried
                        .fetch_add(results.len() as u64, Ordering::Relaxed);
                    for (job, written) in jobs.drain(..).zip(results) {
                        let _ = job.answer.send(Ok(written));
                    }
                }
                Err(e) => {
                    // Nothing of the batch was stored: every writer hears so
                    // and may send again (with its client_msg_id, safely).
                    tracing::warn!("a batch of {} messages was not stored", batch.len());
                    let error = ApiError::from(e);
                    for job in jobs.drain(..) {
                        let _ = job.answer.send(Err(error.clone()));
                    }
                }
            }
        }
    }
}
