//! Webhook subscriptions: each has a cursor into its company's outbox
//! stream that moves only when a delivery succeeds (or dies).

use async_trait::async_trait;
use hovor_core::Millis;
use sqlx::Row;

use super::event_log::head;
use super::rows::{self, WEBHOOK_COLUMNS};
use super::{Backend, Db};
use crate::{
    new_id, outbox_stream, AttemptOutcome, AttemptRecord, StoreError, StoreResult, Webhook,
    WebhookAttempt, WebhookStore,
};

/// The company's live webhooks, or the one with this id.
async fn webhooks_of<'e, E>(
    executor: E,
    company_id: &str,
    id: Option<&str>,
) -> StoreResult<Vec<Webhook>>
where
    E: sqlx::Executor<'e, Database = Db>,
{
    let sql = format!(
        "SELECT {WEBHOOK_COLUMNS} FROM webhooks w WHERE w.company_id = $1 \
         AND ($2 IS NULL OR w.id = $2) AND w.deleted_at IS NULL ORDER BY w.created_at, w.id"
    );
    let rows = sqlx::query(&sql)
        .bind(company_id)
        .bind(id)
        .fetch_all(executor)
        .await?;
    rows.iter().map(rows::webhook).collect()
}

#[async_trait]
impl WebhookStore for Backend {
    async fn create_webhook(
        &self,
        company_id: &str,
        url: &str,
        events: &[String],
        secret: &str,
        now: Millis,
    ) -> StoreResult<Webhook> {
        let id = new_id("whk");
        let mut tx = self.begin_for(company_id).await?;
        // Only events from now on: the cursor starts at the outbox head.
        let cursor = head(&mut *tx, &outbox_stream(company_id)).await?;
        sqlx::query(
            "INSERT INTO webhooks (id, company_id, url, events, secret, active, created_at, \
             deleted_at, cursor_seq, attempts, failing_since, retry_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, 0, NULL, NULL)",
        )
        .bind(&id)
        .bind(company_id)
        .bind(url)
        .bind(events.join(","))
        .bind(secret)
        .bind(true)
        .bind(now)
        .bind(cursor)
        .execute(&mut *tx)
        .await?;
        let created = webhooks_of(&mut *tx, company_id, Some(&id)).await?.pop();
        tx.commit().await?;
        created.ok_or(StoreError::NotFound)
    }

    async fn webhooks(&self, company_id: &str) -> StoreResult<Vec<Webhook>> {
        webhooks_of(self.reader(), company_id, None).await
    }

    async fn webhook(&self, company_id: &str, id: &str) -> StoreResult<Option<Webhook>> {
        Ok(webhooks_of(self.writer(), company_id, Some(id))
            .await?
            .pop())
    }

    async fn update_webhook(
        &self,
        company_id: &str,
        id: &str,
        url: Option<&str>,
        events: Option<&[String]>,
        active: Option<bool>,
    ) -> StoreResult<Option<Webhook>> {
        sqlx::query(
            "UPDATE webhooks SET url = COALESCE($3, url), events = COALESCE($4, events), \
             active = COALESCE($5, active) \
             WHERE company_id = $1 AND id = $2 AND deleted_at IS NULL",
        )
        .bind(company_id)
        .bind(id)
        .bind(url)
        .bind(events.map(|e| e.join(",")))
        .bind(active)
        .execute(self.writer())
        .await?;
        self.webhook(company_id, id).await
    }

