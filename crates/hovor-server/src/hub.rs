//! The node's fan-out: a hint wakes only the connections subscribed to its
//! topic, never every socket.
//!
//! A connection subscribes to its topics (its stream; its company's queue)
//! and gets a [`Subscription`]. The hub keeps, per topic, who listens. A
//! wake-up sets bits on the subscription (what happened) and notifies it;
//! several wake-ups before the connection looks coalesce into one, and none
//! is lost: the bits stay set until the connection takes them. What the
//! bits announce is read from the store or the derived state, never carried
//! here.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

/// What a connection listens to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Topic {
    /// A user's or a client session's stream of stored events.
    Stream(String),
    /// A company's queue (waiting clients' places, operators' queues).
    Queue(String),
}

/// New events in the stream.
pub const STREAM: u8 = 1;
/// The user logged out: the connection closes.
pub const LOGGED_OUT: u8 = 2;
/// The company's queue changed.
pub const QUEUE: u8 = 4;

#[derive(Default)]
struct Wakeup {
    bits: AtomicU8,
    /// The streams with new events since the connection last looked.
    streams: Mutex<Vec<String>>,
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

/// What woke a connection: the bits, and which of its streams have news.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Woken {
    pub bits: u8,
    pub streams: Vec<String>,
}

/// A topic's listeners, by subscription id.
type Listeners = Vec<(u64, Arc<Wakeup>)>;

#[derive(Default)]
pub struct Hub {
    topics: Mutex<HashMap<Topic, Listeners>>,
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
        let map = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(subscribers) = map.get(topic) {
            for (_, wakeup) in subscribers {
                wakeup.wake(topic, bits);
            }
        }
    }

    /// Wakes every subscriber (hints were lost: everyone rereads the store).
    pub fn wake_all(&self, bits: u8) {
        let map = self.topics.lock().unwrap_or_else(|p| p.into_inner());
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
                return Woken { bits, streams };
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
}
