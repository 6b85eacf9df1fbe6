//! The supervisor's wallboard: who has what now, and today's counts.

use std::collections::HashMap;

use async_trait::async_trait;
use hovor_core::wallboard::Queued;
use hovor_core::{Channel, Millis};
use sqlx::Row;

use super::{Backend, DbRow};
use crate::{StoreResult, WallboardCounts, WallboardStore};

/// `(key, n)` rows as a map.
fn counts(rows: &[DbRow]) -> StoreResult<HashMap<String, i64>> {
    rows.iter()
        .map(|r| Ok((r.try_get("k")?, r.try_get("n")?)))
        .collect()
}

#[async_trait]
impl WallboardStore for Backend {
    async fn wallboard_counts(
        &self,
        company_id: &str,
        day_start: Millis,
    ) -> StoreResult<WallboardCounts> {
        let db = self.reader();
        let mut out = WallboardCounts::default();
        let open = sqlx::query(
            "SELECT group_id, channel, status, queued_at, operator_id, offered_to FROM sessions \
             WHERE company_id = $1 AND status IN ('waiting', 'offered', 'active')",
        )
        .bind(company_id)
        .fetch_all(db)
        .await?;
        for r in &open {
            let status: String = r.try_get("status")?;
            let Some(channel) = Channel::parse(&r.try_get::<String, _>("channel")?) else {
                continue;
            };
            if status == "active" {
                if let Some(who) = r.try_get::<Option<String>, _>("operator_id")? {
                    *out.active
                        .entry(who)
                        .or_default()
                        .entry(channel)
                        .or_default() += 1;
                }
                continue;
            }
            if let Some(who) = r.try_get::<Option<String>, _>("offered_to")? {
                *out.offered.entry(who).or_default() += 1;
            }
            out.queued.push(Queued {
                group_id: r.try_get("group_id")?,
                channel,
                since: r.try_get("queued_at")?,
            });
        }
        out.missed = counts(
            &sqlx::query(
                "SELECT operator_id AS k, COUNT(*) AS n FROM offer_misses \
                 WHERE company_id = $1 AND missed_at >= $2 GROUP BY operator_id",
            )
            .bind(company_id)
            .bind(day_start)
            .fetch_all(db)
            .await?,
        )?;
        out.handled = counts(
            &sqlx::query(
                "SELECT operator_id AS k, COUNT(*) AS n FROM sessions \
                 WHERE company_id = $1 AND accepted_at >= $2 AND operator_id IS NOT NULL \
                 GROUP BY operator_id",
            )
            .bind(company_id)
            .bind(day_start)
            .fetch_all(db)
            .await?,
        )?;
        out.answered = counts(
            &sqlx::query(
                "SELECT group_id AS k, COUNT(*) AS n FROM sessions \
                 WHERE company_id = $1 AND accepted_at >= $2 GROUP BY group_id",
            )
            .bind(company_id)
            .bind(day_start)
            .fetch_all(db)
            .await?,
        )?;
        out.abandoned = counts(
            &sqlx::query(
                "SELECT group_id AS k, COUNT(*) AS n FROM sessions \
                 WHERE company_id = $1 AND ended_at >= $2 AND end_reason = 'abandoned' \
                 GROUP BY group_id",
            )
            .bind(company_id)
            .bind(day_start)
            .fetch_all(db)
            .await?,
        )?;
        Ok(out)
    }

    async fn record_missed_offer(
        &self,
        company_id: &str,
        session_id: &str,
        operator_id: &str,
        now: Millis,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO offer_misses (company_id, session_id, operator_id, missed_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(company_id)
        .bind(session_id)
        .bind(operator_id)
        .bind(now)
        .execute(self.writer())
        .await?;
        Ok(())
    }
}
