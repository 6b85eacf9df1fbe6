//! E-mail threads: which conversation an incoming message belongs to, and
//! the headers and subject that keep a reply in the client's thread.
//!
//! A message joins a thread by its `In-Reply-To` and `References` (ids of
//! messages already in it), and failing those by its subject from the same
//! sender; otherwise it starts one.

use serde::{Deserialize, Serialize};

/// How Hovor talks to a mail server: TLS from the first byte (IMAPS 993,
/// SMTPS 465), plain then STARTTLS (143, 587), or neither (only for a server
/// on the same private network, and said so in the admin screen).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MailSecurity {
    Tls,
    Starttls,
    None,
}

text_enum!(MailSecurity { Tls => "tls", Starttls => "starttls", None => "none" });

/// How reading an inbox last went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InboxState {
    /// Not read yet since it was made or changed.
    Connecting,
    Ok,
    /// The last attempt failed (`last_error` says why); retried.
    Failing,
}

text_enum!(InboxState { Connecting => "connecting", Ok => "ok", Failing => "failing" });

/// A Message-ID as stored and compared: without angle brackets or
/// surrounding space. `None` for an empty or malformed one (spaces inside).
pub fn message_id(raw: &str) -> Option<String> {
    let id = raw
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    if id.is_empty() || id.chars().any(char::is_whitespace) || id.len() > 998 {
        return None;
    }
    Some(id.to_owned())
}

/// The ids of a `References` or `In-Reply-To` header, in order.
pub fn id_list(raw: &str) -> Vec<String> {
    raw.split(['<', '>', ' ', '\t', '\r', '\n', ','])
        .filter_map(message_id)
        .collect()
}

/// The ids an incoming message may name its thread by, the most telling
/// first: what it replies to, then its references from the newest back.
pub fn thread_candidates(in_reply_to: &[String], references: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for id in in_reply_to.iter().chain(references.iter().rev()) {
        if !out.contains(id) {
            out.push(id.clone());
        }
    }
    out
}

/// Prefixes mail programs put before a subject when replying or forwarding,
/// in the languages our clients write in.
const REPLY_PREFIXES: &[&str] = &[
    "re", "fw", "fwd", "aw", "wg", "odp", "sv", "vs", "tr", "rv", "antw", "vá",
];

/// The subject a thread is known by: without reply and forward prefixes
/// (`Re:`, `Fwd:`, `Odp:`, `RE[2]:`…), case or runs of spaces.
pub fn thread_subject(subject: &str) -> String {
    let mut rest = subject.trim();
    while let Some(colon) = rest.find(':') {
        let head = rest[..colon].trim();
        // `RE[2]` and `Re(3)` count as `Re`.
        let word = head
            .split(['[', '('])
            .next()
            .unwrap_or(head)
            .trim()
            .to_lowercase();
        if !REPLY_PREFIXES.contains(&word.as_str()) {
            break;
        }
        rest = rest[colon + 1..].trim_start();
    }
    rest.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The subject of a reply: the original's, with one `Re: ` before it.
pub fn reply_subject(subject: &str) -> String {
    let trimmed = subject.trim();
    if trimmed.is_empty() {
        return "Re:".to_owned();
    }
    if trimmed.len() >= 3 && trimmed[..3].eq_ignore_ascii_case("re:") {
        return trimmed.to_owned();
    }
    format!("Re: {trimmed}")
}

/// The threading headers of a reply to `parent` (its id and references):
/// `In-Reply-To` the parent, `References` the parent's with the parent
/// last, the oldest dropped beyond `MAX_REFERENCES` (the first kept, as
/// RFC 5322 suggests).
pub fn reply_headers(parent_id: &str, parent_references: &[String]) -> (String, Vec<String>) {
    let mut references: Vec<String> = parent_references
        .iter()
        .filter(|id| id.as_str() != parent_id)
        .cloned()
        .collect();
    references.push(parent_id.to_owned());
    if references.len() > MAX_REFERENCES {
        let first = references[0].clone();
        let keep = references.split_off(references.len() - (MAX_REFERENCES - 1));
        references = std::iter::once(first).chain(keep).collect();
    }
    (parent_id.to_owned(), references)
}

/// How many ids a reply's `References` carries at most.
pub const MAX_REFERENCES: usize = 20;

/// An e-mail address as compared: trimmed and lowercased.
pub fn address_key(address: &str) -> String {
    address.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_lose_their_brackets_and_bad_ones_are_none() {
        assert_eq!(message_id(" <abc@x.cz> "), Some("abc@x.cz".into()));
        assert_eq!(message_id("abc@x.cz"), Some("abc@x.cz".into()));
        assert_eq!(message_id("<>"), None);
        assert_eq!(message_id("a b@x"), None);
    }

    #[test]
    fn reference_lists_split_on_brackets_and_space() {
        assert_eq!(
            id_list("<a@x>\r\n <b@x>,<c@x>"),
            vec!["a@x".to_owned(), "b@x".into(), "c@x".into()]
        );
        assert!(id_list("").is_empty());
    }

    #[test]
    fn the_reply_is_asked_first_then_the_newest_reference() {
        let got = thread_candidates(&["c@x".into()], &["a@x".into(), "b@x".into(), "c@x".into()]);
        assert_eq!(got, vec!["c@x".to_owned(), "b@x".into(), "a@x".into()]);
    }

    #[test]
    fn subjects_lose_reply_prefixes_in_any_language() {
        assert_eq!(thread_subject("Re: Objednávka 42"), "objednávka 42");
        assert_eq!(
            thread_subject("RE[2]: Fwd:  Objednávka   42"),
            "objednávka 42"
        );
        assert_eq!(thread_subject("Odp: AW: objednávka 42"), "objednávka 42");
        assert_eq!(thread_subject("Dotaz: cena"), "dotaz: cena");
        assert_eq!(thread_subject("  "), "");
    }

    #[test]
    fn a_reply_subject_has_one_re() {
        assert_eq!(reply_subject("Objednávka"), "Re: Objednávka");
        assert_eq!(reply_subject("RE: Objednávka"), "RE: Objednávka");
        assert_eq!(reply_subject(""), "Re:");
    }

    #[test]
    fn reply_headers_chain_the_references() {
        let (irt, refs) = reply_headers("c@x", &["a@x".into(), "b@x".into()]);
        assert_eq!(irt, "c@x");
        assert_eq!(refs, vec!["a@x".to_owned(), "b@x".into(), "c@x".into()]);
        let long: Vec<String> = (0..30).map(|i| format!("{i}@x")).collect();
        let (_, refs) = reply_headers("new@x", &long);
        assert_eq!(refs.len(), MAX_REFERENCES);
        assert_eq!(refs[0], "0@x", "the thread's first message is kept");
        assert_eq!(refs[MAX_REFERENCES - 1], "new@x");
    }
}
