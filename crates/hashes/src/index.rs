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
//! Many queries can be answered together ([`PdqIndex::lookup_batch`]): their
//! probes are sorted by bucket, so the tables are read in address order
//! rather than at random, which is about twice as fast per query.
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
///
/// A bucket entry is a slot and the hash's partner chunk (the other half
/// of the chunk's 32-bit block), kept in two parallel arrays rather than
/// as 6-byte pairs: the partner filters candidates without touching the
/// hash itself, and a probe scans only the partners (2 bytes an entry, a
/// bucket mostly in one cache line), reading the slot of the ~1 % that pass.
#[derive(Debug, Clone)]
struct Table {
    heads: Vec<Head>,
    partners: Vec<u16>,
    /// Parallel to `partners`.
    slots: Vec<u32>,
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
                partners: Vec::new(),
                slots: Vec::new(),
                in_use: 0,
                room: 0,
            };
        }
        let room = (entries.div_ceil(BUCKETS) * 9 / 8 + 2) as u32;
        let laid_out = BUCKETS * room as usize;
        // Headroom for the buckets that outgrow their room and move.
        let reserved = laid_out + laid_out / 16;
        let mut partners = Vec::with_capacity(reserved);
        let mut slots = Vec::with_capacity(reserved);
        advise_huge_pages(&partners);
        advise_huge_pages(&slots);
        partners.resize(laid_out, 0);
        slots.resize(laid_out, 0);
        for (v, h) in heads.iter_mut().enumerate() {
            *h = Head {
                start: v as u32 * room,
                len: 0,
                cap: room,
            };
        }
        Table {
            heads,
            partners,
            slots,
            in_use: laid_out,
            room,
        }
    }

    /// Where bucket `value`'s partners are when it has not moved.
    #[inline]
    fn home(&self, value: u16) -> Option<&u16> {
        if self.room == 0 {
            None
        } else {
            self.partners.get(value as usize * self.room as usize)
        }
    }

    /// Bucket `value`'s place in the arena.
    #[inline]
    fn bucket(&self, value: u16) -> std::ops::Range<usize> {
        let h = self.heads[value as usize];
        h.start as usize..(h.start + h.len) as usize
    }

    fn push(&mut self, value: u16, slot: u32, partner: u16) {
        let h = self.heads[value as usize];
        let h = if h.len == h.cap {
            // Grow by a quarter (at least 4): buckets are small and many, and
            // doubling would leave a third of the index empty.
            let cap = h.cap + (h.cap / 4).max(4);
            let start = self.partners.len();
            let needed = start + cap as usize;
            if needed > self.partners.capacity() {
                let more = (needed - start).max(start / 4);
                self.partners.reserve_exact(more);
                self.slots.reserve_exact(more);
                advise_huge_pages(&self.partners);
                advise_huge_pages(&self.slots);
            }
            let old = h.start as usize..(h.start + h.len) as usize;
            self.partners.extend_from_within(old.clone());
            self.slots.extend_from_within(old);
            self.partners.resize(needed, 0);
            self.slots.resize(needed, 0);
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
        let at = (h.start + h.len) as usize;
        self.partners[at] = partner;
        self.slots[at] = slot;
        self.heads[value as usize].len += 1;
        if self.partners.len() > 4096 && self.partners.len() > 2 * self.in_use {
            self.compact();
        }
    }

    /// Removes the entry for `slot` from bucket `value`.
    fn remove(&mut self, value: u16, slot: u32) {
        let range = self.bucket(value);
        let at = range.start
            + self.slots[range.clone()]
                .iter()
                .position(|&s| s == slot)
                .expect("index bucket lost a slot");
        let last = range.end - 1;
        self.partners[at] = self.partners[last];
        self.slots[at] = self.slots[last];
        let h = &mut self.heads[value as usize];
        h.len -= 1;
        if h.len == 0 {
            self.in_use -= h.cap as usize;
            *h = Head::default();
        }
    }

    /// Repoints bucket `value`'s entry for `from` to slot `to`.
    fn repoint(&mut self, value: u16, from: u32, to: u32) {
        let range = self.bucket(value);
        *self.slots[range]
            .iter_mut()
            .find(|s| **s == from)
            .expect("index bucket lost a slot") = to;
    }

    /// Rewrites the arena without holes, leaving each bucket an eighth of
    /// room to grow.
    fn compact(&mut self) {
        let room = |len: u32| if len == 0 { 0 } else { len + (len / 8).max(1) };
        let total: usize = self.heads.iter().map(|h| room(h.len) as usize).sum();
        let mut partners = Vec::with_capacity(total + total / 8);
        let mut slots = Vec::with_capacity(total + total / 8);
        advise_huge_pages(&partners);
        advise_huge_pages(&slots);
        for h in &mut self.heads {
            let start = partners.len();
            let old = h.start as usize..(h.start + h.len) as usize;
            partners.extend_from_slice(&self.partners[old.clone()]);
            slots.extend_from_slice(&self.slots[old]);
            let cap = room(h.len);
            partners.resize(start + cap as usize, 0);
            slots.resize(start + cap as usize, 0);
            *h = Head {
                start: if cap == 0 { 0 } else { start as u32 },
                len: h.len,
                cap,
            };
        }
        self.in_use = partners.len();
        self.partners = partners;
        self.slots = slots;
        // Buckets are no longer at `value * room`.
        self.room = 0;
    }

    fn memory_bytes(&self) -> usize {
        self.heads.capacity() * std::mem::size_of::<Head>()
            + self.partners.capacity() * std::mem::size_of::<u16>()
            + self.slots.capacity() * std::mem::size_of::<u32>()
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
            table.push(chunk(&w, c), slot, chunk(&w, c ^ 1));
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
        self.find_batch(
            std::slice::from_ref(query),
            radius,
            std::slice::from_mut(&mut found),
        );
        self.ids_by_distance(found)
    }

    /// As [`PdqIndex::lookup`] for each of several query hashes (such as the
    /// dihedral variants of one image), keeping each id's best distance.
    pub fn lookup_any(&self, queries: &[PdqHash], radius: u32) -> Vec<(K, u32)> {
        let mut best: HashMap<u32, u32> = HashMap::new();
        let mut found: Vec<Vec<(u32, u32)>> = vec![Vec::new(); queries.len()];
        for (part, out) in queries.chunks(MAX_BATCH).zip(found.chunks_mut(MAX_BATCH)) {
            self.find_batch(part, radius, out);
        }
        for &(slot, d) in found.iter().flatten() {
            best.entry(slot)
                .and_modify(|b| *b = (*b).min(d))
                .or_insert(d);
        }
        self.ids_by_distance(best.into_iter().collect())
    }

    /// [`PdqIndex::lookup`] for each query, answered together: element `i`
    /// is exactly `lookup(&queries[i], radius)`. Faster per query than
    /// separate calls, because the probes of all the queries are read in
    /// bucket order (see [`PdqIndex::probe_batch`]).
    pub fn lookup_batch(&self, queries: &[PdqHash], radius: u32) -> Vec<Vec<(K, u32)>> {
        let mut found: Vec<Vec<(u32, u32)>> = vec![Vec::new(); queries.len()];
        for (part, out) in queries.chunks(MAX_BATCH).zip(found.chunks_mut(MAX_BATCH)) {
            self.find_batch(part, radius, out);
        }
        found.into_iter().map(|f| self.ids_by_distance(f)).collect()
    }

    /// `(slot, distance)` pairs as `(id, distance)` sorted by distance then
    /// id: the order every lookup answers in.
    fn ids_by_distance(&self, found: Vec<(u32, u32)>) -> Vec<(K, u32)> {
        let mut out: Vec<(K, u32)> = found
            .into_iter()
            .map(|(slot, d)| (self.ids[slot as usize].clone(), d))
            .collect();
        out.sort_unstable_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        out
    }

    /// Pushes `(slot, distance)` onto `out[i]` for each hash within `radius`
    /// of `queries[i]`, unsorted; at most [`MAX_BATCH`] queries.
    fn find_batch(&self, queries: &[PdqHash], radius: u32, out: &mut [Vec<(u32, u32)>]) {
        if radius > MAX_PROBED_RADIUS {
            for (q, found) in queries.iter().zip(out.iter_mut()) {
                let q = q.words();
                for (slot, w) in self.words.iter().enumerate() {
                    let d = distance(&q, w);
                    if d <= radius {
                        found.push((slot as u32, d));
                    }
                }
            }
            return;
        }
        // The scratch is taken out of its thread-local rather than borrowed
        // in a closure: a closure would be compiled without the target
        // feature below.
        let mut scratch = BATCH_SCRATCH.take();
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("popcnt") {
            // SAFETY: the CPU has just been seen to have popcnt, the only
            // feature the function is compiled for.
            unsafe { self.probe_batch_popcnt(queries, radius, out, &mut scratch) };
            BATCH_SCRATCH.set(scratch);
            return;
        }
        self.probe_batch(queries, radius, out, &mut scratch);
        BATCH_SCRATCH.set(scratch);
    }

    /// [`PdqIndex::probe_batch`] compiled to count bits with the `popcnt`
    /// instruction, for the CPUs that have it (all but the oldest x86-64):
    /// the baseline target counts them in about a dozen instructions, and a
    /// query counts bits thousands of times (the filter's leftovers, the
    /// full distances, the first qualifying chunk). 5–15 % more lookups per
    /// CPU-second in an A/B run; the binary still runs on any x86-64.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "popcnt")]
    fn probe_batch_popcnt(
        &self,
        queries: &[PdqHash],
        radius: u32,
        out: &mut [Vec<(u32, u32)>],
        scratch: &mut BatchScratch,
    ) {
        self.probe_batch(queries, radius, out, scratch);
    }

    /// The bucket probing for `radius ≤ 31` (see the module comment), for
    /// up to [`MAX_BATCH`] queries at once.
    ///
    /// Every probe is a bucket read at a random place in memory, a cache
    /// miss; done naively the misses chain (bucket head → bucket contents →
    /// hash). Two things make them cheaper. The probes are
    /// software-pipelined: the head of probe i + 16 and the contents of
    /// probe i + 8 are requested while probe i is scanned, keeping a bounded
    /// number of misses in flight (more would overflow the core's miss
    /// buffers). And the probes of all the queries are sorted by chunk and
    /// bucket value, so that the tables are walked in address order: queries
    /// probing the same bucket read it once, neighbouring buckets share
    /// cache lines and pages (fewer TLB misses, which are expensive under
    /// virtualisation), and the hardware prefetcher sees a forward stream.
    #[inline(always)]
    fn probe_batch(
        &self,
        queries: &[PdqHash],
        radius: u32,
        out: &mut [Vec<(u32, u32)>],
        scratch: &mut BatchScratch,
    ) {
        debug_assert!(queries.len() <= MAX_BATCH && radius <= MAX_PROBED_RADIUS);
        const HEAD_AHEAD: usize = 32;
        const CONTENT_AHEAD: usize = 16;
        const HASH_AHEAD: usize = 16;
        let (block_tol, chunk_tol) = tolerances(radius);
        let words: Vec<[u64; 4]> = queries.iter().map(PdqHash::words).collect();
        let chunks: Vec<[u16; CHUNKS]> = words
            .iter()
            .map(|q| std::array::from_fn(|c| chunk(q, c)))
            .collect();
        {
            let BatchScratch {
                probes,
                sorted,
                candidates,
            } = scratch;
            probes.clear();
            candidates.clear();
            // A probe is (chunk, bucket value, query, chunk distance) packed
            // so that sorting the numbers sorts by chunk, then value.
            let probe = |c: usize, v: u16, q: usize, dc: u32| -> u64 {
                ((c as u64) << 48) | (u64::from(v) << 32) | ((q as u64) << 1) | u64::from(dc)
            };
            for c in 0..CHUNKS {
                let start = probes.len();
                for (q, qc) in chunks.iter().enumerate() {
                    probes.push(probe(c, qc[c], q, 0));
                    if chunk_tol == 1 {
                        for b in 0..16 {
                            probes.push(probe(c, qc[c] ^ (1 << b), q, 1));
                        }
                    }
                }
                // One query's probes are distinct buckets: nothing to share.
                if queries.len() > 1 {
                    sort_by_bucket_value(&mut probes[start..], sorted);
                }
            }
            let unpack = |p: u64| -> (usize, u16, usize, u32) {
                (
                    (p >> 48) as usize,
                    (p >> 32) as u16,
                    ((p as u32) >> 1) as usize,
                    (p & 1) as u32,
                )
            };
            let request_head = |p: u64| {
                let (c, v, _, _) = unpack(p);
                prefetch(&self.tables[c].heads[v as usize]);
                if let Some(home) = self.tables[c].home(v) {
                    prefetch(home);
                }
            };
            let request_contents = |p: u64| {
                let (c, v, _, _) = unpack(p);
                let t = &self.tables[c];
                let b = &t.partners[t.bucket(v)];
                // A bucket's partners span one or two cache lines.
                if let (Some(first), Some(last)) = (b.first(), b.last()) {
                    prefetch(first);
                    prefetch(last);
                }
            };
            probes
                .iter()
                .take(HEAD_AHEAD)
                .for_each(|&p| request_head(p));
            probes
                .iter()
                .take(CONTENT_AHEAD)
                .for_each(|&p| request_contents(p));
            // Candidates pass the partner filter (block distance within the
            // tolerance) on inline data only; just those few read the hash.
            for i in 0..probes.len() {
                if let Some(&p) = probes.get(i + HEAD_AHEAD) {
                    request_head(p);
                }
                if let Some(&p) = probes.get(i + CONTENT_AHEAD) {
                    request_contents(p);
                }
                let (c, v, q, dc) = unpack(probes[i]);
                let budget = block_tol - dc;
                let partner = chunks[q][c ^ 1];
                let t = &self.tables[c];
                let range = t.bucket(v);
                let mut push = |at: usize| {
                    candidates.push(Candidate {
                        at: at as u32,
                        query: q as u32,
                        chunk: c as u32,
                    })
                };
                // The filter runs on blocks of LANES partners at a time, the
                // last block reading past the bucket's end into its room or
                // the next bucket (masked off); only a bucket at the very end
                // of the arena is finished one entry at a time.
                let mut at = range.start;
                while at < range.end {
                    let Some(block) = t.partners.get(at..at + LANES) else {
                        break;
                    };
                    let block: &[u16; LANES] = block.try_into().expect("a block is LANES long");
                    let inside = (range.end - at).min(LANES);
                    let mut passed =
                        within_budget(block, partner, budget) & (u32::MAX >> (32 - inside));
                    while passed != 0 {
                        push(at + passed.trailing_zeros() as usize);
                        passed &= passed - 1;
                    }
                    at += LANES;
                }
                for at in at..range.end {
                    if (t.partners[at] ^ partner).count_ones() <= budget {
                        push(at);
                    }
                }
            }
            // Each candidate is two more misses, its slot then its hash:
            // pipelined too, the slot of candidate i + 2k and the hash of
            // candidate i + k requested while candidate i is checked.
            let slot = |c: &Candidate| self.tables[c.chunk as usize].slots[c.at as usize];
            let request_slot =
                |c: &Candidate| prefetch(&self.tables[c.chunk as usize].slots[c.at as usize]);
            let request_hash = |c: &Candidate| prefetch(&self.words[slot(c) as usize]);
            candidates
                .iter()
                .take(2 * HASH_AHEAD)
                .for_each(request_slot);
            candidates.iter().take(HASH_AHEAD).for_each(request_hash);
            for i in 0..candidates.len() {
                if let Some(ahead) = candidates.get(i + 2 * HASH_AHEAD) {
                    request_slot(ahead);
                }
                if let Some(ahead) = candidates.get(i + HASH_AHEAD) {
                    request_hash(ahead);
                }
                let candidate = &candidates[i];
                let (slot, query, chunk) = (slot(candidate), candidate.query, candidate.chunk);
                let w = &self.words[slot as usize];
                let q = query as usize;
                let d = distance(&words[q], w);
                if d <= radius
                    && first_qualifying_chunk(&chunks[q], w, block_tol, chunk_tol) == chunk as usize
                {
                    out[q].push((slot, d));
                }
            }
        }
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

/// The most queries [`PdqIndex::probe_batch`] takes at once; longer
/// batches are cut. It bounds the scratch space (about 5 KB per query).
const MAX_BATCH: usize = 4096;

/// Sorts one chunk's packed probes by bucket value (bits 32..48): a
/// two-pass radix sort, a byte a pass, which costs a fraction of a
/// comparison sort on these ~17 probes per query and chunk.
fn sort_by_bucket_value(probes: &mut [u64], buffer: &mut Vec<u64>) {
    buffer.clear();
    buffer.resize(probes.len(), 0);
    for shift in [32, 40] {
        let digit = |p: u64| usize::from((p >> shift) as u8);
        let mut next = [0usize; 256];
        for &p in probes.iter() {
            next[digit(p)] += 1;
        }
        let mut sum = 0;
        for n in &mut next {
            (*n, sum) = (sum, sum + *n);
        }
        for &p in probes.iter() {
            buffer[next[digit(p)]] = p;
            next[digit(p)] += 1;
        }
        probes.copy_from_slice(buffer);
    }
}

/// Partners the filter tests at once: 16 × 16 bits, two SSE2 registers.
const LANES: usize = 16;

/// Bit `i` set when `partners[i]` is within `budget` bits of `partner`.
/// Written branch-free over a fixed-size block so that the compiler makes
/// it vector code (SSE2 on any x86-64: xor, bit count by shifts and masks,
/// compare, on 8 lanes at a time) — several times fewer instructions than
/// testing entry by entry.
#[inline(always)]
fn within_budget(partners: &[u16; LANES], partner: u16, budget: u32) -> u32 {
    let mut mask = 0;
    for (i, &p) in partners.iter().enumerate() {
        mask |= u32::from((p ^ partner).count_ones() <= budget) << i;
    }
    mask
}

/// One bucket entry that passed the partner filter for one query.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    /// Where in its table's arena the entry is (its slot is read later).
    at: u32,
    query: u32,
    /// The chunk whose bucket it was found in.
    chunk: u32,
}

/// Scratch space for batch lookups, reused across lookups on a thread.
#[derive(Default)]
struct BatchScratch {
    probes: Vec<u64>,
    /// The radix sort's second buffer.
    sorted: Vec<u64>,
    candidates: Vec<Candidate>,
}

thread_local! {
    static BATCH_SCRATCH: std::cell::RefCell<BatchScratch> = std::cell::RefCell::new(BatchScratch::default());
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
    fn lookup_batch_answers_each_query_as_lookup_does_in_order() {
        let base = h(9);
        let mut index = PdqIndex::new();
        index.add("near", flip(base, &[3, 4]));
        index.add("same", base);
        index.add("other", h(10));
        let queries = [h(10), base, h(11), base];
        let expected: Vec<_> = queries.iter().map(|q| index.lookup(q, 31)).collect();
        assert_eq!(index.lookup_batch(&queries, 31), expected);
        assert_eq!(expected[1], vec![("same", 0), ("near", 2)]);
        assert!(index.lookup_batch(&[], 31).is_empty());
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
