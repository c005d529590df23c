//! `accord hashes`: hash a folder, match PDQ CSVs, benchmark — all without a
//! database. The engine is `accord-hashes`; this module only reads and
//! writes files, runs threads and reports.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use accord_hashes::synthetic::{self, SplitMix64};
use accord_hashes::{
    FileDigester, HashError, ImageLimits, MIN_QUALITY, PdqHash, PdqIndex, brute_force,
    hash_content, parse_quality, pdq_of_image, sniff_format,
};
use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::HashesCommand;

/// Images larger than this on disk are not decoded (file digests only).
const MAX_IMAGE_FILE_BYTES: u64 = 256 * 1024 * 1024;
/// Videos larger than this are not decoded: ffmpeg reads them from memory.
const MAX_VIDEO_FILE_BYTES: u64 = 1024 * 1024 * 1024;

pub fn run(cmd: HashesCommand) -> anyhow::Result<()> {
    match cmd {
        HashesCommand::Hash {
            folder,
            output,
            threads,
            ffmpeg,
        } => {
            let video = accord_video::VideoOptions {
                ffmpeg,
                ..Default::default()
            };
            hash_folder(&folder, &output, threads_or_cores(threads), &video)
        }
        HashesCommand::Match {
            input,
            output,
            hashes,
            distance,
        } => match_files(&input, &output, &hashes, distance),
        HashesCommand::Bench {
            hashes,
            queries,
            images,
            threads,
        } => {
            bench(hashes, queries, images, threads_or_cores(threads));
            Ok(())
        }
        HashesCommand::DemoImages { folder, count } => demo_images(&folder, count),
        HashesCommand::BenchData {
            hashes,
            bank_csv,
            bodies,
            batch,
            lookups,
        } => bench_data(hashes, &bank_csv, bodies, batch, &lookups),
        HashesCommand::Import { .. } => unreachable!("import runs with a database"),
    }
}

fn threads_or_cores(threads: Option<usize>) -> usize {
    threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1)
}

pub(crate) fn progress(total: u64, what: &str) -> ProgressBar {
    if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template(&format!(
                "{{bar:40}} {{pos}}/{{len}} {what}, {{per_sec}}, {{eta}} left"
            ))
            .expect("a valid template"),
        );
        bar
    } else {
        ProgressBar::hidden()
    }
}

/// Every regular file under `root`, sorted, without following links.
fn walk(root: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries =
            std::fs::read_dir(&dir).with_context(|| format!("cannot read {}", dir.display()))?;
        for entry in entries {
            let entry = entry.with_context(|| format!("cannot read {}", dir.display()))?;
            let kind = entry.file_type()?;
            if kind.is_dir() {
                pending.push(entry.path());
            } else if kind.is_file() {
                files.push(entry.path());
            }
        }
    }
    files.sort();
    Ok(files)
}

