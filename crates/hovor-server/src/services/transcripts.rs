//! Transcripts: a conversation as plain text for its readers (the client
//! sees no notes between operators), written by `hovor_core::transcript`.

use hovor_core::reports::calendar::DEFAULT_TZ;
use hovor_core::reports::parse_tz;
use hovor_core::transcript::{render, Heading, Lang, Line};
use hovor_store::{Readers, Session};

use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// `lang` and `tz` as the query names them (English and Prague by default).
pub fn language_and_zone(
    lang: Option<&str>,
    tz: Option<&str>,
) -> ApiResult<(Lang, hovor_core::reports::calendar::Tz)> {
    let lang = match lang {
        None => Lang::En,
        Some(l) => {
            Lang::parse(l).ok_or_else(|| ApiError::invalid("invalid_lang", "lang is cs or en"))?
        }
    };
    let tz = match tz {
        None => DEFAULT_TZ,
        Some(name) => parse_tz(name).ok_or_else(|| {
            ApiError::invalid(
                "invalid_tz",
                "tz is an IANA time zone such as Europe/Prague",
            )
        })?,
    };
    Ok((lang, tz))
}

/// The name a company's transcripts are headed with.
pub async fn company_name(app: &AppState, company_id: &str) -> ApiResult<String> {
    Ok(app
        .store
        .company(company_id)
        .await?
        .map(|c| c.name)
        .unwrap_or_default())
}

/// The transcript of a session as text, for its `readers`, headed with its
/// company's name.
pub async fn transcript_text(
    app: &AppState,
    session: &Session,
    company: &str,
    readers: Readers,
    (lang, tz): (Lang, hovor_core::reports::calendar::Tz),
) -> ApiResult<String> {
    // All of it, a thousand at a time.
    let mut messages = Vec::new();
    loop {
        let after = messages.last().map_or(0, |m: &hovor_store::Message| m.seq);
        let batch = app
            .store
            .messages_after(&session.id, after, 1000, readers)
            .await?;
        let full = batch.len() == 1000;
        messages.extend(batch);
        if !full {
            break;
        }
    }
    let lines: Vec<Line<'_>> = messages
        .iter()
        .map(|m| Line {
            author: m.author,
            operator_name: m.operator_name.as_deref(),
            text: &m.text,
            notice: m.notice.as_ref(),
            sent_at: m.sent_at,
            files: m.attachments.iter().map(|f| f.name.as_str()).collect(),
        })
        .collect();
    let heading = Heading {
        company,
        client_name: session.client.name.as_deref(),
        started_at: session.created_at,
    };
    Ok(render(lang, tz, &heading, &lines))
}
