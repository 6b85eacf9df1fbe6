//! The HTTP server's accept loop: axum's router over hyper, with the limits
//! a public server needs and `axum::serve` does not set.
//!
//! - Request headers must arrive within `HEADER_READ_TIMEOUT`: a client that
//!   sends half a request and waits holds nothing for long.
//! - At most `max_connections` open at once; past that, accepting waits for
//!   one to close (the kernel's backlog holds the rest).
//! - At most `connections_per_address` from one address, except from a
//!   trusted proxy, through which everyone comes: more are closed at once.
//! - On shutdown, no new connections; open requests finish (up to ten
//!   seconds); upgraded WebSockets are the node's own work and close with it.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower_service::Service;

use crate::client_address::TrustedProxies;
use crate::rate_limit::OpenCounts;

/// A request's headers arrive within this, or the connection is closed.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How many connections the server holds open.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    pub max_connections: usize,
    pub connections_per_address: usize,
    /// Their connections carry many clients: not limited per address.
    pub trusted_proxies: TrustedProxies,
}

/// Serves the router on the listener until `shutdown` completes, then lets
/// open requests finish (up to ten seconds).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let per_address = Arc::new(OpenCounts::new(limits.connections_per_address.max(1)));
    let graceful = GracefulShutdown::new();
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    builder.http2().timer(TokioTimer::new());
    let builder = Arc::new(builder);
    tokio::pin!(shutdown);
    loop {
        // Wait for room first: at the cap, nothing more is accepted.
        let slot = tokio::select! {
            () = &mut shutdown => break,
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
        };
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait, go on.
                    tracing::warn!("accepting a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let address_slot = if limits.trusted_proxies.trusts(peer.ip()) {
            None
        } else {
            match per_address.try_open(peer.ip()) {
                Some(held) => Some(held),
                None => {
                    tracing::debug!("too many connections from {}: closed", peer.ip());
                    continue;
                }
            }
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            let mut router = router.clone();
            async move { Ok::<_, Infallible>(router.call(request).await.unwrap_or_else(|e| match e {})) }
        });
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::trace!("connection from {peer}: {e}");
            }
            drop(address_slot);
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(Duration::from_secs(10), graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("some requests were still open ten seconds after shutdown began");
    }
    Ok(())
}
