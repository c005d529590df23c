//! `accord screen`: a CSV of names, or API manifests (PAXLST), against list
//! files or the stored lists, with a progress bar.

use std::fs::File;
use std::io::{BufWriter, IsTerminal};
use std::path::PathBuf;
use std::time::Instant;

use accord_lists::ListSource;
use accord_screening::{
    CsvOptions, DEFAULT_THRESHOLD, ManifestCsv, ManifestOptions, Screener, screen_csv,
    screen_parsed,
};
use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::ScreenArgs;

fn dataset_name(source: &ListSource, taken: &[String]) -> String {
    let base = match source {
        ListSource::Un => "un",
        ListSource::Ofac => "ofac",
        ListSource::Accord => "common",
        _ => "ftm",
    };
    let mut name = base.to_string();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{base}{n}");
        n += 1;
    }
    name
}

/// Loads list files, naming each dataset after its format.
pub fn load_lists(
    paths: &[std::path::PathBuf],
) -> anyhow::Result<Vec<(String, accord_lists::List)>> {
    let mut lists: Vec<(String, accord_lists::List)> = Vec::new();
    for path in paths {
        let list = accord_lists::load_path(path)
            .with_context(|| format!("cannot read the list {}", path.display()))?;
        let taken: Vec<String> = lists.iter().map(|(n, _)| n.clone()).collect();
        let name = dataset_name(&list.source, &taken);
        eprintln!(
            "{}: {} entries as dataset `{name}`",
            path.display(),
            list.entries.len()
        );
        for skipped in &list.skipped {
            eprintln!("  skipped {}: {}", skipped.position, skipped.reason);
        }
        lists.push((name, list));
    }
    Ok(lists)
}

/// Loads list files and indexes them for screening.
pub fn load_screener(paths: &[std::path::PathBuf]) -> anyhow::Result<Screener> {
    let started = Instant::now();
    let screener = Screener::from_lists(load_lists(paths)?);
    if !paths.is_empty() {
        eprintln!(
            "index of {} entries built in {:.2?}",
            screener.len(),
            started.elapsed()
        );
    }
    Ok(screener)
}

/// The platform's stored reference lists, current versions, indexed.
pub async fn stored_screener(url: &str) -> anyhow::Result<Screener> {
    let store = accord_store::Store::open(url).await?;
    let mut lists = Vec::new();
    for v in store.current_reference_versions().await? {
        let (_, list) = store.reference_list(&v.list, Some(v.version)).await?;
        eprintln!(
            "stored list {} v{}: {} entries",
            v.list,
            v.version,
            list.entries.len()
        );
        lists.push((v.list, list));
    }
    store.close().await;
    if lists.is_empty() {
        anyhow::bail!(
            "the platform has no reference lists yet: import one (`accord lists import un FILE`) or pass --list FILE"
        );
    }
    Ok(Screener::from_lists(lists))
}

pub async fn run(args: &ScreenArgs, file: &crate::config::FileConfig) -> anyhow::Result<()> {
    let threshold = args.threshold.unwrap_or(DEFAULT_THRESHOLD);
    if !(0.0..=1.0).contains(&threshold) {
        anyhow::bail!("--threshold must be between 0 and 1");
    }
    let screener = if args.lists.is_empty() {
        stored_screener(&args.db.url(file)).await?
    } else {
        load_screener(&args.lists)?
    };
    let Some(input_path) = &args.input else {
        return run_manifests(args, &screener, threshold);
    };
    // The whole file is read first: its encoding, separator or workbook
    // format is told from its bytes (see accord_screening::table).
    let bytes = std::fs::read(input_path)
        .with_context(|| format!("cannot read {}", input_path.display()))?;
    let table = accord_screening::read_table(&bytes, accord_screening::table::MAX_SHEET_ROWS)
        .with_context(|| format!("cannot read {} as a table", input_path.display()))?;
    drop(bytes);
    let total = table.text.lines().count().saturating_sub(1) as u64;
    eprintln!(
        "{}: read as {}",
        input_path.display(),
        table.read_as.describe()
    );
    let output = File::create(&args.output)
        .with_context(|| format!("cannot create {}", args.output.display()))?;
    let bar = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} names, {per_sec}, {eta} left")
                .expect("a valid template"),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let opts = CsvOptions {
        threshold,
        limit: args.limit,
        total_rows: Some(total),
        separator: table.separator,
        ..CsvOptions::default()
    };
    let summary = screen_csv(
        &screener,
        table.text.as_bytes(),
        BufWriter::new(output),
        &opts,
        &|p| bar.set_position(p.done),
    );
    bar.finish_and_clear();
    let summary = match summary {
        Ok(s) => s,
        Err(e) => {
            std::fs::remove_file(&args.output).ok();
            return Err(e).context("screening failed; no output was kept");
        }
    };
    eprintln!(
        "{} names screened in {:.2?}: {} with candidates, {} candidate rows, {} errors; written to {}",
        summary.rows,
        summary.elapsed,
        summary.matched,
        summary.candidates,
        summary.errors,
        args.output.display()
    );
    if summary.errors > 0 {
        eprintln!(
            "warning: {} of {} rows could not be screened; the error column of {} says why",
            summary.errors,
            summary.rows,
            args.output.display()
        );
    }
    Ok(())
}

