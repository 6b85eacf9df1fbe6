//! What routing reads, and the offers it makes. An offer rechecks the
//! operator's room inside its transaction: a plan made on a stale snapshot
//! can lose an offer, never over-assign.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use hovor_core::phone::line_of;
use hovor_core::routing::{Candidate, Waiting};
use hovor_core::routing_book::Place;
use hovor_core::session::{seat_has_room, Seat, SessionStatus};
use hovor_core::{Channel, Millis};
use sqlx::{QueryBuilder, Row};

use super::after_chat::resting_channels;
use super::event_log::Outgoing;
use super::rows::{self, SESSION_COLUMNS, SESSION_RETURNING};
use super::session_rows::{locked_session, written_session};
use super::sessions::{announce, announce_at, places_of, routing_place, Operators};
use super::{Backend, Db, Tx};
use crate::error::corrupt;
use crate::{
    Change, ChannelStore, Committed, QueuePlace, RoutingStore, Session, SessionEvent, StatusStore,
    StoreError, StoreResult, TelephonyStore, WebhookEvent,
};

/// What a pass's offers are rechecked against inside their transaction,
/// read for the whole batch in four statements (its operators and sessions
/// locked): who is online, the sessions as they are, the operators' switched
/// on capacities and their load. The plan was made from memory; this is the
/// database's word.
struct Recheck {
    routable: HashSet<String>,
    sessions: HashMap<String, Session>,
    capacity: HashMap<(String, Channel), u32>,
    load: HashMap<String, HashMap<Channel, u32>>,
}

impl Recheck {
    async fn read(
        tx: &mut Tx,
        company_id: &str,
        plan: &[(String, String)],
        now: Millis,
    ) -> StoreResult<Recheck> {
        // Operators, then sessions, each in id order, whoever else locks them.
        let mut operators: Vec<&str> = plan.iter().map(|(_, o)| o.as_str()).collect();
        operators.sort_unstable();
        operators.dedup();
        let mut sessions: Vec<&str> = plan.iter().map(|(s, _)| s.as_str()).collect();
        sessions.sort_unstable();
        sessions.dedup();

        let mut query = QueryBuilder::<Db>::new(
            "SELECT s.user_id, s.logged_in, s.status, s.pause_type_id, s.live_connections, \
             s.disconnected_since, s.grace_expired, s.since, s.cause \
             FROM operator_states s WHERE s.user_id IN (",
        );
        push_list(&mut query, &operators);
        query.push(format!(") ORDER BY s.user_id{}", Backend::LOCK));
        let mut routable = HashSet::with_capacity(operators.len());
        for row in query.build().fetch_all(&mut **tx).await? {
            if rows::operator_state(&row)?.routable() {
                routable.insert(row.try_get("user_id")?);
            }
        }

        let mut query = QueryBuilder::<Db>::new(format!(
            "SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.company_id = "
        ));
        query.push_bind(company_id).push(" AND s.id IN (");
        push_list(&mut query, &sessions);
        query.push(format!(") ORDER BY s.id{}", Backend::LOCK));
        let mut found = HashMap::with_capacity(sessions.len());
        for row in query.build().fetch_all(&mut **tx).await? {
            let session = rows::session(&row)?;
            found.insert(session.id.clone(), session);
        }

        // A channel the operator rests on (after-chat work) has no room.
        let mut query = QueryBuilder::<Db>::new(
            "SELECT c.user_id, c.channel, c.capacity FROM operator_channels c \
             WHERE c.enabled AND NOT EXISTS (SELECT 1 FROM after_chat_work a \
             WHERE a.user_id = c.user_id AND a.channel = c.channel AND a.ended_at IS NULL \
             AND a.ends_at > ",
        );
        query.push_bind(now);
        query.push(") AND c.user_id IN (");
        push_list(&mut query, &operators);
        query.push(")");
        let mut capacity = HashMap::new();
        for row in query.build().fetch_all(&mut **tx).await? {
            let channel: String = row.try_get("channel")?;
            let n: i64 = row.try_get("capacity")?;
            capacity.insert(
                (
                    row.try_get("user_id")?,
                    Channel::parse(&channel).ok_or_else(|| corrupt("channel", &channel))?,
                ),
                u32::try_from(n).unwrap_or(0),
            );
        }

        let mut query = QueryBuilder::<Db>::new(
            "SELECT COALESCE(offered_to, operator_id) AS who, channel, COUNT(*) AS n \
             FROM sessions WHERE (status = 'active' AND operator_id IN (",
        );
        push_list(&mut query, &operators);
        query.push(")) OR (status = 'offered' AND offered_to IN (");
        push_list(&mut query, &operators);
        query.push(")) GROUP BY COALESCE(offered_to, operator_id), channel");
        let mut load: HashMap<String, HashMap<Channel, u32>> = HashMap::new();
        for row in query.build().fetch_all(&mut **tx).await? {
            let channel: String = row.try_get("channel")?;
            let n: i64 = row.try_get("n")?;
            load.entry(row.try_get("who")?).or_default().insert(
                Channel::parse(&channel).ok_or_else(|| corrupt("channel", &channel))?,
                u32::try_from(n).unwrap_or(u32::MAX),
            );
        }
        Ok(Recheck {
            routable,
            sessions: found,
            capacity,
            load,
        })
    }

