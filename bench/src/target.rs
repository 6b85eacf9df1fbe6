//! The system under test: a `hovor demo` (SQLite or PostgreSQL) or the bare
//! relay, started fresh for each scenario as a child process, and what the
//! suite reads of it from /proc: CPU seconds and resident memory.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use tokio::process::{Child, Command};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Db {
    Sqlite,
    Postgres,
}

impl Db {
    pub fn name(self) -> &'static str {
        match self {
            Db::Sqlite => "SQLite",
            Db::Postgres => "PostgreSQL",
        }
    }
}

/// How to start Hovor.
#[derive(Clone, Debug)]
pub struct HovorSpec {
    pub binary: PathBuf,
    pub db: Db,
    /// Base URL of the PostgreSQL server; a fresh database is made per run.
    pub postgres: String,
    /// `full` or `normal` (SQLite only).
    pub sqlite_synchronous: String,
    /// Nodes of a cluster (PostgreSQL only); 1: a single node.
    pub nodes: usize,
    /// The bus between the nodes: `postgres` or a `nats://` URL.
    pub bus: String,
}

pub struct Target {
    child: Child,
    /// The other nodes of a cluster, and their pids.
    others: Vec<(Child, u32)>,
    /// Every node's URL (the first is `url`).
    pub nodes: Vec<String>,
    /// `perf record` attached to the server during a measured phase.
    perf: Option<Child>,
    pub url: String,
    pid: u32,
    log: PathBuf,
    dir: PathBuf,
    database: Option<(String, String)>,
}

/// Where `--perf` puts its profiles (unset: no profiling).
pub static PERF_DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

fn scratch_dir(label: &str) -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "hovor-bench-{}-{label}-{}",
        std::process::id(),
        Instant::now().elapsed().as_nanos() ^ u128::from(free_port()?)
    ));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

/// The bench's thousands of clients and operators all come from 127.0.0.1:
/// the per-address limits, made for one person or one office, are lifted.
fn loopback_crowd(command: &mut Command) {
    command
        .env("HOVOR_CLIENT_SESSIONS_PER_ADDRESS", "100000000")
        .env("HOVOR_CLIENT_SESSIONS_PER_COMPANY", "100000000")
        .env("HOVOR_SOCKETS_PER_ADDRESS", "1000000")
        .env("HOVOR_CONNECTIONS_PER_ADDRESS", "1000000")
        .env("HOVOR_MAX_CONNECTIONS", "1000000");
}

impl Target {
    /// A fresh `hovor demo`; with `sql_log` it logs every statement, so the
    /// suite can count them (that costs time: only the SQL scenario does).
    pub async fn hovor(spec: &HovorSpec, sql_log: bool) -> anyhow::Result<Target> {
        let port = free_port()?;
        let dir = scratch_dir("hovor")?;
        let log = dir.join("server.log");
        let mut command = Command::new(&spec.binary);
        loopback_crowd(&mut command);
        command
            .arg("demo")
            .env("HOVOR_LISTEN", format!("127.0.0.1:{port}"))
            .env("HOVOR_DATA_DIR", dir.join("data"))
            .env("HOVOR_SQLITE_SYNCHRONOUS", &spec.sqlite_synchronous)
            .env(
                "HOVOR_LOG",
                if sql_log {
                    "warn,sqlx::query=debug"
                } else {
                    "warn"
                },
            )
            .env_remove("HOVOR_DATABASE_URL");
        let mut database = None;
        if spec.db == Db::Postgres {
            let name = format!("hovor_bench_{}_{port}", std::process::id());
            psql(
                &spec.postgres,
                "postgres",
                &format!("CREATE DATABASE {name}"),
            )
            .await?;
            command.env("HOVOR_DATABASE_URL", format!("{}/{name}", spec.postgres));
            database = Some((spec.postgres.clone(), name));
        }
        if spec.nodes > 1 {
            if spec.db != Db::Postgres {
                bail!("several nodes need PostgreSQL");
            }
            command.env("HOVOR_BUS_URL", &spec.bus);
        }
        let mut target = Target::spawn(command, port, log, dir, database).await?;
        // The first node made the demo company; the others join it.
        for n in 1..spec.nodes {
            let port = free_port()?;
            let log = target.dir.join(format!("node-{n}.log"));
            let mut command = Command::new(&spec.binary);
            loopback_crowd(&mut command);
            command
                .arg("serve")
                .env("HOVOR_LISTEN", format!("127.0.0.1:{port}"))
                .env("HOVOR_DATA_DIR", target.dir.join(format!("data-{n}")))
                .env("HOVOR_LOG", "warn")
                .env("HOVOR_BUS_URL", &spec.bus)
                .env(
                    "HOVOR_DATABASE_URL",
                    target
                        .database
                        .as_ref()
                        .map(|(server, name)| format!("{server}/{name}"))
                        .unwrap_or_default(),
                );
            let (child, pid) = spawn_logged(command, &log).context("a node of the cluster")?;
            let url = format!("http://127.0.0.1:{port}");
            target.others.push((child, pid));
            wait_healthy(&url, &log).await?;
            target.nodes.push(url);
        }
        Ok(target)
    }

