//! The outbox of e-mail replies: each tick, the replies due are claimed
//! (so no other node sends them meanwhile), written as e-mails with the
//! thread's headers and sent through their inbox's SMTP server. A failure
//! is retried after 1, 2, 4… minutes (at most an hour apart) for a day,
//! then the reply is marked `failed`; either way the workspace shows it.

use anyhow::Context;
use hovor_core::Millis;
use hovor_store::{Inbox, OutgoingEmail};
use mail_builder::MessageBuilder;

use crate::mail::password_context;
use crate::mail::smtp::{self, Envelope, SmtpAccount};
use crate::AppState;

/// How long a claimed reply is this node's to send.
const CLAIM_MS: Millis = 5 * 60_000;
/// How long a reply is retried before it is given up.
const GIVE_UP_AFTER_MS: Millis = 24 * 3_600_000;
/// Replies sent per tick at most.
const PER_TICK: i64 = 20;

/// One tick: every reply due, sent or rescheduled.
pub async fn tick(app: &AppState) -> anyhow::Result<()> {
    for reply in app
        .store
        .claim_due_emails(app.now(), CLAIM_MS, PER_TICK)
        .await?
    {
        match send(app, &reply).await {
            Ok(()) => app
                .store
                .email_sent(&reply.id, app.now())
                .await?
                .publish(app),
            Err(e) => {
                let why = format!("{e:#}");
                tracing::warn!(email = %reply.id, "sending a reply: {why}");
                let now = app.now();
                let retry_at = (now - reply.sent_at < GIVE_UP_AFTER_MS)
                    .then(|| now + retry_pause(reply.attempts));
                app.store
                    .email_failed(&reply.id, &why, retry_at, now)
                    .await?
                    .publish(app);
            }
        }
    }
    Ok(())
}

/// 1, 2, 4… minutes after the n-th attempt, at most an hour.
fn retry_pause(attempts: i64) -> Millis {
    let doublings = u32::try_from(attempts.clamp(1, 7) - 1).unwrap_or(0);
    (60_000 * 2i64.pow(doublings)).min(3_600_000)
}

/// An address that can go into an SMTP command as it is.
pub fn plain_address(address: &str) -> anyhow::Result<&str> {
    let ok = address.contains('@')
        && !address
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || matches!(c, '<' | '>'));
    if ok {
        Ok(address)
    } else {
        anyhow::bail!("{address:?} is not an address a reply can go to")
    }
}

async fn send(app: &AppState, reply: &OutgoingEmail) -> anyhow::Result<()> {
    let inbox = app
        .store
        .inbox(&reply.company_id, &reply.inbox_id)
        .await?
        .context("the inbox the reply goes out from was deleted")?;
    let from = plain_address(&reply.from_address)?;
    let to: Vec<String> = reply
        .to
        .iter()
        .map(|a| plain_address(a).map(str::to_owned))
        .collect::<anyhow::Result<_>>()?;
    let mut message = MessageBuilder::new()
        .from((inbox.name.as_str(), from))
        .to(to.iter().map(String::as_str).collect::<Vec<_>>())
        .subject(reply.subject.as_str())
        .message_id(reply.message_id.as_str())
        .date(reply.sent_at / 1000)
        // As typed, and as HTML with its basic formatting (bold, italic,
        // lists, quotes, links: `hovor_core::reply_format`).
        .text_body(reply.text.as_str())
        .html_body(hovor_core::reply_format::reply_document(&reply.text));
    if let Some(parent) = &reply.in_reply_to {
        message = message.in_reply_to(parent.as_str());
    }
    if !reply.references.is_empty() {
        message = message.references(reply.references.clone());
    }
    for file in &reply.attachments {
        let sha256 = file
            .sha256
            .as_deref()
            .with_context(|| format!("the attachment {} was not kept", file.name))?;
        let bytes = app
            .config
            .files
            .get(sha256)
            .await
            .with_context(|| format!("reading the attachment {}", file.name))?;
        message = message.attachment(file.content_type.clone(), file.name.clone(), bytes);
    }
    let data = message.write_to_vec().context("writing the reply")?;
    deliver(app, &inbox, from, &to, &data).await
}

/// Sends a written e-mail through the inbox's SMTP server (its password
/// opened only for this).
pub async fn deliver(
    app: &AppState,
    inbox: &Inbox,
    from: &str,
    to: &[String],
    data: &[u8],
) -> anyhow::Result<()> {
    let sealed = app
        .store
        .inbox_passwords(&inbox.id)
        .await?
        .context("the inbox's passwords are gone")?;
    let password = app
        .config
        .secrets
        .open(&sealed.smtp, &password_context(&inbox.id, "smtp"))?;
    let account = SmtpAccount {
        host: &inbox.smtp.host,
        port: inbox.smtp.port,
        security: inbox.smtp.security,
        username: &inbox.smtp.username,
        password: &password,
    };
    let envelope = Envelope {
        from: plain_address(from)?,
        to,
        data,
    };
    smtp::send(
        &app.config.mail_tls,
        app.config.allow_private_targets,
        &account,
        &envelope,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_slow_down_to_an_hour() {
        assert_eq!(retry_pause(1), 60_000);
        assert_eq!(retry_pause(2), 120_000);
        assert_eq!(retry_pause(7), 3_600_000);
        assert_eq!(retry_pause(40), 3_600_000);
    }

    #[test]
    fn addresses_cannot_smuggle_commands() {
        assert!(plain_address("karel@example.test").is_ok());
        assert!(plain_address("a@b>\r\nRCPT TO:<x@y").is_err());
        assert!(plain_address("nobody").is_err());
    }
}
