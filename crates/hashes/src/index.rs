//! An exact in-memory index of PDQ hashes for Hamming-radius search.
//!
//! Multi-index hashing: the 256 bits are cut into 16 chunks of 16 bits and
//! each chunk value has a bucket of the hashes carrying it. If two hashes
//! differ in at most 31 bits, at least one chunk differs in at most one bit
//! — otherwise all 16 chunks differ in two or more and the total is at least
//! 32 (pigeonhole). So probing, for each chunk, the query's own chunk value
//! and its 16 one-bit neighbours finds every hash within 31 bits; for a
//! radius up to 15 some chunk is identical and the exact bucket suffices.
//! Every candidate's full distance is then checked, so the result is exact,
//! not approximate. Radii over 31 fall back to a scan (still exact).
//!
//! A hash sitting in several probed buckets is reported once: only from the
//! first chunk that qualifies it, which needs no "seen" set.
//!
//! Additions and removals touch the 16 buckets of one hash; nothing is ever
//! rebuilt. Storage is dense (a removal moves the last hash into the hole),
//! so memory is proportional to the live hashes.

use std::collections::HashMap;
use std::hash::Hash;

use crate::PdqHash;

const CHUNKS: usize = 16;
const BUCKETS: usize = 1 << 16;
/// The largest radius the bucket probing covers.
pub const MAX_PROBED_RADIUS: u32 = 31;

/// An exact Hamming-radius index from PDQ hashes to ids of type `K`.
#[derive(Debug, Clone)]
pub struct PdqIndex<K> {
    /// Dense per-slot storage.
    words: Vec<[u64; 4]>,
    ids: Vec<K>,
    slot_of: HashMap<K, u32>,
    /// One table per chunk: for each chunk value, the slots whose chunk has
    /// that value, each with the hash's partner chunk inline.
    tables: Vec<Table>,
}

impl<K: Clone + Eq + Hash + Ord> Default for PdqIndex<K> {
    fn default() -> Self {
        Self::new()
    }
}

/// A bucket entry: the slot and the partner chunk (the other half of the
/// chunk's 32-bit block), 6 bytes. The partner filters candidates without
/// touching the hash itself, which is a cache miss away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Entry {
    slot: [u16; 2],
    partner: u16,
}

impl Entry {
    fn new(slot: u32, partner: u16) -> Self {
        Entry {
            slot: [slot as u16, (slot >> 16) as u16],
            partner,
        }
    }

    #[inline]
    fn slot(&self) -> u32 {
        u32::from(self.slot[0]) | (u32::from(self.slot[1]) << 16)
    }

    fn set_slot(&mut self, slot: u32) {
        self.slot = [slot as u16, (slot >> 16) as u16];
    }
}

/// Where one bucket's entries sit in its table's arena.
#[derive(Debug, Clone, Copy, Default)]
struct Head {
    start: u32,
    len: u32,
    cap: u32,
}

/// The 65,536 buckets of one chunk, stored in one arena rather than as
/// 65,536 separate allocations: the heads make a compact array (768 KB)
/// and the arena one large block the kernel can back with huge pages, so a
/// probe costs fewer TLB misses (expensive under virtualisation). A bucket
/// that outgrows its room moves to the arena's end; the hole is reclaimed
/// by compacting this table once holes are half the arena — amortised, and
/// one table at a time, never the whole index.
#[derive(Debug, Clone)]
struct Table {
    heads: Vec<Head>,
    arena: Vec<Entry>,
    /// Entries of the arena inside some bucket's room (the rest are holes).
    in_use: usize,
    /// When sized up front: each bucket's first room is at `value * room`,
    /// so its contents can be requested before its head is read.
    room: u32,
}

impl Table {
    /// A table expecting about `entries` entries. Every bucket gets a room
    /// up front (the mean load plus an eighth plus two), laid out in value
    /// order: most buckets then never move, the arena is allocated once —
    /// advised before any page is touched, so the kernel can back it with
    /// huge pages — and a probe can request a bucket's contents at the same
    /// time as its head instead of after it.
    fn with_capacity(entries: usize) -> Self {
        let mut heads = vec![Head::default(); BUCKETS];
        if entries == 0 {
            return Table {
                heads,
                arena: Vec::new(),
                in_use: 0,
                room: 0,
            };
        }
        let room = (entries.div_ceil(BUCKETS) * 9 / 8 + 2) as u32;
        let laid_out = BUCKETS * room as usize;
        // Headroom for the buckets that outgrow their room and move.
        let mut arena = Vec::with_capacity(laid_out + laid_out / 16);
        advise_huge_pages(&arena);
        arena.resize(laid_out, Entry::default());
        for (v, h) in heads.iter_mut().enumerate() {
            *h = Head {
                start: v as u32 * room,
                len: 0,
                cap: room,
            };
        }
        Table {
            heads,
            arena,
            in_use: laid_out,
            room,
        }
    }

