//! Sending one message over SMTP (RFC 5321): EHLO, STARTTLS where asked,
//! AUTH PLAIN, MAIL FROM, RCPT TO, DATA. Small on purpose: Hovor sends
//! replies one at a time from its outbox, and retries what fails.

use anyhow::{bail, Context};
use base64::Engine as _;
use hovor_core::email::MailSecurity;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufStream};

use super::connect::{MailStream, MailTls, CONNECT_TIMEOUT};

/// Where and as whom a message is sent.
pub struct SmtpAccount<'a> {
    pub host: &'a str,
    pub port: u16,
    pub security: MailSecurity,
    pub username: &'a str,
    pub password: &'a str,
}

/// The envelope and the message's bytes (CRLF lines).
pub struct Envelope<'a> {
    pub from: &'a str,
    pub to: &'a [String],
    pub data: &'a [u8],
}

struct Conversation {
    stream: BufStream<MailStream>,
}

impl Conversation {
    /// The server's reply: its code, and its text (all lines).
    async fn reply(&mut self) -> anyhow::Result<(u16, String)> {
        let mut text = String::new();
        loop {
            let mut line = String::new();
            let read = tokio::time::timeout(CONNECT_TIMEOUT * 4, self.stream.read_line(&mut line))
                .await
                .context("the SMTP server did not answer in time")??;
            if read == 0 {
                bail!("the SMTP server closed the connection");
            }
            let code: u16 = line
                .get(..3)
                .and_then(|c| c.parse().ok())
                .with_context(|| format!("an SMTP reply that is not one: {line:?}"))?;
            text.push_str(line.get(4..).unwrap_or("").trim_end());
            if line.as_bytes().get(3) != Some(&b'-') {
                return Ok((code, text));
            }
            text.push(' ');
        }
    }

    /// Sends a command and expects a reply with one of these codes.
    async fn command(&mut self, line: &str, expect: &[u16], what: &str) -> anyhow::Result<String> {
        self.stream.write_all(line.as_bytes()).await?;
        self.stream.write_all(b"\r\n").await?;
        self.stream.flush().await?;
        self.expect(expect, what).await
    }

    async fn expect(&mut self, expect: &[u16], what: &str) -> anyhow::Result<String> {
        let (code, text) = self.reply().await?;
        if !expect.contains(&code) {
            bail!("the SMTP server refused {what}: {code} {text}");
        }
        Ok(text)
    }
}

/// Sends `envelope` through the account's server.
pub async fn send(
    tls: &MailTls,
    allow_private: bool,
    account: &SmtpAccount<'_>,
    envelope: &Envelope<'_>,
) -> anyhow::Result<()> {
    let tcp = tls.tcp(account.host, account.port, allow_private).await?;
    let stream = match account.security {
        MailSecurity::Tls => tls.tls(tcp, account.host).await?,
        MailSecurity::Starttls | MailSecurity::None => MailStream::Plain(tcp),
    };
    let mut smtp = Conversation {
        stream: BufStream::new(stream),
    };
    smtp.expect(&[220], "the connection").await?;
    let hello = "EHLO hovor";
    let mut features = smtp.command(hello, &[250], "EHLO").await?;
    if account.security == MailSecurity::Starttls {
        smtp.command("STARTTLS", &[220], "STARTTLS").await?;
        let MailStream::Plain(tcp) = smtp.stream.into_inner() else {
            bail!("STARTTLS over a TLS connection");
        };
        smtp = Conversation {
            stream: BufStream::new(tls.tls(tcp, account.host).await?),
        };
        features = smtp.command(hello, &[250], "EHLO").await?;
    }
    if !account.username.is_empty() {
        if !features.to_ascii_uppercase().contains("AUTH") {
            bail!("the SMTP server offers no AUTH, but the inbox has a user name for it");
        }
        let token = base64::engine::general_purpose::STANDARD
            .encode(format!("\0{}\0{}", account.username, account.password));
        smtp.command(&format!("AUTH PLAIN {token}"), &[235], "the login")
            .await?;
    }
    smtp.command(
        &format!("MAIL FROM:<{}>", envelope.from),
        &[250],
        "the sender",
    )
    .await?;
    for to in envelope.to {
        smtp.command(&format!("RCPT TO:<{to}>"), &[250, 251], "a recipient")
            .await?;
    }
    smtp.command("DATA", &[354], "DATA").await?;
    smtp.stream.write_all(&dot_stuffed(envelope.data)).await?;
    smtp.stream.write_all(b".\r\n").await?;
    smtp.stream.flush().await?;
    smtp.expect(&[250], "the message").await?;
    smtp.command("QUIT", &[221], "QUIT").await.ok();
    Ok(())
}

/// The message as DATA carries it: a line starting with `.` gets another,
/// and it ends with CRLF.
fn dot_stuffed(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 16);
    let mut line_start = true;
    for &b in data {
        if line_start && b == b'.' {
            out.push(b'.');
        }
        out.push(b);
        line_start = b == b'\n';
    }
    if !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_starting_with_a_dot_are_doubled() {
        assert_eq!(
            dot_stuffed(b".a\r\nb\r\n.\r\n"),
            b"..a\r\nb\r\n..\r\n".to_vec()
        );
        assert_eq!(dot_stuffed(b"x"), b"x\r\n".to_vec());
    }
}
