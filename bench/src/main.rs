//! `hovor-bench`: measures a Hovor the way its users use it.
//!
//! - `suite`: every scenario (steady chat, idle sockets, a burst of chats,
//!   invitations, SQL statements) against the bare relay and Hovor on
//!   SQLite and PostgreSQL, printed as docs/benchmarks.md's tables;
//! - `smoke`: a short steady run that fails on any lost or duplicated
//!   message (CI runs it);
//! - `chat`: clients in waves against a running `hovor demo`;
//! - `relay`, `idle-worker`: the suite's own processes.

mod chat;
mod hovor_api;
mod relay;
mod scenarios;
mod stats;
mod suite;
mod target;
mod traffic;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Instant;

use clap::{Parser, Subcommand};

use crate::scenarios::Under;
use crate::target::{Db, HovorSpec};

#[derive(Parser)]
#[command(about = "Measures Hovor as its users use it")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Every scenario against the bare relay and Hovor, as Markdown tables.
    Suite(Box<suite::SuiteArgs>),
    /// A short steady run; fails if a message is lost or duplicated.
    Smoke {
        #[arg(long, default_value = "target/release/hovor")]
        hovor: PathBuf,
        #[arg(long, value_enum, value_delimiter = ',', default_value = "sqlite")]
        db: Vec<Db>,
        #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432")]
        postgres: String,
        #[arg(long, default_value_t = 3)]
        seconds: u64,
    },
    /// Clients in waves against a running `hovor demo`.
    Chat(chat::Args),
    /// The bare relay the suite compares with.
    Relay {
        #[arg(long, default_value = "127.0.0.1:18300")]
        listen: SocketAddr,
    },
    /// Holds idle sockets for the suite.
    IdleWorker {
        #[arg(long)]
        url: String,
        #[arg(long)]
        count: usize,
        #[arg(long, default_value_t = 0)]
        first: usize,
        #[arg(long, default_value = "127.0.0.1")]
        local: IpAddr,
        #[arg(long)]
        relay: bool,
    },
}

/// When this process started (for progress lines).
pub fn started() -> Instant {
    static STARTED: OnceLock<Instant> = OnceLock::new();
    *STARTED.get_or_init(Instant::now)
}

/// The machine, for the record.
pub fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / (1024 * 1024));
    format!("{cores} cores, {memory} GiB")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    started();
    match Cli::parse().command {
        Command::Suite(args) => suite::run(*args).await,
        Command::Smoke {
            hovor,
            db,
            postgres,
            seconds,
        } => smoke(hovor, db, postgres, seconds).await,
        Command::Chat(args) => chat::run(args).await,
        Command::Relay { listen } => relay::serve(listen).await,
        Command::IdleWorker {
            url,
            count,
            first,
            local,
            relay,
        } => scenarios::idle::worker(url, count, first, local, relay).await,
    }
}

async fn smoke(hovor: PathBuf, dbs: Vec<Db>, postgres: String, seconds: u64) -> anyhow::Result<()> {
    let settings = scenarios::steady::Settings {
        sessions: 40,
        operators: 2,
        rates: vec![200.0],
        seconds,
        max: true,
    };
    for db in dbs {
        let under = Under::Hovor {
            spec: HovorSpec {
                binary: hovor.clone(),
                db,
                postgres: postgres.clone(),
                sqlite_synchronous: "full".to_owned(),
                nodes: 1,
                bus: "memory".to_owned(),
            },
            http_messages: false,
        };
        let report = scenarios::steady::run(&under, &settings).await?;
        scenarios::steady::check_clean(&report)?;
        for phase in &report.phases {
            println!(
                "smoke on {}: {} sent, {} acknowledged, {} delivered, none lost or duplicated",
                db.name(),
                phase.outcome.sent,
                phase.outcome.acked,
                phase.outcome.delivered
            );
        }
    }
    Ok(())
}
