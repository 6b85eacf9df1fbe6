//! The ICE servers a browser in a call is given: the deployment's STUN
//! servers, and its TURN servers with short-lived credentials.
//!
//! TURN credentials follow coturn's "TURN REST API" (`use-auth-secret` with
//! `static-auth-secret`): the username is `<expiry unix seconds>:<user ref>`
//! and the password is base64(HMAC-SHA1(secret, username)). coturn checks
//! them when a relay is allocated: an expired username opens no new relay,
//! while a call already relayed keeps its allocation. The secret never
//! leaves Hovor; a browser gets only what it needs for one TTL.

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha1::Sha1;

/// How long TURN credentials open new relays, unless configured.
pub const DEFAULT_TURN_TTL: Duration = Duration::from_secs(3600);

/// The TTLs a deployment may choose, in seconds: at least a minute (a
/// browser needs time to use them), at most a day (they are handed to
/// anonymous clients).
pub const TURN_TTL_RANGE_S: std::ops::RangeInclusive<u64> = 60..=86_400;

/// The deployment's STUN and TURN servers (`HOVOR_STUN_URLS`,
/// `HOVOR_TURN_URLS`, `HOVOR_TURN_SECRET`, `HOVOR_TURN_TTL_S`). Nothing
/// configured is fine: browsers on one network still connect with their
/// host candidates.
#[derive(Clone, PartialEq, Eq)]
pub struct IceConfig {
    /// `stun:` and `stuns:` URLs, given to browsers as they are.
    pub stun_urls: Vec<String>,
    /// `turn:` and `turns:` URLs, given with credentials.
    pub turn_urls: Vec<String>,
    /// coturn's `static-auth-secret`; set whenever `turn_urls` is not empty.
    pub turn_secret: Option<String>,
    /// How long a TURN credential opens new relays.
    pub turn_ttl: Duration,
}

impl Default for IceConfig {
    fn default() -> Self {
        IceConfig {
            stun_urls: Vec::new(),
            turn_urls: Vec::new(),
            turn_secret: None,
            turn_ttl: DEFAULT_TURN_TTL,
        }
    }
}

/// Never prints the secret (the whole `Config` is debug-printed at times).
impl fmt::Debug for IceConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IceConfig")
            .field("stun_urls", &self.stun_urls)
            .field("turn_urls", &self.turn_urls)
            .field(
                "turn_secret",
                &self.turn_secret.as_ref().map(|_| "<hidden>"),
            )
            .field("turn_ttl", &self.turn_ttl)
            .finish()
    }
}

/// Why the STUN/TURN settings were refused at start-up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IceConfigError {
    #[error("{setting}: {url:?} is not a {kinds} URL: {why}")]
    BadUrl {
        setting: &'static str,
        url: String,
        kinds: &'static str,
        why: String,
    },
    #[error(
        "HOVOR_TURN_URLS is set but HOVOR_TURN_SECRET is not: TURN servers need coturn's \
         static-auth-secret to make credentials"
    )]
    TurnWithoutSecret,
    #[error(
        "HOVOR_TURN_SECRET is set but HOVOR_TURN_URLS is empty: name the TURN servers \
         (turn:host:3478, turns:host:5349) or leave the secret out"
    )]
    SecretWithoutTurn,
    #[error("HOVOR_TURN_TTL_S is {0}; it must be 60 to 86400 seconds")]
    BadTtl(u64),
}

impl IceConfig {
    /// The settings from their text: comma-separated URLs (blank entries
    /// ignored), the secret (blank is none) and the TTL in seconds.
    pub fn parse(
        stun_urls: &str,
        turn_urls: &str,
        turn_secret: Option<&str>,
        turn_ttl_s: u64,
    ) -> Result<IceConfig, IceConfigError> {
        let stun_urls = url_list(stun_urls, "HOVOR_STUN_URLS", &["stun", "stuns"])?;
        let turn_urls = url_list(turn_urls, "HOVOR_TURN_URLS", &["turn", "turns"])?;
        let turn_secret = turn_secret
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        match (turn_urls.is_empty(), turn_secret.is_some()) {
            (false, false) => return Err(IceConfigError::TurnWithoutSecret),
            (true, true) => return Err(IceConfigError::SecretWithoutTurn),
            _ => {}
        }
        if !TURN_TTL_RANGE_S.contains(&turn_ttl_s) {
            return Err(IceConfigError::BadTtl(turn_ttl_s));
        }
        Ok(IceConfig {
            stun_urls,
            turn_urls,
            turn_secret,
            turn_ttl: Duration::from_secs(turn_ttl_s),
        })
    }

