//! `accord library bench`: index synthetic items, then time a mix of
//! searches under a rights filter.

use std::fmt;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::synthetic::{self, SplitMix64};
use crate::{LibraryIndex, Order, SearchError, SearchQuery, VisibleSet};

/// Items per [`LibraryIndex::apply`] batch (one commit each) in [`bench`]:
/// what a reindex (`accord library reindex`) sends. The change feed's
/// batches are smaller; [`bench_with`] takes the batch size.
pub const BENCH_BATCH: usize = 5_000;

/// Latency of one kind of query.
#[derive(Debug, Clone, PartialEq)]
pub struct LatencyRow {
    /// What was searched.
    pub kind: String,
    /// Queries timed.
    pub count: usize,
    /// Median, µs.
    pub p50_us: u64,
    /// 95th percentile, µs.
    pub p95_us: u64,
    /// 99th percentile, µs.
    pub p99_us: u64,
    /// Largest, µs.
    pub max_us: u64,
    /// Median CPU time of the searching thread, µs (not inflated by other
    /// processes' load, as wall time is).
    pub cpu_p50_us: u64,
    /// 99th percentile CPU time, µs.
    pub cpu_p99_us: u64,
    /// Mean number of matching visible items.
    pub mean_total: f64,
}

/// What [`bench`] measured.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchReport {
    /// Items indexed.
    pub items: usize,
    /// Items per commit.
    pub batch: usize,
    /// Seconds spent in `apply` (adding, committing, reloading).
    pub index_secs: f64,
    /// `items / index_secs`.
    pub items_per_sec: f64,
    /// CPU seconds the process used while indexing (all threads; generating
    /// the items excluded).
    pub index_cpu_secs: f64,
    /// Seconds waiting for background merges afterwards.
    pub merge_secs: f64,
    /// Bytes of the index directory after merging.
    pub size_bytes: u64,
    /// Segments searched.
    pub segments: usize,
    /// Ids in the visible set.
    pub visible: usize,
    /// Microseconds to build the visible set from its ids.
    pub visible_build_us: u64,
    /// Per kind of query, then all kinds, then all kinds without a rights filter.
    pub rows: Vec<LatencyRow>,
}

fn percentile(sorted: &[Duration], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_micros() as u64
}

/// CPU time this thread has used.
#[cfg(unix)]
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec to write into; the clock id is a
    // constant the platform defines.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

#[cfg(not(unix))]
fn thread_cpu() -> Duration {
    Duration::ZERO
}

/// CPU time the whole process has used (the writer's threads included).
#[cfg(unix)]
fn process_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: as in `thread_cpu`.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

#[cfg(not(unix))]
fn process_cpu() -> Duration {
    Duration::ZERO
}

/// Wall and CPU time of one search.
#[derive(Clone, Copy)]
struct Timing {
    wall: Duration,
    cpu: Duration,
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Timing) {
    let (wall, cpu) = (Instant::now(), thread_cpu());
    let out = f();
    let timing = Timing {
        wall: wall.elapsed(),
        cpu: thread_cpu().saturating_sub(cpu),
    };
    (out, timing)
}

fn row(kind: &str, timings: Vec<Timing>, totals: &[u64]) -> LatencyRow {
    let mut times: Vec<Duration> = timings.iter().map(|t| t.wall).collect();
    let mut cpu: Vec<Duration> = timings.iter().map(|t| t.cpu).collect();
    times.sort();
    cpu.sort();
    LatencyRow {
        kind: kind.to_string(),
        count: times.len(),
        p50_us: percentile(&times, 0.50),
        p95_us: percentile(&times, 0.95),
        p99_us: percentile(&times, 0.99),
        max_us: times.last().map_or(0, |d| d.as_micros() as u64),
        cpu_p50_us: percentile(&cpu, 0.50),
        cpu_p99_us: percentile(&cpu, 0.99),
        mean_total: totals.iter().sum::<u64>() as f64 / totals.len().max(1) as f64,
    }
}

