//! Whether each session's client is still there: its open connections, when
//! it was last seen, and whether its page said it was leaving. The rule of
//! when a client is gone is `hovor_core::client_presence`.

use async_trait::async_trait;
use hovor_core::client_presence::ClientPresence;
use hovor_core::session::{EndReason, SessionStatus};
use hovor_core::Millis;
use sqlx::Row;

use super::session_rows::locked_session;
use super::sessions::end_locked;
use super::status::move_node_count;
use super::{Backend, DbRow};
use crate::{ClientPresenceStore, Committed, Session, StoreResult};

/// `node_connections.kind` of a client's connections.
const CLIENT: &str = "client";

/// A session's start stands in for a client never seen since.
const PRESENCE_COLUMNS: &str = "s.client_connections, \
     COALESCE(s.client_seen_at, s.created_at) AS client_seen_at, s.client_leaving";

fn presence(row: &DbRow) -> StoreResult<ClientPresence> {
    Ok(ClientPresence {
        connections: row.try_get("client_connections")?,
        seen_at: row.try_get("client_seen_at")?,
        leaving: row.try_get("client_leaving")?,
    })
}

#[async_trait]
impl ClientPresenceStore for Backend {
    async fn client_connected(&self, session_id: &str, node: &str, now: Millis) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "UPDATE sessions SET client_connections = client_connections + 1, \
             client_seen_at = $2, client_leaving = FALSE WHERE id = $1 RETURNING company_id",
        )
        .bind(session_id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = row {
            let company_id: String = row.try_get("company_id")?;
            move_node_count(&mut tx, node, CLIENT, session_id, &company_id, 1).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn client_disconnected(
        &self,
        session_id: &str,
        node: &str,
        leaving: bool,
        now: Millis,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "UPDATE sessions SET client_connections = CASE WHEN client_connections > 0 \
             THEN client_connections - 1 ELSE 0 END, client_seen_at = $2, client_leaving = $3 \
             WHERE id = $1 RETURNING company_id",
        )
        .bind(session_id)
        .bind(now)
        .bind(leaving)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = row {
            let company_id: String = row.try_get("company_id")?;
            move_node_count(&mut tx, node, CLIENT, session_id, &company_id, -1).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn client_seen(
        &self,
        session_id: &str,
        every_ms: Millis,
        now: Millis,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE sessions SET client_seen_at = $2, client_leaving = FALSE \
             WHERE id = $1 AND status IN ('waiting', 'offered') \
             AND COALESCE(client_seen_at, created_at) <= $3",
        )
        .bind(session_id)
        .bind(now)
        .bind(now.saturating_sub(every_ms))
        .execute(self.writer())
        .await?;
        Ok(())
    }

    async fn clients_without_connection(
        &self,
        seen_before: Millis,
    ) -> StoreResult<Vec<(String, String, ClientPresence)>> {
        let rows = sqlx::query(&format!(
            "SELECT s.company_id, s.id, {PRESENCE_COLUMNS} FROM sessions s \
             WHERE s.status IN ('waiting', 'offered') AND s.client_connections = 0 \
             AND COALESCE(s.client_seen_at, s.created_at) <= $1"
        ))
        .bind(seen_before)
        .fetch_all(self.writer())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("company_id")?, r.try_get("id")?, presence(r)?)))
            .collect()
    }

    async fn client_presence(&self, session_id: &str) -> StoreResult<Option<ClientPresence>> {
        let row = sqlx::query(&format!(
            "SELECT {PRESENCE_COLUMNS} FROM sessions s WHERE s.id = $1"
        ))
        .bind(session_id)
        .fetch_optional(self.writer())
        .await?;
        row.as_ref().map(presence).transpose()
    }

    async fn abandon_if_gone(
        &self,
        company_id: &str,
        session_id: &str,
        gone_after_ms: Millis,
        now: Millis,
    ) -> StoreResult<Committed<Option<Session>>> {
        let mut tx = self.begin_for(company_id).await?;
        let session = locked_session(&mut tx, company_id, session_id).await?;
        let queued = matches!(
            session.status,
            SessionStatus::Waiting | SessionStatus::Offered
        );
        let row = sqlx::query(&format!(
            "SELECT {PRESENCE_COLUMNS} FROM sessions s WHERE s.id = $1"
        ))
        .bind(session_id)
        .fetch_one(&mut *tx)
        .await?;
        if !queued || !presence(&row)?.is_gone(gone_after_ms, now) {
            tx.commit().await?;
            return Ok(Committed::unchanged(None));
        }
        let (ended, changes) = end_locked(&mut tx, &session, EndReason::Abandoned, now).await?;
        tx.commit().await?;
        Ok(Committed::new(Some(ended), changes))
    }

    async fn reset_client_connections(&self, now: Millis) -> StoreResult<u64> {
        // Every queued session, not only those counted as connected: while
        // the node was down no client could connect, so none has been gone
        // for longer than the restart.
        let done = sqlx::query(
            "UPDATE sessions SET client_connections = 0, client_seen_at = $1, \
             client_leaving = FALSE \
             WHERE client_connections > 0 OR status IN ('waiting', 'offered')",
        )
        .bind(now)
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected())
    }
}
