//! What the PostgreSQL and NATS buses share: a node's hints go to its own
//! readers at once (in the process) and into an outbound queue; a sender
//! task takes them from it in batches, each one network message; a receiver
//! task hands the other nodes' batches to this node's readers.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde::Deserialize;
use tokio::sync::{broadcast, mpsc};

use super::{Bus, Hint};
use crate::metrics::Metrics;

/// Hints waiting to go out before the queue counts as overflowing (a bus
/// that is down): past it hints are dropped, and the next batch tells the
/// other nodes to resynchronise.
const OUTBOUND: usize = 65_536;
/// Hints taken into one round of batches at most.
const ROUND: usize = 4096;

pub struct NetworkBus {
    local: broadcast::Sender<Hint>,
    outbound: mpsc::Sender<Hint>,
    dropped: Arc<AtomicBool>,
    up: Arc<AtomicBool>,
    kind: &'static str,
}

/// The sender task's end: the hints to send, in batches.
pub(super) struct Outbound {
    node: String,
    hints: mpsc::Receiver<Hint>,
    dropped: Arc<AtomicBool>,
    metrics: Arc<Metrics>,
}

/// The receiver task's end: delivers other nodes' batches here.
#[derive(Clone)]
pub(super) struct Inbound {
    node: String,
    local: broadcast::Sender<Hint>,
    /// To tell the other nodes when this one was cut off.
    outbound: mpsc::Sender<Hint>,
    up: Arc<AtomicBool>,
    metrics: Arc<Metrics>,
}

impl NetworkBus {
    pub(super) fn new(
        kind: &'static str,
        node: &str,
        metrics: Arc<Metrics>,
    ) -> (NetworkBus, Outbound, Inbound) {
        let node = node.to_owned();
        let (local, _) = broadcast::channel(4096);
        let (outbound, hints) = mpsc::channel(OUTBOUND);
        let dropped = Arc::new(AtomicBool::new(false));
        let up = Arc::new(AtomicBool::new(false));
        let bus = NetworkBus {
            local: local.clone(),
            outbound,
            dropped: dropped.clone(),
            up: up.clone(),
            kind,
        };
        let inbound = Inbound {
            node: node.clone(),
            local,
            outbound: bus.outbound.clone(),
            up,
            metrics: metrics.clone(),
        };
        let out = Outbound {
            node,
            hints,
            dropped,
            metrics,
        };
        (bus, out, inbound)
    }

    fn send_out(&self, hint: Hint) {
        if self.outbound.try_send(hint).is_err() && !self.dropped.swap(true, Ordering::AcqRel) {
            tracing::warn!(
                "the {} bus is not keeping up: hints dropped, the other nodes will resynchronise",
                self.kind
            );
        }
    }
}

impl Bus for NetworkBus {
    fn publish(&self, hint: Hint) {
        let _ = self.local.send(hint.clone());
        self.send_out(hint);
    }

    fn publish_to_others(&self, hint: Hint) {
        self.send_out(hint);
    }

    fn subscribe(&self) -> broadcast::Receiver<Hint> {
        self.local.subscribe()
    }

    fn is_up(&self) -> bool {
        self.up.load(Ordering::Acquire)
    }

    fn kind(&self) -> &'static str {
        self.kind
    }
}

impl Outbound {
    /// Waits for hints, then takes what is queued (up to a round) and
    /// encodes it as batches of at most `max_bytes` each; `None` once the
    /// bus is gone.
    pub(super) async fn next_batches(&mut self, max_bytes: usize) -> Option<Vec<String>> {
        let first = self.hints.recv().await?;
        let mut hints = vec![first];
        while hints.len() < ROUND {
            match self.hints.try_recv() {
                Ok(hint) => hints.push(hint),
                Err(_) => break,
            }
        }
        if self.dropped.swap(false, Ordering::AcqRel) {
            hints.insert(0, Hint::Resync);
        }
        self.metrics
            .hints
            .with_label_values(&["sent"])
            .inc_by(hints.len() as u64);
        Some(encode(&self.node, &hints, now_ms(), max_bytes))
    }

    /// A batch could not be sent: the other nodes must resynchronise.
    pub(super) fn lost(&self) {
        self.dropped.store(true, Ordering::Release);
    }
}

impl Inbound {
    /// A batch from the network: its hints to this node's readers, unless
    /// it is this node's own.
    pub(super) fn deliver(&self, payload: &[u8]) {
        match decode(payload) {
            Ok(batch) if batch.node == self.node => {}
            Ok(batch) => {
                let lag_ms = now_ms().saturating_sub(batch.at).max(0);
                self.metrics.bus_lag.observe(lag_ms as f64 / 1000.0);
                self.metrics
                    .hints
                    .with_label_values(&["received"])
                    .inc_by(batch.hints.len() as u64);
                for hint in batch.hints {
                    let _ = self.local.send(hint);
                }
            }
            Err(e) => tracing::warn!("a bus message that is not a batch of hints: {e}"),
        }
    }

