//! The queue per bucket: how many clients came, how many were answered (and
//! how many of them within the service level), how many gave up, how long
//! they waited and how many waited at once.
//!
//! A session waits from its creation until it is accepted (answered), or
//! until it ends unaccepted: with `abandoned` or `client_left` the client
//! gave up (abandoned). A session counts in the bucket it was created in;
//! [`QueueLine::max_waiting`] counts every session waiting during the
//! bucket, wherever it was created.

use super::calendar::{bucket_of, Bucket};
use crate::session::EndReason;
use crate::Millis;

/// What a session's wait is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waited {
    pub created_at: Millis,
    pub accepted_at: Option<Millis>,
    pub ended_at: Option<Millis>,
    pub end_reason: Option<EndReason>,
}

/// How a wait ended, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitEnd {
    Answered(Millis),
    /// The client left before anyone accepted them.
    Abandoned(Millis),
    /// Ended unaccepted for another reason.
    Ended(Millis),
    /// Still waiting.
    Waiting,
}

impl Waited {
    pub fn end(&self) -> WaitEnd {
        match (self.accepted_at, self.ended_at, self.end_reason) {
            (Some(at), _, _) => WaitEnd::Answered(at),
            (None, Some(at), Some(EndReason::Abandoned | EndReason::ClientLeft)) => {
                WaitEnd::Abandoned(at)
            }
            (None, Some(at), _) => WaitEnd::Ended(at),
            (None, None, _) => WaitEnd::Waiting,
        }
    }

    /// How long a finished wait took; `None` while still waiting.
    pub fn wait_ms(&self) -> Option<Millis> {
        match self.end() {
            WaitEnd::Answered(at) | WaitEnd::Abandoned(at) | WaitEnd::Ended(at) => {
                Some((at - self.created_at).max(0))
            }
            WaitEnd::Waiting => None,
        }
    }

    /// `[created_at, end)` of the wait; a wait still going on runs to `now`.
    fn interval(&self, now: Millis) -> (Millis, Millis) {
        let end = match self.end() {
            WaitEnd::Answered(at) | WaitEnd::Abandoned(at) | WaitEnd::Ended(at) => at,
            WaitEnd::Waiting => now,
        };
        (self.created_at, end)
    }
}

/// The queue in one bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueLine {
    pub created: i64,
    pub answered: i64,
    pub answered_within_sl: i64,
    pub abandoned: i64,
    /// The most sessions waiting at the same time during the bucket.
    pub max_waiting: i64,
    /// Finished waits (answered or not) of sessions created in the bucket.
    pub waits: i64,
    pub wait_total_ms: Millis,
    pub max_wait_ms: Option<Millis>,
}

impl QueueLine {
    /// The average finished wait in seconds, to a tenth; `None` without any.
    pub fn avg_wait_s(&self) -> Option<f64> {
        average_s(self.wait_total_ms, self.waits)
    }

    /// The longest finished wait in whole seconds; `None` without any.
    pub fn max_wait_s(&self) -> Option<i64> {
        self.max_wait_ms.map(|ms| ms / 1000)
    }

    fn count(&mut self, session: &Waited, service_level_ms: Millis) {
        self.created += 1;
        match session.end() {
            WaitEnd::Answered(_) => {
                self.answered += 1;
                if session.wait_ms().is_some_and(|w| w <= service_level_ms) {
                    self.answered_within_sl += 1;
                }
            }
            WaitEnd::Abandoned(_) => self.abandoned += 1,
            WaitEnd::Ended(_) | WaitEnd::Waiting => {}
        }
        if let Some(wait) = session.wait_ms() {
            self.waits += 1;
            self.wait_total_ms += wait;
            self.max_wait_ms = Some(self.max_wait_ms.map_or(wait, |m| m.max(wait)));
        }
    }
}

fn average_s(total_ms: Millis, n: i64) -> Option<f64> {
    (n > 0).then(|| (total_ms as f64 / n as f64 / 100.0).round() / 10.0)
}

/// The whole window: the lines added up.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueueTotals {
    pub created: i64,
    pub answered: i64,
    pub answered_within_sl: i64,
    pub abandoned: i64,
    pub avg_wait_s: Option<f64>,
    pub max_wait_s: Option<i64>,
    /// Answered within the service level over answered and abandoned, 0 to
    /// 1; `None` when nobody was answered or gave up.
    pub service_level: Option<f64>,
}