/// One output row of `hash`.
struct Hashed {
    md5: String,
    sha256: String,
    pdq: String,
    quality: String,
    /// A video's frame hashes (the JSON form a bank takes).
    vpdq: String,
    /// Why the PDQ (or vPDQ) column is empty although the file looked like
    /// an image (or a video): which hash, and why.
    problem: Option<(&'static str, String)>,
}

fn hash_file(path: &Path, video_options: &accord_video::VideoOptions) -> anyhow::Result<Hashed> {
    let mut file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let size = file.metadata()?.len();
    let mut head = [0u8; 64];
    let n = read_up_to(&mut file, &mut head)?;
    let looks_like_image = sniff_format(&head[..n]).is_some();
    let video = accord_hashes::looks_like_video(&head[..n]);
    if looks_like_image && size <= MAX_IMAGE_FILE_BYTES {
        let mut bytes = head[..n].to_vec();
        file.read_to_end(&mut bytes)?;
        return Ok(match hash_content(&bytes, ImageLimits::default()) {
            Ok(h) => {
                let pdq = h.pdq.expect("sniffed as an image");
                let reliable = pdq.quality >= MIN_QUALITY;
                Hashed {
                    md5: h.digests.md5.to_hex(),
                    sha256: h.digests.sha256.to_hex(),
                    pdq: if reliable {
                        pdq.hash.to_hex()
                    } else {
                        String::new()
                    },
                    quality: pdq.quality.to_string(),
                    vpdq: String::new(),
                    problem: (!reliable).then(|| {
                        let low = HashError::LowQuality {
                            quality: pdq.quality,
                            minimum: MIN_QUALITY,
                        };
                        ("PDQ", low.to_string())
                    }),
                }
            }
            Err(e) => {
                let d = accord_hashes::FileDigests::of(&bytes);
                Hashed {
                    md5: d.md5.to_hex(),
                    sha256: d.sha256.to_hex(),
                    pdq: String::new(),
                    quality: String::new(),
                    vpdq: String::new(),
                    problem: Some(("PDQ", e.to_string())),
                }
            }
        });
    }
    if video && size <= MAX_VIDEO_FILE_BYTES {
        let mut bytes = head[..n].to_vec();
        file.read_to_end(&mut bytes)?;
        let d = accord_hashes::FileDigests::of(&bytes);
        let (vpdq, problem) = match accord_video::vpdq_of_video(&bytes, video_options) {
            Ok(frames) => (accord_hashes::vpdq_signal(&frames), None),
            Err(e) => (String::new(), Some(("vPDQ", e.to_string()))),
        };
        return Ok(Hashed {
            md5: d.md5.to_hex(),
            sha256: d.sha256.to_hex(),
            pdq: String::new(),
            quality: String::new(),
            vpdq,
            problem,
        });
    }
    // Anything else (documents, archives, huge images and videos): stream
    // the digests so a large file is never held in memory whole.
    let mut digester = FileDigester::new();
    digester.update(&head[..n]);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let read = file.read(&mut buf)?;
        if read == 0 {
            break;
        }
        digester.update(&buf[..read]);
    }
    let d = digester.finish();
    Ok(Hashed {
        md5: d.md5.to_hex(),
        sha256: d.sha256.to_hex(),
        pdq: String::new(),
        quality: String::new(),
        vpdq: String::new(),
        problem: if looks_like_image {
            Some((
                "PDQ",
                format!("over {MAX_IMAGE_FILE_BYTES} bytes: not decoded, file digests only"),
            ))
        } else if video {
            Some((
                "vPDQ",
                format!("over {MAX_VIDEO_FILE_BYTES} bytes: not decoded, file digests only"),
            ))
        } else {
            None
        },
    })
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

fn hash_folder(
    folder: &Path,
    output: &Path,
    threads: usize,
    video: &accord_video::VideoOptions,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let files = walk(folder)?;
    let bar = progress(files.len() as u64, "files");
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<anyhow::Result<Hashed>>>> =
        files.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..threads.min(files.len().max(1)) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = files.get(i) else { break };
                    let r = hash_file(path, video);
                    *results[i].lock().expect("no poisoned result") = Some(r);
                    bar.inc(1);
                }
            });
        }
    });
    bar.finish_and_clear();
    let out =
        File::create(output).with_context(|| format!("cannot create {}", output.display()))?;
    let mut writer = csv::Writer::from_writer(BufWriter::new(out));
    writer.write_record(["path", "md5", "sha256", "pdq", "pdq_quality", "vpdq"])?;
    let (mut images, mut videos, mut problems) = (0usize, 0usize, 0usize);
    for (path, result) in files.iter().zip(results) {
        let relative = path.strip_prefix(folder).unwrap_or(path);
        let shown = relative.to_string_lossy().replace('\\', "/");
        let hashed = result
            .into_inner()
            .expect("no poisoned result")
            .expect("every file was hashed")?;
        if !hashed.pdq.is_empty() {
            images += 1;
        }
        if !hashed.vpdq.is_empty() {
            videos += 1;
        }
        if let Some(problem) = &hashed.problem {
            problems += 1;
            eprintln!("{shown}: no {} hash: {}", problem.0, problem.1);
        }
        writer.write_record([
            shown.as_str(),
            &hashed.md5,
            &hashed.sha256,
            &hashed.pdq,
            &hashed.quality,
            &hashed.vpdq,
        ])?;
    }
    writer.flush()?;
    eprintln!(
        "{} files hashed in {:.2?} ({images} with a PDQ hash, {videos} with a vPDQ hash, {problems} images or videos without one, listed above); written to {}",
        files.len(),
        started.elapsed(),
        output.display()
    );
    Ok(())
}

