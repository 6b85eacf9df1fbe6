//! What the store hands out. Serialisable types here are also the API's shapes.

use hovor_core::{time::to_rfc3339, CompanySettings, Millis, OperatorState, Role};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone)]
pub struct Company {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub settings: CompanySettings,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: String,
    pub company_id: String,
    pub name: String,
    pub email: String,
    pub role: Role,
    /// The operator's extension on the company's telephone exchange.
    pub phone_extension: Option<String>,
    #[serde(skip)]
    pub active: bool,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub company_id: String,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub password_hash: String,
    /// Digits; unique in the company (`Refused(ExtensionTaken)`).
    pub phone_extension: Option<String>,
    /// Groups besides the built-in one (`Refused(UnknownGroup)` for any
    /// that is not a live group of the company).
    pub groups: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct UserChange {
    pub name: Option<String>,
    pub email: Option<String>,
    pub role: Option<Role>,
    pub password_hash: Option<String>,
    /// `Some(None)` removes the extension.
    pub phone_extension: Option<Option<String>>,
    /// Replaces the user's groups (besides the built-in one).
    pub groups: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct NewAuthSession {
    pub token_hash: String,
    pub user_id: String,
    pub csrf_token: String,
    pub created_at: Millis,
    pub expires_at: Millis,
}

/// A login session that is valid now: whose it is, its CSRF token, and
/// when it ends.
#[derive(Debug, Clone)]
pub struct LoginSession {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: Millis,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApiKey {
    pub id: String,
    pub company_id: String,
    pub name: String,
    pub scopes: Vec<String>,
    #[serde(serialize_with = "as_rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PauseType {
    pub id: String,
    pub name: String,
    pub paid: bool,
    pub archived: bool,
    /// Where the admin placed it: the status menu lists pause types by this,
    /// from 0.
    pub position: i64,
}

/// The pause type as embedded in a state: `{id, name, paid}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PauseTypeRef {
    pub id: String,
    pub name: String,
    pub paid: bool,
}

impl From<&PauseType> for PauseTypeRef {
    fn from(p: &PauseType) -> Self {
        PauseTypeRef {
            id: p.id.clone(),
            name: p.name.clone(),
            paid: p.paid,
        }
    }
}

/// One operator's state with everything needed to show it.
#[derive(Debug, Clone)]
pub struct StateView {
    pub operator: User,
    pub state: OperatorState,
    pub pause_type: Option<PauseTypeRef>,
}

/// The API's `state` object.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct StateJson {
    pub operator_id: String,
    #[schema(value_type = hovor_core::Status)]
    pub status: &'static str,
    pub pause_type: Option<PauseTypeRef>,
    #[schema(value_type = hovor_core::Presence)]
    pub presence: &'static str,
    #[schema(format = DateTime)]
    pub since: String,
    #[schema(value_type = hovor_core::Cause)]
    pub cause: &'static str,
}

impl StateView {
    pub fn json(&self) -> StateJson {
        StateJson {
            operator_id: self.operator.id.clone(),
            status: self.state.status.as_str(),
            pause_type: self.pause_type.clone(),
            presence: self.state.presence().as_str(),
            since: to_rfc3339(self.state.presence_since()),
            cause: self.state.cause.as_str(),
        }
    }
}

/// The result of applying a state command.
#[derive(Debug, Clone)]
pub struct StateChange {
    pub view: StateView,
    /// Something others see changed (a second tab changes nothing visible).
    pub changed: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HistoryEntry {
    #[schema(value_type = hovor_core::Presence)]
    pub presence: &'static str,
    #[schema(value_type = hovor_core::Status)]
    pub status: &'static str,
    pub pause_type: Option<PauseTypeRef>,
    #[schema(value_type = hovor_core::Cause)]
    pub cause: &'static str,
    #[serde(serialize_with = "as_rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub started_at: Millis,
    #[serde(serialize_with = "as_rfc3339_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ended_at: Option<Millis>,
    /// The supervisor or admin who set this status for the operator (cause
    /// `supervisor`); null otherwise.
    pub changed_by: Option<UserRef>,
}

/// A user named in a record: their id and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct UserRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamEvent {
    pub seq: i64,
    pub kind: String,
    pub payload: String,
    pub created_at: Millis,
    /// In a company's stream: the operator the event is about.
    pub subject: Option<String>,
    /// For operators only (an internal message): never sent to the client
    /// who follows the session's stream.
    pub operators_only: bool,
}

fn as_rfc3339<S: serde::Serializer>(ms: &Millis, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&to_rfc3339(*ms))
}

