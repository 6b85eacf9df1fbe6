//! Idle connected clients: how much server memory each open socket holds.
//!
//! The sockets come from worker processes (this program with
//! `idle-worker`), each from its own loopback address, so the load
//! generator stays under its own open-file limit. On Hovor each socket is
//! a client with a waiting chat; on the relay, a named peer.

use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context};
use futures_util::StreamExt;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::Command;

use crate::hovor_api;
use crate::progress;
use crate::traffic::{loopback, Endpoint, Side, Team, Tracker};

use super::Under;

/// Sockets per worker process.
const PER_WORKER: usize = 4000;

pub struct Report {
    pub sockets: usize,
    pub bytes_per_socket: f64,
    pub rss_before: u64,
    pub rss_after: u64,
    /// Server CPU seconds over `IDLE_WATCH` with every socket open.
    pub idle_cpu: f64,
    pub peak_rss: u64,
}

const IDLE_WATCH: Duration = Duration::from_secs(20);

pub async fn run(under: &Under, sockets: usize) -> anyhow::Result<Report> {
    let target = under.start().await?;
    let relay = matches!(under, Under::Relay);
    // Hovor takes chats only with someone online: one operator, who takes
    // one, so the other clients wait in the queue (and hear their places).
    let mut _operator = None;
    if !relay {
        let http = reqwest::Client::new();
        let (tracker, _) = Tracker::new();
        // Takes the first chat (an offer left unanswered would pause them).
        _operator =
            Some(Team::online(&http, &target.url, &target.nodes, 1, 1, true, &tracker).await?);
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_before = target.rss();
    progress!("idle on {}: opening {sockets} sockets", under.label());
    let mut workers = Vec::new();
    let mut first = 0;
    while first < sockets {
        let count = PER_WORKER.min(sockets - first);
        let mut command = Command::new(std::env::current_exe()?);
        command
            .arg("idle-worker")
            .arg("--url")
            .arg(&target.url)
            .arg("--count")
            .arg(count.to_string())
            .arg("--first")
            .arg(first.to_string())
            .arg("--local")
            .arg(loopback(workers.len()).to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true);
        if relay {
            command.arg("--relay");
        }
        workers.push(command.spawn().context("starting an idle worker")?);
        first += count;
    }
    for worker in &mut workers {
        let stdout = worker.stdout.take().context("worker stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).await?;
        if !line.starts_with("ready") {
            bail!("an idle worker failed: {line}");
        }
    }
    // Let the last queue places and first heartbeats pass.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let rss_after = target.rss();
    let cpu = target.cpu_seconds();
    tokio::time::sleep(IDLE_WATCH).await;
    let idle_cpu = target.cpu_seconds() - cpu;
    for mut worker in workers {
        drop(worker.stdin.take());
        let _ = tokio::time::timeout(Duration::from_secs(30), worker.wait()).await;
    }
    let report = Report {
        sockets,
        bytes_per_socket: rss_after.saturating_sub(rss_before) as f64 / sockets as f64,
        rss_before,
        rss_after,
        idle_cpu,
        peak_rss: target.peak_rss(),
    };
    progress!(
        "  {:.0} bytes per socket ({} MB before, {} MB after), {:.2} s CPU in {} s idle",
        report.bytes_per_socket,
        super::mb(rss_before),
        super::mb(rss_after),
        idle_cpu,
        IDLE_WATCH.as_secs()
    );
    target.stop().await?;
    Ok(report)
}

/// `hovor-bench idle-worker`: opens `count` sockets from `local`, prints
/// `ready`, holds them (answering pings) until its stdin closes.
pub async fn worker(
    url: String,
    count: usize,
    first: usize,
    local: std::net::IpAddr,
    relay: bool,
) -> anyhow::Result<()> {
    let http = reqwest::Client::builder().local_address(local).build()?;
    let (tracker, _answered) = Tracker::new();
    let open = |n: usize| {
        let (http, url, tracker) = (http.clone(), url.clone(), tracker.clone());
        async move {
            let socket_url = if relay {
                format!("{url}/?name=idle{n}")
            } else {
                let chat = hovor_api::start_chat(&http, &url, n).await?;
                hovor_api::client_socket_url(&url, &chat.token)
            };
            let socket = hovor_api::connect(&socket_url, None, Some(local)).await?;
            anyhow::Ok(Endpoint::run(socket, Side::Client, tracker, None))
        }
    };
    let opened: Vec<anyhow::Result<Endpoint>> = futures_util::stream::iter(first..first + count)
        .map(open)
        .buffer_unordered(32)
        .collect()
        .await;
    let mut endpoints = Vec::new();
    for result in opened {
        match result {
            Ok(e) => endpoints.push(e),
            Err(e) => {
                println!("failed after {} sockets: {e:#}", endpoints.len());
                return Ok(());
            }
        }
    }
    println!("ready {}", endpoints.len());
    let mut rest = Vec::new();
    let _ = tokio::io::stdin().read_to_end(&mut rest).await;
    drop(endpoints);
    Ok(())
}
