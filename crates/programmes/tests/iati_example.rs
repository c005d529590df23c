//! The IATI standard's own annotated 2.03 example (IATI/IATI-Extra-Documentation,
//! branch version-2.03, `en/activity-standard/activity-standard-example-annotated.xml`):
//! a third-party file with nearly every element of the standard. It passes
//! the schema; Accord reads what it models and says what it leaves out.

use accord_programmes::error::Code;
use accord_programmes::iati::*;
use accord_programmes::model::*;
use time::macros::datetime;

fn example() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/iati-standard-example-2.03.xml"
    ))
    .unwrap()
}

fn import(xml: &str) -> Result<Import, IatiError> {
    read_activities(
        xml.as_bytes(),
        &ImportContext::default(),
        datetime!(2025-01-01 0:00 UTC),
    )
}

#[test]
fn the_standards_example_passes_the_code_lists() {
    check_codes(example().as_bytes()).unwrap();
}

#[test]
fn the_standards_example_is_refused_for_its_broken_link_and_nothing_else() {
    // Its document links read "http:www.example.org/…" (no "//"): a link
    // nobody can follow. The whole file is refused, naming it.
    let IatiError::Invalid(e) = import(&example()).unwrap_err() else {
        panic!()
    };
    assert_eq!(e.problems.len(), 1, "{e}");
    assert_eq!(
        e.problems[0].field,
        "iati-activity[0].document-link[0].@url"
    );
    assert_eq!(e.problems[0].code, Code::Malformed);
}

#[test]
fn with_its_link_mended_and_a_dac_5_digit_sector_the_example_imports_with_notes() {
    let xml = example()
        .replace("url=\"http:www.", "url=\"http://www.")
        .replacen(
            "<sector vocabulary=\"2\" code=\"111\" percentage=\"50\" />",
            "<sector vocabulary=\"1\" code=\"11430\" percentage=\"100\" /><sector vocabulary=\"2\" code=\"111\" percentage=\"50\" />",
            1,
        );
    let out = import(&xml).unwrap();
    assert_eq!(out.created.len(), 1);
    let p = &out.created[0];
    assert_eq!(
        p.iati_identifier.as_ref().unwrap().as_str(),
        "AA-AAA-123456789-ABC123"
    );
    assert_eq!(p.title.get("fr"), Some("Titre de l'activité"));
    assert_eq!(p.title.narratives().len(), 3);
    assert_eq!(p.status, Status::Implementation);
    assert_eq!(p.countries.len(), 2);
    assert_eq!(p.participants.len(), 3);
    assert_eq!(
        p.participants[0].iati_ref.as_ref().unwrap().as_str(),
        "BB-BBB-123456789"
    );
    assert!(!p.budgets.is_empty());
    assert_eq!(p.budgets[0].value.currency.as_str(), "EUR");
    let notes = out.report.notes.join("\n");
    for expected in [
        "recipient-region is not imported",
        "vocabularies other than OECD DAC 5-digit",
        "age=adult",
    ] {
        assert!(
            notes.contains(expected),
            "missing note {expected:?} in:\n{notes}"
        );
    }
}
