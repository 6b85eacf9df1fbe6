//! The command line: `serve` (default), `migrate`, `demo`, `api-key create`,
//! `openapi`. Every option can also come from a `HOVOR_*` variable.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};
use hovor_store::Store;

use crate::app::{router, start, start_background};
use crate::auth::{digest, new_api_key};
use crate::bus::BusChoice;
use crate::clock::{Clock, SystemClock};
use crate::state::{AppState, Config, Limits};

#[derive(Parser)]
#[command(
    name = "hovor",
    version,
    about = "Hovor: customer contact for companies and their operators"
)]
pub struct Cli {
    #[command(flatten)]
    options: Options,
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Args, Clone, Debug)]
pub struct Options {
    /// Address to listen on.
    #[arg(
        long,
        env = "HOVOR_LISTEN",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    listen: String,
    /// Directory of the SQLite database (used when no database URL is given).
    #[arg(long, env = "HOVOR_DATA_DIR", default_value = "./data", global = true)]
    data_dir: PathBuf,
    /// How SQLite commits: `full` (an acknowledged message survives power
    /// loss) or `normal` (faster; a killed process loses nothing, power loss
    /// may take back the last commits). See docs/operations.md.
    #[arg(
        long,
        env = "HOVOR_SQLITE_SYNCHRONOUS",
        value_enum,
        default_value = "full",
        global = true
    )]
    sqlite_synchronous: SqliteSynchronous,
    /// `postgres://…` to use PostgreSQL instead of SQLite.
    #[arg(long, env = "HOVOR_DATABASE_URL", global = true)]
    database_url: Option<String>,
    /// Bus between nodes: `memory` (one node, the default), `postgres`
    /// (LISTEN/NOTIFY on the database) or `nats://host:4222`.
    #[arg(long, env = "HOVOR_BUS_URL", global = true)]
    bus_url: Option<String>,
    /// How long a node's lease runs without renewal (seconds, 3 to 300): a
    /// node that died holding connections is found out this long after.
    #[arg(long, env = "HOVOR_NODE_LEASE_S", default_value_t = 20, global = true,
          value_parser = clap::value_parser!(u64).range(3..=300))]
    node_lease_s: u64,
    /// Serve Prometheus metrics at `/metrics` to scrapes that send
    /// `Authorization: Bearer <this token>` (off when unset).
    #[arg(
        long,
        env = "HOVOR_METRICS_TOKEN",
        global = true,
        hide_env_values = true
    )]
    metrics_token: Option<String>,
    /// Reverse proxies whose `X-Forwarded-For` names the client, as
    /// addresses and networks: `127.0.0.1,10.0.0.0/8`. Without it every
    /// request counts as coming from its socket's peer (the proxy, if any).
    #[arg(long, env = "HOVOR_TRUSTED_PROXIES", global = true, default_value = "")]
    trusted_proxies: crate::client_address::TrustedProxies,
    /// New client sessions one address may start in ten minutes.
    #[arg(long, env = "HOVOR_CLIENT_SESSIONS_PER_ADDRESS", default_value_t = Limits::default().client_sessions_per_address, global = true)]
    client_sessions_per_address: usize,
    /// New client sessions one company may get in a minute.
    #[arg(long, env = "HOVOR_CLIENT_SESSIONS_PER_COMPANY", default_value_t = Limits::default().client_sessions_per_company, global = true)]
    client_sessions_per_company: usize,
    /// Connections (HTTP and WebSocket) the server holds open in all.
    #[arg(long, env = "HOVOR_MAX_CONNECTIONS", default_value_t = Limits::default().max_connections, global = true)]
    max_connections: usize,
    /// Connections one address may hold open (not counted for trusted proxies).
    #[arg(long, env = "HOVOR_CONNECTIONS_PER_ADDRESS", default_value_t = Limits::default().connections_per_address, global = true)]
    connections_per_address: usize,
    /// WebSockets one address may hold open.
    #[arg(long, env = "HOVOR_SOCKETS_PER_ADDRESS", default_value_t = Limits::default().sockets_per_address, global = true)]
    sockets_per_address: usize,
    /// Let webhooks and the exchange's dial URL reach loopback, private and
    /// link-local addresses (off: an administrator could otherwise make
    /// the server reach its own network).
    #[arg(long, env = "HOVOR_ALLOW_PRIVATE_WEBHOOKS", global = true,
          value_parser = clap::builder::BoolishValueParser::new())]
    allow_private_webhooks: bool,
    /// The key that seals stored credentials (inbox passwords): 64 hex
    /// digits, the same on every node. Without it, a node keeps one in
    /// `secret.key` in its data directory.
    #[arg(long, env = "HOVOR_SECRET_KEY", global = true, hide_env_values = true)]
    secret_key: Option<String>,
    /// A PEM file of CA certificates that mail servers' certificates may
    /// also chain to (a company's own CA), besides the web's roots.
    #[arg(long, env = "HOVOR_MAIL_CA_FILE", global = true)]
    mail_ca_file: Option<PathBuf>,
    /// Where attachments' bytes are kept; by default `files` in the data
    /// directory. Nodes sharing a database must share this directory too
    /// (a network volume).
    #[arg(long, env = "HOVOR_FILES_DIR", global = true)]
    files_dir: Option<PathBuf>,
    /// Keep attachments' bytes in this S3-compatible bucket instead of a
    /// directory, reached with the usual `AWS_*` variables (`AWS_ENDPOINT`,
    /// `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, ...).
    #[arg(
        long,
        env = "HOVOR_FILES_S3_BUCKET",
        global = true,
        conflicts_with = "files_dir"
    )]
    files_s3_bucket: Option<String>,
    /// The address clients reach Hovor at (used in links); defaults to http://<listen>.
    #[arg(long, env = "HOVOR_PUBLIC_URL", global = true)]
    public_url: Option<String>,
    /// STUN servers for calls, comma-separated: `stun:stun.example.com:3478`.
    #[arg(long, env = "HOVOR_STUN_URLS", global = true, default_value = "")]
    stun_urls: String,
    /// TURN servers for calls, comma-separated:
    /// `turn:turn.example.com:3478,turns:turn.example.com:5349`. They need
    /// the TURN secret.
    #[arg(long, env = "HOVOR_TURN_URLS", global = true, default_value = "")]
    turn_urls: String,
    /// coturn's `static-auth-secret` (with `use-auth-secret`): Hovor makes
    /// short-lived TURN credentials with it.
    #[arg(long, env = "HOVOR_TURN_SECRET", global = true, hide_env_values = true)]
    turn_secret: Option<String>,
    /// How long a TURN credential opens new relays (seconds, 60 to 86400).
    #[arg(long, env = "HOVOR_TURN_TTL_S", default_value_t = 3600, global = true,
          value_parser = clap::value_parser!(u64).range(60..=86_400))]
    turn_ttl_s: u64,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum SqliteSynchronous {
    Full,
    Normal,
}

