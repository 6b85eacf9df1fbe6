//! Channel assignments and their switches.

use async_trait::async_trait;
use hovor_core::{Channel, ChannelSetting, Millis};
use sqlx::Row;

use super::event_log::Outgoing;
use super::rows;
use super::{Backend, Db, Tx};
use crate::{
    Change, ChannelStore, Committed, OperatorChannelsChanged, RealtimeEvent, StoreError,
    StoreResult, UserRef, WebhookEvent,
};

/// A user's assigned channels, in channel order.
async fn channels_of<'e, E>(
    executor: E,
    company_id: &str,
    user_id: &str,
) -> StoreResult<Vec<ChannelSetting>>
where
    E: sqlx::Executor<'e, Database = Db>,
{
    let rows = sqlx::query(
        "SELECT channel, capacity, enabled FROM operator_channels \
         WHERE company_id = $1 AND user_id = $2",
    )
    .bind(company_id)
    .bind(user_id)
    .fetch_all(executor)
    .await?;
    let mut list = rows
        .iter()
        .map(rows::channel)
        .collect::<StoreResult<Vec<_>>>()?;
    list.sort_by_key(|c| c.channel);
    Ok(list)
}

async fn name_of(tx: &mut Tx, user_id: &str) -> StoreResult<String> {
    Ok(sqlx::query("SELECT name FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(&mut **tx)
        .await?
        .try_get("name")?)
}

/// Tells the user and their watchers (and webhooks) the user's channels,
/// and who changed them when it was someone else (`by`).
async fn announce_channels(
    tx: &mut Tx,
    company_id: &str,
    user_id: &str,
    by: Option<&str>,
    now: Millis,
) -> StoreResult<(Vec<ChannelSetting>, Vec<Change>)> {
    let channels = channels_of(&mut **tx, company_id, user_id).await?;
    let name = name_of(tx, user_id).await?;
    let changed_by = match by.filter(|by| *by != user_id) {
        Some(by) => Some(UserRef {
            id: by.to_owned(),
            name: name_of(tx, by).await?,
        }),
        None => None,
    };
    let data = OperatorChannelsChanged {
        operator_id: user_id.to_owned(),
        name,
        channels: channels.clone(),
        changed_by,
    };
    let mut out = Outgoing::new();
    let realtime = RealtimeEvent::OperatorChannelChanged(data.clone());
    out.about_operator(company_id, user_id, realtime, now);
    out.webhook(company_id, WebhookEvent::OperatorChannelChanged(data), now);
    let mut changes = out.write(tx).await?;
    changes.push(Change::OperatorChannels {
        company_id: company_id.to_owned(),
        user_id: user_id.to_owned(),
    });
    Ok((channels, changes))
}

#[async_trait]
impl ChannelStore for Backend {
    async fn channels(&self, company_id: &str, user_id: &str) -> StoreResult<Vec<ChannelSetting>> {
        channels_of(self.reader(), company_id, user_id).await
    }

    async fn company_channels(
        &self,
        company_id: &str,
    ) -> StoreResult<Vec<(String, ChannelSetting)>> {
        let rows = sqlx::query(
            "SELECT user_id, channel, capacity, enabled FROM operator_channels \
             WHERE company_id = $1",
        )
        .bind(company_id)
        .fetch_all(self.reader())
        .await?;
        let mut list = rows
            .iter()
            .map(|r| Ok((r.try_get::<String, _>("user_id")?, rows::channel(r)?)))
            .collect::<StoreResult<Vec<_>>>()?;
        list.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.channel.cmp(&b.1.channel)));
        Ok(list)
    }

    async fn assign_channels(
        &self,
        company_id: &str,
        user_id: &str,
        assigned: &[(Channel, u32)],
        by: Option<&str>,
        now: Millis,
    ) -> StoreResult<Committed<Vec<ChannelSetting>>> {
        let mut tx = self.begin_for(company_id).await?;
        let exists = sqlx::query("SELECT id FROM users WHERE company_id = $1 AND id = $2")
            .bind(company_id)
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound);
        }
        for channel in Channel::ALL {
            match assigned.iter().find(|(c, _)| *c == channel) {
                // Newly assigned channels start switched on; kept ones keep
                // their switch.
                Some((_, capacity)) => {
                    sqlx::query(
                        "INSERT INTO operator_channels (user_id, company_id, channel, capacity, \
                         enabled) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, channel) \
                         DO UPDATE SET capacity = excluded.capacity",
                    )
                    .bind(user_id)
                    .bind(company_id)
                    .bind(channel.as_str())
                    .bind(i64::from(*capacity))
                    .bind(true)
                    .execute(&mut *tx)
                    .await?;
                }
                None => {
                    sqlx::query(
                        "DELETE FROM operator_channels WHERE user_id = $1 AND channel = $2",
                    )
                    .bind(user_id)
                    .bind(channel.as_str())
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        let (channels, changes) = announce_channels(&mut tx, company_id, user_id, by, now).await?;
        tx.commit().await?;
        Ok(Committed::new(channels, changes))
    }

    async fn set_channel_enabled(
        &self,
        company_id: &str,
        user_id: &str,
        channel: Channel,
        enabled: bool,
        by: Option<&str>,
        now: Millis,
    ) -> StoreResult<Committed<Vec<ChannelSetting>>> {
        let mut tx = self.begin_for(company_id).await?;
        let done = sqlx::query(
            "UPDATE operator_channels SET enabled = $4 \
             WHERE company_id = $1 AND user_id = $2 AND channel = $3",
        )
        .bind(company_id)
        .bind(user_id)
        .bind(channel.as_str())
        .bind(enabled)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let (channels, changes) = announce_channels(&mut tx, company_id, user_id, by, now).await?;
        tx.commit().await?;
        Ok(Committed::new(channels, changes))
    }
}
