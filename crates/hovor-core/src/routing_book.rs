//! The routing book: what routing knows of a company's open sessions, kept
//! in memory and moved by each committed change, so that a routing pass or
//! a new client's availability reads no table.
//!
//! Every change of a session comes with the seq of its event in the
//! session's own stream. Those seqs grow with every change of the session
//! (its row lock orders them), so a change that arrives late — published
//! after a later one, or already contained in a reload — is recognised and
//! ignored: the book never steps back. An ended session is remembered for a
//! while for the same reason, so that a late "waiting" cannot bring it back.
//!
//! The book is a cache. The database keeps the last word: an offer planned
//! from it is rechecked inside the offer's transaction.

use std::collections::HashMap;

use crate::routing::{Candidate, Waiting};
use crate::{Channel, Millis};

/// Where a session stands, as routing sees it (other nodes' books learn it
/// over the bus).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "place", rename_all = "snake_case")]
pub enum Place {
    /// In the queue. Its `group_id` is the stored one (the built-in group
    /// too); [`RoutingBook::waiting`] maps the built-in one to `None`.
    Waiting(Waiting),
    /// Offered to (`offered`: still in the queue) or taken by this
    /// operator: it counts in their load.
    Held {
        operator_id: String,
        channel: Channel,
        offered: bool,
    },
    /// Ended: counts nowhere.
    Closed,
}

#[derive(Debug, Clone)]
struct Tracked {
    seq: i64,
    /// When the change was made (for forgetting ended sessions).
    at: Millis,
    place: Place,
}

/// Ended sessions are forgotten this long after they ended: far longer
/// than a change can take from its commit to the book.
pub const REMEMBER_CLOSED_MS: Millis = 60_000;

/// Fewer ended sessions than this are kept without a sweep.
const MIN_SWEEP: usize = 1024;

/// One company's open sessions, and the load and last offer they make for
/// each operator.
#[derive(Debug, Default, Clone)]
pub struct RoutingBook {
    sessions: HashMap<String, Tracked>,
    load: HashMap<String, HashMap<Channel, u32>>,
    last_offered: HashMap<String, Millis>,
    /// Sessions in the queue (waiting or offered), per channel.
    queued: HashMap<Channel, usize>,
    closed: usize,
    /// The next sweep of ended sessions comes when this many are kept.
    sweep_at: usize,
}

impl RoutingBook {
    pub fn new() -> RoutingBook {
        RoutingBook::default()
    }

    /// A session's change at `seq` (its place in the session's stream).
    /// Returns `false` when the book already knows this change or a later
    /// one, and so ignores it.
    pub fn apply(&mut self, session_id: &str, seq: i64, at: Millis, place: Place) -> bool {
        if let Some(known) = self.sessions.get(session_id) {
            if known.seq >= seq {
                return false;
            }
        }
        let old = self.sessions.insert(
            session_id.to_owned(),
            Tracked {
                seq,
                at,
                place: place.clone(),
            },
        );
        if let Some(old) = old {
            self.unhold(&old.place);
            if let Some(channel) = queued_on(&old.place) {
                if let Some(n) = self.queued.get_mut(&channel) {
                    *n = n.saturating_sub(1);
                }
            }
            if old.place == Place::Closed {
                self.closed -= 1;
            }
        }
        if let Some(channel) = queued_on(&place) {
            *self.queued.entry(channel).or_insert(0) += 1;
        }
        match &place {
            Place::Held {
                operator_id,
                channel,
                ..
            } => {
                *self
                    .load
                    .entry(operator_id.clone())
                    .or_default()
                    .entry(*channel)
                    .or_insert(0) += 1;
            }
            Place::Closed => {
                self.closed += 1;
                self.forget_closed(at);
            }
            Place::Waiting(_) => {}
        }
        true
    }

    /// The operator was offered a session at `at` (longest idle first moves
    /// on).
    pub fn offered(&mut self, operator_id: &str, at: Millis) {
        let last = self
            .last_offered
            .entry(operator_id.to_owned())
            .or_insert(at);
        *last = (*last).max(at);
    }

