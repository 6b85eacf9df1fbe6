//! The NATS bus: one subject, every node subscribed. The client reconnects
//! by itself; each reconnect makes everyone resynchronise.

use std::sync::Arc;

use anyhow::Context;
use async_nats::Event;
use futures_util::StreamExt;

use super::network::NetworkBus;
use crate::metrics::Metrics;

const SUBJECT: &str = "hovor.hints";
/// Well under NATS's default limit of 1 MB per message.
const MAX_PAYLOAD: usize = 256 * 1024;

pub(super) async fn open(
    url: &str,
    node_id: &str,
    metrics: Arc<Metrics>,
) -> anyhow::Result<NetworkBus> {
    let (bus, mut out, inbound) = NetworkBus::new("nats", node_id, metrics);
    let events = inbound.clone();
    let client = async_nats::ConnectOptions::new()
        .name("hovor")
        .retry_on_initial_connect()
        .event_callback(move |event| {
            let events = events.clone();
            async move {
                match event {
                    Event::Connected => {
                        tracing::info!("the NATS bus is connected");
                        events.connected();
                    }
                    Event::Disconnected => {
                        tracing::warn!("the NATS bus lost its connection");
                        events.disconnected();
                    }
                    other => tracing::debug!("NATS: {other}"),
                }
            }
        })
        // Several servers of a NATS cluster: comma-separated.
        .connect(url.split(',').map(str::trim).collect::<Vec<_>>())
        .await
        .with_context(|| format!("the NATS bus could not connect to {url}"))?;
    let mut subscription = client
        .subscribe(SUBJECT)
        .await
        .context("subscribing on the NATS bus")?;
    if client.connection_state() == async_nats::connection::State::Connected {
        inbound.connected();
    }
    tokio::spawn(async move {
        while let Some(message) = subscription.next().await {
            inbound.deliver(&message.payload);
        }
    });
    tokio::spawn(async move {
        while let Some(batches) = out.next_batches(MAX_PAYLOAD).await {
            for payload in batches {
                if let Err(e) = client.publish(SUBJECT, payload.into()).await {
                    tracing::warn!("the NATS bus could not send hints: {e}");
                    out.lost();
                }
            }
        }
    });
    Ok(bus)
}
