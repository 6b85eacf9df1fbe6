//! Invitations: single-use codes from operators, reusable ones from the API,
//! redeemed atomically into a session bound to their operator.

use async_trait::async_trait;
use hovor_core::call::Media;
use hovor_core::invitation::redeemable;
use hovor_core::session::Source;
use hovor_core::{Channel, Millis, Refusal};

use super::companies::builtin_group_id;
use super::event_log::Outgoing;
use super::rows::{self, INVITATION_COLUMNS};
use super::session_rows::insert_session;
use super::sessions::{announce, moved, Operators};
use super::{Backend, Db};
use crate::error::is_unique_violation;
use crate::{
    new_id, ClientInfo, Committed, Invitation, InvitationCreated, InvitationInvalidated,
    InvitationRedeemed, InvitationStore, NewInvitation, NewSession, Session, SessionEvent,
    StoreError, StoreResult, WebhookEvent,
};

/// Invitations with their operator's name, by a condition on `i`.
async fn invitations_where<'e, E>(
    executor: E,
    condition: &str,
    binds: &[&str],
) -> StoreResult<Vec<Invitation>>
where
    E: sqlx::Executor<'e, Database = Db>,
{
    let sql = format!(
        "SELECT {INVITATION_COLUMNS} FROM invitations i JOIN users u ON u.id = i.operator_id \
         WHERE {condition}"
    );
    let mut query = sqlx::query(&sql);
    for value in binds {
        query = query.bind(*value);
    }
    let rows = query.fetch_all(executor).await?;
    rows.iter().map(rows::invitation).collect()
}

#[async_trait]
impl InvitationStore for Backend {
    async fn create_invitation(
        &self,
        new: &NewInvitation,
        now: Millis,
    ) -> StoreResult<Committed<Invitation>> {
        let id = new_id("inv");
        let mut tx = self.begin_for(&new.company_id).await?;
        sqlx::query(
            "INSERT INTO invitations (id, company_id, code, operator_id, reusable, label, \
             created_by, created_at, uses, invalidated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, NULL)",
        )
        .bind(&id)
        .bind(&new.company_id)
        .bind(&new.code)
        .bind(&new.operator_id)
        .bind(new.reusable)
        .bind(&new.label)
        .bind(new.created_by)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                StoreError::Duplicate("the code is taken")
            } else {
                e.into()
            }
        })?;
        let webhook = WebhookEvent::InvitationCreated(InvitationCreated {
            invitation_id: id.clone(),
            operator_id: new.operator_id.clone(),
            reusable: new.reusable,
            label: new.label.clone(),
        });
        let mut out = Outgoing::new();
        out.webhook(&new.company_id, webhook, now);
        let changes = out.write(&mut tx).await?;
        let invitation = invitations_where(&mut *tx, "i.id = $1", &[&id])
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(Committed::new(invitation, changes))
    }

    async fn invitation(&self, company_id: &str, id: &str) -> StoreResult<Option<Invitation>> {
        Ok(invitations_where(
            self.writer(),
            "i.company_id = $1 AND i.id = $2",
            &[company_id, id],
        )
        .await?
        .pop())
    }

    async fn invitation_by_code(&self, code: &str) -> StoreResult<Option<Invitation>> {
        Ok(invitations_where(self.reader(), "i.code = $1", &[code])
            .await?
            .pop())
    }

    async fn invitations(
        &self,
        company_id: &str,
        operator_id: Option<&str>,
        active: Option<bool>,
        limit: i64,
    ) -> StoreResult<Vec<Invitation>> {
        let condition = format!(
            "i.company_id = $1 {} ORDER BY i.created_at DESC, i.id DESC LIMIT {}",
            if operator_id.is_some() {
                "AND i.operator_id = $2"
            } else {
                ""
            },
            limit.clamp(1, 1000)
        );
        let binds: Vec<&str> = std::iter::once(company_id).chain(operator_id).collect();
        let all = invitations_where(self.reader(), &condition, &binds).await?;
        Ok(match active {
            None => all,
            Some(want) => all
                .into_iter()
                .filter(|i| {
                    redeemable(i.reusable, i.uses, i.invalidated_at.is_some()).is_ok() == want
                })
                .collect(),
        })
    }

    async fn invalidate_invitation(
        &self,
        company_id: &str,
        id: &str,
        now: Millis,
    ) -> StoreResult<Committed<Option<Invitation>>> {
        let mut tx = self.begin_for(company_id).await?;
        let done = sqlx::query(
            "UPDATE invitations SET invalidated_at = $3 \
             WHERE company_id = $1 AND id = $2 AND invalidated_at IS NULL",
        )
        .bind(company_id)
        .bind(id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let mut changes = Vec::new();
        if done.rows_affected() > 0 {
            let webhook = WebhookEvent::InvitationInvalidated(InvitationInvalidated {
                invitation_id: id.to_owned(),
            });
            let mut out = Outgoing::new();
            out.webhook(company_id, webhook, now);
            changes.extend(out.write(&mut tx).await?);
        }
        let invitation = invitations_where(
            &mut *tx,
            "i.company_id = $1 AND i.id = $2",
            &[company_id, id],
        )
        .await?
        .pop();
        tx.commit().await?;
        Ok(Committed::new(invitation, changes))
    }

    async fn redeem_invitation(
        &self,
        code: &str,
        client_token_hash: &str,
        call: Option<Media>,
        now: Millis,
    ) -> StoreResult<Committed<(Session, Invitation)>> {
        let found = self
            .invitation_by_code(code)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut tx = self.begin_for(&found.company_id).await?;
        let invitation = invitations_where(&mut *tx, "i.id = $1", &[&found.id])
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        redeemable(
            invitation.reusable,
            invitation.uses,
            invitation.invalidated_at.is_some(),
        )?;
        let done = sqlx::query(
            "UPDATE invitations SET uses = uses + 1 \
             WHERE id = $1 AND invalidated_at IS NULL AND (reusable OR uses = 0)",
        )
        .bind(&invitation.id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(Refusal::InvitationUsed.into());
        }
        let company_id = invitation.company_id.clone();
        let new = NewSession {
            company_id: company_id.clone(),
            channel: if call.is_some() {
                Channel::Av
            } else {
                Channel::Chat
            },
            source: Source::Invitation,
            group_id: None,
            target_operator_id: Some(invitation.operator_id.clone()),
            preferred_operator_id: None,
            client: ClientInfo {
                name: None,
                email: None,
                phone: None,
            },
            page_url: None,
            client_token_hash: Some(client_token_hash.to_owned()),
            call_media: call,
            visitor_hash: None,
        };
        let session = insert_session(&mut tx, &new, &builtin_group_id(&company_id), now).await?;
        let mut out = Outgoing::new();
        announce(&mut tx, &mut out, &session, Operators::Changed(&[]), now).await?;
        let created = WebhookEvent::SessionCreated(SessionEvent {
            session: session.clone(),
        });
        out.webhook(&company_id, created, now);
        let redeemed = WebhookEvent::InvitationRedeemed(InvitationRedeemed {
            invitation_id: invitation.id.clone(),
            code: invitation.code.clone(),
            session_id: session.id.clone(),
        });
        out.webhook(&company_id, redeemed, now);
        let mut changes = out.write(&mut tx).await?;
        changes.push(moved(&company_id));
        tx.commit().await?;
        let invitation = Invitation {
            uses: invitation.uses + 1,
            ..invitation
        };
        Ok(Committed::new((session, invitation), changes))
    }
}
