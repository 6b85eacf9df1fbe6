//! The routing engine: turns the pure plan from `hovor-core` into offers,
//! takes back offers that ran out, and does the passes asked for through
//! the routing queue (`routing_queue.rs`) by whatever can make someone
//! eligible.
//!
//! A pass plans from routing's book in memory (`routing_book.rs`). One pass
//! at a time per node (a mutex), and every offer is a conditional update in
//! the database that also rechecks the operator (online, channel on, room),
//! so a stale plan can lose an offer but never over-assign. A pass's offers are
//! committed together (up to 256 a transaction).

use hovor_core::group::{offered_one_at_a_time, Strategy};
use hovor_core::routing::{plan_offers, Candidate, Waiting};
use hovor_core::{Cause, Channel, Command, Status};
use hovor_store::StoreResult;
use tokio::sync::mpsc;

use super::status::change_state;
use crate::routing_queue::Job;
use crate::AppState;

/// The most offers one transaction makes.
const OFFERS_PER_COMMIT: usize = 256;

/// The routing worker: does the passes asked for, one at a time, until the
/// node shuts down (its owner, `Workers`, stops it).
pub async fn run(app: AppState, mut jobs: mpsc::UnboundedReceiver<Job>) {
    while let Some(job) = jobs.recv().await {
        let result = match &job {
            Job::Route { company_id } => {
                let _one_at_a_time = app.routing_pass.lock().await;
                app.routing.starting(company_id);
                route_locked(&app, company_id).await
            }
            Job::OperatorGone {
                company_id,
                operator_id,
            } => withdraw_offers_of(&app, company_id, operator_id)
                .await
                .map(|()| {
                    app.routing.route(company_id);
                    0
                }),
        };
        if let Err(e) = result {
            tracing::warn!("routing {job:?}: {e:#}");
        }
    }
}

/// Offers every waiting session that has an eligible operator now.
pub async fn route_company(app: &AppState, company_id: &str) -> anyhow::Result<usize> {
    let _one_at_a_time = app.routing_pass.lock().await;
    route_locked(app, company_id).await
}

/// The company's waiting sessions (oldest first) and its operators with
/// their load: from routing's book in memory.
pub async fn snapshot(
    app: &AppState,
    company_id: &str,
) -> StoreResult<(Vec<Waiting>, Vec<Candidate>)> {
    app.routing_books
        .read(
            app.store.as_ref(),
            company_id,
            app.now(),
            |book, operators| {
                (
                    book.waiting(operators.builtin()),
                    book.candidates(&operators.candidates),
                )
            },
        )
        .await
}

/// What a routing pass offers from: the waiting sessions routing offers one
/// operator at a time (not those ringing a whole broadcast group) and the
/// operators with their load.
async fn offerable(
    app: &AppState,
    company_id: &str,
) -> StoreResult<(Vec<Waiting>, Vec<Candidate>)> {
    app.routing_books
        .read(
            app.store.as_ref(),
            company_id,
            app.now(),
            |book, operators| {
                let builtin = operators.builtin();
                let broadcast: Vec<&str> = operators
                    .groups
                    .iter()
                    .filter(|g| g.strategy == Strategy::Broadcast)
                    .map(|g| g.id.as_str())
                    .collect();
                let mut waiting = book.waiting(builtin);
                if !broadcast.is_empty() {
                    waiting.retain(|w| offered_one_at_a_time(w, builtin, &broadcast));
                }
                (waiting, book.candidates(&operators.candidates))
            },
        )
        .await
}

/// The company's operators with their load, from routing's book.
pub async fn candidates(app: &AppState, company_id: &str) -> StoreResult<Vec<Candidate>> {
    app.routing_books
        .read(
            app.store.as_ref(),
            company_id,
            app.now(),
            |book, operators| book.candidates(&operators.candidates),
        )
        .await
}

/// A routing pass; the caller holds the routing lock.
async fn route_locked(app: &AppState, company_id: &str) -> anyhow::Result<usize> {
    let (mut waiting, candidates) = offerable(app, company_id).await?;
    // Phone calls are routed by the exchange asking (telephony route), not
    // offered here.
    waiting.retain(|w| w.channel != Channel::Phone);
    if waiting.is_empty() {
        return Ok(0);
    }
    let Some(company) = app.store.company(company_id).await? else {
        return Ok(0);
    };
    let now = app.now();
    let deadline = now + i64::from(company.settings.offer_timeout_s) * 1000;
    let plan = plan_offers(&waiting, &candidates, now);
    let mut offered = 0;
    // A burst's offers go in a few transactions, not one each; a bounded
    // batch keeps each transaction short for the writers waiting behind it.
    for batch in plan.chunks(OFFERS_PER_COMMIT) {
        let made = app
            .store
            .offer_all(company_id, batch, deadline, now)
            .await?
            .publish(app);
        for ((_, operator_id), made) in batch.iter().zip(&made) {
            if made.is_some() {
                app.routing_books.offered(company_id, operator_id, now);
                app.metrics.offers.with_label_values(&["made"]).inc();
                offered += 1;
            }
        }
    }
    Ok(offered)
}

/// Returns offers whose deadline passed to the queue; the operator who let
/// one run out becomes `away` (cause `missed_offer`) when the company says
/// so.
pub async fn expire_offers(app: &AppState) -> anyhow::Result<usize> {
    let mut expired = 0;
    for (company_id, session_id, operator_id) in app.store.expired_offers(app.now()).await? {
        let withdrawn = app
            .store
            .withdraw_offer(&company_id, &session_id, &operator_id, app.now())
            .await?
            .publish(app);
        if withdrawn.is_none() {
            continue;
        }
        expired += 1;
        app.metrics.offers.with_label_values(&["expired"]).inc();
        let away = app
            .store
            .company(&company_id)
            .await?
            .is_some_and(|c| c.settings.away_on_missed_offer);
        // A client who was no longer there is nobody's miss.
        let client_away = app
            .store
            .client_presence(&session_id)
            .await?
            .is_some_and(|p| p.is_away());
        if !client_away {
            app.store
                .record_missed_offer(&company_id, &session_id, &operator_id, app.now())
                .await?;
        }
        if away && !client_away {
            let command = Command::SetStatus {
                status: Status::Away,
                pause_type_id: None,
                cause: Cause::MissedOffer,
            };
            change_state(app, &company_id, &operator_id, command).await?;
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
        app.store
            .withdraw_offer(company_id, &session_id, operator_id, app.now())
            .await?
            .publish(app);
    }
    Ok(())
}

/// The safety net run every tick: offers that ran out, and a pass for every
/// company with a queue, with its operators read afresh and its sessions
/// too when they were read long enough ago (`RoutingBooks::refresh`).
pub async fn tick(app: &AppState) -> anyhow::Result<()> {
    expire_offers(app).await?;
    let now = app.now();
    for company_id in app.store.companies_with_waiting().await? {
        app.routing_books.refresh(&company_id, now);
        route_company(app, &company_id).await?;
    }
    Ok(())
}
