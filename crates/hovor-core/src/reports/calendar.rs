//! Calendar days, ISO weeks and hours as people in a time zone live them,
//! turned into UTC instants. A day across a daylight-saving change has 23 or
//! 25 hours; a day whose midnight falls into a gap starts when the gap ends.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Timelike};
pub use chrono_tz::Tz;

use crate::Millis;

/// Our users are Czech companies.
pub const DEFAULT_TZ: Tz = chrono_tz::Europe::Prague;

/// The longest window a report covers, in local calendar days.
pub const MAX_WINDOW_DAYS: i64 = 93;

const MINUTE_MS: Millis = 60_000;
const HOUR_MS: Millis = 60 * MINUTE_MS;

/// An IANA time zone name such as `Europe/Prague`.
pub fn parse_tz(name: &str) -> Option<Tz> {
    name.parse().ok()
}

/// How a report splits its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Hour,
    Day,
    /// ISO weeks: Monday to Sunday.
    Week,
}

/// One part of a report's window: `[start, end)` in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bucket {
    pub start: Millis,
    pub end: Millis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WindowError {
    #[error("to must be after from")]
    NotAfter,
    #[error("a report covers at most {MAX_WINDOW_DAYS} days")]
    TooLong,
}

/// `to` after `from`, and at most [`MAX_WINDOW_DAYS`] apart, either in
/// elapsed time or on the local clock (so a window of whole local days
/// across the autumn change, an hour longer, still fits).
pub fn check_window(from: Millis, to: Millis, tz: Tz) -> Result<(), WindowError> {
    if to <= from {
        return Err(WindowError::NotAfter);
    }
    let most = Duration::days(MAX_WINDOW_DAYS);
    if Duration::milliseconds(to - from) <= most {
        return Ok(());
    }
    let local = |t: Millis| DateTime::from_timestamp_millis(t).map(|d| d.with_timezone(&tz));
    match (local(from), local(to)) {
        (Some(a), Some(b)) if b.naive_local() - a.naive_local() <= most => Ok(()),
        _ => Err(WindowError::TooLong),
    }
}

/// The window split at the local boundaries of `period`; the first and last
/// buckets are clipped to the window.
pub fn buckets(from: Millis, to: Millis, tz: Tz, period: Period) -> Vec<Bucket> {
    let mut out = Vec::new();
    let mut start = from;
    while start < to {
        let end = next_boundary(start, tz, period).min(to);
        out.push(Bucket { start, end });
        start = end;
    }
    out
}

/// The index of the bucket holding `t`, for contiguous buckets in order.
pub fn bucket_of(buckets: &[Bucket], t: Millis) -> Option<usize> {
    let i = buckets.partition_point(|b| b.end <= t);
    buckets.get(i).filter(|b| b.start <= t).map(|_| i)
}

/// The first boundary of `period` after `t`.
fn next_boundary(t: Millis, tz: Tz, period: Period) -> Millis {
    let next = match period {
        Period::Hour => next_hour(t, tz),
        Period::Day => local_date(t, tz)
            .and_then(|d| d.succ_opt())
            .and_then(|d| start_of_day(d, tz)),
        Period::Week => local_date(t, tz)
            .and_then(|d| {
                let to_monday = 7 - i64::from(d.weekday().num_days_from_monday());
                d.checked_add_signed(Duration::days(to_monday))
            })
            .and_then(|d| start_of_day(d, tz)),
    };
    // Never stand still, even for an instant chrono cannot place.
    next.filter(|n| *n > t).unwrap_or(t + HOUR_MS)
}

fn local_date(t: Millis, tz: Tz) -> Option<NaiveDate> {
    DateTime::from_timestamp_millis(t).map(|d| d.with_timezone(&tz).date_naive())
}

/// The first instant of a local date: its midnight, or where a gap that
/// swallows midnight ends. Offsets move in quarter hours.
fn start_of_day(date: NaiveDate, tz: Tz) -> Option<Millis> {
    let midnight = date.and_time(NaiveTime::MIN);
    (0..=96).find_map(|quarter| {
        tz.from_local_datetime(&(midnight + Duration::minutes(15 * quarter)))
            .earliest()
            .map(|t| t.timestamp_millis())
    })
}

