//! Operators' status: every change goes through the state machine in the
//! store's transaction, then is published.

use hovor_core::Command;
use hovor_store::{NewAuthSession, StateChange, User};

use crate::auth::{digest, random_token};
use crate::bus::Hint;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

pub async fn change_state(
    app: &AppState,
    company_id: &str,
    user_id: &str,
    command: Command,
) -> ApiResult<StateChange> {
    Ok(app
        .store
        .apply_state_command(company_id, user_id, command, app.now())
        .await?
        .publish(app))
}

/// A supervisor or admin (`by`) sets an operator's status: recorded with
/// their name.
pub async fn change_state_by(
    app: &AppState,
    company_id: &str,
    user_id: &str,
    command: Command,
    by: &str,
) -> ApiResult<StateChange> {
    Ok(app
        .store
        .apply_state_command_by(company_id, user_id, command, by, app.now())
        .await?
        .publish(app))
}

/// A workspace connected: the operator is connected (again). Returns the
/// seq of the change in their own stream, if it was visible (a first tab;
/// a second changes nothing others see): the connection starts after it.
pub async fn connect(app: &AppState, user: &User) -> ApiResult<Option<i64>> {
    let committed = app
        .store
        .connection_changed(&user.company_id, &user.id, &app.node_id, true, app.now())
        .await?;
    let own = committed.appended_to(&user.id);
    committed.publish(app);
    Ok(own)
}

/// A workspace's connection closed (this node counts it no more).
pub async fn disconnect(app: &AppState, user: &User) -> ApiResult<StateChange> {
    Ok(app
        .store
        .connection_changed(&user.company_id, &user.id, &app.node_id, false, app.now())
        .await?
        .publish(app))
}

/// A new login session for a user whose password checked out: they take the
/// company's status after login. Returns the session token and its CSRF
/// token.
pub async fn log_in(app: &AppState, user: &User) -> ApiResult<(String, String)> {
    let company = app
        .store
        .company(&user.company_id)
        .await?
        .ok_or_else(|| ApiError::internal("login", "a user without a company"))?;
    let token = random_token();
    let csrf_token = random_token();
    let now = app.now();
    let ttl = i64::try_from(app.config.session_ttl.as_millis()).unwrap_or(i64::MAX / 2);
    app.store
        .create_auth_session(&NewAuthSession {
            token_hash: digest(&token),
            user_id: user.id.clone(),
            csrf_token: csrf_token.clone(),
            created_at: now,
            expires_at: now.saturating_add(ttl),
        })
        .await?;
    change_state(
        app,
        &user.company_id,
        &user.id,
        Command::Login {
            status_after_login: company.settings.status_after_login,
        },
    )
    .await?;
    Ok((token, csrf_token))
}

/// Logs the user out everywhere: their login sessions end, they become
/// offline (cause `logout`), and their open workspaces close.
pub async fn log_out_everywhere(app: &AppState, user: &User) -> ApiResult<()> {
    app.store.delete_auth_sessions_of(&user.id).await?;
    change_state(app, &user.company_id, &user.id, Command::Logout).await?;
    app.bus.publish(Hint::LoggedOut {
        user_id: user.id.clone(),
    });
    Ok(())
}
