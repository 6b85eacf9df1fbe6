//! Companies' ids by the slug clients name them with. A slug never changes
//! and a company is never deleted, so an id once found is kept for good; an
//! unknown slug is asked about each time (the company may be made later),
//! and is never kept, so strangers cannot fill the map.

use std::collections::HashMap;
use std::sync::Mutex;

use hovor_store::{Store, StoreResult};

/// Ids kept at most (far more companies than one deployment serves).
const MAX_KEPT: usize = 10_000;

#[derive(Default)]
pub struct CompanyIds {
    known: Mutex<HashMap<String, String>>,
}

impl CompanyIds {
    /// The company's id, `None` for no such company.
    pub async fn id_of(&self, store: &dyn Store, slug: &str) -> StoreResult<Option<String>> {
        if let Some(id) = self.lock().get(slug) {
            return Ok(Some(id.clone()));
        }
        let Some(company) = store.company_by_slug(slug).await? else {
            return Ok(None);
        };
        let mut known = self.lock();
        if known.len() < MAX_KEPT {
            known.insert(slug.to_owned(), company.id.clone());
        }
        Ok(Some(company.id))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        self.known.lock().unwrap_or_else(|p| p.into_inner())
    }
}
