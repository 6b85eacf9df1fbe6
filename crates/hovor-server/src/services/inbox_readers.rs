//! Which inboxes this node reads: every tick it claims the active inboxes no
//! other node holds (a claim lasts a node lease, renewed each tick), starts
//! a reader for each, and stops the readers of inboxes that were changed,
//! paused, deleted or claimed elsewhere. A reader that fails is retried
//! with a growing pause, its inbox saying why meanwhile.

use std::time::Duration;

use hovor_core::email::InboxState;
use hovor_store::Inbox;
use tokio_util::sync::CancellationToken;

use super::inbox_reader;
use crate::mail::readers::Running;
use crate::AppState;

/// Whether a running reader still reads the inbox as it is now (no admin
/// changed it since it started).
fn same_reading(a: &Inbox, b: &Inbox) -> bool {
    a.revision == b.revision && a.active == b.active
}

/// One tick: claims, starts and stops readers.
pub async fn tick(app: &AppState) -> anyhow::Result<()> {
    let now = app.now();
    let until = now + i64::try_from(app.config.node_lease.as_millis()).unwrap_or(i64::MAX);
    let active = app.store.active_inboxes().await?;
    let mut keep: Vec<String> = Vec::new();
    for listed in active {
        let Some(inbox) = app
            .store
            .claim_inbox(&listed.id, &app.node_id, now, until)
            .await?
        else {
            continue;
        };
        keep.push(inbox.id.clone());
        let mut running = app.mail_readers.running();
        let current = running
            .get(&inbox.id)
            .map(|r| same_reading(&r.inbox, &inbox));
        if current == Some(true) {
            continue;
        }
        if let Some(old) = running.remove(&inbox.id) {
            old.stop.cancel();
        }
        let stop = CancellationToken::new();
        running.insert(
            inbox.id.clone(),
            Running {
                inbox: inbox.clone(),
                stop: stop.clone(),
            },
        );
        drop(running);
        let task_app = app.clone();
        app.workers.spawn(async move {
            read_with_retries(&task_app, &inbox, &stop).await;
        });
    }
    let gone: Vec<(String, Running)> = {
        let mut running = app.mail_readers.running();
        let ids: Vec<String> = running
            .keys()
            .filter(|id| !keep.contains(id))
            .cloned()
            .collect();
        ids.into_iter()
            .filter_map(|id| running.remove(&id).map(|r| (id, r)))
            .collect()
    };
    for (id, r) in gone {
        r.stop.cancel();
        app.store.release_inbox(&id, &app.node_id).await?;
    }
    Ok(())
}

/// Reads until stopped; after a failure, says why on the inbox and tries
/// again after 2, 4, 8… seconds (at most a minute).
async fn read_with_retries(app: &AppState, inbox: &Inbox, stop: &CancellationToken) {
    let mut pause = Duration::from_secs(2);
    while !stop.is_cancelled() {
        match inbox_reader::read_until_stopped(app, inbox, stop).await {
            Ok(()) => return,
            Err(e) => {
                let why = format!("{e:#}");
                tracing::warn!(inbox = %inbox.id, "reading the inbox: {why}");
                if let Err(e) = app
                    .store
                    .set_inbox_state(&inbox.id, InboxState::Failing, Some(&why), app.now())
                    .await
                {
                    tracing::warn!(inbox = %inbox.id, "recording the inbox's state: {e}");
                }
            }
        }
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            () = stop.cancelled() => return,
        }
        pause = (pause * 2).min(Duration::from_secs(60));
    }
}
