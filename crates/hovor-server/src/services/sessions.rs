//! Sessions: a client starts one, an operator accepts, both write, an
//! operator transfers or ends it, the client leaves.

use axum::http::StatusCode;
use hovor_core::routing::{availability, Availability};
use hovor_core::session::{check_text, EndReason, SessionStatus};
use hovor_core::{Channel, Refusal};
use hovor_store::{
    Group, NewMessage, NewSession, Posted, Session, StoreError, TransferTarget, User, Writer,
    Written,
};

use super::phone::routing_snapshot;
use super::routing;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// Can anyone take a session of this channel (in this group) now, and how
/// many wait for one?
pub async fn availability_of(
    app: &AppState,
    company_id: &str,
    channel: Channel,
    group: Option<&str>,
) -> ApiResult<(Availability, usize)> {
    if channel == Channel::Phone {
        // A line's readiness changes with the clock: read it now.
        let (waiting, candidates) = routing_snapshot(app, company_id).await?;
        let queue = waiting.iter().filter(|w| w.channel == channel).count();
        return Ok((availability(&candidates, channel, group), queue));
    }
    Ok(app
        .routing_books
        .read(
            app.store.as_ref(),
            company_id,
            app.now(),
            |book, operators| {
                let candidates = book.candidates(&operators.candidates);
                (
                    availability(&candidates, channel, group),
                    book.waiting_on(channel),
                )
            },
        )
        .await?)
}

/// Can anyone take a session of this channel (in this group) now? What a
/// new session is checked against: the operators alone, not the queue.
pub async fn availability_for_start(
    app: &AppState,
    company_id: &str,
    channel: Channel,
    group: Option<&str>,
) -> ApiResult<Availability> {
    let candidates = if channel == Channel::Phone {
        app.store.candidates(company_id, app.now()).await?
    } else {
        routing::candidates(app, company_id).await?
    };
    Ok(availability(&candidates, channel, group))
}

/// The group a new session is sent to (`None`: the built-in one), from
/// routing's book; one made a moment ago on another node is read from the
/// database.
pub async fn group_for_start(
    app: &AppState,
    company_id: &str,
    group_id: Option<&str>,
) -> ApiResult<Group> {
    let wanted = |g: &Group| match group_id {
        Some(id) => g.id == id,
        None => g.builtin,
    };
    let known = app
        .routing_books
        .read(app.store.as_ref(), company_id, app.now(), |_, operators| {
            operators.groups.iter().find(|g| wanted(g)).cloned()
        })
        .await?;
    if let Some(group) = known {
        return Ok(group);
    }
    let groups = app.store.groups(company_id).await?;
    match groups.into_iter().find(|g| wanted(g)) {
        Some(group) => Ok(group),
        None if group_id.is_some() => Err(ApiError::not_found("the group")),
        None => Err(ApiError::internal("start", "no built-in group")),
    }
}

/// The operator's queue: waiting sessions they could be offered (their
/// groups and channels) and those offered to them, oldest first.
pub async fn queue_of(
    app: &AppState,
    company_id: &str,
    operator_id: &str,
) -> ApiResult<Vec<Session>> {
    let (waiting, candidates) = routing::snapshot(app, company_id).await?;
    let mine = candidates.iter().find(|c| c.operator_id == operator_id);
    let servable: Vec<&str> = waiting
        .iter()
        .filter(|w| mine.is_some_and(|c| c.may_serve(w).is_ok()))
        .map(|w| w.session_id.as_str())
        .collect();
    let mut items = app.store.queued_sessions(company_id).await?;
    items.retain(|s| {
        s.offered_to.as_deref() == Some(operator_id)
            || (s.status == SessionStatus::Waiting && servable.contains(&s.id.as_str()))
    });
    Ok(items)
}

/// A new session waits in the queue (routing reacts). Its place is told
/// from routing's book: counting the queue in the database costs a scan of
/// it per newcomer (the places pushed every 250 ms correct any difference).
pub async fn start(app: &AppState, new: &NewSession) -> ApiResult<Session> {
    let ahead = app
        .routing_books
        .read(app.store.as_ref(), &new.company_id, app.now(), |book, _| {
            book.queued_on(new.channel)
        })
        .await?;
    let ahead = i64::try_from(ahead).unwrap_or(i64::MAX);
    Ok(app
        .store
        .create_session(new, Some(ahead), app.now())
        .await?
        .publish(app))
}

/// The name of the operator who holds an active session (for its client).
pub async fn holder_name(
    app: &AppState,
    session: &Session,
) -> hovor_store::StoreResult<Option<String>> {
    let Some(id) = session
        .operator_id
        .as_deref()
        .filter(|_| session.status == SessionStatus::Active)
    else {
        return Ok(None);
    };
    Ok(app
        .store
        .user(&session.company_id, id)
        .await?
        .map(|u| u.name))
}

