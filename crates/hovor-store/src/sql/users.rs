//! The people of a company: users, their login sessions, API keys and
//! per-user settings.

use async_trait::async_trait;
use hovor_core::notifications::NotificationSettings;
use hovor_core::{Millis, OperatorState, Refusal, Role};
use sqlx::Row;

use super::companies::to_json;
use super::event_log::Outgoing;
use super::rows::{self, USER_COLUMNS};
use super::{Backend, Db, Tx};
use crate::error::is_unique_violation;
use crate::{
    new_id, ApiKey, Committed, LoginSession, NewAuthSession, NewUser, NotificationSettingsChanged,
    RealtimeEvent, StoreError, StoreResult, User, UserChange, UserStore,
};

/// One active user of the company, in a transaction or not.
pub(crate) async fn active_user<'e, E>(
    executor: E,
    company_id: &str,
    id: &str,
) -> StoreResult<Option<User>>
where
    E: sqlx::Executor<'e, Database = Db>,
{
    let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.company_id = $1 AND u.id = $2");
    let row = sqlx::query(&sql)
        .bind(company_id)
        .bind(id)
        .fetch_optional(executor)
        .await?;
    Ok(row
        .as_ref()
        .map(rows::user)
        .transpose()?
        .filter(|u| u.active))
}

#[async_trait]
impl UserStore for Backend {
    async fn create_user(&self, new: &NewUser, now: Millis) -> StoreResult<User> {
        let user = User {
            id: new_id("usr"),
            company_id: new.company_id.clone(),
            name: new.name.clone(),
            email: new.email.trim().to_lowercase(),
            role: new.role,
            phone_extension: None,
            active: true,
        };
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO users (id, company_id, name, email, role, password_hash, active, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&user.id)
        .bind(&user.company_id)
        .bind(&user.name)
        .bind(&user.email)
        .bind(user.role.as_str())
        .bind(&new.password_hash)
        .bind(true)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(email_taken)?;
        let initial = OperatorState::new(now);
        sqlx::query(
            "INSERT INTO operator_states (user_id, company_id, logged_in, status, pause_type_id, \
             live_connections, disconnected_since, grace_expired, since, cause) \
             VALUES ($1, $2, $3, $4, NULL, 0, NULL, $5, $6, $7)",
        )
        .bind(&user.id)
        .bind(&user.company_id)
        .bind(initial.logged_in)
        .bind(initial.status.as_str())
        .bind(initial.grace_expired)
        .bind(now)
        .bind(initial.cause.as_str())
        .execute(&mut *tx)
        .await?;
        if let Some(extension) = &new.phone_extension {
            set_extension(&mut tx, &user.company_id, &user.id, Some(extension)).await?;
        }
        set_groups(&mut tx, &user.company_id, &user.id, &new.groups).await?;
        tx.commit().await?;
        Ok(User {
            phone_extension: new.phone_extension.clone(),
            ..user
        })
    }

    async fn user(&self, company_id: &str, id: &str) -> StoreResult<Option<User>> {
        let sql =
            format!("SELECT {USER_COLUMNS} FROM users u WHERE u.company_id = $1 AND u.id = $2");
        let row = sqlx::query(&sql)
            .bind(company_id)
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(rows::user).transpose()
    }

