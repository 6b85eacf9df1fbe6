//! Files an operator uploaded but never sent (a reply written without
//! them, a conversation ended first) are forgotten after a day, and their
//! bytes removed when no other attachment has the same ones. Every node
//! runs it; deleting a row twice is harmless.

use std::time::Duration;

use hovor_core::Millis;

use crate::AppState;

/// How long an unsent upload waits for its reply.
pub const KEEP_UNSENT_MS: Millis = 24 * 3_600_000;
/// A file this young may be about to be named by a new upload.
const GRACE: Duration = Duration::from_secs(3600);
/// Uploads looked at per tick at most.
const PER_TICK: i64 = 200;

/// One tick: the day-old unsent uploads forgotten, their unused bytes gone.
pub async fn tick(app: &AppState) -> anyhow::Result<()> {
    let unused = app
        .store
        .forget_unsent_uploads(app.now() - KEEP_UNSENT_MS, PER_TICK)
        .await?;
    for sha256 in unused {
        if let Err(e) = app.config.files.remove_unused(&sha256, GRACE).await {
            tracing::warn!("removing an unsent upload's file: {e:#}");
        }
    }
    Ok(())
}
