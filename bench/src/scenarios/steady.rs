//! Steady chat: clients and their operators exchange messages at fixed
//! rates (each client at most one a second, Hovor's flood limit; the
//! operators carry the rest), then as fast as the server answers. Every
//! message is tracked from sending until the other side has it.

use std::time::Duration;

use crate::progress;
use crate::traffic::{self, Outcome, Tracker};

use super::Under;

pub struct Settings {
    pub sessions: usize,
    pub operators: usize,
    pub rates: Vec<f64>,
    pub seconds: u64,
    pub max: bool,
}

/// One phase: a fixed rate (`Some`) or the maximum (`None`).
pub struct Phase {
    pub rate: Option<f64>,
    pub seconds: f64,
    pub outcome: Outcome,
    pub held_back: u64,
    pub server_cpu: f64,
    /// PostgreSQL's processes (`None` on SQLite and the relay).
    pub database_cpu: Option<f64>,
    pub generator_cpu: f64,
}

impl Phase {
    /// Messages delivered per second, over the phase or, when the server
    /// fell behind, until the last one arrived.
    pub fn delivered_per_second(&self) -> f64 {
        let seconds = self.seconds.max(self.outcome.span.as_secs_f64());
        self.outcome.delivered as f64 / seconds
    }
}

pub struct Report {
    pub phases: Vec<Phase>,
    pub peak_rss: u64,
}

pub async fn run(under: &Under, settings: &Settings) -> anyhow::Result<Report> {
    let mut target = under.start().await?;
    let mode = under.mode(&target);
    let http = reqwest::Client::new();
    let (tracker, mut answered) = Tracker::new();
    progress!(
        "steady on {}: connecting {} chats",
        under.label(),
        settings.sessions
    );
    let links = traffic::connect(
        &mode,
        &http,
        settings.sessions,
        settings.operators,
        &tracker,
    )
    .await?;
    let mut next_id = 1u64;
    let mut phases = Vec::new();
    let duration = Duration::from_secs(settings.seconds);
    let mut plan: Vec<Option<f64>> = settings.rates.iter().copied().map(Some).collect();
    if settings.max {
        plan.push(None);
    }
    for rate in plan {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let (cpu, own) = (target.cpu_seconds(), crate::target::own_cpu_seconds());
        let database = target.database_cpu_seconds();
        let held_back = match rate {
            Some(rate) => {
                let (_, held) = traffic::open_loop(
                    &mode,
                    &http,
                    &links,
                    &tracker,
                    &mut next_id,
                    rate,
                    duration,
                )
                .await;
                held
            }
            None => {
                target
                    .profile_start(&format!("steady-max-{}", under.slug()))
                    .await?;
                traffic::closed_loop(
                    &mode,
                    &http,
                    &links,
                    &tracker,
                    &mut answered,
                    &mut next_id,
                    duration,
                )
                .await;
                target.profile_stop().await;
                0
            }
        };
        let outcome = tracker.settle(Duration::from_secs(15)).await;
        let phase = Phase {
            rate,
            seconds: duration.as_secs_f64(),
            server_cpu: target.cpu_seconds() - cpu,
            database_cpu: target
                .database_cpu_seconds()
                .zip(database)
                .map(|(after, before)| after - before),
            generator_cpu: crate::target::own_cpu_seconds() - own,
            outcome,
            held_back,
        };
        progress!(
            "  {}: {:.0} delivered/s, p99 {:.1} ms, lost {}, duplicated {}, refused {:?}, held back {}, sockets closed {:?}",
            rate.map_or("max".to_owned(), |r| format!("{r} msg/s")),
            phase.delivered_per_second(),
            phase.outcome.latency.p99,
            phase.outcome.lost,
            phase.outcome.duplicates,
            phase.outcome.refused,
            phase.held_back,
            phase.outcome.closed
        );
        phases.push(phase);
    }
    let peak_rss = target.peak_rss();
    target.stop().await?;
    Ok(Report { phases, peak_rss })
}

/// The smoke run CI does: a short steady phase; any message acknowledged
/// and not delivered, or delivered twice, fails it.
pub fn check_clean(report: &Report) -> anyhow::Result<()> {
    for phase in &report.phases {
        let o = &phase.outcome;
        if !o.is_clean() {
            anyhow::bail!(
                "{} messages acknowledged and never delivered, {} delivered twice (of {} sent; \
                 sockets closed: {:?})",
                o.lost,
                o.duplicates,
                o.sent,
                o.closed
            );
        }
        if o.closed_total() > 0 {
            anyhow::bail!("sockets were closed during the run: {:?}", o.closed);
        }
        if o.acked == 0 || o.acked + o.refused_total() < o.sent {
            anyhow::bail!(
                "{} of {} messages were never answered (acked {}, refused {:?})",
                o.sent - o.acked - o.refused_total(),
                o.sent,
                o.acked,
                o.refused
            );
        }
    }
    Ok(())
}
