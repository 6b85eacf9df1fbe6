//! The address a request comes from, for limits and logs.
//!
//! Without configuration it is the socket's peer. Behind a reverse proxy
//! every request comes from the proxy, so one client's failed logins would
//! lock out everybody: `HOVOR_TRUSTED_PROXIES` names the proxies, and for a
//! request from one of them the client is the nearest address in
//! `X-Forwarded-For` that is not a trusted proxy. The header is read from
//! the right, where the trusted proxies appended what they saw; whatever a
//! client wrote to the left of that is not believed.

use std::net::IpAddr;
use std::str::FromStr;

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrustedProxies(Vec<IpNet>);

impl FromStr for TrustedProxies {
    type Err = String;

    /// A comma-separated list of addresses and networks:
    /// `127.0.0.1, 10.0.0.0/8, ::1`.
    fn from_str(text: &str) -> Result<TrustedProxies, String> {
        let mut nets = Vec::new();
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let net = match item.parse::<IpNet>() {
                Ok(net) => net,
                Err(_) => item
                    .parse::<IpAddr>()
                    .map(IpNet::from)
                    .map_err(|_| format!("{item:?} is not an address or a network"))?,
            };
            nets.push(net);
        }
        Ok(TrustedProxies(nets))
    }
}

impl TrustedProxies {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Is this address one of the trusted proxies?
    pub fn trusts(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        self.0.iter().any(|net| net.contains(&address))
    }

    /// The client of a request that came from `peer` with these headers.
    pub fn client_of(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = canonical(peer);
        if !self.trusts(client) {
            return client;
        }
        // Every X-Forwarded-For header, in order, as one list.
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        for hop in hops.iter().rev() {
            let Ok(address) = hop.parse::<IpAddr>() else {
                // Not an address: nothing further left can be believed.
                return client;
            };
            client = canonical(address);
            if !self.trusts(client) {
                return client;
            }
        }
        client
    }
}

/// IPv4 addresses seen through an IPv6 socket count as IPv4.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", v.parse().expect("header"));
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client() {
        let none = TrustedProxies::default();
        assert_eq!(
            none.client_of(ip("10.0.0.5"), &headers(&["1.2.3.4"])),
            ip("10.0.0.5")
        );
    }

    #[test]
    fn behind_a_trusted_proxy_the_nearest_untrusted_hop_is_the_client() {
        let proxies: TrustedProxies = "127.0.0.1, 10.0.0.0/8".parse().expect("parse");
        // The client forged a first hop; the proxy appended the real one.
        let h = headers(&["6.6.6.6, 1.2.3.4"]);
        assert_eq!(proxies.client_of(ip("127.0.0.1"), &h), ip("1.2.3.4"));
        // Two proxies in a row, and the header split over two lines.
        let h = headers(&["6.6.6.6", "1.2.3.4, 10.1.1.1"]);
        assert_eq!(proxies.client_of(ip("10.0.0.2"), &h), ip("1.2.3.4"));
        // An untrusted peer's header is ignored.
        assert_eq!(proxies.client_of(ip("8.8.8.8"), &h), ip("8.8.8.8"));
        // No header: the proxy itself.
        assert_eq!(
            proxies.client_of(ip("127.0.0.1"), &HeaderMap::new()),
            ip("127.0.0.1")
        );
        // Garbage stops the walk at the last believed hop.
        let h = headers(&["1.2.3.4, garbage, 10.9.9.9"]);
        assert_eq!(proxies.client_of(ip("127.0.0.1"), &h), ip("10.9.9.9"));
        // An IPv4 peer on an IPv6 socket.
        assert_eq!(
            proxies.client_of(ip("::ffff:127.0.0.1"), &headers(&["1.2.3.4"])),
            ip("1.2.3.4")
        );
    }

    #[test]
    fn bad_lists_are_refused() {
        assert!("127.0.0.1, nonsense".parse::<TrustedProxies>().is_err());
        assert!("".parse::<TrustedProxies>().expect("empty").is_empty());
        assert!("::1, fd00::/8"
            .parse::<TrustedProxies>()
            .expect("v6")
            .trusts(ip("fd12::1")));
    }
}
