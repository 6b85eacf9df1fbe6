//! A client's place in the queue, and the wait it can expect.

use crate::Millis;

/// A wait is never estimated below this per client ahead.
pub const MIN_WAIT_PER_CLIENT_MS: Millis = 5_000;
/// Only acceptances this recent count as evidence of how long a wait is.
pub const RECENT_WINDOW_MS: Millis = 30 * 60_000;

/// The estimated wait, in seconds, of a session at this 1-based position:
/// each client up to and including it takes as long as recent acceptances
/// (within [`RECENT_WINDOW_MS`]) took on average. Without such evidence —
/// nobody has been taken lately, so nobody may be serving — there is no
/// estimate rather than an invented one. Only a session still waiting has
/// one: an offered session is about to be taken.
pub fn estimated_wait_s(
    position: i64,
    waiting: bool,
    recent_average_ms: Option<Millis>,
) -> Option<i64> {
    let per_client = recent_average_ms?.max(MIN_WAIT_PER_CLIENT_MS);
    waiting.then_some(position * per_client / 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_grows_with_the_place_and_recent_acceptances() {
        assert_eq!(
            estimated_wait_s(1, true, None),
            None,
            "no recent acceptance: no estimate, not an invented one"
        );
        assert_eq!(estimated_wait_s(3, true, Some(20_000)), Some(60));
        assert_eq!(
            estimated_wait_s(2, true, Some(100)),
            Some(10),
            "at least 5 s each"
        );
        assert_eq!(estimated_wait_s(1, false, Some(20_000)), None, "offered");
    }
}
