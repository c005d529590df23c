//! The parser on whole interchanges: the reference's illustrative message,
//! builder-written variants, and every kind of bad input.

use accord_paxlst::builder::{LegSpec, ManifestBuilder, MessageSpec, TravellerSpec, generated};
use accord_paxlst::{
    Count, ErrorKind, Gender, Limits, ListKind, ParseError, Separators, TravellerKind, parse,
    parse_with,
};

fn reference_example() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/reference_example.edi"
    );
    std::fs::read_to_string(path).expect("fixture")
}

fn fails(input: &str) -> ParseError {
    match parse(input.as_bytes()) {
        Ok(p) => panic!("parsed, expected an error: {:?}", p.manifest),
        Err(e) => e,
    }
}

#[test]
fn the_reference_example_reads_completely() {
    let parsed = parse(reference_example().as_bytes()).unwrap();
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    let m = &parsed.manifest;
    assert_eq!(m.interchange.syntax, "UNOA");
    assert_eq!(m.interchange.sender, "EXAMPLEAIR");
    assert_eq!(m.interchange.control_reference, "000000017");
    assert_eq!(m.interchange.groups, 1);
    assert_eq!(
        m.interchange.prepared.unwrap().to_string(),
        "2026-01-15T09:10"
    );
    assert_eq!(m.messages.len(), 1);
    let msg = &m.messages[0];
    assert_eq!(msg.reference, "PX0017");
    assert_eq!(msg.version, "D:05B");
    assert_eq!(msg.kind, ListKind::Passengers);
    assert_eq!(msg.transaction_reference.as_deref(), Some("XA123150126"));
    assert_eq!(msg.reporting_party.as_deref(), Some("OPERATIONS DESK"));
    assert_eq!(msg.flight.number, "XA123");
    assert_eq!(msg.flight.carrier.as_deref(), Some("XA"));
    assert_eq!(msg.flight.legs.len(), 1);
    let leg = &msg.flight.legs[0];
    assert_eq!(
        (leg.departure.as_str(), leg.arrival.as_str()),
        ("IST", "NQZ")
    );
    assert_eq!(leg.departure_time.unwrap().to_string(), "2026-01-15T14:00");
    assert_eq!(leg.arrival_time.unwrap().to_string(), "2026-01-15T21:05");

    let [a, b] = &msg.travellers[..] else {
        panic!("two travellers expected")
    };
    assert_eq!(a.number, 1);
    assert_eq!(a.kind, TravellerKind::Passenger);
    assert_eq!(a.surname, "EXAMPLOV");
    assert_eq!(a.given.as_deref(), Some("ARMAN"));
    assert_eq!(a.middle.as_deref(), Some("BOLATULY"));
    assert_eq!(a.full_name(), "ARMAN BOLATULY EXAMPLOV");
    assert_eq!(a.gender, Some(Gender::Male));
    assert_eq!(a.birth_date.unwrap().to_string(), "1991-03-04");
    assert_eq!(a.nationality.as_deref(), Some("KAZ"));
    assert_eq!(a.embarkation.as_deref(), Some("IST"));
    assert_eq!(a.debarkation.as_deref(), Some("NQZ"));
    assert_eq!(a.references[0].qualifier, "AVF");
    assert_eq!(a.references[0].value, "QW12ER");
    assert_eq!(a.documents.len(), 1);
    assert_eq!(a.documents[0].kind, "P");
    assert_eq!(a.documents[0].number, "N00000001");
    assert_eq!(a.documents[0].expiry.unwrap().to_string(), "2030-01-01");
    assert_eq!(a.documents[0].issuing_country.as_deref(), Some("KAZ"));

    assert_eq!(b.number, 2);
    assert_eq!(b.surname, "O'SAMPLE");
    assert_eq!(b.full_name(), "MARY O'SAMPLE");
    assert_eq!(b.birth_date.unwrap().to_string(), "2002-06-11");
    assert_eq!(b.documents[0].expiry.unwrap().to_string(), "2029-09-30");
}

