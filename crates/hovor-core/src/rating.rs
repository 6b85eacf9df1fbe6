//! A client's rating of a conversation: when they may give one, what it
//! holds, and how ratings add up in a report.

use crate::reports::calendar::bucket_of;
use crate::reports::Bucket;
use crate::session::SessionStatus;
use crate::{Millis, Refusal};

pub const MAX_COMMENT_CHARS: usize = 1000;

/// What is wrong with a rating itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RatingProblem {
    ScoreOutOfRange,
    CommentTooLong,
}

/// A score of 1 to 5 stars and an optional comment (a blank one is none).
pub fn check(score: i64, comment: Option<&str>) -> Result<(u8, Option<String>), RatingProblem> {
    let score = u8::try_from(score)
        .ok()
        .filter(|s| (1..=5).contains(s))
        .ok_or(RatingProblem::ScoreOutOfRange)?;
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    if comment.is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS) {
        return Err(RatingProblem::CommentTooLong);
    }
    Ok((score, comment.map(str::to_owned)))
}

/// The facts that decide whether a conversation may be rated now.
pub struct RatingFacts {
    pub status: SessionStatus,
    /// Some operator took it (there was a conversation to rate).
    pub was_accepted: bool,
    pub already_rated: bool,
    /// The company asks its clients for ratings.
    pub enabled: bool,
}

/// A client rates a conversation once, after it ended, if an operator took
/// it and the company asks for ratings.
pub fn may_rate(f: &RatingFacts) -> Result<(), Refusal> {
    if !f.enabled {
        return Err(Refusal::RatingsOff);
    }
    if f.status != SessionStatus::Ended {
        return Err(Refusal::NotEndedYet);
    }
    if !f.was_accepted {
        return Err(Refusal::NothingToRate);
    }
    if f.already_rated {
        return Err(Refusal::AlreadyRated);
    }
    Ok(())
}

/// Per bucket: how many ratings, and their average (none without any).
pub fn per_bucket(
    ratings: impl IntoIterator<Item = (Millis, u8)>,
    buckets: &[Bucket],
) -> Vec<(i64, Option<f64>)> {
    let mut sums = vec![(0_i64, 0_i64); buckets.len()];
    for (at, score) in ratings {
        if let Some(i) = bucket_of(buckets, at) {
            sums[i].0 += 1;
            sums[i].1 += i64::from(score);
        }
    }
    sums.into_iter()
        .map(|(n, sum)| {
            let average = (n > 0).then(|| (sum as f64 / n as f64 * 100.0).round() / 100.0);
            (n, average)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> RatingFacts {
        RatingFacts {
            status: SessionStatus::Ended,
            was_accepted: true,
            already_rated: false,
            enabled: true,
        }
    }

    #[test]
    fn a_rating_is_one_to_five_with_a_short_comment() {
        assert_eq!(check(5, Some("  Skvělé  ")), Ok((5, Some("Skvělé".into()))));
        assert_eq!(check(1, Some("   ")), Ok((1, None)));
        for bad in [0, 6, -1, 256] {
            assert_eq!(
                check(bad, None),
                Err(RatingProblem::ScoreOutOfRange),
                "{bad}"
            );
        }
        assert!(check(3, Some(&"ž".repeat(1000))).is_ok());
        assert_eq!(
            check(3, Some(&"ž".repeat(1001))),
            Err(RatingProblem::CommentTooLong)
        );
    }

    #[test]
    fn once_after_a_conversation_that_happened() {
        assert_eq!(may_rate(&facts()), Ok(()));
        let cases = [
            (
                RatingFacts {
                    enabled: false,
                    ..facts()
                },
                Refusal::RatingsOff,
            ),
            (
                RatingFacts {
                    status: SessionStatus::Active,
                    ..facts()
                },
                Refusal::NotEndedYet,
            ),
            (
                RatingFacts {
                    was_accepted: false,
                    ..facts()
                },
                Refusal::NothingToRate,
            ),
            (
                RatingFacts {
                    already_rated: true,
                    ..facts()
                },
                Refusal::AlreadyRated,
            ),
        ];
        for (f, refusal) in cases {
            assert_eq!(may_rate(&f), Err(refusal));
        }
    }

    #[test]
    fn ratings_add_up_per_bucket() {
        let buckets = [
            Bucket { start: 0, end: 100 },
            Bucket {
                start: 100,
                end: 200,
            },
            Bucket {
                start: 200,
                end: 300,
            },
        ];
        let got = per_bucket([(10, 5), (20, 4), (30, 4), (150, 1), (999, 5)], &buckets);
        assert_eq!(got, [(3, Some(4.33)), (1, Some(1.0)), (0, None)]);
    }
}
