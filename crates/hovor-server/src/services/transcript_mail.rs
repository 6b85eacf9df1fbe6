//! A conversation's transcript e-mailed to its client: once, after it
//! ended, only to the address the client gave, from the company's inbox
//! (its SMTP server). Acknowledged only once the server took it.

use axum::http::StatusCode;
use hovor_core::reports::calendar::Tz;
use hovor_core::session::SessionStatus;
use hovor_core::transcript::Lang;
use hovor_store::{Inbox, Readers, Session};
use mail_builder::MessageBuilder;

use super::email_sender::{deliver, plain_address};
use super::transcripts::{company_name, transcript_text};
use crate::error::{ApiError, ApiResult};
use crate::AppState;

fn conflict(code: &'static str, message: &str) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, code, message.to_owned())
}

/// The inbox a company's transcripts go out from: the one of the
/// conversation's group, else its first active inbox.
pub async fn inbox_for(app: &AppState, session: &Session) -> ApiResult<Option<Inbox>> {
    let inboxes: Vec<Inbox> = app
        .store
        .inboxes(&session.company_id)
        .await?
        .into_iter()
        .filter(|i| i.active)
        .collect();
    let of_group = inboxes
        .iter()
        .find(|i| i.group_id.as_deref() == Some(session.group_id.as_str()))
        .cloned();
    Ok(of_group.or_else(|| inboxes.into_iter().next()))
}

/// E-mails the transcript (what the client saw) to the client; returns the
/// address it went to.
pub async fn send(app: &AppState, session: &Session, how: (Lang, Tz)) -> ApiResult<String> {
    if session.status != SessionStatus::Ended {
        return Err(conflict(
            "not_ended_yet",
            "the transcript is e-mailed once the conversation has ended",
        ));
    }
    if session.accepted_at.is_none() {
        return Err(conflict(
            "nothing_to_send",
            "no operator took this conversation, so there is no transcript to send",
        ));
    }
    let Some(to) = session
        .client
        .email
        .clone()
        .filter(|e| !e.trim().is_empty())
    else {
        return Err(conflict(
            "no_email",
            "no e-mail address was given for this conversation",
        ));
    };
    let to = plain_address(to.trim())
        .map_err(|_| ApiError::invalid("invalid_email", "the address given cannot be sent to"))?
        .to_owned();
    let Some(inbox) = inbox_for(app, session).await? else {
        return Err(conflict(
            "no_inbox",
            "this company has no mailbox to send e-mail from",
        ));
    };
    let now = app.now();
    if !app
        .store
        .claim_transcript_email(&session.company_id, &session.id, &to, now)
        .await?
    {
        return Err(conflict(
            "transcript_already_sent",
            "the transcript of this conversation has been e-mailed already",
        ));
    }
    let sent = async {
        let company = company_name(app, &session.company_id).await?;
        let text = transcript_text(app, session, &company, Readers::Client, how).await?;
        let (subject, intro) = match how.0 {
            Lang::Cs => (
                format!("Vaše konverzace s {company}"),
                "Dobrý den,\n\nposíláme přepis konverzace, jak jste si přáli.\n\n",
            ),
            Lang::En => (
                format!("Your conversation with {company}"),
                "Hello,\n\nhere is the transcript of our conversation, as you asked.\n\n",
            ),
        };
        let domain = inbox
            .address
            .rsplit_once('@')
            .map_or("hovor.invalid", |(_, d)| d);
        let data = MessageBuilder::new()
            .from((inbox.name.as_str(), inbox.address.as_str()))
            .to(to.as_str())
            .subject(subject)
            .message_id(format!("{}@{domain}", hovor_store::new_id("transcript")))
            .date(now / 1000)
            .text_body(format!("{intro}{text}"))
            .write_to_vec()
            .map_err(|e| ApiError::internal("writing the transcript e-mail", e.to_string()))?;
        deliver(
            app,
            &inbox,
            &inbox.address,
            std::slice::from_ref(&to),
            &data,
        )
        .await
        .map_err(|e| {
            tracing::warn!(session = %session.id, "e-mailing a transcript: {e:#}");
            ApiError::new(
                StatusCode::BAD_GATEWAY,
                "mail_failed",
                "the company's mail server did not take the e-mail; try again later",
            )
        })
    }
    .await;
    if let Err(e) = sent {
        // Not sent: the client may ask again.
        app.store
            .release_transcript_email(&session.company_id, &session.id)
            .await?;
        return Err(e);
    }
    Ok(to)
}
