//! The CSV export of a real list: one row per entry, exact text.

mod common;

use accord_exports::csv::{COLUMNS, write};

#[test]
fn the_un_sample_gives_one_row_per_entry_with_original_scripts() {
    let entries = common::un_entries();
    let mut out = Vec::new();
    write(&common::un_version(&entries), &mut out).unwrap();
    let mut reader = ::csv::Reader::from_reader(&out[..]);
    assert_eq!(reader.headers().unwrap(), COLUMNS.as_slice());
    let rows: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), entries.len());
    for (row, e) in rows.iter().zip(&entries) {
        assert_eq!(&row[0], e.reference);
        assert_eq!(&row[2], e.primary_name().unwrap());
        assert_eq!(&row[15], "1");
        assert_eq!(&row[16], "2026-02-27");
    }
    let aqim = rows.iter().find(|r| &r[0] == "QDe.014").unwrap();
    assert_eq!(&aqim[5], "تنظيم القا عدة ببلاد المغرب الاسلامي");
    assert_eq!(&aqim[1], "Organization");
}
