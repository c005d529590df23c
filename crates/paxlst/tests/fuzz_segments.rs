//! Fuzzing the PAXLST parser at the level of segments: real manifests (the
//! reference example and built ones, default and custom separators) with
//! segments dropped, duplicated, swapped, replaced by crafted ones (huge
//! counts and dates, control characters, thousands of components, invalid
//! UTF-8, a dangling release character), then byte-level mutations on top.
//! No input may panic; a refusal is a `ParseError` whose position lies in
//! the input; and what the builder writes reads back as written.
//!
//! Bounded by default (a few seconds in debug); `PROPTEST_CASES=5000` for a
//! longer run.

use accord_paxlst::builder::{LegSpec, ManifestBuilder, MessageSpec, TravellerSpec, generated};
use accord_paxlst::{ListKind, Parsed, Separators, TravellerKind, parse};
use proptest::prelude::*;

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(default)
}

const REFERENCE: &[u8] = include_bytes!("fixtures/reference_example.edi");

/// (manifest, its segment terminator).
fn seeds() -> Vec<(Vec<u8>, u8)> {
    let mut custom = ManifestBuilder::example();
    custom.separators = Separators {
        component: b'|',
        element: b'*',
        decimal: b',',
        release: Some(b'\\'),
        terminator: b'~',
    };
    custom.line_breaks = false;
    let mut crew = ManifestBuilder::default().message(
        MessageSpec::new(
            "CR1",
            ListKind::Crew,
            "XA9",
            vec![
                LegSpec::new("IST", "2601151400", "ALA", "2601152105"),
                LegSpec::new("ALA", "2601152300", "NQZ", "2601160040"),
            ],
        )
        .traveller(TravellerSpec::crew("PILOTOV", "ASKAR").born("800101"))
        .traveller(TravellerSpec::crew("CABINOVA", "").gender("F")),
    );
    crew.group = false;
    vec![
        (REFERENCE.to_vec(), b'\''),
        (ManifestBuilder::example().build().into_bytes(), b'\''),
        (custom.build().into_bytes(), b'~'),
        (crew.build().into_bytes(), b'\''),
        (
            ManifestBuilder::default()
                .message(generated("G1", 4))
                .message(generated("G2", 2))
                .build()
                .into_bytes(),
            b'\'',
        ),
    ]
}

/// Segments that a sender, a broken system or an attacker could write.
fn crafted_segment() -> impl Strategy<Value = Vec<u8>> {
    let fixed: Vec<String> = vec![
        "UNT+99999999999999999999999+PX0017".into(),
        "UNT+-1+PX0017".into(),
        "UNZ+18446744073709551616+000000017".into(),
        "UNE+4294967296+17".into(),
        "CNT+42:99999999999999999999".into(),
        "CNT+41:-0".into(),
        "CNT+42".into(),
        "DTM+189:9999999999:201".into(),
        "DTM+189:2602301400:201".into(),
        "DTM+189:202601151400:203".into(),
        "DTM+189:2601151400:999".into(),
        "DTM+329:000000".into(),
        "DTM+329:991399".into(),
        "DTM+36:".into(),
        "DTM+329:9103041234567890".into(),
        "NAD+FL+++".into(),
        "NAD+FL+++:::::".into(),
        "NAD+FL+++\u{0}\u{1}\u{7f}".into(),
        "NAD+FM+++ÄÖÜ:ŞİĞ".into(),
        format!("NAD+FL+++{}", "A:".repeat(5_000)),
        format!("NAD+FL+++{}", "+".repeat(5_000)),
        format!("FTX+AAI+++{}", "X".repeat(70_000)),
        "ATT+2++Q".into(),
        "DOC+P:110:111+".into(),
        "DOC++".into(),
        "LOC+125+".into(),
        "LOC+87".into(),
        "TDT+20++++".into(),
        "TDT+20+XA123?".into(),
        "BGM+999".into(),
        "BGM+".into(),
        "UNH+PX0017+PAXLST:D:05B:UN:IATA".into(),
        "UNH+X+CUSRES:D:05B:UN".into(),
        "UNG+PAXLST".into(),
        "UNB+UNOZ:4+A+B+260115:0910+1".into(),
        "UNB+UNOW:4+A+B+260115:0910+1".into(),
        "UNA:+.? ".into(),
        "RFF+".into(),
        "RFF+AVF:".into(),
        "NAT+2+".into(),
        "?".into(),
        "".into(),
        " \r\n\t".into(),
    ];
    prop_oneof![
        4 => prop::sample::select(fixed).prop_map(String::into_bytes),
        1 => prop::collection::vec(any::<u8>(), 0..40),
        1 => "[A-Z]{3}(\\+[A-Z0-9:?'. ]{0,12}){0,6}".prop_map(String::into_bytes),
        // Invalid UTF-8 and bytes outside every EDIFACT character set.
        1 => prop::sample::select(vec![
            b"NAD+FL+++\xff\xfe".to_vec(),
            b"NAD+FL+++\xc3".to_vec(),
            b"NAD+FL+++\xed\xa0\x80".to_vec(),
            b"\xef\xbb\xbfUNB+UNOA:4+A+B+260115:0910+1".to_vec(),
        ]),
    ]
}

