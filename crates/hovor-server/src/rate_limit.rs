//! Limits on how often something may happen, counted in memory on each node
//! in sliding windows: failed logins, client messages, unknown invitation
//! codes, new client sessions; and on how many WebSockets one address holds
//! open.
//!
//! A limit takes its slot atomically, before the work it guards, so parallel
//! requests cannot all slip under it while the first are still at work. The
//! maps are bounded: past their capacity the key used least recently is
//! forgotten, never the whole map (which would reset every counter).

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hashlink::LruCache;

/// Keys a counter remembers at most.
const CAPACITY: usize = 100_000;

/// Counts events per key in a sliding window.
pub struct SlidingCounter {
    window: Duration,
    limit: usize,
    seen: Mutex<LruCache<String, VecDeque<Instant>>>,
}

impl SlidingCounter {
    pub fn new(window: Duration, limit: usize) -> SlidingCounter {
        SlidingCounter::with_capacity(window, limit, CAPACITY)
    }

    pub fn with_capacity(window: Duration, limit: usize, capacity: usize) -> SlidingCounter {
        SlidingCounter {
            window,
            limit,
            seen: Mutex::new(LruCache::new(capacity.max(1))),
        }
    }

    /// At most ten client messages per session in ten seconds.
    pub fn client_messages() -> SlidingCounter {
        SlidingCounter::new(Duration::from_secs(10), 10)
    }

    /// At most 200 call signals per conversation in a minute: setting up a
    /// call takes a dozen or two, each reload or network change a few more.
    pub fn call_signals() -> SlidingCounter {
        SlidingCounter::new(Duration::from_secs(60), 200)
    }

    /// At most twenty unknown invitation codes per address in ten minutes.
    pub fn invitation_guesses() -> SlidingCounter {
        SlidingCounter::new(Duration::from_secs(600), 20)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LruCache<String, VecDeque<Instant>>> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The key's events still in the window (the older ones are dropped).
    fn recent<'a>(
        &self,
        map: &'a mut LruCache<String, VecDeque<Instant>>,
        key: &str,
        now: Instant,
    ) -> Option<&'a mut VecDeque<Instant>> {
        let times = map.get_mut(key)?;
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            times.pop_front();
        }
        Some(times)
    }

    /// Under the limit now? Records nothing.
    pub fn allows(&self, key: &str) -> bool {
        let mut map = self.lock();
        self.recent(&mut map, key, Instant::now())
            .is_none_or(|times| times.len() < self.limit)
    }

    /// Records one more, whatever the count.
    pub fn record(&self, key: &str) {
        let now = Instant::now();
        let mut map = self.lock();
        match self.recent(&mut map, key, now) {
            Some(times) => times.push_back(now),
            None => {
                map.insert(key.to_owned(), VecDeque::from([now]));
            }
        }
    }

    /// Records one more if under the limit; false (and nothing recorded) if
    /// over. Check and record are one step under the lock.
    pub fn try_take(&self, key: &str) -> bool {
        let now = Instant::now();
        let mut map = self.lock();
        match self.recent(&mut map, key, now) {
            Some(times) if times.len() >= self.limit => false,
            Some(times) => {
                times.push_back(now);
                true
            }
            None => {
                map.insert(key.to_owned(), VecDeque::from([now]));
                true
            }
        }
    }

    /// Takes back the newest event (a slot taken for work that succeeded).
    pub fn give_back(&self, key: &str) {
        let mut map = self.lock();
        if let Some(times) = map.get_mut(key) {
            times.pop_back();
        }
    }

    /// Forgets the key's events.
    pub fn forget(&self, key: &str) {
        self.lock().remove(key);
    }

    /// Keys remembered now.
    pub fn keys(&self) -> usize {
        self.lock().len()
    }
}

/// Failed logins: per account (its e-mail, from whatever address), and per
/// address (many accounts tried from one place).
pub struct LoginLimiter {
    per_account: SlidingCounter,
    per_address: SlidingCounter,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        LoginLimiter::new(Duration::from_secs(15 * 60), 10, 50)
    }
}

/// A login attempt that holds its slots: it counts as a failure unless it
/// `succeeded`.
pub struct LoginAttempt<'a> {
    limiter: &'a LoginLimiter,
    account: String,
    address: String,
}

impl LoginAttempt<'_> {
    /// The password was right: the account's failures are forgotten and the
    /// address's slot is given back.
    pub fn succeeded(self) {
        self.limiter.per_account.forget(&self.account);
        self.limiter.per_address.give_back(&self.address);
    }
}

impl LoginLimiter {
    pub fn new(window: Duration, per_account: usize, per_address: usize) -> LoginLimiter {
        LoginLimiter {
            per_account: SlidingCounter::new(window, per_account),
            per_address: SlidingCounter::new(window, per_address),
        }
    }

    fn account_key(email: &str) -> String {
        email.trim().to_lowercase()
    }

