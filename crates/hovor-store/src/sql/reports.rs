//! What the supervisors' reports read: history, acceptances and waits over
//! a window, from the reader.

use async_trait::async_trait;
use hovor_core::reports::queue::Waited;
use hovor_core::session::EndReason;
use hovor_core::{Cause, HistorySpan, Millis, Presence, Status};
use sqlx::Row;

use super::rows::{self, SESSION_COLUMNS};
use super::{Backend, DbRow};
use crate::error::corrupt;
use crate::{HistoryRow, QueueFilter, ReportGroup, ReportStore, SessionRow, StoreResult};

fn presence(row: &DbRow) -> StoreResult<Presence> {
    let text: String = row.try_get("presence")?;
    Presence::parse(&text).ok_or_else(|| corrupt("presence", &text))
}

fn history_row(row: &DbRow) -> StoreResult<HistoryRow> {
    let status: String = row.try_get("status")?;
    let cause: String = row.try_get("cause")?;
    Ok(HistoryRow {
        operator_id: row.try_get("user_id")?,
        operator_name: row.try_get("user_name")?,
        presence: presence(row)?,
        status: Status::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        pause_type: rows::pause_ref(row)?,
        cause: Cause::parse(&cause).ok_or_else(|| corrupt("cause", &cause))?,
        started_at: row.try_get("started_at")?,
        ended_at: row.try_get("ended_at")?,
        changed_by_name: row.try_get("changed_by_name")?,
    })
}

fn waited(row: &DbRow) -> StoreResult<Waited> {
    let reason: Option<String> = row.try_get("end_reason")?;
    Ok(Waited {
        created_at: row.try_get("created_at")?,
        accepted_at: row.try_get("accepted_at")?,
        ended_at: row.try_get("ended_at")?,
        end_reason: match reason {
            Some(r) => Some(EndReason::parse(&r).ok_or_else(|| corrupt("end reason", &r))?),
            None => None,
        },
    })
}

#[async_trait]
impl ReportStore for Backend {
    async fn report_group(
        &self,
        company_id: &str,
        group_id: &str,
    ) -> StoreResult<Option<ReportGroup>> {
        let Some(row) =
            sqlx::query("SELECT id, name, builtin FROM groups WHERE company_id = $1 AND id = $2")
                .bind(company_id)
                .bind(group_id)
                .fetch_optional(self.reader())
                .await?
        else {
            return Ok(None);
        };
        let members = sqlx::query(
            "SELECT m.user_id AS id FROM group_members m JOIN users u ON u.id = m.user_id \
             WHERE m.group_id = $1 AND u.company_id = $2 AND u.active ORDER BY m.user_id",
        )
        .bind(group_id)
        .bind(company_id)
        .fetch_all(self.reader())
        .await?;
        Ok(Some(ReportGroup {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            builtin: row.try_get("builtin")?,
            members: members.iter().map(rows::id).collect::<StoreResult<_>>()?,
        }))
    }

    async fn company_history_spans(
        &self,
        company_id: &str,
        from: Millis,
        to: Millis,
    ) -> StoreResult<Vec<(String, HistorySpan)>> {
        let rows = sqlx::query(
            "SELECT user_id, presence, pause_type_id, started_at, ended_at FROM state_history \
             WHERE company_id = $1 AND started_at < $3 AND (ended_at IS NULL OR ended_at > $2) \
             ORDER BY user_id, n",
        )
        .bind(company_id)
        .bind(from)
        .bind(to)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("user_id")?,
                    HistorySpan {
                        presence: presence(r)?,
                        pause_type_id: r.try_get("pause_type_id")?,
                        started_at: r.try_get("started_at")?,
                        ended_at: r.try_get("ended_at")?,
                    },
                ))
            })
            .collect()
    }

    async fn acceptances(
        &self,
        company_id: &str,
        from: Millis,
        to: Millis,
    ) -> StoreResult<Vec<(String, Millis)>> {
        let rows = sqlx::query(
            "SELECT operator_id, accepted_at FROM sessions WHERE company_id = $1 \
             AND accepted_at >= $2 AND accepted_at < $3 AND operator_id IS NOT NULL",
        )
        .bind(company_id)
        .bind(from)
        .bind(to)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("operator_id")?, r.try_get("accepted_at")?)))
            .collect()
    }

    async fn queue_waits(
        &self,
        company_id: &str,
        filter: QueueFilter<'_>,
        from: Millis,
        to: Millis,
    ) -> StoreResult<Vec<Waited>> {
        // A wait ends when the session is accepted, or when it ends unaccepted.
        let rows = sqlx::query(
            "SELECT created_at, accepted_at, ended_at, end_reason FROM sessions \
             WHERE company_id = $1 AND ($2 IS NULL OR group_id = $2) \
             AND ($3 IS NULL OR channel = $3) AND created_at < $5 \
             AND (created_at >= $4 OR COALESCE(accepted_at, ended_at) IS NULL \
                  OR COALESCE(accepted_at, ended_at) > $4) \
             ORDER BY created_at, id",
        )
        .bind(company_id)
        .bind(filter.group_id)
        .bind(filter.channel.map(|c| c.as_str()))
        .bind(from)
        .bind(to)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(waited).collect()
    }

    async fn history_rows(
        &self,
        company_id: &str,
        operator_id: Option<&str>,
        from: Millis,
        to: Millis,
        limit: i64,
    ) -> StoreResult<Vec<HistoryRow>> {
        let rows = sqlx::query(
            "SELECT h.user_id, u.name AS user_name, h.presence, h.status, h.pause_type_id, \
             p.name AS pause_name, p.paid AS pause_paid, h.cause, h.started_at, h.ended_at, \
             b.name AS changed_by_name \
             FROM state_history h JOIN users u ON u.id = h.user_id \
             LEFT JOIN pause_types p ON p.id = h.pause_type_id \
             LEFT JOIN users b ON b.id = h.changed_by \
             WHERE h.company_id = $1 AND ($2 IS NULL OR h.user_id = $2) AND h.started_at < $4 \
             AND (h.ended_at IS NULL OR h.ended_at > $3) \
             ORDER BY u.name, h.user_id, h.n LIMIT $5",
        )
        .bind(company_id)
        .bind(operator_id)
        .bind(from)
        .bind(to)
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(history_row).collect()
    }

    async fn session_rows(
        &self,
        company_id: &str,
        group_id: Option<&str>,
        from: Millis,
        to: Millis,
        limit: i64,
    ) -> StoreResult<Vec<SessionRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {SESSION_COLUMNS}, g.name AS group_name, o.name AS operator_name \
             FROM sessions s LEFT JOIN groups g ON g.id = s.group_id \
             LEFT JOIN users o ON o.id = s.operator_id \
             WHERE s.company_id = $1 AND ($2 IS NULL OR s.group_id = $2) \
             AND s.created_at >= $3 AND s.created_at < $4 \
             ORDER BY s.created_at, s.id LIMIT $5"
        ))
        .bind(company_id)
        .bind(group_id)
        .bind(from)
        .bind(to)
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SessionRow {
                    session: rows::session(r)?,
                    group_name: r.try_get("group_name")?,
                    operator_name: r.try_get("operator_name")?,
                })
            })
            .collect()
    }
}
