//! `accord screen`: a CSV of names against list files, with a progress bar.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, IsTerminal};
use std::time::Instant;

use accord_lists::ListSource;
use accord_screening::{CsvOptions, DEFAULT_THRESHOLD, Screener, screen_csv};
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

/// Data rows in the input (lines after the header), for the progress bar.
fn count_rows(path: &std::path::Path) -> anyhow::Result<u64> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let lines = BufReader::new(file).split(b'\n').count() as u64;
    Ok(lines.saturating_sub(1))
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
    let total = count_rows(&args.input)?;
    let input =
        File::open(&args.input).with_context(|| format!("cannot open {}", args.input.display()))?;
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
        ..CsvOptions::default()
    };
    let summary = screen_csv(
        &screener,
        BufReader::new(input),
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
    Ok(())
}
