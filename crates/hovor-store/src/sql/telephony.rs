//! What the telephone exchange reports: its heartbeat, extension
//! registrations, and calls, each call folded into one phone session.

use async_trait::async_trait;
use hovor_core::phone::{CallFacts, Direction, PhoneLine};
use hovor_core::session::{EndReason, Source};
use hovor_core::{Channel, Millis};
use sqlx::Row;

use super::companies::builtin_group_id;
use super::event_log::Outgoing;
use super::rows::SESSION_RETURNING;
use super::session_rows::{insert_session, locked_session, written_session};
use super::sessions::{announce, moved, Operators};
use super::{Backend, Tx};
use crate::{
    CallReport, ClientInfo, Committed, NewSession, PhoneCall, PhoneLineChanged, RealtimeEvent,
    Session, StoreError, StoreResult, TelephonyFacts, TelephonyStore, WebhookEvent,
};

/// The call's phone session and what is known of it; a first report starts
/// both.
async fn call_of(
    tx: &mut Tx,
    company_id: &str,
    report: &CallReport,
) -> StoreResult<(String, CallFacts)> {
    let known = sqlx::query(
        "SELECT session_id, ringing_at, answered_at, ended_at FROM calls \
         WHERE company_id = $1 AND call_id = $2",
    )
    .bind(company_id)
    .bind(&report.call_id)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(r) = known {
        let facts = CallFacts {
            ringing_at: r.try_get("ringing_at")?,
            answered_at: r.try_get("answered_at")?,
            ended_at: r.try_get("ended_at")?,
        };
        return Ok((r.try_get("session_id")?, facts));
    }
    let number = match report.direction {
        Direction::In => &report.from,
        Direction::Out => &report.to,
    };
    let new = NewSession {
        company_id: company_id.to_owned(),
        channel: Channel::Phone,
        source: Source::Phone,
        group_id: None,
        target_operator_id: None,
        preferred_operator_id: None,
        client: ClientInfo {
            name: None,
            email: None,
            phone: Some(number.clone()),
        },
        page_url: None,
        client_token_hash: None,
        call_media: None,
        visitor_hash: None,
    };
    let id = insert_session(tx, &new, &builtin_group_id(company_id), report.at)
        .await?
        .id;
    sqlx::query(
        "INSERT INTO calls (company_id, call_id, session_id, ringing_at, answered_at, ended_at) \
         VALUES ($1, $2, $3, NULL, NULL, NULL)",
    )
    .bind(company_id)
    .bind(&report.call_id)
    .bind(&id)
    .execute(&mut **tx)
    .await?;
    Ok((id, CallFacts::default()))
}

#[async_trait]
impl TelephonyStore for Backend {
    async fn telephony_facts(&self, company_id: &str) -> StoreResult<TelephonyFacts> {
        let mut facts = TelephonyFacts::default();
        let row = sqlx::query(
            "SELECT dial_url, secret, last_seen, announced_up FROM telephony \
             WHERE company_id = $1",
        )
        .bind(company_id)
        .fetch_optional(self.writer())
        .await?;
        if let Some(r) = row {
            facts.dial_url = r.try_get("dial_url")?;
            facts.secret = r.try_get("secret")?;
            facts.last_seen = r.try_get("last_seen")?;
            facts.announced_up = r.try_get("announced_up")?;
        }
        let rows =
            sqlx::query("SELECT extension, registered FROM phone_extensions WHERE company_id = $1")
                .bind(company_id)
                .fetch_all(self.writer())
                .await?;
        for r in &rows {
            facts
                .extensions
                .push((r.try_get("extension")?, r.try_get("registered")?));
        }
        Ok(facts)
    }

