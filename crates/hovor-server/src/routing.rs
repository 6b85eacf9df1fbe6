//! The routing engine: turns the pure plan from `hovor-core` into offers,
//! takes back offers that ran out, and reacts to everything that changes who
//! is eligible.
//!
//! Routing for a node runs one pass at a time (a mutex), and every offer is a
//! conditional update in the database that also rechecks the operator's
//! room, so a stale plan can lose an offer but never over-assign.

use hovor_core::routing::plan_offers;
use hovor_core::{Cause, Command, Status};

use crate::status::change_state;
use crate::AppState;

/// Asks for a routing pass for the company, in the background. Kicks
/// coalesce: while a pass is waiting to start, further kicks are covered by
/// it (it reads the state when it starts), so a burst of changes costs one
/// pass, not one each.
pub fn kick(app: &AppState, company_id: &str) {
    {
        let mut pending = app
            .routing_pending
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if !pending.insert(company_id.to_owned()) {
            return;
        }
    }
    let app = app.clone();
    let company_id = company_id.to_owned();
    tokio::spawn(async move {
        let _one_at_a_time = app.routing_lock.lock().await;
        // From here on, a change needs a new pass: this one may not see it.
        app.routing_pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&company_id);
        if let Err(e) = route_locked(&app, &company_id).await {
            tracing::warn!("routing {company_id}: {e:#}");
        }
    });
}

/// Offers every waiting session that has an eligible operator now.
pub async fn route_company(app: &AppState, company_id: &str) -> anyhow::Result<usize> {
    let _one_at_a_time = app.routing_lock.lock().await;
    route_locked(app, company_id).await
}

/// A routing pass; the caller holds the routing lock.
async fn route_locked(app: &AppState, company_id: &str) -> anyhow::Result<usize> {
    let Some(company) = app.store.company(company_id).await? else {
        return Ok(0);
    };
    let (mut waiting, candidates) = crate::phone::routing_snapshot(app, company_id).await?;
    // Phone calls are routed by the exchange asking (telephony route), not offered here.
    waiting.retain(|w| w.channel != hovor_core::Channel::Phone);
    if waiting.is_empty() {
        return Ok(0);
    }
    let now = app.now();
    let deadline = now + i64::from(company.settings.offer_timeout_s) * 1000;
    let mut offered = 0;
    for (session_id, operator_id) in plan_offers(&waiting, &candidates, now) {
        if let Some(change) = app
            .store
            .offer(company_id, &session_id, &operator_id, deadline, now)
            .await?
        {
            app.publish(&change.written);
            app.bus.publish(crate::bus::Hint::Queue {
                company_id: company_id.to_owned(),
            });
            offered += 1;
        }
    }
    Ok(offered)
}

/// Returns offers whose deadline passed to the queue; the operator who let
/// one run out becomes `away` (cause `missed_offer`) when the company says so.
pub async fn expire_offers(app: &AppState) -> anyhow::Result<usize> {
    let mut expired = 0;
    for (company_id, session_id, operator_id) in app.store.expired_offers(app.now()).await? {
        let Some(change) = app
            .store
            .withdraw_offer(&company_id, &session_id, &operator_id, app.now())
            .await?
        else {
            continue;
        };
        app.publish(&change.written);
        app.bus.publish(crate::bus::Hint::Queue {
            company_id: company_id.clone(),
        });
        expired += 1;
        let away = app
            .store
            .company(&company_id)
            .await?
            .is_some_and(|c| c.settings.away_on_missed_offer);
        if away {
            change_state(
                app,
                &company_id,
                &operator_id,
                Command::SetStatus {
                    status: Status::Away,
                    pause_type_id: None,
                    cause: Cause::MissedOffer,
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("missed offer of {operator_id}: {}", e.message))?;
        }
        route_company(app, &company_id).await?;
    }
    Ok(expired)
}

/// An operator who is gone for routing gives their open offers back.
pub async fn withdraw_offers_of(
    app: &AppState,
    company_id: &str,
    operator_id: &str,
) -> anyhow::Result<()> {
    for session_id in app.store.offers_to(company_id, operator_id).await? {
        if let Some(change) = app
            .store
            .withdraw_offer(company_id, &session_id, operator_id, app.now())
            .await?
        {
            app.publish(&change.written);
            app.bus.publish(crate::bus::Hint::Queue {
                company_id: company_id.to_owned(),
            });
        }
    }
    Ok(())
}

/// The safety net run every tick: offers that ran out, and a pass for every
/// company with a queue (in case an event was missed).
pub async fn tick(app: &AppState) -> anyhow::Result<()> {
    expire_offers(app).await?;
    for company_id in app.store.companies_with_waiting().await? {
        route_company(app, &company_id).await?;
    }
    Ok(())
}