#[derive(Debug, Clone)]
enum Edit {
    Drop(usize),
    Duplicate(usize, usize),
    Swap(usize, usize),
    Replace(usize, Vec<u8>),
    Insert(usize, Vec<u8>),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<usize>().prop_map(Edit::Drop),
        (any::<usize>(), 1usize..200).prop_map(|(i, n)| Edit::Duplicate(i, n)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::Swap(a, b)),
        (any::<usize>(), crafted_segment()).prop_map(|(i, s)| Edit::Replace(i, s)),
        (any::<usize>(), crafted_segment()).prop_map(|(i, s)| Edit::Insert(i, s)),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

/// Edits the segments of `input` (split after each `terminator`).
fn edit_segments(input: &[u8], terminator: u8, edits: &[Edit]) -> Vec<u8> {
    let mut segs: Vec<Vec<u8>> = input
        .split_inclusive(|&b| b == terminator)
        .map(<[u8]>::to_vec)
        .collect();
    let end = |mut s: Vec<u8>| {
        s.push(terminator);
        s
    };
    for e in edits {
        if segs.is_empty() {
            break;
        }
        let len = segs.len();
        match e {
            Edit::Drop(i) => {
                segs.remove(i % len);
            }
            Edit::Duplicate(i, n) => {
                let s = segs[i % len].clone();
                for _ in 0..*n {
                    segs.insert(i % len, s.clone());
                }
            }
            Edit::Swap(a, b) => segs.swap(a % len, b % len),
            Edit::Replace(i, s) => segs[i % len] = end(s.clone()),
            Edit::Insert(i, s) => segs.insert(i % (len + 1), end(s.clone())),
            Edit::Truncate(i) => {
                let s = &mut segs[i % len];
                let keep = i % (s.len() + 1);
                s.truncate(keep);
            }
        }
    }
    segs.concat()
}

fn flip_bytes(mut v: Vec<u8>, flips: &[(usize, u8)]) -> Vec<u8> {
    for &(i, b) in flips {
        if v.is_empty() {
            break;
        }
        let len = v.len();
        v[i % len] = b;
    }
    v
}

/// No panic; an error says where, within the input; a manifest keeps its
/// invariants.
fn check(input: &[u8]) -> Result<Option<Parsed>, TestCaseError> {
    match parse(input) {
        Ok(p) => {
            for m in &p.manifest.messages {
                prop_assert!(!m.flight.legs.is_empty());
                for (i, t) in m.travellers.iter().enumerate() {
                    prop_assert_eq!(t.number as usize, i + 1);
                    prop_assert!(!t.surname.is_empty());
                }
            }
            for w in &p.warnings {
                prop_assert!(w.position.offset <= input.len());
            }
            Ok(Some(p))
        }
        Err(e) => {
            prop_assert!(!e.to_string().is_empty());
            prop_assert!(
                e.position.offset <= input.len(),
                "{} is beyond the {} bytes of input",
                e,
                input.len()
            );
            let segments = input.len() + 1;
            prop_assert!(e.position.segment <= segments, "{}", e);
            Ok(None)
        }
    }
}

fn name_part() -> impl Strategy<Value = String> {
    // Upper-case Latin with the characters that need releasing (' + : ?)
    // and inner spaces, as a passport's machine-readable zone gives names.
    "[A-Z][A-Z'+:? -]{0,14}[A-Z]"
}

fn traveller() -> impl Strategy<Value = TravellerSpec> {
    (
        any::<bool>(),
        name_part(),
        prop::option::of(name_part()),
        prop::option::of(name_part()),
        prop::option::of(prop::sample::select(vec!["M", "F", "U"])),
        prop::option::of((0u32..100, 1u32..=12, 1u32..=28)),
        prop::option::of("[A-Z]{3}"),
        prop::option::of(("[A-Z0-9]{1,9}", "[A-Z]{3}")),
    )
        .prop_map(
            |(crew, surname, given, middle, gender, born, nationality, passport)| {
                let mut t = if crew {
                    TravellerSpec::crew(&surname, "")
                } else {
                    TravellerSpec::passenger(&surname, "")
                };
                t.given = given;
                // The builder writes a middle name only after a given name.
                t.middle = middle.filter(|_| t.given.is_some());
                t.gender = gender.map(str::to_owned);
                t.birth = born.map(|(y, m, d)| format!("{y:02}{m:02}{d:02}"));
                t.nationality = nationality;
                if let Some((number, country)) = passport {
                    t = t.passport(&number, "310101", &country);
                }
                t
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(300), ..ProptestConfig::default() })]

