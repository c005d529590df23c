//! `accord lists`: importing and inspecting reference lists.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use accord_lists::List;
use accord_store::{ImportOutcome, Store};
use anyhow::Context;

use crate::config::ListsCommand;

/// Reads a list in the format its kind names; a malformed file is refused
/// with the position of the first error.
pub fn read(kind: &str, path: &Path) -> anyhow::Result<List> {
    let list = match kind {
        "un" => {
            let file =
                File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
            accord_lists::un::read(BufReader::new(file))
        }
        "ofac" => {
            if !path.is_dir() {
                anyhow::bail!(
                    "{} is not a directory: `lists import ofac` takes the folder holding sdn.csv",
                    path.display()
                );
            }
            accord_lists::ofac::read_dir(path, &accord_lists::ofac::OfacOptions::default())
        }
        other => anyhow::bail!("unknown list kind {other}: use un or ofac"),
    };
    list.with_context(|| format!("{} was not imported", path.display()))
}

pub fn print_outcome(name: &str, outcome: &ImportOutcome) {
    let v = &outcome.version;
    if !outcome.created {
        println!(
            "{name}: unchanged — the content equals version {} ({} entries); nothing was imported",
            v.version, v.entry_count
        );
        return;
    }
    let r = &outcome.report;
    println!(
        "{name}: version {} imported ({} entries): {} added, {} removed, {} changed, {} records skipped",
        v.version,
        v.entry_count,
        r.added.len(),
        r.removed.len(),
        r.changed.len(),
        r.skipped.len()
    );
    for s in &r.skipped {
        println!("  skipped {}: {}", s.position, s.reason);
    }
    for c in r.changed.iter().take(20) {
        println!("  changed {}: {}", c.reference, c.fields.join(", "));
    }
    if r.changed.len() > 20 {
        println!("  … and {} more changed", r.changed.len() - 20);
    }
}

pub async fn run(
    cmd: ListsCommand,
    store_url: impl Fn(&crate::config::DatabaseArg) -> String,
) -> anyhow::Result<()> {
    match cmd {
        ListsCommand::Import { db, kind, path } => {
            let list = read(&kind, &path)?;
            let store = Store::open(&store_url(&db)).await?;
            let outcome = store
                .import_reference_list(&crate::commands::operator(), &kind, &list)
                .await?;
            print_outcome(&kind, &outcome);
        }
        ListsCommand::Versions { db, list } => {
            let store = Store::open(&store_url(&db)).await?;
            let names: Vec<String> = match list {
                Some(l) => vec![l],
                None => store
                    .current_reference_versions()
                    .await?
                    .into_iter()
                    .map(|v| v.list)
                    .collect(),
            };
            if names.is_empty() {
                println!(
                    "no reference lists are stored yet: `accord lists import un FILE` adds one"
                );
            }
            for name in names {
                for v in store.reference_versions(&name).await? {
                    println!(
                        "{name} v{}: {} entries, imported by {} (generated {}), +{} -{} ~{}",
                        v.version,
                        v.entry_count,
                        v.imported_by,
                        v.generated.as_deref().unwrap_or("?"),
                        v.report.added.len(),
                        v.report.removed.len(),
                        v.report.changed.len()
                    );
                }
            }
        }
    }
    Ok(())
}