    /// Neither STUN nor TURN: browsers get an empty list.
    pub fn is_empty(&self) -> bool {
        self.stun_urls.is_empty() && self.turn_urls.is_empty()
    }
}

fn url_list(
    text: &str,
    setting: &'static str,
    schemes: &[&'static str],
) -> Result<Vec<String>, IceConfigError> {
    let kinds = if schemes[0] == "stun" {
        "STUN (stun:, stuns:)"
    } else {
        "TURN (turn:, turns:)"
    };
    text.split(',')
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(|url| {
            check_url(url, schemes)
                .map(|()| url.to_owned())
                .map_err(|why| IceConfigError::BadUrl {
                    setting,
                    url: url.to_owned(),
                    kinds,
                    why,
                })
        })
        .collect()
}

/// A STUN or TURN URI as RFC 7064 and RFC 7065 write it:
/// `scheme:host[:port]`, and for TURN an optional `?transport=udp|tcp`.
fn check_url(url: &str, schemes: &[&str]) -> Result<(), String> {
    let Some((scheme, rest)) = url.split_once(':') else {
        return Err(format!("it needs a scheme: {}:host:port", schemes[0]));
    };
    if !schemes.contains(&scheme) {
        return Err(format!(
            "it must start with {}",
            schemes
                .iter()
                .map(|s| format!("{s}:"))
                .collect::<Vec<_>>()
                .join(" or ")
        ));
    }
    if rest.starts_with("//") {
        return Err(format!("write {scheme}:host:port, without //"));
    }
    let (host_port, query) = match rest.split_once('?') {
        Some((host_port, query)) => (host_port, Some(query)),
        None => (rest, None),
    };
    if let Some(query) = query {
        if scheme.starts_with("stun") {
            return Err("a STUN URL takes no ?query".into());
        }
        if !matches!(query, "transport=udp" | "transport=tcp") {
            return Err("its only query may be ?transport=udp or ?transport=tcp".into());
        }
    }
    let (host, port) = if let Some(v6) = host_port.strip_prefix('[') {
        let (address, after) = v6
            .split_once(']')
            .ok_or_else(|| "an IPv6 address needs its closing ]".to_owned())?;
        address
            .parse::<std::net::Ipv6Addr>()
            .map_err(|_| format!("[{address}] is not an IPv6 address"))?;
        match after {
            "" => (address, None),
            _ => match after.strip_prefix(':') {
                Some(port) => (address, Some(port)),
                None => return Err("after ] comes :port or nothing".into()),
            },
        }
    } else {
        match host_port.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        }
    };
    if host.is_empty() {
        return Err("it names no host".into());
    }
    if !host_port.starts_with('[')
        && !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    {
        return Err(format!(
            "{host:?} is not a host name or address (no user, path or spaces belong here)"
        ));
    }
    if let Some(port) = port {
        match port.parse::<u16>() {
            Ok(p) if p > 0 => {}
            _ => return Err(format!("{port:?} is not a port (1 to 65535)")),
        }
    }
    Ok(())
}

/// One entry of `RTCConfiguration.iceServers`, as the browser takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct IceServer {
    /// `stun:`, `stuns:`, `turn:` or `turns:` URLs.
    #[schema(example = json!(["turns:turn.example.com:5349"]))]
    pub urls: Vec<String>,
    /// For TURN: `<expiry unix seconds>:<opaque id>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, example = "1767603600:usr_0123456789abcdefghjk")]
    pub username: Option<String>,
    /// For TURN: the password that goes with `username`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub credential: Option<String>,
}

/// What a browser passes as `new RTCPeerConnection({iceServers})`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct IceServers {
    /// Empty when the deployment configured no STUN or TURN server: calls
    /// then connect only where the browsers reach each other directly.
    pub ice_servers: Vec<IceServer>,
    /// When the TURN credentials stop opening new relays (RFC 3339): fetch
    /// the servers again before a call after it. `null` when nothing
    /// expires (no TURN server).
    #[schema(example = "2026-01-05T09:00:00.000Z")]
    pub expires_at: Option<String>,
}

