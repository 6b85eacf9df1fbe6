//! Files people send each other (e-mail attachments now, chat files
//! later): what a file is is read from its bytes, never from its name, and
//! only the kinds a company expects are taken. A renamed program stays a
//! program.

use serde::{Deserialize, Serialize};

/// The largest file taken (10 MiB).
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// The most files one e-mail reply carries.
pub const MAX_FILES_PER_REPLY: usize = 10;
/// The most characters of a file's name (longer names are cut).
pub const MAX_NAME_CHARS: usize = 200;

/// The kinds of file taken: images, PDF, office documents, plain text and
/// CSV. The content type returned is the one the bytes show, or for the
/// old binary office formats (which all look alike) the one the name's
/// extension names among them; `None` for anything else.
pub fn accepted_type(bytes: &[u8], name: &str) -> Option<&'static str> {
    let ext = extension(name);
    if let Some(image) = image_type(bytes) {
        return Some(image);
    }
    if bytes.starts_with(b"%PDF-") {
        return Some("application/pdf");
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return office_zip(bytes);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return match ext.as_str() {
            "doc" => Some("application/msword"),
            "xls" => Some("application/vnd.ms-excel"),
            "ppt" => Some("application/vnd.ms-powerpoint"),
            _ => None,
        };
    }
    let text = !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok();
    match ext.as_str() {
        "txt" | "text" | "log" if text => Some("text/plain"),
        "csv" if text => Some("text/csv"),
        _ => None,
    }
}

/// PNG, JPEG, GIF and WebP, by their signatures (never SVG: it is a page
/// with scripts, not a picture).
pub fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// May a browser show it in the page (an image it decodes), rather than
/// only download it?
pub fn shown_inline(content_type: &str) -> bool {
    matches!(
        content_type,
        "image/png" | "image/jpeg" | "image/gif" | "image/webp"
    )
}

/// The kinds of file a company may take in chats (its settings name them).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// PNG, JPEG, GIF, WebP.
    Images,
    Pdf,
    /// Word, Excel, PowerPoint and OpenDocument files.
    Office,
    /// Plain text and CSV.
    Text,
}

impl FileKind {
    pub const ALL: [FileKind; 4] = [
        FileKind::Images,
        FileKind::Pdf,
        FileKind::Office,
        FileKind::Text,
    ];

    /// The kind of an accepted content type (see [`accepted_type`]).
    pub fn of(content_type: &str) -> FileKind {
        if content_type.starts_with("image/") {
            FileKind::Images
        } else if content_type == "application/pdf" {
            FileKind::Pdf
        } else if content_type.starts_with("text/") {
            FileKind::Text
        } else {
            FileKind::Office
        }
    }
}

/// The files a client may send in a chat, as the widget is told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ChatFileTerms {
    /// Empty: no files.
    pub kinds: Vec<FileKind>,
    /// The largest file, in MB.
    pub max_mb: u32,
}

/// The most a company may let one chat file be (MB).
pub const MAX_CHAT_FILE_MB: u32 = 25;
/// The most files one conversation holds (both sides together).
pub const MAX_FILES_PER_CHAT: i64 = 100;

/// Why a file is not taken in a chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatFileRefusal {
    /// The company takes no files in chats.
    Off,
    /// Larger than the company's limit (MB).
    TooLarge(u32),
    Empty,
    /// Not a kind the company takes (what the bytes are, not the name).
    WrongKind,
}

/// Checks a file sent in a chat against the company's kinds and size; the
/// content type its bytes show when it is taken.
pub fn check_chat_file(
    kinds: &[FileKind],
    max_mb: u32,
    bytes: &[u8],
    name: &str,
) -> Result<&'static str, ChatFileRefusal> {
    if kinds.is_empty() {
        return Err(ChatFileRefusal::Off);
    }
    if bytes.is_empty() {
        return Err(ChatFileRefusal::Empty);
    }
    if bytes.len() > max_bytes(max_mb) {
        return Err(ChatFileRefusal::TooLarge(max_mb));
    }
    match accepted_type(bytes, name) {
        Some(content_type) if kinds.contains(&FileKind::of(content_type)) => Ok(content_type),
        _ => Err(ChatFileRefusal::WrongKind),
    }
}

