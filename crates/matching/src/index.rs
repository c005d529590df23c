//! The candidate index: finds the list names that share at least one
//! (possibly misspelled) name part with the query, without scanning the list.
//!
//! Structure:
//! - every screenable name is prepared once (tokens, keys) at build time;
//! - an inverted index maps *terms* to the names containing them. Terms are
//!   the consonant skeletons (coarse keys) of name parts, the variant-group
//!   id of parts in the variant table (so Magomed finds Muhammad), and the
//!   skeleton of each pair of adjacent parts joined (so "Abdulrahman" finds
//!   "Abdul Rahman" and back);
//! - a deletion index over the term vocabulary (every term with one letter
//!   removed, SymSpell-style) finds terms one edit away, for typos that
//!   survive the phonetic folding;
//! - a query looks up its terms, adds up per name the weight of the query
//!   parts found, and fully scores only the best-supported names.
//!
//! Posting lists of very frequent terms (a common name part in a large list)
//! are skipped when rarer parts of the query already found candidates: the
//! common part still counts in the full score of those candidates.

use crate::entity::{PreparedQuery, explain_record, secondary};
use crate::error::QueryError;
use crate::prepare::{PreparedName, prepare};
use crate::score::compare_prepared;
use crate::tokens::TokenClass;
use crate::types::{Candidate, Query, Record, ScreenOptions};
use rayon::prelude::*;
use std::cell::RefCell;
use std::collections::HashMap;

/// Names fully scored per query, at most.
const MAX_SCORED: usize = 200;
/// A term found in more names than this is "frequent" (see module doc).
const FREQUENT_MIN: usize = 2_000;

struct IndexedName {
    record: u32,
    name: u16,
    is_org: bool,
    prepared: PreparedName,
}

/// An in-memory screening index over list records.
pub struct Index {
    records: Vec<Record>,
    names: Vec<IndexedName>,
    /// Term → id.
    vocab: HashMap<Box<str>, u32>,
    /// Term id → ids of names containing it (sorted, deduplicated).
    postings: Vec<Vec<u32>>,
    /// Term with one letter deleted → term ids.
    deletes: HashMap<Box<str>, Vec<u32>>,
}

fn group_term(g: u32) -> String {
    format!("#{g}")
}

/// Terms of a prepared name: (term, query-token index it stands for).
fn terms_of(p: &PreparedName) -> Vec<(String, usize)> {
    let mut out = Vec::with_capacity(p.tokens.len() * 3);
    for (i, t) in p.tokens.iter().enumerate() {
        if !matches!(t.class, TokenClass::Word | TokenClass::Number) {
            continue;
        }
        if !t.coarse.is_empty() {
            out.push((t.coarse.to_string(), i));
        } else if !t.text.is_empty() {
            out.push((t.text.to_string(), i));
        }
        if let Some(g) = t.group {
            out.push((group_term(g), i));
        }
    }
    for w in p.tokens.windows(2).enumerate() {
        let (i, pair) = w;
        if pair
            .iter()
            .all(|t| matches!(t.class, TokenClass::Word | TokenClass::Particle))
        {
            let joined: String = pair.iter().map(|t| &*t.text).collect();
            let coarse = crate::keys::coarse_key(&crate::keys::fine_key(&joined));
            if coarse.len() >= 3 {
                out.push((coarse, i));
            }
        }
    }
    out
}

fn deletions(term: &str) -> impl Iterator<Item = String> + '_ {
    let n = term.len();
    (0..n).filter_map(move |i| {
        if !term.is_char_boundary(i) || !term.is_char_boundary(i + 1) {
            return None;
        }
        let mut s = String::with_capacity(n - 1);
        s.push_str(&term[..i]);
        s.push_str(&term[i + 1..]);
        Some(s)
    })
}

/// Shortest term that gets fuzzy (one-edit) lookups: shorter skeletons are
/// one edit away from too much of the vocabulary.
const FUZZY_MIN_LEN: usize = 3;

