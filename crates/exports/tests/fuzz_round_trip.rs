//! Round trips of the export writers with generated entries: the UN XML
//! export reads back with `accord_lists::un::parse`, the FollowTheMoney
//! export with `accord_lists::ftm::read_as`, and the CSV's multi-valued
//! cells with `csv::split`, to the same references, kinds and names. Names
//! are any visible Unicode (XML and CSV specials, `;`, `\`, quotes,
//! right-to-left scripts); a second set of properties puts arbitrary text
//! (control characters, lone whitespace) everywhere and requires only that
//! the writers never panic and write what their readers accept.
//!
//! Bounded by default (a few seconds in debug); `PROPTEST_CASES=5000` for a
//! longer run.

use accord_exports::csv::{COLUMNS, CsvOptions, split};
use accord_exports::{ExportVersion, csv, ftm, un_xml};
use accord_lists::ListSource;
use accord_lists::model::{EntryName, EntrySchema, ListEntry, NameKind, NameQuality};
use proptest::prelude::*;
use std::collections::BTreeSet;

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(default)
}

/// Visible text as the readers give it back: words without whitespace or
/// control characters, one space between them.
fn visible_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[^\\s\\p{C}]{1,8}( [^\\s\\p{C}]{1,8}){0,3}",
        "[a-zA-Z<>&\"';:\\\\=+@-]{1,8}( [a-zA-Z<>&\"';:\\\\=+@-]{1,8}){0,2}",
        "[\u{0600}-\u{06FF}\u{0400}-\u{04FF}]{1,10}",
    ]
}

fn schema() -> impl Strategy<Value = EntrySchema> {
    prop::sample::select(vec![
        EntrySchema::Person,
        EntrySchema::Organization,
        EntrySchema::Vessel,
        EntrySchema::Aircraft,
    ])
}

fn entry(i: usize, text: BoxedStrategy<String>) -> impl Strategy<Value = ListEntry> {
    (
        "[A-Za-z0-9.]{1,10}",
        schema(),
        text.clone(),
        prop::collection::vec(
            (
                text.clone(),
                prop::sample::select(vec![NameKind::Alias, NameKind::FormerName]),
                any::<bool>(),
            ),
            0..4,
        ),
        prop::option::of(text.clone()),
        prop::option::of(text.clone()),
        prop::collection::vec(text, 0..3),
    )
        .prop_map(
            move |(reference, schema, primary, aliases, original, comments, nationalities)| {
                let mut e = ListEntry::new(format!("{reference}-{i}"), schema);
                e.push_name(EntryName::new(primary, NameKind::Primary));
                for (text, kind, weak) in aliases {
                    let n = EntryName::new(text, kind);
                    e.push_name(if weak { n.weak() } else { n });
                }
                // One original-script name: a second one is written (and read
                // back) as an alias, UN XML has a single NAME_ORIGINAL_SCRIPT.
                if let Some(o) = original {
                    e.push_name(EntryName::new(o, NameKind::OriginalScript));
                }
                e.comments = comments;
                for n in nationalities {
                    if !n.eq_ignore_ascii_case("na") && !e.nationalities.contains(&n) {
                        e.nationalities.push(n);
                    }
                }
                e
            },
        )
}

fn entries(text: BoxedStrategy<String>) -> impl Strategy<Value = Vec<ListEntry>> {
    (1usize..6).prop_flat_map(move |n| {
        (0..n)
            .map(|i| entry(i, text.clone()).boxed())
            .collect::<Vec<_>>()
    })
}

fn version(entries: &[ListEntry]) -> ExportVersion<'_> {
    ExportVersion::new("Accord common list", 3, "2026-03-01", "Accord", entries)
}

