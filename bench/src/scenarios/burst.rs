//! A burst: `clients` chats start at once, with operators online for all
//! of them (20 chats each), timed until every one has been offered.
//! Routing has no counterpart in the relay; this is Hovor's alone.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use futures_util::StreamExt;

use crate::hovor_api;
use crate::progress;
use crate::stats::Latency;
use crate::traffic::{Team, Tracker};

use super::Under;

/// How long the chats may take to start before the rest are not sent.
const PATIENCE: Duration = Duration::from_secs(120);

pub struct Report {
    pub clients: usize,
    pub offered: usize,
    /// From the first request until the last chat was offered.
    pub all_offered: Duration,
    /// Each chat: from its request until its offer.
    pub routing: Latency,
    /// Each start request until its answer.
    pub start: Latency,
    pub failed: usize,
    /// Not asked for: the server had not taken the others within 120 s.
    pub not_sent: usize,
    pub server_cpu: f64,
    pub peak_rss: u64,
}

pub async fn run(under: &Under, clients: usize, in_flight: usize) -> anyhow::Result<Report> {
    let mut target = under.start().await?;
    let url = target.url.clone();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(in_flight)
        .build()?;
    let operators = clients.div_ceil(20);
    progress!(
        "burst on {}: {operators} operators, then {clients} chats at once",
        under.label()
    );
    let (tracker, _answered) = Tracker::new();
    let Team {
        workspaces: _workspaces,
        mut offers,
        ..
    } = Team::online(&http, &url, &target.nodes, operators, 20, false, &tracker).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;

    // When each offer came, by session; a chat offered before its start
    // request returned is matched afterwards.
    let offered_at: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let collector = {
        let offered_at = offered_at.clone();
        tokio::spawn(async move {
            while let Some((session, _)) = offers.recv().await {
                offered_at
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .entry(session)
                    .or_insert_with(Instant::now);
            }
        })
    };
    target
        .profile_start(&format!("burst-{}", under.slug()))
        .await?;
    let cpu = target.cpu_seconds();
    let started = Instant::now();
    // A server that cannot take them all within the patience is not waited
    // for: the chats not yet asked for are counted, not sent.
    let give_up = started + PATIENCE;
    let results: Vec<(Instant, Duration, anyhow::Result<hovor_api::Chat>)> =
        futures_util::stream::iter(0..clients)
            .map(|n| {
                let (http, url) = (http.clone(), url.clone());
                async move {
                    let sent = Instant::now();
                    if sent > give_up {
                        return (sent, Duration::ZERO, Err(anyhow::anyhow!("not sent")));
                    }
                    let chat = hovor_api::start_chat(&http, &url, n).await;
                    (sent, sent.elapsed(), chat)
                }
            })
            .buffer_unordered(in_flight)
            .collect()
            .await;
    let not_sent = results
        .iter()
        .filter(|r| matches!(&r.2, Err(e) if e.to_string() == "not sent"))
        .count();
    let results: Vec<_> = results
        .into_iter()
        .filter(|r| r.1 > Duration::ZERO)
        .collect();
    let failed = results.iter().filter(|r| r.2.is_err()).count();
    if let Some((_, _, Err(e))) = results.iter().find(|r| r.2.is_err()) {
        progress!("  {failed} chats failed to start, the first: {e:#}");
    }
    let wanted: Vec<(String, Instant)> = results
        .iter()
        .filter_map(|(sent, _, chat)| chat.as_ref().ok().map(|c| (c.session_id.clone(), *sent)))
        .collect();
    let deadline = Instant::now().max(give_up) + Duration::from_secs(30);
    loop {
        let count = {
            let offered = offered_at.lock().unwrap_or_else(|p| p.into_inner());
            wanted
                .iter()
                .filter(|(id, _)| offered.contains_key(id))
                .count()
        };
        if count == wanted.len() || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let server_cpu = target.cpu_seconds() - cpu;
    target.profile_stop().await;
    collector.abort();
    let offered = offered_at.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let mut routing = Vec::new();
    let mut last = started;
    for (id, sent) in &wanted {
        if let Some(at) = offered.get(id) {
            routing.push(at.saturating_duration_since(*sent));
            last = last.max(*at);
        }
    }
    let report = Report {
        clients,
        offered: routing.len(),
        all_offered: last - started,
        routing: Latency::of(routing),
        start: Latency::of(results.iter().map(|r| r.1).collect()),
        failed,
        not_sent,
        server_cpu,
        peak_rss: target.peak_rss(),
    };
    progress!(
        "  {} of {clients} offered in {:.2} s; request → offer p99 {:.0} ms",
        report.offered,
        report.all_offered.as_secs_f64(),
        report.routing.p99
    );
    target.stop().await.context("stopping")?;
    Ok(report)
}
