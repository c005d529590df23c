//! Fuzzing the programme imports: IATI activity XML (the IATI standard's
//! own example, a minimal file and Accord's export of the sample
//! programmes), the programmes and periods CSVs, and the programme form as
//! JSON, each mutated at the byte level and in its structure (elements,
//! rows, fields: deep nesting, huge numbers, control characters, invalid
//! UTF-8). No input may panic; a refusal is an `IatiError`, `CsvError` or
//! `Invalid` naming the problem; and what is accepted from Accord's own
//! export writes and reads back unchanged.
//!
//! Bounded by default (a few seconds in debug); `PROPTEST_CASES=5000` for a
//! longer run.

use accord_core::Role;
use accord_programmes::csv::{
    CsvError, periods_csv, programmes_csv, read_periods, read_programmes,
};
use accord_programmes::error::Invalid;
use accord_programmes::iati::{
    IatiConfig, IatiError, ImportContext, read_activities, write_activities,
};
use accord_programmes::input::ProgrammeInput;
use accord_programmes::model::*;
use accord_programmes::programme::Programme;
use accord_programmes::sample;
use proptest::prelude::*;
use std::sync::OnceLock;
use time::OffsetDateTime;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2025-06-01 12:00 UTC);
const STANDARD_EXAMPLE: &[u8] = include_bytes!("fixtures/iati-standard-example-2.03.xml");
const MINIMAL: &[u8] = include_bytes!("fixtures/minimal-doc.xml");

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(default)
}

fn config() -> IatiConfig {
    IatiConfig {
        reporting_org: OrgRef::parse("XM-ACCORD").unwrap(),
        reporting_org_type: OrgType::parse("40").unwrap(),
        reporting_org_name: Text::parse(&[("en", "Accord secretariat")], 200).unwrap(),
    }
}

fn programmes() -> &'static [Programme] {
    static P: OnceLock<Vec<Programme>> = OnceLock::new();
    P.get_or_init(|| vec![sample::sample(), sample::publishable()])
}

fn accord_export() -> &'static [u8] {
    static X: OnceLock<Vec<u8>> = OnceLock::new();
    X.get_or_init(|| {
        let p = sample::publishable();
        write_activities(&[(&p, NOW)], &config(), NOW)
            .expect("the sample is publishable")
            .xml
            .into_bytes()
    })
}

fn editor() -> accord_core::Principal {
    sample::member_user(2, "KAZ", Role::Contributor)
}

// ------------------------------------------------------------ mutations --

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Delete(usize, usize),
    Insert(usize, Vec<u8>),
    Truncate(usize),
    /// Split the input into units ending with the byte, then edit them.
    DuplicateUnit(u8, usize, usize),
    DropUnit(u8, usize),
    SwapUnits(u8, usize, usize),
}

fn snippet() -> impl Strategy<Value = Vec<u8>> {
    let fixed: Vec<&'static [u8]> = vec![
        b"<",
        b">",
        b"</",
        b"/>",
        b"&",
        b"&undefined;",
        b"&#0;",
        b"&#1114112;",
        b"<!DOCTYPE x>",
        b"<![CDATA[x]]>",
        b"\"",
        b"'",
        b",",
        b"\n",
        b"\r\n",
        b"\0",
        b"\x01\x1b",
        b"\xff",
        b"\xc3",
        b"99999999999999999999999999",
        b"-1",
        b"1e999",
        b"-0",
        b"NaN",
        b"0.000000001",
        b"100.01",
        b"2025-02-30",
        b"9999-12-31",
        b"0000-01-01",
        b"=cmd|' /C calc'!A0",
        b"\xe2\x80\xae",
    ];
    prop_oneof![
        4 => prop::sample::select(fixed).prop_map(<[u8]>::to_vec),
        1 => prop::collection::vec(any::<u8>(), 1..8),
        1 => (1usize..2000).prop_map(|n| ["<x>".repeat(n), "</x>".repeat(n)].concat().into_bytes()),
    ]
}

fn mutation(units: &'static [u8]) -> impl Strategy<Value = Mutation> {
    let unit = prop::sample::select(units.to_vec());
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), 1usize..64).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<usize>(), snippet()).prop_map(|(i, s)| Mutation::Insert(i, s)),
        any::<usize>().prop_map(Mutation::Truncate),
        (unit.clone(), any::<usize>(), 1usize..20)
            .prop_map(|(u, i, n)| Mutation::DuplicateUnit(u, i, n)),
        (unit.clone(), any::<usize>()).prop_map(|(u, i)| Mutation::DropUnit(u, i)),
        (unit, any::<usize>(), any::<usize>()).prop_map(|(u, a, b)| Mutation::SwapUnits(u, a, b)),
    ]
}

