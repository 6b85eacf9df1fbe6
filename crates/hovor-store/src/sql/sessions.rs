//! Sessions and their messages. Each change locks the session (and, where
//! load matters, the operator), loads the facts, asks `hovor-core` whether
//! it may happen, writes, and records the events of everyone concerned.

use async_trait::async_trait;
use hovor_core::call::{self, Call, Party};
use hovor_core::queue::{estimated_wait_s, RECENT_WINDOW_MS};
use hovor_core::routing::Waiting;
use hovor_core::routing_book::Place;
use hovor_core::session::{self, AcceptFacts, EndReason, Seat, SessionStatus};
use hovor_core::{Channel, Millis, Refusal};
use sqlx::Row;

use super::after_chat::start_rest;
use super::companies::builtin_group_id;
use super::event_log::Outgoing;
use super::messages::write_system_message;
use super::rows::{self, SESSION_COLUMNS, SESSION_RETURNING};
use super::session_rows::{
    insert_session, lock_operator, locked_session, session_where, write_call, written_session,
};
use super::users::active_user;
use super::{Backend, Db, Tx};
use crate::{
    Change, Committed, EarlierSession, NewSession, QueuePlace, RealtimeEvent, Session,
    SessionDeclined, SessionEvent, SessionFilter, SessionStore, SessionTransferred, SessionUpdate,
    StoreError, StoreResult, TransferTarget, WebhookEvent,
};

/// The operator's seat on the channel, not counting `session_id`. With
/// `switched_on_only`, a switched-off channel has no capacity (offers);
/// otherwise only an unassigned one (accepting).
pub(crate) async fn seat(
    tx: &mut Tx,
    operator_id: &str,
    channel: Channel,
    session_id: &str,
    switched_on_only: bool,
) -> StoreResult<Seat> {
    let capacity: Option<i64> = sqlx::query(
        "SELECT capacity FROM operator_channels \
         WHERE user_id = $1 AND channel = $2 AND (enabled OR $3)",
    )
    .bind(operator_id)
    .bind(channel.as_str())
    .bind(!switched_on_only)
    .fetch_optional(&mut **tx)
    .await?
    .map(|r| r.try_get("capacity"))
    .transpose()?;
    let load = sqlx::query(
        "SELECT COALESCE(SUM(CASE WHEN channel = $2 THEN 1 ELSE 0 END), 0) AS on_channel, \
         COALESCE(SUM(CASE WHEN channel IN ('av', 'phone') THEN 1 ELSE 0 END), 0) AS calls \
         FROM sessions WHERE id <> $3 AND ((status = 'active' AND operator_id = $1) \
         OR (status = 'offered' AND offered_to = $1))",
    )
    .bind(operator_id)
    .bind(channel.as_str())
    .bind(session_id)
    .fetch_one(&mut **tx)
    .await?;
    let count = |column: &str| -> StoreResult<u32> {
        let n: i64 = load.try_get(column)?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    };
    Ok(Seat {
        capacity: capacity.map(|c| u32::try_from(c).unwrap_or(0)),
        load: count("on_channel")?,
        calls: count("calls")?,
    })
}

/// The average time from entering the queue to being accepted over the
/// company's last 20 acceptances since a cutoff (`None` without any), as a
/// subquery: `$1` is the company, `$<cutoff>` the cutoff.
fn recent_average_wait_sql(cutoff: usize) -> String {
    format!(
        "(SELECT CAST(AVG(accepted_at - queued_at) AS BIGINT) FROM \
         (SELECT accepted_at, queued_at FROM sessions \
          WHERE company_id = $1 AND accepted_at IS NOT NULL AND accepted_at >= ${cutoff} \
          ORDER BY accepted_at DESC LIMIT 20) recent)"
    )
}

async fn recent_average_wait(
    conn: &mut <Db as sqlx::Database>::Connection,
    company_id: &str,
    now: Millis,
) -> StoreResult<Option<i64>> {
    Ok(
        sqlx::query(&format!("SELECT {} AS w", recent_average_wait_sql(2)))
            .bind(company_id)
            .bind(now.saturating_sub(RECENT_WINDOW_MS))
            .fetch_one(&mut *conn)
            .await?
            .try_get("w")?,
    )
}

