//! Fuzzing the three importers from their real fixtures: the UN consolidated
//! XML, the OFAC legacy CSV files and FollowTheMoney JSON lines, each
//! mutated at the byte level (flips, deletions, control characters, invalid
//! UTF-8, truncation) and at the level of its structure (XML elements, CSV
//! rows and fields, JSON lines and values: duplication, swapping, huge
//! numbers, deep nesting). No input may panic; a refusal is a
//! `FormatError` that says where; an accepted list keeps the model's
//! conventions; and a list read from FtM reads back the same after
//! `ftm::write_entities`.
//!
//! Bounded by default (a few seconds in debug); `PROPTEST_CASES=5000` for a
//! longer run.

use accord_lists::ofac::{self, OfacFiles, OfacOptions};
use accord_lists::{FormatError, List, ftm, un};
use proptest::prelude::*;

const UN: &[u8] = include_bytes!("fixtures/un_sample.xml");
const SDN: &[u8] = include_bytes!("fixtures/ofac/sdn.csv");
const ALT: &[u8] = include_bytes!("fixtures/ofac/alt.csv");
const ADD: &[u8] = include_bytes!("fixtures/ofac/add.csv");
const COMMENTS: &[u8] = include_bytes!("fixtures/ofac/sdn_comments.csv");
const FTM: &[u8] = include_bytes!("fixtures/ftm_sample.jsonl");

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(default)
}

// ------------------------------------------------------------ mutations --

/// One edit of a byte string. Indices are taken modulo the current length.
#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Delete(usize, usize),
    Insert(usize, Vec<u8>),
    Truncate(usize),
    Duplicate(usize, usize),
    Swap(usize, usize, usize),
}

/// Byte snippets that mean something to one of the formats, or to none.
fn snippet() -> impl Strategy<Value = Vec<u8>> {
    let fixed: Vec<&'static [u8]> = vec![
        b"<",
        b">",
        b"</",
        b"/>",
        b"&",
        b"&amp;",
        b"&undefined;",
        b"&#0;",
        b"&#x1;",
        b"&#1114112;",
        b"&#99999999999999999999;",
        b"<![CDATA[x]]>",
        b"<!-- -->",
        b"<?pi x?>",
        b"<!DOCTYPE x [<!ENTITY a \"b\">]>",
        b"\"",
        b"'",
        b",",
        b"\r\n",
        b"\n",
        b"-0- ",
        b"\0",
        b"\x01\x0b\x1b\x7f",
        b"\xff",
        b"\xc3",
        b"\xed\xa0\x80",
        b"\xef\xbb\xbf",
        b"99999999999999999999999999999999",
        b"-2147483649",
        b"1e999",
        b"-0",
        b"NaN",
        b"{",
        b"}",
        b"[",
        b"]",
        b"null",
        b"\\u0000",
        b"\\ud800",
        b"a.k.a. '",
        b"DOB ",
        b"circa ",
        b"Passport ",
        b" (",
        b")",
        b";",
    ];
    prop_oneof![
        prop::sample::select(fixed).prop_map(<[u8]>::to_vec),
        prop::collection::vec(any::<u8>(), 1..8),
        "\\PC{1,8}".prop_map(String::into_bytes),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), 1usize..64).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<usize>(), snippet()).prop_map(|(i, s)| Mutation::Insert(i, s)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 1usize..400).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
        (any::<usize>(), any::<usize>(), 1usize..80).prop_map(|(a, b, n)| Mutation::Swap(a, b, n)),
    ]
}

fn apply(mut v: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        if v.is_empty() {
            break;
        }
        let len = v.len();
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
            Mutation::Duplicate(i, n) => {
                let i = i % len;
                let piece = v[i..(i + n).min(len)].to_vec();
                v.splice(i..i, piece);
            }
            Mutation::Swap(a, b, n) => {
                let (a, b) = ((a % len).min(b % len), (a % len).max(b % len));
                let n = (*n).min(b - a).min(len - b);
                if n > 0 {
                    let (head, tail) = v.split_at_mut(b);
                    head[a..a + n].swap_with_slice(&mut tail[..n]);
                }
            }
        }
    }
    v
}