/// One line per bucket. `sessions` are those whose wait reaches into the
/// window (some were created before it: they count only in
/// `max_waiting`); answered within the service level means a wait of at
/// most `service_level_ms`.
pub fn per_bucket(
    sessions: &[Waited],
    buckets: &[Bucket],
    service_level_ms: Millis,
    now: Millis,
) -> Vec<QueueLine> {
    let mut lines = vec![QueueLine::default(); buckets.len()];
    for s in sessions {
        if let Some(i) = bucket_of(buckets, s.created_at) {
            lines[i].count(s, service_level_ms);
        }
    }
    let intervals: Vec<(Millis, Millis)> = sessions.iter().map(|s| s.interval(now)).collect();
    for (line, most) in lines.iter_mut().zip(most_at_once(&intervals, buckets)) {
        line.max_waiting = most;
    }
    lines
}

/// The lines added up, averages over every wait.
pub fn totals(lines: &[QueueLine]) -> QueueTotals {
    let sum = |f: fn(&QueueLine) -> i64| lines.iter().map(f).sum::<i64>();
    let answered = sum(|l| l.answered);
    let abandoned = sum(|l| l.abandoned);
    let within = sum(|l| l.answered_within_sl);
    let finished = answered + abandoned;
    QueueTotals {
        created: sum(|l| l.created),
        answered,
        answered_within_sl: within,
        abandoned,
        avg_wait_s: average_s(sum(|l| l.wait_total_ms), sum(|l| l.waits)),
        max_wait_s: lines.iter().filter_map(QueueLine::max_wait_s).max(),
        service_level: (finished > 0).then(|| within as f64 / finished as f64),
    }
}