#[derive(Default)]
struct Scratch {
    acc: Vec<f32>,
    stamp: Vec<u32>,
    touched: Vec<u32>,
    serial: u32,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

impl Index {
    /// Builds the index. Weak aliases are kept in the records but not indexed.
    pub fn build(records: Vec<Record>) -> Index {
        let jobs: Vec<(u32, u16, bool, &str)> = records
            .iter()
            .enumerate()
            .flat_map(|(ri, r)| {
                let is_org = r.schema.is_org_like();
                r.names
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| !n.weak)
                    .map(move |(ni, n)| (ri as u32, ni as u16, is_org, n.text.as_str()))
            })
            .collect();
        let names: Vec<IndexedName> = jobs
            .par_iter()
            .filter_map(|&(record, name, is_org, text)| {
                prepare(text, is_org).ok().map(|prepared| IndexedName {
                    record,
                    name,
                    is_org,
                    prepared,
                })
            })
            .collect();
        let mut vocab: HashMap<Box<str>, u32> = HashMap::new();
        let mut postings: Vec<Vec<u32>> = Vec::new();
        for (id, n) in names.iter().enumerate() {
            for (term, _) in terms_of(&n.prepared) {
                let next = postings.len() as u32;
                let tid = *vocab.entry(term.into_boxed_str()).or_insert(next);
                if tid == next {
                    postings.push(Vec::new());
                }
                let pl = &mut postings[tid as usize];
                if pl.last() != Some(&(id as u32)) {
                    pl.push(id as u32);
                }
            }
        }
        for pl in &mut postings {
            pl.shrink_to_fit();
        }
        let mut deletes: HashMap<Box<str>, Vec<u32>> = HashMap::new();
        for (term, &tid) in &vocab {
            if term.len() < FUZZY_MIN_LEN || term.starts_with('#') {
                continue;
            }
            for d in deletions(term) {
                deletes.entry(d.into_boxed_str()).or_default().push(tid);
            }
        }
        for v in deletes.values_mut() {
            v.shrink_to_fit();
        }
        Index {
            records,
            names,
            vocab,
            postings,
            deletes,
        }
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Number of indexed (screenable) names.
    pub fn name_count(&self) -> usize {
        self.names.len()
    }

    pub fn record(&self, i: usize) -> &Record {
        &self.records[i]
    }

    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// Approximate heap size of the index, records included.
    pub fn memory_bytes(&self) -> usize {
        let rec: usize = self
            .records
            .iter()
            .map(|r| {
                std::mem::size_of::<Record>()
                    + r.id.capacity()
                    + r.dataset.capacity()
                    + r.names
                        .iter()
                        .map(|n| std::mem::size_of_val(n) + n.text.capacity())
                        .sum::<usize>()
                    + r.birth_dates.capacity() * std::mem::size_of::<crate::DateSpec>()
                    + r.countries.iter().map(|c| 24 + c.capacity()).sum::<usize>()
            })
            .sum();
        let names: usize = self
            .names
            .iter()
            .map(|n| std::mem::size_of::<IndexedName>() + n.prepared.heap_bytes())
            .sum();
        // HashMap entries: key box + value + ~1 control byte, at the table's
        // load factor (7/8).
        let vocab: usize = self
            .vocab
            .keys()
            .map(|k| k.len() + std::mem::size_of::<(Box<str>, u32)>() + 1)
            .sum::<usize>()
            * 8
            / 7;
        let postings: usize = self.postings.iter().map(|p| 24 + p.capacity() * 4).sum();
        let deletes: usize = self
            .deletes
            .iter()
            .map(|(k, v)| {
                k.len() + std::mem::size_of::<(Box<str>, Vec<u32>)>() + 1 + v.capacity() * 4
            })
            .sum::<usize>()
            * 8
            / 7;
        rec + names + vocab + postings + deletes
    }

    /// Term ids a query term reaches: itself and terms one edit away.
    fn lookup(&self, term: &str, out: &mut Vec<u32>) {
        if let Some(&t) = self.vocab.get(term) {
            out.push(t);
        }
        if term.len() < FUZZY_MIN_LEN || term.starts_with('#') {
            return;
        }
        // The list term has one more letter.
        if let Some(ts) = self.deletes.get(term) {
            out.extend_from_slice(ts);
        }
        for d in deletions(term) {
            // The query has one more letter, or one letter differs.
            if d.len() >= FUZZY_MIN_LEN - 1 {
                if let Some(&t) = self.vocab.get(d.as_str()) {
                    out.push(t);
                }
                if let Some(ts) = self.deletes.get(d.as_str()) {
                    out.extend_from_slice(ts);
                }
            }
        }
    }