#[derive(Subcommand)]
enum Cmd {
    /// Serve Hovor (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Create the demo company if missing, print how to log in, and serve.
    Demo,
    /// Manage API keys.
    #[command(subcommand)]
    ApiKey(ApiKeyCmd),
    /// Print the OpenAPI document.
    Openapi,
}

#[derive(Subcommand)]
enum ApiKeyCmd {
    /// Create an API key; it is printed once, on the last line.
    Create {
        #[arg(long)]
        company: String,
        #[arg(long)]
        name: String,
        /// A scope: `admin` (the default without one) or `telephony` (the
        /// telephone exchange's endpoints only).
        #[arg(long)]
        scope: Vec<String>,
    },
}

pub async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HOVOR_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let options = cli.options;
    match cli.command.unwrap_or(Cmd::Serve) {
        Cmd::Openapi => {
            println!(
                "{}",
                serde_json::to_string_pretty(crate::openapi::document())?
            );
            Ok(())
        }
        Cmd::Migrate => {
            let store = open_store(&options).await?;
            println!("database is up to date ({})", store.backend());
            Ok(())
        }
        Cmd::ApiKey(ApiKeyCmd::Create {
            company,
            name,
            scope,
        }) => {
            let store = open_store(&options).await?;
            create_api_key(store.as_ref(), &company, &name, &scope).await
        }
        Cmd::Serve => serve(&options, false).await,
        Cmd::Demo => serve(&options, true).await,
    }
}

async fn open_store(options: &Options) -> anyhow::Result<Arc<dyn Store>> {
    let sync = match options.sqlite_synchronous {
        SqliteSynchronous::Full => hovor_store::SqliteSync::Full,
        SqliteSynchronous::Normal => hovor_store::SqliteSync::Normal,
    };
    hovor_store::open_with(options.database_url.as_deref(), &options.data_dir, sync)
        .await
        .with_context(|| match &options.database_url {
            Some(url) => format!("opening the database {}", redact(url)),
            None => format!(
                "opening the SQLite database in {}",
                options.data_dir.display()
            ),
        })
}

/// Where attachments are kept: the bucket when one is named, else the
/// directory (by default `files` in the data directory).
fn file_store(options: &Options) -> anyhow::Result<crate::files::FileStore> {
    match options.files_s3_bucket.as_deref().filter(|b| !b.is_empty()) {
        Some(bucket) => crate::files::FileStore::in_bucket(
            bucket,
            object_store::aws::AmazonS3Builder::from_env(),
        ),
        None => Ok(crate::files::FileStore::new(
            options
                .files_dir
                .clone()
                .unwrap_or_else(|| options.data_dir.join("files")),
        )),
    }
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}://…{}", &url[..scheme], &url[at..]),
        _ => url.to_owned(),
    }
}

