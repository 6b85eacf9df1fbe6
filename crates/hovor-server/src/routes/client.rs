//! The client API: what the widget (or a mobile app) uses. No cookie: a
//! client is identified by the token returned when their session starts.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use hovor_core::routing::Availability;
use hovor_core::session::{reason_when_client_leaves, Source};
use hovor_core::Channel;
use hovor_store::{ClientInfo, Message, NewSession, Readers, Session};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{page, Page};
use crate::auth::{digest, random_token};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ClientAddress;
use crate::extract::{ApiJson, ApiQuery, ClientSession};
use crate::services::client_terms;
use crate::services::ratings;
use crate::services::sessions::{self, availability_for_start, availability_of, group_for_start};
use crate::AppState;
use hovor_core::files::ChatFileTerms;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AvailabilityQuery {
    /// The company's slug.
    company: String,
    /// Default `chat`.
    channel: Option<Channel>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AvailabilityReply {
    /// `online`: someone can take a chat now; `busy`: operators are there but
    /// full (you will wait); `offline`: nobody can take it.
    #[schema(example = "online")]
    state: &'static str,
    queue_length: usize,
}

async fn company_id_of(app: &AppState, slug: &str) -> ApiResult<String> {
    app.company_ids
        .id_of(app.store.as_ref(), slug)
        .await?
        .ok_or_else(|| ApiError::not_found("the company"))
}

#[utoipa::path(get, path = "/api/v1/client/availability", operation_id = "getAvailability", tag = "Client", params(AvailabilityQuery), security(()),
    responses((status = 400, body = ErrorBody, description = "a query parameter is malformed"), (status = 200, body = AvailabilityReply), (status = 404, body = ErrorBody)))]
pub async fn get_availability(
    State(app): State<AppState>,
    ApiQuery(q): ApiQuery<AvailabilityQuery>,
) -> ApiResult<Json<AvailabilityReply>> {
    let company_id = company_id_of(&app, &q.company).await?;
    let (state, queue_length) =
        availability_of(&app, &company_id, q.channel.unwrap_or(Channel::Chat), None).await?;
    Ok(Json(AvailabilityReply {
        state: match state {
            Availability::Online => "online",
            Availability::Busy => "busy",
            Availability::Offline => "offline",
        },
        queue_length,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartChat {
    company: String,
    channel: Channel,
    name: Option<String>,
    email: Option<String>,
    group_id: Option<String>,
    /// The page the client is on (http or https).
    page_url: Option<String>,
    /// With channel `av`: the call the client starts with (video by default).
    media: Option<hovor_core::call::Media>,
    /// A random id the client's browser keeps (16 to 128 letters, digits,
    /// `-` or `_`): the operator then sees the client's earlier sessions
    /// from the same browser.
    visitor_id: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Started {
    session: Session,
    /// Keep it: it is the only way back into this session.
    client_token: String,
}

fn optional_text(
    value: Option<String>,
    max: usize,
    field: &'static str,
) -> ApiResult<Option<String>> {
    let value = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    if value.as_ref().is_some_and(|v| v.chars().count() > max) {
        return Err(ApiError::invalid(
            "invalid_field",
            format!("{field} has at most {max} characters"),
        ));
    }
    Ok(value)
}

#[utoipa::path(post, path = "/api/v1/client/sessions", operation_id = "startClientSession", tag = "Client", request_body = StartChat, security(()),
    responses((status = 201, body = Started), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`no_operator_available` when nobody can take it"), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody, description = "`too_many_sessions` from one address or for one company")))]
pub async fn start(
    State(app): State<AppState>,
    address: ClientAddress,
    ApiJson(body): ApiJson<StartChat>,
) -> ApiResult<(StatusCode, Json<Started>)> {
    let company_id = company_id_of(&app, &body.company).await?;
    let call_media = match body.channel {
        Channel::Chat if body.media.is_some() => {
            return Err(ApiError::invalid(
                "invalid_field",
                "media is for channel av (a call)",
            ));
        }
        Channel::Chat => None,
        Channel::Av => Some(body.media.unwrap_or(hovor_core::call::Media::Video)),
        Channel::Email | Channel::Phone => {
            return Err(ApiError::invalid(
                "unsupported_channel",
                "clients start chat or av (call) sessions here",
            ));
        }
    };
    let name = optional_text(body.name, 100, "name")?;
    let email = optional_text(body.email, 254, "email")?;
    if email.as_ref().is_some_and(|e| !e.contains('@')) {
        return Err(ApiError::invalid(
            "invalid_email",
            "that is not an e-mail address",
        ));
    }
    let page_url = optional_text(body.page_url, 2000, "page_url")?.and_then(|u| page_address(&u));
    let visitor_hash = match body.visitor_id.as_deref() {
        None => None,
        Some(id)
            if (16..=128).contains(&id.len())
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
        {
            Some(digest(id))
        }
        Some(_) => {
            return Err(ApiError::invalid(
                "invalid_visitor_id",
                "visitor_id is 16 to 128 letters, digits, '-' or '_'",
            ))
        }
    };
    // Anyone may start a session: one address, and all addresses together
    // for one company, may start only so many before the work is done.
    if !app.client_sessions_per_address.try_take(&address.key()) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_sessions",
            "too many conversations were started from your address; please wait a few minutes",
        ));
    }
    if !app.client_sessions_per_company.try_take(&company_id) {
        app.client_sessions_per_address.give_back(&address.key());
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_sessions",
            "too many conversations are starting right now; please try again in a minute",
        ));
    }
    let group = group_for_start(&app, &company_id, body.group_id.as_deref()).await?;
    if let Some(max) = group.max_queue {
        if app.store.queued_in_group(&group.id).await? >= max {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "queue_full",
                "the queue is full right now; please try again in a few minutes",
            ));
        }
    }
    let state =
        availability_for_start(&app, &company_id, body.channel, body.group_id.as_deref()).await?;
    if state == Availability::Offline {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "no_operator_available",
            "nobody can take a chat right now; please try later or write an e-mail",
        ));
    }
    let token = random_token();
    let session = sessions::start(
        &app,
        &NewSession {
            company_id,
            channel: body.channel,
            source: Source::Widget,
            group_id: body.group_id,
            target_operator_id: None,
            preferred_operator_id: None,
            client: ClientInfo {
                name,
                email,
                phone: None,
            },
            page_url,
            client_token_hash: Some(digest(&token)),
            call_media,
            visitor_hash,
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(Started {
            session,
            client_token: token,
        }),
    ))
}

