//! Each company's routing book in memory: the open sessions (moved by every
//! committed change, see `hovor_core::routing_book`) and the operators'
//! facts (status, channels, groups: reread after any of them changes). A
//! routing pass, a new client's availability and an operator's queue read
//! them from here, not from the tables.
//!
//! The database keeps the last word: an offer rechecks the operator (online,
//! channel on, room) inside its transaction, so a book a moment behind can
//! lose an offer, never make a wrong one.
//!
//! Every change this node commits moves its book, so the sessions are
//! reread only as a safety net: the routing tick (`refresh`) forgets them
//! when they were read more than [`REREAD_AFTER_MS`] ago. (Rereading them
//! every second read every open session each second: with 2,000 clients
//! waiting, 8 % of a core on an idle node.) The operators' facts are reread
//! on every tick, since some change with time alone (a phone line is ready
//! only while the exchange keeps reporting).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use hovor_core::routing::Candidate;
use hovor_core::routing_book::{Place, RoutingBook};
use hovor_core::Millis;
use hovor_store::{Group, Store, StoreResult};

/// Changes kept while a book is being read from the database, at most;
/// past that the read is started again.
const MAX_PENDING: usize = 100_000;

/// How old a book may get before the routing tick rereads it, in case a
/// change was missed.
pub const REREAD_AFTER_MS: Millis = 30_000;

/// The operators of a company as routing sees them, without their load
/// (the book has it), and the groups they form.
pub struct Operators {
    pub candidates: Vec<Candidate>,
    /// The company's groups (not archived), the built-in one first.
    pub groups: Vec<Group>,
}

impl Operators {
    /// The built-in "All operators" group.
    pub fn builtin(&self) -> Option<&str> {
        self.groups
            .iter()
            .find(|g| g.builtin)
            .map(|g| g.id.as_str())
    }
}

struct Moved {
    session_id: String,
    seq: i64,
    at: Millis,
    place: Place,
}

enum Sessions {
    /// Not read (or forgotten): changes are ignored until it is read.
    Unknown,
    /// Being read: the changes that arrive meanwhile wait here, and are
    /// applied after what was read (each one only if newer).
    Reading(Vec<Moved>),
    Known(RoutingBook),
}

struct Company {
    sessions: Sessions,
    /// When the sessions were last read from the database.
    read_at: Millis,
    operators: Option<Arc<Operators>>,
    /// Moves on every change of the operators' facts: a read begun before
    /// it is not kept.
    operators_version: u64,
}

impl Default for Company {
    fn default() -> Self {
        Company {
            sessions: Sessions::Unknown,
            read_at: 0,
            operators: None,
            operators_version: 0,
        }
    }
}

#[derive(Default)]
pub struct RoutingBooks {
    companies: Mutex<HashMap<String, Company>>,
    /// One read from the database at a time.
    reading: tokio::sync::Mutex<()>,
}

impl RoutingBooks {
    /// A committed change of a session (from the publisher).
    pub fn session_moved(
        &self,
        company_id: &str,
        session_id: &str,
        seq: i64,
        at: Millis,
        place: Place,
    ) {
        let mut companies = self.lock();
        let Some(company) = companies.get_mut(company_id) else {
            return;
        };
        match &mut company.sessions {
            Sessions::Unknown => {}
            Sessions::Known(book) => {
                book.apply(session_id, seq, at, place);
            }
            Sessions::Reading(pending) => {
                if pending.len() >= MAX_PENDING {
                    company.sessions = Sessions::Unknown;
                } else {
                    pending.push(Moved {
                        session_id: session_id.to_owned(),
                        seq,
                        at,
                        place,
                    });
                }
            }
        }
    }

    /// The operator was offered a session now (longest idle first moves on).
    pub fn offered(&self, company_id: &str, operator_id: &str, at: Millis) {
        if let Some(Company {
            sessions: Sessions::Known(book),
            ..
        }) = self.lock().get_mut(company_id)
        {
            book.offered(operator_id, at);
        }
    }

    /// An operator's status, channels, groups or account changed: their
    /// facts are read again when next needed.
    pub fn operators_changed(&self, company_id: &str) {
        if let Some(company) = self.lock().get_mut(company_id) {
            company.operators = None;
            company.operators_version += 1;
        }
    }