/// Reads `id,pdq[,pdq_quality]` rows (`path` stands in for `id`, so the
/// output of `hash` can be used directly). Rows with an empty pdq are
/// skipped (files that are not images); a malformed hash, a bad quality or a
/// repeated id is an error naming the line.
fn read_pdq_csv(path: &Path, what: &str) -> anyhow::Result<Vec<(String, PdqHash)>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .with_context(|| format!("cannot open the {what} {}", path.display()))?;
    let headers = reader.headers()?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}').eq_ignore_ascii_case(name))
    };
    let id_col = column("id").or_else(|| column("path")).with_context(|| {
        format!(
            "the {what} {} has no id (or path) column; its columns are: {}",
            path.display(),
            headers.iter().collect::<Vec<_>>().join(",")
        )
    })?;
    let pdq_col = column("pdq")
        .with_context(|| format!("the {what} {} has no pdq column", path.display()))?;
    let quality_col = column("pdq_quality").or_else(|| column("quality"));
    let mut rows = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let (mut empty, mut unreliable) = (0usize, 0usize);
    for record in reader.records() {
        let record = record.with_context(|| format!("cannot read the {what}"))?;
        let line = record.position().map_or(0, |p| p.line());
        let at = || format!("{} line {line}", path.display());
        let id = record.get(id_col).unwrap_or("").to_string();
        let hex = record.get(pdq_col).unwrap_or("");
        if hex.is_empty() {
            empty += 1;
            continue;
        }
        if id.is_empty() {
            bail!("{}: the id is empty", at());
        }
        let hash = PdqHash::parse(hex).with_context(at)?;
        if let Some(q) = quality_col
            .and_then(|c| record.get(c))
            .filter(|q| !q.is_empty())
        {
            let quality = parse_quality(q).with_context(at)?;
            if quality < MIN_QUALITY {
                unreliable += 1;
                eprintln!(
                    "{}: {id} refused: {}",
                    at(),
                    HashError::LowQuality {
                        quality,
                        minimum: MIN_QUALITY
                    }
                );
                continue;
            }
        }
        if let Some(first) = seen.insert(id.clone(), line) {
            bail!("{}: the id {id:?} is already used at line {first}", at());
        }
        rows.push((id, hash));
    }
    eprintln!(
        "{what} {}: {} hashes ({empty} rows without a pdq skipped, {unreliable} refused as unreliable)",
        path.display(),
        rows.len()
    );
    Ok(rows)
}

fn match_files(input: &Path, output: &Path, bank: &Path, distance: u32) -> anyhow::Result<()> {
    if distance > 256 {
        return Err(HashError::BadDistance(distance).into());
    }
    let started = Instant::now();
    let bank_rows = read_pdq_csv(bank, "bank")?;
    let queries = read_pdq_csv(input, "queries")?;
    // The index keys are positions in `bank_rows`; ties in distance are
    // broken by bank id, so sort the bank by id first.
    let mut bank_rows = bank_rows;
    bank_rows.sort_by(|a, b| a.0.cmp(&b.0));
    let mut index = PdqIndex::with_capacity(bank_rows.len());
    for (i, (_, hash)) in bank_rows.iter().enumerate() {
        index.add(i as u32, *hash);
    }
    let out =
        File::create(output).with_context(|| format!("cannot create {}", output.display()))?;
    let mut writer = csv::Writer::from_writer(BufWriter::new(out));
    writer.write_record(["id", "rank", "match_id", "distance"])?;
    let (mut matched, mut rows) = (0usize, 0usize);
    for (id, hash) in &queries {
        let found = index.lookup(hash, distance);
        if found.is_empty() {
            writer.write_record([id.as_str(), "", "", ""])?;
            rows += 1;
            continue;
        }
        matched += 1;
        for (rank, (slot, d)) in found.iter().enumerate() {
            let rank = (rank + 1).to_string();
            let d = d.to_string();
            writer.write_record([id.as_str(), &rank, &bank_rows[*slot as usize].0, &d])?;
            rows += 1;
        }
    }
    writer.flush()?;
    eprintln!(
        "{} queries against {} hashes within {distance} bits in {:.2?}: {matched} with matches, {rows} rows written to {}",
        queries.len(),
        index.len(),
        started.elapsed(),
        output.display()
    );
    Ok(())
}