/// Splits `input` into units ending with `sep` (XML elements, CSV rows, JSON
/// lines) and edits the sequence of units.
#[derive(Debug, Clone)]
enum UnitEdit {
    Drop(usize),
    Duplicate(usize, usize),
    Swap(usize, usize),
    Replace(usize, Vec<u8>),
}

fn unit_edit() -> impl Strategy<Value = UnitEdit> {
    prop_oneof![
        any::<usize>().prop_map(UnitEdit::Drop),
        (any::<usize>(), 1usize..50).prop_map(|(i, n)| UnitEdit::Duplicate(i, n)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| UnitEdit::Swap(a, b)),
        (any::<usize>(), snippet()).prop_map(|(i, s)| UnitEdit::Replace(i, s)),
    ]
}

fn edit_units(input: &[u8], sep: u8, edits: &[UnitEdit]) -> Vec<u8> {
    let mut units: Vec<Vec<u8>> = input
        .split_inclusive(|&b| b == sep)
        .map(<[u8]>::to_vec)
        .collect();
    for e in edits {
        if units.is_empty() {
            break;
        }
        let len = units.len();
        match e {
            UnitEdit::Drop(i) => {
                units.remove(i % len);
            }
            UnitEdit::Duplicate(i, n) => {
                let u = units[i % len].clone();
                for _ in 0..*n {
                    units.insert(i % len, u.clone());
                }
            }
            UnitEdit::Swap(a, b) => units.swap(a % len, b % len),
            UnitEdit::Replace(i, s) => units[i % len] = s.clone(),
        }
    }
    units.concat()
}

// ---------------------------------------------------------- invariants --

/// What every accepted list keeps, whatever the input (see `model`).
fn check_list(list: &List) -> Result<(), TestCaseError> {
    for e in &list.entries {
        prop_assert!(!e.reference.is_empty(), "an entry without reference");
        for n in &e.names {
            prop_assert!(!n.text.is_empty(), "an empty name in {}", e.reference);
        }
        for d in &e.birth_dates {
            if let accord_lists::DateValue::Exact { year, month, day } = d.value {
                prop_assert!(accord_lists::text::valid_ymd(year, month, day));
            }
        }
        // `listed_on` is not checked: the readers keep it as the source
        // wrote it (a UN LISTED_ON of 2026-02-30 is read as is), and the
        // writers in accord-exports tolerate any text there.
    }
    for s in &list.skipped {
        prop_assert!(!s.reason.is_empty());
    }
    // Whatever was read can be stored (the model is serde JSON).
    let json = serde_json::to_string(list).expect("a list serializes");
    let back: List = serde_json::from_str(&json).expect("and reads back");
    prop_assert_eq!(&back, list);
    Ok(())
}

/// A refusal names a place within the input.
fn check_error(e: &FormatError, input: &[u8]) -> Result<(), TestCaseError> {
    prop_assert!(!e.to_string().is_empty());
    let lines = input.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    match e {
        FormatError::Xml { position, .. }
        | FormatError::XmlTruncated { position, .. }
        | FormatError::NotUnList { position, .. }
        | FormatError::DoctypeRefused { position }
        | FormatError::UndefinedEntity { position, .. } => {
            prop_assert!(
                position.byte <= input.len() as u64,
                "{e} beyond {} bytes",
                input.len()
            );
            prop_assert!(position.line >= 1 && position.line <= lines, "{e}");
        }
        FormatError::Json { line, .. } | FormatError::NotFtmEntity { line, .. } => {
            prop_assert!(*line >= 1 && *line <= lines, "{e}: {} lines", lines);
        }
        FormatError::InvalidUtf8 { line, .. }
        | FormatError::CsvFieldCount { line, .. }
        | FormatError::Csv { line, .. }
        | FormatError::InvalidRecord { line, .. } => {
            // The line is in one of the OFAC files; each is at most as long as
            // the longest one here, so only sanity-check it.
            prop_assert!(*line <= lines.max(1_000_000), "{e}");
        }
        FormatError::Empty { .. } => {}
        FormatError::Io { .. } | FormatError::Read(_) | FormatError::UnknownFormat { .. } => {
            prop_assert!(false, "an in-memory parse reported {e}");
        }
    }
    Ok(())
}