    /// The bare relay, this same program with `relay`.
    pub async fn relay() -> anyhow::Result<Target> {
        let port = free_port()?;
        let dir = scratch_dir("relay")?;
        let log = dir.join("relay.log");
        let mut command = Command::new(std::env::current_exe()?);
        command
            .arg("relay")
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"));
        Target::spawn(command, port, log, dir, None).await
    }

    async fn spawn(
        command: Command,
        port: u16,
        log: PathBuf,
        dir: PathBuf,
        database: Option<(String, String)>,
    ) -> anyhow::Result<Target> {
        let (child, pid) = spawn_logged(command, &log).context("the server under test")?;
        let url = format!("http://127.0.0.1:{port}");
        let target = Target {
            child,
            others: Vec::new(),
            nodes: vec![url.clone()],
            perf: None,
            url,
            pid,
            log,
            dir,
            database,
        };
        target.wait_ready(port).await?;
        Ok(target)
    }

    async fn wait_ready(&self, port: u16) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                // Hovor answers /healthz once its store is open; the relay
                // answers any connection.
                let healthy = reqwest::get(format!("{}/healthz", self.url))
                    .await
                    .map(|r| r.status().is_success())
                    .unwrap_or(false);
                if healthy || self.is_relay() {
                    return Ok(());
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!(
            "the server did not start; its log:\n{}",
            std::fs::read_to_string(&self.log).unwrap_or_default()
        )
    }

    fn is_relay(&self) -> bool {
        self.log.ends_with("relay.log")
    }

    /// With `--perf DIR`: records where the server spends its time from now
    /// until [`Target::profile_stop`], into `DIR/<label>.data`.
    pub async fn profile_start(&mut self, label: &str) -> anyhow::Result<()> {
        let Some(dir) = PERF_DIR.get() else {
            return Ok(());
        };
        let file = dir.join(format!("{label}.data"));
        let child = Command::new("perf")
            .args(["record", "-F", "499", "-g", "-q", "-o"])
            .arg(&file)
            .arg("-p")
            .arg(self.pid.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .context("starting perf record")?;
        self.perf = Some(child);
        Ok(())
    }

    pub async fn profile_stop(&mut self) {
        if let Some(mut perf) = self.perf.take() {
            if let Some(pid) = perf.id() {
                let _ = Command::new("kill")
                    .args(["-INT", &pid.to_string()])
                    .status()
                    .await;
            }
            let _ = tokio::time::timeout(Duration::from_secs(60), perf.wait()).await;
        }
    }

    /// User plus system CPU time the server has used so far (every node's).
    pub fn cpu_seconds(&self) -> f64 {
        self.pids()
            .map(|pid| {
                std::fs::read_to_string(format!("/proc/{pid}/stat"))
                    .map(|stat| stat_cpu_seconds(&stat))
                    .unwrap_or(0.0)
            })
            .sum()
    }

    fn pids(&self) -> impl Iterator<Item = u32> + '_ {
        std::iter::once(self.pid).chain(self.others.iter().map(|(_, pid)| *pid))
    }

    /// With PostgreSQL: the CPU seconds its processes on this machine have
    /// used so far (the backends serving Hovor among them); `None` on
    /// SQLite, which runs inside Hovor's process.
    pub fn database_cpu_seconds(&self) -> Option<f64> {
        self.database.as_ref()?;
        let mut total = 0.0;
        for entry in std::fs::read_dir("/proc").ok()?.flatten() {
            let path = entry.path();
            let is_postgres = std::fs::read_to_string(path.join("comm"))
                .is_ok_and(|comm| comm.trim() == "postgres");
            if is_postgres {
                if let Ok(stat) = std::fs::read_to_string(path.join("stat")) {
                    total += stat_cpu_seconds(&stat);
                }
            }
        }
        Some(total)
    }

