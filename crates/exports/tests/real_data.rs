//! The full UN consolidated list from the shared data folder through every
//! writer (skipped cleanly when `/work/shared/data`, or `$ACCORD_DATA`, is absent).

use std::path::{Path, PathBuf};

use accord_exports::{ExportVersion, csv, ftm, stix, un_xml};
use accord_lists::model::ListEntry;

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

#[test]
fn the_full_un_list_round_trips_through_the_un_xml_writer() {
    let Some(p) = data("un/UN_consolidated_2026-02-27.xml") else {
        return;
    };
    let list = accord_lists::load_path(&p).unwrap();
    let v = ExportVersion::new("UN", 1, "2026-02-27", "UNSC", &list.entries);
    let mut xml = Vec::new();
    un_xml::write(&v, &mut xml).unwrap();
    let back = accord_lists::un::parse(&xml).unwrap();
    assert!(back.skipped.is_empty());
    assert_eq!(back.entries.len(), 1003);
    let key = |e: &ListEntry| {
        let mut names: Vec<_> = e
            .names
            .iter()
            .map(|n| (n.text.clone(), n.kind, n.quality))
            .collect();
        names.sort();
        let dates: Vec<_> = e
            .birth_dates
            .iter()
            .map(|d| (d.value, d.approximate))
            .collect();
        (
            e.reference.clone(),
            e.source_id.clone(),
            names,
            dates,
            e.listed_on.clone(),
            e.last_updated.clone(),
            e.nationalities.clone(),
            e.addresses.clone(),
            e.birth_places.clone(),
        )
    };
    for (a, b) in list.entries.iter().zip(&back.entries) {
        assert_eq!(key(a), key(b), "{}", a.reference);
    }
}

#[test]
fn the_full_un_list_writes_in_every_format() {
    let Some(p) = data("un/UN_consolidated_2026-02-27.xml") else {
        return;
    };
    let list = accord_lists::load_path(&p).unwrap();
    let v = ExportVersion::new("UN", 1, "2026-02-27", "UNSC", &list.entries);
    let mut out = Vec::new();
    csv::write(&v, &mut out).unwrap();
    assert_eq!(::csv::Reader::from_reader(&out[..]).records().count(), 1003);
    out.clear();
    ftm::write(&v, &mut out).unwrap();
    assert_eq!(out.iter().filter(|b| **b == b'\n').count(), 2006);
    let bundle = stix::bundle(&v).unwrap();
    let actors = bundle["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["type"] == "threat-actor")
        .count();
    assert_eq!(actors, 1003);
}