fn un_check(input: &[u8]) -> Result<(), TestCaseError> {
    match un::parse(input) {
        Ok(list) => check_list(&list),
        Err(e) => check_error(&e, input),
    }
}

fn ftm_check(input: &[u8]) -> Result<(), TestCaseError> {
    match ftm::parse(input) {
        Ok(list) => {
            check_list(&list)?;
            // Round trip: what the writer makes of an accepted list reads
            // back to the same entries, and writing that again is stable.
            if list.entries.is_empty() {
                return Ok(());
            }
            let lines: Vec<String> = ftm::write_entities(&list).map(|v| v.to_string()).collect();
            // Read back as the same source: the authority written on
            // Sanction entities depends on it.
            let back = ftm::read_as(lines.join("\n").as_bytes(), list.source);
            let back = match back {
                Ok(b) => b,
                Err(e) => {
                    return Err(TestCaseError::fail(format!(
                        "the writer's output is refused: {e}\n{}",
                        lines.join("\n")
                    )));
                }
            };
            let again: Vec<String> = ftm::write_entities(&back).map(|v| v.to_string()).collect();
            let back2 = ftm::read_as(again.join("\n").as_bytes(), list.source)
                .expect("the second write reads back");
            let d = accord_lists::diff(&back.entries, &back2.entries);
            prop_assert!(d.is_empty(), "write/read is not stable: {:?}", d);
            prop_assert_eq!(
                back.entries
                    .iter()
                    .map(|e| &e.reference)
                    .collect::<Vec<_>>(),
                list.entries
                    .iter()
                    .map(|e| &e.reference)
                    .collect::<Vec<_>>()
            );
            Ok(())
        }
        Err(e) => check_error(&e, input),
    }
}

fn ofac_check(files: &OfacFiles<'_>, options: &OfacOptions) -> Result<(), TestCaseError> {
    match ofac::parse(files, options) {
        Ok(list) => {
            check_list(&list)?;
            let mut refs: Vec<&str> = list.entries.iter().map(|e| e.reference.as_str()).collect();
            let n = refs.len();
            refs.sort_unstable();
            refs.dedup();
            prop_assert_eq!(refs.len(), n, "two OFAC entries with the same ent_num");
            Ok(())
        }
        Err(e) => {
            let longest = [
                files.primary,
                files.alt.unwrap_or(b""),
                files.add.unwrap_or(b""),
                files.comments.unwrap_or(b""),
            ]
            .into_iter()
            .max_by_key(|f| f.len())
            .unwrap_or(b"");
            check_error(&e, longest)
        }
    }
}

// -------------------------------------------------------- XML structure --

/// A UN record nested `depth` levels deep, or an element with a huge text,
/// put into the fixture's first INDIVIDUAL.
fn un_with(inner: &[u8]) -> Vec<u8> {
    let at = UN
        .windows(b"<INDIVIDUAL>".len())
        .position(|w| w == b"<INDIVIDUAL>")
        .expect("the fixture has an INDIVIDUAL")
        + b"<INDIVIDUAL>".len();
    [&UN[..at], inner, &UN[at..]].concat()
}