    /// Names worth full scoring, best-supported first.
    fn candidates(&self, q: &PreparedName, allowed: &dyn Fn(u32) -> bool) -> Vec<u32> {
        // Group the query's terms by the token they stand for, so that a
        // token found through several terms counts once per name.
        let terms = terms_of(q);
        let mut per_token: Vec<(usize, f32, Vec<u32>)> = Vec::new();
        for (term, ti) in &terms {
            let w = q.tokens[*ti].weight.max(0.05);
            let entry = match per_token.iter_mut().find(|e| e.0 == *ti) {
                Some(e) => e,
                None => {
                    per_token.push((*ti, w, Vec::new()));
                    per_token.last_mut().expect("just pushed")
                }
            };
            self.lookup(term, &mut entry.2);
        }
        for e in &mut per_token {
            e.2.sort_unstable();
            e.2.dedup();
        }
        let df =
            |tids: &[u32]| -> usize { tids.iter().map(|&t| self.postings[t as usize].len()).sum() };
        per_token.sort_by_key(|e| df(&e.2));
        let frequent = FREQUENT_MIN.max(self.names.len() / 50);
        SCRATCH.with(|s| {
            let mut guard = s.borrow_mut();
            let s = &mut *guard;
            let n = self.names.len();
            if s.acc.len() < n {
                s.acc.resize(n, 0.0);
                s.stamp.resize(n, 0);
            }
            s.touched.clear();
            for (k, (_, w, tids)) in per_token.iter().enumerate() {
                if k > 0 && !s.touched.is_empty() && df(tids) > frequent {
                    break;
                }
                s.serial = s.serial.wrapping_add(1);
                if s.serial == 0 {
                    s.stamp.iter_mut().for_each(|x| *x = 0);
                    s.serial = 1;
                }
                let serial = s.serial;
                for &t in tids {
                    for &id in &self.postings[t as usize] {
                        let i = id as usize;
                        if s.stamp[i] == serial {
                            continue;
                        }
                        s.stamp[i] = serial;
                        if s.acc[i] == 0.0 {
                            s.touched.push(id);
                        }
                        s.acc[i] += *w;
                    }
                }
            }
            let mut cands: Vec<(f32, u32)> = s
                .touched
                .iter()
                .filter(|&&id| allowed(id))
                .map(|&id| (s.acc[id as usize], id))
                .collect();
            let Scratch { acc, touched, .. } = s;
            for &id in touched.iter() {
                acc[id as usize] = 0.0;
            }
            if cands.len() > MAX_SCORED {
                cands.select_nth_unstable_by(MAX_SCORED, |a, b| {
                    b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal)
                });
                cands.truncate(MAX_SCORED);
            }
            cands.into_iter().map(|c| c.1).collect()
        })
    }

    /// Screens one query: ranked best first, only scores at or above the
    /// threshold, at most `limit` results, one per record.
    pub fn screen(
        &self,
        query: &Query,
        opts: &ScreenOptions,
    ) -> Result<Vec<Candidate>, QueryError> {
        let pq = PreparedQuery::new(query)?;
        Ok(self.screen_prepared(&pq, opts))
    }

