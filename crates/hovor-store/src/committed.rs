//! What a transaction changed, handed out so that it cannot be forgotten.
//!
//! Every store method that writes returns [`Committed<T>`]: the value and
//! the [`Change`]s it committed. The server turns the changes into hints on
//! the bus and into reactions (a routing pass, offers taken back) in one
//! place, its [`Publisher`]. The value comes out only through
//! [`Committed::publish`], so a change cannot be returned to a caller
//! unannounced by accident; dropping one unpublished is a bug that debug
//! builds report loudly.

use std::sync::Arc;

use hovor_core::routing_book::Place;
use hovor_core::{Millis, Presence};

use crate::StreamEvent;

/// A fact about what a committed transaction changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// An event was appended to a stream at `seq`: its readers read on. The
    /// event itself comes along, so that the node that wrote it can hand it
    /// to its own readers without reading it back.
    Appended {
        stream: String,
        seq: i64,
        event: Arc<StreamEvent>,
    },
    /// A session entered, moved in or left the company's queue, or an
    /// operator's load fell: waiting clients' places change, and routing may
    /// find new offers.
    SessionMoved { company_id: String },
    /// A session now stands here, as of `seq` in its own stream: what
    /// routing's in-memory book follows (see `hovor_core::routing_book`).
    SessionPlace {
        company_id: String,
        session_id: String,
        seq: i64,
        at: Millis,
        place: Place,
    },
    /// A session was offered, or its offer taken back: waiting clients'
    /// places change (routing itself made or undid the offer).
    OfferChanged { company_id: String },
    /// An operator's visible state changed to this presence.
    OperatorState {
        company_id: String,
        user_id: String,
        presence: Presence,
    },
    /// An operator's channels changed (assigned, switched on or off).
    OperatorChannels { company_id: String, user_id: String },
}

/// Announces committed changes: the server's bus and reactions.
pub trait Publisher {
    fn publish(&self, changes: Vec<Change>);
}

/// A value together with the changes its transaction committed.
#[must_use = "a committed change must be published (Committed::publish)"]
#[derive(Debug)]
pub struct Committed<T> {
    value: Option<T>,
    changes: Vec<Change>,
}

impl<T> Committed<T> {
    pub(crate) fn new(value: T, changes: Vec<Change>) -> Committed<T> {
        Committed {
            value: Some(value),
            changes,
        }
    }

    /// Nothing changed: nothing to announce.
    pub(crate) fn unchanged(value: T) -> Committed<T> {
        Committed::new(value, Vec::new())
    }

    /// The seq this transaction gave its event in `stream`, if it wrote one
    /// there (a connection starts after its own connect event).
    pub fn appended_to(&self, stream: &str) -> Option<i64> {
        self.changes.iter().find_map(|c| match c {
            Change::Appended { stream: s, seq, .. } if s == stream => Some(*seq),
            _ => None,
        })
    }

    /// Announces the changes and hands out the value.
    pub fn publish(mut self, to: &dyn Publisher) -> T {
        to.publish(std::mem::take(&mut self.changes));
        self.take()
    }

    /// Hands out the value without announcing anything: only for setting
    /// data up before anybody can be listening (the demo company, tests).
    pub fn into_unpublished(mut self) -> T {
        self.changes.clear();
        self.take()
    }

    fn take(&mut self) -> T {
        match self.value.take() {
            Some(value) => value,
            None => unreachable!("a Committed is consumed once"),
        }
    }
}

impl<T> Drop for Committed<T> {
    fn drop(&mut self) {
        if !self.changes.is_empty() && !std::thread::panicking() {
            tracing::error!(
                "a committed change was dropped unpublished: {:?}",
                self.changes
            );
            debug_assert!(
                self.changes.is_empty(),
                "a committed change was dropped unpublished"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Recorder(Mutex<Vec<Change>>);

    impl Publisher for Recorder {
        fn publish(&self, changes: Vec<Change>) {
            self.0.lock().expect("lock").extend(changes);
        }
    }

    fn queue_moved() -> Change {
        Change::SessionMoved {
            company_id: "cmp".into(),
        }
    }

    #[test]
    fn publishing_announces_then_hands_out() {
        let recorder = Recorder::default();
        let value = Committed::new(7, vec![queue_moved()]).publish(&recorder);
        assert_eq!(value, 7);
        assert_eq!(*recorder.0.lock().expect("lock"), vec![queue_moved()]);
    }

    #[test]
    fn an_unchanged_value_may_be_dropped() {
        drop(Committed::unchanged(1));
        assert_eq!(Committed::new(2, vec![queue_moved()]).into_unpublished(), 2);
    }

    #[test]
    #[should_panic(expected = "dropped unpublished")]
    #[cfg(debug_assertions)]
    fn dropping_a_change_unpublished_is_a_bug() {
        drop(Committed::new(3, vec![queue_moved()]));
    }
}
