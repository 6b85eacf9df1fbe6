//! Transcripts e-mailed to clients: a row per conversation, claimed before
//! the e-mail goes (its primary key makes it once).

use async_trait::async_trait;
use hovor_core::Millis;
use sqlx::Row;

use super::Backend;
use crate::{StoreResult, TranscriptStore};

#[async_trait]
impl TranscriptStore for Backend {
    async fn claim_transcript_email(
        &self,
        company_id: &str,
        session_id: &str,
        to: &str,
        now: Millis,
    ) -> StoreResult<bool> {
        let claimed = sqlx::query(
            "INSERT INTO transcript_emails (session_id, company_id, sent_to, sent_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (session_id) DO NOTHING",
        )
        .bind(session_id)
        .bind(company_id)
        .bind(to)
        .bind(now)
        .execute(self.writer())
        .await?;
        Ok(claimed.rows_affected() == 1)
    }

    async fn release_transcript_email(
        &self,
        company_id: &str,
        session_id: &str,
    ) -> StoreResult<()> {
        sqlx::query("DELETE FROM transcript_emails WHERE company_id = $1 AND session_id = $2")
            .bind(company_id)
            .bind(session_id)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    async fn transcript_emailed_at(
        &self,
        company_id: &str,
        session_id: &str,
    ) -> StoreResult<Option<Millis>> {
        let row = sqlx::query(
            "SELECT sent_at FROM transcript_emails WHERE company_id = $1 AND session_id = $2",
        )
        .bind(company_id)
        .bind(session_id)
        .fetch_optional(self.reader())
        .await?;
        row.map(|r| r.try_get("sent_at"))
            .transpose()
            .map_err(Into::into)
    }
}