    fn screen_prepared(&self, pq: &PreparedQuery, opts: &ScreenOptions) -> Vec<Candidate> {
        let allowed = |id: u32| -> bool {
            match &opts.datasets {
                None => true,
                Some(ds) => {
                    let r = &self.records[self.names[id as usize].record as usize];
                    ds.iter().any(|d| d == &r.dataset)
                }
            }
        };
        let cands = self.candidates(&pq.name, &allowed);
        // Best name per record.
        let mut best: HashMap<u32, (f64, u16)> = HashMap::new();
        for id in cands {
            let n = &self.names[id as usize];
            let is_org = pq.is_org || n.is_org;
            let s = compare_prepared(&pq.name, &n.prepared, is_org).score;
            let e = best.entry(n.record).or_insert((-1.0, n.name));
            if s > e.0 {
                *e = (s, n.name);
            }
        }
        let mut scored: Vec<(f64, u32, u16)> = best
            .into_iter()
            .filter_map(|(rec, (name_score, name))| {
                let (s, _) = secondary(pq, &self.records[rec as usize], name_score);
                (s >= opts.threshold).then_some((s, rec, name))
            })
            .collect();
        scored.sort_by(|a, b| {
            b.0.partial_cmp(&a.0)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.1.cmp(&b.1))
        });
        scored.truncate(opts.limit);
        scored
            .into_iter()
            .map(|(_, rec, name)| {
                let r = &self.records[rec as usize];
                let (score, explanation) = explain_record(pq, r, name as usize);
                Candidate {
                    record: rec as usize,
                    id: r.id.clone(),
                    dataset: r.dataset.clone(),
                    matched_name: r.names[name as usize].text.clone(),
                    score,
                    explanation,
                }
            })
            .collect()
    }

    /// Screens many queries in parallel (rayon); results in query order.
    pub fn screen_batch(
        &self,
        queries: &[Query],
        opts: &ScreenOptions,
    ) -> Vec<Result<Vec<Candidate>, QueryError>> {
        queries
            .par_iter()
            .with_min_len(64)
            .map(|q| self.screen(q, opts))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{RecordName, Schema};

    fn person(id: &str, names: &[&str]) -> Record {
        Record {
            id: id.to_string(),
            dataset: "un".to_string(),
            schema: Schema::Person,
            names: names
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    if i == 0 {
                        RecordName::primary(*n)
                    } else {
                        RecordName::alias(*n)
                    }
                })
                .collect(),
            birth_dates: vec![],
            countries: vec![],
        }
    }

    fn index() -> Index {
        Index::build(vec![
            person("QDi.1", &["MUHAMMAD TAHIR", "Mohammad Taher"]),
            person("QDi.2", &["Abdul Rahman Yasin"]),
            person("QDi.3", &["Sirajuddin Jallaloudine Haqqani"]),
            person("QDi.4", &["Ivan Petrov"]),
        ])
    }

    #[test]
    fn cyrillic_query_finds_latin_record() {
        let idx = index();
        let r = idx
            .screen(&Query::name("Мухаммад Тахир"), &ScreenOptions::default())
            .unwrap();
        assert_eq!(r[0].id, "QDi.1");
    }

    #[test]
    fn joined_compound_finds_split_record() {
        let idx = index();
        let r = idx
            .screen(
                &Query::name("Abdulrahman Yaseen"),
                &ScreenOptions::default(),
            )
            .unwrap();
        assert_eq!(r[0].id, "QDi.2");
    }

    #[test]
    fn typo_in_rare_part_still_finds_record() {
        let idx = index();
        let r = idx
            .screen(&Query::name("Sirajuddin Haqani"), &ScreenOptions::default())
            .unwrap();
        assert_eq!(r[0].id, "QDi.3");
    }

    #[test]
    fn innocent_name_returns_nothing() {
        let idx = index();
        let r = idx
            .screen(&Query::name("Maria Gonzalez"), &ScreenOptions::default())
            .unwrap();
        assert!(r.is_empty());
    }

    #[test]
    fn dataset_filter_excludes_other_lists() {
        let idx = index();
        let opts = ScreenOptions {
            datasets: Some(vec!["ofac".to_string()]),
            ..ScreenOptions::default()
        };
        assert!(
            idx.screen(&Query::name("Ivan Petrov"), &opts)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn one_result_per_record_even_if_several_aliases_match() {
        let idx = index();
        let r = idx
            .screen(&Query::name("Muhammad Tahir"), &ScreenOptions::default())
            .unwrap();
        assert_eq!(r.iter().filter(|c| c.id == "QDi.1").count(), 1);
    }

    #[test]
    fn bad_query_is_a_typed_error() {
        let idx = index();
        assert_eq!(
            idx.screen(&Query::name("  "), &ScreenOptions::default())
                .unwrap_err(),
            QueryError::EmptyName
        );
    }

    #[test]
    fn batch_keeps_query_order() {
        let idx = index();
        let qs = vec![
            Query::name("Ivan Petrov"),
            Query::name(""),
            Query::name("Muhammad Tahir"),
        ];
        let r = idx.screen_batch(&qs, &ScreenOptions::default());
        assert_eq!(r[0].as_ref().unwrap()[0].id, "QDi.4");
        assert!(r[1].is_err());
        assert_eq!(r[2].as_ref().unwrap()[0].id, "QDi.1");
    }
}
