//! `hovor-bench suite`: every scenario against the bare relay and Hovor on
//! each database, in one run, printed as the Markdown tables of
//! docs/benchmarks.md (progress goes to stderr).

use std::collections::HashMap;
use std::path::PathBuf;

use crate::scenarios::{self, mb, steady, Under};
use crate::stats::{ms, ratio};
use crate::target::{Db, HovorSpec};

#[derive(clap::Args, Debug)]
pub struct SuiteArgs {
    /// The `hovor` binary to measure (build it with --release).
    #[arg(long, default_value = "target/release/hovor")]
    pub hovor: PathBuf,
    /// Databases to run Hovor on.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "sqlite,postgres"
    )]
    pub db: Vec<Db>,
    /// PostgreSQL server (a fresh database is made for each scenario).
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432")]
    pub postgres: String,
    /// SQLite's synchronous setting for the Hovor runs: full or normal.
    #[arg(long, default_value = "full")]
    pub sqlite_synchronous: String,
    /// Scenarios to run.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "steady,idle,burst,invitations,sql"
    )]
    pub scenarios: Vec<String>,
    /// Steady: the fixed rates (messages per second), then the maximum.
    #[arg(long, value_delimiter = ',', default_value = "1000,5000,10000")]
    pub rates: Vec<f64>,
    /// Steady: skip the maximum.
    #[arg(long)]
    pub no_max: bool,
    /// Steady: seconds per rate.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Steady: chats open at once.
    #[arg(long, default_value_t = 500)]
    pub sessions: usize,
    /// Steady: operators serving them (at most 20 chats each).
    #[arg(long, default_value_t = 25)]
    pub operators: usize,
    /// Idle: client sockets (the open-file limit is 20,000 here).
    #[arg(long, default_value_t = 2000)]
    pub idle: usize,
    /// Burst: chats arriving at once.
    #[arg(long, default_value_t = 10_000)]
    pub burst: usize,
    /// Burst: start requests in flight at once.
    #[arg(long, default_value_t = 500)]
    pub burst_in_flight: usize,
    /// Invitations redeemed at once.
    #[arg(long, default_value_t = 100)]
    pub invitations: usize,
    /// SQL: chats counted.
    #[arg(long, default_value_t = 20)]
    pub sql_chats: usize,
    /// Send Hovor's messages over REST (versions before socket messages).
    #[arg(long)]
    pub http_messages: bool,
    /// Leave the relay out (its figures then come from another run).
    #[arg(long)]
    pub no_relay: bool,
    /// Record `perf` profiles of the measured phases (steady's maximum,
    /// the burst) into this directory.
    #[arg(long)]
    pub perf: Option<PathBuf>,
    /// What to call this version in the tables.
    #[arg(long, default_value = "")]
    pub label: String,
    /// Also run against a cluster of this many nodes on PostgreSQL (0: no).
    #[arg(long, default_value_t = 0)]
    pub cluster: usize,
    /// The cluster's buses, each a run of its own: `postgres` and/or
    /// `nats://host:4222`.
    #[arg(long, value_delimiter = ',', default_value = "postgres")]
    pub bus: Vec<String>,
}

impl SuiteArgs {
    fn unders(&self) -> Vec<Under> {
        let mut unders = Vec::new();
        if !self.no_relay {
            unders.push(Under::Relay);
        }
        for db in &self.db {
            unders.push(Under::Hovor {
                spec: HovorSpec {
                    binary: self.hovor.clone(),
                    db: *db,
                    postgres: self.postgres.clone(),
                    sqlite_synchronous: self.sqlite_synchronous.clone(),
                    nodes: 1,
                    bus: "memory".to_owned(),
                },
                http_messages: self.http_messages,
            });
        }
        if self.cluster > 1 {
            for bus in &self.bus {
                unders.push(Under::Hovor {
                    spec: HovorSpec {
                        binary: self.hovor.clone(),
                        db: Db::Postgres,
                        postgres: self.postgres.clone(),
                        sqlite_synchronous: self.sqlite_synchronous.clone(),
                        nodes: self.cluster,
                        bus: bus.clone(),
                    },
                    http_messages: self.http_messages,
                });
            }
        }
        unders
    }

    fn name(&self, under: &Under) -> String {
        match (under, self.label.is_empty()) {
            (Under::Relay, _) | (_, true) => under.label(),
            (_, false) => format!("{} ({})", under.label(), self.label),
        }
    }

    fn wants(&self, scenario: &str) -> bool {
        self.scenarios.iter().any(|s| s == scenario)
    }
}