fn demo_images(folder: &Path, count: usize) -> anyhow::Result<()> {
    std::fs::create_dir_all(folder)
        .with_context(|| format!("cannot create {}", folder.display()))?;
    let images = synthetic::demo_images(count);
    for image in &images {
        let path = folder.join(&image.file_name);
        std::fs::write(&path, &image.bytes)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let video = folder.join(crate::demo_hashes::TEST_CARD_FILE);
    std::fs::write(&video, crate::demo_hashes::TEST_CARD_VIDEO)
        .with_context(|| format!("cannot write {}", video.display()))?;
    eprintln!(
        "{} synthetic images ({count} originals, each resized, re-encoded and cropped) and ThreatExchange's test-card video {} written to {}",
        images.len(),
        crate::demo_hashes::TEST_CARD_FILE,
        folder.display()
    );
    Ok(())
}

/// The HTTP benchmark's data: `n` distinct PDQ hashes (`bench_corpus`) as
/// an import CSV, and `bodies` lookup bodies of `batch` signals each (half
/// a stored hash moved 0–31 bits, half random), one JSON body per line.
fn bench_data(
    n: usize,
    bank_csv: &Path,
    bodies: usize,
    batch: usize,
    lookups: &Path,
) -> anyhow::Result<()> {
    let mut corpus = synthetic::bench_corpus(n, 42);
    // A cluster member moved 0 bits is its original again: keep one.
    let mut seen = std::collections::HashSet::with_capacity(corpus.len());
    corpus.retain(|h| seen.insert(*h));
    let out =
        File::create(bank_csv).with_context(|| format!("cannot create {}", bank_csv.display()))?;
    let mut writer = csv::Writer::from_writer(BufWriter::new(out));
    writer.write_record([
        "signal_type",
        "signal",
        "quality",
        "content_type",
        "behaviour",
    ])?;
    for h in &corpus {
        writer.write_record(["pdq", &h.to_hex(), "90", "image", "other"])?;
    }
    writer.flush()?;
    let queries = synthetic::bench_queries(&corpus, bodies * batch, 43);
    let mut out = BufWriter::new(
        File::create(lookups).with_context(|| format!("cannot create {}", lookups.display()))?,
    );
    for chunk in queries.chunks(batch.max(1)) {
        let signals: Vec<serde_json::Value> = chunk
            .iter()
            .map(|h| serde_json::json!({ "signal_type": "pdq", "signal": h.to_hex() }))
            .collect();
        serde_json::to_writer(&mut out, &serde_json::json!({ "signals": signals }))?;
        std::io::Write::write_all(&mut out, b"\n")?;
    }
    std::io::Write::flush(&mut out)?;
    eprintln!(
        "{} distinct PDQ hashes written to {}; {bodies} lookup bodies of {batch} signals to {}",
        corpus.len(),
        bank_csv.display(),
        lookups.display()
    );
    Ok(())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

/// Resident memory of this process, from /proc (Linux), in bytes.
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// CPU time this thread has run, from /proc (Linux): on a shared machine
/// wall time mostly measures the neighbours, CPU time measures the code.
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(String::from))
        .unwrap_or_else(|| "unknown".into())
}

