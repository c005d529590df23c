//! The screening index the server answers from: the lists loaded from files
//! at start plus the current versions of the stored reference lists. It is
//! rebuilt after an import and whenever another node imported (checked
//! periodically), then swapped in whole, so queries never wait for a build.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use accord_lists::List;
use accord_screening::Screener;
use accord_store::{Store, StoreError};
use arc_swap::ArcSwap;

/// The dataset name screening results carry for the common list.
pub const COMMON_DATASET: &str = "common";

pub struct Screening {
    /// Readers take a snapshot without a lock; a rebuild stores a new index
    /// whole, and queries already running keep the one they took.
    current: ArcSwap<Screener>,
    file_lists: Vec<(String, List)>,
    /// (list, version) of the stored lists in `current`.
    loaded: Mutex<Vec<(String, i64)>>,
}

impl Screening {
    pub fn new(file_lists: Vec<(String, List)>) -> Screening {
        let screener = Screener::from_lists(file_lists.clone());
        Screening {
            current: ArcSwap::from_pointee(screener),
            file_lists,
            loaded: Mutex::new(Vec::new()),
        }
    }

    pub fn current(&self) -> Arc<Screener> {
        self.current.load_full()
    }

    /// The version of the common list in the index (dataset
    /// [`COMMON_DATASET`]), if one is.
    pub fn common_version(&self) -> Option<i64> {
        self.loaded
            .lock()
            .expect("never poisoned")
            .iter()
            .find(|(n, _)| n == COMMON_DATASET)
            .map(|(_, v)| *v)
    }

    /// Rebuilds the index if the stored lists (reference lists and the common
    /// list) changed since the last build.
    /// Returns whether it rebuilt.
    pub async fn refresh(self: &Arc<Self>, store: &Store) -> Result<bool, StoreError> {
        let mut versions: Vec<(String, i64)> = store
            .current_reference_versions()
            .await?
            .into_iter()
            .map(|v| (v.list, v.version))
            .collect();
        // The common list itself, current version, as the dataset "common".
        // Only its version number is read here: the entries are loaded when
        // something changed, not on every check.
        let common_version = store.current_list_version().await?;
        if let Some(v) = common_version {
            versions.push((COMMON_DATASET.to_string(), v));
        }
        if *self.loaded.lock().expect("never poisoned") == versions {
            return Ok(false);
        }
        let mut lists = self.file_lists.clone();
        if let Some(v) = common_version {
            let c = store.published_list_alone(Some(v)).await?;
            let list = List {
                source: accord_lists::ListSource::Accord,
                generated: None,
                entries: c.list_entries(),
                skipped: Vec::new(),
            };
            lists.retain(|(n, _)| n != COMMON_DATASET);
            lists.push((COMMON_DATASET.to_string(), list));
        }
        for (name, version) in versions.iter().filter(|(n, _)| n != COMMON_DATASET) {
            let (_, list) = store.reference_list(name, Some(*version)).await?;
            // A stored list replaces a file list of the same name.
            lists.retain(|(n, _)| n != name);
            lists.push((name.clone(), list));
        }
        let screener = tokio::task::spawn_blocking(move || Screener::from_lists(lists))
            .await
            .map_err(|e| {
                StoreError::Unsupported(format!("building the screening index failed: {e}"))
            })?;
        self.current.store(Arc::new(screener));
        *self.loaded.lock().expect("never poisoned") = versions;
        tracing::info!("screening index rebuilt");
        Ok(true)
    }

    /// Keeps this node's index in step with imports made on other nodes.
    pub fn spawn_refresher(self: &Arc<Self>, store: Store, every: Duration) {
        let this = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.tick().await;
            loop {
                tick.tick().await;
                let Some(screening) = this.upgrade() else {
                    break;
                };
                if let Err(e) = screening.refresh(&store).await {
                    tracing::warn!(error = %e, "could not refresh the screening index");
                }
            }
        });
    }
}
