//! This node in the cluster: its lease, and the connections of nodes that
//! died.
//!
//! Every node renews a lease in the database and counts the connections it
//! holds under its id. A node whose lease runs out is dead: any other node
//! takes its connections away, exactly as if those browsers had lost the
//! network — its operators lose those connections (and go `disconnected`,
//! then `offline` after the grace period, unless they reconnect to another
//! node), its clients get the company's time to reconnect.

use std::time::Duration;

use hovor_core::Millis;

use super::{client_presence, presence};
use crate::hub::RECONNECT;
use crate::AppState;

/// The lease's length (`Config::node_lease`), in ms.
fn lease_ms(app: &AppState) -> Millis {
    Millis::try_from(app.config.node_lease.as_millis()).unwrap_or(Millis::MAX / 4)
}

/// How often a node renews its lease: four times in its length.
pub fn renew_every(app: &AppState) -> Duration {
    app.config.node_lease / 4
}

/// Before the node serves: it takes a lease. If no other node's lease runs,
/// the whole cluster was down (or this is its only node, as on SQLite): no
/// connection recorded before survives — every operator counted as
/// connected starts their grace period, every queued client gets the
/// company's time to come back — and the old nodes' records go. Otherwise
/// the other nodes keep theirs, and a dead one is released when its lease
/// runs out.
pub async fn join(app: &AppState) -> anyhow::Result<()> {
    let now = app.now();
    let store = &app.store;
    store
        .register_node(&app.node_id, now, now.saturating_add(lease_ms(app)))
        .await?;
    let others = if store.backend() == "sqlite" {
        Vec::new()
    } else {
        store.live_nodes(&app.node_id, now).await?
    };
    if others.is_empty() {
        presence::forget_connections_from_before(app).await?;
        client_presence::forget_client_connections_from_before(app).await?;
        store.remove_other_nodes(&app.node_id).await?;
    } else {
        tracing::info!("joining a cluster of {} other node(s)", others.len());
    }
    Ok(())
}

/// Renews the lease. A node that was taken for dead (it stalled for longer
/// than its lease) had its connections released: it takes a new lease and
/// has every connection reconnect, so that each is counted again.
pub async fn renew(app: &AppState) -> anyhow::Result<()> {
    let now = app.now();
    let until = now.saturating_add(lease_ms(app));
    if app.store.renew_node(&app.node_id, until).await? {
        return Ok(());
    }
    tracing::error!(
        "this node's lease ran out and other nodes released its connections: \
         taking a new lease, every connection reconnects"
    );
    app.store.register_node(&app.node_id, now, until).await?;
    app.hub.wake_all(RECONNECT);
    Ok(())
}

/// Releases the nodes whose lease ran out; returns how many.
pub async fn release_dead(app: &AppState) -> anyhow::Result<usize> {
    let dead = app.store.expired_nodes(&app.node_id, app.now()).await?;
    for node in &dead {
        tracing::warn!("node {node} stopped renewing its lease: releasing its connections");
        release(app, node).await?;
    }
    Ok(dead.len())
}

/// At shutdown, once its connections are closed: the node releases what is
/// left under its id (a disconnect that could not be recorded) and its
/// lease, so that nobody waits for it to expire.
pub async fn leave(app: &AppState) -> anyhow::Result<()> {
    let node = app.node_id.to_string();
    release(app, &node).await
}

async fn release(app: &AppState, node: &str) -> anyhow::Result<()> {
    for (company_id, user_id) in app.store.node_operators(node).await? {
        app.store
            .release_node_operator(node, &company_id, &user_id, app.now())
            .await?
            .publish(app);
    }
    app.store.release_node_clients(node, app.now()).await?;
    app.store.remove_node(node).await?;
    Ok(())
}
