//! What every request and background task shares: the store, the bus, the
//! clock, the run-time settings, the limits, and the node's workers.

use std::sync::Arc;
use std::time::Duration;

use hovor_store::Store;

use crate::auth::PasswordHashing;
use crate::bus::{Bus, InProcessBus};
use crate::client_address::TrustedProxies;
use crate::clock::{Clock, SystemClock};
use crate::company_ids::CompanyIds;
use crate::files::FileStore;
use crate::hub::Hub;
use crate::ice::IceConfig;
use crate::mail::connect::MailTls;
use crate::mail::readers::MailReaders;
use crate::message_writer::MessageWriter;
use crate::metrics::Metrics;
use crate::outbound::Outbound;
use crate::queue_places::QueuePlaces;
use crate::rate_limit::{LoginLimiter, OpenCounts, SlidingCounter};
use crate::routing_book::RoutingBooks;
use crate::routing_queue::RoutingQueue;
use crate::secret_box::SecretBox;
use crate::webhook_workers::WebhookWorkers;
use crate::workers::Workers;

/// Run-time settings that are not per company.
#[derive(Debug, Clone)]
pub struct Config {
    /// The address clients use, e.g. `https://chat.example.com` (no trailing slash).
    pub public_url: String,
    /// Application-level ping interval on WebSockets.
    pub heartbeat: Duration,
    /// A connection that sends nothing for this long is closed.
    pub idle_timeout: Duration,
    /// How long a login session lasts.
    pub session_ttl: Duration,
    /// Serve the demo company's fake website at `/demo-site/`.
    pub demo_site: bool,
    /// How often disconnected operators are checked for an expired grace
    /// period, and offers for their deadline.
    pub reaper_interval: Duration,
    /// Outgoing messages one WebSocket may have queued before it is dropped.
    pub send_queue: usize,
    /// How long this node's lease runs without renewal (renewed every
    /// quarter of it).
    pub node_lease: Duration,
    /// `/metrics` answers only with `Authorization: Bearer <this>`; off
    /// when unset.
    pub metrics_token: Option<String>,
    /// Proxies whose `X-Forwarded-For` names the client (`client_address.rs`).
    pub trusted_proxies: TrustedProxies,
    /// Limits on what one address or company may start.
    pub limits: Limits,
    /// Webhooks and dial URLs may point at loopback and private addresses
    /// (`HOVOR_ALLOW_PRIVATE_WEBHOOKS=1`, for self-hosters whose receivers
    /// live inside their network).
    pub allow_private_targets: bool,
    /// Seals the credentials Hovor keeps to use later (inbox passwords).
    pub secrets: Arc<SecretBox>,
    /// What mail connections trust: the web's roots, and the deployment's
    /// own CA if it names one (`HOVOR_MAIL_CA_FILE`).
    pub mail_tls: MailTls,
    /// Where the bytes of attachments are kept (`HOVOR_FILES_DIR`).
    pub files: Arc<FileStore>,
    /// How often a mail server without IDLE is asked for new mail.
    pub mail_poll_every: Duration,
    /// The STUN and TURN servers browsers in a call are given (`ice.rs`).
    pub ice: IceConfig,
}

