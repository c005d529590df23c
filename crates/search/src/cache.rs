//! Per-segment arrays of what every search reads for every matching
//! document: the item id (rights), the day (order) and the facet values.
//!
//! Segments never change once written (deletes only mark documents), so
//! the arrays are built once per segment, when a reader generation first
//! sees it (tantivy's `Warmer` hook), and dropped with the last generation
//! that uses it. Reading a plain array costs a few nanoseconds per document
//! against a few tens for a fast-field column lookup; with seven lookups
//! per document that is most of a search's collection time.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};

use tantivy::index::SegmentId;
use tantivy::{DocId, Searcher, SearcherGeneration, SegmentReader, Warmer};

use crate::index::{DAY_FIELD, FACET_FIELDS, ID_FIELD};

/// No publication date.
pub(crate) const NO_DAY: i64 = i64::MIN;

/// One facet: per value, the bitset of the segment's documents carrying it.
/// Counting a facet over a search's matches is then a popcount of
/// `matches & value` per value: a few microseconds whatever the number of
/// matches.
pub(crate) struct FacetBits {
    /// Ordinal → value.
    pub names: Vec<String>,
    /// Ordinal → bitset over doc ids (`max_doc / 64 + 1` words).
    pub bits: Vec<Vec<u64>>,
}

/// The arrays of one segment.
pub(crate) struct SegmentData {
    /// Item id per document.
    pub ids: Vec<u64>,
    /// Julian day per document, [`NO_DAY`] when undated.
    pub days: Vec<i64>,
    /// Per [`FACET_FIELDS`] entry.
    pub facets: [FacetBits; 5],
}

/// Words of a bitset over `max_doc` documents.
pub(crate) fn bitset_words(max_doc: DocId) -> usize {
    max_doc as usize / 64 + 1
}

impl SegmentData {
    fn build(segment: &SegmentReader) -> tantivy::Result<SegmentData> {
        let fast = segment.fast_fields();
        let max = segment.max_doc();
        let id_column = fast.u64(ID_FIELD)?;
        let day_column = fast.i64(DAY_FIELD)?;
        let ids = (0..max).map(|d| id_column.first(d).unwrap_or(0)).collect();
        let days = (0..max)
            .map(|d| day_column.first(d).unwrap_or(NO_DAY))
            .collect();
        let words = bitset_words(max);
        let mut facets = Vec::with_capacity(5);
        for name in FACET_FIELDS {
            let mut names = Vec::new();
            let mut bits: Vec<Vec<u64>> = Vec::new();
            if let Some(column) = fast.str(name)? {
                for ord in 0..column.num_terms() as u64 {
                    let mut value = String::new();
                    column.ord_to_str(ord, &mut value)?;
                    names.push(value);
                    bits.push(vec![0; words]);
                }
                for d in 0..max {
                    for ord in column.term_ords(d) {
                        bits[ord as usize][d as usize / 64] |= 1 << (d % 64);
                    }
                }
            }
            facets.push(FacetBits { names, bits });
        }
        let facets: [FacetBits; 5] = facets
            .try_into()
            .unwrap_or_else(|_| unreachable!("five facet fields"));
        Ok(SegmentData { ids, days, facets })
    }
}

/// The arrays of every live segment, by segment id.
#[derive(Default)]
pub(crate) struct SegmentCache {
    segments: RwLock<HashMap<SegmentId, Arc<SegmentData>>>,
}

impl SegmentCache {
    /// The arrays of `segment`, built now if the warmer has not yet.
    pub fn get(&self, segment: &SegmentReader) -> tantivy::Result<Arc<SegmentData>> {
        let id = segment.segment_id();
        if let Some(data) = self
            .segments
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
        {
            return Ok(Arc::clone(data));
        }
        let data = Arc::new(SegmentData::build(segment)?);
        self.segments
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, Arc::clone(&data));
        Ok(data)
    }
}

impl Warmer for SegmentCache {
    fn warm(&self, searcher: &Searcher) -> tantivy::Result<()> {
        for segment in searcher.segment_readers() {
            self.get(segment)?;
        }
        Ok(())
    }

    fn garbage_collect(&self, live_generations: &[&SearcherGeneration]) {
        let live: HashSet<SegmentId> = live_generations
            .iter()
            .flat_map(|g| g.segments().keys().copied())
            .collect();
        self.segments
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|id, _| live.contains(id));
    }
}