#[test]
fn the_builder_example_is_the_reference_example_in_substance() {
    let built = parse(ManifestBuilder::example().build().as_bytes()).unwrap();
    let reference = parse(reference_example().as_bytes()).unwrap();
    let (a, b) = (&built.manifest.messages[0], &reference.manifest.messages[0]);
    assert_eq!(a.travellers, b.travellers);
    assert_eq!(a.flight, b.flight);
}

#[test]
fn custom_separators_without_line_breaks_and_without_groups() {
    let mut b = ManifestBuilder::example();
    b.separators = Separators {
        component: b'|',
        element: b'*',
        decimal: b',',
        release: Some(b'\\'),
        terminator: b'~',
    };
    b.line_breaks = false;
    b.group = false;
    // Data holding every separator is released and read back.
    b.messages[0].travellers[0].surname = "A*B|C~D\\E".into();
    let edi = b.build();
    assert!(edi.starts_with("UNA|*,\\ ~UNB*UNOA|4*"), "{edi}");
    let p = parse(edi.as_bytes()).unwrap();
    assert_eq!(p.separators.element, b'*');
    assert_eq!(p.manifest.interchange.groups, 0);
    assert_eq!(p.manifest.messages[0].travellers[0].surname, "A*B|C~D\\E");
    assert_eq!(p.manifest.messages[0].travellers[1].surname, "O'SAMPLE");
}

#[test]
fn without_una_the_default_separators_apply() {
    let mut b = ManifestBuilder::example();
    b.una = false;
    let edi = b.build();
    assert!(edi.starts_with("UNB+"));
    assert_eq!(
        parse(edi.as_bytes()).unwrap().manifest.messages[0]
            .travellers
            .len(),
        2
    );
}

#[test]
fn a_crew_message_and_a_passenger_message_with_several_legs() {
    let legs = vec![
        LegSpec::new("FRA", "2601150800", "IST", "2601151200"),
        LegSpec::new("IST", "2601151400", "NQZ", "2601152105"),
    ];
    let crew = MessageSpec::new("CR0001", ListKind::Crew, "XA123", legs.clone())
        .traveller(
            TravellerSpec::crew("PILOTOVA", "ANNA")
                .gender("F")
                .born("800101"),
        )
        .traveller(TravellerSpec::crew("STEWARD", "").born("991231"));
    let pax = MessageSpec::new("PX0001", ListKind::Passengers, "XA123", legs)
        .traveller(TravellerSpec::passenger("DOE", "JOHN").born("500101"));
    let edi = ManifestBuilder::default()
        .message(crew)
        .message(pax)
        .build();
    let p = parse(edi.as_bytes()).unwrap();
    let [c, x] = &p.manifest.messages[..] else {
        panic!("two messages")
    };
    assert_eq!(c.kind, ListKind::Crew);
    assert_eq!(c.travellers[0].kind, TravellerKind::Crew);
    assert_eq!(c.travellers[1].given, None);
    assert_eq!(c.travellers[1].full_name(), "STEWARD");
    assert_eq!(
        c.travellers[1].birth_date.unwrap().to_string(),
        "1999-12-31"
    );
    let legs: Vec<_> = x
        .flight
        .legs
        .iter()
        .map(|l| format!("{}-{}", l.departure, l.arrival))
        .collect();
    assert_eq!(legs, ["FRA-IST", "IST-NQZ"]);
    assert_eq!(x.flight.date().unwrap().to_string(), "2026-01-15");
    assert_eq!(
        x.travellers[0].birth_date.unwrap().to_string(),
        "1950-01-01"
    );
}

#[test]
fn routing_points_make_consecutive_legs() {
    let edi = reference_example().replace(
        "LOC+87+NQZ'\nDTM+232:2601152105:201'\n",
        "LOC+92+ALA'\nDTM+232:2601151900:201'\nDTM+189:2601152000:201'\nLOC+87+NQZ'\nDTM+232:2601152105:201'\nLOC+130+NQZ'\n",
    );
    let edi = edi.replace("UNT+31+", "UNT+35+");
    let p = parse(edi.as_bytes()).unwrap();
    let f = &p.manifest.messages[0].flight;
    assert_eq!(f.legs.len(), 2);
    assert_eq!(f.legs[0].arrival, "ALA");
    assert_eq!(
        f.legs[0].arrival_time.unwrap().to_string(),
        "2026-01-15T19:00"
    );
    assert_eq!(f.legs[1].departure, "ALA");
    assert_eq!(
        f.legs[1].departure_time.unwrap().to_string(),
        "2026-01-15T20:00"
    );
    assert_eq!(f.final_destination.as_deref(), Some("NQZ"));
}