    #[test]
    fn paxlst_parser_never_panics_on_segment_edits(
        seed in 0usize..5,
        edits in prop::collection::vec(edit(), 1..6),
        flips in prop::collection::vec((any::<usize>(), any::<u8>()), 0..3),
    ) {
        let (input, terminator) = seeds().swap_remove(seed);
        check(&flip_bytes(edit_segments(&input, terminator, &edits), &flips))?;
    }

    #[test]
    fn paxlst_parser_never_panics_on_custom_separators(
        seps in prop::sample::subsequence(b"'+:?*|~\\^!#.,\n ".to_vec(), 6),
        edits in prop::collection::vec(edit(), 0..3),
    ) {
        // A UNA with any six of these characters, in any order, on a
        // manifest written with the defaults: most combinations contradict
        // the data, some are refused as a UNA, none may panic.
        let mut input = b"UNA".to_vec();
        input.extend_from_slice(&seps);
        let body = ManifestBuilder { una: false, ..ManifestBuilder::example() }.build();
        input.extend_from_slice(&edit_segments(body.as_bytes(), b'\'', &edits));
        check(&input)?;
    }

    #[test]
    fn paxlst_builder_output_reads_back_as_written(
        travellers in prop::collection::vec(traveller(), 1..12),
        custom in any::<bool>(),
        line_breaks in any::<bool>(),
    ) {
        let mut message = MessageSpec::new(
            "RT1",
            ListKind::Passengers,
            "XA123",
            vec![LegSpec::new("IST", "2601151400", "NQZ", "2601152105")],
        );
        message.travellers = travellers.clone();
        let mut b = ManifestBuilder::default().message(message);
        b.line_breaks = line_breaks;
        if custom {
            b.separators = Separators {
                component: b'|',
                element: b'*',
                decimal: b',',
                release: Some(b'\\'),
                terminator: b'~',
            };
        }
        let edi = b.build();
        let parsed = match check(edi.as_bytes())? {
            Some(p) => p,
            None => return Err(TestCaseError::fail(format!("the builder's output is refused: {:?}\n{edi}", parse(edi.as_bytes()).err()))),
        };
        let m = &parsed.manifest.messages[0];
        prop_assert_eq!(m.travellers.len(), travellers.len());
        for (spec, t) in travellers.iter().zip(&m.travellers) {
            prop_assert_eq!(&t.surname, &spec.surname);
            prop_assert_eq!(&t.given, &spec.given);
            prop_assert_eq!(&t.middle, &spec.middle);
            prop_assert_eq!(
                t.kind,
                if spec.kind == TravellerKind::Crew { TravellerKind::Crew } else { TravellerKind::Passenger }
            );
            prop_assert_eq!(&t.nationality, &spec.nationality);
            if let Some(b) = &spec.birth {
                let d = t.birth_date.expect("a birth date was written");
                prop_assert_eq!(format!("{:02}{:02}{:02}", d.year() % 100, d.month(), d.day()), b.clone());
            }
            prop_assert_eq!(t.documents.len(), spec.documents.len());
            for (ds, d) in spec.documents.iter().zip(&t.documents) {
                prop_assert_eq!(&d.number, &ds.number);
                prop_assert_eq!(&d.issuing_country, &ds.country);
            }
        }
    }
}
