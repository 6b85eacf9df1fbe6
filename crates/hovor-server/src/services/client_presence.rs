//! Clients who left: a waiting or offered session whose client has had no
//! widget or invitation page open for the company's `client_gone_s` (or a
//! few seconds after its page said it was leaving) leaves the queue as
//! `abandoned`. Its offer is withdrawn with it, and nobody counts it as an
//! operator's miss. The rule is `hovor_core::client_presence`.

use std::collections::HashMap;

use hovor_core::client_presence::LEAVING_WINDOW_MS;
use hovor_core::settings::CLIENT_GONE_RANGE_S;
use hovor_core::Millis;

use crate::AppState;

/// A client's request counts as a sighting, written at most this often.
pub const SEEN_EVERY_MS: Millis = 5_000;

/// Ends the sessions of clients who are gone; how many.
pub async fn abandon_gone_clients(app: &AppState) -> anyhow::Result<usize> {
    let now = app.now();
    // No client is gone sooner than this, whatever its company's setting.
    let shortest = LEAVING_WINDOW_MS.min(i64::from(CLIENT_GONE_RANGE_S.0) * 1000);
    let mut gone_after: HashMap<String, Option<Millis>> = HashMap::new();
    let mut abandoned = 0;
    for (company_id, session_id, presence) in app
        .store
        .clients_without_connection(now.saturating_sub(shortest))
        .await?
    {
        let after = match gone_after.get(&company_id) {
            Some(after) => *after,
            None => {
                let after = app
                    .store
                    .company(&company_id)
                    .await?
                    .map(|c| i64::from(c.settings.client_gone_s) * 1000);
                gone_after.insert(company_id.clone(), after);
                after
            }
        };
        let Some(after) = after else { continue };
        if !presence.is_gone(after, now) {
            continue;
        }
        let ended = app
            .store
            .abandon_if_gone(&company_id, &session_id, after, now)
            .await?
            .publish(app);
        if ended.is_some() {
            abandoned += 1;
        }
    }
    Ok(abandoned)
}

/// No client connection survives a restart of a single node: every client
/// counted as connected gets the company's time to come back.
pub async fn forget_client_connections_from_before(app: &AppState) -> anyhow::Result<()> {
    app.store.reset_client_connections(app.now()).await?;
    Ok(())
}
