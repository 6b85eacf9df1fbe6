//! After-chat work: a rest starts inside the transaction that ends the
//! conversation, is read by routing as "this channel is held back", and ends
//! by itself (its `ends_at`) or early (`ended_at`).

use std::collections::HashMap;

use async_trait::async_trait;
use hovor_core::after_chat::Rest;
use hovor_core::{Channel, Millis};
use sqlx::Row;

use super::event_log::Outgoing;
use super::{Backend, DbRow, Tx};
use crate::error::corrupt;
use crate::{
    new_id, AfterChatChanged, AfterChatStore, AfterChatWork, Change, Committed, RealtimeEvent,
    Session, StoreError, StoreResult,
};

const COLUMNS: &str = "user_id, session_id, channel, started_at, ends_at, ended_at";

fn work(row: &DbRow) -> StoreResult<AfterChatWork> {
    let channel: String = row.try_get("channel")?;
    Ok(AfterChatWork {
        operator_id: row.try_get("user_id")?,
        session_id: row.try_get("session_id")?,
        channel: Channel::parse(&channel).ok_or_else(|| corrupt("channel", &channel))?,
        started_at: row.try_get("started_at")?,
        ends_at: row.try_get("ends_at")?,
        ended_at: row.try_get("ended_at")?,
    })
}

async fn running_of<'e, E>(
    executor: E,
    user_id: &str,
    now: Millis,
) -> StoreResult<Vec<AfterChatWork>>
where
    E: sqlx::Executor<'e, Database = super::Db>,
{
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM after_chat_work \
         WHERE user_id = $1 AND ended_at IS NULL AND ends_at > $2 ORDER BY started_at, id"
    ))
    .bind(user_id)
    .bind(now)
    .fetch_all(executor)
    .await?;
    rows.iter().map(work).collect()
}

/// The channels each operator of the company rests on at `now`.
pub(crate) async fn resting_channels<'e, E>(
    executor: E,
    company_id: &str,
    now: Millis,
) -> StoreResult<HashMap<String, Vec<Channel>>>
where
    E: sqlx::Executor<'e, Database = super::Db>,
{
    let rows = sqlx::query(
        "SELECT DISTINCT user_id, channel FROM after_chat_work \
         WHERE company_id = $1 AND ended_at IS NULL AND ends_at > $2",
    )
    .bind(company_id)
    .bind(now)
    .fetch_all(executor)
    .await?;
    let mut resting: HashMap<String, Vec<Channel>> = HashMap::new();
    for row in &rows {
        let channel: String = row.try_get("channel")?;
        resting
            .entry(row.try_get("user_id")?)
            .or_default()
            .push(Channel::parse(&channel).ok_or_else(|| corrupt("channel", &channel))?);
    }
    Ok(resting)
}

/// Tells the operator (and supervisors) what holds back their offers now.
async fn announce(
    tx: &mut Tx,
    company_id: &str,
    user_id: &str,
    now: Millis,
) -> StoreResult<Vec<Change>> {
    let after_chat = running_of(&mut **tx, user_id, now).await?;
    let mut out = Outgoing::new();
    let event = RealtimeEvent::OperatorAfterChatChanged(AfterChatChanged {
        operator_id: user_id.to_owned(),
        after_chat,
    });
    out.about_operator(company_id, user_id, event, now);
    let mut changes = out.write(tx).await?;
    // Their facts for routing changed.
    changes.push(Change::OperatorChannels {
        company_id: company_id.to_owned(),
        user_id: user_id.to_owned(),
    });
    Ok(changes)
}