fn as_rfc3339_opt<S: serde::Serializer>(ms: &Option<Millis>, s: S) -> Result<S::Ok, S::Error> {
    match ms {
        Some(ms) => s.serialize_str(&to_rfc3339(*ms)),
        None => s.serialize_none(),
    }
}

/// A routing target: a named set of operators.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Group {
    pub id: String,
    pub name: String,
    /// How its waiting clients reach its members.
    pub strategy: hovor_core::group::Strategy,
    pub max_queue: Option<i64>,
    /// Member user ids; the built-in group lists none and holds everyone.
    pub members: Vec<String>,
    pub builtin: bool,
    /// After a conversation of the group ends, its operator is offered
    /// nothing new of that channel for this long (after-chat work), or until
    /// they say they are ready; 0–600 s.
    pub after_chat_s: u32,
}

/// After-chat work: a rest after a conversation, during which nothing new of
/// its channel is offered to the operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AfterChatWork {
    pub operator_id: String,
    /// The conversation it follows.
    pub session_id: String,
    pub channel: hovor_core::Channel,
    #[serde(serialize_with = "as_rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub started_at: Millis,
    /// When the time runs out.
    #[serde(serialize_with = "as_rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub ends_at: Millis,
    /// When it ended before its time (the operator was ready); null when it
    /// runs, or ran, its full time.
    #[serde(serialize_with = "as_rfc3339_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ended_at: Option<Millis>,
}

