//! Prometheus metrics at `/metrics`: what this node counts as it works
//! (connections, messages, offers, the bus), and what the database says at
//! the moment of the scrape (queues, the webhook backlog).
//!
//! `/metrics` is off unless `HOVOR_METRICS_TOKEN` is set; a scrape then
//! needs `Authorization: Bearer <token>`. The figures are per node, except
//! those read from the database, which are the cluster's.

use prometheus::{
    Encoder, Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};

pub struct Metrics {
    registry: Registry,
    /// Open WebSocket connections on this node, by peer (`operator`, `client`).
    pub connections: IntGaugeVec,
    /// Messages committed by this node.
    pub messages: IntCounter,
    /// Offers made by this node's routing, and offers that ran out.
    pub offers: IntCounterVec,
    /// Hints this node sent to, and received from, the other nodes.
    pub hints: IntCounterVec,
    /// From a hint's sending on another node to its arrival here.
    pub bus_lag: Histogram,
    /// The bus is connected (1) or not (0).
    pub bus_up: IntGauge,
    /// Read from the database at each scrape: sessions by status.
    sessions: IntGaugeVec,
    /// Read from the database at each scrape: webhook events not yet
    /// delivered, over all subscriptions.
    webhook_backlog: IntGauge,
}

fn counter_vec(name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    IntCounterVec::new(Opts::new(name, help), labels)
        .unwrap_or_else(|e| unreachable!("metric {name}: {e}"))
}

fn gauge_vec(name: &str, help: &str, labels: &[&str]) -> IntGaugeVec {
    IntGaugeVec::new(Opts::new(name, help), labels)
        .unwrap_or_else(|e| unreachable!("metric {name}: {e}"))
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry = Registry::new_custom(Some("hovor".into()), None)
            .unwrap_or_else(|e| unreachable!("registry: {e}"));
        let metrics = Metrics {
            connections: gauge_vec(
                "connections",
                "Open WebSocket connections on this node",
                &["peer"],
            ),
            messages: IntCounter::new("messages_total", "Messages committed by this node")
                .unwrap_or_else(|e| unreachable!("messages: {e}")),
            offers: counter_vec(
                "offers_total",
                "Offers made by this node's routing (made) and offers that ran out (expired)",
                &["outcome"],
            ),
            hints: counter_vec(
                "bus_hints_total",
                "Hints sent to and received from the other nodes",
                &["direction"],
            ),
            bus_lag: Histogram::with_opts(
                HistogramOpts::new(
                    "bus_lag_seconds",
                    "From a hint's sending on another node to its arrival here",
                )
                .buckets(vec![
                    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
                ]),
            )
            .unwrap_or_else(|e| unreachable!("bus lag: {e}")),
            bus_up: IntGauge::new("bus_up", "The bus is connected (1) or not (0)")
                .unwrap_or_else(|e| unreachable!("bus up: {e}")),
            sessions: gauge_vec(
                "sessions",
                "Open sessions by status, in the whole cluster (read at the scrape)",
                &["status"],
            ),
            webhook_backlog: IntGauge::new(
                "webhook_backlog",
                "Webhook events not yet delivered, over all subscriptions (read at the scrape)",
            )
            .unwrap_or_else(|e| unreachable!("webhook backlog: {e}")),
            registry,
        };
        for collector in [
            Box::new(metrics.connections.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(metrics.messages.clone()),
            Box::new(metrics.offers.clone()),
            Box::new(metrics.hints.clone()),
            Box::new(metrics.bus_lag.clone()),
            Box::new(metrics.bus_up.clone()),
            Box::new(metrics.sessions.clone()),
            Box::new(metrics.webhook_backlog.clone()),
        ] {
            if let Err(e) = metrics.registry.register(collector) {
                unreachable!("registering a metric twice: {e}");
            }
        }
        metrics
    }

    /// The scrape: the database's figures first, then everything as text.
    pub fn render(&self, gauges: &hovor_store::Gauges, bus_up: bool) -> String {
        for status in ["waiting", "offered", "active"] {
            let n = match status {
                "waiting" => gauges.waiting,
                "offered" => gauges.offered,
                _ => gauges.active,
            };
            self.sessions.with_label_values(&[status]).set(n);
        }
        self.webhook_backlog.set(gauges.webhook_backlog);
        self.bus_up.set(i64::from(bus_up));
        let mut out = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            tracing::warn!("encoding metrics: {e}");
        }
        String::from_utf8(out).unwrap_or_default()
    }
}

/// Counts one open connection while it lives.
pub struct ConnectionGauge(IntGauge);

impl ConnectionGauge {
    pub fn open(metrics: &Metrics, peer: &str) -> ConnectionGauge {
        let gauge = metrics.connections.with_label_values(&[peer]);
        gauge.inc();
        ConnectionGauge(gauge)
    }
}

impl Drop for ConnectionGauge {
    fn drop(&mut self) {
        self.0.dec();
    }
}
