//! The basic formatting of an operator's e-mail reply: typed as plain text
//! with a few marks people already use in plain mail, sent as that text and
//! as HTML made from it. Marks:
//!
//! - `**bold**` and `_italic_` inside a line;
//! - lines starting with `- ` or `* ` make a bulleted list, `1. ` a
//!   numbered one;
//! - lines starting with `> ` are a quotation;
//! - `http://` and `https://` addresses become links;
//! - an empty line starts a new paragraph.
//!
//! Everything else is text: the HTML is built from escaped text, so nothing
//! an operator types becomes markup by accident. The workspace shows a reply
//! with the same rules (`web/src/replyFormat.ts`, tested on the same
//! examples).

/// One block of a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Block<'a> {
    Paragraph(Vec<&'a str>),
    Bullets(Vec<&'a str>),
    Numbers(Vec<&'a str>),
    Quote(Vec<&'a str>),
}

fn bullet(line: &str) -> Option<&str> {
    line.strip_prefix("- ").or_else(|| line.strip_prefix("* "))
}

fn numbered(line: &str) -> Option<&str> {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 3 {
        return None;
    }
    line[digits..].strip_prefix(". ")
}

fn quoted(line: &str) -> Option<&str> {
    line.strip_prefix("> ")
        .or_else(|| (line == ">").then_some(""))
}

fn blocks(text: &str) -> Vec<Block<'_>> {
    let mut out: Vec<Block<'_>> = Vec::new();
    for line in text.lines() {
        let line = line.trim_end();
        if line.trim().is_empty() {
            out.push(Block::Paragraph(Vec::new()));
            continue;
        }
        let last = out.last_mut();
        match (last, bullet(line), numbered(line), quoted(line)) {
            (Some(Block::Bullets(items)), Some(item), _, _) => items.push(item),
            (_, Some(item), _, _) => out.push(Block::Bullets(vec![item])),
            (Some(Block::Numbers(items)), _, Some(item), _) => items.push(item),
            (_, _, Some(item), _) => out.push(Block::Numbers(vec![item])),
            (Some(Block::Quote(lines)), _, _, Some(rest)) => lines.push(rest),
            (_, _, _, Some(rest)) => out.push(Block::Quote(vec![rest])),
            (Some(Block::Paragraph(lines)), None, None, None) => lines.push(line),
            _ => out.push(Block::Paragraph(vec![line])),
        }
    }
    out.retain(|b| !matches!(b, Block::Paragraph(lines) if lines.is_empty()));
    out
}

fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// Where an emphasis mark may open: at the start, or after a space or an
/// opening bracket, and before a letter (so `snake_case` stays as it is).
fn opens(text: &str, at: usize, mark: &str) -> bool {
    let before_ok = text[..at]
        .chars()
        .next_back()
        .is_none_or(|c| c.is_whitespace() || "([{„\"'".contains(c));
    let after = text[at + mark.len()..].chars().next();
    before_ok && after.is_some_and(|c| !c.is_whitespace())
}

/// Where the mark opened at `from` closes: before a space, punctuation or
/// the end, after something that is not a space.
fn closes(text: &str, from: usize, mark: &str) -> Option<usize> {
    let mut search = from;
    while let Some(found) = text[search..].find(mark) {
        let at = search + found;
        let before = text[..at].chars().next_back();
        let after = text[at + mark.len()..].chars().next();
        if at > from
            && before.is_some_and(|c| !c.is_whitespace())
            && after.is_none_or(|c| !c.is_alphanumeric() && c != '_' && c != '*')
        {
            return Some(at);
        }
        search = at + mark.len();
    }
    None
}

/// An address that starts at `at`, up to a space or a closing mark.
fn link_at(text: &str, at: usize) -> Option<&str> {
    let rest = &text[at..];
    if !(rest.starts_with("https://") || rest.starts_with("http://")) {
        return None;
    }
    let end = rest
        .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"'))
        .unwrap_or(rest.len());
    // A sentence's full stop or bracket is not part of the address.
    let url = rest[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')']);
    (url.len() > "https://".len()).then_some(url)
}

fn inline(text: &str, out: &mut String) {
    let mut plain_from = 0;
    let mut i = 0;
    while i < text.len() {
        if !text.is_char_boundary(i) {
            i += 1;
            continue;
        }
        let rest = &text[i..];
        let emphasis = [("**", "strong"), ("_", "em")]
            .into_iter()
            .find(|(mark, _)| rest.starts_with(mark) && opens(text, i, mark))
            .and_then(|(mark, tag)| closes(text, i + mark.len(), mark).map(|end| (mark, tag, end)));
        if let Some((mark, tag, end)) = emphasis {
            escape(&text[plain_from..i], out);
            out.push_str(&format!("<{tag}>"));
            inline(&text[i + mark.len()..end], out);
            out.push_str(&format!("</{tag}>"));
            i = end + mark.len();
            plain_from = i;
            continue;
        }
        if let Some(url) = link_at(text, i) {
            escape(&text[plain_from..i], out);
            out.push_str("<a href=\"");
            escape(url, out);
            out.push_str("\">");
            escape(url, out);
            out.push_str("</a>");
            i += url.len();
            plain_from = i;
            continue;
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    escape(&text[plain_from..], out);
}

fn lines(lines: &[&str], out: &mut String) {
    for (n, line) in lines.iter().enumerate() {
        if n > 0 {
            out.push_str("<br>\n");
        }
        inline(line, out);
    }
}

fn items(tag: &str, items: &[&str], out: &mut String) {
    out.push_str(&format!("<{tag}>\n"));
    for item in items {
        out.push_str("<li>");
        inline(item, out);
        out.push_str("</li>\n");
    }
    out.push_str(&format!("</{tag}>\n"));
}

/// The reply as the body of an HTML e-mail (a fragment: the sender wraps
/// it in a document).
pub fn reply_html(text: &str) -> String {
    let mut out = String::new();
    for block in blocks(text) {
        match block {
            Block::Paragraph(ls) => {
                out.push_str("<p>");
                lines(&ls, &mut out);
                out.push_str("</p>\n");
            }
            Block::Bullets(list) => items("ul", &list, &mut out),
            Block::Numbers(list) => items("ol", &list, &mut out),
            Block::Quote(ls) => {
                out.push_str("<blockquote style=\"margin:0 0 0 .8ex;border-left:2px solid #ccc;padding-left:1ex\">");
                lines(&ls, &mut out);
                out.push_str("</blockquote>\n");
            }
        }
    }
    out
}

/// A whole HTML document around [`reply_html`].
pub fn reply_document(text: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>\n\
         <body style=\"font-family:sans-serif;font-size:14px;line-height:1.5\">\n{}</body></html>\n",
        reply_html(text)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_and_lines() {
        assert_eq!(
            reply_html("Dobrý den,\nděkujeme.\n\nTomáš"),
            "<p>Dobrý den,<br>\nděkujeme.</p>\n<p>Tomáš</p>\n"
        );
    }

    #[test]
    fn emphasis_only_where_it_is_meant() {
        assert_eq!(
            reply_html("Je to **důležité** a _hned_."),
            "<p>Je to <strong>důležité</strong> a <em>hned</em>.</p>\n"
        );
        // Identifiers, lone marks and arithmetic stay text.
        assert_eq!(
            reply_html("soubor moje_data_2024.csv, 2 * 3 * 4, ** nic **"),
            "<p>soubor moje_data_2024.csv, 2 * 3 * 4, ** nic **</p>\n"
        );
        assert_eq!(
            reply_html("**tučně s _kurzívou_ uvnitř**"),
            "<p><strong>tučně s <em>kurzívou</em> uvnitř</strong></p>\n"
        );
    }

    #[test]
    fn lists_and_quotes() {
        assert_eq!(
            reply_html("Postup:\n- vypněte\n- zapněte\n\n1. první\n2. druhý\n> citace\n> dál"),
            "<p>Postup:</p>\n<ul>\n<li>vypněte</li>\n<li>zapněte</li>\n</ul>\n\
             <ol>\n<li>první</li>\n<li>druhý</li>\n</ol>\n\
             <blockquote style=\"margin:0 0 0 .8ex;border-left:2px solid #ccc;padding-left:1ex\">citace<br>\ndál</blockquote>\n"
        );
    }

    #[test]
    fn links_without_their_full_stop() {
        assert_eq!(
            reply_html("Viz https://example.com/a?b=1&c=2."),
            "<p>Viz <a href=\"https://example.com/a?b=1&amp;c=2\">https://example.com/a?b=1&amp;c=2</a>.</p>\n"
        );
        assert_eq!(
            reply_html("javascript:alert(1) ftp://x"),
            "<p>javascript:alert(1) ftp://x</p>\n"
        );
    }

    #[test]
    fn markup_typed_is_text() {
        assert_eq!(
            reply_html("<script>alert('x')</script> & <b>"),
            "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;</p>\n"
        );
        assert_eq!(
            reply_html("https://x.cz/\"><img src=x>"),
            "<p><a href=\"https://x.cz/\">https://x.cz/</a>&quot;&gt;&lt;img src=x&gt;</p>\n"
        );
    }
}