    /// Takes a slot for one attempt before the password is checked; `None`
    /// when the account or the address has used up its attempts.
    pub fn begin(&self, address: &str, email: &str) -> Option<LoginAttempt<'_>> {
        let account = Self::account_key(email);
        if !self.per_account.try_take(&account) {
            return None;
        }
        if !self.per_address.try_take(address) {
            self.per_account.give_back(&account);
            return None;
        }
        Some(LoginAttempt {
            limiter: self,
            account,
            address: address.to_owned(),
        })
    }
}

/// How many WebSockets each address holds open, up to a limit.
pub struct OpenCounts {
    limit: usize,
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// One open connection's place in its address's count; given back when
/// dropped.
pub struct OpenSlot {
    counts: Arc<OpenCounts>,
    address: IpAddr,
}

impl Drop for OpenSlot {
    fn drop(&mut self) {
        let mut open = self.counts.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = open.get_mut(&self.address) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.address);
            }
        }
    }
}

impl OpenCounts {
    pub fn new(limit: usize) -> OpenCounts {
        OpenCounts {
            limit,
            open: Mutex::new(HashMap::new()),
        }
    }

    /// A slot for one more connection from the address, if it has fewer
    /// than the limit open.
    pub fn try_open(self: &Arc<Self>, address: IpAddr) -> Option<OpenSlot> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let n = open.entry(address).or_insert(0);
        if *n >= self.limit {
            return None;
        }
        *n += 1;
        Some(OpenSlot {
            counts: self.clone(),
            address,
        })
    }

    /// Connections open from the address now.
    pub fn open_from(&self, address: IpAddr) -> usize {
        let open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        open.get(&address).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_the_limit_per_account_from_any_address() {
        let l = LoginLimiter::new(Duration::from_secs(60), 3, 100);
        for n in 0..3 {
            assert!(l.begin(&format!("1.2.3.{n}"), "a@x").is_some());
        }
        assert!(l.begin("5.6.7.8", "A@X ").is_none());
        assert!(l.begin("1.2.3.4", "b@x").is_some());
    }

    #[test]
    fn a_success_forgets_the_accounts_failures_and_gives_back_the_slot() {
        let l = LoginLimiter::new(Duration::from_secs(60), 3, 3);
        assert!(l.begin("1.2.3.4", "a@x").is_some());
        assert!(l.begin("1.2.3.4", "a@x").is_some());
        l.begin("1.2.3.4", "a@x").expect("a slot").succeeded();
        // The account starts over; the address has two failures on record,
        // so it has one attempt left.
        assert!(l.begin("1.2.3.4", "a@x").is_some());
        assert!(l.begin("1.2.3.4", "b@x").is_none());
        assert!(l.begin("9.9.9.9", "a@x").is_some());
    }

    #[test]
    fn the_address_limit_covers_many_accounts() {
        let l = LoginLimiter::new(Duration::from_secs(60), 100, 2);
        assert!(l.begin("1.2.3.4", "a@x").is_some());
        assert!(l.begin("1.2.3.4", "b@x").is_some());
        assert!(l.begin("1.2.3.4", "c@x").is_none());
        // Refused by the address, the account's slot was given back.
        let c = LoginLimiter::new(Duration::from_secs(60), 1, 100);
        assert!(c.begin("5.5.5.5", "c@x").is_some());
        assert!(c.begin("5.5.5.5", "c@x").is_none());
    }

    #[test]
    fn messages_are_limited_per_session() {
        let l = SlidingCounter::client_messages();
        for _ in 0..10 {
            assert!(l.try_take("a"));
        }
        assert!(!l.try_take("a"));
        assert!(l.try_take("b"));
        let guesses = SlidingCounter::new(Duration::from_secs(60), 2);
        guesses.record("ip");
        assert!(guesses.allows("ip"));
        guesses.record("ip");
        assert!(!guesses.allows("ip"));
    }

    #[test]
    fn a_full_map_forgets_the_key_used_least_recently_not_all() {
        let l = SlidingCounter::with_capacity(Duration::from_secs(60), 1, 3);
        assert!(l.try_take("a"));
        assert!(l.try_take("b"));
        assert!(l.try_take("c"));
        // "a" is used again: "b" is now the oldest.
        assert!(!l.try_take("a"));
        assert!(l.try_take("d"));
        assert_eq!(l.keys(), 3);
        assert!(!l.allows("a"), "a kept its count");
        assert!(!l.allows("c"), "c kept its count");
        assert!(l.allows("b"), "b, the least recently used, was forgotten");
    }

    #[test]
    fn open_connections_are_counted_per_address_until_dropped() {
        let counts = Arc::new(OpenCounts::new(2));
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        let first = counts.try_open(a).expect("first");
        let _second = counts.try_open(a).expect("second");
        assert!(counts.try_open(a).is_none());
        assert!(counts.try_open(b).is_some());
        drop(first);
        assert!(counts.try_open(a).is_some());
        assert_eq!(counts.open_from(a), 1);
    }
}
