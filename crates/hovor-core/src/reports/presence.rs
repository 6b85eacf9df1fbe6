//! An operator's time per presence and handled sessions in each bucket of a
//! report, from their history spans ([`summarize`] per bucket).

use super::calendar::{bucket_of, Bucket};
use crate::summary::{summarize, HistorySpan, PauseSeconds, Summary};
use crate::Millis;

/// One [`Summary`] per bucket. The part of a bucket after `now` has not
/// happened and counts in no part, so a past bucket's parts add up to its
/// length and today's to the time gone by.
///
/// `spans` are one operator's, in the order history records them (each
/// begins where the one before ended).
pub fn per_bucket(spans: &[HistorySpan], buckets: &[Bucket], now: Millis) -> Vec<Summary> {
    buckets
        .iter()
        .map(|b| {
            let end = b.end.min(now);
            if end <= b.start {
                return Summary::default();
            }
            // Only the spans that reach into the bucket.
            let upto = spans.partition_point(|s| s.started_at < end);
            let reaching = &spans[..upto];
            let first = reaching.partition_point(|s| s.ended_at.is_some_and(|e| e <= b.start));
            summarize(&reaching[first..], b.start, end)
        })
        .collect()
}

/// Seconds of paid and of unpaid breaks: `(paid, unpaid)`.
pub fn paid_and_unpaid(breaks: &[PauseSeconds], is_paid: impl Fn(&str) -> bool) -> (i64, i64) {
    breaks.iter().fold((0, 0), |(paid, unpaid), b| {
        if is_paid(&b.pause_type_id) {
            (paid + b.seconds, unpaid)
        } else {
            (paid, unpaid + b.seconds)
        }
    })
}

/// How many of the instants fall into each bucket.
pub fn count_per_bucket(times: impl IntoIterator<Item = Millis>, buckets: &[Bucket]) -> Vec<i64> {
    let mut counts = vec![0; buckets.len()];
    for t in times {
        if let Some(i) = bucket_of(buckets, t) {
            counts[i] += 1;
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Presence;

    const H: Millis = 3_600_000;

    fn span(
        presence: Presence,
        pause: Option<&str>,
        start: Millis,
        end: Option<Millis>,
    ) -> HistorySpan {
        HistorySpan {
            presence,
            pause_type_id: pause.map(str::to_owned),
            started_at: start,
            ended_at: end,
        }
    }

    fn days(n: i64) -> Vec<Bucket> {
        (0..n)
            .map(|i| Bucket {
                start: i * 24 * H,
                end: (i + 1) * 24 * H,
            })
            .collect()
    }

    #[test]
    fn spans_are_split_at_bucket_boundaries() {
        // Online from 20:00 on day 0 to 02:00 on day 1, a paid break of an
        // hour, then online and still going on.
        let spans = [
            span(Presence::Online, None, 20 * H, Some(26 * H)),
            span(Presence::Break, Some("training"), 26 * H, Some(27 * H)),
            span(Presence::Online, None, 27 * H, None),
        ];
        let now = 30 * H;
        let s = per_bucket(&spans, &days(3), now);
        assert_eq!(s[0].online_s, 4 * 3600);
        assert_eq!(s[0].offline_s, 20 * 3600);
        assert_eq!(s[1].online_s, (2 + 3) * 3600);
        assert_eq!(
            s[1].break_s,
            vec![PauseSeconds {
                pause_type_id: "training".into(),
                seconds: 3600
            }]
        );
        // Day 1 has gone by until 06:00: its parts add up to six hours.
        assert_eq!(s[1].offline_s, 0);
        // Day 2 has not begun.
        assert_eq!(s[2], Summary::default());
    }

    #[test]
    fn a_bucket_before_any_history_is_offline() {
        let spans = [span(Presence::Online, None, 50 * H, None)];
        let s = per_bucket(&spans, &days(1), 100 * H);
        assert_eq!(s[0].offline_s, 24 * 3600);
        assert_eq!(s[0].online_s, 0);
    }

    #[test]
    fn breaks_are_split_into_paid_and_unpaid() {
        let breaks = [
            PauseSeconds {
                pause_type_id: "lunch".into(),
                seconds: 1800,
            },
            PauseSeconds {
                pause_type_id: "training".into(),
                seconds: 600,
            },
        ];
        assert_eq!(paid_and_unpaid(&breaks, |id| id == "training"), (600, 1800));
        assert_eq!(paid_and_unpaid(&[], |_| true), (0, 0));
    }

    #[test]
    fn instants_are_counted_in_their_bucket() {
        let counts = count_per_bucket([0, 5, 24 * H, 48 * H + 1, -1], &days(2));
        assert_eq!(counts, vec![2, 1]);
    }
}
