//! UN consolidated list XML: real records from the fixture, and malformed inputs.

use accord_lists::{DateValue, EntrySchema, FormatError, NameKind, NameQuality, un};

const SAMPLE: &[u8] = include_bytes!("fixtures/un_sample.xml");

fn sample() -> accord_lists::List {
    un::parse(SAMPLE).expect("fixture parses")
}

fn entry<'a>(list: &'a accord_lists::List, reference: &str) -> &'a accord_lists::ListEntry {
    list.entries
        .iter()
        .find(|e| e.reference == reference)
        .unwrap_or_else(|| panic!("{reference} missing"))
}

#[test]
fn reads_individuals_and_entities() {
    let list = sample();
    assert_eq!(list.generated.as_deref(), Some("2026-02-27T00:00:09.554Z"));
    assert_eq!(list.entries.len(), 9);
    assert!(list.skipped.is_empty());
    let persons = list
        .entries
        .iter()
        .filter(|e| e.schema == EntrySchema::Person)
        .count();
    assert_eq!(persons, 7);
    let e = entry(&list, "CDi.002");
    assert_eq!(e.source_id.as_deref(), Some("6907994"));
    assert_eq!(e.primary_name(), Some("FRANK KAKOLELE BWAMBALE"));
    assert_eq!(
        e.name_parts.as_ref().unwrap().first.as_deref(),
        Some("FRANK KAKOLELE")
    );
    assert_eq!(e.designations, vec!["FARDC General"]);
    assert_eq!(e.programs, vec!["DRC"]);
    assert_eq!(e.listed_on.as_deref(), Some("2005-11-01"));
    assert_eq!(e.last_updated, vec!["2016-10-13"]);
    assert_eq!(
        e.names.iter().filter(|n| n.kind == NameKind::Alias).count(),
        3
    );
    assert_eq!(e.addresses[0].city.as_deref(), Some("Kinshasa"));
    assert_eq!(e.addresses[0].note.as_deref(), Some("as of June 2016"));
    assert!(e.birth_dates.is_empty());
    assert!(e.comments.as_deref().unwrap().starts_with("Left the CNDP"));
}

#[test]
fn every_kind_of_birth_date() {
    let list = sample();
    // EXACT with YEAR
    let d = &entry(&list, "CDi.001").birth_dates;
    assert_eq!(d[0].value, DateValue::Year { year: 1971 });
    assert!(!d[0].approximate);
    // EXACT with DATE, and APPROXIMATELY with YEAR
    let d = &entry(&list, "CDi.014").birth_dates;
    assert_eq!(
        d[0].value,
        DateValue::Exact {
            year: 1962,
            month: 3,
            day: 17
        }
    );
    assert_eq!(d[1].value, DateValue::Year { year: 1966 });
    assert!(d[1].approximate);
    assert!(d[1].original.contains("APPROXIMATELY"));
    // BETWEEN with FROM_YEAR / TO_YEAR
    let d = &entry(&list, "QDi.314").birth_dates;
    assert_eq!(
        d[0].value,
        DateValue::Range {
            from: 1977,
            to: 1982
        }
    );
    // Only a NOTE ("Nov. 1973")
    let d = &entry(&list, "CDi.004").birth_dates;
    assert_eq!(
        d[0].value,
        DateValue::YearMonth {
            year: 1973,
            month: 11
        }
    );
    // Alias DATE_OF_BIRTH counts too.
    let d = &entry(&list, "KPi.016").birth_dates;
    assert!(d.iter().any(|b| b.value
        == DateValue::Exact {
            year: 1958,
            month: 2,
            day: 22
        }));
}

#[test]
fn original_script_low_quality_and_former_names() {
    let list = sample();
    let e = entry(&list, "LYi.023");
    let arabic = e
        .names
        .iter()
        .find(|n| n.kind == NameKind::OriginalScript)
        .unwrap();
    assert_eq!(arabic.text, "احمد عمر امحمد الفيتوري");
    assert_eq!(arabic.script.as_deref(), Some("Arab"));
    assert_eq!(e.names[0].script.as_deref(), Some("Latn"));
    assert!(
        e.names
            .iter()
            .filter(|n| n.quality == NameQuality::Weak)
            .count()
            >= 5
    );
    assert!(!e.documents.is_empty());
    assert!(
        e.documents
            .iter()
            .any(|d| d.note.as_deref().unwrap_or("").contains("2015-09-29"))
    );

    let org = entry(&list, "QDe.014");
    assert_eq!(org.schema, EntrySchema::Organization);
    assert!(org.name_parts.is_none());
    assert_eq!(
        org.names
            .iter()
            .filter(|n| n.kind == NameKind::FormerName)
            .count(),
        2
    );
    assert!(org.names.iter().any(|n| n.kind == NameKind::OriginalScript));
}

#[test]
fn nameless_record_is_skipped_with_position() {
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST dateGenerated="2026-01-01">
  <INDIVIDUALS>
    <INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>A</FIRST_NAME><REFERENCE_NUMBER>QDi.1</REFERENCE_NUMBER></INDIVIDUAL>
    <INDIVIDUAL>
      <DATAID>6908555</DATAID><REFERENCE_NUMBER>QDi.2</REFERENCE_NUMBER>
      <INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/></INDIVIDUAL_ALIAS>
    </INDIVIDUAL>
  </INDIVIDUALS>
  <ENTITIES/>
</CONSOLIDATED_LIST>"#;
    let list = un::parse(xml.as_bytes()).unwrap();
    assert_eq!(list.entries.len(), 1);
    assert_eq!(list.skipped.len(), 1);
    let s = &list.skipped[0];
    assert!(
        s.position
            .starts_with("INDIVIDUAL #2 (DATAID 6908555) at line 5, column 5"),
        "{}",
        s.position
    );
    assert!(s.reason.contains("no name"));
}