    async fn touch_connector(&self, company_id: &str, now: Millis) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let was: Option<bool> =
            sqlx::query("SELECT announced_up FROM telephony WHERE company_id = $1")
                .bind(company_id)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.try_get("announced_up"))
                .transpose()?;
        sqlx::query(
            "INSERT INTO telephony (company_id, dial_url, secret, last_seen, announced_up) \
             VALUES ($1, NULL, NULL, $2, $3) ON CONFLICT (company_id) \
             DO UPDATE SET last_seen = excluded.last_seen, announced_up = excluded.announced_up",
        )
        .bind(company_id)
        .bind(now)
        .bind(true)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(was != Some(true))
    }

    async fn connectors(&self) -> StoreResult<Vec<(String, Option<Millis>, bool)>> {
        let rows = sqlx::query("SELECT company_id, last_seen, announced_up FROM telephony")
            .fetch_all(self.reader())
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("company_id")?,
                    r.try_get("last_seen")?,
                    r.try_get("announced_up")?,
                ))
            })
            .collect()
    }

    async fn set_connector_announced(&self, company_id: &str, up: bool) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE telephony SET announced_up = $2 WHERE company_id = $1 AND announced_up <> $2",
        )
        .bind(company_id)
        .bind(up)
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn save_telephony_settings(
        &self,
        company_id: &str,
        dial_url: Option<&str>,
        secret: Option<&str>,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO telephony (company_id, dial_url, secret, last_seen, announced_up) \
             VALUES ($1, $2, $3, NULL, $4) ON CONFLICT (company_id) DO UPDATE \
             SET dial_url = COALESCE(excluded.dial_url, telephony.dial_url), \
             secret = COALESCE(excluded.secret, telephony.secret)",
        )
        .bind(company_id)
        .bind(dial_url)
        .bind(secret)
        .bind(false)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    async fn register_extension(
        &self,
        company_id: &str,
        extension: &str,
        registered: bool,
        now: Millis,
    ) -> StoreResult<Option<String>> {
        let owner = sqlx::query(
            "SELECT id FROM users WHERE company_id = $1 AND phone_extension = $2 AND active",
        )
        .bind(company_id)
        .bind(extension)
        .fetch_optional(self.writer())
        .await?;
        let Some(owner) = owner else {
            return Ok(None);
        };
        sqlx::query(
            "INSERT INTO phone_extensions (company_id, extension, registered, updated_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (company_id, extension) DO UPDATE \
             SET registered = excluded.registered, updated_at = excluded.updated_at",
        )
        .bind(company_id)
        .bind(extension)
        .bind(registered)
        .bind(now)
        .execute(self.writer())
        .await?;
        Ok(Some(owner.try_get("id")?))
    }

    async fn announce_phone_line(
        &self,
        company_id: &str,
        user_id: &str,
        phone_line: Option<&PhoneLine>,
        now: Millis,
    ) -> StoreResult<Committed<()>> {
        let mut tx = self.begin_for(company_id).await?;
        let name: String = sqlx::query("SELECT name FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await?
            .try_get("name")?;
        let data = PhoneLineChanged {
            operator_id: user_id.to_owned(),
            name,
            phone_line: phone_line.cloned(),
        };
        let mut out = Outgoing::new();
        let realtime = RealtimeEvent::OperatorPhoneLineChanged(data.clone());
        out.about_operator(company_id, user_id, realtime, now);
        out.webhook(company_id, WebhookEvent::PhoneLineChanged(data), now);
        let changes = out.write(&mut tx).await?;
        tx.commit().await?;
        Ok(Committed::new((), changes))
    }

    async fn call_known(&self, company_id: &str, call_id: &str) -> StoreResult<bool> {
        Ok(
            sqlx::query("SELECT call_id FROM calls WHERE company_id = $1 AND call_id = $2")
                .bind(company_id)
                .bind(call_id)
                .fetch_optional(self.writer())
                .await?
                .is_some(),
        )
    }

    async fn call_report(
        &self,
        company_id: &str,
        report: &CallReport,
        operator_id: Option<&str>,
        now: Millis,
    ) -> StoreResult<Committed<Session>> {
        let mut tx = self.begin_for(company_id).await?;
        let (session_id, facts) = call_of(&mut tx, company_id, report).await?;
        let before = locked_session(&mut tx, company_id, &session_id).await?;
        let facts = facts.with(report.event, report.at);
        sqlx::query(
            "UPDATE calls SET ringing_at = $3, answered_at = $4, ended_at = $5 \
             WHERE company_id = $1 AND call_id = $2",
        )
        .bind(company_id)
        .bind(&report.call_id)
        .bind(facts.ringing_at)
        .bind(facts.answered_at)
        .bind(facts.ended_at)
        .execute(&mut *tx)
        .await?;
        // Who has the call: the extension reported now, or whoever had it.
        let who = operator_id
            .or(before.operator_id.as_deref())
            .or(before.offered_to.as_deref());
        let (offered_to, holder) = facts.parties(who);
        let status = facts.status();
        let row = sqlx::query(&format!(
            "UPDATE sessions SET status = $2, offered_to = $3, operator_id = $4, \
             accepted_at = $5, ended_at = $6, end_reason = $7 WHERE id = $1 {SESSION_RETURNING}"
        ))
        .bind(&session_id)
        .bind(status.as_str())
        .bind(offered_to)
        .bind(holder)
        .bind(facts.answered_at)
        .bind(facts.ended_at)
        .bind(facts.end_reason().map(EndReason::as_str))
        .fetch_optional(&mut *tx)
        .await?;
        let session = written_session(row)?.ok_or(StoreError::NotFound)?;
        let mut out = Outgoing::new();
        if session != before {
            let newly_offered =
                status == hovor_core::session::SessionStatus::Offered && before.status != status;
            // Whoever already held the call follows its stream; anyone whose
            // part in it changes hears it in their own.
            let was_holding = before.status == hovor_core::session::SessionStatus::Active
                && before.operator_id.as_deref() == who;
            let told = [who.filter(|_| !was_holding).map(str::to_owned)];
            let operators = if newly_offered {
                Operators::Offered(&told)
            } else {
                Operators::Changed(&told)
            };
            announce(&mut tx, &mut out, &session, operators, now).await?;
        }
        let webhook = WebhookEvent::PhoneCall(PhoneCall {
            call_id: report.call_id.clone(),
            event: report.event,
            direction: report.direction,
            from: report.from.clone(),
            to: report.to.clone(),
            extension: report.extension.clone(),
            session: session.clone(),
        });
        out.webhook(company_id, webhook, now);
        let mut changes = out.write(&mut tx).await?;
        changes.push(moved(company_id));
        tx.commit().await?;
        Ok(Committed::new(session, changes))
    }
}