fn apply(mut v: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        if v.is_empty() {
            break;
        }
        let len = v.len();
        let units = |v: &[u8], sep: u8| -> Vec<Vec<u8>> {
            v.split_inclusive(|&b| b == sep)
                .map(<[u8]>::to_vec)
                .collect()
        };
        match m {
            Mutation::Flip(i, b) => v[i % len] = *b,
            Mutation::Delete(i, n) => {
                let i = i % len;
                v.drain(i..(i + n).min(len));
            }
            Mutation::Insert(i, s) => {
                let i = i % (len + 1);
                v.splice(i..i, s.iter().copied());
            }
            Mutation::Truncate(i) => v.truncate(i % len),
            Mutation::DuplicateUnit(sep, i, n) => {
                let mut u = units(&v, *sep);
                let k = i % u.len();
                for _ in 0..*n {
                    u.insert(k, u[k].clone());
                }
                v = u.concat();
            }
            Mutation::DropUnit(sep, i) => {
                let mut u = units(&v, *sep);
                let k = i % u.len();
                u.remove(k);
                v = u.concat();
            }
            Mutation::SwapUnits(sep, a, b) => {
                let mut u = units(&v, *sep);
                let n = u.len();
                u.swap(a % n, b % n);
                v = u.concat();
            }
        }
    }
    v
}

// ---------------------------------------------------------- invariants --

fn check_invalid(e: &Invalid) -> Result<(), TestCaseError> {
    prop_assert!(!e.problems.is_empty(), "an Invalid without problems");
    prop_assert!(!e.to_string().is_empty());
    Ok(())
}

fn check_iati(input: &[u8], ctx: &ImportContext<'_>) -> Result<(), TestCaseError> {
    match read_activities(input, ctx, NOW) {
        Ok(import) => {
            prop_assert_eq!(import.created.len(), import.report.created.len());
            prop_assert_eq!(import.updated.len(), import.report.updated.len());
            // What was accepted is a valid programme: it writes as IATI (if
            // publishable) and reads back with the same content.
            for p in import.created.iter().chain(&import.updated) {
                if accord_programmes::iati::publishable(p) {
                    let out = write_activities(&[(p, NOW)], &config(), NOW).map_err(|e| {
                        TestCaseError::fail(format!("an imported programme does not export: {e}"))
                    })?;
                    let back = read_activities(out.xml.as_bytes(), &ImportContext::default(), NOW)
                        .map_err(|e| {
                            TestCaseError::fail(format!(
                                "the export of an import is refused: {e}\n{}",
                                out.xml
                            ))
                        })?;
                    prop_assert_eq!(back.created.len(), 1);
                    prop_assert_eq!(&back.created[0].title, &p.title);
                    prop_assert_eq!(&back.created[0].countries, &p.countries);
                    prop_assert_eq!(&back.created[0].sectors, &p.sectors);
                }
            }
            Ok(())
        }
        Err(e) => {
            prop_assert!(!e.code().is_empty() && !e.to_string().is_empty());
            if let IatiError::Invalid(inv) = &e {
                check_invalid(inv)?;
            }
            if let IatiError::Xml { line, .. } = &e {
                let lines = input.iter().filter(|&&b| b == b'\n').count() + 1;
                prop_assert!(*line <= lines, "{e}: the input has {lines} lines");
            }
            Ok(())
        }
    }
}

fn check_csv<T>(r: Result<T, CsvError>) -> Result<Option<T>, TestCaseError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) => {
            prop_assert!(!e.to_string().is_empty());
            if let CsvError::Invalid(inv) = &e {
                check_invalid(inv)?;
            }
            Ok(None)
        }
    }
}

