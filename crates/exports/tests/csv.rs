//! The CSV export of a real list: one row per entry, exact text.

mod common;

use accord_exports::csv::{COLUMNS, split, write};

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

#[test]
fn every_multi_valued_cell_reads_back_into_the_entrys_values() {
    let mut entries = common::accord_entries();
    entries[0].push_name(accord_lists::model::EntryName::new(
        "O'Nour; Group, Ltd.",
        accord_lists::model::NameKind::Alias,
    ));
    entries[0]
        .programs
        .push("Programme; with \\ a backslash".into());
    entries.extend(common::un_entries());
    let mut out = Vec::new();
    write(&common::un_version(&entries), &mut out).unwrap();
    let mut reader = ::csv::Reader::from_reader(&out[..]);
    let rows: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let column = |name: &str| COLUMNS.iter().position(|c| *c == name).unwrap();
    for (row, e) in rows.iter().zip(&entries) {
        let aliases: Vec<String> = split(&row[column("aliases")]);
        let want: Vec<String> = e
            .names
            .iter()
            .filter(|n| {
                n.kind == accord_lists::model::NameKind::Alias
                    && Some(n.text.as_str()) != e.primary_name()
            })
            .map(|n| n.text.clone())
            .collect();
        assert_eq!(aliases, want, "{}", e.reference);
        assert_eq!(split(&row[column("programs")]), e.programs);
        assert_eq!(split(&row[column("nationalities")]), e.nationalities);
        assert_eq!(split(&row[column("birth_places")]), e.birth_places);
    }
    assert_eq!(
        split(&rows[0][column("aliases")]).last().unwrap(),
        "O'Nour; Group, Ltd."
    );
}
