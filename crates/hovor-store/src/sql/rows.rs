//! Column lists and the mapping of rows to the store's types, shared by the
//! domain files.

use hovor_core::call::{CallState, Media, Party};
use hovor_core::session::{Author, EndReason, SessionStatus, Source};
use hovor_core::{Cause, Channel, ChannelSetting, OperatorState, Role, Status};
use sqlx::Row;

use super::DbRow;
use crate::error::corrupt;
use crate::{
    ApiKey, CallInfo, ClientInfo, Company, Invitation, Message, PauseType, PauseTypeRef,
    RatingInfo, Session, StateView, StoreError, StoreResult, User, Webhook,
};

pub(crate) const USER_COLUMNS: &str =
    "u.id, u.company_id, u.name, u.email, u.role, u.phone_extension, u.active";

pub(crate) const STATE_COLUMNS: &str =
    "s.logged_in, s.status, s.pause_type_id, s.live_connections, s.disconnected_since, \
     s.grace_expired, s.since, s.cause, p.name AS pause_name, p.paid AS pause_paid";

pub(crate) const SESSION_COLUMNS: &str =
    "s.id, s.company_id, s.channel, s.source, s.status, s.group_id, s.target_operator_id, \
     s.operator_id, s.offered_to, s.offer_deadline, s.client_name, s.client_email, \
     s.client_phone, s.page_url, s.created_at, s.queued_at, s.accepted_at, s.ended_at, \
     s.end_reason, s.declined_by, s.preferred_operator_id, s.call_state, s.call_media, \
     s.call_by, s.call_since, s.rating_score, s.rating_comment, s.rated_at";

/// [`SESSION_COLUMNS`] as an `UPDATE` or `INSERT` of `sessions` returns
/// them (SQLite's `RETURNING` takes no table alias).
pub(crate) const SESSION_RETURNING: &str =
    "RETURNING id, company_id, channel, source, status, group_id, target_operator_id, \
     operator_id, offered_to, offer_deadline, client_name, client_email, client_phone, page_url, \
     created_at, queued_at, accepted_at, ended_at, end_reason, declined_by, preferred_operator_id, \
     call_state, call_media, call_by, call_since, rating_score, rating_comment, rated_at";

pub(crate) const INVITATION_COLUMNS: &str =
    "i.id, i.company_id, i.code, i.operator_id, u.name AS operator_name, i.reusable, i.label, \
     i.created_by, i.created_at, i.uses, i.invalidated_at";

pub(crate) const WEBHOOK_COLUMNS: &str =
    "w.id, w.company_id, w.url, w.events, w.secret, w.active, w.created_at, w.cursor_seq, \
     w.attempts, w.failing_since, w.retry_at";

pub(crate) fn user(row: &DbRow) -> StoreResult<User> {
    let role: String = row.try_get("role")?;
    Ok(User {
        id: row.try_get("id")?,
        company_id: row.try_get("company_id")?,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        role: Role::parse(&role).ok_or_else(|| corrupt("role", &role))?,
        phone_extension: row.try_get("phone_extension")?,
        active: row.try_get("active")?,
    })
}

pub(crate) fn company(row: &DbRow) -> StoreResult<Company> {
    let settings: String = row.try_get("settings")?;
    Ok(Company {
        id: row.try_get("id")?,
        slug: row.try_get("slug")?,
        name: row.try_get("name")?,
        settings: serde_json::from_str(&settings)
            .map_err(|e| StoreError::Corrupt(format!("company settings: {e}")))?,
    })
}

pub(crate) fn pause_type(row: &DbRow) -> StoreResult<PauseType> {
    Ok(PauseType {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        paid: row.try_get("paid")?,
        archived: row.try_get("archived")?,
        position: row.try_get("position")?,
    })
}

/// A pause type joined in as `pause_type_id`, `pause_name`, `pause_paid`.
pub(crate) fn pause_ref(row: &DbRow) -> StoreResult<Option<PauseTypeRef>> {
    let id: Option<String> = row.try_get("pause_type_id")?;
    let name: Option<String> = row.try_get("pause_name")?;
    let paid: Option<bool> = row.try_get("pause_paid")?;
    Ok(match (id, name) {
        (Some(id), Some(name)) => Some(PauseTypeRef {
            id,
            name,
            paid: paid.unwrap_or(false),
        }),
        _ => None,
    })
}