/// The next instant after `t` at which the local clock shows a whole hour.
/// Every offset in use is a whole number of quarter hours, so it is one of
/// the next four quarter hours of UTC.
fn next_hour(t: Millis, tz: Tz) -> Option<Millis> {
    let quarter = 15 * MINUTE_MS;
    let first = t.div_euclid(quarter) * quarter + quarter;
    (0..4).map(|i| first + i * quarter).find(|c| {
        DateTime::from_timestamp_millis(*c)
            .map(|d| d.with_timezone(&tz))
            .is_some_and(|d| d.minute() == 0 && d.second() == 0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{parse_rfc3339, to_rfc3339};

    fn at(text: &str) -> Millis {
        parse_rfc3339(text).unwrap_or(i64::MIN)
    }

    fn prague() -> Tz {
        parse_tz("Europe/Prague").unwrap_or(DEFAULT_TZ)
    }

    fn texts(buckets: &[Bucket]) -> Vec<(String, String)> {
        buckets
            .iter()
            .map(|b| (to_rfc3339(b.start), to_rfc3339(b.end)))
            .collect()
    }

    #[test]
    fn time_zones_are_known_by_their_iana_names() {
        assert_eq!(parse_tz("Europe/Prague"), Some(chrono_tz::Europe::Prague));
        assert_eq!(parse_tz("UTC"), Some(chrono_tz::UTC));
        assert_eq!(parse_tz("Europe/Brno"), None);
        assert_eq!(parse_tz(""), None);
    }

    #[test]
    fn days_are_local_days_in_utc_instants() {
        // Winter: Prague is UTC+1.
        let days = buckets(
            at("2026-01-04T23:00:00Z"),
            at("2026-01-06T23:00:00Z"),
            prague(),
            Period::Day,
        );
        assert_eq!(
            texts(&days),
            vec![
                (
                    "2026-01-04T23:00:00.000Z".into(),
                    "2026-01-05T23:00:00.000Z".into()
                ),
                (
                    "2026-01-05T23:00:00.000Z".into(),
                    "2026-01-06T23:00:00.000Z".into()
                ),
            ]
        );
    }

    #[test]
    fn the_spring_change_makes_a_day_of_23_hours() {
        // 2026-03-29: 02:00 CET becomes 03:00 CEST.
        let from = at("2026-03-28T23:00:00Z");
        let to = at("2026-03-29T22:00:00Z");
        let days = buckets(from, to, prague(), Period::Day);
        assert_eq!(
            days,
            vec![Bucket {
                start: from,
                end: to
            }]
        );
        assert_eq!((to - from) / HOUR_MS, 23);
        let hours = buckets(from, to, prague(), Period::Hour);
        assert_eq!(hours.len(), 23);
        assert!(hours.iter().all(|h| h.end - h.start == HOUR_MS));
        // 01:00 CET is followed by 03:00 CEST.
        assert_eq!(to_rfc3339(hours[2].start), "2026-03-29T01:00:00.000Z");
    }

    #[test]
    fn the_autumn_change_makes_a_day_of_25_hours() {
        // 2026-10-25: 03:00 CEST becomes 02:00 CET; 02:00-03:00 happens twice.
        let from = at("2026-10-24T22:00:00Z");
        let to = at("2026-10-25T23:00:00Z");
        let days = buckets(from, to, prague(), Period::Day);
        assert_eq!(
            days,
            vec![Bucket {
                start: from,
                end: to
            }]
        );
        assert_eq!((to - from) / HOUR_MS, 25);
        let hours = buckets(from, to, prague(), Period::Hour);
        assert_eq!(hours.len(), 25);
        assert!(hours.iter().all(|h| h.end - h.start == HOUR_MS));
        // Both 02:00 hours are there.
        assert_eq!(to_rfc3339(hours[2].start), "2026-10-25T00:00:00.000Z");
        assert_eq!(to_rfc3339(hours[3].start), "2026-10-25T01:00:00.000Z");
    }

    #[test]
    fn hours_follow_half_hour_offsets() {
        let kolkata = parse_tz("Asia/Kolkata").unwrap_or(DEFAULT_TZ);
        let hours = buckets(
            at("2026-01-05T00:00:00Z"),
            at("2026-01-05T02:00:00Z"),
            kolkata,
            Period::Hour,
        );
        // 05:30 local to 06:00, then whole local hours.
        assert_eq!(
            texts(&hours),
            vec![
                (
                    "2026-01-05T00:00:00.000Z".into(),
                    "2026-01-05T00:30:00.000Z".into()
                ),
                (
                    "2026-01-05T00:30:00.000Z".into(),
                    "2026-01-05T01:30:00.000Z".into()
                ),
                (
                    "2026-01-05T01:30:00.000Z".into(),
                    "2026-01-05T02:00:00.000Z".into()
                ),
            ]
        );
    }

    #[test]
    fn weeks_start_on_monday_and_the_window_clips_them() {
        // Wednesday 2026-01-07 noon to Wednesday 2026-01-21 noon, Prague.
        let weeks = buckets(
            at("2026-01-07T11:00:00Z"),
            at("2026-01-21T11:00:00Z"),
            prague(),
            Period::Week,
        );
        assert_eq!(
            texts(&weeks),
            vec![
                (
                    "2026-01-07T11:00:00.000Z".into(),
                    "2026-01-11T23:00:00.000Z".into()
                ),
                (
                    "2026-01-11T23:00:00.000Z".into(),
                    "2026-01-18T23:00:00.000Z".into()
                ),
                (
                    "2026-01-18T23:00:00.000Z".into(),
                    "2026-01-21T11:00:00.000Z".into()
                ),
            ]
        );
        // A Monday midnight starts a new week.
        let monday = at("2026-01-11T23:00:00Z");
        let next = buckets(monday, monday + 8 * 24 * HOUR_MS, prague(), Period::Week);
        assert_eq!(next[0].end - next[0].start, 7 * 24 * HOUR_MS);
    }

    #[test]
    fn a_day_whose_midnight_falls_into_a_gap_starts_when_the_gap_ends() {
        // Santiago moved its clocks from 00:00 to 01:00 on 2025-09-07.
        let santiago = parse_tz("America/Santiago").unwrap_or(DEFAULT_TZ);
        let days = buckets(
            at("2025-09-06T12:00:00Z"),
            at("2025-09-07T12:00:00Z"),
            santiago,
            Period::Day,
        );
        assert_eq!(to_rfc3339(days[0].end), "2025-09-07T04:00:00.000Z");
    }

    #[test]
    fn windows_are_checked_on_the_local_clock() {
        let tz = prague();
        let from = at("2026-01-01T00:00:00Z");
        assert_eq!(check_window(from, from, tz), Err(WindowError::NotAfter));
        assert_eq!(check_window(from, from - 1, tz), Err(WindowError::NotAfter));
        let day = 24 * HOUR_MS;
        assert_eq!(check_window(from, from + 93 * day, tz), Ok(()));
        assert_eq!(
            check_window(from, from + 93 * day + 1, tz),
            Err(WindowError::TooLong)
        );
        // Local midnights 93 days apart across the autumn change: 93 days
        // and an hour.
        let start = at("2026-08-31T22:00:00Z");
        let end = at("2026-12-02T23:00:00Z");
        assert_eq!(end - start, 93 * day + HOUR_MS);
        assert_eq!(check_window(start, end, tz), Ok(()));
    }

    #[test]
    fn an_instant_finds_its_bucket() {
        let days = [Bucket { start: 0, end: 10 }, Bucket { start: 10, end: 20 }];
        assert_eq!(bucket_of(&days, 0), Some(0));
        assert_eq!(bucket_of(&days, 9), Some(0));
        assert_eq!(bucket_of(&days, 10), Some(1));
        assert_eq!(bucket_of(&days, 20), None);
        assert_eq!(bucket_of(&days, -1), None);
        assert_eq!(bucket_of(&[], 5), None);
    }
}