/// `max_mb` in bytes.
pub fn max_bytes(max_mb: u32) -> usize {
    usize::try_from(max_mb)
        .unwrap_or(usize::MAX)
        .saturating_mul(1024 * 1024)
}

/// The office formats that are zip files, told apart by what the archive
/// holds: OpenDocument names its type in a first, stored `mimetype` entry;
/// Office Open XML has a folder per application.
fn office_zip(bytes: &[u8]) -> Option<&'static str> {
    const ODF: [(&[u8], &str); 3] = [
        (
            b"application/vnd.oasis.opendocument.text",
            "application/vnd.oasis.opendocument.text",
        ),
        (
            b"application/vnd.oasis.opendocument.spreadsheet",
            "application/vnd.oasis.opendocument.spreadsheet",
        ),
        (
            b"application/vnd.oasis.opendocument.presentation",
            "application/vnd.oasis.opendocument.presentation",
        ),
    ];
    if bytes.get(30..38) == Some(b"mimetype") {
        let declared = bytes.get(38..).unwrap_or_default();
        for (mime, name) in ODF {
            // Templates (`…text-template`) count as the document kind.
            if declared.starts_with(mime) {
                return Some(name);
            }
        }
        return None;
    }
    let head = &bytes[..bytes.len().min(64 * 1024)];
    if !contains(head, b"[Content_Types].xml") && !contains(bytes, b"[Content_Types].xml") {
        return None;
    }
    if contains(bytes, b"word/") {
        Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    } else if contains(bytes, b"xl/") {
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    } else if contains(bytes, b"ppt/") {
        Some("application/vnd.openxmlformats-officedocument.presentationml.presentation")
    } else {
        None
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn extension(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default()
}

/// A name that is safe to store and to offer as a download: the last part
/// of any path, without control characters or quotes, at most
/// [`MAX_NAME_CHARS`]; `file` when nothing is left.
pub fn clean_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '|' | '*' | '?' | ':'))
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    if cleaned.is_empty() {
        return "file".to_owned();
    }
    if cleaned.chars().count() <= MAX_NAME_CHARS {
        return cleaned.to_owned();
    }
    // Cut the stem, keep the extension.
    let ext = extension(cleaned);
    let keep_ext = !ext.is_empty() && ext.chars().count() <= 10;
    let room = if keep_ext {
        MAX_NAME_CHARS - ext.chars().count() - 1
    } else {
        MAX_NAME_CHARS
    };
    let stem: String = cleaned.chars().take(room).collect();
    if keep_ext {
        format!("{stem}.{ext}")
    } else {
        stem
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip_with(entries: &[&str]) -> Vec<u8> {
        let mut bytes = b"PK\x03\x04".to_vec();
        bytes.extend_from_slice(&[0; 26]);
        for e in entries {
            bytes.extend_from_slice(e.as_bytes());
            bytes.extend_from_slice(b"....");
        }
        bytes
    }

    #[test]
    fn the_bytes_decide_not_the_name() {
        assert_eq!(
            accepted_type(b"\x89PNG\r\n\x1a\n....", "photo.pdf"),
            Some("image/png")
        );
        assert_eq!(
            accepted_type(&[0xFF, 0xD8, 0xFF, 0xE0], "x"),
            Some("image/jpeg")
        );
        assert_eq!(
            accepted_type(b"%PDF-1.7\n...", "faktura.pdf"),
            Some("application/pdf")
        );
        // Programs renamed to documents are refused.
        assert_eq!(accepted_type(b"\x7fELF\x02\x01\x01", "faktura.pdf"), None);
        assert_eq!(accepted_type(b"MZ\x90\x00\x03", "smlouva.docx"), None);
        // SVG is a document with scripts.
        assert_eq!(
            accepted_type(b"<svg xmlns='http://www.w3.org/2000/svg'/>", "a.svg"),
            None
        );
        // Text only when it is text and called so.
        assert_eq!(
            accepted_type("Dobrý den".as_bytes(), "poznamka.txt"),
            Some("text/plain")
        );
        assert_eq!(accepted_type(b"a;b\n1;2\n", "data.CSV"), Some("text/csv"));
        assert_eq!(accepted_type(b"#!/bin/sh\nrm -rf /\n", "run.sh"), None);
        assert_eq!(accepted_type(b"a\0b", "x.txt"), None);
        assert_eq!(accepted_type(b"<html>", "page.html"), None);
    }

    #[test]
    fn office_documents_are_told_apart() {
        assert_eq!(
            accepted_type(
                &zip_with(&["[Content_Types].xml", "word/document.xml"]),
                "a.docx"
            ),
            Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        );
        assert_eq!(
            accepted_type(&zip_with(&["[Content_Types].xml", "xl/workbook.xml"]), "a"),
            Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        );
        let mut odt = b"PK\x03\x04".to_vec();
        odt.extend_from_slice(&[0; 26]);
        odt.extend_from_slice(b"mimetypeapplication/vnd.oasis.opendocument.textPK");
        assert_eq!(
            accepted_type(&odt, "a.odt"),
            Some("application/vnd.oasis.opendocument.text")
        );
        // A zip of anything else is not a document.
        assert_eq!(accepted_type(&zip_with(&["virus.exe"]), "a.docx"), None);
        let ole = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0];
        assert_eq!(
            accepted_type(&ole, "A.XLS"),
            Some("application/vnd.ms-excel")
        );
        assert_eq!(accepted_type(&ole, "a.msi"), None);
    }

    #[test]
    fn only_pictures_are_shown_inline() {
        assert!(shown_inline("image/png"));
        assert!(!shown_inline("application/pdf"));
        assert!(!shown_inline("image/svg+xml"));
        assert!(!shown_inline("text/html"));
    }

    #[test]
    fn names_lose_paths_and_tricks() {
        assert_eq!(clean_name("C:\\Users\\karel\\faktura.pdf"), "faktura.pdf");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("a\"b\r\n.txt"), "ab.txt");
        assert_eq!(clean_name("..."), "file");
        assert_eq!(clean_name(".htaccess"), "htaccess");
        assert_eq!(clean_name("Účtenka č. 5.jpg"), "Účtenka č. 5.jpg");
        let long = format!("{}.pdf", "ž".repeat(300));
        let cut = clean_name(&long);
        assert_eq!(cut.chars().count(), MAX_NAME_CHARS);
        assert!(cut.ends_with(".pdf"));
    }

    #[test]
    fn a_chat_file_is_checked_against_the_companys_kinds_and_size() {
        let png = b"\x89PNG\r\n\x1a\n....";
        let kinds = [FileKind::Images, FileKind::Pdf, FileKind::Office];
        assert_eq!(check_chat_file(&kinds, 10, png, "a.png"), Ok("image/png"));
        assert_eq!(
            check_chat_file(&kinds, 10, b"a;b\n", "a.csv"),
            Err(ChatFileRefusal::WrongKind),
            "text is not among the default kinds"
        );
        assert_eq!(
            check_chat_file(&[FileKind::Text], 10, b"a;b\n", "a.csv"),
            Ok("text/csv")
        );
        assert_eq!(
            check_chat_file(&[FileKind::Pdf], 10, png, "a.pdf"),
            Err(ChatFileRefusal::WrongKind),
            "a picture called a PDF is still a picture"
        );
        assert_eq!(
            check_chat_file(&kinds, 10, b"MZ\x90\x00", "invoice.pdf"),
            Err(ChatFileRefusal::WrongKind)
        );
        assert_eq!(
            check_chat_file(&[], 10, png, "a.png"),
            Err(ChatFileRefusal::Off)
        );
        assert_eq!(
            check_chat_file(&kinds, 10, b"", "a.png"),
            Err(ChatFileRefusal::Empty)
        );
        let big = [png.as_slice(), &vec![0; 1024 * 1024]].concat();
        assert_eq!(
            check_chat_file(&kinds, 1, &big, "a.png"),
            Err(ChatFileRefusal::TooLarge(1))
        );
        assert_eq!(FileKind::of("application/msword"), FileKind::Office);
        assert_eq!(FileKind::of("text/csv"), FileKind::Text);
    }
}