/// Limits on clients, who need no account: how many sessions one address
/// and one company may start, and how many WebSockets one address may hold
/// open. Operators behind one office address share the socket limit.
#[derive(Debug, Clone)]
pub struct Limits {
    /// New client sessions per address in ten minutes.
    pub client_sessions_per_address: usize,
    /// New client sessions per company in a minute.
    pub client_sessions_per_company: usize,
    /// WebSockets open at once from one address.
    pub sockets_per_address: usize,
    /// Connections (HTTP and WebSocket) open at once, in all.
    pub max_connections: usize,
    /// Connections open at once from one address (a trusted proxy's are
    /// not counted: everyone comes through it).
    pub connections_per_address: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            client_sessions_per_address: 30,
            client_sessions_per_company: 600,
            sockets_per_address: 200,
            max_connections: 20_000,
            connections_per_address: 400,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            public_url: "http://127.0.0.1:8080".into(),
            heartbeat: Duration::from_secs(15),
            idle_timeout: Duration::from_secs(60),
            session_ttl: Duration::from_secs(24 * 3600),
            reaper_interval: Duration::from_secs(1),
            demo_site: false,
            send_queue: 256,
            node_lease: Duration::from_secs(20),
            metrics_token: None,
            trusted_proxies: TrustedProxies::default(),
            limits: Limits::default(),
            allow_private_targets: false,
            // Tests and tools: a key of their own; `hovor serve` sets the
            // deployment's (cli.rs).
            secrets: Arc::new(SecretBox::random()),
            mail_tls: MailTls::web_roots(),
            // Tests and tools: a directory of their own; `hovor serve` uses
            // the deployment's (cli.rs).
            files: Arc::new(FileStore::temporary()),
            mail_poll_every: Duration::from_secs(30),
            // No STUN, no TURN: browsers on one network still connect with
            // their host candidates.
            ice: IceConfig::default(),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    /// This node's id, new at every start: its lease and the connections
    /// it holds are recorded under it.
    pub node_id: Arc<str>,
    pub store: Arc<dyn Store>,
    pub bus: Arc<dyn Bus>,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<Config>,
    /// The one HTTP client for everything Hovor sends out (webhooks, dial
    /// requests): its connections are pooled and reused; it reaches only
    /// public addresses unless the deployment allows private ones.
    pub outbound: Outbound,
    pub login_limiter: Arc<LoginLimiter>,
    /// Client message flood control.
    pub client_messages: Arc<SlidingCounter>,
    /// WebRTC signals per conversation (both sides together).
    pub call_signals: Arc<SlidingCounter>,
    /// "Typing" per conversation and side: one every two seconds.
    pub typing: Arc<SlidingCounter>,
    /// Unknown invitation codes per address (guessing).
    pub invitation_guesses: Arc<SlidingCounter>,
    /// New client sessions per address, and per company.
    pub client_sessions_per_address: Arc<SlidingCounter>,
    pub client_sessions_per_company: Arc<SlidingCounter>,
    /// WebSockets open per address.
    pub open_sockets: Arc<OpenCounts>,
    /// Password hashing, a few at a time (each takes 19 MiB and a core).
    pub passwords: Arc<PasswordHashing>,
    /// Wakes the connections subscribed to a topic.
    pub hub: Arc<Hub>,
    /// Waiting clients' places, computed once per queue change.
    pub queue_places: Arc<QueuePlaces>,
    /// Asks for routing passes (the worker does them).
    pub routing: Arc<RoutingQueue>,
    /// Companies' ids by slug (clients name their company by slug).
    pub company_ids: Arc<CompanyIds>,
    /// What routing knows of each company, in memory.
    pub routing_books: Arc<RoutingBooks>,
    /// One routing pass at a time on this node.
    pub routing_pass: Arc<tokio::sync::Mutex<()>>,
    /// The companies whose webhooks this node delivers to now.
    pub webhooks: Arc<WebhookWorkers>,
    pub workers: Arc<Workers>,
    /// Writes messages in batches (group commit).
    pub messages: Arc<MessageWriter>,
    /// What `/metrics` shows.
    pub metrics: Arc<Metrics>,
    /// The inboxes this node reads.
    pub mail_readers: Arc<MailReaders>,
}

impl AppState {
    /// A node's state; nothing runs until `app::start` (and, for a serving
    /// node, `app::start_background`).
    pub fn new(store: Arc<dyn Store>, config: Config) -> AppState {
        // SQLite has one writer; PostgreSQL commits several at once.
        let message_lanes = if store.backend() == "postgres" { 4 } else { 1 };
        let limits = config.limits.clone();
        let outbound = Outbound::new(config.allow_private_targets);
        AppState {
            node_id: Arc::from(hovor_store::new_id("node")),
            store,
            bus: Arc::new(InProcessBus::new()),
            clock: Arc::new(SystemClock),
            config: Arc::new(config),
            outbound,
            login_limiter: Arc::new(LoginLimiter::default()),
            client_messages: Arc::new(SlidingCounter::client_messages()),
            call_signals: Arc::new(SlidingCounter::call_signals()),
            typing: Arc::new(SlidingCounter::new(std::time::Duration::from_secs(2), 1)),
            invitation_guesses: Arc::new(SlidingCounter::invitation_guesses()),
            client_sessions_per_address: Arc::new(SlidingCounter::new(
                Duration::from_secs(600),
                limits.client_sessions_per_address,
            )),
            client_sessions_per_company: Arc::new(SlidingCounter::new(
                Duration::from_secs(60),
                limits.client_sessions_per_company,
            )),
            open_sockets: Arc::new(OpenCounts::new(limits.sockets_per_address)),
            passwords: Arc::new(PasswordHashing::new(
                std::thread::available_parallelism().map_or(2, usize::from),
            )),
            hub: Arc::new(Hub::default()),
            messages: Arc::new(MessageWriter::new(message_lanes)),
            queue_places: Arc::new(QueuePlaces::default()),
            routing: Arc::new(RoutingQueue::default()),
            company_ids: Arc::new(CompanyIds::default()),
            routing_books: Arc::new(RoutingBooks::default()),
            routing_pass: Arc::new(tokio::sync::Mutex::new(())),
            webhooks: Arc::new(WebhookWorkers::default()),
            workers: Arc::new(Workers::new()),
            metrics: Arc::new(Metrics::new()),
            mail_readers: Arc::new(MailReaders::default()),
        }
    }

    pub fn with_bus(mut self, bus: Arc<dyn Bus>) -> AppState {
        self.bus = bus;
        self
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> AppState {
        self.clock = clock;
        self
    }

    /// The limits the accept loop applies (`serve.rs`).
    pub fn connection_limits(&self) -> crate::serve::ConnectionLimits {
        crate::serve::ConnectionLimits {
            max_connections: self.config.limits.max_connections,
            connections_per_address: self.config.limits.connections_per_address,
            trusted_proxies: self.config.trusted_proxies.clone(),
        }
    }

    pub fn now(&self) -> hovor_core::Millis {
        self.clock.now()
    }

    /// Sessions are served over TLS when the public URL says so; the cookie
    /// is then marked Secure.
    pub fn secure_cookies(&self) -> bool {
        self.config.public_url.starts_with("https://")
    }
}
