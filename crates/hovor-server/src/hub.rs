//! The node's fan-out: a hint wakes only the connections subscribed to its
//! topic, never every socket.
//!
//! A connection subscribes to its topics (its stream; its company's queue)
//! and gets a [`Subscription`]. The hub keeps, per topic, who listens. A
//! wake-up sets bits on the subscription (what happened) and notifies it;
//! several wake-ups before the connection looks coalesce into one, and none
//! is lost: the bits stay set until the connection takes them.
//!
//! The hub also keeps the latest events of each stream someone on this
//! node follows, as they were committed here ([`SharedEvent`]): a woken
//! connection takes them from memory, each rendered once for all its
//! readers, and reads the store only when memory cannot answer for all of
//! it (an event written on another node, or one it fell too far behind
//! for). Hints say how far a stream goes, so memory is never taken for
//! more than it holds.

use hovor_core::call::Party;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use axum::extract::ws::Utf8Bytes;
use hovor_store::StreamEvent;
use tokio::sync::Notify;

use crate::frames::{EventFrame, ServerFrame};

/// How many of a stream's latest events are kept in memory.
const RECENT: usize = 16;

/// What a connection listens to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Topic {
    /// A user's or a client session's stream of stored events.
    Stream(String),
    /// A company's operators' workspaces: its queue changed, or its
    /// settings.
    Queue(String),
    /// A waiting client's place in the queue: woken only when it changed.
    Place(String),
}

/// New events in the stream.
pub const STREAM: u8 = 1;
/// The user logged out: the connection closes.
pub const LOGGED_OUT: u8 = 2;
/// The company's queue changed.
pub const QUEUE: u8 = 4;
/// The company's settings changed.
pub const SETTINGS: u8 = 8;
/// The node lost its lease: the connection closes, so that it reconnects
/// and is counted again.
pub const RECONNECT: u8 = 16;
/// Someone is typing in a followed conversation (`Woken::typing` says who).
pub const TYPING: u8 = 32;

#[derive(Default)]
struct Wakeup {
    bits: AtomicU8,
    /// The streams with new events since the connection last looked.
    streams: Mutex<Vec<String>>,
    /// Who is typing in which followed conversation, since it last looked.
    typing: Mutex<Vec<(String, Party)>>,
    notify: Notify,
}

impl Wakeup {
    fn wake(&self, topic: &Topic, bits: u8) {
        if let (Topic::Stream(stream), true) = (topic, bits & STREAM != 0) {
            let mut streams = self.streams.lock().unwrap_or_else(|p| p.into_inner());
            if !streams.contains(stream) {
                streams.push(stream.clone());
            }
        }
        self.bits.fetch_or(bits, Ordering::AcqRel);
        self.notify.notify_one();
    }
}

/// What woke a connection: the bits, which of its streams have news, and
/// who is typing where.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Woken {
    pub bits: u8,
    pub streams: Vec<String>,
    pub typing: Vec<(String, Party)>,
}

/// A topic's listeners, by subscription id.
type Listeners = Vec<(u64, Arc<Wakeup>)>;

/// A committed event as a connection sends it: rendered the first time a
/// connection needs it, then shared by every other.
#[derive(Debug)]
pub struct SharedEvent {
    pub event: StreamEvent,
    /// The frame in the connection's own stream (no `topic`).
    own: OnceLock<Utf8Bytes>,
    /// The frame in another stream it follows (with `topic`).
    followed: OnceLock<Utf8Bytes>,
}

impl SharedEvent {
    pub fn new(event: StreamEvent) -> SharedEvent {
        SharedEvent {
            event,
            own: OnceLock::new(),
            followed: OnceLock::new(),
        }
    }

    /// The frame to send, from `stream`, followed as the connection's own
    /// stream or not.
    pub fn frame(&self, stream: &str, own: bool) -> Utf8Bytes {
        let (cell, topic) = if own {
            (&self.own, None)
        } else {
            (&self.followed, Some(stream.to_owned()))
        };
        cell.get_or_init(|| {
            let frame = ServerFrame::Event(EventFrame::of(self.event.clone(), topic));
            Utf8Bytes::from(frame.to_text())
        })
        .clone()
    }
}

/// A followed stream's latest events on this node, in seq order, and the
/// furthest seq any hint has announced for it.
#[derive(Default)]
struct Recent {
    events: VecDeque<Arc<SharedEvent>>,
    head: i64,
}

