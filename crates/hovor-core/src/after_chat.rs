//! After-chat work: when a conversation an operator held ends, its group may
//! give them time to finish (notes, a follow-up) before anything new of that
//! channel is offered to them. The time runs out by itself, or the operator
//! says they are ready. Each rest is a span of its own, so reports show it.

use crate::{Channel, Millis};

/// The longest after-chat time a group may give (seconds).
pub const MAX_AFTER_CHAT_S: u32 = 600;

/// Is `seconds` a group's after-chat time (0 = none)?
pub fn valid_seconds(seconds: i64) -> Option<u32> {
    u32::try_from(seconds)
        .ok()
        .filter(|s| *s <= MAX_AFTER_CHAT_S)
}

/// A rest after a conversation, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rest {
    pub channel: Channel,
    pub started_at: Millis,
    /// When the time runs out.
    pub ends_at: Millis,
    /// When it ended before that (the operator was ready, or a later
    /// conversation's rest took its place).
    pub ended_at: Option<Millis>,
}

impl Rest {
    /// The rest a conversation of `channel` held by an operator leaves when
    /// it ends at `now`, for a group's `after_chat_s`; none for 0.
    pub fn after(channel: Channel, after_chat_s: u32, now: Millis) -> Option<Rest> {
        (after_chat_s > 0).then(|| Rest {
            channel,
            started_at: now,
            ends_at: now + Millis::from(after_chat_s) * 1000,
            ended_at: None,
        })
    }

    /// When it ended, or ends.
    pub fn end(&self) -> Millis {
        self.ended_at.map_or(self.ends_at, |e| e.min(self.ends_at))
    }

    /// Does it still hold back offers at `now`?
    pub fn running(&self, now: Millis) -> bool {
        self.ended_at.is_none() && self.ends_at > now
    }

    /// Its seconds within `[from, to)`, up to `now` (a running rest counts
    /// what has passed).
    pub fn seconds_within(&self, from: Millis, to: Millis, now: Millis) -> i64 {
        let start = self.started_at.max(from);
        let end = self.end().min(to).min(now);
        ((end - start).max(0)) / 1000
    }
}

/// The channels a set of rests holds back at `now`.
pub fn resting_channels(rests: &[Rest], now: Millis) -> Vec<Channel> {
    let mut channels: Vec<Channel> = rests
        .iter()
        .filter(|r| r.running(now))
        .map(|r| r.channel)
        .collect();
    channels.sort();
    channels.dedup();
    channels
}

/// Seconds of after-chat work in each bucket `[start, end)`, up to `now`.
pub fn seconds_per_bucket(
    rests: &[Rest],
    buckets: &[crate::reports::calendar::Bucket],
    now: Millis,
) -> Vec<i64> {
    buckets
        .iter()
        .map(|b| {
            rests
                .iter()
                .map(|r| r.seconds_within(b.start, b.end, now))
                .sum()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_groups_time_is_0_to_600_seconds() {
        assert_eq!(valid_seconds(0), Some(0));
        assert_eq!(valid_seconds(600), Some(600));
        assert_eq!(valid_seconds(601), None);
        assert_eq!(valid_seconds(-1), None);
        assert_eq!(Rest::after(Channel::Chat, 0, 5), None);
    }

    #[test]
    fn a_rest_runs_out_or_ends_when_the_operator_is_ready() {
        let rest = Rest::after(Channel::Chat, 30, 1_000).expect("a rest");
        assert_eq!(rest.ends_at, 31_000);
        assert!(rest.running(30_999));
        assert!(!rest.running(31_000));
        assert_eq!(rest.end(), 31_000);
        assert_eq!(rest.seconds_within(0, 100_000, 100_000), 30);
        assert_eq!(rest.seconds_within(0, 100_000, 11_000), 10, "so far");
        assert_eq!(rest.seconds_within(21_000, 100_000, 100_000), 10, "clipped");
        let ready = Rest {
            ended_at: Some(6_000),
            ..rest.clone()
        };
        assert!(!ready.running(2_000));
        assert_eq!(ready.seconds_within(0, 100_000, 100_000), 5);
        assert_eq!(
            resting_channels(&[rest.clone(), ready], 2_000),
            vec![Channel::Chat]
        );
        assert!(resting_channels(std::slice::from_ref(&rest), 40_000).is_empty());
        let day = |start, end| crate::reports::calendar::Bucket { start, end };
        assert_eq!(
            seconds_per_bucket(&[rest], &[day(0, 11_000), day(11_000, 50_000)], 50_000),
            vec![10, 20]
        );
    }
}