fn xml_inner() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        // Deep nesting inside a record.
        (1usize..20_000).prop_map(|n| ["<A>".repeat(n), "</A>".repeat(n)].concat().into_bytes()),
        // Deep nesting left open (truncated document).
        (1usize..20_000).prop_map(|n| "<B>".repeat(n).into_bytes()),
        // Huge numbers and odd dates where the reader converts text.
        prop::sample::select(vec![
            "<DATAID>99999999999999999999999999</DATAID>",
            "<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>99999-99-99</DATE></INDIVIDUAL_DATE_OF_BIRTH>",
            "<INDIVIDUAL_DATE_OF_BIRTH><YEAR>-2147483649</YEAR></INDIVIDUAL_DATE_OF_BIRTH>",
            "<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>2999</FROM_YEAR><TO_YEAR>1000</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH>",
            "<LISTED_ON>2026-02-30</LISTED_ON>",
            "<LISTED_ON>\u{661}\u{669}\u{667}\u{660}-01-01</LISTED_ON>",
            "<LAST_DAY_UPDATED><VALUE>0000-00-00</VALUE></LAST_DAY_UPDATED>",
            "<FIRST_NAME>\u{0}\u{1}</FIRST_NAME>",
            "<FIRST_NAME>&#x1;&#9;&#xA0;</FIRST_NAME>",
            "<FIRST_NAME>   </FIRST_NAME>",
            "<INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY></INDIVIDUAL_ALIAS>",
            "<INDIVIDUAL_DOCUMENT><NUMBER></NUMBER></INDIVIDUAL_DOCUMENT>",
            "<INDIVIDUAL a='1' a='2'/>",
            "<X xmlns:x='urn:x' x:y='&lt;'/>",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
        // A long text in one element.
        (1usize..200_000).prop_map(|n| format!("<COMMENTS1>{}</COMMENTS1>", "é ".repeat(n)).into_bytes()),
    ]
}

// -------------------------------------------------------- JSON structure --

fn json_value() -> impl Strategy<Value = String> {
    prop_oneof![
        // Deep nesting: serde_json's recursion limit must refuse it, not the stack.
        (1usize..5_000).prop_map(|n| format!("{}{}", "[".repeat(n), "]".repeat(n))),
        (1usize..5_000).prop_map(|n| format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n))),
        prop::sample::select(vec![
            "1e999",
            "-1e999",
            "99999999999999999999999999",
            "-0",
            "null",
            "true",
            "{}",
            "[]",
            "[null]",
            "[1]",
            "[\"\"]",
            "[\"\\u0000\"]",
            "[\"\\ud800\"]",
            "[\"   \"]",
            "[\"0000-00-00\"]",
            "[\"2026-02-30\"]",
            "[\"9999-99\"]",
            "[\"1970-01-31T25:99\"]",
            "[\"\u{202e}\u{200b}\"]",
            "[{\"id\":\"x\"}]",
        ])
        .prop_map(str::to_owned),
        "\\[(\"\\PC{0,12}\"(, )?){0,4}\\]",
    ]
}

/// Replaces the value after one `":` in the FtM sample.
fn ftm_with(pick: usize, value: &str) -> Vec<u8> {
    let text = std::str::from_utf8(FTM).expect("the fixture is UTF-8");
    let spots: Vec<usize> = text.match_indices("\": ").map(|(i, _)| i + 3).collect();
    let start = spots[pick % spots.len()];
    // The old value ends at the next `, "` or `}` outside a string: good enough
    // to keep most of the line intact; a broken line is a fine input too.
    let rest = &text[start..];
    let end = rest
        .find(", \"")
        .into_iter()
        .chain(rest.find('}'))
        .min()
        .unwrap_or(rest.len());
    format!("{}{}{}", &text[..start], value, &rest[end..]).into_bytes()
}