    /// Where bucket `value`'s contents are when it has not moved.
    #[inline]
    fn home(&self, value: u16) -> Option<&Entry> {
        if self.room == 0 {
            None
        } else {
            self.arena.get(value as usize * self.room as usize)
        }
    }

    #[inline]
    fn bucket(&self, value: u16) -> &[Entry] {
        let h = self.heads[value as usize];
        &self.arena[h.start as usize..(h.start + h.len) as usize]
    }

    fn push(&mut self, value: u16, e: Entry) {
        let h = self.heads[value as usize];
        let h = if h.len == h.cap {
            // Grow by a quarter (at least 4): buckets are small and many, and
            // doubling would leave a third of the index empty.
            let cap = h.cap + (h.cap / 4).max(4);
            let start = self.arena.len();
            let needed = start + cap as usize;
            if needed > self.arena.capacity() {
                let more = (needed - self.arena.len()).max(self.arena.len() / 4);
                self.arena.reserve_exact(more);
                advise_huge_pages(&self.arena);
            }
            self.arena
                .extend_from_within(h.start as usize..(h.start + h.len) as usize);
            self.arena.resize(needed, Entry::default());
            self.in_use += (cap - h.cap) as usize;
            let moved = Head {
                start: u32::try_from(start).expect("index table over 2^32 entries"),
                len: h.len,
                cap,
            };
            self.heads[value as usize] = moved;
            moved
        } else {
            h
        };
        self.arena[(h.start + h.len) as usize] = e;
        self.heads[value as usize].len += 1;
        if self.arena.len() > 4096 && self.arena.len() > 2 * self.in_use {
            self.compact();
        }
    }

    /// Removes the entry for `slot` from bucket `value`.
    fn remove(&mut self, value: u16, slot: u32) {
        let h = &mut self.heads[value as usize];
        let bucket = &mut self.arena[h.start as usize..(h.start + h.len) as usize];
        let at = bucket
            .iter()
            .position(|e| e.slot() == slot)
            .expect("index bucket lost a slot");
        bucket[at] = bucket[bucket.len() - 1];
        h.len -= 1;
        if h.len == 0 {
            self.in_use -= h.cap as usize;
            *h = Head::default();
        }
    }

    /// Repoints bucket `value`'s entry for `from` to slot `to`.
    fn repoint(&mut self, value: u16, from: u32, to: u32) {
        let h = self.heads[value as usize];
        let bucket = &mut self.arena[h.start as usize..(h.start + h.len) as usize];
        bucket
            .iter_mut()
            .find(|e| e.slot() == from)
            .expect("index bucket lost a slot")
            .set_slot(to);
    }

    /// Rewrites the arena without holes, leaving each bucket an eighth of
    /// room to grow.
    fn compact(&mut self) {
        let room = |len: u32| if len == 0 { 0 } else { len + (len / 8).max(1) };
        let total: usize = self.heads.iter().map(|h| room(h.len) as usize).sum();
        let mut arena = Vec::with_capacity(total + total / 8);
        advise_huge_pages(&arena);
        for h in &mut self.heads {
            let start = arena.len();
            arena.extend_from_slice(&self.arena[h.start as usize..(h.start + h.len) as usize]);
            let cap = room(h.len);
            arena.resize(start + cap as usize, Entry::default());
            *h = Head {
                start: if cap == 0 { 0 } else { start as u32 },
                len: h.len,
                cap,
            };
        }
        self.in_use = arena.len();
        self.arena = arena;
        // Buckets are no longer at `value * room`.
        self.room = 0;
    }

    fn memory_bytes(&self) -> usize {
        self.heads.capacity() * std::mem::size_of::<Head>()
            + self.arena.capacity() * std::mem::size_of::<Entry>()
    }
}

