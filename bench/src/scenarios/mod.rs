//! The suite's scenarios. Each starts a fresh server (Hovor on one
//! database, or the bare relay), drives it as its users would, and returns
//! its figures; `suite` puts them side by side.

pub mod burst;
pub mod idle;
pub mod invitations;
pub mod sql;
pub mod steady;

use crate::target::{HovorSpec, Target};

/// What a scenario runs against.
#[derive(Clone, Debug)]
pub enum Under {
    Relay,
    Hovor {
        spec: HovorSpec,
        /// Messages over REST (versions before socket messages).
        http_messages: bool,
    },
}

impl Under {
    pub fn label(&self) -> String {
        match self {
            Under::Relay => "bare relay".to_owned(),
            Under::Hovor { spec, .. } if spec.nodes > 1 => format!(
                "Hovor, {}, {} nodes ({} bus)",
                spec.db.name(),
                spec.nodes,
                if spec.bus.starts_with("nats") {
                    "NATS"
                } else {
                    "PostgreSQL"
                }
            ),
            Under::Hovor { spec, .. } => format!("Hovor, {}", spec.db.name()),
        }
    }

    /// A name for files: `relay`, `sqlite`, `postgres`.
    pub fn slug(&self) -> &'static str {
        match self {
            Under::Relay => "relay",
            Under::Hovor { spec, .. } if spec.nodes > 1 => "cluster",
            Under::Hovor { spec, .. } => match spec.db {
                crate::target::Db::Sqlite => "sqlite",
                crate::target::Db::Postgres => "postgres",
            },
        }
    }

    pub async fn start(&self) -> anyhow::Result<Target> {
        match self {
            Under::Relay => Target::relay().await,
            Under::Hovor { spec, .. } => Target::hovor(spec, false).await,
        }
    }

    pub fn mode(&self, target: &Target) -> crate::traffic::Mode {
        match self {
            Under::Relay => crate::traffic::Mode::Relay {
                url: target.url.clone(),
            },
            Under::Hovor { http_messages, .. } => crate::traffic::Mode::Hovor {
                url: target.url.clone(),
                nodes: target.nodes.clone(),
                http_messages: *http_messages,
            },
        }
    }
}

pub fn mb(bytes: u64) -> String {
    format!("{:.0}", bytes as f64 / (1024.0 * 1024.0))
}

/// Progress on stderr (the tables go to stdout).
#[macro_export]
macro_rules! progress {
    ($($arg:tt)*) => { eprintln!("[{:>7.1}s] {}", $crate::started().elapsed().as_secs_f64(), format!($($arg)*)) };
}
