use async_trait::async_trait;
use hovor_core::Millis;

use crate::{AttemptOutcome, StoreResult, Webhook, WebhookAttempt};

/// Webhook subscriptions, their cursors into the company's outbox, and the
/// delivery log.
#[async_trait]
pub trait WebhookStore {
    /// Subscribes from now on: the cursor starts at the outbox's head.
    async fn create_webhook(
        &self,
        company_id: &str,
        url: &str,
        events: &[String],
        secret: &str,
        now: Millis,
    ) -> StoreResult<Webhook>;
    async fn webhooks(&self, company_id: &str) -> StoreResult<Vec<Webhook>>;
    async fn webhook(&self, company_id: &str, id: &str) -> StoreResult<Option<Webhook>>;
    async fn update_webhook(
        &self,
        company_id: &str,
        id: &str,
        url: Option<&str>,
        events: Option<&[String]>,
        active: Option<bool>,
    ) -> StoreResult<Option<Webhook>>;
    async fn delete_webhook(&self, company_id: &str, id: &str, now: Millis) -> StoreResult<bool>;
    async fn webhook_attempts(
        &self,
        webhook_id: &str,
        limit: i64,
    ) -> StoreResult<Vec<WebhookAttempt>>;
    /// Active webhooks with undelivered events whose retry time has come.
    async fn due_webhooks(&self, now: Millis) -> StoreResult<Vec<Webhook>>;
    /// Claims a webhook's deliveries for `node` until `until` (free, or its
    /// claim ran out): the webhook as it stands then, `None` when another
    /// node holds it.
    async fn claim_webhook(
        &self,
        webhook_id: &str,
        node: &str,
        now: Millis,
        until: Millis,
    ) -> StoreResult<Option<Webhook>>;
    /// Extends this node's claim; `false` when it no longer holds it.
    async fn extend_webhook_claim(
        &self,
        webhook_id: &str,
        node: &str,
        until: Millis,
    ) -> StoreResult<bool>;
    /// Gives the claim up.
    async fn release_webhook(&self, webhook_id: &str, node: &str) -> StoreResult<()>;
    /// Moves the cursor past events the webhook does not subscribe to.
    async fn skip_webhook_to(&self, webhook_id: &str, seq: i64) -> StoreResult<()>;
    /// A dead attempt of this webhook: its event's seq and type (`None` when
    /// there is no such attempt; `Some` with `false` when it did not die).
    async fn webhook_attempt_event(
        &self,
        webhook_id: &str,
        attempt_id: &str,
    ) -> StoreResult<Option<(i64, String, bool)>>;
    /// Logs a retry an admin asked for (the cursor stays): `delivered`, or
    /// `dead` again. Returns the logged attempt.
    async fn log_webhook_retry(
        &self,
        webhook_id: &str,
        attempt: &crate::AttemptRecord<'_>,
        now: Millis,
    ) -> StoreResult<String>;
    /// A new signing secret; false for an unknown webhook.
    async fn set_webhook_secret(
        &self,
        company_id: &str,
        id: &str,
        secret: &str,
    ) -> StoreResult<bool>;
    /// Logs an attempt at the head event and moves on, or schedules a retry.
    async fn record_webhook_attempt(
        &self,
        hook: &Webhook,
        attempt: &crate::AttemptRecord<'_>,
        outcome: &AttemptOutcome,
        now: Millis,
    ) -> StoreResult<()>;
}