/// A row of `USER_COLUMNS, STATE_COLUMNS`.
pub(crate) fn state_view(row: &DbRow) -> StoreResult<StateView> {
    Ok(StateView {
        operator: user(row)?,
        state: operator_state(row)?,
        pause_type: pause_ref(row)?,
    })
}

/// The operator state columns of `STATE_COLUMNS`.
pub(crate) fn operator_state(row: &DbRow) -> StoreResult<OperatorState> {
    let status: String = row.try_get("status")?;
    let cause: String = row.try_get("cause")?;
    let live: i64 = row.try_get("live_connections")?;
    Ok(OperatorState {
        logged_in: row.try_get("logged_in")?,
        status: Status::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        pause_type_id: row.try_get("pause_type_id")?,
        live_connections: u32::try_from(live).unwrap_or(0),
        disconnected_since: row.try_get("disconnected_since")?,
        grace_expired: row.try_get("grace_expired")?,
        since: row.try_get("since")?,
        cause: Cause::parse(&cause).ok_or_else(|| corrupt("cause", &cause))?,
    })
}

pub(crate) fn api_key(row: &DbRow) -> StoreResult<ApiKey> {
    let scopes: String = row.try_get("scopes")?;
    Ok(ApiKey {
        id: row.try_get("id")?,
        company_id: row.try_get("company_id")?,
        name: row.try_get("name")?,
        scopes: split_list(&scopes),
        created_at: row.try_get("created_at")?,
    })
}

/// A comma-separated list column.
fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

pub(crate) fn channel(row: &DbRow) -> StoreResult<ChannelSetting> {
    let name: String = row.try_get("channel")?;
    let capacity: i64 = row.try_get("capacity")?;
    Ok(ChannelSetting {
        channel: Channel::parse(&name).ok_or_else(|| corrupt("channel", &name))?,
        enabled: row.try_get("enabled")?,
        capacity: u32::try_from(capacity).unwrap_or(0),
    })
}

pub(crate) fn session(row: &DbRow) -> StoreResult<Session> {
    let channel: String = row.try_get("channel")?;
    let source: String = row.try_get("source")?;
    let status: String = row.try_get("status")?;
    let end_reason: Option<String> = row.try_get("end_reason")?;
    let declined_by: String = row.try_get("declined_by")?;
    Ok(Session {
        id: row.try_get("id")?,
        company_id: row.try_get("company_id")?,
        channel: Channel::parse(&channel).ok_or_else(|| corrupt("channel", &channel))?,
        source: Source::parse(&source).ok_or_else(|| corrupt("source", &source))?,
        status: SessionStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        group_id: row.try_get("group_id")?,
        target_operator_id: row.try_get("target_operator_id")?,
        preferred_operator_id: row.try_get("preferred_operator_id")?,
        operator_id: row.try_get("operator_id")?,
        offered_to: row.try_get("offered_to")?,
        offer_expires_at: row.try_get("offer_deadline")?,
        client: ClientInfo {
            name: row.try_get("client_name")?,
            email: row.try_get("client_email")?,
            phone: row.try_get("client_phone")?,
        },
        page_url: row.try_get("page_url")?,
        created_at: row.try_get("created_at")?,
        queued_at: row.try_get("queued_at")?,
        accepted_at: row.try_get("accepted_at")?,
        ended_at: row.try_get("ended_at")?,
        end_reason: match end_reason {
            Some(r) => Some(EndReason::parse(&r).ok_or_else(|| corrupt("end reason", &r))?),
            None => None,
        },
        declined_by: id_list(&declined_by),
        call: call(row)?,
        rating: rating(row)?,
    })
}

/// The `rating_*` columns of a session: set once it is rated.
fn rating(row: &DbRow) -> StoreResult<Option<RatingInfo>> {
    let score: Option<i64> = row.try_get("rating_score")?;
    let Some(score) = score else {
        return Ok(None);
    };
    Ok(Some(RatingInfo {
        score: u8::try_from(score).map_err(|_| corrupt("rating", &score.to_string()))?,
        comment: row.try_get("rating_comment")?,
        rated_at: row
            .try_get::<Option<i64>, _>("rated_at")?
            .unwrap_or_default(),
    }))
}

