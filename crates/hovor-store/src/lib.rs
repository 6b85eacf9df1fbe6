//! Hovor's storage.
//!
//! [`Store`] is the one interface the server uses. There are two
//! implementations, [`SqliteStore`] (the zero-setup default: one file under the
//! data directory) and [`PgStore`] (for several nodes sharing one database).
//! Both are generated from the same SQL text by one macro (see `sql.rs`), so
//! the two cannot drift apart; each runs on its own native driver with its own
//! migrations folder.
//!
//! Every method takes the company it acts for: nothing crosses companies.

mod model;
mod postgres;
mod sql;
mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;
use hovor_core::notifications::NotificationSettings;
use hovor_core::session::EndReason;
use hovor_core::{
    routing, Channel, ChannelSetting, Command, CompanySettings, DomainError, HistorySpan, Millis,
    Role,
};

pub use model::*;
pub use postgres::PgStore;
pub use sqlite::SqliteStore;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    /// A request that lost to the current state, e.g. `already_taken`.
    #[error("{message}")]
    Rejected { code: &'static str, message: String },
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Opens the store named by a database URL: `postgres://…` for PostgreSQL,
/// anything else is taken as a SQLite file path. Migrations are applied.
pub async fn open(
    database_url: Option<&str>,
    data_dir: &std::path::Path,
) -> StoreResult<Arc<dyn Store>> {
    match database_url {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Ok(Arc::new(PgStore::connect(url).await?))
        }
        Some(other) => Ok(Arc::new(
            SqliteStore::open(std::path::Path::new(other)).await?,
        )),
        None => {
            std::fs::create_dir_all(data_dir).map_err(|e| {
                StoreError::Corrupt(format!(
                    "cannot create data directory {}: {e}",
                    data_dir.display()
                ))
            })?;
            Ok(Arc::new(
                SqliteStore::open(&data_dir.join("hovor.sqlite")).await?,
            ))
        }
    }
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Which database this is, for logs and health output.
    fn backend(&self) -> &'static str;

    // Companies
    async fn create_company(&self, slug: &str, name: &str, now: Millis) -> StoreResult<Company>;
    async fn company(&self, id: &str) -> StoreResult<Option<Company>>;
    async fn company_by_slug(&self, slug: &str) -> StoreResult<Option<Company>>;
    async fn save_company_settings(
        &self,
        company_id: &str,
        settings: &CompanySettings,
    ) -> StoreResult<()>;

    // Users
    async fn create_user(&self, new: &NewUser, now: Millis) -> StoreResult<User>;
    async fn user(&self, company_id: &str, id: &str) -> StoreResult<Option<User>>;
    /// For login: the active user with this e-mail (any company) and their hash.
    async fn user_for_login(&self, email: &str) -> StoreResult<Option<(User, String)>>;
    async fn users(&self, company_id: &str) -> StoreResult<Vec<User>>;
    /// Changes what is given; `Conflict` when the new e-mail is taken.
    async fn update_user(
        &self,
        company_id: &str,
        id: &str,
        change: &UserChange,
    ) -> StoreResult<Option<User>>;
    /// Deactivates (history stays); their login sessions end.
    async fn deactivate_user(&self, company_id: &str, id: &str) -> StoreResult<bool>;

    // Login sessions
    async fn create_auth_session(&self, s: &NewAuthSession) -> StoreResult<()>;
    /// The user and CSRF token of an unexpired session.
    async fn auth_session(
        &self,
        token_hash: &str,
        now: Millis,
    ) -> StoreResult<Option<(User, String)>>;
    async fn delete_auth_sessions_of(&self, user_id: &str) -> StoreResult<()>;

    // API keys
    async fn create_api_key(
        &self,
        company_id: &str,
        name: &str,
        key_hash: &str,
        scopes: &[String],
        now: Millis,
    ) -> StoreResult<ApiKey>;
    async fn api_key_by_hash(&self, key_hash: &str) -> StoreResult<Option<ApiKey>>;
    /// The company's keys that are not revoked (never their secrets).
    async fn api_keys(&self, company_id: &str) -> StoreResult<Vec<ApiKey>>;
    async fn revoke_api_key(&self, company_id: &str, id: &str, now: Millis) -> StoreResult<bool>;

    // Pause types
    async fn pause_types(&self, company_id: &str) -> StoreResult<Vec<PauseType>>;
    async fn pause_type(&self, company_id: &str, id: &str) -> StoreResult<Option<PauseType>>;
    async fn create_pause_type(
        &self,
        company_id: &str,
        name: &str,
        paid: bool,
        now: Millis,
    ) -> StoreResult<PauseType>;
    async fn update_pause_type(
        &self,
        company_id: &str,
        id: &str,
        name: Option<&str>,
        paid: Option<bool>,
    ) -> StoreResult<Option<PauseType>>;
    /// Pause types are archived, never deleted: history keeps their names.
    async fn archive_pause_type(&self, company_id: &str, id: &str) -> StoreResult<bool>;

    // Operator status
    async fn operator_state(
        &self,
        company_id: &str,
        user_id: &str,
    ) -> StoreResult<Option<StateView>>;
    async fn operator_states(&self, company_id: &str) -> StoreResult<Vec<StateView>>;
    /// Applies a state-machine command in one transaction: the new state, its
    /// history span and the events for every watcher are written together.
    async fn apply_state_command(
        &self,
        company_id: &str,
        user_id: &str,
        command: Command,
        now: Millis,
    ) -> StoreResult<StateChange>;
    /// Operators with no live connection whose grace period may have run out.
    async fn disconnected_operators(&self) -> StoreResult<Vec<(String, String)>>;
    /// At start-up no connection survives from before: count them as lost now.
    async fn reset_live_connections(&self, now: Millis) -> StoreResult<Vec<(String, String)>>;
    async fn state_history(
        &self,
        company_id: &str,
        user_id: &str,
        from: Millis,
        to: Millis,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<HistoryEntry>>;
    async fn history_spans(
        &self,
        company_id: &str,
        user_id: &str,
        from: Millis,
        to: Millis,
    ) -> StoreResult<Vec<HistorySpan>>;

    // Channels
    async fn channels(&self, company_id: &str, user_id: &str) -> StoreResult<Vec<ChannelSetting>>;
    /// Every assignment in the company, as `(user id, setting)`.
    async fn company_channels(
        &self,
        company_id: &str,
    ) -> StoreResult<Vec<(String, ChannelSetting)>>;
    /// Replaces a user's assignment; kept channels keep their switch, new ones start on.
    async fn assign_channels(
        &self,
        company_id: &str,
        user_id: &str,
        assigned: &[(Channel, u32)],
        now: Millis,
    ) -> StoreResult<ChannelChange>;
    /// `None` when the channel is not assigned to that user.
    async fn set_channel_enabled(
        &self,
        company_id: &str,
        user_id: &str,
        channel: Channel,
        enabled: bool,
        now: Millis,
    ) -> StoreResult<Option<ChannelChange>>;

    // Per-user settings
    /// The user's alert settings (the defaults until they change them).
    async fn notification_settings(&self, user_id: &str) -> StoreResult<NotificationSettings>;
    /// Saves them and tells the user's other tabs (`me.notification_settings_changed`).
    async fn save_notification_settings(
        &self,
        company_id: &str,
        user_id: &str,
        settings: &NotificationSettings,
        now: Millis,
    ) -> StoreResult<Vec<(String, i64)>>;

    // Groups
    async fn groups(&self, company_id: &str) -> StoreResult<Vec<Group>>;
    async fn create_group(
        &self,
        company_id: &str,
        name: &str,
        members: &[String],
        max_queue: Option<i64>,
        now: Millis,
    ) -> StoreResult<Group>;

    /// `max_queue: Some(None)` clears the limit. The built-in group's name and
    /// members cannot change (`Rejected { code: "builtin_group" }`).
    async fn update_group(
        &self,
        company_id: &str,
        id: &str,
        name: Option<&str>,
        max_queue: Option<Option<i64>>,
        members: Option<&[String]>,
    ) -> StoreResult<()>;
    /// Deletes by archiving; refused for the built-in group and while clients wait in it.
    async fn archive_group(&self, company_id: &str, id: &str) -> StoreResult<()>;
    async fn queued_in_group(&self, group_id: &str) -> StoreResult<i64>;

    // Sessions and routing
    async fn create_session(&self, new: &NewSession, now: Millis) -> StoreResult<SessionChange>;
    async fn session(&self, company_id: &str, id: &str) -> StoreResult<Option<Session>>;
    async fn session_by_token(&self, token_hash: &str) -> StoreResult<Option<Session>>;
    async fn sessions(
        &self,
        company_id: &str,
        filter: &SessionFilter,
        limit: i64,
    ) -> StoreResult<Vec<Session>>;
    /// Every waiting or offered session of the company, oldest first.
    async fn queued_sessions(&self, company_id: &str) -> StoreResult<Vec<Session>>;
    async fn queue_place(&self, session: &Session) -> StoreResult<QueuePlace>;
    /// What routing needs: the waiting sessions and every operator with a channel.
    async fn routing_snapshot(
        &self,
        company_id: &str,
    ) -> StoreResult<(Vec<routing::Waiting>, Vec<routing::Candidate>)>;
    /// Companies with sessions waiting now.
    async fn companies_with_waiting(&self) -> StoreResult<Vec<String>>;
    /// Offers a waiting session; `None` if it is no longer waiting or the operator has no room.
    async fn offer(
        &self,
        company_id: &str,
        session_id: &str,
        operator_id: &str,
        deadline: Millis,
        now: Millis,
    ) -> StoreResult<Option<SessionChange>>;
    /// Offers whose deadline has passed: `(company, session, operator)`.
    async fn expired_offers(&self, now: Millis) -> StoreResult<Vec<(String, String, String)>>;
    /// Sessions offered to this operator now.
    async fn offers_to(&self, company_id: &str, operator_id: &str) -> StoreResult<Vec<String>>;
    /// Puts an offered session back in the queue (if still offered to that operator).
    async fn withdraw_offer(
        &self,
        company_id: &str,
        session_id: &str,
        operator_id: &str,
        now: Millis,
    ) -> StoreResult<Option<SessionChange>>;
    /// Exactly one operator wins; others get `Rejected { code: "already_taken" }`.
    async fn accept(
        &self,
        company_id: &str,
        session_id: &str,
        operator_id: &str,
        now: Millis,
    ) -> StoreResult<SessionChange>;
    /// Returns the message and whether it is new (false: an idempotent resend).
    async fn add_message(
        &self,
        company_id: &str,
        session_id: &str,
        writer: &Writer,
        text: &str,
        now: Millis,
    ) -> StoreResult<(Message, bool, Vec<(String, i64)>)>;
    async fn messages_after(
        &self,
        session_id: &str,
        after_seq: i64,
        limit: i64,
    ) -> StoreResult<Vec<Message>>;
    async fn transfer(
        &self,
        company_id: &str,
        session_id: &str,
        target: &TransferTarget,
        note: Option<&str>,
        now: Millis,
    ) -> StoreResult<SessionChange>;
    async fn end_session(
        &self,
        company_id: &str,
        session_id: &str,
        reason: EndReason,
        now: Millis,
    ) -> StoreResult<SessionChange>;

    // Invitations
    /// `Conflict` if the code is taken (draw another).
    async fn create_invitation(&self, new: &NewInvitation, now: Millis) -> StoreResult<Invitation>;
    async fn invitation(&self, company_id: &str, id: &str) -> StoreResult<Option<Invitation>>;
    async fn invitation_by_code(&self, code: &str) -> StoreResult<Option<Invitation>>;
    async fn invitations(
        &self,
        company_id: &str,
        operator_id: Option<&str>,
        active: Option<bool>,
        limit: i64,
    ) -> StoreResult<Vec<Invitation>>;
    /// Idempotent: an invalidated invitation stays as it was invalidated.
    async fn invalidate_invitation(
        &self,
        company_id: &str,
        id: &str,
        now: Millis,
    ) -> StoreResult<Option<Invitation>>;
    /// Uses the invitation once and starts a session bound to its operator,
    /// atomically: a single-use code redeemed by many at once starts exactly
    /// one session. `Rejected` with `invitation_used` / `invitation_invalidated`.
    async fn redeem_invitation(
        &self,
        code: &str,
        client_token_hash: &str,
        now: Millis,
    ) -> StoreResult<(SessionChange, Invitation)>;

    // Webhooks
    /// Subscribes from now on: the cursor starts at the outbox's head.
    async fn create_webhook(
        &self,
        company_id: &str,
        url: &str,
        events: &[String],
        secret: &str,
        now: Millis,
    ) -> StoreResult<Webhook>;
    async fn webhooks(&self, company_id: &str) -> StoreResult<Vec<Webhook>>;
    async fn webhook(&self, company_id: &str, id: &str) -> StoreResult<Option<Webhook>>;
    async fn update_webhook(
        &self,
        company_id: &str,
        id: &str,
        url: Option<&str>,
        events: Option<&[String]>,
        active: Option<bool>,
    ) -> StoreResult<Option<Webhook>>;
    async fn delete_webhook(&self, company_id: &str, id: &str, now: Millis) -> StoreResult<bool>;
    async fn webhook_attempts(
        &self,
        webhook_id: &str,
        limit: i64,
    ) -> StoreResult<Vec<WebhookAttempt>>;
    /// Active webhooks with undelivered events whose retry time has come.
    async fn due_webhooks(&self, now: Millis) -> StoreResult<Vec<Webhook>>;
    /// Moves the cursor past events the webhook does not subscribe to.
    async fn skip_webhook_to(&self, webhook_id: &str, seq: i64) -> StoreResult<()>;
    /// Logs an attempt at the head event and moves on, or schedules a retry.
    #[allow(clippy::too_many_arguments)]
    async fn record_webhook_attempt(
        &self,
        hook: &Webhook,
        event_seq: i64,
        event_type: &str,
        status_code: Option<i64>,
        error: Option<&str>,
        outcome: &AttemptOutcome,
        now: Millis,
    ) -> StoreResult<()>;

    // Telephony
    async fn telephony_facts(&self, company_id: &str) -> StoreResult<TelephonyFacts>;
    /// The exchange spoke now. True when the connector was not announced up.
    async fn touch_connector(&self, company_id: &str, now: Millis) -> StoreResult<bool>;
    /// `(company, last_seen, announced_up)` of every company with telephony.
    async fn connectors(&self) -> StoreResult<Vec<(String, Option<Millis>, bool)>>;
    async fn set_connector_announced(&self, company_id: &str, up: bool) -> StoreResult<()>;
    async fn save_telephony_settings(
        &self,
        company_id: &str,
        dial_url: Option<&str>,
        secret: Option<&str>,
    ) -> StoreResult<()>;
    /// `None` (and no change) when no user has the extension.
    async fn register_extension(
        &self,
        company_id: &str,
        extension: &str,
        registered: bool,
        now: Millis,
    ) -> StoreResult<Option<String>>;
    /// Tells the operator's tabs and supervisors (and webhooks) their line.
    async fn announce_phone_line(
        &self,
        company_id: &str,
        user_id: &str,
        phone_line: serde_json::Value,
        now: Millis,
    ) -> StoreResult<Vec<(String, i64)>>;
    async fn mark_offered(&self, operator_id: &str, now: Millis) -> StoreResult<()>;
    async fn call_known(&self, company_id: &str, call_id: &str) -> StoreResult<bool>;
    /// Folds a call report into the call's one phone session.
    async fn call_report(
        &self,
        company_id: &str,
        report: &CallReport,
        operator_id: Option<&str>,
        now: Millis,
    ) -> StoreResult<SessionChange>;

    // Real-time streams
    async fn events_after(
        &self,
        stream: &str,
        after_seq: i64,
        limit: i64,
    ) -> StoreResult<Vec<StreamEvent>>;
    async fn last_seq(&self, stream: &str) -> StoreResult<i64>;
}

/// A fresh random identifier with a readable prefix, e.g. `usr_5k2…`.
pub fn new_id(prefix: &str) -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"0123456789abcdefghjkmnpqrstvwxyz";
    let mut rng = rand::rngs::OsRng;
    let tail: String = (0..20)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{prefix}_{tail}")
}

/// Only these roles appear in the company's live status overview.
pub fn watches_everyone(role: Role) -> bool {
    role.oversees_others()
}
