//! A conversation as a plain-text transcript a client downloads or an
//! operator exports: a heading, then each message with its local time and
//! who wrote it, system messages in the reader's language.

use chrono::DateTime;
use chrono_tz::Tz;

use crate::call::{Media, Party};
use crate::session::{Author, Notice};
use crate::Millis;

/// Czech or English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Cs,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "cs" => Some(Lang::Cs),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// One message as the transcript needs it.
pub struct Line<'a> {
    pub author: Author,
    /// The operator's name, for their messages.
    pub operator_name: Option<&'a str>,
    pub text: &'a str,
    pub notice: Option<&'a Notice>,
    pub sent_at: Millis,
    /// The names of the files the message carries.
    pub files: Vec<&'a str>,
}

/// Who the transcript is about.
pub struct Heading<'a> {
    pub company: &'a str,
    pub client_name: Option<&'a str>,
    pub started_at: Millis,
}

fn local(t: Millis, tz: Tz, format: &str) -> String {
    DateTime::from_timestamp_millis(t)
        .map(|d| d.with_timezone(&tz).format(format).to_string())
        .unwrap_or_default()
}

fn call_name(lang: Lang, media: Media) -> &'static str {
    match (lang, media) {
        (Lang::Cs, Media::Video) => "Videohovor",
        (Lang::Cs, Media::Audio) => "Audiohovor",
        (Lang::En, Media::Video) => "Video call",
        (Lang::En, Media::Audio) => "Audio call",
    }
}

fn who(lang: Lang, party: Party) -> &'static str {
    match (lang, party) {
        (Lang::Cs, Party::Client) => "klient",
        (Lang::Cs, Party::Operator) => "operátor",
        (Lang::En, Party::Client) => "the client",
        (Lang::En, Party::Operator) => "the operator",
    }
}

/// A system message in the reader's language (the stored text is English).
pub fn notice_text(lang: Lang, notice: &Notice) -> String {
    if lang == Lang::En {
        return notice.text();
    }
    match notice {
        Notice::Transferred { to, note: Some(n) } => format!("Předáno: {to} – {n}"),
        Notice::Transferred { to, note: None } => format!("Předáno: {to}"),
        Notice::EndedBy { name } => format!("Ukončil(a) {name}"),
        Notice::CallStarted { media } => format!("{} začal", call_name(lang, *media)),
        Notice::CallDeclined { by, .. } => format!("Hovor odmítl {}", who(lang, *by)),
        Notice::CallCancelled { by, .. } => format!("Hovor zrušil {}", who(lang, *by)),
        Notice::CallEnded { by, duration_s, .. } => format!(
            "Hovor ukončil {} po {}:{:02}",
            who(lang, *by),
            duration_s / 60,
            duration_s % 60
        ),
    }
}

/// The whole transcript.
pub fn render(lang: Lang, tz: Tz, heading: &Heading<'_>, lines: &[Line<'_>]) -> String {
    let (title, client_word, operator_word, system_word, empty) = match lang {
        Lang::Cs => (
            "Konverzace",
            "Klient",
            "Operátor",
            "Hovor",
            "(žádné zprávy)",
        ),
        Lang::En => (
            "Conversation",
            "Client",
            "Operator",
            "Hovor",
            "(no messages)",
        ),
    };
    let mut out = format!(
        "{title} · {} · {}\n",
        heading.company,
        local(heading.started_at, tz, "%d.%m.%Y %H:%M")
    );
    if let Some(name) = heading.client_name.filter(|n| !n.trim().is_empty()) {
        out.push_str(&format!("{client_word}: {}\n", name.trim()));
    }
    out.push('\n');
    if lines.is_empty() {
        out.push_str(empty);
        out.push('\n');
    }
    for line in lines {
        let name = match line.author {
            Author::Client => heading
                .client_name
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .unwrap_or(client_word),
            Author::Operator => line.operator_name.unwrap_or(operator_word),
            Author::System => system_word,
        };
        let mut text = match line.notice {
            Some(n) => notice_text(lang, n),
            None => line.text.to_owned(),
        };
        let file_word = match lang {
            Lang::Cs => "soubor",
            Lang::En => "file",
        };
        for file in &line.files {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(&format!("[{file_word}: {file}]"));
        }
        // Lines of a message after its first are indented under it.
        let text = text.replace('\n', "\n        ");
        out.push_str(&format!(
            "[{}] {name}: {text}\n",
            local(line.sent_at, tz, "%H:%M")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-01-05 09:00 UTC = 10:00 in Prague.
    const T: Millis = 1_767_603_600_000;

    #[test]
    fn a_transcript_reads_like_the_conversation() {
        let ended = Notice::CallEnded {
            by: Party::Client,
            media: Media::Video,
            duration_s: 65,
        };
        let lines = [
            Line {
                author: Author::Client,
                operator_name: None,
                text: "Dobrý den,\nmám dotaz",
                notice: None,
                sent_at: T,
                files: Vec::new(),
            },
            Line {
                author: Author::Client,
                operator_name: None,
                text: "",
                notice: None,
                sent_at: T,
                files: vec!["rozbitý hrnek.jpg"],
            },
            Line {
                author: Author::Operator,
                operator_name: Some("Jana Nováková"),
                text: "Dobrý den!",
                notice: None,
                sent_at: T + 60_000,
                files: Vec::new(),
            },
            Line {
                author: Author::System,
                operator_name: None,
                text: "Video call ended by the client after 1:05",
                notice: Some(&ended),
                sent_at: T + 120_000,
                files: Vec::new(),
            },
        ];
        let heading = Heading {
            company: "Kavárna",
            client_name: Some("Karel"),
            started_at: T,
        };
        let prague = chrono_tz::Europe::Prague;
        assert_eq!(
            render(Lang::Cs, prague, &heading, &lines),
            "Konverzace · Kavárna · 05.01.2026 10:00\nKlient: Karel\n\n\
             [10:00] Karel: Dobrý den,\n        mám dotaz\n\
             [10:00] Karel: [soubor: rozbitý hrnek.jpg]\n\
             [10:01] Jana Nováková: Dobrý den!\n\
             [10:02] Hovor: Hovor ukončil klient po 1:05\n"
        );
        let english = render(Lang::En, chrono_tz::UTC, &heading, &lines[3..]);
        assert_eq!(
            english,
            "Conversation · Kavárna · 05.01.2026 09:00\nClient: Karel\n\n\
             [09:02] Hovor: Video call ended by the client after 1:05\n"
        );
        let nameless = Heading {
            client_name: None,
            ..heading
        };
        assert_eq!(
            render(Lang::En, prague, &nameless, &[]),
            "Conversation · Kavárna · 05.01.2026 10:00\n\n(no messages)\n"
        );
    }
}