/// The operator takes the session: exactly one of several racing wins.
///
/// An operator who picks a waiting client while an offer holds their last
/// slot on the channel gives that offer back: it returns to the queue (in
/// its place), and the pick goes through. The release is published after
/// the accept, so the routing pass it starts sees the operator's new load.
pub async fn accept(
    app: &AppState,
    company_id: &str,
    session_id: &str,
    operator_id: &str,
) -> ApiResult<Session> {
    let now = app.now();
    match app
        .store
        .accept(company_id, session_id, operator_id, now)
        .await
    {
        Err(StoreError::Refused(Refusal::CapacityFull)) => {}
        other => return Ok(other?.publish(app)),
    }
    let Some(session) = app.store.session(company_id, session_id).await? else {
        return Err(ApiError::not_found("the session"));
    };
    let released = app
        .store
        .release_offers(company_id, operator_id, session.channel, session_id, now)
        .await?;
    let accepted = app
        .store
        .accept(company_id, session_id, operator_id, now)
        .await;
    released.publish(app);
    Ok(accepted?.publish(app))
}

/// The operator declines the offer they have, with an optional reason: the
/// client goes back to the queue for someone else.
pub async fn decline(
    app: &AppState,
    company_id: &str,
    session_id: &str,
    operator_id: &str,
    reason: Option<&str>,
) -> ApiResult<Session> {
    Ok(app
        .store
        .decline(company_id, session_id, operator_id, reason, app.now())
        .await?
        .publish(app))
}

/// A client's message (over HTTP or the socket): checked, held to the flood
/// limit, idempotent by its `client_msg_id`.
pub async fn post_as_client(
    app: &AppState,
    session: &Session,
    client_msg_id: Option<String>,
    text: &str,
) -> ApiResult<Posted> {
    submit_as_client(app, session, client_msg_id, text)?
        .written()
        .await
}

/// [`post_as_client`] in two steps: the checks and the place in the
/// writer's lane now, the answer after the commit. A socket submits each
/// message as it reads it, so its messages keep their order while many are
/// in flight.
pub fn submit_as_client(
    app: &AppState,
    session: &Session,
    client_msg_id: Option<String>,
    text: &str,
) -> ApiResult<Submitted> {
    check_text(text)?;
    valid_client_msg_id(client_msg_id.as_deref())?;
    if !app.client_messages.try_take(&session.id) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_messages",
            "you are sending messages too fast; wait a few seconds",
        ));
    }
    let writer = Writer::Client { client_msg_id };
    submit(app, &session.company_id, &session.id, writer, text)
}

/// An operator's message in a session they hold (over HTTP or the socket);
/// 404 for a session not of their company.
pub async fn post_as_operator(
    app: &AppState,
    operator: &User,
    session_id: &str,
    client_msg_id: Option<String>,
    text: &str,
) -> ApiResult<Posted> {
    submit_as_operator(app, operator, session_id, client_msg_id, text)?
        .written()
        .await
}

/// [`post_as_operator`] in two steps, as [`submit_as_client`].
pub fn submit_as_operator(
    app: &AppState,
    operator: &User,
    session_id: &str,
    client_msg_id: Option<String>,
    text: &str,
) -> ApiResult<Submitted> {
    check_text(text)?;
    valid_client_msg_id(client_msg_id.as_deref())?;
    let writer = Writer::Operator {
        id: operator.id.clone(),
        name: operator.name.clone(),
        client_msg_id,
    };
    submit(app, &operator.company_id, session_id, writer, text)
}

pub fn valid_client_msg_id(id: Option<&str>) -> ApiResult<()> {
    if id.is_some_and(|m| m.is_empty() || m.len() > 64) {
        return Err(ApiError::invalid(
            "invalid_client_msg_id",
            "client_msg_id has 1 to 64 characters",
        ));
    }
    Ok(())
}

/// A message from the client, an operator or the system, handed to the
/// writer to be written with whatever else arrives together (group commit).
fn submit(
    app: &AppState,
    company_id: &str,
    session_id: &str,
    writer: Writer,
    text: &str,
) -> ApiResult<Submitted> {
    let message = NewMessage {
        company_id: company_id.to_owned(),
        session_id: session_id.to_owned(),
        writer,
        text: text.to_owned(),
        at: app.now(),
    };
    Ok(Submitted(app.messages.submit(message)?))
}

/// A message in the writer's lane; its answer comes after the commit.
pub struct Submitted(crate::message_writer::Answer);

impl Submitted {
    /// The stored message, or why not (404 for a session not of the
    /// company).
    pub async fn written(self) -> ApiResult<Posted> {
        match self.0.await? {
            Written::Stored(posted) => Ok(posted),
            Written::Refused(refusal) => Err(refusal.into()),
            Written::NoSession => Err(ApiError::not_found("the session")),
        }
    }
}

/// Back to the queue, for a group or one operator, with an optional note;
/// 404 names the target when it is not of the company.
pub async fn transfer(
    app: &AppState,
    company_id: &str,
    session_id: &str,
    target: &TransferTarget,
    note: Option<&str>,
) -> ApiResult<Session> {
    Ok(app
        .store
        .transfer(company_id, session_id, target, note, app.now())
        .await
        .map_err(|e| match e {
            StoreError::NotFound => ApiError::not_found("the transfer target"),
            other => other.into(),
        })?
        .publish(app))
}

/// Ends the session (idempotent).
pub async fn end(
    app: &AppState,
    company_id: &str,
    session_id: &str,
    reason: EndReason,
    by: Option<&str>,
) -> ApiResult<Session> {
    Ok(app
        .store
        .end_session(company_id, session_id, reason, by, app.now())
        .await?
        .publish(app))
}
