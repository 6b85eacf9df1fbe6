//! Waiting clients' places in the queue: derived state, computed once per
//! queue change for the whole company (two queries, whatever the queue's
//! length) at most every 250 ms, and pushed only to the clients whose place
//! (or estimated wait) changed: a newcomer at the end of a queue of
//! thousands moves nobody, and wakes nobody. A connection reads its place
//! from here, never from the database.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hovor_store::{QueuePlace, Store};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::hub::{Hub, Topic, QUEUE};

/// Places are recomputed at most this often per company.
pub const MIN_INTERVAL: Duration = Duration::from_millis(250);

type Places = Arc<HashMap<String, QueuePlace>>;

pub struct QueuePlaces {
    requests: mpsc::UnboundedSender<String>,
    inbox: Mutex<Option<mpsc::UnboundedReceiver<String>>>,
    /// Per company: every queued session's place.
    places: Mutex<HashMap<String, Places>>,
}

impl Default for QueuePlaces {
    fn default() -> Self {
        let (requests, inbox) = mpsc::unbounded_channel();
        QueuePlaces {
            requests,
            inbox: Mutex::new(Some(inbox)),
            places: Mutex::default(),
        }
    }
}

impl QueuePlaces {
    /// The company's queue changed: recompute (soon) and tell its listeners.
    pub fn changed(&self, company_id: &str) {
        if self.requests.send(company_id.to_owned()).is_err() {
            tracing::debug!("queue places asked for during shutdown");
        }
    }

    /// Every company's places are recomputed (hints were lost).
    pub fn changed_all(&self) {
        let companies: Vec<String> = self
            .places
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .keys()
            .cloned()
            .collect();
        for company_id in companies {
            self.changed(&company_id);
        }
    }

    /// A queued session's place as last computed; `None` when it is not
    /// queued (any more).
    pub fn place_of(&self, company_id: &str, session_id: &str) -> Option<QueuePlace> {
        let places = self.places.lock().unwrap_or_else(|p| p.into_inner());
        places.get(company_id)?.get(session_id).copied()
    }

    /// The worker's end of the requests; `None` once taken.
    pub fn take_inbox(&self) -> Option<mpsc::UnboundedReceiver<String>> {
        self.inbox.lock().unwrap_or_else(|p| p.into_inner()).take()
    }

    /// Keeps the company's new places; returns the sessions whose place is
    /// new or not what it was.
    fn store_places(&self, company_id: &str, list: Vec<(String, QueuePlace)>) -> Vec<String> {
        let new: HashMap<String, QueuePlace> = list.into_iter().collect();
        let mut places = self.places.lock().unwrap_or_else(|p| p.into_inner());
        let old = places.get(company_id).cloned().unwrap_or_default();
        let moved = new
            .iter()
            .filter(|(id, place)| old.get(*id) != Some(*place))
            .map(|(id, _)| id.clone())
            .collect();
        if new.is_empty() {
            places.remove(company_id);
        } else {
            places.insert(company_id.to_owned(), Arc::new(new));
        }
        moved
    }
}

/// The worker: coalesces requests per company, computes each company's
/// places at most every [`MIN_INTERVAL`], then wakes the company's queue
/// listeners. Runs until the node shuts down.
pub async fn run(
    places: Arc<QueuePlaces>,
    store: Arc<dyn Store>,
    clock: Arc<dyn crate::clock::Clock>,
    hub: Arc<Hub>,
    mut requests: mpsc::UnboundedReceiver<String>,
) {
    let mut last: HashMap<String, Instant> = HashMap::new();
    let mut due: HashMap<String, Instant> = HashMap::new();
    loop {
        let next = due.values().min().copied();
        tokio::select! {
            request = requests.recv() => {
                let Some(company_id) = request else { return };
                let now = Instant::now();
                let at = last.get(&company_id).map_or(now, |t| (*t + MIN_INTERVAL).max(now));
                due.entry(company_id).or_insert(at);
            }
            () = sleep_until(next) => {
                let now = Instant::now();
                let ready: Vec<String> =
                    due.iter().filter(|(_, at)| **at <= now).map(|(c, _)| c.clone()).collect();
                for company_id in ready {
                    due.remove(&company_id);
                    last.insert(company_id.clone(), now);
                    match store.queue_places(&company_id, clock.now()).await {
                        Ok(list) => {
                            let moved: Vec<Topic> = places
                                .store_places(&company_id, list)
                                .into_iter()
                                .map(Topic::Place)
                                .collect();
                            hub.wake_each(&moved, QUEUE);
                        }
                        Err(e) => tracing::warn!("queue places of {company_id}: {e}"),
                    }
                    hub.wake(&Topic::Queue(company_id), QUEUE);
                }
                // Forget companies quiet for a while (the map stays small).
                last.retain(|_, at| now.duration_since(*at) < Duration::from_secs(60));
            }
        }
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(position: i64) -> QueuePlace {
        QueuePlace {
            position: Some(position),
            estimated_wait_s: Some(position * 60),
        }
    }

    fn sorted(mut ids: Vec<String>) -> Vec<String> {
        ids.sort();
        ids
    }

    #[test]
    fn only_the_clients_whose_place_moved_are_named() {
        let places = QueuePlaces::default();
        let first = places.store_places("acme", vec![("a".into(), at(1)), ("b".into(), at(2))]);
        assert_eq!(sorted(first), ["a", "b"]);
        // A newcomer at the end moves nobody else.
        let joined = places.store_places(
            "acme",
            vec![
                ("a".into(), at(1)),
                ("b".into(), at(2)),
                ("c".into(), at(3)),
            ],
        );
        assert_eq!(joined, ["c"]);
        // The first is taken: everyone behind moves up.
        let taken = places.store_places("acme", vec![("b".into(), at(1)), ("c".into(), at(2))]);
        assert_eq!(sorted(taken), ["b", "c"]);
        assert_eq!(places.place_of("acme", "a"), None);
        assert_eq!(places.place_of("acme", "c"), Some(at(2)));
        // Another company's queue is its own.
        assert_eq!(
            places.store_places("other", vec![("x".into(), at(1))]),
            ["x"]
        );
        assert!(places.store_places("acme", Vec::new()).is_empty());
        assert_eq!(places.place_of("acme", "b"), None);
    }
}