/// Where a queued session stands: its place among the company's queued
/// sessions of its channel, and a wait estimated from recent acceptances
/// (one statement).
pub(crate) async fn place_in(
    conn: &mut <Db as sqlx::Database>::Connection,
    session: &Session,
    now: Millis,
) -> StoreResult<QueuePlace> {
    if !session.status.queued() {
        return Ok(QueuePlace::default());
    }
    let row = sqlx::query(&format!(
        "SELECT (SELECT COUNT(*) FROM sessions WHERE company_id = $1 AND channel = $2 \
         AND status IN ('waiting', 'offered') \
         AND (queued_at, id) < ($3, $4)) AS n, \
         {} AS w",
        recent_average_wait_sql(5)
    ))
    .bind(&session.company_id)
    .bind(session.channel.as_str())
    .bind(session.queued_at)
    .bind(&session.id)
    .bind(now.saturating_sub(RECENT_WINDOW_MS))
    .fetch_one(&mut *conn)
    .await?;
    let ahead: i64 = row.try_get("n")?;
    let average: Option<i64> = row.try_get("w")?;
    let position = ahead + 1;
    Ok(QueuePlace {
        position: Some(position),
        estimated_wait_s: estimated_wait_s(
            position,
            session.status == SessionStatus::Waiting,
            average,
        ),
    })
}

/// Every queued session's place in the company, computed at once: one query
/// numbers the queue per channel, one averages recent waits.
pub(crate) async fn places_of(
    conn: &mut <Db as sqlx::Database>::Connection,
    company_id: &str,
    now: Millis,
) -> StoreResult<Vec<(String, QueuePlace)>> {
    let rows = sqlx::query(
        "SELECT id, status, ROW_NUMBER() OVER (PARTITION BY channel ORDER BY queued_at, id) \
         AS position FROM sessions WHERE company_id = $1 AND status IN ('waiting', 'offered')",
    )
    .bind(company_id)
    .fetch_all(&mut *conn)
    .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let average = recent_average_wait(conn, company_id, now).await?;
    rows.iter()
        .map(|r| {
            let status: String = r.try_get("status")?;
            let position: i64 = r.try_get("position")?;
            Ok((
                r.try_get("id")?,
                QueuePlace {
                    position: Some(position),
                    estimated_wait_s: estimated_wait_s(position, status == "waiting", average),
                },
            ))
        })
        .collect()
}

