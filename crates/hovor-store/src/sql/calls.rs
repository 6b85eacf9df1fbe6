//! Calls in conversations: the state in the session's row, decided by
//! `hovor_core::call`, and the signalling recorded in the session's stream.

use async_trait::async_trait;
use hovor_core::call::{self, Call, CallAction, Party, Signal};
use hovor_core::session::SessionStatus;
use hovor_core::{Channel, Millis, Refusal};

use super::event_log::Outgoing;
use super::messages::write_system_message;
use super::session_rows::{lock_operator, locked_session, session_where, write_call};
use super::sessions::{announce, moved, seat, Operators};
use super::Backend;
use crate::{
    CallSignalSent, CallStore, Committed, RealtimeEvent, Session, StoreError, StoreResult,
};

/// The operator acting must hold the conversation.
fn held_by(session: &Session, operator_id: Option<&str>) -> Result<(), Refusal> {
    match operator_id {
        Some(id) if session.operator_id.as_deref() != Some(id) => Err(Refusal::SessionNotActive),
        _ => Ok(()),
    }
}

#[async_trait]
impl CallStore for Backend {
    async fn change_call(
        &self,
        company_id: &str,
        session_id: &str,
        by: Party,
        operator_id: Option<&str>,
        action: CallAction,
        now: Millis,
    ) -> StoreResult<Committed<Session>> {
        let mut tx = self.begin_for(company_id).await?;
        // The holder's seat may change: lock them first (as accepting does).
        let holder = match operator_id {
            Some(id) => Some(id.to_owned()),
            None => {
                session_where(
                    &mut *tx,
                    "s.company_id = $1 AND s.id = $2",
                    company_id,
                    Some(session_id),
                )
                .await?
                .ok_or(StoreError::NotFound)?
                .operator_id
            }
        };
        if let Some(holder) = &holder {
            lock_operator(&mut tx, holder).await?;
        }
        let session = locked_session(&mut tx, company_id, session_id).await?;
        held_by(&session, operator_id)?;
        let current = session.call.map(Call::from);
        let change = call::decide(
            session.status,
            session.channel,
            current.as_ref(),
            by,
            action,
            now,
        )?;
        // A call that begins takes the holder's one call seat.
        if change.channel == Channel::Av && session.channel != Channel::Av {
            let holder = session
                .operator_id
                .as_deref()
                .ok_or(Refusal::SessionNotActive)?;
            let seat = seat(&mut tx, holder, Channel::Av, session_id, false).await?;
            if seat.capacity.is_none() {
                return Err(Refusal::ChannelNotAssigned.into());
            }
            if seat.calls > 0 {
                return Err(Refusal::OnAnotherCall.into());
            }
        }
        let changed = write_call(&mut tx, session_id, change.channel, change.call.as_ref()).await?;
        let mut out = Outgoing::new();
        if let Some(notice) = change.notice {
            write_system_message(&mut tx, &mut out, &changed, (notice, false), now).await?;
        }
        // The operator holding it hears it in its stream; one it is offered to, in theirs.
        let told = [session.offered_to.clone()];
        announce(&mut tx, &mut out, &changed, Operators::Changed(&told), now).await?;
        let mut changes = out.write(&mut tx).await?;
        if changed.channel != session.channel {
            // A call seat taken or given back: routing looks again.
            changes.push(moved(company_id));
        }
        tx.commit().await?;
        Ok(Committed::new(changed, changes))
    }

    async fn call_signal(
        &self,
        company_id: &str,
        session_id: &str,
        by: Party,
        operator_id: Option<&str>,
        signal: &Signal,
        now: Millis,
    ) -> StoreResult<Committed<()>> {
        let mut tx = self.begin_for(company_id).await?;
        let session = locked_session(&mut tx, company_id, session_id).await?;
        held_by(&session, operator_id)?;
        match session.status {
            SessionStatus::Active => {}
            SessionStatus::Ended => return Err(Refusal::SessionEnded.into()),
            _ => return Err(Refusal::SessionNotActive.into()),
        }
        let running = session
            .call
            .is_some_and(|c| c.state == call::CallState::Active);
        if !running {
            return Err(Refusal::NoCall.into());
        }
        let mut out = Outgoing::new();
        let event = RealtimeEvent::CallSignal(CallSignalSent {
            session_id: session_id.to_owned(),
            from: by,
            signal: signal.clone(),
        });
        out.event(session_id, event, now);
        let changes = out.write(&mut tx).await?;
        tx.commit().await?;
        Ok(Committed::new((), changes))
    }
}