/// Runs `work(i)` for `i` in `0..n` on `threads` threads, each taking
/// `grain` items at a time (few for large items, so no thread is left with
/// a long tail); returns the wall time and the CPU time all threads used.
fn parallel(
    n: usize,
    threads: usize,
    grain: usize,
    work: impl Fn(usize) + Sync,
) -> (Duration, Duration) {
    let next = AtomicUsize::new(0);
    let cpu = Mutex::new(Duration::ZERO);
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let before = thread_cpu();
                loop {
                    let start = next.fetch_add(grain, Ordering::Relaxed);
                    if start >= n {
                        break;
                    }
                    for i in start..(start + grain).min(n) {
                        work(i);
                    }
                }
                if let (Some(a), Some(b)) = (before, thread_cpu()) {
                    *cpu.lock().expect("no poisoned total") += b - a;
                }
            });
        }
    });
    (
        started.elapsed(),
        cpu.into_inner().expect("no poisoned total"),
    )
}

fn bench(n: usize, queries: usize, images: usize, threads: usize) {
    const MB: f64 = 1024.0 * 1024.0;
    println!("## accord hashes bench");
    println!();
    println!(
        "{n} stored PDQ hashes (90 % random, 10 % clusters of 10 near-duplicates within 16 bits), {queries} queries (half a stored hash moved 0–31 bits, half random), radius 31, {threads} threads; load average at start {}",
        load_average()
    );
    println!();
    let corpus = synthetic::bench_corpus(n, 42);
    let query_hashes = synthetic::bench_queries(&corpus, queries, 43);
    let rss_before = resident_bytes();
    let started = Instant::now();
    let mut index = PdqIndex::with_capacity(n);
    for (i, h) in corpus.iter().enumerate() {
        index.add(i as u32, *h);
    }
    let build = started.elapsed();
    let rss_after = resident_bytes();
    println!("- index build (one add per hash): {build:.2?}");
    println!(
        "- index memory: {:.0} MB counted by the index{}",
        index.memory_bytes() as f64 / MB,
        match (rss_before, rss_after) {
            (Some(a), Some(b)) => format!(", {:.0} MB resident growth", (b - a) as f64 / MB),
            _ => String::new(),
        }
    );

    // Latency: one thread, each lookup timed.
    let mut latencies = Vec::with_capacity(queries);
    let mut found = 0usize;
    let cpu_before = thread_cpu();
    for q in &query_hashes {
        let t = Instant::now();
        found += index.lookup(q, 31).len();
        latencies.push(t.elapsed());
    }
    let cpu_used = cpu_before.zip(thread_cpu()).map(|(a, b)| b - a);
    let single: Duration = latencies.iter().sum();
    latencies.sort();
    println!(
        "- one thread: {:.0} lookups/s wall{}; latency p50 {:.1?}, p99 {:.1?}, max {:.1?}; {found} matches",
        queries as f64 / single.as_secs_f64(),
        cpu_used.map_or(String::new(), |c| format!(
            ", {:.0} per CPU-second",
            queries as f64 / c.as_secs_f64()
        )),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or_default()
    );
    // Throughput: all threads.
    let total = AtomicUsize::new(0);
    let (wall, cpu) = parallel(queries, threads, 64, |i| {
        total.fetch_add(index.lookup(&query_hashes[i], 31).len(), Ordering::Relaxed);
    });
    println!(
        "- {threads} threads: {:.0} lookups/s wall ({:.0} per CPU-second; {:.2} cores' worth of CPU obtained)",
        queries as f64 / wall.as_secs_f64(),
        queries as f64 / cpu.as_secs_f64(),
        cpu.as_secs_f64() / wall.as_secs_f64()
    );

    // Batches, as the web API receives them: one thread with each batch
    // timed, then all threads.
    const BATCH: usize = 1000;
    let mut batch_latencies = Vec::with_capacity(queries.div_ceil(BATCH));
    let mut batch_found = 0usize;
    let cpu_before = thread_cpu();
    for batch in query_hashes.chunks(BATCH) {
        let t = Instant::now();
        batch_found += index
            .lookup_batch(batch, 31)
            .iter()
            .map(Vec::len)
            .sum::<usize>();
        batch_latencies.push(t.elapsed());
    }
    let cpu_used = cpu_before.zip(thread_cpu()).map(|(a, b)| b - a);
    let batched: Duration = batch_latencies.iter().sum();
    batch_latencies.sort();
    println!(
        "- one thread, batches of {BATCH} (`lookup_batch`): {:.0} lookups/s wall{}; per batch p50 {:.1?}, p99 {:.1?}; {batch_found} matches",
        queries as f64 / batched.as_secs_f64(),
        cpu_used.map_or(String::new(), |c| format!(
            ", {:.0} per CPU-second",
            queries as f64 / c.as_secs_f64()
        )),
        percentile(&batch_latencies, 0.5),
        percentile(&batch_latencies, 0.99),
    );
    let batches: Vec<&[PdqHash]> = query_hashes.chunks(BATCH).collect();
    let (wall, cpu) = parallel(batches.len(), threads, 1, |i| {
        let found = index.lookup_batch(batches[i], 31);
        total.fetch_add(found.iter().map(Vec::len).sum(), Ordering::Relaxed);
    });
    println!(
        "- {threads} threads, batches of {BATCH}: {:.0} lookups/s wall ({:.0} per CPU-second; {:.2} cores' worth of CPU obtained)",
        queries as f64 / wall.as_secs_f64(),
        queries as f64 / cpu.as_secs_f64(),
        cpu.as_secs_f64() / wall.as_secs_f64()
    );
    let first = &query_hashes[..BATCH.min(queries)];
    let per_query: Vec<Vec<(u32, u32)>> = first.iter().map(|q| index.lookup(q, 31)).collect();
    println!(
        "- batch answers identical to one lookup per query on the first batch: {}",
        if index.lookup_batch(first, 31) == per_query {
            "yes"
        } else {
            "NO"
        }
    );

    // Brute force on a sample: the same answers, and its speed for scale.
    let sample = 200.min(queries);
    let entries: Vec<(u32, PdqHash)> = corpus
        .iter()
        .enumerate()
        .map(|(i, h)| (i as u32, *h))
        .collect();
    let t = Instant::now();
    let mut identical = 0;
    for q in &query_hashes[..sample] {
        let expected = brute_force(entries.iter().map(|(k, h)| (k, h)), q, 31);
        if expected == index.lookup(q, 31) {
            identical += 1;
        }
    }
    let brute = t.elapsed();
    println!(
        "- brute-force scan, one thread: {:.0} lookups/s; index answers identical on {identical}/{sample} sampled queries",
        sample as f64 / brute.as_secs_f64()
    );

    if images > 0 {
        hashing_bench(images, threads);
    }
}