#[test]
fn real_file_habits_are_tolerated_with_warnings() {
    let edi = reference_example()
        .lines()
        .map(|l| format!("   {l}\r\n"))
        .collect::<String>();
    let edi = format!("\u{feff}{edi}\u{1a}garbage after the end");
    let p = parse(edi.as_bytes()).unwrap();
    assert_eq!(p.manifest.messages[0].travellers.len(), 2);
    let w: Vec<String> = p.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(w[0].contains("byte order mark"), "{w:?}");
    assert!(w[1].contains("after UNZ"), "{w:?}");
}

#[test]
fn segments_outside_the_subset_are_ignored_with_a_warning() {
    let edi = reference_example()
        .replace("NAT+2+IRL'", "NAT+2+IRL'\nXYZ+1'")
        .replace("UNT+31+", "UNT+32+");
    let p = parse(edi.as_bytes()).unwrap();
    assert_eq!(p.warnings.len(), 1);
    assert_eq!(p.warnings[0].tag.as_deref(), Some("XYZ"));
    assert_eq!(p.warnings[0].position.segment, 29);
}

#[test]
fn not_edifact_is_refused() {
    let e = fails("name,birth_date\nJOHN DOE,1970-01-01\n");
    assert!(matches!(*e.kind, ErrorKind::NotEdifact { .. }), "{e}");
    assert!(e.to_string().contains("not an EDIFACT interchange"), "{e}");
    assert!(matches!(*fails("").kind, ErrorKind::NotEdifact { .. }));
    let e = fails("UNA:+.? 'UNH+1+PAXLST:D:05B:UN:IATA'");
    assert!(matches!(*e.kind, ErrorKind::NotEdifact { .. }), "{e}");
}

#[test]
fn a_cut_file_says_where() {
    let full = reference_example();
    let cut = &full[..full.find("NAT+2+IRL").unwrap() + 5];
    let e = fails(cut);
    assert!(matches!(*e.kind, ErrorKind::Truncated { .. }), "{e}");
    assert_eq!(e.position.segment, 28);
    assert!(e.to_string().contains("in the middle of a segment"), "{e}");
    let cut = &full[..full.find("UNE+").unwrap()];
    let e = fails(cut);
    assert!(e.to_string().contains("before its UNE"), "{e}");
    let e = fails(&full[..5]);
    assert!(matches!(*e.kind, ErrorKind::Truncated { .. }), "{e}");
    let e = fails(&full[..15]);
    assert!(matches!(*e.kind, ErrorKind::Truncated { .. }), "{e}");
    assert_eq!(e.position.segment, 1);
}

#[test]
fn a_wrong_unt_count_is_reported_at_unt() {
    let e = fails(&reference_example().replace("UNT+31+", "UNT+30+"));
    assert_eq!(
        *e.kind,
        ErrorKind::CountMismatch {
            count: Count::MessageSegments,
            declared: 30,
            actual: 31
        }
    );
    assert_eq!(e.position.segment, 33);
    assert_eq!(e.tag.as_deref(), Some("UNT"));
    assert_eq!(
        e.to_string(),
        format!(
            "segment 33 (byte {}) UNT: UNT segment count says 30, but there are 31",
            e.position.offset
        )
    );
}