#[derive(Default)]
pub struct Hub {
    topics: Mutex<HashMap<Topic, Listeners>>,
    /// Lock order: `topics` before `recent`.
    recent: Mutex<HashMap<String, Recent>>,
    next_id: AtomicU64,
}

impl Hub {
    /// Listens to these topics until the subscription is dropped.
    pub fn subscribe(self: &Arc<Self>, topics: Vec<Topic>) -> Subscription {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let wakeup = Arc::new(Wakeup::default());
        let mut map = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        for topic in &topics {
            map.entry(topic.clone())
                .or_default()
                .push((id, wakeup.clone()));
        }
        drop(map);
        Subscription {
            hub: self.clone(),
            id,
            topics: Mutex::new(topics),
            wakeup,
        }
    }

    /// Wakes the subscribers of a topic with these bits.
    pub fn wake(&self, topic: &Topic, bits: u8) {
        self.wake_each(std::slice::from_ref(topic), bits);
    }

    /// Wakes the listeners of each topic, looking them up under one lock
    /// (the waiting clients whose place moved, say).
    pub fn wake_each(&self, topics: &[Topic], bits: u8) {
        let map = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        for topic in topics {
            if let Some(subscribers) = map.get(topic) {
                for (_, wakeup) in subscribers {
                    wakeup.wake(topic, bits);
                }
            }
        }
    }

    /// Keeps an event committed on this node, if someone here follows its
    /// stream (before the hint that announces it).
    pub fn remember(&self, stream: &str, event: Arc<StreamEvent>) {
        let map = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        if !map.contains_key(&Topic::Stream(stream.to_owned())) {
            return;
        }
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        let kept = recent.entry(stream.to_owned()).or_default();
        let seq = event.seq;
        // Commits may be announced out of order: keep seq order.
        let at = kept.events.partition_point(|e| e.event.seq < seq);
        if kept.events.get(at).is_some_and(|e| e.event.seq == seq) {
            return;
        }
        let shared = Arc::new(SharedEvent::new(Arc::unwrap_or_clone(event)));
        kept.events.insert(at, shared);
        if kept.events.len() > RECENT {
            kept.events.pop_front();
        }
        kept.head = kept.head.max(seq);
    }

    /// Tells a conversation's connections that one side is typing.
    pub fn typing(&self, session_id: &str, from: Party) {
        let topic = Topic::Stream(session_id.to_owned());
        let map = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        let Some(subscribers) = map.get(&topic) else {
            return;
        };
        for (_, wakeup) in subscribers {
            {
                let mut typing = wakeup.typing.lock().unwrap_or_else(|p| p.into_inner());
                let entry = (session_id.to_owned(), from);
                if !typing.contains(&entry) {
                    typing.push(entry);
                }
            }
            wakeup.bits.fetch_or(TYPING, Ordering::AcqRel);
            wakeup.notify.notify_one();
        }
    }

    /// Wakes a stream's readers: it has events up to `seq`.
    pub fn wake_stream(&self, stream: &str, seq: i64) {
        let topic = Topic::Stream(stream.to_owned());
        let map = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        let Some(subscribers) = map.get(&topic) else {
            return;
        };
        {
            let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
            let kept = recent.entry(stream.to_owned()).or_default();
            kept.head = kept.head.max(seq);
        }
        for (_, wakeup) in subscribers {
            wakeup.wake(&topic, STREAM);
        }
    }

    /// The events of `stream` after `sent`, when memory holds every one of
    /// them up to the furthest announced; `None` sends the reader to the
    /// store.
    pub fn recent_after(&self, stream: &str, sent: i64) -> Option<Vec<Arc<SharedEvent>>> {
        let recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        let kept = recent.get(stream)?;
        if kept.head <= sent {
            return Some(Vec::new());
        }
        let from = kept.events.partition_point(|e| e.event.seq <= sent);
        let mut next = sent + 1;
        let mut events = Vec::new();
        for e in kept.events.iter().skip(from) {
            if e.event.seq != next {
                return None;
            }
            events.push(e.clone());
            next += 1;
        }
        (next > kept.head).then_some(events)
    }