    /// The session, if it may be offered to the operator now; counted in
    /// their load from here on.
    fn take(&mut self, session_id: &str, operator_id: &str) -> Option<&Session> {
        if !self.routable.contains(operator_id) {
            return None;
        }
        let session = self.sessions.get(session_id)?;
        if session.status != SessionStatus::Waiting
            || session.declined_by.iter().any(|id| id == operator_id)
        {
            return None;
        }
        let load = self.load.entry(operator_id.to_owned()).or_default();
        let on = |c: Channel| load.get(&c).copied().unwrap_or(0);
        let seat = Seat {
            capacity: self
                .capacity
                .get(&(operator_id.to_owned(), session.channel))
                .copied(),
            load: on(session.channel),
            calls: Channel::ALL
                .iter()
                .filter(|c| c.is_call())
                .map(|c| on(*c))
                .sum(),
        };
        seat_has_room(session.channel, seat).ok()?;
        *load.entry(session.channel).or_insert(0) += 1;
        Some(session)
    }
}

/// Offers in one batch past which their places are numbered at once.
const PLACES_AT_ONCE: usize = 8;

fn push_list(query: &mut QueryBuilder<'_, Db>, items: &[&str]) {
    let mut list = query.separated(", ");
    for item in items {
        list.push_bind(item.to_string());
    }
}

fn offer_changed(company_id: &str) -> Change {
    Change::OfferChanged {
        company_id: company_id.to_owned(),
    }
}

async fn set_last_offered<'e, E>(executor: E, operator_id: &str, now: Millis) -> StoreResult<()>
where
    E: sqlx::Executor<'e, Database = super::Db>,
{
    sqlx::query("UPDATE operator_states SET last_offered_at = $2 WHERE user_id = $1")
        .bind(operator_id)
        .bind(now)
        .execute(executor)
        .await?;
    Ok(())
}