    /// Connected (again). After a gap hints may have been lost both ways:
    /// every reader here rereads the store, and so do the other nodes'
    /// (what this node sent meanwhile may not have reached them).
    pub(super) fn connected(&self) {
        let was_up = self.up.swap(true, Ordering::AcqRel);
        if !was_up {
            let _ = self.local.send(Hint::Resync);
            let _ = self.outbound.try_send(Hint::Resync);
        }
    }

    pub(super) fn disconnected(&self) {
        self.up.store(false, Ordering::Release);
    }
}

#[derive(Deserialize)]
struct Batch {
    node: String,
    /// When it was sent (ms since the epoch, the sender's clock).
    at: i64,
    hints: Vec<Hint>,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn decode(payload: &[u8]) -> serde_json::Result<Batch> {
    serde_json::from_slice(payload)
}

/// `{"node":…,"at":…,"hints":[…]}` messages of at most `max_bytes` each (a
/// single hint larger than that goes alone; hints are small).
fn encode(node: &str, hints: &[Hint], at: i64, max_bytes: usize) -> Vec<String> {
    let head = format!(
        "{{\"node\":{},\"at\":{at},\"hints\":[",
        serde_json::Value::String(node.to_owned())
    );
    let mut out = Vec::new();
    let mut current = head.clone();
    let mut count = 0;
    for hint in hints {
        let Ok(json) = serde_json::to_string(hint) else {
            continue;
        };
        if count > 0 && current.len() + json.len() + 3 > max_bytes {
            current.push_str("]}");
            out.push(std::mem::replace(&mut current, head.clone()));
            count = 0;
        }
        if count > 0 {
            current.push(',');
        }
        current.push_str(&json);
        count += 1;
    }
    if count > 0 {
        current.push_str("]}");
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(n: i64) -> Hint {
        Hint::Stream {
            stream: format!("ses_{n:04}"),
            seq: n,
        }
    }

    #[test]
    fn batches_keep_order_and_size() {
        let hints: Vec<Hint> = (0..200).map(stream).collect();
        let batches = encode("node_a", &hints, 1, 1000);
        assert!(batches.len() > 1);
        let mut back = Vec::new();
        for b in &batches {
            assert!(b.len() <= 1000, "{} bytes", b.len());
            let batch = decode(b.as_bytes()).expect("decodes");
            assert_eq!(batch.node, "node_a");
            back.extend(batch.hints);
        }
        assert_eq!(back, hints);
        assert!(encode("node_a", &[], 1, 1000).is_empty());
    }

    #[tokio::test]
    async fn own_batches_are_dropped_and_others_delivered() {
        let (_bus, _out, inbound) = NetworkBus::new("test", "node_test", Arc::new(Metrics::new()));
        let mut rx = inbound.local.subscribe();
        let own = encode(&inbound.node, &[stream(1)], 1, 8000);
        inbound.deliver(own[0].as_bytes());
        let other = encode("node_other", &[stream(2), Hint::Resync], 1, 8000);
        inbound.deliver(other[0].as_bytes());
        inbound.deliver(b"not json");
        assert_eq!(rx.try_recv().ok(), Some(stream(2)));
        assert_eq!(rx.try_recv().ok(), Some(Hint::Resync));
        assert!(rx.try_recv().is_err());
    }

    #[tokio::test]
    async fn a_reconnect_asks_for_a_resync_and_an_overflow_tells_the_others() {
        let (bus, mut out, inbound) =
            NetworkBus::new("test", "node_test", Arc::new(Metrics::new()));
        let mut rx = bus.subscribe();
        inbound.connected();
        assert_eq!(rx.try_recv().ok(), Some(Hint::Resync));
        inbound.connected();
        assert!(rx.try_recv().is_err(), "only after a gap");
        assert!(bus.is_up());
        let told = out.next_batches(1 << 20).await.expect("batches");
        let batch = decode(told[0].as_bytes()).expect("decodes");
        assert_eq!(batch.hints, vec![Hint::Resync], "the others are told too");
        inbound.disconnected();
        assert!(!bus.is_up());

        for n in 0..(OUTBOUND as i64 + 10) {
            bus.publish_to_others(stream(n));
        }
        let first = out.next_batches(1 << 20).await.expect("batches");
        let batch = decode(first[0].as_bytes()).expect("decodes");
        assert_eq!(batch.hints[0], Hint::Resync);
        assert_eq!(batch.hints[1], stream(0));
    }
}