/// The manifest files named: files as given, folders as their files
/// (not hidden ones, by name).
fn manifest_files(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(p)
                .with_context(|| format!("cannot read the folder {}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    f.is_file()
                        && !f
                            .file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| n.starts_with('.'))
                })
                .collect();
            inside.sort();
            if inside.is_empty() {
                anyhow::bail!("the folder {} holds no manifest", p.display());
            }
            files.extend(inside);
        } else {
            files.push(p.clone());
        }
    }
    Ok(files)
}

fn run_manifests(args: &ScreenArgs, screener: &Screener, threshold: f64) -> anyhow::Result<()> {
    let started = Instant::now();
    let files = manifest_files(&args.paxlst)?;
    let opts = ManifestOptions {
        threshold,
        limit: args.limit,
        ..ManifestOptions::default()
    };
    // Every file is read before anything is screened or written: a bad
    // manifest stops the run with nothing stored.
    let mut parsed = Vec::with_capacity(files.len());
    for f in &files {
        // A file too large for a manifest is refused before it is read.
        let size = std::fs::metadata(f)
            .with_context(|| format!("cannot read {}", f.display()))?
            .len();
        if size > opts.limits.max_bytes as u64 {
            anyhow::bail!(
                "{} is {size} bytes; a manifest of at most {} bytes is accepted; nothing was screened",
                f.display(),
                opts.limits.max_bytes
            );
        }
        let bytes = std::fs::read(f).with_context(|| format!("cannot read {}", f.display()))?;
        let p = accord_paxlst::parse_with(&bytes, &opts.limits).with_context(|| {
            format!(
                "{} is not a readable manifest; nothing was screened",
                f.display()
            )
        })?;
        for w in &p.warnings {
            eprintln!("{}: {w}", f.display());
        }
        parsed.push(p);
    }
    let travellers: u64 = parsed
        .iter()
        .map(|p| {
            p.manifest
                .messages
                .iter()
                .map(|m| m.travellers.len() as u64)
                .sum::<u64>()
        })
        .sum();
    let bar = if std::io::stderr().is_terminal() && files.len() > 1 {
        let bar = ProgressBar::new(files.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} manifests, {eta} left")
                .expect("a valid template"),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let written = (|| -> anyhow::Result<(u64, accord_screening::Totals)> {
        let output = File::create(&args.output)
            .with_context(|| format!("cannot create {}", args.output.display()))?;
        let mut csv = ManifestCsv::new(BufWriter::new(output))?;
        let mut totals = accord_screening::Totals::default();
        for p in parsed {
            let r = screen_parsed(screener, p, &opts)?;
            csv.write(&r)?;
            totals.merge(&r.totals);
            bar.inc(1);
        }
        let rows = csv.rows();
        csv.into_inner()?;
        Ok((rows, totals))
    })();
    bar.finish_and_clear();
    let (rows, totals) = match written {
        Ok(w) => w,
        Err(e) => {
            std::fs::remove_file(&args.output).ok();
            return Err(e.context("screening failed; no output was kept"));
        }
    };
    debug_assert_eq!(totals.travellers as u64, travellers);
    eprintln!(
        "{} manifests, {} travellers screened in {:.2?}: {} with hits ({} on a document number), {} hit rows, {} errors; {} rows written to {}",
        files.len(),
        totals.travellers,
        started.elapsed(),
        totals.with_hits,
        totals.document_matches,
        totals.hits,
        totals.errors,
        rows,
        args.output.display()
    );
    Ok(())
}
