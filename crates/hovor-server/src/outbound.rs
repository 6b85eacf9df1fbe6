//! Requests Hovor sends out (webhooks, the exchange's dial URL): one pooled
//! client that reaches only public addresses unless the deployment allows
//! private ones, follows no redirects, and reports failures in a few
//! generic classes.
//!
//! The address is checked when the request is sent, on what the name
//! resolves to then (a name that resolved to a public address when the
//! webhook was saved may point inside later), and on addresses written in
//! the URL itself, which are never resolved.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use hovor_core::outbound_address::is_public;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Why a request did not get an answer, as the delivery log and the
/// administrator see it. The raw error (which names ports and internal
/// hosts) stays in the server's log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The URL points at a loopback, private or link-local address.
    PrivateAddress,
    /// The name does not resolve.
    UnknownHost,
    /// No connection could be made (refused, unreachable, TLS).
    ConnectFailed,
    /// No answer in time.
    Timeout,
    /// Something else went wrong on the way.
    RequestFailed,
}

impl Failure {
    pub fn as_str(self) -> &'static str {
        match self {
            Failure::PrivateAddress => "refused: the address is private or local",
            Failure::UnknownHost => "the host name does not resolve",
            Failure::ConnectFailed => "could not connect",
            Failure::Timeout => "no answer in time",
            Failure::RequestFailed => "the request failed",
        }
    }

    fn of(error: &reqwest::Error) -> Failure {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
        while let Some(e) = source {
            match e.downcast_ref::<Unresolved>() {
                Some(Unresolved::PrivateAddress) => return Failure::PrivateAddress,
                Some(Unresolved::UnknownHost) => return Failure::UnknownHost,
                None => {}
            }
            source = e.source();
        }
        if error.is_timeout() {
            Failure::Timeout
        } else if error.is_connect() {
            Failure::ConnectFailed
        } else {
            Failure::RequestFailed
        }
    }
}

/// Why the resolver gave no address to connect to.
#[derive(Debug, Clone, Copy)]
enum Unresolved {
    /// Every address of the name is private or local.
    PrivateAddress,
    /// The name does not resolve.
    UnknownHost,
}

impl std::fmt::Display for Unresolved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Unresolved::PrivateAddress => Failure::PrivateAddress.as_str(),
            Unresolved::UnknownHost => Failure::UnknownHost.as_str(),
        })
    }
}

impl std::error::Error for Unresolved {}

/// Resolves names to their public addresses only.
struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0))
                .await
                .map_err(|_| {
                    Box::new(Unresolved::UnknownHost) as Box<dyn std::error::Error + Send + Sync>
                })?
                .collect();
            if found.is_empty() {
                return Err(
                    Box::new(Unresolved::UnknownHost) as Box<dyn std::error::Error + Send + Sync>
                );
            }
            let public: Vec<SocketAddr> = found.into_iter().filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                return Err(Box::new(Unresolved::PrivateAddress)
                    as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

/// The outbound client and its rule.
#[derive(Clone)]
pub struct Outbound {
    http: reqwest::Client,
    allow_private: bool,
}

impl Outbound {
    /// Ten seconds per request, three to connect, no redirects (a receiver
    /// cannot bounce a signed delivery elsewhere, nor point it inside).
    pub fn new(allow_private: bool) -> Outbound {
        let mut builder = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(3))
            .redirect(reqwest::redirect::Policy::none());
        if !allow_private {
            builder = builder.dns_resolver(Arc::new(PublicOnly));
        }
        let http = builder.build().unwrap_or_else(|e| {
            tracing::error!("the outbound HTTP client: {e}; using the defaults");
            reqwest::Client::new()
        });
        Outbound {
            http,
            allow_private,
        }
    }

    /// May a URL be saved as a target? Only an address written in it can be
    /// judged now; a name is checked each time it is sent to.
    pub fn allows_url(&self, url: &str) -> bool {
        self.allow_private || literal_address(url).is_none_or(is_public)
    }

    /// May a host (a mail server's) be saved? As for URLs: an address
    /// written as the host is judged now, a name when connecting.
    pub fn allows_host(&self, host: &str) -> bool {
        self.allow_private || literal_address(&format!("http://{host}/")).is_none_or(is_public)
    }

    /// Sends a prepared POST; the answer, or why there was none.
    pub async fn post(
        &self,
        url: &str,
        headers: &[(&str, String)],
        body: String,
    ) -> Result<reqwest::Response, Failure> {
        if !self.allows_url(url) {
            return Err(Failure::PrivateAddress);
        }
        let mut request = self
            .http
            .post(url)
            .header("content-type", "application/json");
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        request.body(body).send().await.map_err(|e| {
            let failure = Failure::of(&e);
            tracing::info!("outbound request failed ({}): {e}", failure.as_str());
            failure
        })
    }
}

/// The address written as the URL's host, if it is one (`localhost` counts
/// as loopback: it never leaves the machine).
fn literal_address(url: &str) -> Option<IpAddr> {
    let parsed = reqwest::Url::parse(url).ok()?;
    match parsed.host()? {
        url::Host::Ipv4(a) => Some(IpAddr::V4(a)),
        url::Host::Ipv6(a) => Some(IpAddr::V6(a)),
        url::Host::Domain(d) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            (d == "localhost" || d.ends_with(".localhost"))
                .then_some(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_with_internal_addresses_are_refused_unless_allowed() {
        let strict = Outbound::new(false);
        for url in [
            "http://127.0.0.1:8080/api",
            "http://[::1]/x",
            "http://169.254.169.254/latest/meta-data",
            "http://localhost:9000/",
            "http://10.0.0.7/hook",
            "http://0x7f.1/", // 127.0.0.1, written in hex
        ] {
            assert!(!strict.allows_url(url), "{url}");
        }
        assert!(strict.allows_url("https://hooks.example.com/in"));
        assert!(strict.allows_url("https://93.184.215.14/in"));
        assert!(Outbound::new(true).allows_url("http://127.0.0.1:8080/api"));
    }

    #[tokio::test]
    async fn a_name_is_judged_by_what_it_resolves_to_when_sent() {
        use std::str::FromStr;
        let name = Name::from_str("localhost").expect("a name");
        let refused = PublicOnly.resolve(name).await.err().expect("refused");
        assert!(
            matches!(refused.downcast_ref(), Some(Unresolved::PrivateAddress)),
            "{refused}"
        );
        let name = Name::from_str("no-such-host.invalid").expect("a name");
        let unknown = PublicOnly.resolve(name).await.err().expect("unknown");
        assert!(
            matches!(unknown.downcast_ref(), Some(Unresolved::UnknownHost)),
            "{unknown}"
        );
    }
}