#[test]
fn other_control_counts_and_references_are_checked() {
    let ex = reference_example();
    let e = fails(&ex.replace("UNE+1+17", "UNE+2+17"));
    assert!(matches!(
        *e.kind,
        ErrorKind::CountMismatch {
            count: Count::GroupMessages,
            ..
        }
    ));
    let e = fails(&ex.replace("UNZ+1+", "UNZ+3+"));
    assert!(matches!(
        *e.kind,
        ErrorKind::CountMismatch {
            count: Count::InterchangeContent,
            ..
        }
    ));
    let e = fails(&ex.replace("CNT+42:2", "CNT+42:3"));
    assert!(matches!(
        *e.kind,
        ErrorKind::CountMismatch {
            count: Count::Passengers,
            declared: 3,
            actual: 2
        }
    ));
    assert_eq!(e.position.segment, 32);
    let e = fails(&ex.replace("UNT+31+PX0017", "UNT+31+PX0018"));
    assert!(
        matches!(*e.kind, ErrorKind::ReferenceMismatch { .. }),
        "{e}"
    );
    let e = fails(&ex.replace("UNZ+1+000000017", "UNZ+1+000000018"));
    assert!(
        matches!(*e.kind, ErrorKind::ReferenceMismatch { .. }),
        "{e}"
    );
    let e = fails(&ex.replace("UNT+31+", "UNT+X+"));
    assert!(matches!(*e.kind, ErrorKind::InvalidValue { .. }), "{e}");
}

#[test]
fn a_missing_name_segment_is_refused() {
    let ex = reference_example();
    // The second traveller's NAD removed: its data would fall to the first.
    let e = fails(
        &ex.replace("NAD+FL+++O?'SAMPLE:MARY'\n", "")
            .replace("UNT+31+", "UNT+30+"),
    );
    assert!(matches!(*e.kind, ErrorKind::Unexpected { .. }), "{e}");
    assert!(
        e.to_string().contains("second ATT+2 for traveller 1"),
        "{e}"
    );
    assert_eq!(e.position.segment, 23);
    // The first traveller's NAD removed: data outside any traveller.
    let e = fails(
        &ex.replace("NAD+FL+++EXAMPLOV:ARMAN:BOLATULY'\n", "")
            .replace("UNT+31+", "UNT+30+"),
    );
    assert!(e.to_string().contains("outside a traveller"), "{e}");
    assert_eq!(e.tag.as_deref(), Some("ATT"));
    // A NAD without a surname.
    let e = fails(&ex.replace("NAD+FL+++O?'SAMPLE:MARY'", "NAD+FL+++:MARY'"));
    assert!(matches!(*e.kind, ErrorKind::Missing { .. }), "{e}");
    assert!(e.to_string().contains("surname of traveller 2"), "{e}");
}

#[test]
fn a_flight_time_given_twice_is_refused() {
    let e = fails(&reference_example().replace(
        "DTM+189:2601151400:201'",
        "DTM+189:2601151400:201'\nDTM+189:2601151500:201'",
    ));
    assert!(e.to_string().contains("same place of the flight"), "{e}");
    assert_eq!(e.position.segment, 11);
}

#[test]
fn an_impossible_birth_date_is_refused() {
    let e = fails(&reference_example().replace("DTM+329:910304", "DTM+329:991332"));
    assert!(matches!(*e.kind, ErrorKind::InvalidDate { .. }), "{e}");
    assert_eq!(e.position.segment, 15);
    assert!(e.to_string().contains("\"991332\""), "{e}");
    assert!(e.to_string().contains("month 13"), "{e}");
}

#[test]
fn too_large_an_input_is_refused_before_reading() {
    let big = vec![b'U'; 100 * 1024 * 1024];
    let e = parse(&big).unwrap_err();
    assert!(matches!(*e.kind, ErrorKind::TooLarge { .. }), "{e}");
    let small = parse_with(reference_example().as_bytes(), &Limits { max_bytes: 100 }).unwrap_err();
    assert!(matches!(*small.kind, ErrorKind::TooLarge { max: 100, .. }));
}