/// For each bucket, the most of the half-open intervals `[start, end)` that
/// cover one instant of it. One sweep over the intervals' ends.
pub fn most_at_once(intervals: &[(Millis, Millis)], buckets: &[Bucket]) -> Vec<i64> {
    // An end sorts before a start at the same instant: one wait ending as
    // another begins are not at once.
    let mut edges: Vec<(Millis, i64)> = intervals
        .iter()
        .filter(|(start, end)| start < end)
        .flat_map(|&(start, end)| [(start, 1), (end, -1)])
        .collect();
    edges.sort_unstable();
    let mut edges = edges.into_iter().peekable();
    let mut level = 0;
    buckets
        .iter()
        .map(|b| {
            // Everything up to the bucket's start sets the level it opens with.
            while let Some((_, delta)) = edges.next_if(|(t, _)| *t <= b.start) {
                level += delta;
            }
            let mut most = level;
            while let Some((_, delta)) = edges.next_if(|(t, _)| *t < b.end) {
                level += delta;
                most = most.max(level);
            }
            most
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Millis = 1000;
    const H: Millis = 3600 * S;

    fn hours(n: i64) -> Vec<Bucket> {
        (0..n)
            .map(|i| Bucket {
                start: i * H,
                end: (i + 1) * H,
            })
            .collect()
    }

    fn answered(created: Millis, wait: Millis) -> Waited {
        Waited {
            created_at: created,
            accepted_at: Some(created + wait),
            ended_at: None,
            end_reason: None,
        }
    }

    fn left(created: Millis, wait: Millis, reason: EndReason) -> Waited {
        Waited {
            created_at: created,
            accepted_at: None,
            ended_at: Some(created + wait),
            end_reason: Some(reason),
        }
    }

    #[test]
    fn a_wait_ends_with_an_answer_or_with_the_client_leaving() {
        assert_eq!(answered(0, 45 * S).end(), WaitEnd::Answered(45 * S));
        assert_eq!(answered(0, 45 * S).wait_ms(), Some(45 * S));
        let gone = left(0, 90 * S, EndReason::Abandoned);
        assert_eq!(gone.end(), WaitEnd::Abandoned(90 * S));
        let gone = left(0, 10 * S, EndReason::ClientLeft);
        assert_eq!(gone.end(), WaitEnd::Abandoned(10 * S));
        let ended = left(0, 5 * S, EndReason::OperatorEnded);
        assert_eq!(ended.end(), WaitEnd::Ended(5 * S));
        // Answered and then left: answered.
        let mut talked = answered(0, 3 * S);
        talked.ended_at = Some(60 * S);
        talked.end_reason = Some(EndReason::ClientLeft);
        assert_eq!(talked.end(), WaitEnd::Answered(3 * S));
        let waiting = Waited {
            created_at: 0,
            accepted_at: None,
            ended_at: None,
            end_reason: None,
        };
        assert_eq!(waiting.end(), WaitEnd::Waiting);
        assert_eq!(waiting.wait_ms(), None);
    }

    #[test]
    fn an_hour_counts_answers_the_service_level_and_waits() {
        let sessions = [
            answered(10 * S, 15 * S),
            answered(20 * S, 20 * S),
            answered(30 * S, 45 * S),
            left(40 * S, 90 * S, EndReason::Abandoned),
            // The next hour.
            answered(H + 5 * S, 5 * S),
        ];
        let lines = per_bucket(&sessions, &hours(3), 20 * S, 10 * H);
        let first = &lines[0];
        assert_eq!(first.created, 4);
        assert_eq!(first.answered, 3);
        assert_eq!(first.answered_within_sl, 2, "20 s is within 20 s");
        assert_eq!(first.abandoned, 1);
        assert_eq!(first.avg_wait_s(), Some(42.5));
        assert_eq!(first.max_wait_s(), Some(90));
        // 10-25, 20-40, 30-75, 40-130: never more than two at once.
        assert_eq!(first.max_waiting, 2);
        assert_eq!(lines[1].created, 1);
        assert_eq!(lines[1].max_waiting, 1);
        assert_eq!(lines[2], QueueLine::default());

        let t = totals(&lines);
        assert_eq!(t.created, 5);
        assert_eq!(t.answered, 4);
        assert_eq!(t.answered_within_sl, 3);
        assert_eq!(t.abandoned, 1);
        assert_eq!(t.service_level, Some(0.6));
        assert_eq!(t.avg_wait_s, Some(35.0));
        assert_eq!(t.max_wait_s, Some(90));
    }

    #[test]
    fn nothing_answered_or_abandoned_has_no_service_level() {
        let t = totals(&per_bucket(&[], &hours(2), 20 * S, H));
        assert_eq!(t.service_level, None);
        assert_eq!(t.avg_wait_s, None);
        assert_eq!(t.max_wait_s, None);
        assert_eq!(t.created, 0);
    }

    #[test]
    fn waits_from_before_the_window_and_still_going_on_count_as_waiting() {
        let sessions = [
            // Created before the window, answered in its first hour.
            answered(-H, H + 10 * S),
            // Still waiting since the second hour, now is in the third.
            Waited {
                created_at: H + 30 * S,
                accepted_at: None,
                ended_at: None,
                end_reason: None,
            },
        ];
        let lines = per_bucket(&sessions, &hours(4), 20 * S, 2 * H + 60 * S);
        assert_eq!(lines[0].created, 0);
        assert_eq!(lines[0].max_waiting, 1);
        assert_eq!(lines[1].created, 1);
        assert_eq!(lines[1].max_waiting, 1);
        assert_eq!(lines[2].max_waiting, 1);
        assert_eq!(lines[3].max_waiting, 0, "the future is empty");
        assert_eq!(
            lines[1].avg_wait_s(),
            None,
            "a wait going on has no length yet"
        );
    }

    #[test]
    fn at_once_means_overlapping_not_touching() {
        let buckets = hours(2);
        // Back to back: never two at once.
        assert_eq!(
            most_at_once(&[(0, 10 * S), (10 * S, 20 * S)], &buckets),
            vec![1, 0]
        );
        // Overlapping inside the first hour; one runs into the second.
        assert_eq!(
            most_at_once(&[(0, 10 * S), (5 * S, 15 * S), (8 * S, H + 1)], &buckets),
            vec![3, 1]
        );
        // One that ends exactly where the second hour begins is not in it.
        assert_eq!(most_at_once(&[(0, H)], &buckets), vec![1, 0]);
        // Empty and inverted intervals count for nothing.
        assert_eq!(most_at_once(&[(5, 5), (9, 3)], &buckets), vec![0, 0]);
    }
}