/// (text, kind, quality) of every name, sorted; weak entity aliases are
/// strong in UN XML (it has `Low` for individuals only), and former names
/// carry no quality there either.
fn names(e: &ListEntry, un: bool) -> Vec<(String, NameKind, NameQuality)> {
    let mut v: Vec<_> = e
        .names
        .iter()
        .map(|n| {
            let q = if un && (e.schema != EntrySchema::Person || n.kind == NameKind::FormerName) {
                NameQuality::Strong
            } else {
                n.quality
            };
            (n.text.clone(), n.kind, q)
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

/// A name as the FtM writer makes it canonical: trimmed, one layer of
/// surrounding quotes removed, whitespace collapsed; nothing if blank.
fn canonical_name(name: &str) -> Option<String> {
    let v = name.trim();
    let unquoted = ['"', '\''].iter().find_map(|q| {
        v.strip_prefix(*q)
            .and_then(|rest| rest.strip_suffix(*q))
            .map(str::trim)
    });
    let v = unquoted.unwrap_or(v);
    (!v.is_empty()).then(|| v.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn write_with(
    f: impl Fn(&mut Vec<u8>) -> Result<(), accord_exports::ExportError>,
) -> Result<Vec<u8>, TestCaseError> {
    let mut out = Vec::new();
    f(&mut out).map_err(|e| TestCaseError::fail(format!("the writer refused: {e}")))?;
    Ok(out)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(200), ..ProptestConfig::default() })]

    #[test]
    fn un_xml_export_reads_back_to_the_same_entries(entries in entries(visible_text().boxed())) {
        let v = version(&entries);
        let xml = write_with(|out| un_xml::write(&v, out))?;
        let back = accord_lists::un::parse(&xml)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{}", String::from_utf8_lossy(&xml))))?;
        prop_assert!(back.skipped.is_empty(), "{:?}", back.skipped);
        prop_assert_eq!(back.entries.len(), entries.len());
        for a in &entries {
            let b = back.entries.iter().find(|b| b.reference == a.reference).expect("every reference reads back");
            let person = a.schema == EntrySchema::Person;
            prop_assert_eq!(b.schema == EntrySchema::Person, person);
            prop_assert_eq!(b.primary_name(), a.primary_name());
            prop_assert_eq!(names(b, true), names(a, true));
            prop_assert_eq!(&b.comments, &a.comments);
            prop_assert_eq!(&b.nationalities, &a.nationalities);
        }
    }

    #[test]
    fn ftm_export_reads_back_to_the_same_entries(entries in entries(visible_text().boxed())) {
        let v = version(&entries);
        let out = write_with(|out| ftm::write(&v, out))?;
        let back = accord_lists::ftm::read_as(&out[..], ListSource::Accord)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{}", String::from_utf8_lossy(&out))))?;
        // A name made only of quotes (`""`) has no canonical form: the
        // entity is written without a name and the reader reports it as
        // skipped (seen by this harness; see docs/security.md).
        prop_assert_eq!(back.entries.len() + back.skipped.len(), entries.len());
        for a in &entries {
            if a.names.iter().all(|n| canonical_name(&n.text).is_none()) {
                continue;
            }
            let b = back.entries.iter().find(|b| b.reference == a.reference).expect("every named reference reads back");
            prop_assert_eq!(b.schema, a.schema);
            // FtM names are written in their canonical form: without the
            // quotes lists put around them (`"The Base"`), so compare that.
            let texts = |e: &ListEntry, canon: bool| {
                e.names
                    .iter()
                    .filter_map(|n| if canon { canonical_name(&n.text) } else { Some(n.text.clone()) })
                    .collect::<BTreeSet<_>>()
            };
            prop_assert_eq!(texts(b, false), texts(a, true));
            if let Some(primary) = a.primary_name().and_then(canonical_name) {
                prop_assert_eq!(b.primary_name(), Some(primary.as_str()));
            }
        }
    }

    #[test]
    fn csv_export_cells_split_back_to_the_same_values(
        entries in entries(
            prop_oneof![visible_text(), "[^\\p{C}]{1,12}", "[;\\\\ a\"\n]{1,8}"]
                // The model's texts are trimmed and never empty.
                .prop_map(|s| match s.trim() { "" => "x".to_owned(), t => t.to_owned() })
                .boxed(),
        ),
        safe in any::<bool>(),
    ) {
        let v = version(&entries);
        let out = write_with(|out| csv::write_with(&v, out, CsvOptions { spreadsheet_safe: safe }))?;
        let mut reader = ::csv::ReaderBuilder::new().from_reader(&out[..]);
        let header: Vec<String> = reader.headers().expect("a header").iter().map(str::to_owned).collect();
        prop_assert_eq!(header, COLUMNS.to_vec());
        let rows: Vec<::csv::StringRecord> = reader.records().collect::<Result<_, _>>().expect("RFC 4180");
        prop_assert_eq!(rows.len(), entries.len());
        let col = |name: &str| COLUMNS.iter().position(|c| *c == name).expect("a column");
        for (e, row) in entries.iter().zip(&rows) {
            for cell in row.iter() {
                if safe {
                    prop_assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "a formula cell: {:?}", cell);
                }
            }
            if safe {
                continue;
            }
            prop_assert_eq!(&row[col("reference")], e.reference.as_str());
            prop_assert_eq!(Some(&row[col("name")]), e.primary_name());
            // A name equal to the primary one is not repeated among the others.
            let of = |kind: NameKind| {
                e.names
                    .iter()
                    .filter(|n| n.kind == kind && Some(n.text.as_str()) != e.primary_name())
                    .map(|n| n.text.clone())
                    .collect::<Vec<_>>()
            };
            prop_assert_eq!(split(&row[col("aliases")]), of(NameKind::Alias));
            prop_assert_eq!(split(&row[col("former_names")]), of(NameKind::FormerName));
            prop_assert_eq!(split(&row[col("nationalities")]), e.nationalities.clone());
        }
    }

    #[test]
    fn writers_never_panic_on_arbitrary_text_and_their_readers_accept_the_output(
        entries in entries(prop_oneof![any::<String>(), "[\u{0}-\u{1f}\u{7f}\u{85}\u{2028} a<&]{1,10}", Just("]]>".to_owned())].boxed()),
    ) {
        let v = version(&entries);
        if v.check().is_err() {
            // A name that push_name kept but is blank: refused, typed.
            return Ok(());
        }
        let xml = write_with(|out| un_xml::write(&v, out))?;
        let back = accord_lists::un::parse(&xml)
            .map_err(|e| TestCaseError::fail(format!("the UN XML export does not parse: {e}")))?;
        // An entry whose every name was control characters has no name left
        // in XML 1.0 and is skipped by the reader, never lost silently.
        prop_assert_eq!(back.entries.len() + back.skipped.len(), entries.len());
        let out = write_with(|out| ftm::write(&v, out))?;
        let back = accord_lists::ftm::read_as(&out[..], ListSource::Accord)
            .map_err(|e| TestCaseError::fail(format!("the FtM export does not read: {e}")))?;
        prop_assert!(back.entries.len() + back.skipped.len() <= entries.len());
        let out = write_with(|out| csv::write(&v, out))?;
        let rows = ::csv::Reader::from_reader(&out[..]).records().count();
        prop_assert_eq!(rows, entries.len());
        let _ = write_with(|out| accord_exports::stix::write(&v, out))?;
    }
}
