//! An e-mail's bytes, as read from the server, into what Hovor stores. Any
//! message yields something readable: a missing or broken header gets a
//! stand-in, an unknown charset or malformed MIME its best reading.

use hovor_core::email::{id_list, message_id};
use hovor_core::files::{accepted_type, clean_name, MAX_FILE_BYTES};
use hovor_core::Millis;
use hovor_store::{IncomingEmail, NewAttachment};
use mail_parser::{Address, HeaderValue, MessageParser, MimeHeaders};
use sha2::{Digest, Sha256};

use crate::files::FileStore;

/// An e-mail as read: what is stored of it, and the bytes of the
/// attachments it keeps (each named by its `sha256` in `email`).
pub struct Read {
    pub email: IncomingEmail,
    pub files: Vec<(String, Vec<u8>)>,
}

/// `raw` parsed, without the attachments' bytes.
pub fn incoming(raw: &[u8], now: Millis) -> IncomingEmail {
    read(raw, now).email
}

/// The most text kept of one e-mail (the rest is cut, and said so).
pub const MAX_TEXT_BYTES: usize = 200_000;

/// `raw` parsed; `now` stands in for a missing or unreadable `Date`.
/// Attachments up to [`MAX_FILE_BYTES`] are kept; larger ones are listed
/// as not kept.
pub fn read(raw: &[u8], now: Millis) -> Read {
    let parsed = MessageParser::default().parse(raw);
    let Some(m) = parsed else {
        // Not even headers: keep the bytes as text, so nothing is lost.
        let email = IncomingEmail {
            message_id: stand_in_id(raw),
            in_reply_to: Vec::new(),
            references: Vec::new(),
            subject: String::new(),
            from_address: String::new(),
            from_name: None,
            to: Vec::new(),
            cc: Vec::new(),
            text: limited(String::from_utf8_lossy(raw).into_owned()),
            sent_at: now,
            attachments: Vec::new(),
        };
        return Read {
            email,
            files: Vec::new(),
        };
    };
    let mut files = Vec::new();
    let mut attachments = Vec::new();
    let no_text = m.body_text(0).is_none_or(|t| t.trim().is_empty());
    let mut stray_text = None;
    for part in m.attachments() {
        let bytes = part.contents();
        // A text part the parser could not place (in parts that never
        // close, say) is the e-mail's text when it has no other.
        let text_part = part
            .content_type()
            .is_none_or(|t| t.ctype().eq_ignore_ascii_case("text"));
        if no_text && stray_text.is_none() && text_part && part.attachment_name().is_none() {
            stray_text = Some(String::from_utf8_lossy(bytes).into_owned());
            continue;
        }
        let declared = part.content_type().map(|t| match t.subtype() {
            Some(sub) => format!("{}/{sub}", t.ctype()),
            None => t.ctype().to_owned(),
        });
        let name = match part.attachment_name() {
            Some(name) => clean_name(name),
            None if part.is_message() => "message.eml".to_owned(),
            None => "attachment".to_owned(),
        };
        let content_type = incoming_type(bytes, &name, declared.as_deref());
        let sha256 = (bytes.len() <= MAX_FILE_BYTES).then(|| FileStore::digest(bytes));
        if let Some(sha) = &sha256 {
            files.push((sha.clone(), bytes.to_vec()));
        }
        attachments.push(NewAttachment {
            name,
            content_type,
            size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
            sha256,
        });
    }
    let (from_address, from_name) = m
        .from()
        .and_then(Address::first)
        .map(|a| {
            (
                a.address().unwrap_or_default().trim().to_lowercase(),
                a.name()
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned),
            )
        })
        .unwrap_or_default();
    // An HTML-only message comes as text too (the parser converts it).
    let mut text = m
        .body_text(0)
        .map(|t| t.into_owned())
        .filter(|t| !t.trim().is_empty())
        .or(stray_text)
        .unwrap_or_default();
    let subject = m.subject().unwrap_or_default().trim().to_owned();
    if text.trim().is_empty() && subject.is_empty() && from_address.is_empty() {
        // Nothing that reads as an e-mail: the bytes themselves, as text.
        text = String::from_utf8_lossy(raw).into_owned();
    } else if text.trim().is_empty() && attachments.is_empty() {
        // Headers, but a body the parser found no text in: the body as it
        // is, rather than nothing.
        text = String::from_utf8_lossy(raw_body(raw)).trim().to_owned();
    }
    let email = IncomingEmail {
        message_id: m
            .message_id()
            .and_then(message_id)
            .unwrap_or_else(|| stand_in_id(raw)),
        in_reply_to: ids(m.in_reply_to()),
        references: ids(m.references()),
        subject,
        from_address,
        from_name,
        to: addresses(m.to()),
        cc: addresses(m.cc()),
        text: limited(text),
        sent_at: m
            .date()
            .map(|d| d.to_timestamp().saturating_mul(1000))
            .filter(|&t| t > 0)
            .unwrap_or(now),
        attachments,
    };
    Read { email, files }
}

/// What an attachment is: what its bytes show when they are a kind Hovor
/// knows, else what the sender declared, except that a declared picture
/// the bytes do not confirm is only bytes (never shown as a picture).
fn incoming_type(bytes: &[u8], name: &str, declared: Option<&str>) -> String {
    if let Some(known) = accepted_type(bytes, name) {
        return known.to_owned();
    }
    match declared.map(str::to_ascii_lowercase) {
        Some(d) if !d.starts_with("image/") && !d.is_empty() && d.len() <= 100 => d,
        _ => "application/octet-stream".to_owned(),
    }
}