    /// The sessions waiting, oldest first; the built-in group is `None`.
    pub fn waiting(&self, builtin_group: Option<&str>) -> Vec<Waiting> {
        let mut waiting: Vec<Waiting> = self
            .sessions
            .values()
            .filter_map(|t| match &t.place {
                Place::Waiting(w) => {
                    let mut w = w.clone();
                    if w.group_id.is_some() && w.group_id.as_deref() == builtin_group {
                        w.group_id = None;
                    }
                    Some(w)
                }
                _ => None,
            })
            .collect();
        waiting.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then(a.session_id.cmp(&b.session_id))
        });
        waiting
    }

    /// How many are in the queue (waiting or offered) on this channel: a
    /// newcomer's place is one more.
    pub fn queued_on(&self, channel: Channel) -> usize {
        self.queued.get(&channel).copied().unwrap_or(0)
    }

    /// How many wait on this channel.
    pub fn waiting_on(&self, channel: Channel) -> usize {
        self.sessions
            .values()
            .filter(|t| matches!(&t.place, Place::Waiting(w) if w.channel == channel))
            .count()
    }

    /// The operators as routing sees them now: their facts (status,
    /// channels, groups: read elsewhere) with the load and last offer from
    /// this book.
    pub fn candidates(&self, operators: &[Candidate]) -> Vec<Candidate> {
        operators
            .iter()
            .map(|c| {
                let mut c = c.clone();
                c.load = self.load.get(&c.operator_id).cloned().unwrap_or_default();
                if let Some(at) = self.last_offered.get(&c.operator_id) {
                    c.last_offered_at = Some(c.last_offered_at.map_or(*at, |l| l.max(*at)));
                }
                c
            })
            .collect()
    }

    /// Sessions the book tracks (ended ones it still remembers included).
    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }

    fn unhold(&mut self, place: &Place) {
        if let Place::Held {
            operator_id,
            channel,
            ..
        } = place
        {
            if let Some(load) = self.load.get_mut(operator_id) {
                if let Some(n) = load.get_mut(channel) {
                    *n = n.saturating_sub(1);
                    if *n == 0 {
                        load.remove(channel);
                    }
                }
                if load.is_empty() {
                    self.load.remove(operator_id);
                }
            }
        }
    }

    /// Forgets sessions that ended long ago. A sweep runs when the ended
    /// ones kept have doubled since the last (and outnumber the open ones),
    /// so it costs little per change.
    fn forget_closed(&mut self, now: Millis) {
        if self.closed < self.sweep_at.max(MIN_SWEEP) {
            return;
        }
        let before = now - REMEMBER_CLOSED_MS;
        self.sessions
            .retain(|_, t| !(t.place == Place::Closed && t.at < before));
        self.closed = self
            .sessions
            .values()
            .filter(|t| t.place == Place::Closed)
            .count();
        let open = self.sessions.len() - self.closed;
        self.sweep_at = 2 * self.closed.max(open);
    }
}