    /// Resident memory now, in bytes (every node's).
    pub fn rss(&self) -> u64 {
        self.pids().map(|pid| status_kb(pid, "VmRSS:") * 1024).sum()
    }

    /// The most resident memory each process ever had, summed, in bytes.
    pub fn peak_rss(&self) -> u64 {
        self.pids().map(|pid| status_kb(pid, "VmHWM:") * 1024).sum()
    }

    /// Keeps a copy of the server's log at `to` (the statements, for the
    /// SQL scenario), since `stop` removes it.
    pub fn keep_log(&self, to: &std::path::Path) -> anyhow::Result<()> {
        std::fs::copy(&self.log, to)
            .with_context(|| format!("copying the server log to {}", to.display()))?;
        Ok(())
    }

    /// Statements logged so far (with `sql_log`).
    pub fn sql_statements(&self) -> usize {
        std::fs::read_to_string(&self.log)
            .map(|log| log.lines().filter(|l| l.contains("sqlx::query")).count())
            .unwrap_or(0)
    }

    /// Stops the server and removes its data.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        self.profile_stop().await;
        for (mut child, _) in std::mem::take(&mut self.others) {
            let _ = child.start_kill();
            let _ = child.wait().await;
        }
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
        if let Some((server, name)) = self.database.take() {
            psql(
                &server,
                "postgres",
                &format!("DROP DATABASE IF EXISTS {name}"),
            )
            .await?;
        }
        if let Ok(keep) = std::env::var("HOVOR_BENCH_KEEP_LOGS") {
            let _ = std::fs::create_dir_all(&keep);
            for entry in std::fs::read_dir(&self.dir).into_iter().flatten().flatten() {
                if entry.path().extension().is_some_and(|e| e == "log") {
                    let _ = std::fs::copy(
                        entry.path(),
                        std::path::Path::new(&keep).join(entry.file_name()),
                    );
                }
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
        Ok(())
    }
}

/// Starts a server with its output going to `log`; it is killed if dropped.
fn spawn_logged(mut command: Command, log: &std::path::Path) -> anyhow::Result<(Child, u32)> {
    let file = std::fs::File::create(log)?;
    command
        .stdin(Stdio::null())
        .stdout(file.try_clone()?)
        .stderr(file)
        .kill_on_drop(true);
    let child = command.spawn().context("starting")?;
    let pid = child.id().context("no pid")?;
    Ok((child, pid))
}

/// Waits until a node answers `/healthz`.
async fn wait_healthy(url: &str, log: &std::path::Path) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let healthy = reqwest::get(format!("{url}/healthz"))
            .await
            .map(|r| r.status().is_success())
            .unwrap_or(false);
        if healthy {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!(
        "a node did not start; its log:\n{}",
        std::fs::read_to_string(log).unwrap_or_default()
    )
}

fn status_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// User plus system CPU seconds from a /proc/<pid>/stat line.
fn stat_cpu_seconds(stat: &str) -> f64 {
    // Fields after the command name (which may hold spaces): utime is the
    // 14th field of the line, stime the 15th.
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok());
    match (ticks(11), ticks(12)) {
        (Some(u), Some(s)) => (u + s) / clock_ticks(),
        _ => 0.0,
    }
}

fn clock_ticks() -> f64 {
    // Linux reports CPU time in USER_HZ, 100 on every architecture it runs.
    100.0
}

async fn psql(server: &str, database: &str, sql: &str) -> anyhow::Result<()> {
    let output = Command::new("psql")
        .arg(format!("{server}/{database}"))
        .arg("-qtAc")
        .arg(sql)
        .output()
        .await
        .context("running psql (PostgreSQL's client) for the bench database")?;
    if !output.status.success() {
        bail!(
            "psql {sql}: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

/// CPU seconds of this process and its children so far (the load generator).
pub fn own_cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime, stime, cutime, cstime.
    (ticks(11) + ticks(12) + ticks(13) + ticks(14)) / clock_ticks()
}
