//! The words of a call that a conversation's records use too: who takes
//! part, and what a call carries. (Apart from `call`, so that `session`'s
//! notices can name them without depending on the call's rules.)

use serde::{Deserialize, Serialize};

/// One side of a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    Client,
    Operator,
}

text_enum!(Party { Client => "client", Operator => "operator" });

/// What a call carries: voice only, or voice and camera.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Media {
    Audio,
    Video,
}

text_enum!(Media { Audio => "audio", Video => "video" });