    /// Wakes every subscriber (hints were lost: everyone rereads the store,
    /// since memory no longer knows how far each stream goes).
    pub fn wake_all(&self, bits: u8) {
        let map = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        self.recent
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        for (topic, subscribers) in map.iter() {
            for (_, wakeup) in subscribers {
                wakeup.wake(topic, bits);
            }
        }
    }

    /// Connections listening now (for tests and health output).
    pub fn subscribers(&self, topic: &Topic) -> usize {
        let map = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        map.get(topic).map_or(0, Vec::len)
    }

    fn unsubscribe(&self, id: u64, topics: &[Topic]) {
        let mut map = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        for topic in topics {
            if let Some(list) = map.get_mut(topic) {
                list.retain(|(other, _)| *other != id);
                if list.is_empty() {
                    map.remove(topic);
                    if let Topic::Stream(stream) = topic {
                        self.recent
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .remove(stream);
                    }
                }
            }
        }
    }
}

/// One connection's listening; unsubscribes when dropped.
pub struct Subscription {
    hub: Arc<Hub>,
    id: u64,
    topics: Mutex<Vec<Topic>>,
    wakeup: Arc<Wakeup>,
}

impl Subscription {
    /// Waits for the next wake-up and takes what woke it (never empty).
    pub async fn next(&self) -> Woken {
        loop {
            let bits = self.wakeup.bits.swap(0, Ordering::AcqRel);
            if bits != 0 {
                let streams = std::mem::take(
                    &mut *self
                        .wakeup
                        .streams
                        .lock()
                        .unwrap_or_else(|p| p.into_inner()),
                );
                let typing = std::mem::take(
                    &mut *self.wakeup.typing.lock().unwrap_or_else(|p| p.into_inner()),
                );
                return Woken {
                    bits,
                    streams,
                    typing,
                };
            }
            self.wakeup.notify.notified().await;
        }
    }

    /// Listens to one more topic (a session the operator took).
    pub fn add(&self, topic: Topic) {
        let mut topics = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        if topics.contains(&topic) {
            return;
        }
        let mut map = self.hub.topics.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(topic.clone())
            .or_default()
            .push((self.id, self.wakeup.clone()));
        topics.push(topic);
    }