/// The ICE servers for one user (an operator's id or a client session's
/// id: an opaque reference, never a name or address, since it travels in
/// the TURN username), at `now_unix_s`.
pub fn ice_servers(config: &IceConfig, user_ref: &str, now_unix_s: u64) -> IceServers {
    let mut ice_servers = Vec::new();
    if !config.stun_urls.is_empty() {
        ice_servers.push(IceServer {
            urls: config.stun_urls.clone(),
            username: None,
            credential: None,
        });
    }
    let mut expires_at = None;
    if let (false, Some(secret)) = (config.turn_urls.is_empty(), &config.turn_secret) {
        let expiry = now_unix_s.saturating_add(config.turn_ttl.as_secs());
        let username = turn_username(expiry, user_ref);
        ice_servers.push(IceServer {
            urls: config.turn_urls.clone(),
            credential: Some(turn_credential(secret, &username)),
            username: Some(username),
        });
        let expiry_ms = i64::try_from(expiry)
            .unwrap_or(i64::MAX / 1000)
            .saturating_mul(1000);
        expires_at = Some(hovor_core::time::to_rfc3339(expiry_ms));
    }
    IceServers {
        ice_servers,
        expires_at,
    }
}

/// coturn's REST API username: `<expiry unix seconds>:<user_ref>` (coturn
/// reads the expiry up to the first `:`).
pub fn turn_username(expiry_unix_s: u64, user_ref: &str) -> String {
    format!("{expiry_unix_s}:{user_ref}")
}

