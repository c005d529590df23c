//! OFAC legacy CSV: the fixture set (real lines) and malformed inputs.

use std::path::Path;

use accord_lists::ofac::{self, OfacFiles, OfacOptions};
use accord_lists::{DateValue, EntrySchema, FormatError, NameKind, NameQuality};

fn fixture_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ofac"))
}

fn entry<'a>(list: &'a accord_lists::List, r: &str) -> &'a accord_lists::ListEntry {
    list.entries.iter().find(|e| e.reference == r).unwrap()
}

#[test]
fn reads_the_fixture_set() {
    let list = ofac::read_dir(fixture_dir(), &OfacOptions::default()).unwrap();
    assert_eq!(list.entries.len(), 9);
    assert!(list.skipped.is_empty(), "{:?}", list.skipped);

    let p = entry(&list, "6944");
    assert_eq!(p.schema, EntrySchema::Person);
    assert_eq!(p.primary_name(), Some("Sa'd Abdullah Hussein AL-SHARIF"));
    assert_eq!(
        p.extra["listed_name"],
        vec!["AL-SHARIF, Sa'd Abdullah Hussein"]
    );
    assert_eq!(p.programs, vec!["SDGT"]);
    assert_eq!(p.birth_dates.len(), 3);
    assert_eq!(
        p.birth_dates[2].value,
        DateValue::Exact {
            year: 1964,
            month: 2,
            day: 11
        }
    );
    assert_eq!(p.birth_places, vec!["Al-Medinah, Saudi Arabia"]);
    assert_eq!(p.nationalities, vec!["Saudi Arabia"]);
    assert_eq!(p.documents.len(), 2);
    assert_eq!(p.documents[1].number, "G 649385");
    assert!(p.documents[1].is_passport());

    let p = entry(&list, "7150");
    let weak: Vec<_> = p
        .names
        .iter()
        .filter(|n| n.quality == NameQuality::Weak)
        .map(|n| n.text.as_str())
        .collect();
    assert_eq!(weak, vec!["ABU ANAS", "'ABD AL-MUHSI", "'ABD AL-RAHMAN"]);
    assert_eq!(p.documents[0].country.as_deref(), Some("Libya"));

    // Remarks continued in sdn_comments.csv; link resolved to LAZARUS GROUP.
    let p = entry(&list, "28263");
    assert_eq!(p.programs, vec!["DPRK3", "CYBER2"]);
    assert!(
        p.comments
            .as_deref()
            .unwrap()
            .ends_with("Linked To: LAZARUS GROUP.")
    );
    let link = p.links.last().unwrap();
    assert_eq!(link.target_name.as_deref(), Some("LAZARUS GROUP"));
    assert_eq!(link.target_reference.as_deref(), Some("27307"));

    // Aliases and addresses joined by ent_num.
    let o = entry(&list, "306");
    assert_eq!(o.schema, EntrySchema::Organization);
    assert!(
        o.names
            .iter()
            .any(|n| n.text == "NATIONAL BANK OF CUBA" && n.kind == NameKind::Alias)
    );
    assert!(
        o.names
            .iter()
            .any(|n| n.text == "BNC" && n.quality == NameQuality::Weak)
    );
    assert_eq!(o.addresses[0].country.as_deref(), Some("Switzerland"));

    let v = entry(&list, "4234");
    assert_eq!(v.schema, EntrySchema::Vessel);
    assert_eq!(v.extra["call_sign"], vec!["CL2685"]);
    assert_eq!(v.extra["vessel_flag"], vec!["Cuba"]);
    assert_eq!(entry(&list, "15431").schema, EntrySchema::Aircraft);
}

#[test]
fn sdn_alone_and_load_path() {
    let bytes = std::fs::read(fixture_dir().join("sdn.csv")).unwrap();
    let list = ofac::read(&bytes[..], &OfacOptions::default()).unwrap();
    assert_eq!(list.entries.len(), 9);
    let via_path = accord_lists::load_path(fixture_dir()).unwrap();
    assert_eq!(via_path.source, accord_lists::ListSource::Ofac);
    let via_file = accord_lists::load_path(fixture_dir().join("sdn.csv")).unwrap();
    assert!(accord_lists::diff(&via_path.entries, &via_file.entries).is_empty());
}

fn parse_sdn(bytes: &[u8]) -> Result<accord_lists::List, FormatError> {
    ofac::read(bytes, &OfacOptions::default())
}

#[test]
fn wrong_field_count_names_the_line() {
    let csv = "36,\"A\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n37,\"B\",-0- ,\"CUBA\"\r\n";
    let err = parse_sdn(csv.as_bytes()).unwrap_err();
    assert!(
        matches!(
            err,
            FormatError::CsvFieldCount {
                line: 2,
                expected: 12,
                found: 4,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "sdn.csv: line 2 has 4 fields, expected 12");
}

#[test]
fn companion_file_errors_name_the_file() {
    let sdn = b"36,\"A\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n";
    let files = OfacFiles {
        primary: sdn,
        alt: Some(b"36,1,\"aka\"\r\n"),
        ..OfacFiles::default()
    };
    let err = ofac::parse(&files, &OfacOptions::default()).unwrap_err();
    assert!(err.to_string().starts_with("alt.csv: line 1"), "{err}");
    // Unknown ent_num in alt.csv is reported, not fatal.
    let files = OfacFiles {
        primary: sdn,
        alt: Some(b"99,1,\"aka\",\"X\",-0- \r\n"),
        ..OfacFiles::default()
    };
    let list = ofac::parse(&files, &OfacOptions::default()).unwrap();
    assert_eq!(list.skipped[0].position, "alt.csv line 1");
    // Non-numeric ent_num.
    assert!(matches!(
        parse_sdn(b"x,\"A\",,,,,,,,,,\r\n"),
        Err(FormatError::InvalidRecord { line: 1, .. })
    ));
}

#[test]
fn invalid_utf8_is_an_error_unless_the_fallback_is_on() {
    let csv = b"36,\"A\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n37,\"JOS\xc9, Mar\xeda\",\"individual\",\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"a.k.a. \x93X\x94\"\r\n";
    let err = parse_sdn(csv).unwrap_err();
    assert!(
        matches!(err, FormatError::InvalidUtf8 { line: 2, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("Windows-1252"));
    let list = ofac::read(
        &csv[..],
        &OfacOptions {
            windows_1252_fallback: true,
        },
    )
    .unwrap();
    assert_eq!(list.entries[1].primary_name(), Some("María JOSÉ"));
}

#[test]
fn empty_and_broken_quoting() {
    assert!(matches!(parse_sdn(b""), Err(FormatError::Empty { .. })));
    assert!(matches!(parse_sdn(b"\x1a"), Err(FormatError::Empty { .. })));
    let err = ofac::read_dir(Path::new("/nonexistent-dir"), &OfacOptions::default()).unwrap_err();
    assert!(matches!(err, FormatError::UnknownFormat { .. }));
    // An unterminated quote swallows the rest of the file: the field count is wrong.
    let csv = b"36,\"A,-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n";
    assert!(parse_sdn(csv).is_err());
}
