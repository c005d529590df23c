//! The library on one node: its full-text index (`accord-search`, on disk
//! beside the SQLite database or in a configured folder) and a cache of
//! every item's access facts, both kept up with the database's change feed.
//!
//! Who may read an item is asked of `accord_library::workflow::may_read`
//! (and so of `accord_core::may_see`) for every item, from the cache; the
//! search then gets the reader's visible items as a set and applies it
//! inside the query, so totals, facets and pages count only those.
//!
//! Every write calls [`Library::follow`] before it answers (the writer's
//! node finds the change at once); every node also follows on a timer, so a
//! change written through another node is found within seconds.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::RwLock;

use accord_core::Principal;
use accord_library::markdown::plain_text;
use accord_library::workflow::{self, Status};
use accord_library::{SharingGroup, Version};
use accord_search::{IndexedItem, LanguageVersion, LibraryIndex, VisibleSet};
use accord_store::library::AccessRow;
use accord_store::{Store, StoreError};

/// How many changed items one step of following reads.
const FOLLOW_BATCH: i64 = 500;

#[derive(Default)]
struct Access {
    items: BTreeMap<i64, AccessRow>,
    groups: HashMap<i64, SharingGroup>,
    /// The feed number the cache is up to.
    through: i64,
}

pub struct Library {
    pub index: LibraryIndex,
    access: RwLock<Access>,
    /// One follower at a time per node.
    following: tokio::sync::Mutex<()>,
}

impl Library {
    /// Opens the index (in `dir`, or in memory) and brings it and the cache
    /// up to the database.
    pub async fn open(store: &Store, dir: Option<&Path>) -> Result<Library, LibraryError> {
        let index = match dir {
            Some(d) => LibraryIndex::open(d)?,
            None => LibraryIndex::in_memory()?,
        };
        let library = Library {
            index,
            access: RwLock::new(Access::default()),
            following: tokio::sync::Mutex::new(()),
        };
        library.follow(store).await?;
        Ok(library)
    }

    /// Applies every change after what this node has seen: the access
    /// cache, then the index, batch by batch (each batch one commit that
    /// records how far it got, so a restart resumes there).
    pub async fn follow(&self, store: &Store) -> Result<(), LibraryError> {
        let _one = self.following.lock().await;
        let since = self.access.read().expect("not poisoned").through;
        let rows = store.library_access(since).await?;
        let groups = store.sharing_groups().await?;
        {
            let mut access = self.access.write().expect("not poisoned");
            for row in rows {
                access.through = access.through.max(row.seq);
                access.items.insert(row.id, row);
            }
            access.groups = groups.into_iter().map(|g| (g.id, g)).collect();
        }
        loop {
            let from = self.index.applied_through();
            let (changes, through) = store.library_changes(from, FOLLOW_BATCH).await?;
            if through <= from {
                break;
            }
            let mut upserts = Vec::new();
            let mut removals = Vec::new();
            for (id, shown, attachment_text) in changes {
                match shown {
                    Some(v) => upserts.push(indexed(id, &v, attachment_text)),
                    None => removals.push(id),
                }
            }
            let index = &self.index;
            index.apply(&upserts, &removals, through)?;
        }
        // The cache's position comes only from the rows it read: a change
        // committed meanwhile is read next time, never skipped.
        Ok(())
    }

    /// Rebuilds the index from the database (`accord library reindex`),
    /// reporting (done, total) as it goes.
    pub async fn reindex(
        &self,
        store: &Store,
        progress: &dyn Fn(u64, u64),
    ) -> Result<u64, LibraryError> {
        let _one = self.following.lock().await;
        self.index.clear()?;
        let total = store.library_access(0).await?.len() as u64;
        let mut done = 0;
        loop {
            let from = self.index.applied_through();
            let (changes, through) = store.library_changes(from, FOLLOW_BATCH).await?;
            if through <= from {
                break;
            }
            done += changes.len() as u64;
            let mut upserts = Vec::new();
            let mut removals = Vec::new();
            for (id, shown, text) in changes {
                match shown {
                    Some(v) => upserts.push(indexed(id, &v, text)),
                    None => removals.push(id),
                }
            }
            self.index.apply(&upserts, &removals, through)?;
            progress(done.min(total), total);
        }
        Ok(self.index.len())
    }

    /// Keeps following the database on a timer (other nodes' writes).
    pub fn spawn_follower(self: &std::sync::Arc<Self>, store: Store, every: std::time::Duration) {
        let me = std::sync::Arc::clone(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                if let Err(e) = me.follow(&store).await {
                    tracing::warn!(error = %e, "could not follow the library's changes");
                }
            }
        });
    }

    /// The items `who` may read, by the one policy, among those `keep` keeps.
    pub fn readable(&self, who: &Principal, keep: impl Fn(&AccessRow) -> bool) -> Vec<i64> {
        let access = self.access.read().expect("not poisoned");
        access
            .items
            .values()
            .filter(|row| keep(row) && readable(&access, who, row))
            .map(|row| row.id)
            .collect()
    }

    /// The published items `who` may read: the search's visible set.
    pub fn visible(&self, who: &Principal) -> VisibleSet {
        VisibleSet::from_ids(self.readable(who, |row| {
            row.published.is_some() && row.status != Status::Withdrawn
        }))
    }

    /// The group an item is shared with, as it is now.
    pub fn group(&self, id: i64) -> Option<SharingGroup> {
        self.access
            .read()
            .expect("not poisoned")
            .groups
            .get(&id)
            .cloned()
    }
}

fn readable(access: &Access, who: &Principal, row: &AccessRow) -> bool {
    let standing = row.standing();
    let group = standing
        .shared
        .with
        .group()
        .and_then(|g| access.groups.get(&g));
    let distribution = standing.shared.with.resolve(group);
    workflow::may_read(who, &standing, &distribution)
}

/// What the index holds of a version.
fn indexed(id: i64, v: &Version, attachment_text: String) -> IndexedItem {
    let item = &v.item;
    IndexedItem {
        id,
        kind: item.kind.as_str().to_string(),
        marking: item.marking.as_str().to_string(),
        themes: item.themes.iter().cloned().collect(),
        countries: item
            .countries
            .iter()
            .map(|m| m.as_str().to_string())
            .collect(),
        published: item.published,
        versions: item
            .versions
            .iter()
            .map(|lv| LanguageVersion {
                lang: lv.lang.clone(),
                title: lv.title.clone(),
                summary: lv.summary.clone(),
                body: plain_text(&lv.body),
            })
            .collect(),
        attachment_text,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the library's search index: {0}")]
    Search(#[from] accord_search::SearchError),
}

/// Where a node keeps its library index: the configured folder, else
/// `library-index` beside an SQLite database file; `None` (in memory,
/// rebuilt on start) for PostgreSQL without a configured folder.
pub fn index_path(explicit: Option<&Path>, database_url: &str) -> Option<std::path::PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    let key = crate::transparency::key_path(None, database_url)?;
    Some(key.parent().unwrap_or(Path::new(".")).join("library-index"))
}
