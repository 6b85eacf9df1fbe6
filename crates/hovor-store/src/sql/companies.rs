//! Companies: their settings, their pause types, and the built-in group
//! every company has.

use async_trait::async_trait;
use hovor_core::{CompanySettings, Millis};

use super::rows;
use super::{Backend, Db};
use crate::error::is_unique_violation;
use crate::{new_id, Company, CompanyStore, PauseType, StoreError, StoreResult};

/// The id of a company's built-in "All operators" group.
pub(crate) fn builtin_group_id(company_id: &str) -> String {
    format!("grp_all_{company_id}")
}

pub(crate) fn to_json(value: &impl serde::Serialize) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

async fn company_where<'e, E>(
    executor: E,
    column: &str,
    value: &str,
) -> StoreResult<Option<Company>>
where
    E: sqlx::Executor<'e, Database = Db>,
{
    let sql = format!("SELECT id, slug, name, settings FROM companies WHERE {column} = $1");
    let row = sqlx::query(&sql)
        .bind(value)
        .fetch_optional(executor)
        .await?;
    row.as_ref().map(rows::company).transpose()
}

/// The company's pause types, or the one with this id.
pub(crate) async fn pause_types_of<'e, E>(
    executor: E,
    company_id: &str,
    id: Option<&str>,
) -> StoreResult<Vec<PauseType>>
where
    E: sqlx::Executor<'e, Database = Db>,
{
    let rows = sqlx::query(
        "SELECT id, name, paid, archived, position FROM pause_types \
         WHERE company_id = $1 AND ($2 IS NULL OR id = $2) ORDER BY position, created_at, id",
    )
    .bind(company_id)
    .bind(id)
    .fetch_all(executor)
    .await?;
    rows.iter().map(rows::pause_type).collect()
}

#[async_trait]
impl CompanyStore for Backend {
    async fn create_company(&self, slug: &str, name: &str, now: Millis) -> StoreResult<Company> {
        let company = Company {
            id: new_id("cmp"),
            slug: slug.to_owned(),
            name: name.to_owned(),
            settings: CompanySettings::default(),
        };
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO companies (id, slug, name, settings, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&company.id)
        .bind(slug)
        .bind(name)
        .bind(to_json(&company.settings)?)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                StoreError::Duplicate("a company with this slug exists")
            } else {
                e.into()
            }
        })?;
        sqlx::query(
            "INSERT INTO groups (id, company_id, name, strategy, max_queue, builtin, created_at) \
             VALUES ($1, $2, 'All operators', 'longest_idle', NULL, $3, $4)",
        )
        .bind(builtin_group_id(&company.id))
        .bind(&company.id)
        .bind(true)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(company)
    }

    async fn company(&self, id: &str) -> StoreResult<Option<Company>> {
        company_where(self.reader(), "id", id).await
    }

    async fn company_by_slug(&self, slug: &str) -> StoreResult<Option<Company>> {
        company_where(self.reader(), "slug", slug).await
    }

    async fn save_company_settings(
        &self,
        company_id: &str,
        settings: &CompanySettings,
    ) -> StoreResult<()> {
        let done = sqlx::query("UPDATE companies SET settings = $1 WHERE id = $2")
            .bind(to_json(settings)?)
            .bind(company_id)
            .execute(self.writer())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn pause_types(&self, company_id: &str) -> StoreResult<Vec<PauseType>> {
        pause_types_of(self.reader(), company_id, None).await
    }

    async fn pause_type(&self, company_id: &str, id: &str) -> StoreResult<Option<PauseType>> {
        Ok(pause_types_of(self.reader(), company_id, Some(id))
            .await?
            .into_iter()
            .next())
    }

    async fn create_pause_type(
        &self,
        company_id: &str,
        name: &str,
        paid: bool,
        now: Millis,
    ) -> StoreResult<PauseType> {
        let mut tx = self.begin_for(company_id).await?;
        let position: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(position) + 1, 0) FROM pause_types WHERE company_id = $1",
        )
        .bind(company_id)
        .fetch_one(&mut *tx)
        .await?;
        let p = PauseType {
            id: new_id("pau"),
            name: name.to_owned(),
            paid,
            archived: false,
            position,
        };
        sqlx::query(
            "INSERT INTO pause_types (id, company_id, name, paid, archived, created_at, position) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&p.id)
        .bind(company_id)
        .bind(name)
        .bind(paid)
        .bind(false)
        .bind(now)
        .bind(position)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(p)
    }

    async fn update_pause_type(
        &self,
        company_id: &str,
        id: &str,
        name: Option<&str>,
        paid: Option<bool>,
        position: Option<usize>,
    ) -> StoreResult<Option<PauseType>> {
        let mut tx = self.begin_for(company_id).await?;
        let changed = sqlx::query(
            "UPDATE pause_types SET name = COALESCE($3, name), paid = COALESCE($4, paid) \
             WHERE company_id = $1 AND id = $2",
        )
        .bind(company_id)
        .bind(id)
        .bind(name)
        .bind(paid)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Ok(None);
        }
        if let Some(to) = position {
            let all = pause_types_of(&mut *tx, company_id, None).await?;
            let ids: Vec<&str> = all.iter().map(|p| p.id.as_str()).collect();
            let order = hovor_core::ordering::move_to(&ids, &id, to).unwrap_or(ids);
            for (place, (moved, before)) in order.iter().zip(&all).enumerate() {
                let place = place as i64;
                if *moved != before.id || before.position != place {
                    sqlx::query(
                        "UPDATE pause_types SET position = $3 WHERE company_id = $1 AND id = $2",
                    )
                    .bind(company_id)
                    .bind(*moved)
                    .bind(place)
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        let updated = pause_types_of(&mut *tx, company_id, Some(id)).await?;
        tx.commit().await?;
        Ok(updated.into_iter().next())
    }

    async fn archive_pause_type(&self, company_id: &str, id: &str) -> StoreResult<bool> {
        let done =
            sqlx::query("UPDATE pause_types SET archived = $3 WHERE company_id = $1 AND id = $2")
                .bind(company_id)
                .bind(id)
                .bind(true)
                .execute(self.writer())
                .await?;
        Ok(done.rows_affected() > 0)
    }
}
