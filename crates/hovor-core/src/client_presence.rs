//! Is a session's client still there? A client is there while its widget or
//! invitation page holds a connection, and for a while after the last one
//! closed (a reload, a page of the same site, a train tunnel). Past that, a
//! waiting or offered session ends as `abandoned`: it leaves the queue, its
//! offer is withdrawn, and nobody counts it against an operator.

use crate::Millis;

/// After a page said it was leaving (it closed its socket as it went away),
/// how long its client has to come back — a reload or the next page of the
/// same website — before it counts as gone (unless the company's time is
/// shorter).
pub const LEAVING_WINDOW_MS: Millis = 10_000;

/// What the database knows of a session's client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientPresence {
    /// Open connections now.
    pub connections: i64,
    /// When a connection last opened or closed, or the client last made a
    /// request (its session's start when it never did).
    pub seen_at: Millis,
    /// Its page said it was leaving when its last connection closed.
    pub leaving: bool,
}

impl ClientPresence {
    /// Gone, with the company's `client_gone_s` as `gone_after_ms`.
    pub fn is_gone(&self, gone_after_ms: Millis, now: Millis) -> bool {
        if self.connections > 0 {
            return false;
        }
        let window = if self.leaving {
            gone_after_ms.min(LEAVING_WINDOW_MS)
        } else {
            gone_after_ms
        };
        now.saturating_sub(self.seen_at) >= window
    }

    /// Not there now, though perhaps not gone for good yet: no open
    /// connection. An offer that runs out meanwhile is not the operator's
    /// miss — when in doubt (a reload at that very moment, or a client of
    /// its own that polls over HTTP without a socket), the operator is not
    /// blamed: wrongly setting someone Away costs more than a missed miss.
    pub fn is_away(&self) -> bool {
        self.connections == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GONE: Millis = 60_000;

    fn presence(connections: i64, seen_at: Millis, leaving: bool) -> ClientPresence {
        ClientPresence {
            connections,
            seen_at,
            leaving,
        }
    }

    #[test]
    fn a_connected_client_is_never_gone() {
        let p = presence(1, 0, false);
        assert!(!p.is_gone(GONE, 10 * GONE));
        assert!(!p.is_away());
    }

    #[test]
    fn a_client_without_a_connection_is_gone_after_the_companys_time() {
        let p = presence(0, 1_000, false);
        assert!(p.is_away(), "no connection: away, perhaps for a moment");
        assert!(!p.is_gone(GONE, 1_000 + GONE - 1));
        assert!(p.is_gone(GONE, 1_000 + GONE));
    }

    #[test]
    fn a_page_that_said_it_was_leaving_is_gone_after_the_reload_window() {
        let p = presence(0, 1_000, true);
        assert!(p.is_away());
        assert!(!p.is_gone(GONE, 1_000 + LEAVING_WINDOW_MS - 1));
        assert!(p.is_gone(GONE, 1_000 + LEAVING_WINDOW_MS));
        // A company time shorter than the window wins.
        assert!(p.is_gone(5_000, 6_000));
    }

    #[test]
    fn a_clock_behind_the_last_sighting_is_not_gone() {
        let p = presence(0, 10_000, false);
        assert!(!p.is_gone(GONE, 5_000));
    }
}
