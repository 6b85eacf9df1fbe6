//! Invitations redeemed at once: operators each make 20 invitations, then
//! every code is redeemed in the same instant; timed until each chat is
//! offered to the operator who invited. Hovor's alone (the relay has no
//! invitations).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use futures_util::StreamExt;
use serde_json::Value;

use crate::progress;
use crate::stats::Latency;
use crate::traffic::{Team, Tracker};

use super::Under;

pub struct Report {
    pub redemptions: usize,
    pub redeemed: usize,
    pub offered: usize,
    pub redeem: Latency,
    pub all_offered: Duration,
    pub server_cpu: f64,
}

pub async fn run(under: &Under, redemptions: usize) -> anyhow::Result<Report> {
    let target = under.start().await?;
    let url = target.url.clone();
    let http = reqwest::Client::new();
    let operators = redemptions.div_ceil(20);
    progress!(
        "invitations on {}: {operators} operators make {redemptions} invitations",
        under.label()
    );
    let (tracker, _answered) = Tracker::new();
    let Team {
        logins,
        workspaces: _workspaces,
        mut offers,
    } = Team::online(&http, &url, &target.nodes, operators, 20, false, &tracker).await?;
    let mut codes = Vec::new();
    for login in &logins {
        for _ in 0..20.min(redemptions - codes.len()) {
            let r = http
                .post(format!("{url}/api/v1/invitations"))
                .header("cookie", &login.cookie)
                .header("x-csrf-token", &login.csrf)
                .json(&serde_json::json!({"label": "bench"}))
                .send()
                .await?;
            if !r.status().is_success() {
                bail!("making an invitation: {}", r.status());
            }
            let body: Value = r.json().await?;
            codes.push(
                body["code"]
                    .as_str()
                    .context("an invitation without a code")?
                    .to_owned(),
            );
        }
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let cpu = target.cpu_seconds();
    let started = Instant::now();
    let results: Vec<(Duration, Option<String>)> = futures_util::stream::iter(codes)
        .map(|code| {
            let (http, url) = (http.clone(), url.clone());
            async move {
                let sent = Instant::now();
                let r = http
                    .post(format!("{url}/api/v1/client/invitations/{code}/redeem"))
                    .send()
                    .await;
                let session = match r {
                    Ok(r) if r.status().is_success() => r
                        .json::<Value>()
                        .await
                        .ok()
                        .and_then(|b| b["session"]["id"].as_str().map(str::to_owned)),
                    _ => None,
                };
                (sent.elapsed(), session)
            }
        })
        .buffer_unordered(redemptions)
        .collect()
        .await;
    let wanted: Vec<&String> = results.iter().filter_map(|r| r.1.as_ref()).collect();
    let mut offered: HashMap<String, Instant> = HashMap::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while wanted.iter().any(|id| !offered.contains_key(*id)) {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, offers.recv()).await {
            Ok(Some((id, _))) => {
                offered.entry(id).or_insert_with(Instant::now);
            }
            _ => break,
        }
    }
    let last = wanted
        .iter()
        .filter_map(|id| offered.get(*id))
        .max()
        .copied()
        .unwrap_or(started);
    let report = Report {
        redemptions,
        redeemed: wanted.len(),
        offered: wanted
            .iter()
            .filter(|id| offered.contains_key(**id))
            .count(),
        redeem: Latency::of(results.iter().map(|r| r.0).collect()),
        all_offered: last - started,
        server_cpu: target.cpu_seconds() - cpu,
    };
    progress!(
        "  {} redeemed, {} offered in {:.0} ms; redeem p99 {:.0} ms",
        report.redeemed,
        report.offered,
        report.all_offered.as_secs_f64() * 1000.0,
        report.redeem.p99
    );
    target.stop().await?;
    Ok(report)
}
