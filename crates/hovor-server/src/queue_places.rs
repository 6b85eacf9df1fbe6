//! Waiting clients' places in the queue: derived state, computed once per
//! queue change for the whole company (two queries, whatever the queue's
//! length) and pushed to the waiting clients at most every 250 ms. A
//! connection reads its place from here, never from the database.

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

    fn store_places(&self, company_id: &str, list: Vec<(String, QueuePlace)>) {
        let mut places = self.places.lock().unwrap_or_else(|p| p.into_inner());
        if list.is_empty() {
            places.remove(company_id);
        } else {
            places.insert(company_id.to_owned(), Arc::new(list.into_iter().collect()));
        }
    }
}

/// The worker: coalesces requests per company, computes each company's
/// places at most every [`MIN_INTERVAL`], then wakes the company's queue
/// listeners. Runs until the node shuts down.
pub async fn run(
    places: Arc<QueuePlaces>,
    store: Arc<dyn Store>,
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
                    match store.queue_places(&company_id).await {
                        Ok(list) => places.store_places(&company_id, list),
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