impl AfterChatWork {
    pub fn rest(&self) -> hovor_core::after_chat::Rest {
        hovor_core::after_chat::Rest {
            channel: self.channel,
            started_at: self.started_at,
            ends_at: self.ends_at,
            ended_at: self.ended_at,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ClientInfo {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// The API's `session` object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Session {
    pub id: String,
    #[serde(skip)]
    pub company_id: String,
    pub channel: hovor_core::Channel,
    pub source: hovor_core::session::Source,
    pub status: hovor_core::session::SessionStatus,
    pub group_id: String,
    /// Set when the session may go to this operator only.
    pub target_operator_id: Option<String>,
    /// Offered to this operator first when they are free, to anyone eligible
    /// otherwise: an e-mail thread's follow-up prefers the operator who
    /// answered the thread before.
    pub preferred_operator_id: Option<String>,
    /// Who has it (active) or had it (ended).
    pub operator_id: Option<String>,
    /// The operator it is offered to, while offered.
    pub offered_to: Option<String>,
    #[serde(serialize_with = "as_rfc3339_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub offer_expires_at: Option<Millis>,
    pub client: ClientInfo,
    /// The page the client started from.
    pub page_url: Option<String>,
    #[serde(serialize_with = "as_rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Millis,
    /// When it (last) entered the queue; a transfer puts it back.
    #[serde(skip)]
    pub queued_at: Millis,
    #[serde(serialize_with = "as_rfc3339_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub accepted_at: Option<Millis>,
    #[serde(serialize_with = "as_rfc3339_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ended_at: Option<Millis>,
    pub end_reason: Option<hovor_core::session::EndReason>,
    /// The operators who declined its offer: it is not offered to them
    /// again. (Not shown: clients read sessions too.)
    #[serde(skip)]
    pub declined_by: Vec<String>,
    /// Its audio or video call, while one is proposed or running.
    pub call: Option<CallInfo>,
    /// The client's rating, once given (after it ended).
    pub rating: Option<RatingInfo>,
}

/// How the client rated a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RatingInfo {
    /// 1 to 5 stars.
    pub score: u8,
    pub comment: Option<String>,
    #[serde(serialize_with = "as_rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub rated_at: Millis,
}

/// A conversation's call, as the API shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CallInfo {
    pub state: hovor_core::call::CallState,
    pub media: hovor_core::call::Media,
    /// Who asked for it.
    pub proposed_by: hovor_core::call::Party,
    /// When it was proposed, or when it started (active).
    #[serde(serialize_with = "as_rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub since: Millis,
}

impl From<hovor_core::call::Call> for CallInfo {
    fn from(c: hovor_core::call::Call) -> CallInfo {
        CallInfo {
            state: c.state,
            media: c.media,
            proposed_by: c.proposed_by,
            since: c.since,
        }
    }
}

impl From<CallInfo> for hovor_core::call::Call {
    fn from(c: CallInfo) -> hovor_core::call::Call {
        hovor_core::call::Call {
            state: c.state,
            media: c.media,
            proposed_by: c.proposed_by,
            since: c.since,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub company_id: String,
    pub channel: hovor_core::Channel,
    pub source: hovor_core::session::Source,
    /// `None`: the company's built-in "All operators" group.
    pub group_id: Option<String>,
    pub target_operator_id: Option<String>,
    /// Offered to this operator first when they are free (binds nobody).
    pub preferred_operator_id: Option<String>,
    pub client: ClientInfo,
    pub page_url: Option<String>,
    /// `None` for sessions no client opens (phone calls).
    pub client_token_hash: Option<String>,
    /// A client who starts with a call (channel `av`): the call they ask for.
    pub call_media: Option<hovor_core::call::Media>,
    /// The digest of the random id the client's browser keeps (the widget),
    /// which finds their earlier sessions.
    pub visitor_hash: Option<String>,
}

/// A client's earlier session, and how it was recognised.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EarlierSession {
    pub session: Session,
    /// Who had it.
    pub operator_name: Option<String>,
    /// `browser`, `email` or `phone`.
    pub matched_by: String,
}

#[derive(Debug, Clone, Default)]
pub struct SessionFilter {
    pub status: Option<hovor_core::session::SessionStatus>,
    pub operator_id: Option<String>,
    pub channel: Option<hovor_core::Channel>,
    /// The client's phone number.
    pub phone: Option<String>,
}

/// A chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Message {
    pub seq: i64,
    pub author: hovor_core::session::Author,
    pub operator_id: Option<String>,
    pub operator_name: Option<String>,
    pub text: String,
    #[serde(serialize_with = "as_rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub sent_at: Millis,
    /// For operators only (a transfer's note for the colleague): never shown
    /// or sent to the client.
    pub internal: bool,
    /// A system message's meaning as data (`text` is its English wording);
    /// null for what people wrote.
    pub notice: Option<hovor_core::session::Notice>,
    /// The files this message carries (a file sent in the chat); empty for
    /// text. Fetched from `GET /api/v1/sessions/{id}/attachments/{file}`
    /// (operators) or `GET /api/v1/client/sessions/{id}/attachments/{file}`
    /// (the client).
    pub attachments: Vec<Attachment>,
}

/// Who writes a message. A `client_msg_id` makes the write idempotent: the
/// same id again returns the stored message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Writer {
    Client {
        client_msg_id: Option<String>,
    },
    Operator {
        id: String,
        /// As shown beside their messages.
        name: String,
        client_msg_id: Option<String>,
    },
    System,
}

/// A message to store, one of a batch committed together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    pub company_id: String,
    pub session_id: String,
    pub writer: Writer,
    pub text: String,
    pub at: Millis,
}

/// What became of one message of a batch.
#[derive(Debug, Clone)]
pub enum Written {
    /// Stored (or, for a resend of a stored `client_msg_id`, found).
    Stored(Posted),
    /// Its session does not take it now (ended, not the operator's).
    Refused(hovor_core::Refusal),
    /// No such session in the company.
    NoSession,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferTarget {
    Group(String),
    Operator(String),
}

/// A message as stored.
#[derive(Debug, Clone)]
pub struct Posted {
    pub message: Message,
    /// False for a client's resend of a stored `client_msg_id`.
    pub created: bool,
}

/// Where a queued session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QueuePlace {
    /// 1-based; `None` unless waiting or offered.
    pub position: Option<i64>,
    pub estimated_wait_s: Option<i64>,
}