async fn create_api_key(
    store: &dyn Store,
    slug: &str,
    name: &str,
    scopes: &[String],
) -> anyhow::Result<()> {
    for scope in scopes {
        if !crate::routes::api_keys::SCOPES.contains(&scope.as_str()) {
            bail!(
                "unknown scope {scope:?}; known: {}",
                crate::routes::api_keys::SCOPES.join(", ")
            );
        }
    }
    let company = store
        .company_by_slug(slug)
        .await?
        .with_context(|| format!("no company with slug {slug:?}"))?;
    let key = new_api_key();
    let now = SystemClock.now();
    let created = store
        .create_api_key(&company.id, name, &digest(&key), scopes, now)
        .await?;
    println!(
        "API key {} ({name}) for company {slug}; it is shown only now:",
        created.id
    );
    println!("{key}");
    Ok(())
}

async fn serve(options: &Options, demo: bool) -> anyhow::Result<()> {
    let bus_choice = BusChoice::parse(options.bus_url.as_deref())?;
    let ice = crate::ice::IceConfig::parse(
        &options.stun_urls,
        &options.turn_urls,
        options.turn_secret.as_deref(),
        options.turn_ttl_s,
    )
    .context("the STUN and TURN servers for calls")?;
    let store = open_store(options).await?;
    if bus_choice != BusChoice::Memory && store.backend() != "postgres" {
        bail!(
            "several nodes need PostgreSQL: set HOVOR_DATABASE_URL=postgres://… with HOVOR_BUS_URL"
        );
    }
    if demo {
        crate::demo::ensure_demo_company(store.as_ref(), SystemClock.now()).await?;
    }
    let listener = tokio::net::TcpListener::bind(&options.listen)
        .await
        .with_context(|| format!("listening on {}", options.listen))?;
    let address = listener.local_addr()?;
    let public_url = options
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{address}"))
        .trim_end_matches('/')
        .to_owned();
    let secrets = match options.secret_key.as_deref().filter(|k| !k.is_empty()) {
        Some(key) => crate::secret_box::SecretBox::from_hex(key)?,
        None => crate::secret_box::SecretBox::in_data_dir(&options.data_dir)?,
    };
    let files = file_store(options)?;
    files.check().await?;
    tracing::info!("attachments are kept in {}", files.describe());
    let state = AppState::new(
        store.clone(),
        Config {
            public_url: public_url.clone(),
            secrets: Arc::new(secrets),
            mail_tls: crate::mail::connect::MailTls::new(options.mail_ca_file.as_deref())?,
            files: Arc::new(files),
            demo_site: demo,
            node_lease: Duration::from_secs(options.node_lease_s),
            metrics_token: options.metrics_token.clone().filter(|t| !t.is_empty()),
            trusted_proxies: options.trusted_proxies.clone(),
            allow_private_targets: options.allow_private_webhooks,
            limits: Limits {
                client_sessions_per_address: options.client_sessions_per_address,
                client_sessions_per_company: options.client_sessions_per_company,
                sockets_per_address: options.sockets_per_address,
                max_connections: options.max_connections,
                connections_per_address: options.connections_per_address,
            },
            ice,
            ..Config::default()
        },
    );
    let bus = crate::bus::open(
        &bus_choice,
        options.database_url.as_deref(),
        &state.node_id,
        state.metrics.clone(),
    )
    .await?;
    let state = state.with_bus(bus);
    start(&state);
    crate::services::nodes::join(&state).await?;
    start_background(&state);

    tracing::info!(
        "Hovor serves on http://{address} ({} store, {} bus)",
        store.backend(),
        state.bus.kind()
    );
    let ice = &state.config.ice;
    if ice.is_empty() {
        tracing::info!(
            "calls: no STUN or TURN server (HOVOR_STUN_URLS, HOVOR_TURN_URLS); \
             calls connect only where browsers reach each other directly"
        );
    } else {
        tracing::info!(
            "calls: {} STUN and {} TURN URLs",
            ice.stun_urls.len(),
            ice.turn_urls.len()
        );
    }
    if demo {
        println!(
            "{}",
            crate::demo::credentials_text(&format!("{public_url}/"))
        );
        println!("  The demo company's website with the chat widget: {public_url}/demo-site/\n");
    } else {
        println!("Hovor serves on http://{address}");
    }
    // On a signal: stop taking requests, and tell the node's own work
    // (background tasks, open WebSockets) to stop; then wait for it.
    let stopping = state.workers.shutdown_signal();
    let served = crate::serve::serve(
        listener,
        router(state.clone()),
        state.connection_limits(),
        async move {
            shutdown_signal().await;
            tracing::info!("shutting down");
            stopping.cancel();
        },
    )
    .await
    .context("serving HTTP");
    if !state.workers.shut_down(Duration::from_secs(10)).await {
        tracing::warn!("some background work did not stop within 10 s");
    }
    // Its connections are closed (and their disconnects recorded): the node
    // gives up its lease, so that nobody waits for it to run out.
    if let Err(e) = crate::services::nodes::leave(&state).await {
        tracing::warn!("leaving the cluster: {e:#}");
    }
    served
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
