//! Loading, locking and inserting session rows: what every domain that
//! changes a session (sessions, messages, routing, invitations, telephony)
//! starts with.

use hovor_core::Millis;

use hovor_core::call::{Call, CallState, Media, Party};
use hovor_core::Channel;

use super::rows::{self, SESSION_COLUMNS, SESSION_RETURNING};
use super::{Backend, Db, DbRow, Tx};
use crate::{new_id, NewSession, Session, StoreError, StoreResult};

/// Stores a new session, waiting in the queue of `group_id`.
pub(crate) async fn insert_session(
    tx: &mut Tx,
    new: &NewSession,
    group_id: &str,
    at: Millis,
) -> StoreResult<Session> {
    let id = new_id("ses");
    let row = sqlx::query(&format!(
        "INSERT INTO sessions (id, company_id, channel, source, status, group_id, \
         target_operator_id, operator_id, offered_to, offer_deadline, client_name, \
         client_email, client_phone, page_url, client_token_hash, created_at, queued_at, \
         preferred_operator_id, call_state, call_media, call_by, call_since, visitor_hash) \
         VALUES ($1, $2, $3, $4, 'waiting', $5, $6, NULL, NULL, NULL, $7, $8, $9, $10, $11, \
         $12, $12, $13, $14, $15, $16, $17, $18) {SESSION_RETURNING}"
    ))
    .bind(&id)
    .bind(&new.company_id)
    .bind(new.channel.as_str())
    .bind(new.source.as_str())
    .bind(group_id)
    .bind(&new.target_operator_id)
    .bind(&new.client.name)
    .bind(&new.client.email)
    .bind(&new.client.phone)
    .bind(&new.page_url)
    .bind(&new.client_token_hash)
    .bind(at)
    .bind(&new.preferred_operator_id)
    .bind(new.call_media.map(|_| CallState::Proposed.as_str()))
    .bind(new.call_media.map(Media::as_str))
    .bind(new.call_media.map(|_| Party::Client.as_str()))
    .bind(new.call_media.map(|_| at))
    .bind(&new.visitor_hash)
    .fetch_one(&mut **tx)
    .await?;
    rows::session(&row)
}

/// One session, by a condition on `s` binding `$1` (and `$2`).
pub(crate) async fn session_where<'e, E>(
    executor: E,
    condition: &str,
    first: &str,
    second: Option<&str>,
) -> StoreResult<Option<Session>>
where
    E: sqlx::Executor<'e, Database = Db>,
{
    let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions s WHERE {condition}");
    let mut query = sqlx::query(&sql).bind(first);
    if let Some(second) = second {
        query = query.bind(second);
    }
    let row = query.fetch_optional(executor).await?;
    row.as_ref().map(rows::session).transpose()
}

/// Loads a session of the company, locking it for this transaction.
pub(crate) async fn locked_session(
    tx: &mut Tx,
    company_id: &str,
    id: &str,
) -> StoreResult<Session> {
    let condition = format!("s.company_id = $1 AND s.id = $2{}", Backend::LOCK);
    session_where(&mut **tx, &condition, company_id, Some(id))
        .await?
        .ok_or(StoreError::NotFound)
}

/// The session an `UPDATE … RETURNING` wrote; `None` when its condition
/// matched no row.
pub(crate) fn written_session(row: Option<DbRow>) -> StoreResult<Option<Session>> {
    row.as_ref().map(rows::session).transpose()
}

/// Serialises decisions about one operator (their load) across nodes.
pub(crate) async fn lock_operator(tx: &mut Tx, operator_id: &str) -> StoreResult<()> {
    let sql = format!(
        "SELECT s.user_id FROM operator_states s WHERE s.user_id = $1{}",
        Backend::LOCK
    );
    sqlx::query(&sql)
        .bind(operator_id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(())
}

/// Writes a session's call and channel; returns the row as written.
pub(crate) async fn write_call(
    tx: &mut Tx,
    session_id: &str,
    channel: Channel,
    call: Option<&Call>,
) -> StoreResult<Session> {
    let row = sqlx::query(&format!(
        "UPDATE sessions SET channel = $2, call_state = $3, call_media = $4, call_by = $5, \
         call_since = $6 WHERE id = $1 {SESSION_RETURNING}"
    ))
    .bind(session_id)
    .bind(channel.as_str())
    .bind(call.map(|c| c.state.as_str()))
    .bind(call.map(|c| c.media.as_str()))
    .bind(call.map(|c| c.proposed_by.as_str()))
    .bind(call.map(|c| c.since))
    .fetch_optional(&mut **tx)
    .await?;
    written_session(row)?.ok_or(StoreError::NotFound)
}
