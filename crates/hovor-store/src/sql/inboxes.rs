//! Inboxes: where a company's e-mail is read (IMAP) and answered from
//! (SMTP), with their sealed passwords, and the reading node's claim and
//! cursor.

use async_trait::async_trait;
use hovor_core::email::{InboxState, MailSecurity};
use hovor_core::Millis;
use sqlx::Row;

use super::{Backend, Db, DbRow, Tx};
use crate::error::corrupt;
use crate::{
    ImapServer, Inbox, InboxChange, InboxStore, NewInbox, SealedPasswords, SmtpServer, StoreError,
    StoreResult,
};

const INBOX_COLUMNS: &str = "id, company_id, name, address, group_id, imap_host, imap_port, \
     imap_security, imap_username, imap_folder, smtp_host, smtp_port, smtp_security, \
     smtp_username, active, revision, uid_validity, last_uid, state, last_error, checked_at, created_at";

fn security(row: &DbRow, column: &str) -> StoreResult<MailSecurity> {
    let text: String = row.try_get(column)?;
    MailSecurity::parse(&text).ok_or_else(|| corrupt(column, &text))
}

fn port(row: &DbRow, column: &str) -> StoreResult<u16> {
    let port: i64 = row.try_get(column)?;
    u16::try_from(port).map_err(|_| corrupt(column, &port.to_string()))
}

fn inbox(row: &DbRow) -> StoreResult<Inbox> {
    let state: String = row.try_get("state")?;
    Ok(Inbox {
        id: row.try_get("id")?,
        company_id: row.try_get("company_id")?,
        name: row.try_get("name")?,
        address: row.try_get("address")?,
        group_id: row.try_get("group_id")?,
        imap: ImapServer {
            host: row.try_get("imap_host")?,
            port: port(row, "imap_port")?,
            security: security(row, "imap_security")?,
            username: row.try_get("imap_username")?,
            folder: row.try_get("imap_folder")?,
        },
        smtp: SmtpServer {
            host: row.try_get("smtp_host")?,
            port: port(row, "smtp_port")?,
            security: security(row, "smtp_security")?,
            username: row.try_get("smtp_username")?,
        },
        active: row.try_get("active")?,
        revision: row.try_get("revision")?,
        uid_validity: row.try_get("uid_validity")?,
        last_uid: row.try_get("last_uid")?,
        state: InboxState::parse(&state).ok_or_else(|| corrupt("inbox state", &state))?,
        last_error: row.try_get("last_error")?,
        checked_at: row.try_get("checked_at")?,
        created_at: row.try_get("created_at")?,
    })
}

async fn inboxes_of<'e, E>(
    executor: E,
    company_id: &str,
    id: Option<&str>,
) -> StoreResult<Vec<Inbox>>
where
    E: sqlx::Executor<'e, Database = Db>,
{
    let sql = format!(
        "SELECT {INBOX_COLUMNS} FROM inboxes WHERE company_id = $1 AND ($2 IS NULL OR id = $2) \
         AND deleted_at IS NULL ORDER BY name, id"
    );
    let rows = sqlx::query(&sql)
        .bind(company_id)
        .bind(id)
        .fetch_all(executor)
        .await?;
    rows.iter().map(inbox).collect()
}

/// Refuses an address another live inbox of the company has, and a group
/// the company does not have.
async fn check_address_and_group(
    tx: &mut Tx,
    company_id: &str,
    id: &str,
    address: &str,
    group_id: Option<&str>,
) -> StoreResult<()> {
    let taken = sqlx::query(
        "SELECT id FROM inboxes WHERE company_id = $1 AND LOWER(address) = LOWER($2) \
         AND id <> $3 AND deleted_at IS NULL",
    )
    .bind(company_id)
    .bind(address)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    if taken.is_some() {
        return Err(StoreError::Duplicate("another inbox has this address"));
    }
    if let Some(group_id) = group_id {
        let group =
            sqlx::query("SELECT id FROM groups WHERE company_id = $1 AND id = $2 AND NOT archived")
                .bind(company_id)
                .bind(group_id)
                .fetch_optional(&mut **tx)
                .await?;
        if group.is_none() {
            return Err(StoreError::NotFound);
        }
    }
    Ok(())
}