    async fn users_for_login(&self, email: &str) -> StoreResult<Vec<(User, String)>> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.email = $1 AND u.active \
             ORDER BY u.created_at, u.id"
        );
        let rows = sqlx::query(&sql)
            .bind(email.trim().to_lowercase())
            .fetch_all(self.reader())
            .await?;
        rows.iter()
            .map(|row| Ok((rows::user(row)?, row.try_get("password_hash")?)))
            .collect()
    }

    async fn users(&self, company_id: &str) -> StoreResult<Vec<User>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.company_id = $1 AND u.active \
             ORDER BY u.name, u.id"
        );
        let rows = sqlx::query(&sql)
            .bind(company_id)
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(rows::user).collect()
    }

    async fn update_user(
        &self,
        company_id: &str,
        id: &str,
        change: &UserChange,
    ) -> StoreResult<Option<User>> {
        let email = change.email.as_ref().map(|e| e.trim().to_lowercase());
        let mut tx = self.begin().await?;
        if let Some(extension) = &change.phone_extension {
            set_extension(&mut tx, company_id, id, extension.as_deref()).await?;
        }
        let row = sqlx::query(
            "UPDATE users SET name = COALESCE($3, name), email = COALESCE($4, email), \
             role = COALESCE($5, role), password_hash = COALESCE($6, password_hash) \
             WHERE company_id = $1 AND id = $2 AND active \
             RETURNING id, company_id, name, email, role, phone_extension, active",
        )
        .bind(company_id)
        .bind(id)
        .bind(&change.name)
        .bind(email)
        .bind(change.role.map(Role::as_str))
        .bind(&change.password_hash)
        .fetch_optional(&mut *tx)
        .await
        .map_err(email_taken)?;
        if row.is_none() {
            return Ok(None);
        }
        if let Some(groups) = &change.groups {
            set_groups(&mut tx, company_id, id, groups).await?;
        }
        tx.commit().await?;
        row.as_ref().map(rows::user).transpose()
    }

    async fn user_groups(&self, company_id: &str) -> StoreResult<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT m.user_id, m.group_id FROM group_members m \
             JOIN groups g ON g.id = m.group_id \
             WHERE g.company_id = $1 AND NOT g.archived ORDER BY g.name, g.id",
        )
        .bind(company_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("user_id")?, r.try_get("group_id")?)))
            .collect()
    }

    async fn create_password_link(
        &self,
        company_id: &str,
        user_id: &str,
        token_hash: &str,
        expires_at: Millis,
        now: Millis,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM password_links WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO password_links (token_hash, company_id, user_id, expires_at, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(company_id)
        .bind(user_id)
        .bind(expires_at)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn password_link_open(&self, token_hash: &str, now: Millis) -> StoreResult<bool> {
        Ok(sqlx::query(
            "SELECT 1 AS one FROM password_links WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(self.reader())
        .await?
        .is_some())
    }

    async fn use_password_link(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: Millis,
    ) -> StoreResult<Option<User>> {
        let mut tx = self.begin().await?;
        // Deleting it first makes the link single-use under any race.
        let link = sqlx::query(
            "DELETE FROM password_links WHERE token_hash = $1 RETURNING company_id, user_id, expires_at",
        )
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(link) = link else {
            return Ok(None);
        };
        let expires_at: Millis = link.try_get("expires_at")?;
        let company_id: String = link.try_get("company_id")?;
        let user_id: String = link.try_get("user_id")?;
        if expires_at <= now {
            tx.commit().await?;
            return Ok(None);
        }
        let row = sqlx::query(
            "UPDATE users SET password_hash = $3 WHERE company_id = $1 AND id = $2 AND active \
             RETURNING id, company_id, name, email, role, phone_extension, active",
        )
        .bind(&company_id)
        .bind(&user_id)
        .bind(password_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            tx.commit().await?;
            return Ok(None);
        };
        delete_auth_sessions(&mut *tx, &user_id).await?;
        tx.commit().await?;
        Ok(Some(rows::user(&row)?))
    }

    async fn deactivate_user(&self, company_id: &str, id: &str) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE users SET active = $3 WHERE company_id = $1 AND id = $2 AND active",
        )
        .bind(company_id)
        .bind(id)
        .bind(false)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        delete_auth_sessions(&mut *tx, id).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn create_auth_session(&self, s: &NewAuthSession) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO auth_sessions (token_hash, user_id, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&s.token_hash)
        .bind(&s.user_id)
        .bind(&s.csrf_token)
        .bind(s.created_at)
        .bind(s.expires_at)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    async fn auth_session(
        &self,
        token_hash: &str,
        now: Millis,
    ) -> StoreResult<Option<LoginSession>> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, a.csrf_token, a.expires_at FROM auth_sessions a \
             JOIN users u ON u.id = a.user_id \
             WHERE a.token_hash = $1 AND a.expires_at > $2 AND u.active"
        );
        let row = sqlx::query(&sql)
            .bind(token_hash)
            .bind(now)
            .fetch_optional(self.reader())
            .await?;
        match row {
            Some(row) => Ok(Some(LoginSession {
                user: rows::user(&row)?,
                csrf_token: row.try_get("csrf_token")?,
                expires_at: row.try_get("expires_at")?,
            })),
            None => Ok(None),
        }
    }

    async fn delete_auth_sessions_of(&self, user_id: &str) -> StoreResult<()> {
        delete_auth_sessions(self.writer(), user_id).await
    }

    async fn create_api_key(
        &self,
        company_id: &str,
        name: &str,
        key_hash: &str,
        scopes: &[String],
        now: Millis,
    ) -> StoreResult<ApiKey> {
        let id = new_id("key");
        sqlx::query(
            "INSERT INTO api_keys (id, company_id, name, key_hash, scopes, created_at, \
             revoked_at) VALUES ($1, $2, $3, $4, $5, $6, NULL)",
        )
        .bind(&id)
        .bind(company_id)
        .bind(name)
        .bind(key_hash)
        .bind(scopes.join(","))
        .bind(now)
        .execute(self.writer())
        .await?;
        Ok(ApiKey {
            id,
            company_id: company_id.to_owned(),
            name: name.to_owned(),
            scopes: scopes.to_vec(),
            created_at: now,
        })
    }

    async fn api_key_by_hash(&self, key_hash: &str) -> StoreResult<Option<ApiKey>> {
        let row = sqlx::query(
            "SELECT id, company_id, name, scopes, created_at FROM api_keys \
             WHERE key_hash = $1 AND revoked_at IS NULL",
        )
        .bind(key_hash)
        .fetch_optional(self.reader())
        .await?;
        row.as_ref().map(rows::api_key).transpose()
    }

    async fn api_keys(&self, company_id: &str) -> StoreResult<Vec<ApiKey>> {
        let rows = sqlx::query(
            "SELECT id, company_id, name, scopes, created_at FROM api_keys \
             WHERE company_id = $1 AND revoked_at IS NULL ORDER BY created_at, id",
        )
        .bind(company_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(rows::api_key).collect()
    }

    async fn revoke_api_key(&self, company_id: &str, id: &str, now: Millis) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE api_keys SET revoked_at = $3 \
             WHERE company_id = $1 AND id = $2 AND revoked_at IS NULL",
        )
        .bind(company_id)
        .bind(id)
        .bind(now)
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn notification_settings(&self, user_id: &str) -> StoreResult<NotificationSettings> {
        let row = sqlx::query("SELECT notification_settings FROM user_settings WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(self.reader())
            .await?;
        match row {
            Some(r) => {
                let text: String = r.try_get("notification_settings")?;
                serde_json::from_str(&text)
                    .map_err(|e| StoreError::Corrupt(format!("notification settings: {e}")))
            }
            None => Ok(NotificationSettings::default()),
        }
    }

    async fn save_notification_settings(
        &self,
        company_id: &str,
        user_id: &str,
        settings: &NotificationSettings,
        now: Millis,
    ) -> StoreResult<Committed<()>> {
        let mut tx = self.begin_for(company_id).await?;
        sqlx::query(
            "INSERT INTO user_settings (user_id, notification_settings) VALUES ($1, $2) \
             ON CONFLICT (user_id) DO UPDATE \
             SET notification_settings = excluded.notification_settings",
        )
        .bind(user_id)
        .bind(to_json(settings)?)
        .execute(&mut *tx)
        .await?;
        let event = RealtimeEvent::NotificationSettingsChanged(NotificationSettingsChanged {
            notification_settings: *settings,
        });
        let mut out = Outgoing::new();
        out.event(user_id, event, now);
        let changes = out.write(&mut tx).await?;
        tx.commit().await?;
        Ok(Committed::new((), changes))
    }
}

