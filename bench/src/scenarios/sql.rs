//! SQL statements per chat and per message, counted from the server's
//! statement log (`sqlx::query` at debug), one chat at a time so nothing
//! else is counted: a client starts a chat and opens its socket, the
//! operator accepts, they exchange six messages (three each, over the
//! sockets), the client leaves. Then one operator message at a time.

use std::time::Duration;

use anyhow::Context;

use crate::hovor_api;
use crate::progress;
use crate::target::Target;
use crate::traffic::{Endpoint, Link, Side, Team, Tracker};

use super::Under;

pub struct Report {
    pub chats: usize,
    pub per_chat: f64,
    pub messages: usize,
    pub per_message: f64,
}

/// Lets trailing work (a routing pass, queue places) finish before counting.
const QUIET: Duration = Duration::from_millis(400);

pub async fn run(under: &Under, chats: usize) -> anyhow::Result<Report> {
    let Under::Hovor { spec, .. } = under else {
        anyhow::bail!("the relay runs no SQL");
    };
    let target = Target::hovor(spec, true).await?;
    let mode = under.mode(&target);
    let url = target.url.clone();
    let http = reqwest::Client::new();
    progress!("sql on {}: {chats} chats, one at a time", under.label());
    let (tracker, _answered) = Tracker::new();
    let Team {
        mut logins,
        mut workspaces,
        offers: mut accepted,
    } = Team::online(&http, &url, &target.nodes, 1, 20, true, &tracker).await?;
    let login = logins.pop().context("no operator")?;
    let operator = workspaces.pop().context("no workspace")?;
    tokio::time::sleep(QUIET).await;
    let mut next_id = 1;
    let open = |n: usize| {
        let (http, url, tracker) = (http.clone(), url.clone(), tracker.clone());
        let (operator, login) = (operator.clone(), login.clone());
        async move {
            let chat = hovor_api::start_chat(&http, &url, n).await?;
            let socket =
                hovor_api::connect(&hovor_api::client_socket_url(&url, &chat.token), None, None)
                    .await?;
            let client = Endpoint::run(socket, Side::Client, tracker, None);
            anyhow::Ok((Link::hovor(client, operator, &chat, &login), chat))
        }
    };
    let before = target.sql_statements();
    for n in 0..chats {
        let (link, chat) = open(n).await?;
        tokio::time::timeout(Duration::from_secs(10), accepted.recv())
            .await
            .context("the chat was not accepted")?;
        for k in 0..6 {
            let from = if k % 2 == 0 {
                Side::Client
            } else {
                Side::Operator
            };
            link.send(&mode, &http, &tracker, 0, next_id, from);
            next_id += 1;
            let outcome = tracker.settle(Duration::from_secs(10)).await;
            if outcome.delivered != 1 {
                anyhow::bail!("message {k} of chat {n} was not delivered: {outcome:?}");
            }
        }
        http.post(format!(
            "{url}/api/v1/client/sessions/{}/leave",
            chat.session_id
        ))
        .bearer_auth(&chat.token)
        .send()
        .await?;
        tokio::time::sleep(QUIET).await;
    }
    let per_chat = (target.sql_statements() - before) as f64 / chats as f64;
    // One more chat stays open: its operator writes one message at a time.
    let (link, _chat) = open(chats).await?;
    tokio::time::timeout(Duration::from_secs(10), accepted.recv())
        .await
        .context("the chat was not accepted")?;
    tokio::time::sleep(QUIET).await;
    let messages = 50;
    let before = target.sql_statements();
    for _ in 0..messages {
        link.send(&mode, &http, &tracker, 0, next_id, Side::Operator);
        next_id += 1;
        tracker.settle(Duration::from_secs(10)).await;
    }
    let per_message = (target.sql_statements() - before) as f64 / messages as f64;
    let kept = std::env::temp_dir().join(format!("hovor-bench-sql-{}.log", under.slug()));
    target.keep_log(&kept)?;
    progress!(
        "  {per_chat:.1} statements per chat, {per_message:.1} per message (the statements: {})",
        kept.display()
    );
    target.stop().await?;
    Ok(Report {
        chats,
        per_chat,
        messages,
        per_message,
    })
}