/// The kinds of query in the mix, in order.
pub const QUERY_KINDS: [&str; 10] = [
    "English word",
    "Russian word form",
    "Arabic word",
    "Persian word",
    "two English words",
    "phrase",
    "phrase of two common words",
    "word + filters",
    "empty, newest first",
    "word, page 5",
];

/// The `i`-th query of the mix (kind `i % 10`). Words are the hand-written
/// domain words of [`synthetic`] (ranks 7 to about 180 of a vocabulary of
/// [`synthetic::VOCABULARY`]), uniformly: from words in most items to words
/// in a few percent.
pub fn bench_query(rng: &mut SplitMix64, i: usize) -> (usize, SearchQuery) {
    let kind = i % QUERY_KINDS.len();
    let en =
        |rng: &mut SplitMix64| synthetic::ENGLISH[20 + rng.below(synthetic::ENGLISH.len() - 20)];
    let mut q = SearchQuery::default();
    match kind {
        0 => q.text = en(rng).to_string(),
        1 => {
            let (stem, endings) = synthetic::RUSSIAN[6 + rng.below(synthetic::RUSSIAN.len() - 6)];
            q.text = format!("{stem}{}", rng.pick(endings));
        }
        2 => q.text = synthetic::ARABIC[6 + rng.below(synthetic::ARABIC.len() - 6)].to_string(),
        3 => q.text = synthetic::PERSIAN[6 + rng.below(synthetic::PERSIAN.len() - 6)].to_string(),
        4 => q.text = format!("{} {}", en(rng), en(rng)),
        5 => q.text = format!("\"{} {}\"", en(rng), en(rng)),
        6 => {
            // Two of the ten commonest domain words: the slowest phrases.
            let a = synthetic::ENGLISH[20 + rng.below(10)];
            let b = synthetic::ENGLISH[20 + rng.below(10)];
            q.text = format!("\"{a} {b}\"");
        }
        7 => {
            q.text = en(rng).to_string();
            q.kind = Some(rng.pick(&synthetic::KINDS).to_string());
            q.from = time::Date::from_calendar_date(2018, time::Month::January, 1).ok();
            q.to = time::Date::from_calendar_date(2022, time::Month::December, 31).ok();
            if rng.chance(0.5) {
                q.language = Some("en".into());
            }
        }
        8 => {
            q.order = Order::Newest;
            if rng.chance(0.5) {
                q.marking = Some(rng.pick(&synthetic::MARKINGS).to_string());
            }
        }
        _ => {
            q.text = en(rng).to_string();
            q.offset = 80;
        }
    }
    (kind, q)
}

/// Indexes `items` synthetic items into `dir` (cleared first) in batches of
/// [`BENCH_BATCH`], waits for merges, then times `queries` searches of the
/// mix ([`QUERY_KINDS`]) under a visible set of about half the items, and
/// the same mix with no rights filter.
pub fn bench(dir: &Path, items: usize, queries: usize) -> Result<BenchReport, SearchError> {
    bench_with(dir, items, queries, BENCH_BATCH)
}

