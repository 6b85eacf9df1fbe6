//! Login throttling: failed attempts are counted per address and e-mail and
//! per address alone, in a sliding window.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct LoginLimiter {
    window: Duration,
    per_account: usize,
    per_address: usize,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        LoginLimiter::new(Duration::from_secs(15 * 60), 10, 50)
    }
}

impl LoginLimiter {
    pub fn new(window: Duration, per_account: usize, per_address: usize) -> LoginLimiter {
        LoginLimiter {
            window,
            per_account,
            per_address,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn keys(address: &str, email: &str) -> [String; 2] {
        [
            format!("{address}|{}", email.trim().to_lowercase()),
            format!("{address}|*"),
        ]
    }

    /// May another attempt be made now?
    pub fn allows(&self, address: &str, email: &str) -> bool {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let [account, whole] = Self::keys(address, email);
        let limits = [(account, self.per_account), (whole, self.per_address)];
        limits.into_iter().all(|(key, limit)| {
            let Some(times) = map.get_mut(&key) else {
                return true;
            };
            while times
                .front()
                .is_some_and(|t| now.duration_since(*t) > self.window)
            {
                times.pop_front();
            }
            times.len() < limit
        })
    }

    pub fn record_failure(&self, address: &str, email: &str) {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            // Bounded memory under a spray of addresses: forget the oldest era.
            map.clear();
        }
        for key in Self::keys(address, email) {
            map.entry(key).or_default().push_back(now);
        }
    }

    pub fn record_success(&self, address: &str, email: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let [account, _] = Self::keys(address, email);
        map.remove(&account);
    }
}

/// Counts events per key in a sliding window: client messages per session,
/// failed invitation look-ups per address.
pub struct SlidingCounter {
    window: Duration,
    limit: usize,
    seen: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl SlidingCounter {
    pub fn new(window: Duration, limit: usize) -> SlidingCounter {
        SlidingCounter {
            window,
            limit,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// At most ten client messages per session in ten seconds.
    pub fn client_messages() -> SlidingCounter {
        SlidingCounter::new(Duration::from_secs(10), 10)
    }

    /// At most twenty unknown invitation codes per address in ten minutes.
    pub fn invitation_guesses() -> SlidingCounter {
        SlidingCounter::new(Duration::from_secs(600), 20)
    }

    fn recent(
        &self,
        map: &mut HashMap<String, VecDeque<Instant>>,
        key: &str,
        now: Instant,
    ) -> usize {
        if map.len() > 100_000 {
            map.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < self.window)
            });
        }
        let times = map.entry(key.to_owned()).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) > self.window)
        {
            times.pop_front();
        }
        times.len()
    }

    /// Under the limit now?
    pub fn allows(&self, key: &str) -> bool {
        let mut map = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        self.recent(&mut map, key, Instant::now()) < self.limit
    }

    pub fn record(&self, key: &str) {
        let now = Instant::now();
        let mut map = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        self.recent(&mut map, key, now);
        map.entry(key.to_owned()).or_default().push_back(now);
    }

    /// Records one more if under the limit; false (and nothing recorded) if over.
    pub fn try_take(&self, key: &str) -> bool {
        let now = Instant::now();
        let mut map = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if self.recent(&mut map, key, now) >= self.limit {
            return false;
        }
        map.entry(key.to_owned()).or_default().push_back(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_the_limit_and_per_account_only() {
        let l = LoginLimiter::new(Duration::from_secs(60), 3, 100);
        for _ in 0..3 {
            assert!(l.allows("1.2.3.4", "a@x"));
            l.record_failure("1.2.3.4", "a@x");
        }
        assert!(!l.allows("1.2.3.4", "A@X "));
        assert!(l.allows("1.2.3.4", "b@x"));
        assert!(l.allows("5.6.7.8", "a@x"));
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
    fn the_address_limit_covers_many_accounts() {
        let l = LoginLimiter::new(Duration::from_secs(60), 100, 2);
        l.record_failure("1.2.3.4", "a@x");
        l.record_failure("1.2.3.4", "b@x");
        assert!(!l.allows("1.2.3.4", "c@x"));
    }
}
