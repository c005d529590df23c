//! One pass over the matching (hence visible) documents: the total, the
//! facet counts and the top `offset + limit` documents in the requested
//! order, ties broken by item id so pages are stable.

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap};

use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::Order;
use crate::cache::{NO_DAY, SegmentCache, SegmentData, bitset_words};

/// A ranked document: larger `(a, b, c)` first; equal keys by doc address.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ranked {
    a: f64,
    b: i64,
    c: i64,
    pub id: i64,
    pub score: Score,
    pub doc: DocAddress,
}

/// The first (most significant) part of a document's sort key.
#[inline]
fn first_key(order: Order, score: Score, day: Option<i64>) -> f64 {
    match order {
        Order::Relevance => f64::from(score),
        Order::Newest => day.map_or(f64::NEG_INFINITY, |d| d as f64),
        Order::Oldest => day.map_or(f64::NEG_INFINITY, |d| -(d as f64)),
    }
}

impl Ranked {
    fn new(order: Order, id: i64, day: Option<i64>, score: Score, doc: DocAddress) -> Ranked {
        let a = first_key(order, score, day);
        let (b, c) = match order {
            Order::Relevance => (day.unwrap_or(i64::MIN), id),
            Order::Newest => (id, 0),
            Order::Oldest => (-id, 0),
        };
        Ranked {
            a,
            b,
            c,
            id,
            score,
            doc,
        }
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Ranked {}
impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ranked {
    /// Greater = ranks first.
    fn cmp(&self, other: &Self) -> Ordering {
        self.a
            .total_cmp(&other.a)
            .then(self.b.cmp(&other.b))
            .then(self.c.cmp(&other.c))
            .then(other.doc.cmp(&self.doc))
    }
}

/// What the pass yields.
pub(crate) struct Collected {
    pub total: u64,
    /// Best first, at most `keep`.
    pub top: Vec<Ranked>,
    /// Per facet (kind, theme, country, lang, marking): value → count.
    pub facets: [HashMap<String, u64>; 5],
}

pub(crate) struct LibraryCollector {
    pub order: Order,
    /// `offset + limit`.
    pub keep: usize,
    pub cache: Arc<SegmentCache>,
}

pub(crate) struct LibrarySegmentCollector {
    order: Order,
    keep: usize,
    segment: SegmentOrdinal,
    data: Arc<SegmentData>,
    /// The matching documents, as a bitset (facets are counted from it).
    matched: Vec<u64>,
    total: u64,
    /// Min-heap of the best `keep` so far.
    heap: BinaryHeap<Reverse<Ranked>>,
}

impl Collector for LibraryCollector {
    type Fruit = Collected;
    type Child = LibrarySegmentCollector;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<LibrarySegmentCollector> {
        let data = self.cache.get(reader)?;
        Ok(LibrarySegmentCollector {
            order: self.order,
            keep: self.keep,
            segment,
            matched: vec![0; bitset_words(reader.max_doc())],
            data,
            total: 0,
            heap: BinaryHeap::with_capacity(self.keep.min(1024) + 1),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.order == Order::Relevance
    }

    fn merge_fruits(&self, fruits: Vec<Collected>) -> tantivy::Result<Collected> {
        let mut merged = Collected {
            total: 0,
            top: Vec::new(),
            facets: Default::default(),
        };
        for fruit in fruits {
            merged.total += fruit.total;
            merged.top.extend(fruit.top);
            for (into, from) in merged.facets.iter_mut().zip(fruit.facets) {
                for (value, n) in from {
                    *into.entry(value).or_insert(0) += n;
                }
            }
        }
        merged.top.sort_unstable_by(|x, y| y.cmp(x));
        merged.top.truncate(self.keep);
        Ok(merged)
    }
}

impl SegmentCollector for LibrarySegmentCollector {
    type Fruit = Collected;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.total += 1;
        self.matched[doc as usize / 64] |= 1 << (doc % 64);
        let d = doc as usize;
        if self.keep == 0 {
            return;
        }
        if self.heap.len() == self.keep {
            // Most documents lose on the first key; decide that before
            // building the whole one.
            let worst = self.heap.peek().map_or(f64::NEG_INFINITY, |w| w.0.a);
            let day = Some(self.data.days[d]).filter(|&v| v != NO_DAY);
            if first_key(self.order, score, day) < worst {
                return;
            }
        }
        let id = self.data.ids[d] as i64;
        let day = Some(self.data.days[d]).filter(|&v| v != NO_DAY);
        let ranked = Ranked::new(
            self.order,
            id,
            day,
            score,
            DocAddress::new(self.segment, doc),
        );
        if self.heap.len() < self.keep {
            self.heap.push(Reverse(ranked));
        } else if let Some(mut worst) = self.heap.peek_mut()
            && ranked > worst.0
        {
            *worst = Reverse(ranked);
        }
    }

    fn harvest(self) -> Collected {
        let mut facets: [HashMap<String, u64>; 5] = Default::default();
        for (facet, out) in self.data.facets.iter().zip(facets.iter_mut()) {
            for (name, bits) in facet.names.iter().zip(&facet.bits) {
                let n: u64 = bits
                    .iter()
                    .zip(&self.matched)
                    .map(|(b, m)| u64::from((b & m).count_ones()))
                    .sum();
                if n > 0 {
                    *out.entry(name.clone()).or_insert(0) += n;
                }
            }
        }
        let mut top: Vec<Ranked> = self.heap.into_iter().map(|r| r.0).collect();
        top.sort_unstable_by(|x, y| y.cmp(x));
        Collected {
            total: self.total,
            top,
            facets,
        }
    }
}

/// Facet counts as the API gives them: largest first, ties by value.
pub(crate) fn sorted(counts: HashMap<String, u64>) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = counts.into_iter().filter(|(k, _)| !k.is_empty()).collect();
    v.sort_unstable_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
    v
}
