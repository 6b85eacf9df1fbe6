//! The nodes of a cluster, their leases, and the connections each holds.

use std::collections::BTreeMap;

use async_trait::async_trait;
use hovor_core::{Command, Millis};
use sqlx::{QueryBuilder, Row};

use super::status::NodeMove;
use super::{Backend, Db};
use crate::{Committed, Gauges, NodeStore, StateChange, StoreResult};

fn ids(rows: &[super::DbRow], column: &str) -> StoreResult<Vec<String>> {
    rows.iter()
        .map(|r| Ok(r.try_get::<String, _>(column)?))
        .collect()
}

#[async_trait]
impl NodeStore for Backend {
    async fn register_node(&self, node: &str, now: Millis, lease_until: Millis) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO nodes (id, started_at, lease_until) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET lease_until = excluded.lease_until",
        )
        .bind(node)
        .bind(now)
        .bind(lease_until)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    async fn renew_node(&self, node: &str, lease_until: Millis) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE nodes SET lease_until = $2 WHERE id = $1")
            .bind(node)
            .bind(lease_until)
            .execute(self.writer())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn live_nodes(&self, me: &str, now: Millis) -> StoreResult<Vec<String>> {
        let rows = sqlx::query("SELECT id FROM nodes WHERE id <> $1 AND lease_until >= $2")
            .bind(me)
            .bind(now)
            .fetch_all(self.writer())
            .await?;
        ids(&rows, "id")
    }

    async fn expired_nodes(&self, me: &str, now: Millis) -> StoreResult<Vec<String>> {
        let rows = sqlx::query("SELECT id FROM nodes WHERE id <> $1 AND lease_until < $2")
            .bind(me)
            .bind(now)
            .fetch_all(self.writer())
            .await?;
        ids(&rows, "id")
    }

    async fn node_operators(&self, node: &str) -> StoreResult<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT company_id, stream FROM node_connections \
             WHERE node_id = $1 AND kind = 'operator' ORDER BY company_id, stream",
        )
        .bind(node)
        .fetch_all(self.writer())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("company_id")?, r.try_get("stream")?)))
            .collect()
    }

    async fn release_node_operator(
        &self,
        node: &str,
        company_id: &str,
        user_id: &str,
        now: Millis,
    ) -> StoreResult<Committed<StateChange>> {
        // The count is read (and removed) inside the state's transaction.
        let placeholder = Command::LoseConnections { count: 0 };
        self.apply_command(
            company_id,
            user_id,
            placeholder,
            NodeMove::Release(node),
            None,
            now,
        )
        .await
    }

    async fn release_node_clients(&self, node: &str, now: Millis) -> StoreResult<u64> {
        let mut tx = self.begin().await?;
        // Taken first: a node releasing the same dead node at the same time
        // finds nothing left to take.
        let taken = sqlx::query(
            "DELETE FROM node_connections WHERE node_id = $1 AND kind = 'client' \
             RETURNING stream, connections",
        )
        .bind(node)
        .fetch_all(&mut *tx)
        .await?;
        let mut by_count: BTreeMap<i64, Vec<String>> = BTreeMap::new();
        for row in &taken {
            by_count
                .entry(row.try_get("connections")?)
                .or_default()
                .push(row.try_get("stream")?);
        }
        let mut touched = 0;
        for (count, sessions) in by_count {
            for chunk in sessions.chunks(500) {
                let mut update = QueryBuilder::<Db>::new(
                    "UPDATE sessions SET client_leaving = FALSE, client_seen_at = ",
                );
                update
                    .push_bind(now)
                    .push(", client_connections = CASE WHEN client_connections > ")
                    .push_bind(count)
                    .push(" THEN client_connections - ")
                    .push_bind(count)
                    .push(" ELSE 0 END WHERE id IN (");
                let mut list = update.separated(", ");
                for id in chunk {
                    list.push_bind(id.as_str());
                }
                update.push(")");
                touched += update.build().execute(&mut *tx).await?.rows_affected();
            }
        }
        tx.commit().await?;
        Ok(touched)
    }

    async fn remove_node(&self, node: &str) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM node_connections WHERE node_id = $1")
            .bind(node)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM nodes WHERE id = $1")
            .bind(node)
            .execute(&mut *tx)
            .await?;
        // Its claims on webhooks go too: another node delivers now.
        sqlx::query(
            "UPDATE webhooks SET claimed_by = NULL, claimed_until = 0 WHERE claimed_by = $1",
        )
        .bind(node)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn gauges(&self) -> StoreResult<Gauges> {
        let row = sqlx::query(
            "SELECT \
             (SELECT COUNT(*) FROM sessions WHERE status = 'waiting') AS waiting, \
             (SELECT COUNT(*) FROM sessions WHERE status = 'offered') AS offered, \
             (SELECT COUNT(*) FROM sessions WHERE status = 'active') AS active, \
             (SELECT CAST(COALESCE(SUM(s.last_seq - w.cursor_seq), 0) AS BIGINT) \
              FROM webhooks w JOIN streams s ON s.stream = 'wh_' || w.company_id \
              WHERE w.active AND w.deleted_at IS NULL AND s.last_seq > w.cursor_seq) AS backlog",
        )
        .fetch_one(self.reader())
        .await?;
        Ok(Gauges {
            waiting: row.try_get("waiting")?,
            offered: row.try_get("offered")?,
            active: row.try_get("active")?,
            webhook_backlog: row.try_get("backlog")?,
        })
    }

    async fn remove_other_nodes(&self, me: &str) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM node_connections WHERE node_id <> $1")
            .bind(me)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM nodes WHERE id <> $1")
            .bind(me)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE webhooks SET claimed_by = NULL, claimed_until = 0 \
             WHERE claimed_by IS NOT NULL AND claimed_by <> $1",
        )
        .bind(me)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