fn hashing_bench(images: usize, threads: usize) {
    // A few distinct photo-like pictures (grain makes JPEGs photo-sized),
    // encoded once; hashing decodes every copy from bytes.
    let distinct: Vec<Vec<u8>> = (0..8)
        .map(|s| synthetic::jpeg(&synthetic::picture(1024, 768, 77 + s, 0.25), 85))
        .collect();
    let mean_kb =
        distinct.iter().map(Vec::len).sum::<usize>() as f64 / distinct.len() as f64 / 1024.0;
    let quality_ok = AtomicUsize::new(0);
    let (wall, cpu) = parallel(images, threads, 64, |i| {
        let out = pdq_of_image(&distinct[i % distinct.len()], ImageLimits::default())
            .expect("synthetic JPEG decodes");
        if out.quality >= MIN_QUALITY {
            quality_ok.fetch_add(1, Ordering::Relaxed);
        }
    });
    let mut rng = SplitMix64::new(1);
    let one = &distinct[rng.below(distinct.len() as u64) as usize];
    let t = Instant::now();
    let reps = 20;
    for _ in 0..reps {
        pdq_of_image(one, ImageLimits::default()).expect("synthetic JPEG decodes");
    }
    let per_image = t.elapsed() / reps;
    println!(
        "- hashing 1024×768 JPEGs (~{mean_kb:.0} KB each, decode + PDQ, from memory): {:.0} images/s wall on {threads} threads ({:.0} per CPU-second); {per_image:.2?} per image on one thread; {}/{images} with quality >= {MIN_QUALITY}",
        images as f64 / wall.as_secs_f64(),
        images as f64 / cpu.as_secs_f64(),
        quality_ok.load(Ordering::Relaxed)
    );
}
