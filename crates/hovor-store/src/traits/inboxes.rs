use async_trait::async_trait;
use hovor_core::Millis;

use crate::{Inbox, InboxChange, NewInbox, SealedPasswords, StoreResult};

/// A company's inboxes (admins), and what the node reading one keeps: its
/// claim, where reading stands and how it went.
#[async_trait]
pub trait InboxStore {
    /// `Duplicate` when another inbox of the company has the address;
    /// `NotFound` for a group the company does not have.
    async fn create_inbox(
        &self,
        company_id: &str,
        new: &NewInbox,
        now: Millis,
    ) -> StoreResult<Inbox>;
    /// The company's inboxes (not deleted), by name.
    async fn inboxes(&self, company_id: &str) -> StoreResult<Vec<Inbox>>;
    async fn inbox(&self, company_id: &str, id: &str) -> StoreResult<Option<Inbox>>;
    /// `None` for an unknown inbox; `Duplicate` and `NotFound` as when made.
    async fn update_inbox(
        &self,
        company_id: &str,
        id: &str,
        change: &InboxChange,
    ) -> StoreResult<Option<Inbox>>;
    /// Deleted inboxes are no longer read; their threads stay.
    async fn delete_inbox(&self, company_id: &str, id: &str, now: Millis) -> StoreResult<bool>;
    async fn inbox_passwords(&self, id: &str) -> StoreResult<Option<SealedPasswords>>;
    /// Active inboxes of every company, for the readers.
    async fn active_inboxes(&self) -> StoreResult<Vec<Inbox>>;
    /// Claims the reading of an inbox for `node` until `until` (free, or
    /// its claim ran out, or already this node's): the inbox as it stands,
    /// `None` when another node reads it or it is gone.
    async fn claim_inbox(
        &self,
        id: &str,
        node: &str,
        now: Millis,
        until: Millis,
    ) -> StoreResult<Option<Inbox>>;
    async fn release_inbox(&self, id: &str, node: &str) -> StoreResult<()>;
    /// How the last attempt went.
    async fn set_inbox_state(
        &self,
        id: &str,
        state: hovor_core::email::InboxState,
        error: Option<&str>,
        now: Millis,
    ) -> StoreResult<()>;
    /// Where reading stands: a new UIDVALIDITY starts the count over.
    async fn set_inbox_cursor(&self, id: &str, uid_validity: i64, last_uid: i64)
        -> StoreResult<()>;
}