/// Asks the kernel to back a large buffer with huge pages (Linux; a hint
/// that changes nothing but speed).
fn advise_huge_pages<T>(v: &Vec<T>) {
    #[cfg(target_os = "linux")]
    {
        const PAGE: usize = 4096;
        const HUGE: usize = 2 * 1024 * 1024;
        let bytes = v.capacity() * std::mem::size_of::<T>();
        if bytes < 2 * HUGE {
            return;
        }
        let begin = (v.as_ptr() as usize).next_multiple_of(PAGE);
        let end = (v.as_ptr() as usize + bytes) & !(PAGE - 1);
        // SAFETY: the range lies inside this Vec's own allocation and is
        // page-aligned; MADV_HUGEPAGE only changes how the kernel backs
        // those pages, never their contents or validity.
        unsafe {
            libc::madvise(begin as *mut libc::c_void, end - begin, libc::MADV_HUGEPAGE);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = v;
}

/// Chunk `c` of a hash in word form (16-bit pieces, most significant first).
#[inline]
fn chunk(w: &[u64; 4], c: usize) -> u16 {
    (w[c / 4] >> (48 - 16 * (c % 4))) as u16
}

#[inline]
fn distance(a: &[u64; 4], b: &[u64; 4]) -> u32 {
    (a[0] ^ b[0]).count_ones()
        + (a[1] ^ b[1]).count_ones()
        + (a[2] ^ b[2]).count_ones()
        + (a[3] ^ b[3]).count_ones()
}

impl<K: Clone + Eq + Hash + Ord> PdqIndex<K> {
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    /// An index with room for about `hashes` hashes before it reallocates:
    /// when the size is known (loading a bank), this is faster to fill and
    /// lets the kernel use huge pages for all of it, which makes lookups
    /// faster.
    pub fn with_capacity(hashes: usize) -> Self {
        // Each bucket keeps some room to grow: about a quarter.
        let per_table = hashes + hashes / 4;
        let words = Vec::with_capacity(hashes);
        advise_huge_pages(&words);
        PdqIndex {
            words,
            ids: Vec::with_capacity(hashes),
            slot_of: HashMap::with_capacity(hashes),
            tables: (0..CHUNKS)
                .map(|_| Table::with_capacity(per_table))
                .collect(),
        }
    }

    /// Number of hashes stored.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The hash stored under `id`.
    pub fn get(&self, id: &K) -> Option<PdqHash> {
        self.slot_of
            .get(id)
            .map(|&s| PdqHash::from_words(self.words[s as usize]))
    }

    /// Stores `hash` under `id`, replacing (and returning) any hash `id`
    /// had: one id, one hash.
    pub fn add(&mut self, id: K, hash: PdqHash) -> Option<PdqHash> {
        let previous = self.remove(&id);
        let slot = u32::try_from(self.ids.len()).expect("more than 2^32 hashes in one index");
        let w = hash.words();
        for (c, table) in self.tables.iter_mut().enumerate() {
            table.push(chunk(&w, c), Entry::new(slot, chunk(&w, c ^ 1)));
        }
        let capacity = self.words.capacity();
        self.words.push(w);
        if self.words.capacity() != capacity {
            advise_huge_pages(&self.words);
        }
        self.ids.push(id.clone());
        self.slot_of.insert(id, slot);
        previous
    }

    /// Removes `id`, returning its hash.
    pub fn remove(&mut self, id: &K) -> Option<PdqHash> {
        let slot = self.slot_of.remove(id)?;
        let w = self.words[slot as usize];
        for (c, table) in self.tables.iter_mut().enumerate() {
            table.remove(chunk(&w, c), slot);
        }
        let last = (self.ids.len() - 1) as u32;
        if slot != last {
            // Move the last hash into the hole and repoint its buckets.
            let lw = self.words[last as usize];
            for (c, table) in self.tables.iter_mut().enumerate() {
                table.repoint(chunk(&lw, c), last, slot);
            }
            let moved = self.ids[last as usize].clone();
            self.slot_of.insert(moved, slot);
        }
        self.words.swap_remove(slot as usize);
        self.ids.swap_remove(slot as usize);
        Some(PdqHash::from_words(w))
    }

    /// Every stored id within `radius` bits of `query`, with its distance,
    /// sorted by distance then id.
    pub fn lookup(&self, query: &PdqHash, radius: u32) -> Vec<(K, u32)> {
        let mut found = Vec::new();
        self.lookup_into(query, radius, &mut found);
        let mut out: Vec<(K, u32)> = found
            .into_iter()
            .map(|(slot, d)| (self.ids[slot as usize].clone(), d))
            .collect();
        out.sort_unstable_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        out
    }

    /// As [`PdqIndex::lookup`] for each of several query hashes (such as the
    /// dihedral variants of one image), keeping each id's best distance.
    pub fn lookup_any(&self, queries: &[PdqHash], radius: u32) -> Vec<(K, u32)> {
        let mut best: HashMap<u32, u32> = HashMap::new();
        let mut found = Vec::new();
        for q in queries {
            found.clear();
            self.lookup_into(q, radius, &mut found);
            for &(slot, d) in &found {
                best.entry(slot)
                    .and_modify(|b| *b = (*b).min(d))
                    .or_insert(d);
            }
        }
        let mut out: Vec<(K, u32)> = best
            .into_iter()
            .map(|(slot, d)| (self.ids[slot as usize].clone(), d))
            .collect();
        out.sort_unstable_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        out
    }

    /// Pushes `(slot, distance)` for each hash within `radius`, unsorted.
    fn lookup_into(&self, query: &PdqHash, radius: u32, out: &mut Vec<(u32, u32)>) {
        let q = query.words();
        if radius > MAX_PROBED_RADIUS {
            for (slot, w) in self.words.iter().enumerate() {
                let d = distance(&q, w);
                if d <= radius {
                    out.push((slot as u32, d));
                }
            }
            return;
        }
        let (block_tol, chunk_tol) = tolerances(radius);
        let qc: [u16; CHUNKS] = std::array::from_fn(|c| chunk(&q, c));
        // The work is a few hundred bucket reads at random places in memory,
        // each a cache miss; done naively they chain (bucket head → bucket
        // contents → hash). So the probes are software-pipelined: the head
        // of probe i + 16 and the contents of probe i + 8 are requested
        // while probe i is scanned, keeping a bounded number of misses in
        // flight (more would overflow the core's miss buffers).
        const HEAD_AHEAD: usize = 16;
        const CONTENT_AHEAD: usize = 8;
        let probes_per_chunk = if chunk_tol == 1 { 17 } else { 1 };
        let mut probes = [(0usize, 0u16, 0u32); CHUNKS * 17];
        let mut n = 0;
        for (c, &value) in qc.iter().enumerate() {
            for p in 0..probes_per_chunk {
                let (v, dc) = if p == 0 {
                    (value, 0)
                } else {
                    (value ^ (1 << (p - 1)), 1)
                };
                probes[n] = (c, v, dc);
                n += 1;
            }
        }
        for &(c, v, _) in &probes[..n.min(HEAD_AHEAD)] {
            prefetch(&self.tables[c].heads[v as usize]);
            if let Some(home) = self.tables[c].home(v) {
                prefetch(home);
            }
        }
        for &(c, v, _) in &probes[..n.min(CONTENT_AHEAD)] {
            if let Some(first) = self.tables[c].bucket(v).first() {
                prefetch(first);
            }
        }
        // Candidates pass the partner filter (block distance within the
        // tolerance) using inline data only; just those few read the hash.
        CANDIDATES.with_borrow_mut(|candidates| {
            candidates.clear();
            for i in 0..n {
                if i + HEAD_AHEAD < n {
                    let (c, v, _) = probes[i + HEAD_AHEAD];
                    prefetch(&self.tables[c].heads[v as usize]);
                    if let Some(home) = self.tables[c].home(v) {
                        prefetch(home);
                    }
                }
                if i + CONTENT_AHEAD < n {
                    let (c, v, _) = probes[i + CONTENT_AHEAD];
                    if let Some(first) = self.tables[c].bucket(v).first() {
                        prefetch(first);
                    }
                }
                let (c, v, dc) = probes[i];
                let budget = block_tol - dc;
                let partner = qc[c ^ 1];
                for e in self.tables[c].bucket(v) {
                    if (e.partner ^ partner).count_ones() <= budget {
                        let slot = e.slot();
                        prefetch(&self.words[slot as usize]);
                        candidates.push((slot, c as u32));
                    }
                }
            }
            for &(slot, c) in candidates.iter() {
                let w = &self.words[slot as usize];
                let d = distance(&q, w);
                if d <= radius && first_qualifying_chunk(&qc, w, block_tol, chunk_tol) == c as usize
                {
                    out.push((slot, d));
                }
            }
        });
    }

    /// An estimate of the heap memory held, in bytes (capacities, not
    /// lengths; the id map's table counted at its capacity).
    pub fn memory_bytes(&self) -> usize {
        use std::mem::size_of;
        let buckets: usize = self.tables.iter().map(Table::memory_bytes).sum();
        buckets
            + self.words.capacity() * size_of::<[u64; 4]>()
            + self.ids.capacity() * size_of::<K>()
            + self.slot_of.capacity() * (size_of::<K>() + size_of::<u32>() + 1)
    }
}

thread_local! {
    /// Scratch space for one lookup's candidates, reused across lookups.
    static CANDIDATES: std::cell::RefCell<Vec<(u32, u32)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A hint to start loading `value`'s cache line; no effect on results.
#[inline(always)]
fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: SSE is part of the x86_64 baseline, so the instruction
        // exists; a prefetch never faults and reads nothing the program sees,
        // and the pointer comes from a live reference anyway.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((value as *const T).cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

/// The guarantees pigeonhole gives for `radius ≤ 31`, over the 8 blocks
/// of 32 bits (chunk pairs `2b, 2b+1`): some block is within
/// `block = radius / 8` bits (8 blocks of `block + 1` would exceed the
/// radius), and within that block one of its two chunks is within
/// `block / 2` bits (two chunks of `block / 2 + 1` would exceed `block`).
fn tolerances(radius: u32) -> (u32, u32) {
    let block = radius / 8;
    (block, block / 2)
}

/// The first chunk through which the probing qualifies `w`: within
/// `chunk_tol` bits itself and within `block_tol` together with its
/// partner. Every hash within the radius has one (see [`tolerances`]); a
/// hash is reported only from this chunk, so exactly once.
#[inline]
fn first_qualifying_chunk(
    qc: &[u16; CHUNKS],
    w: &[u64; 4],
    block_tol: u32,
    chunk_tol: u32,
) -> usize {
    (0..CHUNKS)
        .find(|&c| {
            let dc = (qc[c] ^ chunk(w, c)).count_ones();
            let dp = (qc[c ^ 1] ^ chunk(w, c ^ 1)).count_ones();
            dc <= chunk_tol && dc + dp <= block_tol
        })
        .unwrap_or(CHUNKS)
}

/// The reference answer: a scan of every hash. For tests and benchmarks.
pub fn brute_force<'a, K: Clone + Ord + 'a>(
    entries: impl IntoIterator<Item = (&'a K, &'a PdqHash)>,
    query: &PdqHash,
    radius: u32,
) -> Vec<(K, u32)> {
    let mut out: Vec<(K, u32)> = entries
        .into_iter()
        .filter_map(|(k, h)| {
            let d = h.distance(query);
            (d <= radius).then(|| (k.clone(), d))
        })
        .collect();
    out.sort_unstable_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(seed: u64) -> PdqHash {
        let mut s = crate::synthetic::SplitMix64::new(seed);
        PdqHash::from_words([s.next_u64(), s.next_u64(), s.next_u64(), s.next_u64()])
    }

    fn flip(mut hash: PdqHash, bits: &[usize]) -> PdqHash {
        for &b in bits {
            hash = hash.with_bit_flipped(b);
        }
        hash
    }

    #[test]
    fn a_hash_at_distance_31_spread_two_bits_per_chunk_is_found() {
        // The pigeonhole edge: 15 chunks with 2 flipped bits and one with 1.
        let base = h(1);
        let bits: Vec<usize> = (0..16)
            .flat_map(|c| {
                if c == 9 {
                    vec![c * 16]
                } else {
                    vec![c * 16, c * 16 + 5]
                }
            })
            .collect();
        let far = flip(base, &bits);
        assert_eq!(base.distance(&far), 31);
        let mut index = PdqIndex::new();
        index.add("far", far);
        assert_eq!(index.lookup(&base, 31), vec![("far", 31)]);
        assert_eq!(index.lookup(&base, 30), vec![]);
    }

    #[test]
    fn a_hash_whose_only_close_block_has_an_exact_chunk_and_three_bits_in_its_partner_is_found() {
        // Blocks 0..7 at 4 bits (2 + 2), block 3 at 3 bits (0 + 3): 31.
        let base = h(8);
        let bits: Vec<usize> = (0..16)
            .flat_map(|c| match c {
                6 => vec![],
                7 => vec![c * 16, c * 16 + 1, c * 16 + 2],
                _ => vec![c * 16 + 3, c * 16 + 9],
            })
            .collect();
        let far = flip(base, &bits);
        assert_eq!(base.distance(&far), 31);
        let mut index = PdqIndex::new();
        index.add("far", far);
        assert_eq!(index.lookup(&base, 31), vec![("far", 31)]);
    }

    #[test]
    fn results_are_sorted_by_distance_then_id_and_reported_once() {
        let base = h(2);
        let mut index = PdqIndex::new();
        index.add("c", flip(base, &[1, 2, 3]));
        index.add("b", flip(base, &[7]));
        index.add("a", flip(base, &[9, 200, 201]));
        index.add("d", base);
        index.add("far", h(3));
        assert_eq!(
            index.lookup(&base, 31),
            vec![("d", 0), ("b", 1), ("a", 3), ("c", 3)]
        );
    }

    #[test]
    fn adding_an_existing_id_replaces_its_hash() {
        let mut index = PdqIndex::new();
        assert_eq!(index.add(1, h(4)), None);
        assert_eq!(index.add(1, h(5)), Some(h(4)));
        assert_eq!(index.len(), 1);
        assert!(index.lookup(&h(4), 31).is_empty());
        assert_eq!(index.lookup(&h(5), 0), vec![(1, 0)]);
    }

    #[test]
    fn removal_keeps_the_other_hashes_findable() {
        let mut index = PdqIndex::new();
        for i in 0..50u32 {
            index.add(i, h(u64::from(i)));
        }
        for i in (0..50u32).step_by(3) {
            assert_eq!(index.remove(&i), Some(h(u64::from(i))));
        }
        assert_eq!(index.remove(&0), None);
        for i in 0..50u32 {
            let found = index.lookup(&h(u64::from(i)), 0);
            if i % 3 == 0 {
                assert!(found.is_empty(), "{i} still found");
            } else {
                assert_eq!(found, vec![(i, 0)]);
                assert_eq!(index.get(&i), Some(h(u64::from(i))));
            }
        }
    }

    #[test]
    fn churn_compacts_the_tables_and_keeps_every_answer_exact() {
        let mut index = PdqIndex::new();
        let mut model = std::collections::BTreeMap::new();
        let mut rng = crate::synthetic::SplitMix64::new(11);
        let centre = h(12);
        for i in 0..6000u32 {
            // A third near one centre, so some buckets grow and move.
            let hash = if i % 3 == 0 {
                crate::synthetic::perturb(centre, i % 20, &mut rng)
            } else {
                h(u64::from(i) + 100)
            };
            index.add(i, hash);
            model.insert(i, hash);
        }
        let full = index.memory_bytes();
        for i in (0..6000u32).filter(|i| i % 5 != 0) {
            index.remove(&i);
            model.remove(&i);
        }
        assert!(index.memory_bytes() < full, "holes were not reclaimed");
        for q in [
            centre,
            h(5000 + 100),
            crate::synthetic::perturb(centre, 9, &mut rng),
        ] {
            for r in [0, 10, 20, 31] {
                assert_eq!(index.lookup(&q, r), brute_force(model.iter(), &q, r));
            }
        }
        for (id, hash) in &model {
            assert!(index.lookup(hash, 0).contains(&(*id, 0)));
        }
    }

    #[test]
    fn radii_over_31_are_answered_by_scan() {
        let base = h(6);
        let far = flip(base, &(0..40).collect::<Vec<_>>());
        let mut index = PdqIndex::new();
        index.add("x", far);
        assert_eq!(index.lookup(&base, 40), vec![("x", 40)]);
        assert!(index.lookup(&base, 39).is_empty());
    }

    #[test]
    fn lookup_any_keeps_the_best_distance_per_id() {
        let base = h(7);
        let mut index = PdqIndex::new();
        index.add("x", flip(base, &[1, 2]));
        let other = flip(base, &[1, 2, 3, 4, 5]);
        assert_eq!(index.lookup_any(&[other, base], 31), vec![("x", 2)]);
    }
}