/// What follows the headers (the first empty line).
fn raw_body(raw: &[u8]) -> &[u8] {
    for (i, w) in raw.windows(2).enumerate() {
        if w == b"\n\n" {
            return &raw[i + 2..];
        }
        if w == b"\n\r" && raw.get(i + 2) == Some(&b'\n') {
            return &raw[i + 3..];
        }
    }
    b""
}

/// A message without a Message-ID is known by its bytes: read twice, it is
/// the same message.
fn stand_in_id(raw: &[u8]) -> String {
    format!("{}@no-message-id.hovor", hex::encode(Sha256::digest(raw)))
}

fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    match value.as_text_list() {
        Some(list) => list.iter().flat_map(|id| id_list(id)).collect(),
        None => Vec::new(),
    }
}

fn addresses(value: Option<&Address<'_>>) -> Vec<String> {
    value
        .map(|a| {
            a.iter()
                .filter_map(|addr| addr.address())
                .map(|a| a.trim().to_lowercase())
                .filter(|a| !a.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn limited(mut text: String) -> String {
    if text.len() > MAX_TEXT_BYTES {
        let mut cut = MAX_TEXT_BYTES;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str("\n[…]");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Millis = 1_767_600_000_000;

    #[test]
    fn a_plain_message_gives_its_headers_and_text() {
        let raw = b"From: Karel Klient <Karel@Example.test>\r\n\
To: podpora@acme.test, Jana <jana@acme.test>\r\n\
Subject: =?UTF-8?Q?Objedn=C3=A1vka?= 42\r\n\
Message-ID: <abc@example.test>\r\n\
In-Reply-To: <x1@acme.test>\r\n\
References: <x0@acme.test> <x1@acme.test>\r\n\
Date: Mon, 05 Jan 2026 09:00:00 +0100\r\n\
Content-Type: text/plain; charset=utf-8\r\n\r\n\
Dobr\xc3\xbd den,\r\nkde je z\xc3\xa1silka?\r\n";
        let e = incoming(raw, NOW);
        assert_eq!(e.message_id, "abc@example.test");
        assert_eq!(e.from_address, "karel@example.test");
        assert_eq!(e.from_name.as_deref(), Some("Karel Klient"));
        assert_eq!(e.subject, "Objednávka 42");
        assert_eq!(
            e.to,
            vec!["podpora@acme.test".to_owned(), "jana@acme.test".into()]
        );
        assert_eq!(e.in_reply_to, vec!["x1@acme.test".to_owned()]);
        assert_eq!(
            e.references,
            vec!["x0@acme.test".to_owned(), "x1@acme.test".into()]
        );
        assert!(e.text.starts_with("Dobrý den,"), "{}", e.text);
        assert_eq!(e.sent_at, 1_767_600_000_000);
    }

    #[test]
    fn a_wrong_charset_and_no_message_id_still_read() {
        let raw = b"From: a@b.cz\r\nSubject: x\r\nContent-Type: text/plain; charset=nonsense-8\r\n\r\nhello \xff there\r\n";
        let e = incoming(raw, NOW);
        assert!(e.message_id.ends_with("@no-message-id.hovor"));
        assert_eq!(e.message_id, incoming(raw, NOW).message_id, "stable");
        assert!(e.text.contains("hello"), "{}", e.text);
        assert_eq!(e.sent_at, NOW);
    }

    #[test]
    fn an_html_only_message_reads_as_text() {
        let raw = b"From: a@b.cz\r\nContent-Type: text/html\r\n\r\n<html><style>p{}</style><p>Dobr&yacute; den</p><p>A &amp; B<br>C</p><script>x()</script></html>";
        let e = incoming(raw, NOW);
        assert!(!e.text.contains('<'), "{}", e.text);
        assert!(e.text.contains("A & B\nC"), "{}", e.text);
        assert!(!e.text.contains("x()"), "{}", e.text);
    }

    #[test]
    fn parts_that_never_close_still_read() {
        let raw = b"From: a@b.cz\r\nSubject: Re: x\r\nContent-Type: multipart/mixed; boundary=\"NEVER\"\r\n\r\n--NEVER\r\nContent-Type: text/plain\r\n\r\nPos\xc3\xadl\xc3\xa1m to znovu.\r\n";
        let e = incoming(raw, NOW);
        assert!(
            e.text.contains("Posílám to znovu."),
            "{:?} {:?}",
            e.text,
            e.attachments
        );
    }

    #[test]
    fn attachments_are_kept_up_to_the_limit() {
        let raw = b"From: a@b.cz\r\nSubject: x\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nViz p\xc5\x99\xc3\xadloha.\r\n--B\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=\"../a.png\"\r\n\r\n\x89PNG\r\n\x1a\n1234\r\n--B\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=fake.png\r\n\r\n<script>x</script>\r\n--B--\r\n";
        let r = read(raw, NOW);
        assert_eq!(r.email.attachments.len(), 2, "{:?}", r.email.attachments);
        let png = &r.email.attachments[0];
        assert_eq!(png.name, "a.png");
        assert_eq!(png.content_type, "image/png");
        assert_eq!(r.files.len(), 2);
        assert_eq!(png.sha256.as_deref(), Some(r.files[0].0.as_str()));
        // Declared a picture, but not one: only bytes, never shown.
        assert_eq!(
            r.email.attachments[1].content_type,
            "application/octet-stream"
        );
        assert!(r.email.text.contains("Viz příloha."));
    }

    #[test]
    fn garbage_is_kept_as_text() {
        let e = incoming(b"\x00\x01 not a mail", NOW);
        assert!(!e.message_id.is_empty());
        assert!(e.text.contains("not a mail"));
    }
}