    async fn delete_webhook(&self, company_id: &str, id: &str, now: Millis) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE webhooks SET deleted_at = $3, active = $4 \
             WHERE company_id = $1 AND id = $2 AND deleted_at IS NULL",
        )
        .bind(company_id)
        .bind(id)
        .bind(now)
        .bind(false)
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn webhook_attempts(
        &self,
        webhook_id: &str,
        limit: i64,
    ) -> StoreResult<Vec<WebhookAttempt>> {
        let rows = sqlx::query(
            "SELECT a.id, w.company_id, a.event_seq, a.event_type, a.attempt, a.status_code, \
             a.error, a.outcome, a.attempted_at FROM webhook_attempts a \
             JOIN webhooks w ON w.id = a.webhook_id WHERE a.webhook_id = $1 \
             ORDER BY a.attempted_at DESC, a.id DESC LIMIT $2",
        )
        .bind(webhook_id)
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                let company: String = r.try_get("company_id")?;
                let seq: i64 = r.try_get("event_seq")?;
                Ok(WebhookAttempt {
                    id: r.try_get("id")?,
                    event_id: crate::webhook_event_id(&company, seq),
                    event_type: r.try_get("event_type")?,
                    attempt: r.try_get("attempt")?,
                    status_code: r.try_get("status_code")?,
                    error: r.try_get("error")?,
                    outcome: r.try_get("outcome")?,
                    attempted_at: r.try_get("attempted_at")?,
                })
            })
            .collect()
    }

    async fn due_webhooks(&self, now: Millis) -> StoreResult<Vec<Webhook>> {
        let sql = format!(
            "SELECT {WEBHOOK_COLUMNS} FROM webhooks w \
             JOIN streams s ON s.stream = 'wh_' || w.company_id \
             WHERE w.active AND w.deleted_at IS NULL AND s.last_seq > w.cursor_seq \
             AND (w.retry_at IS NULL OR w.retry_at <= $1) ORDER BY w.id"
        );
        // Read where the cursors are written: a pass must see the cursor the
        // pass before it moved, or it delivers that event again.
        let rows = sqlx::query(&sql).bind(now).fetch_all(self.writer()).await?;
        rows.iter().map(rows::webhook).collect()
    }

    async fn claim_webhook(
        &self,
        webhook_id: &str,
        node: &str,
        now: Millis,
        until: Millis,
    ) -> StoreResult<Option<Webhook>> {
        let claimed = sqlx::query(
            "UPDATE webhooks SET claimed_by = $2, claimed_until = $4 \
             WHERE id = $1 AND (claimed_until <= $3 OR claimed_by = $2)",
        )
        .bind(webhook_id)
        .bind(node)
        .bind(now)
        .bind(until)
        .execute(self.writer())
        .await?;
        if claimed.rows_affected() == 0 {
            return Ok(None);
        }
        // Read after the claim: the cursor as the last holder left it.
        let sql = format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks w WHERE w.id = $1");
        let row = sqlx::query(&sql)
            .bind(webhook_id)
            .fetch_optional(self.writer())
            .await?;
        row.as_ref().map(rows::webhook).transpose()
    }

    async fn extend_webhook_claim(
        &self,
        webhook_id: &str,
        node: &str,
        until: Millis,
    ) -> StoreResult<bool> {
        let done =
            sqlx::query("UPDATE webhooks SET claimed_until = $3 WHERE id = $1 AND claimed_by = $2")
                .bind(webhook_id)
                .bind(node)
                .bind(until)
                .execute(self.writer())
                .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn release_webhook(&self, webhook_id: &str, node: &str) -> StoreResult<()> {
        sqlx::query(
            "UPDATE webhooks SET claimed_by = NULL, claimed_until = 0 \
             WHERE id = $1 AND claimed_by = $2",
        )
        .bind(webhook_id)
        .bind(node)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    async fn skip_webhook_to(&self, webhook_id: &str, seq: i64) -> StoreResult<()> {
        sqlx::query("UPDATE webhooks SET cursor_seq = $2 WHERE id = $1 AND cursor_seq < $2")
            .bind(webhook_id)
            .bind(seq)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    async fn record_webhook_attempt(
        &self,
        hook: &Webhook,
        attempt: &AttemptRecord<'_>,
        outcome: &AttemptOutcome,
        now: Millis,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let number = hook.attempts + 1;
        let label = match outcome {
            AttemptOutcome::Delivered => "delivered",
            AttemptOutcome::Failed { .. } => "failed",
            AttemptOutcome::Dead => "dead",
        };
        sqlx::query(
            "INSERT INTO webhook_attempts (id, webhook_id, event_seq, event_type, attempt, \
             status_code, error, outcome, attempted_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(new_id("att"))
        .bind(&hook.id)
        .bind(attempt.event_seq)
        .bind(attempt.event_type)
        .bind(number)
        .bind(attempt.status_code)
        .bind(attempt.error)
        .bind(label)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        match outcome {
            AttemptOutcome::Delivered | AttemptOutcome::Dead => {
                sqlx::query(
                    "UPDATE webhooks SET cursor_seq = $2, attempts = 0, failing_since = NULL, \
                     retry_at = NULL WHERE id = $1",
                )
                .bind(&hook.id)
                .bind(attempt.event_seq)
                .execute(&mut *tx)
                .await?;
            }
            AttemptOutcome::Failed { retry_at } => {
                sqlx::query(
                    "UPDATE webhooks SET attempts = $2, \
                     failing_since = COALESCE(failing_since, $3), retry_at = $4 WHERE id = $1",
                )
                .bind(&hook.id)
                .bind(number)
                .bind(now)
                .bind(*retry_at)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn webhook_attempt_event(
        &self,
        webhook_id: &str,
        attempt_id: &str,
    ) -> StoreResult<Option<(i64, String, bool)>> {
        let row = sqlx::query(
            "SELECT event_seq, event_type, outcome FROM webhook_attempts \
             WHERE webhook_id = $1 AND id = $2",
        )
        .bind(webhook_id)
        .bind(attempt_id)
        .fetch_optional(self.reader())
        .await?;
        row.map(|r| {
            let outcome: String = r.try_get("outcome")?;
            Ok((
                r.try_get("event_seq")?,
                r.try_get("event_type")?,
                outcome == "dead",
            ))
        })
        .transpose()
    }

    async fn log_webhook_retry(
        &self,
        webhook_id: &str,
        attempt: &AttemptRecord<'_>,
        now: Millis,
    ) -> StoreResult<String> {
        let mut tx = self.begin().await?;
        let tried: i64 = sqlx::query(
            "SELECT COALESCE(MAX(attempt), 0) AS n FROM webhook_attempts \
             WHERE webhook_id = $1 AND event_seq = $2",
        )
        .bind(webhook_id)
        .bind(attempt.event_seq)
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
        let id = new_id("att");
        let outcome = if attempt.error.is_none() {
            "delivered"
        } else {
            "dead"
        };
        sqlx::query(
            "INSERT INTO webhook_attempts (id, webhook_id, event_seq, event_type, attempt, \
             status_code, error, outcome, attempted_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&id)
        .bind(webhook_id)
        .bind(attempt.event_seq)
        .bind(attempt.event_type)
        .bind(tried + 1)
        .bind(attempt.status_code)
        .bind(attempt.error)
        .bind(outcome)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn set_webhook_secret(
        &self,
        company_id: &str,
        id: &str,
        secret: &str,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE webhooks SET secret = $3 WHERE company_id = $1 AND id = $2 AND deleted_at IS NULL",
        )
        .bind(company_id)
        .bind(id)
        .bind(secret)
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