    /// Stops listening to a topic (a session the operator no longer has).
    pub fn remove(&self, topic: &Topic) {
        let mut topics = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        topics.retain(|t| t != topic);
        self.hub.unsubscribe(self.id, std::slice::from_ref(topic));
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let topics = std::mem::take(&mut *self.topics.lock().unwrap_or_else(|p| p.into_inner()));
        self.hub.unsubscribe(self.id, &topics);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn stream(id: &str) -> Topic {
        Topic::Stream(id.into())
    }

    #[tokio::test]
    async fn a_wake_reaches_only_the_topic_and_coalesces() {
        let hub = Arc::new(Hub::default());
        let jana = hub.subscribe(vec![stream("jana"), Topic::Queue("acme".into())]);
        let petr = hub.subscribe(vec![stream("petr")]);
        hub.wake(&stream("jana"), STREAM);
        hub.wake(&stream("jana"), STREAM);
        hub.wake(&Topic::Queue("acme".into()), QUEUE);
        let woken = jana.next().await;
        assert_eq!(woken.bits, STREAM | QUEUE, "one wake-up, both bits");
        assert_eq!(woken.streams, vec!["jana".to_owned()], "named once");
        let quiet = tokio::time::timeout(Duration::from_millis(50), petr.next()).await;
        assert!(quiet.is_err(), "petr heard nothing");
        hub.wake(&stream("petr"), LOGGED_OUT);
        assert_eq!(petr.next().await.bits, LOGGED_OUT);
    }

    #[tokio::test]
    async fn topics_come_and_go_while_listening() {
        let hub = Arc::new(Hub::default());
        let jana = hub.subscribe(vec![stream("jana")]);
        jana.add(stream("ses_1"));
        hub.wake(&stream("ses_1"), STREAM);
        assert_eq!(jana.next().await.streams, vec!["ses_1".to_owned()]);
        jana.remove(&stream("ses_1"));
        assert_eq!(hub.subscribers(&stream("ses_1")), 0);
        assert_eq!(hub.subscribers(&stream("jana")), 1);
    }

    #[tokio::test]
    async fn a_dropped_subscription_leaves_the_hub() {
        let hub = Arc::new(Hub::default());
        let first = hub.subscribe(vec![stream("jana")]);
        let second = hub.subscribe(vec![stream("jana")]);
        assert_eq!(hub.subscribers(&stream("jana")), 2);
        drop(first);
        assert_eq!(hub.subscribers(&stream("jana")), 1);
        drop(second);
        assert_eq!(hub.subscribers(&stream("jana")), 0);
    }

    #[tokio::test]
    async fn a_wake_before_waiting_is_kept() {
        let hub = Arc::new(Hub::default());
        let sub = hub.subscribe(vec![stream("jana")]);
        hub.wake_all(STREAM);
        let woken = tokio::time::timeout(Duration::from_secs(1), sub.next()).await;
        assert_eq!(woken.ok().map(|w| w.bits), Some(STREAM));
    }

    fn event(seq: i64) -> Arc<StreamEvent> {
        Arc::new(StreamEvent {
            seq,
            kind: "message.created".into(),
            payload: format!(r#"{{"n":{seq}}}"#),
            created_at: 0,
            subject: None,
            operators_only: false,
        })
    }

    fn seqs(events: Option<Vec<Arc<SharedEvent>>>) -> Option<Vec<i64>> {
        events.map(|list| list.iter().map(|e| e.event.seq).collect())
    }

    #[test]
    fn memory_answers_only_for_followed_streams_and_all_of_it() {
        let hub = Arc::new(Hub::default());
        hub.remember("ses_1", event(1));
        assert_eq!(
            seqs(hub.recent_after("ses_1", 0)),
            None,
            "nobody follows it"
        );

        let _reader = hub.subscribe(vec![stream("ses_1")]);
        hub.remember("ses_1", event(2));
        hub.remember("ses_1", event(3));
        assert_eq!(seqs(hub.recent_after("ses_1", 1)), Some(vec![2, 3]));
        assert_eq!(seqs(hub.recent_after("ses_1", 3)), Some(vec![]));
        assert_eq!(
            seqs(hub.recent_after("ses_1", 0)),
            None,
            "1 was committed before anyone here followed: the store has it"
        );

        // Announced out of order: memory answers once it has no hole.
        hub.remember("ses_1", event(5));
        assert_eq!(seqs(hub.recent_after("ses_1", 3)), None);
        hub.remember("ses_1", event(4));
        assert_eq!(seqs(hub.recent_after("ses_1", 3)), Some(vec![4, 5]));

        // Another node wrote 6: only the store has it.
        hub.wake_stream("ses_1", 6);
        assert_eq!(seqs(hub.recent_after("ses_1", 5)), None);
    }

    #[test]
    fn memory_is_bounded_and_forgotten_with_the_last_reader() {
        let hub = Arc::new(Hub::default());
        let reader = hub.subscribe(vec![stream("ses_1")]);
        for seq in 1..=(RECENT as i64 + 4) {
            hub.remember("ses_1", event(seq));
        }
        assert_eq!(
            seqs(hub.recent_after("ses_1", 0)),
            None,
            "the oldest fell out"
        );
        assert_eq!(
            seqs(hub.recent_after("ses_1", RECENT as i64 + 2)),
            Some(vec![RECENT as i64 + 3, RECENT as i64 + 4])
        );
        drop(reader);
        assert!(hub.recent.lock().expect("lock").is_empty());
    }

    #[test]
    fn lost_hints_empty_the_memory() {
        let hub = Arc::new(Hub::default());
        let _reader = hub.subscribe(vec![stream("ses_1")]);
        hub.remember("ses_1", event(1));
        hub.wake_all(STREAM);
        assert_eq!(seqs(hub.recent_after("ses_1", 0)), None);
    }

    #[test]
    fn an_event_is_rendered_once_per_form() {
        let shared = SharedEvent::new(Arc::unwrap_or_clone(event(7)));
        let own = shared.frame("ses_1", true);
        assert_eq!(
            own.as_str(),
            r#"{"type":"event","seq":7,"event":"message.created","data":{"n":7}}"#
        );
        assert_eq!(
            own.as_str().as_ptr(),
            shared.frame("ses_1", true).as_str().as_ptr()
        );
        assert_eq!(
            shared.frame("ses_1", false).as_str(),
            r#"{"type":"event","seq":7,"topic":"ses_1","event":"message.created","data":{"n":7}}"#
        );
    }
}