#[async_trait]
impl RoutingStore for Backend {
    async fn waiting(&self, company_id: &str) -> StoreResult<Vec<Waiting>> {
        let rows = sqlx::query(
            "SELECT s.id, s.channel, s.group_id, g.builtin, s.target_operator_id, \
             s.preferred_operator_id, s.queued_at, s.declined_by FROM sessions s JOIN groups g ON g.id = s.group_id \
             WHERE s.company_id = $1 AND s.status = 'waiting'",
        )
        .bind(company_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                let channel: String = r.try_get("channel")?;
                let builtin: bool = r.try_get("builtin")?;
                Ok(Waiting {
                    session_id: r.try_get("id")?,
                    channel: Channel::parse(&channel)
                        .ok_or_else(|| corrupt("channel", &channel))?,
                    group_id: if builtin {
                        None
                    } else {
                        Some(r.try_get("group_id")?)
                    },
                    target_operator_id: r.try_get("target_operator_id")?,
                    preferred_operator_id: r.try_get("preferred_operator_id")?,
                    created_at: r.try_get("queued_at")?,
                    declined_by: rows::id_list(&r.try_get::<String, _>("declined_by")?),
                })
            })
            .collect()
    }

    async fn candidates(&self, company_id: &str, now: Millis) -> StoreResult<Vec<Candidate>> {
        let states = self.operator_states(company_id).await?;
        let channels = self.company_channels(company_id).await?;
        let last_offered: HashMap<String, Option<Millis>> = sqlx::query(
            "SELECT user_id, last_offered_at FROM operator_states WHERE company_id = $1",
        )
        .bind(company_id)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| Ok((r.try_get("user_id")?, r.try_get("last_offered_at")?)))
        .collect::<StoreResult<_>>()?;
        let mut load: HashMap<String, HashMap<Channel, u32>> = HashMap::new();
        let load_rows = sqlx::query(
            "SELECT COALESCE(operator_id, offered_to) AS who, channel, COUNT(*) AS n \
             FROM sessions WHERE company_id = $1 AND status IN ('active', 'offered') \
             GROUP BY COALESCE(operator_id, offered_to), channel",
        )
        .bind(company_id)
        .fetch_all(self.reader())
        .await?;
        for r in &load_rows {
            let Some(who) = r.try_get::<Option<String>, _>("who")? else {
                continue;
            };
            let channel: String = r.try_get("channel")?;
            let n: i64 = r.try_get("n")?;
            if let Some(c) = Channel::parse(&channel) {
                load.entry(who)
                    .or_default()
                    .insert(c, u32::try_from(n).unwrap_or(u32::MAX));
            }
        }
        let mut groups: HashMap<String, Vec<String>> = HashMap::new();
        let memberships = sqlx::query(
            "SELECT m.group_id, m.user_id FROM group_members m \
             JOIN groups g ON g.id = m.group_id WHERE g.company_id = $1",
        )
        .bind(company_id)
        .fetch_all(self.reader())
        .await?;
        for r in &memberships {
            groups
                .entry(r.try_get("user_id")?)
                .or_default()
                .push(r.try_get("group_id")?);
        }

        // The exchange's facts only matter when someone serves the phone.
        let telephony = if channels.iter().any(|(_, c)| c.channel == Channel::Phone) {
            Some(self.telephony_facts(company_id).await?)
        } else {
            None
        };
        let mut resting = resting_channels(self.reader(), company_id, now).await?;
        let mut candidates = Vec::new();
        for view in states {
            let id = &view.operator.id;
            let own: Vec<_> = channels
                .iter()
                .filter(|(u, _)| u == id)
                .map(|(_, c)| *c)
                .collect();
            if own.is_empty() {
                continue;
            }
            let extension = view.operator.phone_extension.as_deref();
            let phone_ready = telephony
                .as_ref()
                .and_then(|t| line_of(&own, extension, &t.extensions, t.last_seen, now))
                .is_some_and(|line| line.ready());
            candidates.push(Candidate {
                operator_id: id.clone(),
                online: view.state.routable(),
                channels: own,
                load: load.remove(id).unwrap_or_default(),
                groups: groups.remove(id).unwrap_or_default(),
                last_offered_at: last_offered.get(id).copied().flatten(),
                phone_ready,
                resting: resting.remove(id).unwrap_or_default(),
            });
        }
        Ok(candidates)
    }

    async fn open_sessions(&self, company_id: &str) -> StoreResult<Vec<(String, i64, Place)>> {
        let rows = sqlx::query(&format!(
            "SELECT {SESSION_COLUMNS}, COALESCE(h.last_seq, 0) AS head FROM sessions s \
             LEFT JOIN streams h ON h.stream = s.id \
             WHERE s.company_id = $1 AND s.status IN ('waiting', 'offered', 'active')"
        ))
        .bind(company_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                let session = rows::session(r)?;
                let place = routing_place(&session);
                Ok((session.id, r.try_get("head")?, place))
            })
            .collect()
    }

    async fn companies_with_waiting(&self) -> StoreResult<Vec<String>> {
        let rows = sqlx::query("SELECT DISTINCT company_id FROM sessions WHERE status = 'waiting'")
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(|r| Ok(r.try_get("company_id")?)).collect()
    }

    async fn offer_all(
        &self,
        company_id: &str,
        plan: &[(String, String)],
        deadline: Millis,
        now: Millis,
    ) -> StoreResult<Committed<Vec<Option<Session>>>> {
        if plan.is_empty() {
            return Ok(Committed::unchanged(Vec::new()));
        }
        let mut tx = self.begin_for(company_id).await?;
        let mut recheck = Recheck::read(&mut tx, company_id, plan, now).await?;
        // Each planned offer rechecked in turn, the earlier ones counted.
        let mut chosen: HashMap<&str, Vec<&str>> = HashMap::new();
        for (session_id, operator_id) in plan {
            if recheck.take(session_id, operator_id).is_some() {
                chosen.entry(operator_id).or_default().push(session_id);
            }
        }
        if chosen.is_empty() {
            return Ok(Committed::unchanged(vec![None; plan.len()]));
        }
        // One update per operator, and one for when they were last offered.
        let mut offered: HashMap<String, Session> = HashMap::new();
        let mut operators: Vec<&str> = chosen.keys().copied().collect();
        operators.sort_unstable();
        for operator_id in &operators {
            let mut update =
                QueryBuilder::<Db>::new("UPDATE sessions SET status = 'offered', offered_to = ");
            update
                .push_bind(operator_id.to_string())
                .push(", offer_deadline = ")
                .push_bind(deadline)
                .push(" WHERE status = 'waiting' AND id IN (");
            push_list(&mut update, &chosen[operator_id]);
            update.push(format!(") {SESSION_RETURNING}"));
            for row in update.build().fetch_all(&mut *tx).await? {
                let session = rows::session(&row)?;
                offered.insert(session.id.clone(), session);
            }
        }
        let mut last = QueryBuilder::<Db>::new("UPDATE operator_states SET last_offered_at = ");
        last.push_bind(now).push(" WHERE user_id IN (");
        push_list(&mut last, &operators);
        last.push(")");
        last.build().execute(&mut *tx).await?;

        // Their clients' places: numbered once for the whole queue when the
        // batch is large (each count would read the queue ahead of it).
        let places: Option<HashMap<String, QueuePlace>> = if offered.len() > PLACES_AT_ONCE {
            Some(
                places_of(&mut tx, company_id, now)
                    .await?
                    .into_iter()
                    .collect(),
            )
        } else {
            None
        };
        let mut out = Outgoing::new();
        let mut made = Vec::with_capacity(plan.len());
        for (session_id, operator_id) in plan {
            let Some(session) = offered.remove(session_id.as_str()) else {
                made.push(None);
                continue;
            };
            let told = [Some(operator_id.to_owned())];
            let operators = Operators::Offered(&told);
            match &places {
                Some(places) => {
                    let place = places.get(&session.id).copied().unwrap_or_default();
                    announce_at(&mut out, &session, place, operators, now);
                }
                None => announce(&mut tx, &mut out, &session, operators, now).await?,
            }
            let webhook = WebhookEvent::SessionOffered(SessionEvent {
                session: session.clone(),
            });
            out.webhook(company_id, webhook, now);
            made.push(Some(session));
        }
        let mut changes = out.write(&mut tx).await?;
        changes.push(offer_changed(company_id));
        tx.commit().await?;
        Ok(Committed::new(made, changes))
    }

    async fn expired_offers(&self, now: Millis) -> StoreResult<Vec<(String, String, String)>> {
        let rows = sqlx::query(
            "SELECT company_id, id, offered_to FROM sessions \
             WHERE status = 'offered' AND offer_deadline <= $1",
        )
        .bind(now)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("company_id")?,
                    r.try_get("id")?,
                    r.try_get("offered_to")?,
                ))
            })
            .collect()
    }

    async fn offers_to(&self, company_id: &str, operator_id: &str) -> StoreResult<Vec<String>> {
        let rows = sqlx::query(
            "SELECT id FROM sessions \
             WHERE company_id = $1 AND status = 'offered' AND offered_to = $2",
        )
        .bind(company_id)
        .bind(operator_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(rows::id).collect()
    }

    async fn withdraw_offer(
        &self,
        company_id: &str,
        session_id: &str,
        operator_id: &str,
        now: Millis,
    ) -> StoreResult<Committed<Option<Session>>> {
        let mut tx = self.begin_for(company_id).await?;
        let session = locked_session(&mut tx, company_id, session_id).await?;
        if session.status != SessionStatus::Offered
            || session.offered_to.as_deref() != Some(operator_id)
        {
            return Ok(Committed::unchanged(None));
        }
        let row = sqlx::query(&format!(
            "UPDATE sessions SET status = 'waiting', offered_to = NULL, offer_deadline = NULL \
             WHERE id = $1 {SESSION_RETURNING}"
        ))
        .bind(session_id)
        .fetch_optional(&mut *tx)
        .await?;
        let waiting = written_session(row)?.ok_or(StoreError::NotFound)?;
        let told = [Some(operator_id.to_owned())];
        let mut out = Outgoing::new();
        announce(&mut tx, &mut out, &waiting, Operators::Changed(&told), now).await?;
        let mut changes = out.write(&mut tx).await?;
        changes.push(offer_changed(company_id));
        tx.commit().await?;
        Ok(Committed::new(Some(waiting), changes))
    }

    async fn mark_offered(&self, operator_id: &str, now: Millis) -> StoreResult<()> {
        set_last_offered(self.writer(), operator_id, now).await
    }
}