#[test]
fn entities_and_char_refs_are_resolved() {
    let xml = "<CONSOLIDATED_LIST><ENTITIES><ENTITY><REFERENCE_NUMBER>X.1</REFERENCE_NUMBER>\
        <FIRST_NAME>A &amp; B &#x41;<![CDATA[<C>]]></FIRST_NAME></ENTITY></ENTITIES></CONSOLIDATED_LIST>";
    let list = un::parse(xml.as_bytes()).unwrap();
    assert_eq!(list.entries[0].primary_name(), Some("A & B A<C>"));
}

#[test]
fn truncated_document_is_rejected_with_position() {
    let cut = &SAMPLE[..SAMPLE.len() / 2];
    match un::parse(cut) {
        Err(FormatError::XmlTruncated { position, .. }) => assert!(position.line > 100),
        other => panic!("expected truncation error, got {other:?}"),
    }
    // Cut inside a tag.
    let cut = b"<CONSOLIDATED_LIST><INDIVIDUALS><INDIV";
    assert!(matches!(
        un::parse(cut),
        Err(FormatError::XmlTruncated { .. })
    ));
}

#[test]
fn deeply_nested_elements_in_a_record_are_refused_not_a_stack_overflow() {
    // Found by tests/fuzz_import.rs: 20 000 nested elements inside an
    // INDIVIDUAL overflowed the stack (the record's tree was dropped
    // recursively) and aborted the process.
    let n = 20_000;
    let xml = format!(
        "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>A</FIRST_NAME>{}{}</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>",
        "<A>".repeat(n),
        "</A>".repeat(n)
    );
    let err = un::parse(xml.as_bytes()).unwrap_err();
    let FormatError::Xml { position, message } = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains("nested"), "{message}");
    assert_eq!(position.line, 1);
    // Nesting as deep as the limit is still read.
    let depth = un::MAX_RECORD_DEPTH - 2; // INDIVIDUAL and FIRST_NAME's level
    let xml = format!(
        "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>A</FIRST_NAME><X>{}{}</X></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>",
        "<A>".repeat(depth),
        "</A>".repeat(depth)
    );
    let list = un::parse(xml.as_bytes()).unwrap();
    assert_eq!(list.entries.len(), 1);
}

#[test]
fn mismatched_tags_are_rejected_with_line_and_column() {
    let xml = "<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n  <INDIVIDUAL><FIRST_NAME>A</SECOND_NAME></INDIVIDUAL>\n</INDIVIDUALS></CONSOLIDATED_LIST>";
    let err = un::parse(xml.as_bytes()).unwrap_err();
    let FormatError::Xml { position, message } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(position.line, 3, "{err}");
    assert!(
        message.contains("SECOND_NAME") || message.contains("FIRST_NAME"),
        "{message}"
    );
    assert!(err.to_string().contains("line 3"));
}

#[test]
fn doctype_and_entities_are_refused() {
    let xml = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>
<CONSOLIDATED_LIST><INDIVIDUALS/><ENTITIES/></CONSOLIDATED_LIST>"#;
    let err = un::parse(xml.as_bytes()).unwrap_err();
    assert!(
        matches!(err, FormatError::DoctypeRefused { position } if position.line == 2),
        "{err:?}"
    );
    assert!(err.to_string().contains("refused"));

    let xxe = r#"<!DOCTYPE x SYSTEM "file:///etc/passwd"><CONSOLIDATED_LIST/>"#;
    assert!(matches!(
        un::parse(xxe.as_bytes()),
        Err(FormatError::DoctypeRefused { .. })
    ));

    let undeclared = "<CONSOLIDATED_LIST><ENTITIES><ENTITY><FIRST_NAME>&lol;</FIRST_NAME></ENTITY></ENTITIES></CONSOLIDATED_LIST>";
    assert!(matches!(
        un::parse(undeclared.as_bytes()),
        Err(FormatError::UndefinedEntity { ref name, .. }) if name == "lol"
    ));
}

#[test]
fn empty_wrong_root_and_bad_utf8() {
    assert!(matches!(un::parse(b""), Err(FormatError::Empty { .. })));
    assert!(matches!(
        un::parse(b"  \n "),
        Err(FormatError::Empty { .. })
    ));
    assert!(matches!(
        un::parse(b"<sdnList/>"),
        Err(FormatError::NotUnList { .. })
    ));
    assert!(matches!(
        un::parse(b"<?xml version=\"1.0\"?>"),
        Err(FormatError::NotUnList { .. })
    ));
    let bad = b"<CONSOLIDATED_LIST>\n<X>Jos\xe9</X></CONSOLIDATED_LIST>";
    let err = un::parse(bad).unwrap_err();
    assert!(
        matches!(err, FormatError::Xml { position, .. } if position.line == 2 && position.column == 7),
        "{err:?}"
    );
    // Text after the root element.
    assert!(un::parse(b"<CONSOLIDATED_LIST/>trailing").is_err());
    assert!(un::parse(b"<CONSOLIDATED_LIST/><CONSOLIDATED_LIST/>").is_err());
}

#[test]
fn same_file_twice_gives_an_empty_diff() {
    let a = sample();
    let b = un::read(SAMPLE).unwrap();
    assert!(accord_lists::diff(&a.entries, &b.entries).is_empty());
    let json = serde_json::to_string(&a).unwrap();
    let back: accord_lists::List = serde_json::from_str(&json).unwrap();
    assert_eq!(back, a);
}