    /// The routing tick's safety net: the operators' facts are read again
    /// when next needed, and the sessions too if they were read
    /// [`REREAD_AFTER_MS`] ago or more.
    /// Changes may have been missed (hints lost): every book is read again
    /// before its next use.
    pub fn forget_all(&self) {
        for company in self.lock().values_mut() {
            company.sessions = Sessions::Unknown;
            company.operators = None;
            company.operators_version += 1;
        }
    }

    pub fn refresh(&self, company_id: &str, now: Millis) {
        let mut companies = self.lock();
        let Some(company) = companies.get_mut(company_id) else {
            return;
        };
        if now.saturating_sub(company.read_at) >= REREAD_AFTER_MS {
            company.sessions = Sessions::Unknown;
        }
        company.operators = None;
        company.operators_version += 1;
    }

    /// Answers from the company's book and operators, reading them from the
    /// database first if they are not known.
    pub async fn read<T>(
        &self,
        store: &dyn Store,
        company_id: &str,
        now: Millis,
        answer: impl FnOnce(&RoutingBook, &Operators) -> T,
    ) -> StoreResult<T> {
        // A read is begun again when a change makes it stale before it is
        // kept; after a few such, the answer comes from a read of its own.
        for _ in 0..3 {
            {
                let companies = self.lock();
                if let Some(Company {
                    sessions: Sessions::Known(book),
                    operators: Some(operators),
                    ..
                }) = companies.get(company_id)
                {
                    return Ok(answer(book, operators));
                }
            }
            let _one_at_a_time = self.reading.lock().await;
            self.fill(store, company_id, now).await?;
        }
        let (book, operators) = read_both(store, company_id, now).await?;
        Ok(answer(&book, &operators))
    }

    /// Reads what the company's entry lacks, and keeps it unless a change
    /// made it stale meanwhile.
    async fn fill(&self, store: &dyn Store, company_id: &str, now: Millis) -> StoreResult<()> {
        let (need_sessions, need_operators, version) = {
            let mut companies = self.lock();
            let company = companies.entry(company_id.to_owned()).or_default();
            let need_sessions = match &company.sessions {
                Sessions::Known(_) => false,
                // Begun by a read that was abandoned: its changes still count.
                Sessions::Reading(_) => true,
                Sessions::Unknown => {
                    company.sessions = Sessions::Reading(Vec::new());
                    true
                }
            };
            (
                need_sessions,
                company.operators.is_none(),
                company.operators_version,
            )
        };
        let sessions = if need_sessions {
            Some(store.open_sessions(company_id).await?)
        } else {
            None
        };
        let operators = if need_operators {
            Some(Arc::new(read_operators(store, company_id, now).await?))
        } else {
            None
        };
        let mut companies = self.lock();
        let company = companies.entry(company_id.to_owned()).or_default();
        if let Some(rows) = sessions {
            // Forgotten meanwhile (Unknown): what was read may be stale.
            if let Sessions::Reading(pending) = &mut company.sessions {
                let mut book = RoutingBook::new();
                for (session_id, seq, place) in rows {
                    book.apply(&session_id, seq, now, place);
                }
                for moved in pending.drain(..) {
                    book.apply(&moved.session_id, moved.seq, moved.at, moved.place);
                }
                company.sessions = Sessions::Known(book);
                company.read_at = now;
            }
        }
        if let Some(operators) = operators {
            if company.operators_version == version {
                company.operators = Some(operators);
            }
        }
        Ok(())
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Company>> {
        self.companies.lock().unwrap_or_else(|p| p.into_inner())
    }
}

async fn read_operators(
    store: &dyn Store,
    company_id: &str,
    now: Millis,
) -> StoreResult<Operators> {
    Ok(Operators {
        candidates: store.candidates(company_id, now).await?,
        groups: store.groups(company_id).await?,
    })
}

/// A book and operators read now, kept nowhere.
async fn read_both(
    store: &dyn Store,
    company_id: &str,
    now: Millis,
) -> StoreResult<(RoutingBook, Operators)> {
    let mut book = RoutingBook::new();
    for (session_id, seq, place) in store.open_sessions(company_id).await? {
        book.apply(&session_id, seq, now, place);
    }
    Ok((book, read_operators(store, company_id, now).await?))
}