#[test]
fn another_character_set_than_declared_is_refused() {
    let ex = reference_example();
    // Lower case under UNOA.
    let e = fails(&ex.replace("O?'SAMPLE:MARY", "O?'Sample:Mary"));
    assert!(matches!(*e.kind, ErrorKind::WrongCharset { .. }), "{e}");
    assert_eq!(e.position.segment, 23);
    // UTF-8 under UNOA, and UTF-8 declared as UNOC (ISO 8859-1).
    let utf8 = ex.replace("EXAMPLOV", "MÜLLER");
    assert!(matches!(*fails(&utf8).kind, ErrorKind::WrongCharset { .. }));
    let e = fails(&utf8.replace("UNOA:4", "UNOC:4"));
    assert!(e.to_string().contains("UTF-8, not ISO 8859-1"), "{e}");
    // The same as UNOW reads; as ISO 8859-1 bytes under UNOC too.
    let p = parse(utf8.replace("UNOA:4", "UNOW:4").as_bytes()).unwrap();
    assert_eq!(p.manifest.messages[0].travellers[0].surname, "MÜLLER");
    let latin1: Vec<u8> = utf8
        .replace("UNOA:4", "UNOC:4")
        .chars()
        .map(|c| c as u32 as u8)
        .collect();
    let p = parse(&latin1).unwrap();
    assert_eq!(p.manifest.messages[0].travellers[0].surname, "MÜLLER");
    // Latin-1 bytes declared UTF-8.
    let mut bad = latin1.clone();
    let at = bad.windows(4).position(|w| w == b"UNOC").unwrap();
    bad[at..at + 4].copy_from_slice(b"UNOW");
    assert!(matches!(
        *parse(&bad).unwrap_err().kind,
        ErrorKind::WrongCharset { .. }
    ));
    // In UNB itself, and after a release character.
    let e = fails(&ex.replace("+EXAMPLEAIR+", "+ExampleAir+"));
    assert_eq!(e.position.segment, 1);
    let e = fails(&ex.replace("O?'SAMPLE", "O?aSAMPLE"));
    assert_eq!(e.position.segment, 23);
    // An unknown syntax identifier.
    let e = fails(&ex.replace("UNOA:4", "UNOZ:4"));
    assert!(
        matches!(*e.kind, ErrorKind::UnsupportedCharset { .. }),
        "{e}"
    );
    assert_eq!(e.position.segment, 1);
}

#[test]
fn structure_errors_name_the_segment() {
    let ex = reference_example();
    let e = fails(&ex.replace("BGM+745", "BGM+999"));
    assert!(
        e.to_string().contains("745 (passengers) or 250 (crew)"),
        "{e}"
    );
    let e = fails(&ex.replace("PAXLST:D:05B:UN:IATA", "PNRGOV:D:05B:UN:IATA"));
    assert!(matches!(*e.kind, ErrorKind::NotPaxlst { .. }), "{e}");
    let e = fails(&ex.replace("ATT+2++F", "ATT+2++Q"));
    assert!(matches!(*e.kind, ErrorKind::InvalidValue { .. }), "{e}");
    let e = fails(&ex.replace("DOC+P+PA0000002", "DOC+P"));
    assert!(e.to_string().contains("document number"), "{e}");
    // A release character before the line break makes it data: not UNOA.
    let e = fails(&ex.replace("NAT+2+IRL'", "NAT+2+IRL'\n?"));
    assert!(matches!(*e.kind, ErrorKind::WrongCharset { .. }), "{e}");
    let e = fails(&ex.replace("NAT+2+IRL'", "NAT+2+IRL'\nN-A+1'"));
    assert!(matches!(*e.kind, ErrorKind::Unreadable { .. }), "{e}");
    assert_eq!(e.position.segment, 29);
}

#[test]
fn a_generated_manifest_round_trips() {
    let edi = ManifestBuilder::default()
        .message(generated("GEN1", 500))
        .build();
    let p = parse(edi.as_bytes()).unwrap();
    let m = &p.manifest.messages[0];
    assert_eq!(m.travellers.len(), 500);
    assert_eq!(m.flight.legs.len(), 2);
    for (i, t) in m.travellers.iter().enumerate() {
        assert_eq!(t.number as usize, i + 1);
        assert!(t.birth_date.unwrap() <= m.flight.date().unwrap());
        assert_eq!(t.documents[0].number, format!("N{:08}", 1000 + i));
    }
}
