//! Groups: the routing targets, with the built-in "All operators".

use async_trait::async_trait;
use hovor_core::group::Strategy;
use hovor_core::{group, Millis, Refusal};
use sqlx::Row;

use super::users::active_user;
use super::{Backend, Db, Tx};
use crate::error::corrupt;
use crate::{new_id, Group, GroupStore, StoreError, StoreResult};

/// Sessions waiting or offered in the group, in a transaction or not.
async fn queued_in<'e, E>(executor: E, group_id: &str) -> StoreResult<i64>
where
    E: sqlx::Executor<'e, Database = Db>,
{
    Ok(sqlx::query(
        "SELECT COUNT(*) AS n FROM sessions \
         WHERE group_id = $1 AND status IN ('waiting', 'offered')",
    )
    .bind(group_id)
    .fetch_one(executor)
    .await?
    .try_get("n")?)
}

/// Whether a live group is the built-in one; `NotFound` for none.
/// Locks the group (a new session shares the lock, so a group is never
/// archived under one); whether it is the built-in one.
async fn builtin(tx: &mut Tx, company_id: &str, id: &str) -> StoreResult<bool> {
    let row = sqlx::query(&format!(
        "SELECT s.builtin FROM groups s WHERE s.company_id = $1 AND s.id = $2 \
         AND NOT s.archived{}",
        Backend::LOCK
    ))
    .bind(company_id)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    Ok(row.try_get("builtin")?)
}

/// Adds members; false (and the transaction is to be dropped) when one is
/// not an active user of the company.
async fn add_members(
    tx: &mut Tx,
    company_id: &str,
    group_id: &str,
    members: &[String],
) -> StoreResult<bool> {
    for member in members {
        if active_user(&mut **tx, company_id, member).await?.is_none() {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO group_members (group_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(group_id)
        .bind(member)
        .execute(&mut **tx)
        .await?;
    }
    Ok(true)
}

#[async_trait]
impl GroupStore for Backend {
    async fn groups(&self, company_id: &str) -> StoreResult<Vec<Group>> {
        let rows = sqlx::query(
            "SELECT id, name, strategy, max_queue, builtin, after_chat_s FROM groups \
             WHERE company_id = $1 AND NOT archived ORDER BY builtin DESC, name, id",
        )
        .bind(company_id)
        .fetch_all(self.reader())
        .await?;
        let members = sqlx::query(
            "SELECT m.group_id, m.user_id FROM group_members m \
             JOIN groups g ON g.id = m.group_id JOIN users u ON u.id = m.user_id \
             WHERE g.company_id = $1 AND u.active ORDER BY m.user_id",
        )
        .bind(company_id)
        .fetch_all(self.reader())
        .await?;
        let members = members
            .iter()
            .map(|r| {
                Ok((
                    r.try_get::<String, _>("group_id")?,
                    r.try_get::<String, _>("user_id")?,
                ))
            })
            .collect::<StoreResult<Vec<_>>>()?;
        rows.iter()
            .map(|r| {
                let id: String = r.try_get("id")?;
                let strategy: String = r.try_get("strategy")?;
                Ok(Group {
                    members: members
                        .iter()
                        .filter(|(g, _)| *g == id)
                        .map(|(_, u)| u.clone())
                        .collect(),
                    id,
                    name: r.try_get("name")?,
                    strategy: Strategy::parse(&strategy)
                        .ok_or_else(|| corrupt("strategy", &strategy))?,
                    max_queue: r.try_get("max_queue")?,
                    builtin: r.try_get("builtin")?,
                    after_chat_s: u32::try_from(r.try_get::<i64, _>("after_chat_s")?).unwrap_or(0),
                })
            })
            .collect()
    }

    async fn create_group(
        &self,
        company_id: &str,
        name: &str,
        members: &[String],
        max_queue: Option<i64>,
        strategy: Strategy,
        now: Millis,
    ) -> StoreResult<Group> {
        let mut tx = self.begin().await?;
        let id = new_id("grp");
        sqlx::query(
            "INSERT INTO groups (id, company_id, name, strategy, max_queue, builtin, created_at) \
             VALUES ($1, $2, $3, $7, $4, $5, $6)",
        )
        .bind(&id)
        .bind(company_id)
        .bind(name)
        .bind(max_queue)
        .bind(false)
        .bind(now)
        .bind(strategy.as_str())
        .execute(&mut *tx)
        .await?;
        if !add_members(&mut tx, company_id, &id, members).await? {
            return Err(StoreError::NotFound);
        }
        tx.commit().await?;
        let mut members = members.to_vec();
        members.sort();
        members.dedup();
        Ok(Group {
            id,
            name: name.to_owned(),
            strategy,
            max_queue,
            members,
            builtin: false,
            after_chat_s: 0,
        })
    }

    async fn update_group(
        &self,
        company_id: &str,
        id: &str,
        name: Option<&str>,
        max_queue: Option<Option<i64>>,
        members: Option<&[String]>,
        strategy: Option<Strategy>,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let builtin = builtin(&mut tx, company_id, id).await?;
        group::may_change(builtin, name.is_some() || members.is_some())?;
        if let Some(name) = name {
            sqlx::query("UPDATE groups SET name = $2 WHERE id = $1")
                .bind(id)
                .bind(name)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(strategy) = strategy {
            sqlx::query("UPDATE groups SET strategy = $2 WHERE id = $1")
                .bind(id)
                .bind(strategy.as_str())
                .execute(&mut *tx)
                .await?;
        }
        if let Some(max_queue) = max_queue {
            sqlx::query("UPDATE groups SET max_queue = $2 WHERE id = $1")
                .bind(id)
                .bind(max_queue)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(members) = members {
            remove_members(&mut tx, id).await?;
            if !add_members(&mut tx, company_id, id, members).await? {
                return Err(Refusal::UnknownMember.into());
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn archive_group(&self, company_id: &str, id: &str) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let builtin = builtin(&mut tx, company_id, id).await?;
        let queued = queued_in(&mut *tx, id).await?;
        group::may_archive(builtin, queued)?;
        sqlx::query("UPDATE groups SET archived = $2 WHERE id = $1")
            .bind(id)
            .bind(true)
            .execute(&mut *tx)
            .await?;
        remove_members(&mut tx, id).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn queued_in_group(&self, group_id: &str) -> StoreResult<i64> {
        queued_in(self.reader(), group_id).await
    }
}

async fn remove_members(tx: &mut Tx, group_id: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM group_members WHERE group_id = $1")
        .bind(group_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
