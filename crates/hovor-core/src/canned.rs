//! Canned answers: texts an operator inserts with a shortcut (`/price`),
//! the company's and each operator's own. Their shortcut's form, their
//! size, and the placeholders filled in for one conversation.

/// The most characters of a shortcut, a title and a text.
pub const MAX_SHORTCUT_CHARS: usize = 32;
pub const MAX_TITLE_CHARS: usize = 100;
/// As long as a chat message may be.
pub const MAX_TEXT_CHARS: usize = 4000;
/// How many canned answers one owner (the company, or one operator) keeps.
pub const MAX_PER_OWNER: i64 = 500;

/// The placeholders a text may hold.
pub const CLIENT_NAME: &str = "{client_name}";
pub const OPERATOR_NAME: &str = "{operator_name}";

/// What is wrong with a canned answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CannedProblem {
    BadShortcut,
    TitleTooLong,
    EmptyText,
    TextTooLong,
}

/// A shortcut as it is kept and matched: without a leading `/`, in lower
/// case; 1 to 32 letters (any alphabet), digits, `-` or `_`.
pub fn normalize_shortcut(raw: &str) -> Result<String, CannedProblem> {
    let shortcut = raw.trim().trim_start_matches('/').to_lowercase();
    let count = shortcut.chars().count();
    let fits = (1..=MAX_SHORTCUT_CHARS).contains(&count)
        && shortcut
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_');
    if fits {
        Ok(shortcut)
    } else {
        Err(CannedProblem::BadShortcut)
    }
}

/// Checks a title (optional) and a text.
pub fn check_content(title: Option<&str>, text: &str) -> Result<(), CannedProblem> {
    if title.is_some_and(|t| t.chars().count() > MAX_TITLE_CHARS) {
        return Err(CannedProblem::TitleTooLong);
    }
    if text.trim().is_empty() {
        return Err(CannedProblem::EmptyText);
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(CannedProblem::TextTooLong);
    }
    Ok(())
}

/// The text for one conversation: `{client_name}` and `{operator_name}`
/// replaced. A client who gave no name leaves no gap: the placeholder goes
/// with the space and the one comma just before it ("Dobrý den,
/// {client_name}!" becomes "Dobrý den!").
pub fn fill(text: &str, client_name: Option<&str>, operator_name: &str) -> String {
    let text = text.replace(OPERATOR_NAME, operator_name);
    match client_name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) => text.replace(CLIENT_NAME, name),
        None => without_client_name(&text),
    }
}

fn without_client_name(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(CLIENT_NAME) {
        let before = rest[..at].trim_end_matches([' ', '\t']);
        let before = before.strip_suffix(',').unwrap_or(before);
        out.push_str(before);
        rest = &rest[at + CLIENT_NAME.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortcuts_are_kept_in_one_form() {
        assert_eq!(normalize_shortcut("/Cena").as_deref(), Ok("cena"));
        assert_eq!(
            normalize_shortcut(" doprava_zdarma ").as_deref(),
            Ok("doprava_zdarma")
        );
        assert_eq!(normalize_shortcut("Účet-2").as_deref(), Ok("účet-2"));
        for bad in ["", "/", "two words", "a/b", "<x>", &"x".repeat(33)] {
            assert_eq!(
                normalize_shortcut(bad),
                Err(CannedProblem::BadShortcut),
                "{bad}"
            );
        }
        assert!(normalize_shortcut(&"ž".repeat(32)).is_ok());
    }

    #[test]
    fn content_limits() {
        assert_eq!(check_content(None, "Dobrý den"), Ok(()));
        assert_eq!(check_content(None, "  \n"), Err(CannedProblem::EmptyText));
        assert_eq!(
            check_content(Some(&"t".repeat(101)), "x"),
            Err(CannedProblem::TitleTooLong)
        );
        assert_eq!(check_content(None, &"ř".repeat(4000)), Ok(()));
        assert_eq!(
            check_content(None, &"ř".repeat(4001)),
            Err(CannedProblem::TextTooLong)
        );
    }

    #[test]
    fn placeholders_are_filled_for_the_conversation() {
        let text = "Dobrý den, {client_name}! Jmenuji se {operator_name}.";
        assert_eq!(
            fill(text, Some("Karel"), "Jana Nováková"),
            "Dobrý den, Karel! Jmenuji se Jana Nováková."
        );
        assert_eq!(fill(text, None, "Jana"), "Dobrý den! Jmenuji se Jana.");
        assert_eq!(
            fill(text, Some("  "), "Jana"),
            "Dobrý den! Jmenuji se Jana."
        );
        assert_eq!(
            fill("Hello {client_name}, how can I help?", None, "Jana"),
            "Hello, how can I help?"
        );
        assert_eq!(
            fill("{client_name}: {client_name}", Some("Eva"), "J"),
            "Eva: Eva"
        );
        // A name is put in as it is, once: a name that looks like a placeholder stays text.
        assert_eq!(
            fill("Hi {client_name}", Some("{operator_name}"), "Jana"),
            "Hi {operator_name}"
        );
        assert_eq!(fill("No placeholders.", None, "Jana"), "No placeholders.");
    }
}