/// The operators whose part in a session changes, and what they hear in
/// their own stream. The operator who holds the session follows its own
/// stream, so they are not among them (they hear it there).
pub(crate) enum Operators<'a> {
    /// These operators hear `session.changed`: an offer to them was taken
    /// back, they took the session, or it was transferred to them.
    Changed(&'a [Option<String>]),
    /// These operators hear `session.offered` (the one it is offered to).
    Offered(&'a [Option<String>]),
}

/// Records a session change once in the session's own stream, which its
/// client and the operator holding it read (`session.changed` with the
/// client's place in the queue), and in the own stream of each operator
/// whose part in it changes, with where the session's stream stands.
/// (`queue.changed` is not stored: waiting clients learn their new places
/// from the queue hint.)
pub(crate) async fn announce(
    tx: &mut Tx,
    out: &mut Outgoing,
    session: &Session,
    operators: Operators<'_>,
    now: Millis,
) -> StoreResult<()> {
    let place = place_in(tx, session, now).await?;
    let operator_name = match (&session.operator_id, session.status) {
        (Some(id), SessionStatus::Active) => sqlx::query("SELECT name FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?
            .map(|r| r.try_get::<String, _>("name"))
            .transpose()?,
        _ => None,
    };
    announce_with(out, session, place, operator_name, operators, now);
    Ok(())
}

/// [`announce`], the client's place known (a session not held by anyone).
pub(crate) fn announce_at(
    out: &mut Outgoing,
    session: &Session,
    place: QueuePlace,
    operators: Operators<'_>,
    now: Millis,
) {
    announce_with(out, session, place, None, operators, now);
}

fn announce_with(
    out: &mut Outgoing,
    session: &Session,
    place: QueuePlace,
    operator_name: Option<String>,
    operators: Operators<'_>,
    now: Millis,
) {
    let own = RealtimeEvent::SessionChanged(SessionUpdate {
        session: session.clone(),
        queue_position: place.position,
        estimated_wait_s: place.estimated_wait_s,
        operator_name,
        session_seq: None,
    });
    let own_place = out.event(&session.id, own, now);
    out.place(
        &session.company_id,
        &session.id,
        routing_place(session),
        now,
        own_place,
    );
    // Filled in with the seq the session's own event gets.
    let update = SessionUpdate {
        session: session.clone(),
        queue_position: None,
        estimated_wait_s: None,
        operator_name: None,
        session_seq: None,
    };
    let (ids, event) = match operators {
        Operators::Changed(ids) => (ids, RealtimeEvent::SessionChanged(update)),
        Operators::Offered(ids) => (ids, RealtimeEvent::SessionOffered(update)),
    };
    let mut streams: Vec<String> = ids.iter().flatten().cloned().collect();
    streams.sort();
    streams.dedup();
    out.linked(&streams, &event, now, own_place);
}

/// Where the session stands for routing.
pub(crate) fn routing_place(session: &Session) -> Place {
    match session.status {
        SessionStatus::Waiting => Place::Waiting(Waiting {
            session_id: session.id.clone(),
            channel: session.channel,
            group_id: Some(session.group_id.clone()),
            target_operator_id: session.target_operator_id.clone(),
            preferred_operator_id: session.preferred_operator_id.clone(),
            created_at: session.queued_at,
            declined_by: session.declined_by.clone(),
        }),
        SessionStatus::Offered | SessionStatus::Active => {
            match session.offered_to.as_ref().or(session.operator_id.as_ref()) {
                Some(operator_id) => Place::Held {
                    operator_id: operator_id.clone(),
                    channel: session.channel,
                    offered: session.status == SessionStatus::Offered,
                },
                None => Place::Closed,
            }
        }
        SessionStatus::Ended => Place::Closed,
    }
}

/// The fact that a session moved in the company's queue.
pub(crate) fn moved(company_id: &str) -> Change {
    Change::SessionMoved {
        company_id: company_id.to_owned(),
    }
}

/// The session is in its group, or its group is the built-in one.
async fn in_group(tx: &mut Tx, session: &Session, operator_id: &str) -> StoreResult<bool> {
    let row = sqlx::query(
        "SELECT g.builtin, m.user_id FROM groups g \
         LEFT JOIN group_members m ON m.group_id = g.id AND m.user_id = $2 WHERE g.id = $1",
    )
    .bind(&session.group_id)
    .bind(operator_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(match row {
        Some(r) => {
            r.try_get::<bool, _>("builtin")? || r.try_get::<Option<String>, _>("user_id")?.is_some()
        }
        None => false,
    })
}

#[async_trait]
impl SessionStore for Backend {
    async fn create_session(
        &self,
        new: &NewSession,
        queued_ahead: Option<i64>,
        now: Millis,
    ) -> StoreResult<Committed<Session>> {
        // No company lock: a new session locks nothing another transaction
        // holds but its group (shared: it cannot be archived meanwhile) and
        // the stream counters, which every transaction takes last, in order.
        let mut tx = self.begin().await?;
        let group_id = match &new.group_id {
            Some(id) => {
                let row = sqlx::query(&format!(
                    "SELECT s.id FROM groups s WHERE s.company_id = $1 AND s.id = $2 \
                     AND NOT s.archived{}",
                    Backend::SHARE
                ))
                .bind(&new.company_id)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
                rows::id(&row.ok_or(StoreError::NotFound)?)?
            }
            None => builtin_group_id(&new.company_id),
        };
        let session = insert_session(&mut tx, new, &group_id, now).await?;
        let mut out = Outgoing::new();
        match queued_ahead {
            Some(ahead) => {
                let position = ahead + 1;
                let average = recent_average_wait(&mut tx, &session.company_id, now).await?;
                let place = QueuePlace {
                    position: Some(position),
                    estimated_wait_s: estimated_wait_s(position, true, average),
                };
                announce_at(&mut out, &session, place, Operators::Changed(&[]), now);
            }
            None => announce(&mut tx, &mut out, &session, Operators::Changed(&[]), now).await?,
        }
        let webhook = WebhookEvent::SessionCreated(SessionEvent {
            session: session.clone(),
        });
        out.webhook(&session.company_id, webhook, now);
        let mut changes = out.write(&mut tx).await?;
        changes.push(moved(&session.company_id));
        tx.commit().await?;
        Ok(Committed::new(session, changes))
    }

    async fn session(&self, company_id: &str, id: &str) -> StoreResult<Option<Session>> {
        session_where(
            self.reader(),
            "s.company_id = $1 AND s.id = $2",
            company_id,
            Some(id),
        )
        .await
    }

    async fn session_by_token(&self, token_hash: &str) -> StoreResult<Option<Session>> {
        session_where(self.reader(), "s.client_token_hash = $1", token_hash, None).await
    }

    async fn held_by(&self, operator_id: &str, session_ids: &[String]) -> StoreResult<Vec<String>> {
        if session_ids.is_empty() {
            return Ok(Vec::new());
        }
        let places: Vec<String> = (2..session_ids.len() + 2)
            .map(|n| format!("${n}"))
            .collect();
        let sql = format!(
            "SELECT session_id FROM session_holders WHERE operator_id = $1 AND session_id IN ({})",
            places.join(", ")
        );
        let mut query = sqlx::query_scalar::<_, String>(&sql).bind(operator_id);
        for id in session_ids {
            query = query.bind(id);
        }
        Ok(query.fetch_all(self.reader()).await?)
    }

    async fn sessions(
        &self,
        company_id: &str,
        filter: &SessionFilter,
        limit: i64,
    ) -> StoreResult<Vec<Session>> {
        let sql = format!(
            "SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.company_id = $1 \
             AND ($2 IS NULL OR s.status = $2) AND ($3 IS NULL OR s.operator_id = $3) \
             AND ($4 IS NULL OR s.channel = $4) AND ($6 IS NULL OR s.client_phone = $6) \
             ORDER BY s.created_at DESC, s.id DESC LIMIT $5"
        );
        let rows = sqlx::query(&sql)
            .bind(company_id)
            .bind(filter.status.map(SessionStatus::as_str))
            .bind(&filter.operator_id)
            .bind(filter.channel.map(Channel::as_str))
            .bind(limit)
            .bind(&filter.phone)
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(rows::session).collect()
    }

    async fn queued_sessions(&self, company_id: &str) -> StoreResult<Vec<Session>> {
        let sql = format!(
            "SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.company_id = $1 \
             AND s.status IN ('waiting', 'offered') ORDER BY s.queued_at, s.id"
        );
        let rows = sqlx::query(&sql)
            .bind(company_id)
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(rows::session).collect()
    }

    async fn queue_place(&self, session: &Session, now: Millis) -> StoreResult<QueuePlace> {
        let mut conn = self.reader().acquire().await?;
        place_in(&mut conn, session, now).await
    }

    async fn queue_places(
        &self,
        company_id: &str,
        now: Millis,
    ) -> StoreResult<Vec<(String, QueuePlace)>> {
        let mut conn = self.reader().acquire().await?;
        places_of(&mut conn, company_id, now).await
    }

    async fn accept(
        &self,
        company_id: &str,
        session_id: &str,
        operator_id: &str,
        now: Millis,
    ) -> StoreResult<Committed<Session>> {
        let mut tx = self.begin_for(company_id).await?;
        lock_operator(&mut tx, operator_id).await?;
        let session = locked_session(&mut tx, company_id, session_id).await?;
        let needs_group =
            session.status == SessionStatus::Waiting && session.target_operator_id.is_none();
        let in_group = !needs_group || in_group(&mut tx, &session, operator_id).await?;
        let seat = seat(&mut tx, operator_id, session.channel, session_id, false).await?;
        session::may_accept(&AcceptFacts {
            operator_id,
            status: session.status,
            channel: session.channel,
            offered_to: session.offered_to.as_deref(),
            target_operator_id: session.target_operator_id.as_deref(),
            in_group,
            seat,
        })?;
        let row = sqlx::query(&format!(
            "UPDATE sessions SET status = 'active', operator_id = $2, offered_to = NULL, \
             offer_deadline = NULL, accepted_at = $3 \
             WHERE id = $1 AND status IN ('waiting', 'offered') {SESSION_RETURNING}"
        ))
        .bind(session_id)
        .bind(operator_id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(accepted) = written_session(row)? else {
            return Err(Refusal::AlreadyTaken.into());
        };
        sqlx::query(
            "INSERT INTO session_holders (session_id, operator_id) VALUES ($1, $2) \
             ON CONFLICT DO NOTHING",
        )
        .bind(session_id)
        .bind(operator_id)
        .execute(&mut *tx)
        .await?;
        let mut out = Outgoing::new();
        // Taking a session a client started as a call answers the call.
        let accepted = match call::on_accept(accepted.call.map(Call::from).as_ref(), now) {
            Some((started, notice)) => {
                let started = write_call(&mut tx, session_id, Channel::Av, Some(&started)).await?;
                write_system_message(&mut tx, &mut out, &started, (notice, false), now).await?;
                started
            }
            None => accepted,
        };
        let told = [Some(operator_id.to_owned())];
        announce(&mut tx, &mut out, &accepted, Operators::Changed(&told), now).await?;
        let webhook = WebhookEvent::SessionAccepted(SessionEvent {
            session: accepted.clone(),
        });
        out.webhook(company_id, webhook, now);
        let mut changes = out.write(&mut tx).await?;
        changes.push(moved(company_id));
        tx.commit().await?;
        Ok(Committed::new(accepted, changes))
    }

    async fn release_offers(
        &self,
        company_id: &str,
        operator_id: &str,
        channel: Channel,
        except: &str,
        now: Millis,
    ) -> StoreResult<Committed<Vec<Session>>> {
        let mut tx = self.begin_for(company_id).await?;
        lock_operator(&mut tx, operator_id).await?;
        let channels: Vec<&str> = if channel.is_call() {
            Channel::ALL
                .iter()
                .filter(|c| c.is_call())
                .map(|c| c.as_str())
                .collect()
        } else {
            vec![channel.as_str()]
        };
        let mut update = sqlx::QueryBuilder::<Db>::new(
            "UPDATE sessions SET status = 'waiting', offered_to = NULL, offer_deadline = NULL \
             WHERE company_id = ",
        );
        update
            .push_bind(company_id)
            .push(" AND status = 'offered' AND offered_to = ")
            .push_bind(operator_id)
            .push(" AND id <> ")
            .push_bind(except)
            .push(" AND channel IN (");
        let mut list = update.separated(", ");
        for c in &channels {
            list.push_bind(*c);
        }
        update.push(format!(") {SESSION_RETURNING}"));
        let rows = update.build().fetch_all(&mut *tx).await?;
        if rows.is_empty() {
            tx.commit().await?;
            return Ok(Committed::unchanged(Vec::new()));
        }
        let mut released = Vec::with_capacity(rows.len());
        let told = [Some(operator_id.to_owned())];
        let mut out = Outgoing::new();
        for row in &rows {
            let session = rows::session(row)?;
            announce(&mut tx, &mut out, &session, Operators::Changed(&told), now).await?;
            released.push(session);
        }
        let mut changes = out.write(&mut tx).await?;
        changes.push(moved(company_id));
        tx.commit().await?;
        Ok(Committed::new(released, changes))
    }

    async fn decline(
        &self,
        company_id: &str,
        session_id: &str,
        operator_id: &str,
        reason: Option<&str>,
        now: Millis,
    ) -> StoreResult<Committed<Session>> {
        let mut tx = self.begin_for(company_id).await?;
        let session = locked_session(&mut tx, company_id, session_id).await?;
        session::may_decline(session.status, session.offered_to.as_deref(), operator_id)?;
        let declined_by = session::with_decliner(&session.declined_by, operator_id).join(",");
        // A session bound to the decliner (their invitation) is for anyone now.
        let target = session
            .target_operator_id
            .as_deref()
            .filter(|t| *t != operator_id);
        let row = sqlx::query(&format!(
            "UPDATE sessions SET status = 'waiting', offered_to = NULL, offer_deadline = NULL, \
             declined_by = $2, target_operator_id = $3 \
             WHERE id = $1 AND status = 'offered' AND offered_to = $4 {SESSION_RETURNING}"
        ))
        .bind(session_id)
        .bind(&declined_by)
        .bind(target)
        .bind(operator_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(queued) = written_session(row)? else {
            return Err(Refusal::NotOfferedToYou.into());
        };
        sqlx::query(
            "INSERT INTO offer_declines (session_id, operator_id, reason, declined_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(session_id)
        .bind(operator_id)
        .bind(reason)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let told = [Some(operator_id.to_owned())];
        let mut out = Outgoing::new();
        announce(&mut tx, &mut out, &queued, Operators::Changed(&told), now).await?;
        let webhook = WebhookEvent::SessionDeclined(SessionDeclined {
            session: queued.clone(),
            operator_id: operator_id.to_owned(),
            reason: reason.map(str::to_owned),
        });
        out.webhook(company_id, webhook, now);
        let mut changes = out.write(&mut tx).await?;
        changes.push(moved(company_id));
        tx.commit().await?;
        Ok(Committed::new(queued, changes))
    }

    async fn transfer(
        &self,
        company_id: &str,
        session_id: &str,
        target: &TransferTarget,
        note: Option<&str>,
        now: Millis,
    ) -> StoreResult<Committed<Session>> {
        let mut tx = self.begin_for(company_id).await?;
        let session = locked_session(&mut tx, company_id, session_id).await?;
        session::may_transfer(session.status)?;
        let (group_id, target_operator, label) = match target {
            TransferTarget::Group(id) => {
                let row = sqlx::query(
                    "SELECT name FROM groups WHERE company_id = $1 AND id = $2 AND NOT archived",
                )
                .bind(company_id)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?;
                (id.clone(), None, row.try_get::<String, _>("name")?)
            }
            TransferTarget::Operator(id) => {
                let user = active_user(&mut *tx, company_id, id)
                    .await?
                    .ok_or(StoreError::NotFound)?;
                (session.group_id.clone(), Some(id.clone()), user.name)
            }
        };
        let row = sqlx::query(&format!(
            "UPDATE sessions SET status = 'waiting', group_id = $2, target_operator_id = $3, \
             preferred_operator_id = NULL, operator_id = NULL, offered_to = NULL, offer_deadline = NULL, accepted_at = NULL, \
             queued_at = $4 WHERE id = $1 {SESSION_RETURNING}"
        ))
        .bind(session_id)
        .bind(&group_id)
        .bind(&target_operator)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let mut queued = written_session(row)?.ok_or(StoreError::NotFound)?;
        if let Some(current) = queued.call.map(Call::from) {
            // The client's call waits for the next operator; an operator's
            // unanswered proposal leaves with them.
            let next = call::on_transfer(Some(&current), now);
            let channel = if next.is_some() {
                Channel::Av
            } else {
                Channel::Chat
            };
            queued = write_call(&mut tx, session_id, channel, next.as_ref()).await?;
        }
        let notice = session::Notice::transferred(&label, note);
        let mut out = Outgoing::new();
        // The note is for the colleague, not for the client.
        write_system_message(&mut tx, &mut out, &queued, (notice, true), now).await?;
        let told = [session.offered_to.clone(), target_operator];
        announce(&mut tx, &mut out, &queued, Operators::Changed(&told), now).await?;
        let webhook = WebhookEvent::SessionTransferred(SessionTransferred {
            session: queued.clone(),
            note: note.map(str::to_owned),
        });
        out.webhook(company_id, webhook, now);
        let mut changes = out.write(&mut tx).await?;
        changes.push(moved(company_id));
        tx.commit().await?;
        Ok(Committed::new(queued, changes))
    }

    async fn earlier_sessions(
        &self,
        company_id: &str,
        session_id: &str,
        limit: i64,
    ) -> StoreResult<Vec<EarlierSession>> {
        let sql = format!(
            "SELECT {SESSION_COLUMNS}, u.name AS holder_name, \
             CASE WHEN c.visitor_hash IS NOT NULL AND s.visitor_hash = c.visitor_hash THEN 'browser' \
                  WHEN c.client_email IS NOT NULL \
                       AND LOWER(s.client_email) = LOWER(c.client_email) THEN 'email' \
                  ELSE 'phone' END AS matched_by \
             FROM sessions c JOIN sessions s ON s.company_id = c.company_id AND s.id <> c.id \
             AND s.created_at <= c.created_at \
             AND ((c.visitor_hash IS NOT NULL AND s.visitor_hash = c.visitor_hash) \
               OR (c.client_email IS NOT NULL AND LOWER(s.client_email) = LOWER(c.client_email)) \
               OR (c.client_phone IS NOT NULL AND s.client_phone = c.client_phone)) \
             LEFT JOIN users u ON u.id = s.operator_id \
             WHERE c.company_id = $1 AND c.id = $2 \
             ORDER BY s.created_at DESC, s.id DESC LIMIT $3"
        );
        let rows = sqlx::query(&sql)
            .bind(company_id)
            .bind(session_id)
            .bind(limit)
            .fetch_all(self.reader())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(EarlierSession {
                    session: rows::session(r)?,
                    operator_name: r.try_get("holder_name")?,
                    matched_by: r.try_get("matched_by")?,
                })
            })
            .collect()
    }

    async fn end_session(
        &self,
        company_id: &str,
        session_id: &str,
        reason: EndReason,
        by: Option<&str>,
        now: Millis,
    ) -> StoreResult<Committed<Session>> {
        let mut tx = self.begin_for(company_id).await?;
        let session = locked_session(&mut tx, company_id, session_id).await?;
        if session.status == SessionStatus::Ended {
            return Ok(Committed::unchanged(session));
        }
        let mut noted = Vec::new();
        if let Some(by) = by.filter(|by| session.operator_id.as_deref() != Some(*by)) {
            let name = active_user(&mut *tx, company_id, by)
                .await?
                .ok_or(StoreError::NotFound)?
                .name;
            let mut out = Outgoing::new();
            let notice = session::Notice::EndedBy { name };
            write_system_message(&mut tx, &mut out, &session, (notice, true), now).await?;
            noted = out.write(&mut tx).await?;
        }
        let (ended, mut changes) = end_locked(&mut tx, &session, reason, now).await?;
        changes.extend(noted);
        tx.commit().await?;
        Ok(Committed::new(ended, changes))
    }
}

/// Ends a session whose row the caller's transaction holds locked: the row,
/// its announcements (an offer it had is withdrawn from the operator's
/// view), and the `session.ended` webhook.
pub(crate) async fn end_locked(
    tx: &mut Tx,
    session: &Session,
    reason: EndReason,
    now: Millis,
) -> StoreResult<(Session, Vec<Change>)> {
    let company_id = session.company_id.as_str();
    let mut out = Outgoing::new();
    if let Some(current) = session.call.map(Call::from) {
        // The call ends with the conversation.
        let by = match reason {
            EndReason::ClientLeft | EndReason::Abandoned => Party::Client,
            EndReason::OperatorEnded => Party::Operator,
        };
        let notice = call::ended_notice(&current, by, now);
        write_call(tx, &session.id, session.channel, None).await?;
        if session.status == SessionStatus::Active {
            write_system_message(tx, &mut out, session, (notice, false), now).await?;
        }
    }
    let row = sqlx::query(&format!(
        "UPDATE sessions SET status = 'ended', offered_to = NULL, offer_deadline = NULL, \
         ended_at = $2, end_reason = $3 WHERE id = $1 {SESSION_RETURNING}"
    ))
    .bind(&session.id)
    .bind(now)
    .bind(reason.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    let ended = written_session(row)?.ok_or(StoreError::NotFound)?;
    let told = [session.offered_to.clone()];
    announce(tx, &mut out, &ended, Operators::Changed(&told), now).await?;
    let webhook = WebhookEvent::SessionEnded(SessionEvent {
        session: ended.clone(),
    });
    out.webhook(company_id, webhook, now);
    let mut changes = out.write(tx).await?;
    changes.push(moved(company_id));
    // Its operator's after-chat work, if the group gives time for it.
    changes.extend(start_rest(tx, session, now).await?);
    Ok((ended, changes))
}