/// An invitation as stored; the server adds its URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub id: String,
    pub company_id: String,
    pub code: String,
    pub operator_id: String,
    pub operator_name: String,
    pub reusable: bool,
    pub label: Option<String>,
    /// `operator` or `api`.
    pub created_by: String,
    pub created_at: Millis,
    pub uses: i64,
    pub invalidated_at: Option<Millis>,
}

#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub company_id: String,
    pub code: String,
    pub operator_id: String,
    pub reusable: bool,
    pub label: Option<String>,
    pub created_by: &'static str,
}

/// A webhook subscription (the secret is returned only when created).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub id: String,
    pub company_id: String,
    pub url: String,
    pub events: Vec<String>,
    pub secret: String,
    pub active: bool,
    pub created_at: Millis,
    pub cursor_seq: i64,
    pub attempts: i64,
    pub failing_since: Option<Millis>,
    pub retry_at: Option<Millis>,
}

/// One delivery attempt, for the delivery log.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WebhookAttempt {
    pub id: String,
    /// The event's id as delivered (`Hovor-Delivery` is `<webhook id>.<event id>`).
    pub event_id: String,
    pub event_type: String,
    pub attempt: i64,
    pub status_code: Option<i64>,
    pub error: Option<String>,
    /// `delivered`, `failed` (will retry) or `dead` (gave up after 24 hours).
    pub outcome: String,
    #[serde(serialize_with = "as_rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub attempted_at: Millis,
}

/// What happened to the head event of a webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    Delivered,
    /// Try again at this time.
    Failed {
        retry_at: Millis,
    },
    /// Given up: move on to the next event.
    Dead,
}

/// One delivery attempt of a webhook's head event.
#[derive(Debug, Clone, Copy)]
pub struct AttemptRecord<'a> {
    pub event_seq: i64,
    pub event_type: &'a str,
    pub status_code: Option<i64>,
    pub error: Option<&'a str>,
}

/// A webhook event's id, as delivered: `evt_<company>_<seq in the outbox>`.
pub fn webhook_event_id(company_id: &str, seq: i64) -> String {
    format!("evt_{company_id}_{seq}")
}

/// The stream of a company's team events (everyone's status, channels and
/// phone line), read by its supervisors and admins.
pub fn company_stream(company_id: &str) -> String {
    format!("co_{company_id}")
}

/// The outbox stream of a company.
pub fn outbox_stream(company_id: &str) -> String {
    format!("wh_{company_id}")
}

/// What the exchange has told Hovor about a company's telephony.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TelephonyFacts {
    pub last_seen: Option<Millis>,
    pub announced_up: bool,
    pub dial_url: Option<String>,
    pub secret: Option<String>,
    /// `(extension, registered)`.
    pub extensions: Vec<(String, bool)>,
}

/// A call report from the exchange.
#[derive(Debug, Clone)]
pub struct CallReport {
    pub call_id: String,
    pub event: hovor_core::phone::CallEvent,
    pub direction: hovor_core::phone::Direction,
    pub from: String,
    pub to: String,
    /// The operator's extension involved, if any.
    pub extension: Option<String>,
    pub at: Millis,
}

/// Where an inbox's mail is read: an IMAP server and folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImapServer {
    pub host: String,
    pub port: u16,
    pub security: hovor_core::email::MailSecurity,
    pub username: String,
    /// The folder read, `INBOX` unless said otherwise.
    pub folder: String,
}

/// Where an inbox's replies are sent: an SMTP server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SmtpServer {
    pub host: String,
    pub port: u16,
    pub security: hovor_core::email::MailSecurity,
    pub username: String,
}

/// A company's inbox (passwords are never part of it: see
/// [`SealedPasswords`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbox {
    pub id: String,
    pub company_id: String,
    pub name: String,
    pub address: String,
    pub group_id: Option<String>,
    pub imap: ImapServer,
    pub smtp: SmtpServer,
    pub active: bool,
    /// Counts an admin's changes (a reader of an older one starts over).
    pub revision: i64,
    pub uid_validity: Option<i64>,
    pub last_uid: i64,
    pub state: hovor_core::email::InboxState,
    pub last_error: Option<String>,
    pub checked_at: Option<Millis>,
    pub created_at: Millis,
}

/// An inbox's IMAP and SMTP passwords as stored: sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedPasswords {
    pub imap: String,
    pub smtp: String,
}

