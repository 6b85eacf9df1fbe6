//! Ratings: the `rating_*` columns of a session, written once.

use async_trait::async_trait;
use hovor_core::rating::{may_rate, RatingFacts};
use hovor_core::{Millis, Refusal};
use sqlx::Row;

use super::event_log::Outgoing;
use super::rows::SESSION_RETURNING;
use super::session_rows::{locked_session, written_session};
use super::sessions::{announce, Operators};
use super::Backend;
use crate::{
    Committed, CompanyStore, RatingStore, Session, SessionEvent, StoreError, StoreResult,
    WebhookEvent,
};

#[async_trait]
impl RatingStore for Backend {
    async fn rate_session(
        &self,
        company_id: &str,
        session_id: &str,
        score: u8,
        comment: Option<&str>,
        now: Millis,
    ) -> StoreResult<Committed<Session>> {
        let enabled = self
            .company(company_id)
            .await?
            .ok_or(StoreError::NotFound)?
            .settings
            .ratings_enabled;
        let mut tx = self.begin_for(company_id).await?;
        let session = locked_session(&mut tx, company_id, session_id).await?;
        may_rate(&RatingFacts {
            status: session.status,
            was_accepted: session.accepted_at.is_some() || session.operator_id.is_some(),
            already_rated: session.rating.is_some(),
            enabled,
        })?;
        let row = sqlx::query(&format!(
            "UPDATE sessions SET rating_score = $2, rating_comment = $3, rated_at = $4 \
             WHERE id = $1 AND rating_score IS NULL {SESSION_RETURNING}"
        ))
        .bind(session_id)
        .bind(i64::from(score))
        .bind(comment)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(rated) = written_session(row)? else {
            return Err(Refusal::AlreadyRated.into());
        };
        let mut out = Outgoing::new();
        // The operator who had it hears it in their own stream (they no
        // longer follow the ended conversation's).
        let told = [rated.operator_id.clone()];
        announce(&mut tx, &mut out, &rated, Operators::Changed(&told), now).await?;
        let webhook = WebhookEvent::SessionRated(SessionEvent {
            session: rated.clone(),
        });
        out.webhook(company_id, webhook, now);
        let changes = out.write(&mut tx).await?;
        tx.commit().await?;
        Ok(Committed::new(rated, changes))
    }

    async fn ratings(
        &self,
        company_id: &str,
        from: Millis,
        to: Millis,
    ) -> StoreResult<Vec<(String, Millis, u8)>> {
        let rows = sqlx::query(
            "SELECT operator_id, rated_at, rating_score FROM sessions WHERE company_id = $1 \
             AND rated_at >= $2 AND rated_at < $3 AND operator_id IS NOT NULL",
        )
        .bind(company_id)
        .bind(from)
        .bind(to)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                let score: i64 = r.try_get("rating_score")?;
                Ok((
                    r.try_get("operator_id")?,
                    r.try_get("rated_at")?,
                    u8::try_from(score).unwrap_or(0),
                ))
            })
            .collect()
    }
}