// --------------------------------------------------------------- harnesses --

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(128), ..ProptestConfig::default() })]

    #[test]
    fn un_xml_import_never_panics_on_mutated_files(
        mutations in prop::collection::vec(mutation(), 1..8),
    ) {
        un_check(&apply(UN.to_vec(), &mutations))?;
    }

    #[test]
    fn un_xml_import_never_panics_on_reordered_elements(
        edits in prop::collection::vec(unit_edit(), 1..6),
    ) {
        // Units end at '>': whole tags, with the text before them.
        un_check(&edit_units(UN, b'>', &edits))?;
    }

    #[test]
    fn un_xml_import_never_panics_on_deep_nesting_and_odd_values(
        inner in xml_inner(),
        mutations in prop::collection::vec(mutation(), 0..3),
    ) {
        un_check(&apply(un_with(&inner), &mutations))?;
    }

    #[test]
    fn un_xml_import_never_panics_on_arbitrary_bytes(
        bytes in prop::collection::vec(any::<u8>(), 0..4096),
        prefix in any::<bool>(),
    ) {
        let input = if prefix {
            [b"<?xml version=\"1.0\"?><CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>".as_slice(), &bytes].concat()
        } else {
            bytes
        };
        un_check(&input)?;
    }

    #[test]
    fn ofac_csv_import_never_panics_on_mutated_files(
        which in 0usize..4,
        mutations in prop::collection::vec(mutation(), 1..8),
        edits in prop::collection::vec(unit_edit(), 0..4),
        windows_1252 in any::<bool>(),
    ) {
        let mut files = [SDN.to_vec(), ALT.to_vec(), ADD.to_vec(), COMMENTS.to_vec()];
        files[which] = apply(edit_units(&files[which], b'\n', &edits), &mutations);
        let options = OfacOptions { windows_1252_fallback: windows_1252 };
        ofac_check(
            &OfacFiles {
                primary: &files[0],
                alt: Some(&files[1]),
                add: Some(&files[2]),
                comments: Some(&files[3]),
                consolidated: false,
            },
            &options,
        )?;
        // The same primary file read alone, and as a consolidated list.
        if let Ok(list) = ofac::read(&files[0][..], &options) {
            check_list(&list)?;
        }
        ofac_check(
            &OfacFiles { primary: &files[0], alt: None, add: None, comments: None, consolidated: true },
            &options,
        )?;
    }

    #[test]
    fn ofac_csv_import_never_panics_on_odd_fields(
        row in 0usize..16,
        field in 0usize..12,
        value in prop_oneof![
            "\\PC{0,40}",
            prop::sample::select(vec![
                "-0- ", "", "\"", "\"\"\"", "99999999999999999999999999", "-1", "0",
                "DOB 31 Feb 1970", "DOB circa 1970 to 1960", "DOB 99999", "a.k.a. '",
                "a.k.a. 'X'; a.k.a. 'Y", "Passport  (", "Passport A1 (Iran", "Linked To: ",
                "Linked To: X.; Linked To: ", "nationality ; ; ;", "\u{0}\u{1}",
            ]).prop_map(str::to_owned),
        ],
        file in 0usize..3,
    ) {
        // Replace one field of one row by a quoted value.
        let base = [SDN, ALT, ADD][file];
        let text = std::str::from_utf8(base).expect("the fixtures are UTF-8");
        let mut rows: Vec<Vec<String>> = text
            .lines()
            .map(|l| l.split(',').map(str::to_owned).collect())
            .collect();
        let r = row % rows.len();
        let f = field % rows[r].len();
        rows[r][f] = format!("\"{}\"", value.replace('"', "\"\""));
        let edited = rows.iter().map(|r| r.join(",")).collect::<Vec<_>>().join("\r\n");
        let mut files = [SDN, ALT, ADD];
        files[file] = edited.as_bytes();
        ofac_check(
            &OfacFiles { primary: files[0], alt: Some(files[1]), add: Some(files[2]), comments: Some(COMMENTS), consolidated: false },
            &OfacOptions::default(),
        )?;
    }

    #[test]
    fn ftm_jsonl_import_never_panics_on_mutated_files(
        mutations in prop::collection::vec(mutation(), 1..8),
        edits in prop::collection::vec(unit_edit(), 0..4),
    ) {
        ftm_check(&apply(edit_units(FTM, b'\n', &edits), &mutations))?;
    }

    #[test]
    fn ftm_jsonl_import_never_panics_on_odd_values_and_deep_nesting(
        pick in any::<usize>(),
        value in json_value(),
    ) {
        ftm_check(&ftm_with(pick, &value))?;
    }

    #[test]
    fn ftm_jsonl_import_never_panics_on_arbitrary_lines(
        lines in prop::collection::vec(prop_oneof![
            any::<String>(),
            "\\{\"id\": ?\"\\PC{0,6}\", ?\"schema\": ?\"(Person|Organization|Company|LegalEntity|Vessel|Airplane|Sanction|Address|Identification|Passport|Family|Membership|UnknownLink|Thing|x)\", ?\"properties\": ?\\{(\"[a-zA-Z]{1,14}\": ?\\[(\"\\PC{0,12}\"(, )?){0,3}\\](, )?){0,4}\\}\\}",
        ], 0..8),
    ) {
        ftm_check(lines.join("\n").as_bytes())?;
    }
}
