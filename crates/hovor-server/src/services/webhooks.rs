//! Webhook delivery from the outbox.
//!
//! Every change writes its webhook event into the company's outbox stream in
//! the same transaction. Each subscription has a cursor into that stream:
//! the dispatcher POSTs the next subscribed event, and moves the cursor only
//! when the receiver answered 2xx (or after 24 hours of failures, when the
//! event is dead). So delivery is at-least-once and in order, and a crash
//! between a change and its delivery loses nothing: the next pass resumes at
//! the cursor.

use std::collections::HashMap;

use futures_util::StreamExt;
use hovor_core::time::to_rfc3339;
use hovor_core::Millis;
use hovor_store::{
    outbox_stream, webhook_event_id, AttemptOutcome, AttemptRecord, StreamEvent, Webhook,
    WebhookEvent,
};
use serde::Serialize;

use crate::error::{ApiError, ApiResult};
use crate::signing::signature;
use crate::AppState;

/// Failed deliveries are retried for this long, then the event is dead.
const GIVE_UP_AFTER_MS: Millis = 24 * 3600 * 1000;

/// 1 s, 2 s, 4 s … up to an hour between attempts.
pub fn backoff_ms(attempts: i64) -> Millis {
    let exp = attempts.clamp(0, 12) as u32;
    (1000_i64 << exp).min(3_600_000)
}

/// The body of a delivery: `{id, type, created_at, company_id, data}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WebhookDelivery {
    /// Unique per event; a receiver that has seen it may ignore a redelivery.
    pub id: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    pub company_id: String,
    /// The event as it was recorded: `type` names it, `data` carries it.
    #[serde(flatten)]
    #[schema(value_type = WebhookEvent)]
    pub event: RecordedWebhookEvent,
}

/// A [`WebhookEvent`] as the outbox keeps it (its serialisation).
#[derive(Debug, Serialize)]
pub struct RecordedWebhookEvent {
    #[serde(rename = "type")]
    pub kind: String,
    pub data: serde_json::Value,
}

fn envelope(company_id: &str, event: &StreamEvent) -> String {
    let delivery = WebhookDelivery {
        id: webhook_event_id(company_id, event.seq),
        created_at: to_rfc3339(event.created_at),
        company_id: company_id.to_owned(),
        event: RecordedWebhookEvent {
            kind: event.kind.clone(),
            data: serde_json::from_str(&event.payload).unwrap_or(serde_json::Value::Null),
        },
    };
    serde_json::to_string(&delivery).unwrap_or_default()
}

/// One company's webhooks delivered to at once.
const HOOKS_PER_COMPANY: usize = 4;

/// One pass: every due webhook gets its waiting events, in order, until one
/// fails; each company by a worker of its own, unless one already runs (an
/// earlier pass still at work for it). Returns how many were delivered.
/// The dispatcher starts a pass on every outbox hint and tick without
/// waiting for the last one, so a slow company never delays the others.
pub async fn deliver_due(app: &AppState) -> anyhow::Result<usize> {
    let mut by_company: HashMap<String, Vec<Webhook>> = HashMap::new();
    for due in app.store.due_webhooks(app.now()).await? {
        by_company
            .entry(due.company_id.clone())
            .or_default()
            .push(due);
    }
    let workers = by_company.into_iter().filter_map(|(company_id, hooks)| {
        let busy = app.webhooks.take(&company_id)?;
        Some(async move {
            let _busy = busy;
            let _slot = app.webhooks.turn().await?;
            deliver_company(app, hooks).await
        })
    });
    let mut delivered = 0;
    for result in futures_util::future::join_all(workers).await {
        delivered += result?;
    }
    Ok(delivered)
}

/// One company's due webhooks, a few at a time (each keeps its own order).
async fn deliver_company(app: &AppState, hooks: Vec<Webhook>) -> anyhow::Result<usize> {
    let results: Vec<anyhow::Result<usize>> = futures_util::stream::iter(hooks)
        .map(|due| claim_and_deliver(app, due))
        .buffer_unordered(HOOKS_PER_COMPANY)
        .collect()
        .await;
    let mut delivered = 0;
    for result in results {
        delivered += result?;
    }
    Ok(delivered)
}

/// Every node's dispatcher runs; the node that claims a webhook delivers it.
async fn claim_and_deliver(app: &AppState, due: Webhook) -> anyhow::Result<usize> {
    let now = app.now();
    let claim = app
        .store
        .claim_webhook(&due.id, &app.node_id, now, now + CLAIM_MS)
        .await?;
    let Some(hook) = claim else {
        return Ok(0);
    };
    let id = hook.id.clone();
    let result = deliver_hook(app, hook, now).await;
    app.store.release_webhook(&id, &app.node_id).await?;
    result
}

