use async_trait::async_trait;
use hovor_core::Millis;

use crate::StoreResult;

/// Transcripts e-mailed to clients: once per conversation.
#[async_trait]
pub trait TranscriptStore {
    /// Claims the one e-mail of the conversation's transcript, to `to`;
    /// false when it was claimed (or sent) before, even at the same moment.
    async fn claim_transcript_email(
        &self,
        company_id: &str,
        session_id: &str,
        to: &str,
        now: Millis,
    ) -> StoreResult<bool>;

    /// Gives the claim back (sending failed): the client may ask again.
    async fn release_transcript_email(&self, company_id: &str, session_id: &str)
        -> StoreResult<()>;

    /// When the transcript was e-mailed, if it was.
    async fn transcript_emailed_at(
        &self,
        company_id: &str,
        session_id: &str,
    ) -> StoreResult<Option<Millis>>;
}