pub async fn run(args: SuiteArgs) -> anyhow::Result<()> {
    let unders = args.unders();
    if let Some(dir) = &args.perf {
        std::fs::create_dir_all(dir)?;
        let _ = crate::target::PERF_DIR.set(dir.clone());
    }
    println!(
        "Run of `hovor-bench suite` on {}; {}.\n",
        crate::machine(),
        std::env::args().collect::<Vec<_>>().join(" ")
    );
    if args.wants("steady") {
        steady_table(&args, &unders).await?;
    }
    if args.wants("idle") {
        idle_table(&args, &unders).await?;
    }
    let hovors: Vec<&Under> = unders
        .iter()
        .filter(|u| matches!(u, Under::Hovor { .. }))
        .collect();
    if args.wants("burst") {
        println!("\n### Burst: {} chats arriving at once\n", args.burst);
        println!("| under | offered | all offered (s) | request → offer p50 / p95 / p99 / max (ms) | start request p50 / p95 / p99 / max (ms) | failed / not sent | server CPU (s) | peak RSS (MB) |");
        println!("|---|---|---|---|---|---|---|---|");
        for under in &hovors {
            let r = scenarios::burst::run(under, args.burst, args.burst_in_flight).await?;
            println!(
                "| {} | {} of {} | {:.2} | {} | {} | {} / {} | {:.1} | {} |",
                args.name(under),
                r.offered,
                r.clients,
                r.all_offered.as_secs_f64(),
                r.routing.cell(),
                r.start.cell(),
                r.failed,
                r.not_sent,
                r.server_cpu,
                mb(r.peak_rss)
            );
        }
    }
    if args.wants("invitations") {
        println!("\n### Invitations: {} redeemed at once\n", args.invitations);
        println!("| under | redeemed | offered | all offered (ms) | redeem p50 / p95 / p99 / max (ms) | server CPU (s) |");
        println!("|---|---|---|---|---|---|");
        for under in &hovors {
            let r = scenarios::invitations::run(under, args.invitations).await?;
            println!(
                "| {} | {} of {} | {} | {} | {} | {:.2} |",
                args.name(under),
                r.redeemed,
                r.redemptions,
                r.offered,
                ms(r.all_offered.as_secs_f64() * 1000.0),
                r.redeem.cell(),
                r.server_cpu
            );
        }
    }
    if args.wants("sql") {
        println!("\n### SQL statements\n");
        println!("| under | per chat of six messages (start to end) | per message |");
        println!("|---|---|---|");
        for under in &hovors {
            let r = scenarios::sql::run(under, args.sql_chats).await?;
            println!(
                "| {} | {:.1} ({} chats) | {:.1} ({} messages) |",
                args.name(under),
                r.per_chat,
                r.chats,
                r.per_message,
                r.messages
            );
        }
    }
    Ok(())
}

async fn steady_table(args: &SuiteArgs, unders: &[Under]) -> anyhow::Result<()> {
    let settings = steady::Settings {
        sessions: args.sessions,
        operators: args.operators,
        rates: args.rates.clone(),
        seconds: args.seconds,
        max: !args.no_max,
    };
    let mut reports = Vec::new();
    for under in unders {
        reports.push((under, steady::run(under, &settings).await?));
    }
    println!(
        "### Steady chat: {} chats, {} s per rate\n",
        args.sessions, args.seconds
    );
    println!("| under | sent at (msg/s) | delivered (msg/s) | vs relay | delivery p50 / p95 / p99 / max (ms) | server CPU (s) | PostgreSQL CPU (s) | generator CPU (s) | lost / duplicated | refused | held back | sockets closed | peak RSS (MB) |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    let mut relay: HashMap<String, f64> = HashMap::new();
    for (under, report) in &reports {
        for phase in &report.phases {
            let rate = phase.rate.map_or("max".to_owned(), |r| format!("{r:.0}"));
            let delivered = phase.delivered_per_second();
            if matches!(under, Under::Relay) {
                relay.insert(rate.clone(), delivered);
            }
            let o = &phase.outcome;
            println!(
                "| {} | {} | {:.0} | {} | {} | {:.1} | {} | {:.1} | {} / {} | {} | {} | {} | {} |",
                args.name(under),
                rate,
                delivered,
                relay
                    .get(&rate)
                    .map_or("–".to_owned(), |base| ratio(delivered, *base)),
                o.latency.cell(),
                phase.server_cpu,
                phase
                    .database_cpu
                    .map_or("–".to_owned(), |c| format!("{c:.1}")),
                phase.generator_cpu,
                o.lost,
                o.duplicates,
                counts_cell(&o.refused),
                phase.held_back,
                counts_cell(&o.closed),
                mb(report.peak_rss)
            );
        }
    }
    Ok(())
}

/// Counts by kind, as a table cell ("0" when there are none).
fn counts_cell(refused: &HashMap<String, u64>) -> String {
    if refused.is_empty() {
        return "0".to_owned();
    }
    let mut parts: Vec<String> = refused.iter().map(|(k, v)| format!("{v} {k}")).collect();
    parts.sort();
    parts.join(", ")
}

async fn idle_table(args: &SuiteArgs, unders: &[Under]) -> anyhow::Result<()> {
    let mut rows = Vec::new();
    for under in unders {
        rows.push((under, scenarios::idle::run(under, args.idle).await?));
    }
    println!("\n### Idle connected clients: {} sockets\n", args.idle);
    println!("| under | sockets | server memory per socket (bytes) | vs relay | RSS before → after (MB) | peak RSS (MB) | server CPU in 20 s idle (s) |");
    println!("|---|---|---|---|---|---|---|");
    let base = rows
        .iter()
        .find(|(u, _)| matches!(u, Under::Relay))
        .map(|(_, r)| r.bytes_per_socket);
    for (under, r) in &rows {
        println!(
            "| {} | {} | {:.0} | {} | {} → {} | {} | {:.2} |",
            args.name(under),
            r.sockets,
            r.bytes_per_socket,
            base.map_or("–".to_owned(), |b| ratio(r.bytes_per_socket, b)),
            mb(r.rss_before),
            mb(r.rss_after),
            mb(r.peak_rss),
            r.idle_cpu
        );
    }
    Ok(())
}
