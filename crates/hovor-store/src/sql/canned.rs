//! Canned answers: rows of `canned_answers`, the company's with owner ''.

use async_trait::async_trait;
use hovor_core::canned::MAX_PER_OWNER;
use hovor_core::{Millis, Refusal};
use sqlx::Row;

use super::{Backend, DbRow};
use crate::error::is_unique_violation;
use crate::{new_id, CannedAnswer, CannedDraft, CannedStore, StoreError, StoreResult};

const COLUMNS: &str = "id, owner, shortcut, title, text, updated_at";

fn answer(row: &DbRow) -> StoreResult<CannedAnswer> {
    let owner: String = row.try_get("owner")?;
    Ok(CannedAnswer {
        id: row.try_get("id")?,
        owner_id: Some(owner).filter(|o| !o.is_empty()),
        shortcut: row.try_get("shortcut")?,
        title: row.try_get("title")?,
        text: row.try_get("text")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn taken(e: sqlx::Error) -> StoreError {
    if is_unique_violation(&e) {
        StoreError::Duplicate("this shortcut is taken")
    } else {
        e.into()
    }
}

#[async_trait]
impl CannedStore for Backend {
    async fn canned_answers(
        &self,
        company_id: &str,
        operator_id: Option<&str>,
    ) -> StoreResult<Vec<CannedAnswer>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM canned_answers WHERE company_id = $1 \
             AND (owner = '' OR owner = $2) ORDER BY shortcut, owner"
        ))
        .bind(company_id)
        .bind(operator_id.unwrap_or(""))
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(answer).collect()
    }

    async fn canned_answer(&self, company_id: &str, id: &str) -> StoreResult<Option<CannedAnswer>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM canned_answers WHERE company_id = $1 AND id = $2"
        ))
        .bind(company_id)
        .bind(id)
        .fetch_optional(self.reader())
        .await?;
        row.as_ref().map(answer).transpose()
    }

    async fn create_canned_answer(
        &self,
        company_id: &str,
        owner_id: Option<&str>,
        draft: &CannedDraft,
        now: Millis,
    ) -> StoreResult<CannedAnswer> {
        let owner = owner_id.unwrap_or("");
        // One at a time per company, so the count holds under parallel requests.
        let mut tx = self.begin_for(company_id).await?;
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM canned_answers WHERE company_id = $1 AND owner = $2",
        )
        .bind(company_id)
        .bind(owner)
        .fetch_one(&mut *tx)
        .await?;
        if count >= MAX_PER_OWNER {
            return Err(Refusal::TooManyCannedAnswers.into());
        }
        let row = sqlx::query(&format!(
            "INSERT INTO canned_answers (id, company_id, owner, shortcut, title, text, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING {COLUMNS}"
        ))
        .bind(new_id("can"))
        .bind(company_id)
        .bind(owner)
        .bind(&draft.shortcut)
        .bind(&draft.title)
        .bind(&draft.text)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(taken)?;
        let created = answer(&row)?;
        tx.commit().await?;
        Ok(created)
    }

    async fn update_canned_answer(
        &self,
        company_id: &str,
        id: &str,
        draft: &CannedDraft,
        now: Millis,
    ) -> StoreResult<CannedAnswer> {
        let row = sqlx::query(&format!(
            "UPDATE canned_answers SET shortcut = $3, title = $4, text = $5, updated_at = $6 \
             WHERE company_id = $1 AND id = $2 RETURNING {COLUMNS}"
        ))
        .bind(company_id)
        .bind(id)
        .bind(&draft.shortcut)
        .bind(&draft.title)
        .bind(&draft.text)
        .bind(now)
        .fetch_optional(self.writer())
        .await
        .map_err(taken)?;
        row.as_ref()
            .map(answer)
            .transpose()?
            .ok_or(StoreError::NotFound)
    }

    async fn delete_canned_answer(&self, company_id: &str, id: &str) -> StoreResult<()> {
        let done = sqlx::query("DELETE FROM canned_answers WHERE company_id = $1 AND id = $2")
            .bind(company_id)
            .bind(id)
            .execute(self.writer())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