/// The page a client started from, as operators and webhooks see it: its
/// address without the query, the fragment and any credentials, which may
/// carry the host site's tokens. Only http and https pages count.
fn page_address(raw: &str) -> Option<String> {
    let mut url = reqwest::Url::parse(raw).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    url.set_query(None);
    url.set_fragment(None);
    url.set_username("").ok()?;
    url.set_password(None).ok()?;
    Some(url.to_string())
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ClientView {
    session: Session,
    /// 1-based place in the queue while waiting or offered.
    queue_position: Option<i64>,
    estimated_wait_s: Option<i64>,
    /// The name of the operator who holds the session, while one does.
    operator_name: Option<String>,
    /// The company asks for a rating when the conversation ends
    /// (`POST /api/v1/client/sessions/{id}/rating`).
    ratings: bool,
    /// The files the client may send in the chat
    /// (`POST /api/v1/client/sessions/{id}/files`).
    files: ChatFileTerms,
    /// The transcript can be e-mailed to the address the client gave
    /// (`POST /api/v1/client/sessions/{id}/transcript/email`), once it ended.
    transcript_by_email: bool,
}

#[utoipa::path(get, path = "/api/v1/client/sessions/{id}", operation_id = "getClientSession", tag = "Client", params(("id" = String, Path)), security(("client_token" = [])),
    responses((status = 200, body = ClientView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_session(
    State(app): State<AppState>,
    client: ClientSession,
    Path(id): Path<String>,
) -> ApiResult<Json<ClientView>> {
    let session = client.for_path(&id)?;
    let place = app.store.queue_place(&session, app.now()).await?;
    let operator_name = sessions::holder_name(&app, &session).await?;
    let terms = client_terms::of(&app, &session.company_id).await?;
    Ok(Json(ClientView {
        session,
        queue_position: place.position,
        estimated_wait_s: place.estimated_wait_s,
        operator_name,
        ratings: terms.ratings,
        files: terms.files,
        transcript_by_email: terms.transcript_by_email,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientText {
    text: String,
    /// Makes the send idempotent: the same id again returns the stored message.
    client_msg_id: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/client/sessions/{id}/messages", operation_id = "sendClientMessage", tag = "Client", params(("id" = String, Path)), request_body = ClientText,
    security(("client_token" = [])),
    responses((status = 201, body = Message), (status = 200, body = Message, description = "a resend of a stored client_msg_id"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn send(
    State(app): State<AppState>,
    client: ClientSession,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ClientText>,
) -> ApiResult<(StatusCode, Json<Message>)> {
    let session = client.for_path(&id)?;
    let posted = sessions::post_as_client(&app, &session, body.client_msg_id, &body.text).await?;
    let status = if posted.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(posted.message)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AfterSeq {
    after_seq: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/client/sessions/{id}/messages", operation_id = "listClientMessages", tag = "Client", params(("id" = String, Path), AfterSeq),
    security(("client_token" = [])),
    responses((status = 400, body = ErrorBody, description = "a query parameter is malformed"), (status = 200, body = Page<Message>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn messages(
    State(app): State<AppState>,
    client: ClientSession,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<AfterSeq>,
) -> ApiResult<Json<Page<Message>>> {
    let session = client.for_path(&id)?;
    Ok(page(
        app.store
            .messages_after(&session.id, q.after_seq.unwrap_or(0), 1000, Readers::Client)
            .await?,
        None,
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Left {
    session: Session,
}

/// Ends the session: `client_left`, or `abandoned` while still waiting.
#[utoipa::path(post, path = "/api/v1/client/sessions/{id}/leave", operation_id = "leaveClientSession", tag = "Client", params(("id" = String, Path)), security(("client_token" = [])),
    responses((status = 200, body = Left), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn leave(
    State(app): State<AppState>,
    client: ClientSession,
    Path(id): Path<String>,
) -> ApiResult<Json<Left>> {
    let session = client.for_path(&id)?;
    let reason = reason_when_client_leaves(session.status);
    let session = sessions::end(&app, &session.company_id, &session.id, reason, None).await?;
    Ok(Json(Left { session }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRating {
    /// 1 to 5 stars.
    score: i64,
    /// At most 1000 characters.
    comment: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Rated {
    session: Session,
}

/// Rates the conversation once it has ended: 1 to 5 and a comment. Once.
#[utoipa::path(post, path = "/api/v1/client/sessions/{id}/rating", operation_id = "rateClientSession", tag = "Client", params(("id" = String, Path)), request_body = NewRating,
    security(("client_token" = [])),
    responses((status = 201, body = Rated), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`already_rated`, `not_ended_yet`, `nothing_to_rate` (nobody took it), `ratings_off`"),
              (status = 422, body = ErrorBody, description = "`invalid_score` (not 1 to 5), `comment_too_long`")))]
pub async fn rate(
    State(app): State<AppState>,
    client: ClientSession,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewRating>,
) -> ApiResult<(StatusCode, Json<Rated>)> {
    let session = client.for_path(&id)?;
    let session = ratings::rate(&app, &session, body.score, body.comment.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(Rated { session })))
}

/// The client API with its OpenAPI declarations. It is called from company
/// websites, so any origin may use it (it carries no cookie, only the
/// client's own token).
pub fn router() -> OpenApiRouter<AppState> {
    use axum::http::{header, Method};
    use tower_http::cors::{Any, CorsLayer};
    OpenApiRouter::new()
        .routes(routes!(get_availability))
        .routes(routes!(start))
        .routes(routes!(get_session))
        .routes(routes!(messages, send))
        .routes(routes!(leave))
        .routes(routes!(rate))
        .routes(routes!(super::transcripts::for_client))
        .routes(routes!(super::transcripts::email_to_client))
        .routes(routes!(super::attachments::send_client_file))
        .routes(routes!(super::attachments::download_for_client))
        .routes(routes!(super::calls::change_client_call))
        .routes(routes!(super::calls::send_client_signal))
        .routes(routes!(super::ice::for_client))
        .routes(routes!(super::invitations::redeem))
        .layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE]),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_addresses_lose_query_fragment_and_credentials() {
        assert_eq!(
            page_address("https://shop.example/cart?token=secret#step2").as_deref(),
            Some("https://shop.example/cart")
        );
        assert_eq!(
            page_address("http://user:pw@shop.example/a/b").as_deref(),
            Some("http://shop.example/a/b")
        );
        assert_eq!(page_address("javascript:alert(1)"), None);
        assert_eq!(page_address("not a url"), None);
    }
}
