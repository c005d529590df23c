//! The real, full lists from /work/shared/data (skipped cleanly when absent,
//! e.g. on a machine without the shared data). Fast: well under a second each
//! in release.

use std::path::{Path, PathBuf};

use accord_lists::{EntrySchema, load_path};

fn data(rel: &str) -> Option<PathBuf> {
    let base = std::env::var("ACCORD_DATA").unwrap_or_else(|_| "/work/shared/data".into());
    let p = Path::new(&base).join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipping: {} not present", p.display());
        None
    }
}

fn count(list: &accord_lists::List, schema: EntrySchema) -> usize {
    list.entries.iter().filter(|e| e.schema == schema).count()
}

#[test]
fn un_full_file() {
    let Some(p) = data("un/UN_consolidated_2026-02-27.xml") else {
        return;
    };
    let list = load_path(&p).unwrap();
    assert_eq!(count(&list, EntrySchema::Person), 730);
    assert_eq!(count(&list, EntrySchema::Organization), 273);
    assert!(list.skipped.is_empty());
    let original = list
        .entries
        .iter()
        .filter(|e| {
            e.names
                .iter()
                .any(|n| n.kind == accord_lists::NameKind::OriginalScript)
        })
        .count();
    assert_eq!(original, 378);
    assert!(accord_lists::diff(&list.entries, &load_path(&p).unwrap().entries).is_empty());
}

#[test]
fn ofac_sdn_2024() {
    let Some(p) = data("ofac/sdn-2024-05-03") else {
        return;
    };
    let list = load_path(&p).unwrap();
    assert_eq!(list.entries.len(), 14_965);
    assert_eq!(count(&list, EntrySchema::Person), 6_854);
    assert_eq!(count(&list, EntrySchema::Organization), 6_884);
    assert_eq!(count(&list, EntrySchema::Vessel), 851);
    assert_eq!(count(&list, EntrySchema::Aircraft), 376);
    let sdgt = list
        .entries
        .iter()
        .filter(|e| e.programs.iter().any(|p| p == "SDGT"))
        .count();
    assert_eq!(sdgt, 2_386);
}

#[test]
fn ofac_bench_2021_full_set() {
    let Some(p) = data("ofac/bench-2021-07-07") else {
        return;
    };
    let list = load_path(&p).unwrap();
    assert_eq!(list.entries.len(), 8_976);
    let aliases: usize = list
        .entries
        .iter()
        .map(|e| {
            e.names
                .iter()
                .filter(|n| {
                    n.kind != accord_lists::NameKind::Primary
                        && n.quality == accord_lists::NameQuality::Strong
                })
                .count()
        })
        .sum();
    assert!(aliases >= 11_000, "{aliases}");
    assert!(
        list.entries
            .iter()
            .map(|e| e.addresses.len())
            .sum::<usize>()
            > 10_000
    );
}

#[test]
fn ofac_consolidated_non_sdn() {
    let Some(p) = data("ofac/cons-nonsdn") else {
        return;
    };
    let list = load_path(&p).unwrap();
    assert_eq!(list.entries.len(), 442);
}
