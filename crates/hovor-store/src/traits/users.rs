use async_trait::async_trait;
use hovor_core::notifications::NotificationSettings;
use hovor_core::Millis;

use crate::{
    ApiKey, Committed, LoginSession, NewAuthSession, NewUser, StoreResult, User, UserChange,
};

/// The people of a company and their ways in: users, login sessions, API
/// keys, and per-user settings.
#[async_trait]
pub trait UserStore {
    /// `Duplicate` when the e-mail is taken in the company; refusals as for
    /// `update_user`. Nothing is written on either.
    async fn create_user(&self, new: &NewUser, now: Millis) -> StoreResult<User>;

    async fn user(&self, company_id: &str, id: &str) -> StoreResult<Option<User>>;

    /// For login: the active users with this e-mail (one per company at
    /// most, oldest first) and their hashes.
    async fn users_for_login(&self, email: &str) -> StoreResult<Vec<(User, String)>>;

    /// The company's active users, by name.
    async fn users(&self, company_id: &str) -> StoreResult<Vec<User>>;

    /// Changes what is given; `Duplicate` when the new e-mail is taken,
    /// `Refused(ExtensionTaken)` when the extension is, `Refused(UnknownGroup)`
    /// for a group that is not the company's. Nothing changes on a refusal.
    async fn update_user(
        &self,
        company_id: &str,
        id: &str,
        change: &UserChange,
    ) -> StoreResult<Option<User>>;

    /// Group memberships in the company as `(user id, group id)`, by group
    /// name (the built-in group, which holds everyone, lists none).
    async fn user_groups(&self, company_id: &str) -> StoreResult<Vec<(String, String)>>;

    /// A set-password link for the user, replacing any earlier one.
    async fn create_password_link(
        &self,
        company_id: &str,
        user_id: &str,
        token_hash: &str,
        expires_at: Millis,
        now: Millis,
    ) -> StoreResult<()>;
    /// Whether a link is there to be used now (checked before a password is
    /// hashed for it).
    async fn password_link_open(&self, token_hash: &str, now: Millis) -> StoreResult<bool>;
    /// Uses a link: sets the password and ends the user's login sessions,
    /// in one transaction. The user, or `None` for an unknown, used or
    /// expired link (or an inactive user).
    async fn use_password_link(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: Millis,
    ) -> StoreResult<Option<User>>;

    /// Deactivates (history stays); their login sessions end.
    async fn deactivate_user(&self, company_id: &str, id: &str) -> StoreResult<bool>;

    async fn create_auth_session(&self, s: &NewAuthSession) -> StoreResult<()>;

    /// The user and CSRF token of an unexpired login session.
    async fn auth_session(
        &self,
        token_hash: &str,
        now: Millis,
    ) -> StoreResult<Option<LoginSession>>;

    async fn delete_auth_sessions_of(&self, user_id: &str) -> StoreResult<()>;

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

    /// The user's alert settings (the defaults until they change them).
    async fn notification_settings(&self, user_id: &str) -> StoreResult<NotificationSettings>;

    /// Saves them and tells the user's other tabs
    /// (`me.notification_settings_changed`).
    async fn save_notification_settings(
        &self,
        company_id: &str,
        user_id: &str,
        settings: &NotificationSettings,
        now: Millis,
    ) -> StoreResult<Committed<()>>;
}
