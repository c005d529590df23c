//! Exact lookups for MD5 and SHA-256: a digest maps to the ids holding it.

use std::collections::{BTreeSet, HashMap};
use std::hash::Hash;

/// Ids by digest; several ids may share one digest (the same file submitted
/// by two members), so each digest holds a sorted set.
#[derive(Debug, Clone)]
pub struct ExactIndex<D, K> {
    by_digest: HashMap<D, BTreeSet<K>>,
    digest_of: HashMap<K, D>,
}

impl<D: Copy + Eq + Hash, K: Clone + Eq + Hash + Ord> Default for ExactIndex<D, K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<D: Copy + Eq + Hash, K: Clone + Eq + Hash + Ord> ExactIndex<D, K> {
    pub fn new() -> Self {
        ExactIndex {
            by_digest: HashMap::new(),
            digest_of: HashMap::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.digest_of.len()
    }

    pub fn is_empty(&self) -> bool {
        self.digest_of.is_empty()
    }

    /// Stores `digest` under `id`, replacing (and returning) the previous one.
    pub fn add(&mut self, id: K, digest: D) -> Option<D> {
        let previous = self.remove(&id);
        self.by_digest.entry(digest).or_default().insert(id.clone());
        self.digest_of.insert(id, digest);
        previous
    }

    pub fn remove(&mut self, id: &K) -> Option<D> {
        let digest = self.digest_of.remove(id)?;
        if let Some(set) = self.by_digest.get_mut(&digest) {
            set.remove(id);
            if set.is_empty() {
                self.by_digest.remove(&digest);
            }
        }
        Some(digest)
    }

    /// The ids holding exactly `digest`, in id order.
    pub fn lookup(&self, digest: &D) -> Vec<K> {
        self.by_digest
            .get(digest)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FileDigests, Md5Digest};

    #[test]
    fn exact_lookup_finds_every_id_with_the_digest_and_forgets_removed_ones() {
        let a = FileDigests::of(b"a").md5;
        let b = FileDigests::of(b"b").md5;
        let mut index: ExactIndex<Md5Digest, &str> = ExactIndex::new();
        index.add("two", a);
        index.add("one", a);
        index.add("three", b);
        assert_eq!(index.lookup(&a), vec!["one", "two"]);
        assert_eq!(index.remove(&"one"), Some(a));
        assert_eq!(index.lookup(&a), vec!["two"]);
        assert_eq!(index.add("two", b), Some(a));
        assert!(index.lookup(&a).is_empty());
        assert_eq!(index.lookup(&b), vec!["three", "two"]);
        assert_eq!(index.len(), 2);
    }
}