/// The channel whose queue the session is in, if it is.
fn queued_on(place: &Place) -> Option<Channel> {
    match place {
        Place::Waiting(w) => Some(w.channel),
        Place::Held {
            channel,
            offered: true,
            ..
        } => Some(*channel),
        Place::Held { .. } | Place::Closed => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ChannelSetting;

    fn waiting(id: &str, at: Millis) -> Place {
        Place::Waiting(Waiting {
            session_id: id.into(),
            channel: Channel::Chat,
            group_id: Some("builtin".into()),
            target_operator_id: None,
            preferred_operator_id: None,
            created_at: at,
            declined_by: Vec::new(),
        })
    }

    fn held(operator: &str) -> Place {
        Place::Held {
            operator_id: operator.into(),
            channel: Channel::Chat,
            offered: false,
        }
    }

    fn offered(operator: &str) -> Place {
        Place::Held {
            operator_id: operator.into(),
            channel: Channel::Chat,
            offered: true,
        }
    }

    fn operator(id: &str) -> Candidate {
        Candidate {
            operator_id: id.into(),
            online: true,
            channels: vec![ChannelSetting {
                channel: Channel::Chat,
                enabled: true,
                capacity: 3,
            }],
            load: HashMap::new(),
            groups: vec![],
            last_offered_at: Some(5),
            phone_ready: false,
            resting: Vec::new(),
        }
    }

    fn load_of(book: &RoutingBook, id: &str) -> u32 {
        book.candidates(&[operator(id)])[0]
            .load
            .get(&Channel::Chat)
            .copied()
            .unwrap_or(0)
    }

    #[test]
    fn a_session_moves_from_the_queue_to_an_operators_load_and_out() {
        let mut book = RoutingBook::new();
        book.apply("s1", 1, 10, waiting("s1", 10));
        book.apply("s2", 1, 11, waiting("s2", 11));
        let ids: Vec<_> = book
            .waiting(Some("builtin"))
            .into_iter()
            .map(|w| (w.session_id, w.group_id))
            .collect();
        assert_eq!(ids, vec![("s1".into(), None), ("s2".into(), None)]);
        assert_eq!(book.waiting_on(Channel::Chat), 2);
        assert_eq!(book.queued_on(Channel::Chat), 2);

        book.apply("s1", 2, 20, offered("ann"));
        assert_eq!(book.queued_on(Channel::Chat), 2, "offered is still queued");
        assert_eq!(load_of(&book, "ann"), 1);
        book.apply("s1", 3, 25, held("ann"));
        assert_eq!(book.queued_on(Channel::Chat), 1, "accepted is not");
        book.offered("ann", 20);
        assert_eq!(load_of(&book, "ann"), 1);
        assert_eq!(
            book.candidates(&[operator("ann")])[0].last_offered_at,
            Some(20)
        );
        assert_eq!(book.waiting(Some("builtin")).len(), 1);

        book.apply("s1", 5, 30, Place::Closed);
        assert_eq!(load_of(&book, "ann"), 0);
    }

    #[test]
    fn a_late_change_never_steps_the_book_back() {
        let mut book = RoutingBook::new();
        // The session ended (seq 3) before its "waiting" (seq 1) arrived.
        assert!(book.apply("s1", 3, 30, Place::Closed));
        assert!(!book.apply("s1", 1, 10, waiting("s1", 10)));
        assert!(book.waiting(None).is_empty());
        // Offered (seq 2) arrives after accepted (seq 4): still one load.
        assert!(book.apply("s2", 4, 40, held("ann")));
        assert!(!book.apply("s2", 2, 20, held("ann")));
        assert!(!book.apply("s2", 4, 40, held("ann")), "the same twice");
        assert_eq!(load_of(&book, "ann"), 1);
    }

    #[test]
    fn a_transfer_moves_the_load_to_the_new_operator() {
        let mut book = RoutingBook::new();
        book.apply("s1", 1, 10, held("ann"));
        book.apply("s1", 2, 20, waiting("s1", 20));
        assert_eq!(load_of(&book, "ann"), 0);
        book.apply("s1", 3, 30, held("bob"));
        assert_eq!(load_of(&book, "bob"), 1);
        assert_eq!(load_of(&book, "ann"), 0);
    }

    #[test]
    fn ended_sessions_are_forgotten_once_old_and_many() {
        let mut book = RoutingBook::new();
        book.apply("open", 1, 0, waiting("open", 0));
        for n in 0..1000 {
            book.apply(&format!("old{n}"), 1, 0, Place::Closed);
        }
        let later = REMEMBER_CLOSED_MS + 1;
        for n in 0..100 {
            book.apply(&format!("new{n}"), 1, later, Place::Closed);
        }
        assert_eq!(book.len(), 101, "the open one and those just ended");
        assert_eq!(book.waiting(None).len(), 1);
        assert!(
            !book.apply("new7", 1, later, waiting("new7", 0)),
            "a recent end is still known"
        );
    }
}
