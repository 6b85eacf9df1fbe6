//! Phone lines as the server sees them: the pure rules of `hovor-core`
//! applied to what the store knows and the clock says, and announced live
//! whenever one of their inputs changes.

use std::collections::HashMap;

use hovor_core::phone::{connector_up, phone_line, LineFacts, PhoneLine};
use hovor_core::routing::Candidate;
use hovor_core::Channel;

use crate::AppState;

/// Every user's line in the company: `None` for those without the phone channel.
pub async fn lines(
    app: &AppState,
    company_id: &str,
) -> anyhow::Result<HashMap<String, Option<PhoneLine>>> {
    let facts = app.store.telephony_facts(company_id).await?;
    let up = connector_up(facts.last_seen, app.now());
    let channels = app.store.company_channels(company_id).await?;
    let mut out = HashMap::new();
    for user in app.store.users(company_id).await? {
        let phone = channels
            .iter()
            .find(|(id, c)| *id == user.id && c.channel == Channel::Phone)
            .map(|(_, c)| c.enabled);
        let registered = user
            .phone_extension
            .as_ref()
            .is_some_and(|ext| facts.extensions.iter().any(|(e, r)| e == ext && *r));
        let line = phone_line(LineFacts {
            phone_channel_on: phone,
            extension: user.phone_extension.as_deref(),
            registered,
            connector_up: up,
        });
        out.insert(user.id, line);
    }
    Ok(out)
}

pub async fn line_of(
    app: &AppState,
    company_id: &str,
    user_id: &str,
) -> anyhow::Result<Option<PhoneLine>> {
    Ok(lines(app, company_id).await?.remove(user_id).flatten())
}

/// Pushes the current line of these users to their tabs and supervisors.
pub async fn announce(app: &AppState, company_id: &str, user_ids: &[String]) -> anyhow::Result<()> {
    let all = lines(app, company_id).await?;
    for id in user_ids {
        if let Some(Some(line)) = all.get(id) {
            let written = app
                .store
                .announce_phone_line(company_id, id, serde_json::to_value(line)?, app.now())
                .await?;
            app.publish(&written);
        }
    }
    Ok(())
}

/// Announces every phone operator of the company (the connector changed).
pub async fn announce_all(app: &AppState, company_id: &str) -> anyhow::Result<()> {
    let ids: Vec<String> = lines(app, company_id)
        .await?
        .into_iter()
        .filter_map(|(id, line)| line.map(|_| id))
        .collect();
    announce(app, company_id, &ids).await
}

/// The routing snapshot with each operator's line readiness filled in.
pub async fn routing_snapshot(
    app: &AppState,
    company_id: &str,
) -> anyhow::Result<(Vec<hovor_core::routing::Waiting>, Vec<Candidate>)> {
    let (waiting, mut candidates) = app.store.routing_snapshot(company_id).await?;
    let lines = lines(app, company_id).await?;
    for c in &mut candidates {
        c.phone_ready = matches!(lines.get(&c.operator_id), Some(Some(line)) if line.ready());
    }
    Ok((waiting, candidates))
}

/// The exchange spoke: if the connector had been down, every line changes
/// (and is announced: returns true).
pub async fn exchange_seen(app: &AppState, company_id: &str) -> anyhow::Result<bool> {
    if app.store.touch_connector(company_id, app.now()).await? {
        announce_all(app, company_id).await?;
        return Ok(true);
    }
    Ok(false)
}

/// Run every tick: connectors that fell silent make their lines grey.
pub async fn check_connectors(app: &AppState) -> anyhow::Result<()> {
    for (company_id, last_seen, announced_up) in app.store.connectors().await? {
        if announced_up && !connector_up(last_seen, app.now()) {
            app.store
                .set_connector_announced(&company_id, false)
                .await?;
            announce_all(app, &company_id).await?;
        }
    }
    Ok(())
}
