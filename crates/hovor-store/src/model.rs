//! What the store hands out. Serialisable types here are also the API's shapes.

use hovor_core::{time::to_rfc3339, CompanySettings, Millis, OperatorState, Role};
use serde::Serialize;

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
}

#[derive(Debug, Clone, Default)]
pub struct UserChange {
    pub name: Option<String>,
    pub email: Option<String>,
    pub role: Option<Role>,
    pub password_hash: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewAuthSession {
    pub token_hash: String,
    pub user_id: String,
    pub csrf_token: String,
    pub created_at: Millis,
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
    pub changed: bool,
    /// `(stream, seq)` of every event written: publish these as hints.
    pub written: Vec<(String, i64)>,
}

/// The result of changing a user's channels.
#[derive(Debug, Clone)]
pub struct ChannelChange {
    pub channels: Vec<hovor_core::ChannelSetting>,
    pub written: Vec<(String, i64)>,
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
}

#[derive(Debug, Clone)]
pub struct StreamEvent {
    pub seq: i64,
    pub kind: String,
    pub payload: String,
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