/// The `call_*` columns of a session: all set, or all NULL.
fn call(row: &DbRow) -> StoreResult<Option<CallInfo>> {
    let state: Option<String> = row.try_get("call_state")?;
    let Some(state) = state else {
        return Ok(None);
    };
    let media: String = row
        .try_get::<Option<String>, _>("call_media")?
        .unwrap_or_default();
    let by: String = row
        .try_get::<Option<String>, _>("call_by")?
        .unwrap_or_default();
    Ok(Some(CallInfo {
        state: CallState::parse(&state).ok_or_else(|| corrupt("call state", &state))?,
        media: Media::parse(&media).ok_or_else(|| corrupt("call media", &media))?,
        proposed_by: Party::parse(&by).ok_or_else(|| corrupt("call party", &by))?,
        since: row
            .try_get::<Option<i64>, _>("call_since")?
            .unwrap_or_default(),
    }))
}

/// Ids stored comma separated in one column (`sessions.declined_by`).
pub(crate) fn id_list(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A message's `notice` column: its JSON, or null.
pub(crate) fn notice(row: &DbRow) -> StoreResult<Option<hovor_core::session::Notice>> {
    let stored: Option<String> = row.try_get("notice")?;
    stored
        .map(|json| serde_json::from_str(&json).map_err(|_| corrupt("message notice", &json)))
        .transpose()
}

pub(crate) fn message(row: &DbRow) -> StoreResult<Message> {
    let author: String = row.try_get("author")?;
    Ok(Message {
        seq: row.try_get("seq")?,
        author: Author::parse(&author).ok_or_else(|| corrupt("author", &author))?,
        operator_id: row.try_get("operator_id")?,
        operator_name: row.try_get("operator_name")?,
        text: row.try_get("text")?,
        sent_at: row.try_get("sent_at")?,
        internal: row.try_get("internal")?,
        notice: notice(row)?,
        attachments: message_files(row)?,
    })
}

/// A message's `attachments` column: the JSON of its files, or null for
/// none.
pub(crate) fn message_files(row: &DbRow) -> StoreResult<Vec<crate::Attachment>> {
    let stored: Option<String> = row.try_get("attachments")?;
    match stored {
        None => Ok(Vec::new()),
        Some(json) => {
            serde_json::from_str(&json).map_err(|_| corrupt("message attachments", &json))
        }
    }
}

pub(crate) fn invitation(row: &DbRow) -> StoreResult<Invitation> {
    Ok(Invitation {
        id: row.try_get("id")?,
        company_id: row.try_get("company_id")?,
        code: row.try_get("code")?,
        operator_id: row.try_get("operator_id")?,
        operator_name: row.try_get("operator_name")?,
        reusable: row.try_get("reusable")?,
        label: row.try_get("label")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        uses: row.try_get("uses")?,
        invalidated_at: row.try_get("invalidated_at")?,
    })
}

pub(crate) fn webhook(row: &DbRow) -> StoreResult<Webhook> {
    let events: String = row.try_get("events")?;
    Ok(Webhook {
        id: row.try_get("id")?,
        company_id: row.try_get("company_id")?,
        url: row.try_get("url")?,
        events: split_list(&events),
        secret: row.try_get("secret")?,
        active: row.try_get("active")?,
        created_at: row.try_get("created_at")?,
        cursor_seq: row.try_get("cursor_seq")?,
        attempts: row.try_get("attempts")?,
        failing_since: row.try_get("failing_since")?,
        retry_at: row.try_get("retry_at")?,
    })
}

/// A one-column `id` row.
pub(crate) fn id(row: &DbRow) -> StoreResult<String> {
    Ok(row.try_get("id")?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_returned_session_has_the_selected_columns() {
        let selected = SESSION_COLUMNS.replace("s.", "");
        let returned = SESSION_RETURNING.trim_start_matches("RETURNING ");
        let words = |s: &str| {
            s.split(',')
                .map(|c| c.trim().to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(words(&selected), words(returned));
    }
}
