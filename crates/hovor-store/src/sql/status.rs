//! Operators' status: the state machine of `hovor-core` applied to the
//! stored state, its history spans, and the events everyone watching sees.

use async_trait::async_trait;
use hovor_core::{Cause, Command, DomainError, HistorySpan, Millis, Presence, Status};
use sqlx::Row;

use super::companies::pause_types_of;
use super::event_log::Outgoing;
use super::rows::{self, STATE_COLUMNS, USER_COLUMNS};
use super::{Backend, Tx};
use crate::error::corrupt;
use crate::{
    new_id, Change, Committed, HistoryEntry, OperatorStateChanged, PauseTypeRef, RealtimeEvent,
    StateChange, StateView, StatusStore, StoreResult, UserRef, WebhookEvent,
};

/// `SELECT` of states with their users and pause types; `{lock}` locks the
/// state row.
fn states_sql(filter: &str, lock: &str) -> String {
    format!(
        "SELECT {USER_COLUMNS}, {STATE_COLUMNS} FROM operator_states s \
         JOIN users u ON u.id = s.user_id LEFT JOIN pause_types p ON p.id = s.pause_type_id \
         WHERE s.company_id = $1 {filter}{lock}"
    )
}

/// Closes the open history span and opens the next, which starts at
/// `started_at` (or when the open one started, if that is later).
async fn record_history(
    tx: &mut Tx,
    view: &StateView,
    started_at: Millis,
    by: Option<&str>,
) -> StoreResult<()> {
    let user_id = &view.operator.id;
    let last = sqlx::query(
        "SELECT MAX(n) AS n, MAX(CASE WHEN ended_at IS NULL THEN started_at END) AS open_start \
         FROM state_history WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_one(&mut **tx)
    .await?;
    let n: i64 = last.try_get::<Option<i64>, _>("n")?.unwrap_or(0) + 1;
    let open_start: Option<i64> = last.try_get("open_start")?;
    let start = started_at.max(open_start.unwrap_or(i64::MIN));
    sqlx::query("UPDATE state_history SET ended_at = $2 WHERE user_id = $1 AND ended_at IS NULL")
        .bind(user_id)
        .bind(start)
        .execute(&mut **tx)
        .await?;
    let s = &view.state;
    sqlx::query(
        "INSERT INTO state_history (id, company_id, user_id, n, presence, status, \
         pause_type_id, cause, started_at, ended_at, changed_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, $10)",
    )
    .bind(new_id("his"))
    .bind(&view.operator.company_id)
    .bind(user_id)
    .bind(n)
    .bind(s.recorded_presence().as_str())
    .bind(s.status.as_str())
    .bind(&s.pause_type_id)
    .bind(s.cause.as_str())
    .bind(start)
    .bind(by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn save_state(tx: &mut Tx, view: &StateView) -> StoreResult<()> {
    let s = &view.state;
    sqlx::query(
        "UPDATE operator_states SET logged_in = $3, status = $4, pause_type_id = $5, \
         live_connections = $6, disconnected_since = $7, grace_expired = $8, since = $9, \
         cause = $10 WHERE company_id = $1 AND user_id = $2",
    )
    .bind(&view.operator.company_id)
    .bind(&view.operator.id)
    .bind(s.logged_in)
    .bind(s.status.as_str())
    .bind(&s.pause_type_id)
    .bind(i64::from(s.live_connections))
    .bind(s.disconnected_since)
    .bind(s.grace_expired)
    .bind(s.since)
    .bind(s.cause.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The pause type a `SetStatus` names, if it exists and is not archived.
async fn usable_pause_type(tx: &mut Tx, company_id: &str, id: &str) -> StoreResult<PauseTypeRef> {
    let found = pause_types_of(&mut **tx, company_id, Some(id)).await?;
    match found.first() {
        Some(p) if !p.archived => Ok(PauseTypeRef::from(p)),
        _ => Err(DomainError::UnknownPauseType.into()),
    }
}

/// How a state command moves a node's count of the operator's connections.
pub(crate) enum NodeMove<'a> {
    None,
    /// A connection opened (+1) or closed (-1) on this node.
    Add(&'a str, i64),
    /// This (dead) node's connections are lost: the command becomes
    /// `LoseConnections` with their count.
    Release(&'a str),
}

impl Backend {
    /// A state command, with the node's count of connections moved in the
    /// same transaction; `by`: the supervisor or admin who gave it.
    pub(crate) async fn apply_command(
        &self,
        company_id: &str,
        user_id: &str,
        command: Command,
        node: NodeMove<'_>,
        by: Option<&str>,
        now: Millis,
    ) -> StoreResult<Committed<StateChange>> {
        let mut tx = self.begin_for(company_id).await?;
        let row = sqlx::query(&states_sql("AND s.user_id = $2", Backend::LOCK))
            .bind(company_id)
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
        let mut view = rows::state_view(&row.ok_or(crate::StoreError::NotFound)?)?;
        let (command, moved) = match node {
            NodeMove::None => (command, false),
            NodeMove::Add(node, delta) => {
                move_node_count(&mut tx, node, OPERATOR, user_id, company_id, delta).await?;
                (command, true)
            }
            NodeMove::Release(node) => {
                let count = take_node_count(&mut tx, node, OPERATOR, user_id).await?;
                let count = u32::try_from(count.max(0)).unwrap_or(u32::MAX);
                (Command::LoseConnections { count }, true)
            }
        };
        if let Command::SetStatus {
            pause_type_id: Some(pause_id),
            ..
        } = &command
        {
            view.pause_type = Some(usable_pause_type(&mut tx, company_id, pause_id).await?);
        }
        let before = view.state.clone();
        let transition = view.state.apply(command, now)?;
        if view.state.pause_type_id.is_none() {
            view.pause_type = None;
        }
        if view.state == before {
            if moved {
                tx.commit().await?;
            }
            return Ok(Committed::unchanged(StateChange {
                view,
                changed: false,
            }));
        }
        // Connection counts change without anyone seeing it: store them, but
        // tell nobody.
        save_state(&mut tx, &view).await?;
        if transition.record {
            record_history(&mut tx, &view, transition.started_at, by).await?;
        }
        if !transition.changed {
            tx.commit().await?;
            return Ok(Committed::unchanged(StateChange {
                view,
                changed: false,
            }));
        }
        // Tell the operator's own stream and everyone who watches the company.
        let data = OperatorStateChanged {
            operator_id: view.operator.id.clone(),
            name: view.operator.name.clone(),
            state: view.json(),
        };
        let mut out = Outgoing::new();
        let realtime = RealtimeEvent::OperatorStateChanged(data.clone());
        out.about_operator(company_id, user_id, realtime, now);
        out.webhook(company_id, WebhookEvent::OperatorStateChanged(data), now);
        let mut changes = out.write(&mut tx).await?;
        tx.commit().await?;
        changes.push(Change::OperatorState {
            company_id: company_id.to_owned(),
            user_id: user_id.to_owned(),
            presence: view.state.presence(),
        });
        Ok(Committed::new(
            StateChange {
                view,
                changed: true,
            },
            changes,
        ))
    }
}

/// `node_connections.kind` of an operator's connections.
const OPERATOR: &str = "operator";

/// Adds `delta` to a node's count of one stream's connections (a row at
/// zero or below is removed).
pub(crate) async fn move_node_count(
    tx: &mut Tx,
    node: &str,
    kind: &str,
    stream: &str,
    company_id: &str,
    delta: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO node_connections (node_id, kind, stream, company_id, connections) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (node_id, kind, stream) \
         DO UPDATE SET connections = node_connections.connections + excluded.connections",
    )
    .bind(node)
    .bind(kind)
    .bind(stream)
    .bind(company_id)
    .bind(delta)
    .execute(&mut **tx)
    .await?;
    if delta < 0 {
        sqlx::query(
            "DELETE FROM node_connections \
             WHERE node_id = $1 AND kind = $2 AND stream = $3 AND connections <= 0",
        )
        .bind(node)
        .bind(kind)
        .bind(stream)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Removes a node's count of one stream's connections; returns it.
async fn take_node_count(tx: &mut Tx, node: &str, kind: &str, stream: &str) -> StoreResult<i64> {
    let row = sqlx::query(
        "DELETE FROM node_connections WHERE node_id = $1 AND kind = $2 AND stream = $3 \
         RETURNING connections",
    )
    .bind(node)
    .bind(kind)
    .bind(stream)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(match row {
        Some(row) => row.try_get("connections")?,
        None => 0,
    })
}

#[async_trait]
impl StatusStore for Backend {
    async fn operator_state(
        &self,
        company_id: &str,
        user_id: &str,
    ) -> StoreResult<Option<StateView>> {
        let row = sqlx::query(&states_sql("AND s.user_id = $2", ""))
            .bind(company_id)
            .bind(user_id)
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(rows::state_view).transpose()
    }

    async fn operator_states(&self, company_id: &str) -> StoreResult<Vec<StateView>> {
        let rows = sqlx::query(&states_sql("AND u.active ORDER BY u.name, u.id", ""))
            .bind(company_id)
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(rows::state_view).collect()
    }

    async fn apply_state_command(
        &self,
        company_id: &str,
        user_id: &str,
        command: Command,
        now: Millis,
    ) -> StoreResult<Committed<StateChange>> {
        self.apply_command(company_id, user_id, command, NodeMove::None, None, now)
            .await
    }

    async fn apply_state_command_by(
        &self,
        company_id: &str,
        user_id: &str,
        command: Command,
        by: &str,
        now: Millis,
    ) -> StoreResult<Committed<StateChange>> {
        self.apply_command(company_id, user_id, command, NodeMove::None, Some(by), now)
            .await
    }

    async fn connection_changed(
        &self,
        company_id: &str,
        user_id: &str,
        node: &str,
        opened: bool,
        now: Millis,
    ) -> StoreResult<Committed<StateChange>> {
        let (command, delta) = if opened {
            (Command::Connect, 1)
        } else {
            (Command::Disconnect, -1)
        };
        let moved = NodeMove::Add(node, delta);
        self.apply_command(company_id, user_id, command, moved, None, now)
            .await
    }

    async fn disconnected_operators(&self) -> StoreResult<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT company_id, user_id FROM operator_states WHERE logged_in \
             AND live_connections = 0 AND NOT grace_expired AND disconnected_since IS NOT NULL",
        )
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("company_id")?, r.try_get("user_id")?)))
            .collect()
    }

    async fn reset_live_connections(&self, _now: Millis) -> StoreResult<Vec<(String, String)>> {
        let rows = sqlx::query(
            "UPDATE operator_states SET live_connections = 1 WHERE live_connections > 0 \
             RETURNING company_id, user_id",
        )
        .fetch_all(self.writer())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("company_id")?, r.try_get("user_id")?)))
            .collect()
    }

    async fn state_history(
        &self,
        company_id: &str,
        user_id: &str,
        from: Millis,
        to: Millis,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<HistoryEntry>> {
        let rows = sqlx::query(
            "SELECT h.presence, h.status, h.pause_type_id, h.cause, h.started_at, h.ended_at, \
             h.changed_by, b.name AS changed_by_name, \
             p.name AS pause_name, p.paid AS pause_paid FROM state_history h \
             LEFT JOIN pause_types p ON p.id = h.pause_type_id \
             LEFT JOIN users b ON b.id = h.changed_by \
             WHERE h.company_id = $1 AND h.user_id = $2 AND h.started_at < $4 \
             AND (h.ended_at IS NULL OR h.ended_at > $3) \
             ORDER BY h.n DESC LIMIT $5 OFFSET $6",
        )
        .bind(company_id)
        .bind(user_id)
        .bind(from)
        .bind(to)
        .bind(limit)
        .bind(offset)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                let presence: String = r.try_get("presence")?;
                let status: String = r.try_get("status")?;
                let cause: String = r.try_get("cause")?;
                Ok(HistoryEntry {
                    presence: Presence::parse(&presence)
                        .ok_or_else(|| corrupt("presence", &presence))?
                        .as_str(),
                    status: Status::parse(&status)
                        .ok_or_else(|| corrupt("status", &status))?
                        .as_str(),
                    pause_type: rows::pause_ref(r)?,
                    cause: Cause::parse(&cause)
                        .ok_or_else(|| corrupt("cause", &cause))?
                        .as_str(),
                    started_at: r.try_get("started_at")?,
                    ended_at: r.try_get("ended_at")?,
                    changed_by: match (
                        r.try_get::<Option<String>, _>("changed_by")?,
                        r.try_get::<Option<String>, _>("changed_by_name")?,
                    ) {
                        (Some(id), Some(name)) => Some(UserRef { id, name }),
                        _ => None,
                    },
                })
            })
            .collect()
    }

    async fn history_spans(
        &self,
        company_id: &str,
        user_id: &str,
        from: Millis,
        to: Millis,
    ) -> StoreResult<Vec<HistorySpan>> {
        let rows = sqlx::query(
            "SELECT presence, pause_type_id, started_at, ended_at FROM state_history \
             WHERE company_id = $1 AND user_id = $2 AND started_at < $4 \
             AND (ended_at IS NULL OR ended_at > $3) ORDER BY n",
        )
        .bind(company_id)
        .bind(user_id)
        .bind(from)
        .bind(to)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                let presence: String = r.try_get("presence")?;
                Ok(HistorySpan {
                    presence: Presence::parse(&presence)
                        .ok_or_else(|| corrupt("presence", &presence))?,
                    pause_type_id: r.try_get("pause_type_id")?,
                    started_at: r.try_get("started_at")?,
                    ended_at: r.try_get("ended_at")?,
                })
            })
            .collect()
    }
}