const XML_UNITS: &[u8] = b"><";
const CSV_UNITS: &[u8] = b"\n,";

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(200), ..ProptestConfig::default() })]

    #[test]
    fn iati_import_never_panics_on_mutated_files(
        which in 0usize..3,
        mutations in prop::collection::vec(mutation(XML_UNITS), 1..6),
        with_existing in any::<bool>(),
    ) {
        let base = [STANDARD_EXAMPLE, MINIMAL, accord_export()][which];
        let ctx = ImportContext {
            existing: if with_existing { programmes() } else { &[] },
            ..ImportContext::default()
        };
        check_iati(&apply(base.to_vec(), &mutations), &ctx)?;
    }

    #[test]
    fn iati_import_never_panics_on_odd_values(
        which in 0usize..3,
        pick in any::<usize>(),
        value in prop_oneof![
            "\\PC{0,20}",
            prop::sample::select(vec![
                "", " ", "99999999999999999999999999", "-99999999999", "1e308", "1e999", "NaN",
                "-0", "0.0000001", "2025-02-30", "99999-01-01", "2025-01-01T25:00:00",
                "\u{0}", "\u{202E}", "XM-\u{200B}ACCORD", "&amp;&lt;", "../..",
            ]).prop_map(str::to_owned),
        ],
    ) {
        // Replace one attribute value or one element text of a real file.
        let base = std::str::from_utf8([STANDARD_EXAMPLE, MINIMAL, accord_export()][which]).expect("UTF-8 fixtures");
        let escaped = value.replace('&', "&amp;").replace('<', "&lt;").replace('"', "&quot;");
        let spots: Vec<(usize, u8)> = base
            .match_indices("=\"")
            .map(|(i, _)| (i + 2, b'"'))
            .chain(base.match_indices('>').map(|(i, _)| (i + 1, b'<')))
            .collect();
        let (start, end_char) = spots[pick % spots.len()];
        let end = base[start..].find(end_char as char).map_or(base.len(), |e| start + e);
        let edited = format!("{}{}{}", &base[..start], escaped, &base[end..]);
        check_iati(edited.as_bytes(), &ImportContext::default())?;
    }

    #[test]
    fn programmes_csv_import_never_panics_on_mutated_files(
        mutations in prop::collection::vec(mutation(CSV_UNITS), 1..4),
        with_existing in any::<bool>(),
    ) {
        let base = programmes_csv(programmes());
        let existing = if with_existing { programmes() } else { &[] };
        let input = apply(base.into_bytes(), &mutations);
        if let Some(import) = check_csv(read_programmes(&input, existing, &editor()))? {
            // Round trip: what the CSV made writes and reads back the same.
            let made: Vec<Programme> = import.created.iter().chain(&import.updated).cloned().collect();
            if !made.is_empty() {
                let again = programmes_csv(&made);
                let back = read_programmes(again.as_bytes(), &made, &editor())
                    .map_err(|e| TestCaseError::fail(format!("the CSV of an import is refused: {e}\n{again}")))?;
                prop_assert!(back.created.is_empty() && back.updated.is_empty(), "not a fixed point: {:?}", back.updated.iter().map(|p| &p.id).collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn periods_csv_import_never_panics_on_mutated_files(
        mutations in prop::collection::vec(mutation(CSV_UNITS), 1..4),
    ) {
        let base = periods_csv(programmes());
        let input = apply(base.into_bytes(), &mutations);
        check_csv(read_periods(&input, programmes(), &editor()))?;
    }

    #[test]
    fn programme_form_json_never_panics(
        pick in any::<usize>(),
        value in prop_oneof![
            "\"\\PC{0,12}\"",
            prop::sample::select(vec![
                "null", "true", "-1", "1e999", "99999999999999999999", "[]", "{}", "[null]", "\"\"",
                "[{}]", "{\"en\": \"\\u0000\"}", "\"2025-02-30\"", "\"100.001\"", "\"-5\"",
            ]).prop_map(str::to_owned),
            (1usize..400).prop_map(|n| format!("{}1{}", "[".repeat(n), "]".repeat(n))),
        ],
    ) {
        // The form of a real programme as JSON, one value replaced.
        let json = serde_json::to_string(&ProgrammeInput::from_programme(&sample::sample())).expect("serializes");
        let spots: Vec<usize> = json.match_indices("\":").map(|(i, _)| i + 2).collect();
        let start = spots[pick % spots.len()];
        let rest = &json[start..];
        let end = rest.find([',', '}', ']']).map_or(json.len(), |e| start + e);
        let edited = format!("{}{}{}", &json[..start], value, &json[end..]);
        if let Ok(input) = serde_json::from_str::<ProgrammeInput>(&edited) {
            match input.validate(Some(&programmes()[0])) {
                Ok(data) => {
                    if let Err(e) = Programme::new(data) {
                        check_invalid(&e)?;
                    }
                }
                Err(e) => check_invalid(&e)?,
            }
            let _ = input.validate(None);
        }
    }
}
