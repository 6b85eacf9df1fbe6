//! Webhook delivery from the outbox.
//!
//! Every change writes its webhook event into the company's outbox stream in
//! the same transaction. Each subscription has a cursor into that stream:
//! the dispatcher POSTs the next subscribed event, and moves the cursor only
//! when the receiver answered 2xx (or after 24 hours of failures, when the
//! event is dead). So delivery is at-least-once and in order, and a crash
//! between a change and its delivery loses nothing: the next pass resumes at
//! the cursor.

use std::time::Duration;

use hmac::{Hmac, Mac};
use hovor_core::time::to_rfc3339;
use hovor_core::Millis;
use hovor_store::{outbox_stream, AttemptOutcome, StreamEvent, Webhook};
use sha2::Sha256;

use crate::AppState;

pub const EVENTS: &[&str] = &[
    "operator.state_changed",
    "operator.channel_changed",
    "session.created",
    "session.offered",
    "session.accepted",
    "session.transferred",
    "session.ended",
    "message.created",
    "invitation.created",
    "invitation.redeemed",
    "invitation.invalidated",
    "phone.line_changed",
    "phone.call",
];

/// Failed deliveries are retried for this long, then the event is dead.
const GIVE_UP_AFTER_MS: Millis = 24 * 3600 * 1000;

/// 1 s, 2 s, 4 s … up to an hour between attempts.
pub fn backoff_ms(attempts: i64) -> Millis {
    let exp = attempts.clamp(0, 12) as u32;
    (1000_i64 << exp).min(3_600_000)
}

/// `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`.
pub fn signature(secret: &str, unix_s: i64, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(format!("{unix_s}.{body}").as_bytes());
    format!("t={unix_s},v1={}", hex::encode(mac.finalize().into_bytes()))
}

pub fn event_id(company_id: &str, seq: i64) -> String {
    format!("evt_{company_id}_{seq}")
}

fn envelope(company_id: &str, event: &StreamEvent) -> String {
    let data: serde_json::Value =
        serde_json::from_str(&event.payload).unwrap_or(serde_json::Value::Null);
    serde_json::json!({
        "id": event_id(company_id, event.seq),
        "type": event.kind,
        "created_at": to_rfc3339(event.created_at),
        "company_id": company_id,
        "data": data,
    })
    .to_string()
}

fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_default()
}

/// One pass: every due webhook gets its waiting events, in order, until one
/// fails. Returns how many were delivered.
pub async fn deliver_due(app: &AppState) -> anyhow::Result<usize> {
    let _one_pass_at_a_time = app.webhook_lock.lock().await;
    let client = http_client();
    let mut delivered = 0;
    for hook in app.store.due_webhooks(app.now()).await? {
        delivered += deliver_hook(app, &client, hook).await?;
    }
    Ok(delivered)
}

async fn deliver_hook(
    app: &AppState,
    client: &reqwest::Client,
    mut hook: Webhook,
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
            if !hook.events.contains(&event.kind) {
                app.store.skip_webhook_to(&hook.id, event.seq).await?;
                hook.cursor_seq = event.seq;
                continue;
            }
            let body = envelope(&hook.company_id, &event);
            let now = app.now();
            let sent = client
                .post(&hook.url)
                .header("content-type", "application/json")
                .header("hovor-event", &event.kind)
                .header(
                    "hovor-delivery",
                    format!("{}.{}", hook.id, event_id(&hook.company_id, event.seq)),
                )
                .header(
                    "hovor-signature",
                    signature(&hook.secret, now / 1000, &body),
                )
                .body(body)
                .send()
                .await;
            let (status, error) = match sent {
                Ok(r) if r.status().is_success() => (Some(i64::from(r.status().as_u16())), None),
                Ok(r) => (
                    Some(i64::from(r.status().as_u16())),
                    Some(format!("answered {}", r.status())),
                ),
                Err(e) => (None, Some(e.to_string())),
            };
            let outcome = match &error {
                None => AttemptOutcome::Delivered,
                Some(_) if now - hook.failing_since.unwrap_or(now) >= GIVE_UP_AFTER_MS => {
                    AttemptOutcome::Dead
                }
                Some(_) => AttemptOutcome::Failed {
                    retry_at: now + backoff_ms(hook.attempts),
                },
            };
            app.store
                .record_webhook_attempt(
                    &hook,
                    event.seq,
                    &event.kind,
                    status,
                    error.as_deref(),
                    &outcome,
                    now,
                )
                .await?;
            match outcome {
                AttemptOutcome::Delivered => {
                    delivered += 1;
                    hook.cursor_seq = event.seq;
                    hook.attempts = 0;
                    hook.failing_since = None;
                }
                AttemptOutcome::Dead => {
                    tracing::warn!(
                        "webhook {} gave up on {} after 24 hours",
                        hook.id,
                        event.kind
                    );
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

    #[test]
    fn the_signature_is_hmac_of_time_and_body() {
        let s = signature("secret", 1_700_000_000, "{}");
        assert!(s.starts_with("t=1700000000,v1="));
        assert_eq!(s.len(), "t=1700000000,v1=".len() + 64);
        assert_ne!(s, signature("other", 1_700_000_000, "{}"));
    }
}