/// Sets or clears the user's extension; `Refused(ExtensionTaken)` when
/// another user of the company has it.
async fn set_extension(
    tx: &mut Tx,
    company_id: &str,
    id: &str,
    extension: Option<&str>,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE users SET phone_extension = $3 WHERE company_id = $1 AND id = $2 AND active",
    )
    .bind(company_id)
    .bind(id)
    .bind(extension)
    .execute(&mut **tx)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            Refusal::ExtensionTaken.into()
        } else {
            StoreError::from(e)
        }
    })?;
    Ok(())
}

/// Makes these the user's groups (besides the built-in one, which holds
/// everyone); `Refused(UnknownGroup)` for an id that is not a live group of
/// the company. Locks each group, as archiving one does, so a user never
/// joins a group being archived.
async fn set_groups(tx: &mut Tx, company_id: &str, id: &str, groups: &[String]) -> StoreResult<()> {
    sqlx::query("DELETE FROM group_members WHERE user_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    for group in groups {
        let live = sqlx::query(&format!(
            "SELECT s.id FROM groups s WHERE s.company_id = $1 AND s.id = $2 \
             AND NOT s.archived AND NOT s.builtin{}",
            Backend::LOCK
        ))
        .bind(company_id)
        .bind(group)
        .fetch_optional(&mut **tx)
        .await?;
        if live.is_none() {
            return Err(Refusal::UnknownGroup.into());
        }
        sqlx::query(
            "INSERT INTO group_members (group_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(group)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

fn email_taken(e: sqlx::Error) -> StoreError {
    if is_unique_violation(&e) {
        StoreError::Duplicate("a user with this e-mail exists")
    } else {
        e.into()
    }
}

async fn delete_auth_sessions<'e, E>(executor: E, user_id: &str) -> StoreResult<()>
where
    E: sqlx::Executor<'e, Database = Db>,
{
    sqlx::query("DELETE FROM auth_sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(executor)
        .await?;
    Ok(())
}