/// [`bench`] with `batch` items per commit.
pub fn bench_with(
    dir: &Path,
    items: usize,
    queries: usize,
    batch: usize,
) -> Result<BenchReport, SearchError> {
    let batch = batch.max(1);
    let index = LibraryIndex::open(dir)?;
    index.clear()?;
    let mut index_time = Duration::ZERO;
    let mut index_cpu = Duration::ZERO;
    let mut next = 1i64;
    while (next as usize) <= items {
        let n = batch.min(items + 1 - next as usize);
        let batch = synthetic::items(next, n);
        let (start, cpu) = (Instant::now(), process_cpu());
        index.apply(&batch, &[], next + n as i64 - 1)?;
        index_time += start.elapsed();
        index_cpu += process_cpu().saturating_sub(cpu);
        next += n as i64;
    }
    let start = Instant::now();
    index.wait_for_merges()?;
    let merge_secs = start.elapsed().as_secs_f64();
    let size_bytes = dir_size(dir)?;

    // About half the items, scattered (not a range).
    let ids: Vec<i64> = (1..=items as i64)
        .filter(|&id| (id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 63 == 0)
        .collect();
    let start = Instant::now();
    let visible = VisibleSet::from_ids(ids.iter().copied());
    let visible_build_us = start.elapsed().as_micros() as u64;

    let mut rng = SplitMix64(42);
    let mix: Vec<(usize, SearchQuery)> = (0..queries).map(|i| bench_query(&mut rng, i)).collect();
    // Warm up: page cache, fast fields.
    for (_, q) in mix.iter().take(100) {
        index.search(q, &visible)?;
    }
    let mut by_kind: Vec<(Vec<Timing>, Vec<u64>)> =
        vec![(Vec::new(), Vec::new()); QUERY_KINDS.len()];
    let (mut all_times, mut all_totals) = (Vec::new(), Vec::new());
    for (kind, q) in &mix {
        let (results, took) = timed(|| index.search(q, &visible));
        let total = results?.total;
        by_kind[*kind].0.push(took);
        by_kind[*kind].1.push(total);
        all_times.push(took);
        all_totals.push(total);
    }
    let (mut free_times, mut free_totals) = (Vec::new(), Vec::new());
    let everyone = VisibleSet::all();
    for (_, q) in &mix {
        let (results, took) = timed(|| index.search(q, &everyone));
        free_times.push(took);
        free_totals.push(results?.total);
    }
    let mut rows: Vec<LatencyRow> = by_kind
        .into_iter()
        .zip(QUERY_KINDS)
        .map(|((times, totals), kind)| row(kind, times, &totals))
        .collect();
    rows.push(row(
        "all kinds (rights: about half visible)",
        all_times,
        &all_totals,
    ));
    rows.push(row("all kinds (VisibleSet::all)", free_times, &free_totals));
    let index_secs = index_time.as_secs_f64();
    Ok(BenchReport {
        items,
        batch,
        index_secs,
        items_per_sec: items as f64 / index_secs.max(1e-9),
        index_cpu_secs: index_cpu.as_secs_f64(),
        merge_secs,
        size_bytes,
        segments: index.segment_count(),
        visible: ids.len(),
        visible_build_us,
        rows,
    })
}

fn dir_size(dir: &Path) -> Result<u64, SearchError> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir)? {
        let meta = entry?.metadata()?;
        if meta.is_file() {
            total += meta.len();
        }
    }
    Ok(total)
}

impl fmt::Display for BenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "indexed {} items in {:.1} s: {:.0} items/s (batches of {}, one commit each; {:.1} CPU s, {:.0} items per CPU second); merges settled in {:.1} s",
            self.items,
            self.index_secs,
            self.items_per_sec,
            self.batch,
            self.index_cpu_secs,
            self.items as f64 / self.index_cpu_secs.max(1e-9),
            self.merge_secs
        )?;
        writeln!(
            f,
            "index {:.1} MiB on disk, {} segments; visible set {} ids, built in {} µs",
            self.size_bytes as f64 / (1 << 20) as f64,
            self.segments,
            self.visible,
            self.visible_build_us
        )?;
        writeln!(f)?;
        writeln!(
            f,
            "| query | n | p50 µs | p95 µs | p99 µs | max µs | CPU p50 µs | CPU p99 µs | mean total |"
        )?;
        writeln!(
            f,
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
        )?;
        for r in &self.rows {
            writeln!(
                f,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {:.0} |",
                r.kind,
                r.count,
                r.p50_us,
                r.p95_us,
                r.p99_us,
                r.max_us,
                r.cpu_p50_us,
                r.cpu_p99_us,
                r.mean_total
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_bench_runs_and_reports() {
        let dir = tempfile::tempdir().unwrap();
        let report = bench(dir.path(), 300, 20).unwrap();
        assert_eq!(report.items, 300);
        assert_eq!(report.rows.len(), QUERY_KINDS.len() + 2);
        assert!(report.rows.iter().all(|r| r.count == 2 || r.count == 20));
        let text = report.to_string();
        assert!(text.contains("| Russian word form | 2 |"), "{text}");
        // Words of the mix are found (not a benchmark of empty answers).
        assert!(report.rows[1].mean_total > 0.0 && report.rows[2].mean_total > 0.0);
    }
}
