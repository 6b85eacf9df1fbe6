//! Which addresses Hovor may send requests to (webhooks, the telephone
//! exchange's dial URL). An administrator's URL must not make the server
//! reach what only the server can reach: its own loopback, the private
//! network around it, a cloud's metadata service. Only globally routable
//! addresses are public; everything else needs the deployment's explicit
//! permission (`HOVOR_ALLOW_PRIVATE_WEBHOOKS=1`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// May a request go to this address without the deployment's permission?
pub fn is_public(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(a: Ipv4Addr) -> bool {
    let [b0, b1, b2, _] = a.octets();
    let special = a.is_unspecified()
        || a.is_loopback()
        || a.is_private()
        || a.is_link_local() // 169.254/16, the metadata services among them
        || a.is_broadcast()
        || a.is_multicast()
        || a.is_documentation()
        || b0 == 0 // "this network"
        || (b0 == 100 && (64..128).contains(&b1)) // shared address space (carrier NAT)
        || (b0 == 192 && b1 == 0 && b2 == 0) // IETF protocol assignments
        || (b0 == 198 && (18..20).contains(&b1)) // benchmarking
        || b0 >= 240; // reserved
    !special
}

fn is_public_v6(a: Ipv6Addr) -> bool {
    let s = a.segments();
    let special = a.is_unspecified()
        || a.is_loopback()
        || a.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (s[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || (s[0] == 0x0064 && s[1] == 0xff9b) // NAT64: an IPv4 address inside
        || s[..6] == [0, 0, 0, 0, 0, 0]; // IPv4-compatible (deprecated)
    !special
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(s: &str) -> bool {
        is_public(s.parse().expect("an address"))
    }

    #[test]
    fn internal_addresses_are_not_public() {
        for a in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
        ] {
            assert!(!public(a), "{a} is not public");
        }
    }

    #[test]
    fn internet_addresses_are_public() {
        for a in [
            "93.184.215.14",
            "8.8.8.8",
            "172.32.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(public(a), "{a} is public");
        }
    }
}