#[async_trait]
impl InboxStore for Backend {
    async fn create_inbox(
        &self,
        company_id: &str,
        new: &NewInbox,
        now: Millis,
    ) -> StoreResult<Inbox> {
        let mut tx = self.begin_for(company_id).await?;
        check_address_and_group(
            &mut tx,
            company_id,
            &new.id,
            &new.address,
            new.group_id.as_deref(),
        )
        .await?;
        sqlx::query(
            "INSERT INTO inboxes (id, company_id, name, address, group_id, imap_host, imap_port, \
             imap_security, imap_username, imap_password, imap_folder, smtp_host, smtp_port, \
             smtp_security, smtp_username, smtp_password, active, revision, uid_validity, \
             last_uid, state, last_error, checked_at, claimed_by, claimed_until, created_at, \
             deleted_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
             0, NULL, 0, 'connecting', NULL, NULL, NULL, 0, $18, NULL)",
        )
        .bind(&new.id)
        .bind(company_id)
        .bind(&new.name)
        .bind(&new.address)
        .bind(&new.group_id)
        .bind(&new.imap.host)
        .bind(i64::from(new.imap.port))
        .bind(new.imap.security.as_str())
        .bind(&new.imap.username)
        .bind(&new.passwords.imap)
        .bind(&new.imap.folder)
        .bind(&new.smtp.host)
        .bind(i64::from(new.smtp.port))
        .bind(new.smtp.security.as_str())
        .bind(&new.smtp.username)
        .bind(&new.passwords.smtp)
        .bind(true)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let made = inboxes_of(&mut *tx, company_id, Some(&new.id))
            .await?
            .into_iter()
            .next()
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(made)
    }

    async fn inboxes(&self, company_id: &str) -> StoreResult<Vec<Inbox>> {
        inboxes_of(self.reader(), company_id, None).await
    }

    async fn inbox(&self, company_id: &str, id: &str) -> StoreResult<Option<Inbox>> {
        Ok(inboxes_of(self.reader(), company_id, Some(id))
            .await?
            .into_iter()
            .next())
    }

    async fn update_inbox(
        &self,
        company_id: &str,
        id: &str,
        change: &InboxChange,
    ) -> StoreResult<Option<Inbox>> {
        let mut tx = self.begin_for(company_id).await?;
        let Some(current) = inboxes_of(&mut *tx, company_id, Some(id))
            .await?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        let address = change.address.as_deref().unwrap_or(&current.address);
        let group_id = match &change.group_id {
            Some(group) => group.as_deref(),
            None => current.group_id.as_deref(),
        };
        check_address_and_group(&mut tx, company_id, id, address, group_id).await?;
        let imap = change.imap.as_ref().unwrap_or(&current.imap);
        let smtp = change.smtp.as_ref().unwrap_or(&current.smtp);
        // A new server, account or folder is read from its start again.
        let reconnect = change.imap.as_ref().is_some_and(|i| *i != current.imap)
            || change.imap_password.is_some()
            || change.smtp.as_ref().is_some_and(|s| *s != current.smtp)
            || change.smtp_password.is_some()
            || change.active == Some(true) && !current.active;
        let moved_server = change.imap.as_ref().is_some_and(|i| {
            i.host != current.imap.host
                || i.username != current.imap.username
                || i.folder != current.imap.folder
        });
        sqlx::query(
            "UPDATE inboxes SET name = $3, address = $4, group_id = $5, imap_host = $6, \
             imap_port = $7, imap_security = $8, imap_username = $9, imap_folder = $10, \
             smtp_host = $11, smtp_port = $12, smtp_security = $13, smtp_username = $14, \
             imap_password = COALESCE($15, imap_password), \
             smtp_password = COALESCE($16, smtp_password), active = $17, \
             revision = revision + 1, \
             state = CASE WHEN $18 THEN 'connecting' ELSE state END, \
             last_error = CASE WHEN $18 THEN NULL ELSE last_error END, \
             uid_validity = CASE WHEN $19 THEN NULL ELSE uid_validity END, \
             last_uid = CASE WHEN $19 THEN 0 ELSE last_uid END \
             WHERE company_id = $1 AND id = $2",
        )
        .bind(company_id)
        .bind(id)
        .bind(change.name.as_deref().unwrap_or(&current.name))
        .bind(address)
        .bind(group_id)
        .bind(&imap.host)
        .bind(i64::from(imap.port))
        .bind(imap.security.as_str())
        .bind(&imap.username)
        .bind(&imap.folder)
        .bind(&smtp.host)
        .bind(i64::from(smtp.port))
        .bind(smtp.security.as_str())
        .bind(&smtp.username)
        .bind(change.imap_password.as_deref())
        .bind(change.smtp_password.as_deref())
        .bind(change.active.unwrap_or(current.active))
        .bind(reconnect)
        .bind(moved_server)
        .execute(&mut *tx)
        .await?;
        let updated = inboxes_of(&mut *tx, company_id, Some(id)).await?;
        tx.commit().await?;
        Ok(updated.into_iter().next())
    }

    async fn delete_inbox(&self, company_id: &str, id: &str, now: Millis) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE inboxes SET deleted_at = $3, active = $4 \
             WHERE company_id = $1 AND id = $2 AND deleted_at IS NULL",
        )
        .bind(company_id)
        .bind(id)
        .bind(now)
        .bind(false)
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn inbox_passwords(&self, id: &str) -> StoreResult<Option<SealedPasswords>> {
        let row = sqlx::query(
            "SELECT imap_password, smtp_password FROM inboxes WHERE id = $1 AND deleted_at IS NULL",
        )
        .bind(id)
        .fetch_optional(self.reader())
        .await?;
        row.map(|r| {
            Ok(SealedPasswords {
                imap: r.try_get("imap_password")?,
                smtp: r.try_get("smtp_password")?,
            })
        })
        .transpose()
    }

    async fn active_inboxes(&self) -> StoreResult<Vec<Inbox>> {
        let sql = format!(
            "SELECT {INBOX_COLUMNS} FROM inboxes WHERE active AND deleted_at IS NULL ORDER BY id"
        );
        let rows = sqlx::query(&sql).fetch_all(self.reader()).await?;
        rows.iter().map(inbox).collect()
    }

    async fn claim_inbox(
        &self,
        id: &str,
        node: &str,
        now: Millis,
        until: Millis,
    ) -> StoreResult<Option<Inbox>> {
        let claimed = sqlx::query(
            "UPDATE inboxes SET claimed_by = $2, claimed_until = $4 \
             WHERE id = $1 AND active AND deleted_at IS NULL \
             AND (claimed_until <= $3 OR claimed_by = $2)",
        )
        .bind(id)
        .bind(node)
        .bind(now)
        .bind(until)
        .execute(self.writer())
        .await?;
        if claimed.rows_affected() == 0 {
            return Ok(None);
        }
        let sql = format!("SELECT {INBOX_COLUMNS} FROM inboxes WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(self.writer())
            .await?;
        row.as_ref().map(inbox).transpose()
    }

    async fn release_inbox(&self, id: &str, node: &str) -> StoreResult<()> {
        sqlx::query(
            "UPDATE inboxes SET claimed_by = NULL, claimed_until = 0 \
             WHERE id = $1 AND claimed_by = $2",
        )
        .bind(id)
        .bind(node)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    async fn set_inbox_state(
        &self,
        id: &str,
        state: InboxState,
        error: Option<&str>,
        now: Millis,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE inboxes SET state = $2, last_error = $3, checked_at = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(state.as_str())
        .bind(error)
        .bind(now)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    async fn set_inbox_cursor(
        &self,
        id: &str,
        uid_validity: i64,
        last_uid: i64,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE inboxes SET uid_validity = $2, last_uid = $3 WHERE id = $1")
            .bind(id)
            .bind(uid_validity)
            .bind(last_uid)
            .execute(self.writer())
            .await?;
        Ok(())
    }
}