/// Starts the rest a conversation leaves as it ends (the caller's
/// transaction holds its row): for its operator, on its channel, for its
/// group's after-chat time. A running rest of the channel ends now, so rests
/// never overlap. Nothing when the conversation was not held, or the group
/// gives no time.
pub(crate) async fn start_rest(
    tx: &mut Tx,
    session: &Session,
    now: Millis,
) -> StoreResult<Vec<Change>> {
    let Some(operator_id) = session
        .operator_id
        .as_deref()
        .filter(|_| session.status == hovor_core::session::SessionStatus::Active)
    else {
        return Ok(Vec::new());
    };
    let seconds: i64 = sqlx::query("SELECT after_chat_s FROM groups WHERE id = $1")
        .bind(&session.group_id)
        .fetch_optional(&mut **tx)
        .await?
        .map(|r| r.try_get("after_chat_s"))
        .transpose()?
        .unwrap_or(0);
    let seconds = u32::try_from(seconds).unwrap_or(0);
    let Some(rest) = Rest::after(session.channel, seconds, now) else {
        return Ok(Vec::new());
    };
    sqlx::query(
        "UPDATE after_chat_work SET ended_at = $3, ended_by = 'replaced' \
         WHERE user_id = $1 AND channel = $2 AND ended_at IS NULL AND ends_at > $3",
    )
    .bind(operator_id)
    .bind(rest.channel.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO after_chat_work (id, company_id, user_id, session_id, channel, \
         started_at, ends_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id("acw"))
    .bind(&session.company_id)
    .bind(operator_id)
    .bind(&session.id)
    .bind(rest.channel.as_str())
    .bind(rest.started_at)
    .bind(rest.ends_at)
    .execute(&mut **tx)
    .await?;
    announce(tx, &session.company_id, operator_id, now).await
}

#[async_trait]
impl AfterChatStore for Backend {
    async fn running_after_chat(
        &self,
        company_id: &str,
        user_id: &str,
        now: Millis,
    ) -> StoreResult<Vec<AfterChatWork>> {
        let mine = running_of(self.reader(), user_id, now).await?;
        let belongs = sqlx::query("SELECT 1 AS one FROM users WHERE id = $1 AND company_id = $2")
            .bind(user_id)
            .bind(company_id)
            .fetch_optional(self.reader())
            .await?;
        Ok(if belongs.is_some() { mine } else { Vec::new() })
    }

    async fn after_chat_spans(
        &self,
        company_id: &str,
        user_id: Option<&str>,
        from: Millis,
        to: Millis,
    ) -> StoreResult<Vec<AfterChatWork>> {
        let who = if user_id.is_some() {
            " AND user_id = $4"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM after_chat_work WHERE company_id = $1 \
             AND started_at < $3 AND COALESCE(ended_at, ends_at) > $2{who} \
             ORDER BY started_at, id"
        );
        let mut query = sqlx::query(&sql).bind(company_id).bind(from).bind(to);
        if let Some(user_id) = user_id {
            query = query.bind(user_id);
        }
        let rows = query.fetch_all(self.reader()).await?;
        rows.iter().map(work).collect()
    }

    async fn end_after_chat(
        &self,
        company_id: &str,
        user_id: &str,
        now: Millis,
    ) -> StoreResult<Committed<Vec<AfterChatWork>>> {
        let mut tx = self.begin_for(company_id).await?;
        let mut running = running_of(&mut *tx, user_id, now).await?;
        if running.is_empty() {
            tx.commit().await?;
            return Ok(Committed::unchanged(running));
        }
        sqlx::query(
            "UPDATE after_chat_work SET ended_at = $2, ended_by = 'ready' \
             WHERE company_id = $3 AND user_id = $1 AND ended_at IS NULL AND ends_at > $2",
        )
        .bind(user_id)
        .bind(now)
        .bind(company_id)
        .execute(&mut *tx)
        .await?;
        for rest in &mut running {
            rest.ended_at = Some(now);
        }
        let changes = announce(&mut tx, company_id, user_id, now).await?;
        tx.commit().await?;
        Ok(Committed::new(running, changes))
    }

    async fn set_group_after_chat(
        &self,
        company_id: &str,
        group_id: &str,
        seconds: u32,
    ) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE groups SET after_chat_s = $3 WHERE company_id = $1 AND id = $2 \
             AND NOT archived",
        )
        .bind(company_id)
        .bind(group_id)
        .bind(i64::from(seconds))
        .execute(self.writer())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