/// coturn's REST API password: base64(HMAC-SHA1(secret, username)).
pub fn turn_credential(secret: &str, username: &str) -> String {
    let mut mac = match Hmac::<Sha1>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes a key of any length"),
    };
    mac.update(username.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(secret: &str) -> IceConfig {
        IceConfig::parse(
            "stun:stun.example.com:3478",
            "turn:turn.example.com:3478?transport=udp, turns:turn.example.com:5349",
            Some(secret),
            3600,
        )
        .expect("valid settings")
    }

    #[test]
    fn the_credential_is_coturns_hmac_sha1_in_base64() {
        // Computed independently:
        //   python3 -c 'import hmac,hashlib,base64; print(base64.b64encode(hmac.new(
        //     b"north", b"1767603600:usr_0123456789abcdefghjk", hashlib.sha1).digest()).decode())'
        // (and `openssl dgst -sha1 -hmac north -binary | base64` agrees).
        assert_eq!(
            turn_credential("north", "1767603600:usr_0123456789abcdefghjk"),
            "V87P+ChkIb0fnsuPGl9gvWtOZjY="
        );
        assert_eq!(
            turn_credential("correct horse battery staple", "1700000000:ses_kq3v9x"),
            "qs0v2orHctlC3b8GqziHJ8LiNKY="
        );
    }

    #[test]
    fn turn_servers_come_with_a_username_that_expires() {
        let servers = ice_servers(&turn("north"), "usr_0123456789abcdefghjk", 1_767_600_000);
        assert_eq!(
            servers.ice_servers,
            vec![
                IceServer {
                    urls: vec!["stun:stun.example.com:3478".into()],
                    username: None,
                    credential: None,
                },
                IceServer {
                    urls: vec![
                        "turn:turn.example.com:3478?transport=udp".into(),
                        "turns:turn.example.com:5349".into()
                    ],
                    username: Some("1767603600:usr_0123456789abcdefghjk".into()),
                    credential: Some("V87P+ChkIb0fnsuPGl9gvWtOZjY=".into()),
                },
            ]
        );
        assert_eq!(
            servers.expires_at.as_deref(),
            Some("2026-01-05T09:00:00.000Z")
        );
        // The browser's shape: no username or credential keys for STUN.
        let json = serde_json::to_value(&servers).expect("json");
        assert_eq!(
            json["ice_servers"][0],
            serde_json::json!({"urls": ["stun:stun.example.com:3478"]})
        );
    }

    #[test]
    fn nothing_configured_gives_an_empty_list() {
        let servers = ice_servers(&IceConfig::default(), "usr_x", 1_767_600_000);
        assert!(servers.ice_servers.is_empty());
        assert_eq!(servers.expires_at, None);
        assert!(IceConfig::parse("", " , ", None, 3600)
            .expect("empty is fine")
            .is_empty());
    }

    #[test]
    fn stun_alone_needs_no_secret_and_expires_never() {
        let config =
            IceConfig::parse("stun:a.example:3478,stuns:b.example", "", None, 3600).expect("valid");
        let servers = ice_servers(&config, "usr_x", 0);
        assert_eq!(servers.ice_servers.len(), 1);
        assert_eq!(servers.ice_servers[0].urls.len(), 2);
        assert_eq!(servers.expires_at, None);
    }

    #[test]
    fn good_urls_pass() {
        for url in [
            "stun:stun.l.example.com",
            "stun:192.0.2.1:3478",
            "stuns:stun.example.com:5349",
            "stun:[2001:db8::1]:3478",
            "stun:[2001:db8::1]",
        ] {
            assert_eq!(check_url(url, &["stun", "stuns"]), Ok(()), "{url}");
        }
        for url in [
            "turn:turn.example.com",
            "turn:turn.example.com:3478?transport=tcp",
            "turns:turn.example.com:5349?transport=tcp",
            "turn:127.0.0.1:3478",
        ] {
            assert_eq!(check_url(url, &["turn", "turns"]), Ok(()), "{url}");
        }
    }

    #[test]
    fn bad_urls_are_refused_with_a_reason() {
        for (url, why) in [
            ("stun.example.com:3478", "must start with stun: or stuns:"),
            ("turn:turn.example.com", "must start with stun: or stuns:"),
            ("stun://stun.example.com", "without //"),
            ("https://stun.example.com", "must start with"),
            ("stun:", "no host"),
            ("stun::3478", "no host"),
            ("stun:stun.example.com:0", "not a port"),
            ("stun:stun.example.com:99999", "not a port"),
            ("stun:stun.example.com:abc", "not a port"),
            ("stun:user@stun.example.com", "not a host name"),
            ("stun:stun.example.com/path", "not a host name"),
            ("stun:stun.example.com?transport=udp", "no ?query"),
            ("stun:[2001:db8::1", "closing ]"),
            ("stun:[nonsense]:3478", "not an IPv6 address"),
        ] {
            let refused = check_url(url, &["stun", "stuns"]).expect_err(url);
            assert!(refused.contains(why), "{url}: {refused}");
        }
        let refused =
            check_url("turn:t.example:3478?transport=sctp", &["turn", "turns"]).expect_err("sctp");
        assert!(refused.contains("transport=udp"), "{refused}");
    }

    #[test]
    fn settings_are_checked_together_with_clear_errors() {
        let e = IceConfig::parse("stun:ok.example,nope.example", "", None, 3600).unwrap_err();
        assert_eq!(
            e.to_string(),
            "HOVOR_STUN_URLS: \"nope.example\" is not a STUN (stun:, stuns:) URL: it needs a \
             scheme: stun:host:port"
        );
        let e = IceConfig::parse("", "stun:wrong.example", Some("s"), 3600).unwrap_err();
        assert!(e.to_string().starts_with("HOVOR_TURN_URLS:"), "{e}");
        assert_eq!(
            IceConfig::parse("", "turn:t.example", None, 3600),
            Err(IceConfigError::TurnWithoutSecret)
        );
        assert_eq!(
            IceConfig::parse("", "turn:t.example", Some("  "), 3600),
            Err(IceConfigError::TurnWithoutSecret)
        );
        assert_eq!(
            IceConfig::parse("", "", Some("secret"), 3600),
            Err(IceConfigError::SecretWithoutTurn)
        );
        assert_eq!(
            IceConfig::parse("", "turn:t.example", Some("s"), 59),
            Err(IceConfigError::BadTtl(59))
        );
        assert_eq!(
            IceConfig::parse("", "turn:t.example", Some("s"), 86_401),
            Err(IceConfigError::BadTtl(86_401))
        );
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let shown = format!("{:?}", turn("very-secret-value"));
        assert!(!shown.contains("very-secret-value"), "{shown}");
        assert!(shown.contains("<hidden>"), "{shown}");
    }
}