/// Renews the claim once half of it has passed; `false` when this node no
/// longer holds it (it stalled past its claim and another node took over).
async fn keep_claim(
    app: &AppState,
    hook_id: &str,
    claimed_at: &mut Millis,
) -> anyhow::Result<bool> {
    if app.now() - *claimed_at <= CLAIM_MS / 2 {
        return Ok(true);
    }
    *claimed_at = app.now();
    let until = *claimed_at + CLAIM_MS;
    Ok(app
        .store
        .extend_webhook_claim(hook_id, &app.node_id, until)
        .await?)
}

/// How long a node's claim on a webhook lasts; it is renewed halfway while
/// deliveries go on (a node that dies gives it up this long after).
const CLAIM_MS: Millis = 60_000;

/// POSTs one event; the status code and the error, if it failed.
async fn post(
    app: &AppState,
    hook: &Webhook,
    event: &StreamEvent,
    now: Millis,
) -> (Option<i64>, Option<String>) {
    let body = envelope(&hook.company_id, event);
    let headers = [
        ("hovor-event", event.kind.clone()),
        (
            "hovor-delivery",
            format!(
                "{}.{}",
                hook.id,
                webhook_event_id(&hook.company_id, event.seq)
            ),
        ),
        (
            "hovor-signature",
            signature(&hook.secret, now / 1000, &body),
        ),
    ];
    match app.outbound.post(&hook.url, &headers, body).await {
        Ok(r) if r.status().is_success() => (Some(i64::from(r.status().as_u16())), None),
        Ok(r) => (
            Some(i64::from(r.status().as_u16())),
            Some(format!("answered {}", r.status())),
        ),
        Err(failure) => (None, Some(failure.as_str().to_owned())),
    }
}

/// Sends one outbox event to a webhook again, by hand (an admin retrying a
/// dead delivery): the attempt is logged, the cursor stays. Returns the
/// logged attempt's id.
pub async fn redeliver(app: &AppState, hook: &Webhook, seq: i64) -> ApiResult<String> {
    let stream = outbox_stream(&hook.company_id);
    let event = app
        .store
        .events_after(&stream, seq - 1, 1)
        .await?
        .into_iter()
        .find(|e| e.seq == seq)
        .ok_or_else(|| ApiError::not_found("the event (it is no longer kept)"))?;
    let now = app.now();
    let (status_code, error) = post(app, hook, &event, now).await;
    let attempt = AttemptRecord {
        event_seq: event.seq,
        event_type: &event.kind,
        status_code,
        error: error.as_deref(),
    };
    Ok(app.store.log_webhook_retry(&hook.id, &attempt, now).await?)
}

async fn deliver_hook(
    app: &AppState,
    mut hook: Webhook,
    mut claimed_at: Millis,
) -> anyhow::Result<usize> {
    let stream = outbox_stream(&hook.company_id);
    let mut delivered = 0;
    loop {
        let events = app
            .store
            .events_after(&stream, hook.cursor_seq, 100)
            .await?;
        if events.is_empty() {
            return Ok(delivered);
        }
        for event in events {
            if !keep_claim(app, &hook.id, &mut claimed_at).await? {
                return Ok(delivered);
            }
            if !hook.events.contains(&event.kind) {
                app.store.skip_webhook_to(&hook.id, event.seq).await?;
                hook.cursor_seq = event.seq;
                continue;
            }
            let now = app.now();
            let (status_code, error) = post(app, &hook, &event, now).await;
            let outcome = match &error {
                None => AttemptOutcome::Delivered,
                Some(_) if now - hook.failing_since.unwrap_or(now) >= GIVE_UP_AFTER_MS => {
                    AttemptOutcome::Dead
                }
                Some(_) => AttemptOutcome::Failed {
                    retry_at: now + backoff_ms(hook.attempts),
                },
            };
            let attempt = AttemptRecord {
                event_seq: event.seq,
                event_type: &event.kind,
                status_code,
                error: error.as_deref(),
            };
            app.store
                .record_webhook_attempt(&hook, &attempt, &outcome, now)
                .await?;
            match outcome {
                AttemptOutcome::Delivered | AttemptOutcome::Dead => {
                    if outcome == AttemptOutcome::Delivered {
                        delivered += 1;
                    } else {
                        tracing::warn!(
                            "webhook {} gave up on {} after 24 hours",
                            hook.id,
                            event.kind
                        );
                    }
                    hook.cursor_seq = event.seq;
                    hook.attempts = 0;
                    hook.failing_since = None;
                }
                // Later events wait: deliveries stay in order.
                AttemptOutcome::Failed { .. } => return Ok(delivered),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff_ms(0), 1000);
        assert_eq!(backoff_ms(3), 8000);
        assert_eq!(backoff_ms(40), 3_600_000);
    }
}
