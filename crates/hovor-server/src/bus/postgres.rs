//! The PostgreSQL bus: `NOTIFY` on the database already in use, one
//! listening connection per node. No extra service to run; fine for a few
//! nodes (every hint is a notification every node receives).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sqlx::postgres::{PgListener, PgPool, PgPoolOptions};

use super::network::{Inbound, NetworkBus, Outbound};
use crate::metrics::Metrics;

const CHANNEL: &str = "hovor_hints";
/// PostgreSQL refuses payloads from 8000 bytes.
const MAX_PAYLOAD: usize = 7000;

pub(super) async fn open(
    url: &str,
    node_id: &str,
    metrics: Arc<Metrics>,
) -> anyhow::Result<NetworkBus> {
    let (bus, out, inbound) = NetworkBus::new("postgres", node_id, metrics);
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .connect(url)
        .await
        .context("the PostgreSQL bus could not connect")?;
    let listener = listen(url).await?;
    inbound.connected();
    tokio::spawn(receive(url.to_owned(), listener, inbound));
    tokio::spawn(send(pool, out));
    Ok(bus)
}

async fn listen(url: &str) -> anyhow::Result<PgListener> {
    let mut listener = PgListener::connect(url)
        .await
        .context("the PostgreSQL bus could not connect its listener")?;
    listener
        .listen(CHANNEL)
        .await
        .context("LISTEN on the PostgreSQL bus")?;
    Ok(listener)
}

/// Other nodes' batches to this node; a lost connection is made again
/// (with a pause between attempts), and then everyone resynchronises.
async fn receive(url: String, mut listener: PgListener, inbound: Inbound) {
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => inbound.deliver(notification.payload().as_bytes()),
            lost => {
                if let Err(e) = lost {
                    tracing::warn!("the PostgreSQL bus lost its connection: {e}");
                } else {
                    tracing::warn!("the PostgreSQL bus lost its connection");
                }
                inbound.disconnected();
                listener = loop {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    match listen(&url).await {
                        Ok(again) => break again,
                        Err(e) => tracing::debug!("{e:#}"),
                    }
                };
                tracing::info!("the PostgreSQL bus is connected again");
                inbound.connected();
            }
        }
    }
}

async fn send(pool: PgPool, mut out: Outbound) {
    while let Some(batches) = out.next_batches(MAX_PAYLOAD).await {
        for payload in batches {
            let sent = sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(&payload)
                .execute(&pool)
                .await;
            if let Err(e) = sent {
                tracing::warn!("the PostgreSQL bus could not send hints: {e}");
                out.lost();
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
}