#[derive(Debug, Clone)]
pub struct NewInbox {
    /// Chosen by the caller, who seals the passwords for it.
    pub id: String,
    pub name: String,
    pub address: String,
    pub group_id: Option<String>,
    pub imap: ImapServer,
    pub smtp: SmtpServer,
    pub passwords: SealedPasswords,
}

/// A partial change; `None` keeps what is there. Changing where or how it
/// connects starts its reading over (`connecting`).
#[derive(Debug, Clone, Default)]
pub struct InboxChange {
    pub name: Option<String>,
    pub address: Option<String>,
    pub group_id: Option<Option<String>>,
    pub imap: Option<ImapServer>,
    pub smtp: Option<SmtpServer>,
    pub imap_password: Option<String>,
    pub smtp_password: Option<String>,
    pub active: Option<bool>,
}

/// An e-mail read from an inbox, parsed, as it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingEmail {
    pub message_id: String,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    pub subject: String,
    pub from_address: String,
    pub from_name: Option<String>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    /// The readable text (the plain part, or the HTML part as text).
    pub text: String,
    /// Its `Date`, or when it was read.
    pub sent_at: Millis,
    /// Its attached files, their bytes already in the file store.
    pub attachments: Vec<NewAttachment>,
}

/// A file to record: its bytes are in the file store under `sha256`, or
/// were not kept (`None`: larger than Hovor keeps).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttachment {
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: Option<String>,
}

/// A file of a conversation: an e-mail's attachment, a file sent in the
/// chat, or an operator's upload waiting to go out with a reply. Fetched
/// from `GET /api/v1/sessions/{session_id}/attachments/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Attachment {
    pub id: String,
    pub name: String,
    /// What its bytes are (read from them, not from the name).
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    /// False when it was too large to keep: listed, but not fetchable.
    pub available: bool,
    /// The e-mail that carries it (null: uploaded, not sent yet).
    pub email_id: Option<String>,
    #[serde(skip)]
    pub sha256: Option<String>,
    /// The chat message that carries it.
    #[serde(skip)]
    pub message_seq: Option<i64>,
}

/// What storing an incoming e-mail did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ingested {
    /// It was stored before (read again after a crash): nothing changed.
    AlreadyStored,
    /// It joined the open session of its thread.
    Joined(Session),
    /// It started a session (a new thread, or one whose session ended).
    Started(Session),
}

/// A reply waiting to be sent (or sent again), with what its sending needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingEmail {
    pub id: String,
    pub company_id: String,
    pub inbox_id: String,
    pub session_id: String,
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub subject: String,
    pub from_address: String,
    pub from_name: Option<String>,
    pub to: Vec<String>,
    pub text: String,
    pub sent_at: Millis,
    pub attempts: i64,
    /// The files it carries (their bytes in the file store).
    pub attachments: Vec<Attachment>,
}

/// One e-mail of a thread, as the workspace shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Email {
    pub id: String,
    /// The session message it appears as.
    pub message_seq: i64,
    /// `in` (from the client) or `out` (a reply).
    pub direction: String,
    pub message_id: String,
    pub subject: String,
    pub from_address: String,
    pub from_name: Option<String>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub text: String,
    #[serde(serialize_with = "as_rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub sent_at: Millis,
    /// A reply's sending: `pending` (being sent, or retried after a
    /// failure: `send_error` says why), `sent`, or `failed` (given up after
    /// a day); null for a received e-mail.
    pub send_state: Option<String>,
    pub send_error: Option<String>,
    /// Its files, in the order they were attached.
    pub attachments: Vec<Attachment>,
}

/// A canned answer: a text an operator inserts with its shortcut.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CannedAnswer {
    pub id: String,
    /// The operator whose own it is; `null` for the company's.
    pub owner_id: Option<String>,
    /// Without the `/`, in lower case.
    pub shortcut: String,
    pub title: Option<String>,
    /// May hold `{client_name}` and `{operator_name}`.
    pub text: String,
    #[serde(serialize_with = "as_rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Millis,
}

/// What a canned answer says, checked (`hovor_core::canned`).
#[derive(Debug, Clone)]
pub struct CannedDraft {
    pub shortcut: String,
    pub title: Option<String>,
    pub text: String,
}
