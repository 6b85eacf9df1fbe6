//! What a company offers its clients in a conversation, as the widget
//! needs to know it: a rating at the end, and which files it takes.

use hovor_core::files::ChatFileTerms;

use crate::AppState;

#[derive(Debug, Clone)]
pub struct ClientTerms {
    pub ratings: bool,
    pub files: ChatFileTerms,
    /// The company can e-mail a transcript (it has a mailbox).
    pub transcript_by_email: bool,
}

/// The company's terms for its clients (one read of its settings).
pub async fn of(app: &AppState, company_id: &str) -> hovor_store::StoreResult<ClientTerms> {
    let settings = app
        .store
        .company(company_id)
        .await?
        .map(|c| c.settings)
        .unwrap_or_default();
    let transcript_by_email = app
        .store
        .inboxes(company_id)
        .await?
        .iter()
        .any(|i| i.active);
    Ok(ClientTerms {
        transcript_by_email,
        ratings: settings.ratings_enabled,
        files: ChatFileTerms {
            kinds: settings.chat_file_kinds,
            max_mb: settings.chat_file_max_mb,
        },
    })
}
