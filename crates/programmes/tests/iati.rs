//! IATI 2.03 writer and reader, checked against the real schema with
//! xmllint (offline: the XSDs are in tests/fixtures/iati-schema) and against
//! the code lists.

use std::io::Read;
use std::path::PathBuf;
use std::process::Command;

use accord_programmes::error::Code;
use accord_programmes::iati::*;
use accord_programmes::model::*;
use accord_programmes::programme::Programme;
use accord_programmes::sample;
use time::OffsetDateTime;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2025-06-01 09:00 UTC);

fn config() -> IatiConfig {
    IatiConfig {
        reporting_org: OrgRef::parse("XM-ACCORD").unwrap(),
        reporting_org_type: OrgType::parse("40").unwrap(),
        reporting_org_name: Text::parse(
            &[("en", "Accord secretariat"), ("ru", "Секретариат Accord")],
            200,
        )
        .unwrap(),
    }
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Runs xmllint against the IATI schema. `None` when xmllint is absent
/// outside CI (the caller then skips with a message); with CI=true a
/// missing xmllint fails the test.
fn xmllint(xml: &str, name: &str) -> Option<Result<(), String>> {
    let present = Command::new("xmllint").arg("--version").output().is_ok();
    if !present {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!(
                "xmllint is required in CI (Debian package libxml2-utils, in scripts/test.sh APT_PACKAGES)"
            );
        }
        eprintln!(
            "SKIPPED: xmllint is not installed (apt-get install libxml2-utils); the schema check did not run"
        );
        return None;
    }
    let path = std::env::temp_dir().join(format!(
        "accord-programmes-{}-{name}.xml",
        std::process::id()
    ));
    std::fs::write(&path, xml).unwrap();
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--nonet")
        .arg("--schema")
        .arg(fixture("iati-schema/iati-activities-schema.xsd"))
        .arg(&path)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&path);
    Some(if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    })
}

fn export(ps: &[Programme]) -> IatiExport {
    let items: Vec<(&Programme, OffsetDateTime)> = ps.iter().map(|p| (p, NOW)).collect();
    write_activities(&items, &config(), NOW).unwrap()
}

/// A second publishable programme with several countries and a Russian-only description.
fn second() -> Programme {
    let mut d = sample::publishable().into_data();
    d.id = ProgrammeId::parse("reg-training-2024").unwrap();
    d.kind = ProgrammeKind::PublicServantTraining;
    d.countries.push(RecipientCountry {
        code: CountryCode::parse("KG").unwrap(),
        regions: vec![],
    });
    d.countries.push(RecipientCountry {
        code: CountryCode::parse("TJ").unwrap(),
        regions: vec!["Sughd".into()],
    });
    d.description = Text::single(
        "ru",
        "Обучение госслужащих <правам человека> & верховенству закона",
        1000,
    )
    .unwrap();
    // The features the first one lacks: an actual end, a closed status,
    // descriptions of results and indicators, a revised indicative budget,
    // incoming funds and a commitment, a descending indicator.
    d.status = Status::Closed;
    d.dates.actual_end = Some(time::macros::date!(2025 - 12 - 20));
    d.results[0].description =
        Text::single("en", "Counted at intake & at completion", 500).unwrap();
    d.results[0].indicators[0].description = Text::single("en", "People, not places", 500).unwrap();
    d.results[1].indicators[1].ascending = false;
    let mut b = d.budgets[0].clone();
    b.start = time::macros::date!(2025 - 01 - 01);
    b.end = time::macros::date!(2025 - 12 - 31);
    b.status = BudgetStatus::Indicative;
    b.kind = BudgetKind::Revised;
    d.budgets.push(b);
    let mut t = d.transactions[0].clone();
    t.kind = TransactionKind::IncomingFunds;
    d.transactions.push(t.clone());
    t.kind = TransactionKind::Commitment;
    t.reference = None;
    d.transactions.push(t);
    Programme::new(d).unwrap()
}

#[test]
fn the_schema_fixture_itself_is_usable() {
    // The schema's own should-pass example has placeholder values ("xx")
    // that xmllint accepts as strings: this pins the offline setup.
    let xml = std::fs::read_to_string(fixture("minimal-doc.xml")).unwrap();
    if let Some(r) = xmllint(&xml, "minimal") {
        r.unwrap();
    }
}

#[test]
fn a_document_with_every_feature_is_valid_against_the_iati_schema_and_code_lists() {
    let out = export(&[sample::publishable(), second()]);
    if let Some(r) = xmllint(&out.xml, "every-feature") {
        r.unwrap_or_else(|e| panic!("xmllint refused the document:\n{e}\n{}", out.xml));
    }
    check_codes(out.xml.as_bytes()).unwrap();
    for needle in [
        r#"<iati-activities version="2.03""#,
        "<iati-identifier>XM-ACCORD-kaz-prison-2024</iati-identifier>",
        r#"<reporting-org ref="XM-ACCORD" type="40">"#,
        r#"<narrative xml:lang="ru">Реабилитация"#,
        r#"<sector vocabulary="1" code="15137" percentage="60"/>"#,
        r#"<recipient-country code="KG" percentage="33.33"/>"#,
        r#"<recipient-country code="KZ" percentage="33.34"/>"#,
        r#"<tag vocabulary="99" code="commitment.astana2015.step.6">"#,
        r#"<tag vocabulary="99" code="kind.prison_rehabilitation">"#,
        r#"<value currency="KZT" value-date="2024-09-30">30000000</value>"#,
        r#"<actual value="20"><dimension name="sex" value="female"/></actual>"#,
        r#"<dimension name="age" value="25-34"/>"#,
        r#"<reference vocabulary="99" code="offenders_enrolled"/>"#,
        "&lt;правам человека&gt; &amp;",
        r#"<activity-date type="4" iso-date="2025-12-20"/>"#,
        r#"<budget type="2" status="1">"#,
        r#"<transaction-type code="1"/>"#,
        r#"<transaction-type code="2"/>"#,
        r#"<indicator measure="2" ascending="0">"#,
        r#"<indicator measure="5" ascending="1">"#,
        "Counted at intake &amp; at completion",
    ] {
        assert!(out.xml.contains(needle), "missing {needle}");
    }
    assert_eq!(out.published.len(), 2);
    assert_eq!(out.published[0].1.as_str(), "XM-ACCORD-kaz-prison-2024");
}

#[test]
fn only_flagged_clear_programmes_and_submitted_periods_are_exported() {
    let out = export(&[sample::sample(), sample::publishable()]);
    assert_eq!(out.published.len(), 1);
    assert_eq!(out.xml.matches("<iati-activity ").count(), 1);
    // The draft period (reintegrated after 12 months, 2025) stays out.
    assert!(!out.xml.contains("2025-01-01\"/><period-end"));
    assert!(!out.xml.contains(
        "offenders_reintegrated_12m\"/><baseline year=\"2023\" value=\"0\"></baseline><period>"
    ));
    let items = [(&sample::sample(), NOW)];
    let e = write_activities(&items, &config(), NOW).unwrap_err();
    assert!(e.has(Code::Required, Some("programmes")));
}

#[test]
fn what_is_written_reads_back_as_the_same_programme() {
    let p = sample::publishable();
    let out = export(std::slice::from_ref(&p));
    let import = read_activities(out.xml.as_bytes(), &ImportContext::default(), NOW).unwrap();
    assert_eq!(import.created.len(), 1);
    let back = &import.created[0];
    assert_eq!(
        back.iati_identifier.as_ref().unwrap().as_str(),
        "XM-ACCORD-kaz-prison-2024"
    );
    assert_eq!(back.title, p.title);
    assert_eq!(back.description, p.description);
    assert_eq!(back.kind, p.kind);
    assert_eq!(back.status, p.status);
    assert_eq!(back.dates, p.dates);
    assert_eq!(back.countries, p.countries);
    assert_eq!(back.sectors, p.sectors);
    assert_eq!(back.commitments, p.commitments);
    assert_eq!(back.budgets, p.budgets);
    assert_eq!(back.transactions, p.transactions);
    assert_eq!(back.documents, p.documents);
    // Results: the submitted periods, with their parts.
    let enrolled = &back.results[0].indicators[0];
    assert_eq!(
        enrolled.periods[0].actual,
        p.results[0].indicators[0].periods[0].actual
    );
    assert!(enrolled.counts_people);
    assert_eq!(
        back.results[1].indicators[0].periods.len(),
        0,
        "the draft period was not published"
    );
    assert_eq!(
        back.results[2].indicators[0].periods[0].actual,
        p.results[2].indicators[0].periods[0].actual
    );
    // Members are linked only through a known IATI identifier.
    assert!(back.members().is_empty());
    // A donor's activity is public and is not republished.
    assert_eq!(back.tlp, accord_core::tlp::Tlp::Clear);
    assert!(!back.publish_iati);
}

#[test]
fn a_second_import_updates_or_skips_and_reports_it() {
    let out = export(&[sample::publishable(), second()]);
    let first = read_activities(out.xml.as_bytes(), &ImportContext::default(), NOW).unwrap();
    assert_eq!(first.report.created.len(), 2);
    let existing = first.created.clone();
    let ctx = ImportContext {
        existing: &existing,
        ..Default::default()
    };
    let again = read_activities(out.xml.as_bytes(), &ctx, datetime!(2025-07-01 0:00 UTC)).unwrap();
    assert_eq!(again.report.skipped.len(), 2, "{:?}", again.report);
    assert!(again.created.is_empty() && again.updated.is_empty());

    let changed = out
        .xml
        .replace("Programme document", "Programme document, revised");
    let upd = read_activities(changed.as_bytes(), &ctx, NOW).unwrap();
    assert_eq!(upd.report.updated.len(), 2);
    assert_eq!(upd.updated[0].id, existing[0].id);
}

#[test]
fn one_bad_activity_refuses_the_whole_file_naming_every_problem() {
    let out = export(&[sample::publishable(), second()]);
    // The second activity gets an unknown sector and an unknown currency.
    let cut = out.xml.rfind("<iati-activity ").unwrap();
    let (head, tail) = out.xml.split_at(cut);
    let tail = tail
        .replacen(r#"code="15137""#, r#"code="99999""#, 1)
        .replacen(r#"currency="EUR""#, r#"currency="EUX""#, 1)
        .replacen(r#"currency="KZT""#, r#"currency="KZX""#, 1);
    let bad = format!("{head}{tail}");
    let e = read_activities(bad.as_bytes(), &ImportContext::default(), NOW).unwrap_err();
    let IatiError::Invalid(inv) = &e else {
        panic!("{e}")
    };
    assert!(
        inv.has(Code::UnknownCode, Some("iati-activity[1].sector[0].@code")),
        "{inv}"
    );
    assert!(
        inv.has(
            Code::UnknownCurrency,
            Some("iati-activity[1].budget[0].value.@currency")
        ),
        "{inv}"
    );
    assert!(
        inv.has(
            Code::UnknownCurrency,
            Some("iati-activity[1].transaction[1].value.@currency")
        ),
        "{inv}"
    );
    // check_codes finds the same with element paths.
    let IatiError::Invalid(codes) = check_codes(bad.as_bytes()).unwrap_err() else {
        panic!()
    };
    assert!(
        codes
            .problems
            .iter()
            .any(|p| p.field.contains("iati-activity[1]/sector[0]/@code")),
        "{codes}"
    );
}

#[test]
fn a_file_that_fails_the_schema_is_refused_by_xmllint_and_by_the_reader() {
    let out = export(&[sample::publishable()]);
    // Drop the required activity-status and title.
    let bad = out
        .xml
        .replace(r#"<activity-status code="2"/>"#, "")
        .replacen(
            "<title><narrative xml:lang=\"en\">Rehabilitation",
            "<x><narrative xml:lang=\"en\">Rehabilitation",
            1,
        )
        .replacen("</narrative></title>", "</narrative></x>", 1);
    if let Some(r) = xmllint(&bad, "bad") {
        assert!(r.is_err(), "xmllint should refuse it");
    }
    let IatiError::Invalid(inv) =
        read_activities(bad.as_bytes(), &ImportContext::default(), NOW).unwrap_err()
    else {
        panic!()
    };
    assert!(
        inv.has(Code::Required, Some("iati-activity[0].activity-status")),
        "{inv}"
    );
    assert!(
        inv.has(Code::Required, Some("iati-activity[0].title")),
        "{inv}"
    );
}

#[test]
fn a_200_mb_file_is_refused_before_it_is_read_whole() {
    let huge = std::io::repeat(b' ').take(200 * 1024 * 1024);
    let e =
        read_activities_from(huge, MAX_IMPORT_BYTES, &ImportContext::default(), NOW).unwrap_err();
    assert_eq!(
        e,
        IatiError::TooLarge {
            size: MAX_IMPORT_BYTES + 1,
            limit: MAX_IMPORT_BYTES
        }
    );
    assert_eq!(e.code(), "too_large");
}

#[test]
fn hostile_or_foreign_xml_is_refused_with_a_clear_error() {
    let ctx = ImportContext::default();
    let doctype = br#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><iati-activities version="2.03"/>"#;
    assert_eq!(
        read_activities(doctype, &ctx, NOW).unwrap_err(),
        IatiError::Doctype
    );
    assert!(matches!(
        read_activities(b"<CONSOLIDATED_LIST/>", &ctx, NOW).unwrap_err(),
        IatiError::NotIati { .. }
    ));
    assert!(matches!(
        read_activities(br#"<iati-activities version="1.05"/>"#, &ctx, NOW).unwrap_err(),
        IatiError::Version { .. }
    ));
    assert!(matches!(
        read_activities(
            b"<iati-activities version=\"2.03\"><iati-activity>",
            &ctx,
            NOW
        )
        .unwrap_err(),
        IatiError::Xml { .. }
    ));
    assert!(matches!(
        read_activities(&[0xff, 0xfe], &ctx, NOW).unwrap_err(),
        IatiError::NotUtf8 { .. }
    ));
    let deep = format!("<iati-activities version=\"2.03\">{}", "<a>".repeat(100));
    assert_eq!(
        read_activities(deep.as_bytes(), &ctx, NOW).unwrap_err(),
        IatiError::TooDeep
    );
}

#[test]
fn a_programme_rule_broken_in_a_file_is_named_by_its_iati_elements() {
    let out = export(&[sample::publishable()]);
    let bad = out.xml.replace(r#"code="15210" percentage="40""#, r#"code="15210" percentage="30""#).replacen(
        r#"<period-start iso-date="2024-01-01"/><period-end iso-date="2024-12-31"/><target value="100">"#,
        r#"<period-start iso-date="2027-01-01"/><period-end iso-date="2027-12-31"/><target value="100">"#,
        1,
    );
    let IatiError::Invalid(inv) =
        read_activities(bad.as_bytes(), &ImportContext::default(), NOW).unwrap_err()
    else {
        panic!()
    };
    assert!(
        inv.has(Code::SectorsNotHundred, Some("iati-activity[0].sector")),
        "{inv}"
    );
    assert!(
        inv.has(
            Code::OutsideProgramme,
            Some("iati-activity[0].result[0].indicator[1].period[0].start")
        ),
        "{inv}"
    );
}

#[test]
fn a_members_iati_identifier_links_the_participant_to_the_member() {
    let out = export(&[sample::publishable()]);
    let mut ctx = ImportContext::default();
    ctx.members_by_ref.insert(
        OrgRef::parse("XI-IATI-EC_NEAR").unwrap(),
        accord_core::MemberCode::parse("EU").unwrap(),
    );
    let import = read_activities(out.xml.as_bytes(), &ctx, NOW).unwrap();
    assert_eq!(
        import.created[0].members(),
        vec![accord_core::MemberCode::parse("EU").unwrap()]
    );
}

#[test]
fn what_accord_does_not_model_is_noted_not_dropped_silently() {
    let out = export(&[sample::publishable()]);
    let xml = out.xml.replacen(
        "<transaction ref=\"T-1\"><transaction-type code=\"3\"/>",
        "<transaction ref=\"T-1\"><transaction-type code=\"5\"/>",
        1,
    );
    // A numeric target without a value (IATI allows it) is left out and noted too.
    let xml = xml.replacen(
        r#"<target value="150"></target>"#,
        "<target><comment><narrative>to be agreed</narrative></comment></target>",
        1,
    );
    let import = read_activities(xml.as_bytes(), &ImportContext::default(), NOW).unwrap();
    assert_eq!(
        import.created[0].results[0].indicators[0].periods[0].target,
        None
    );
    assert!(
        import
            .report
            .notes
            .iter()
            .any(|n| n.contains("a target without a value")),
        "{:?}",
        import.report.notes
    );
    assert_eq!(import.created[0].transactions.len(), 1);
    assert!(
        import
            .report
            .notes
            .iter()
            .any(|n| n.contains("Interest Payment")),
        "{:?}",
        import.report.notes
    );
}

#[test]
fn escaped_text_and_its_spaces_read_back_exactly() {
    let p = second();
    let out = export(std::slice::from_ref(&p));
    let import = read_activities(out.xml.as_bytes(), &ImportContext::default(), NOW).unwrap();
    assert_eq!(import.created[0].description, p.description);
    assert_eq!(import.created[0].countries, p.countries);
}

#[test]
fn a_donors_activity_cannot_be_republished_under_the_secretariat() {
    let out = export(&[sample::publishable()]);
    let other = IatiConfig {
        reporting_org: OrgRef::parse("XM-DONOR").unwrap(),
        ..config()
    };
    let items = [(&sample::publishable(), NOW)];
    let xml = write_activities(&items, &other, NOW).unwrap().xml;
    let imported = read_activities(xml.as_bytes(), &ImportContext::default(), NOW)
        .unwrap()
        .created;
    let mut d = imported[0].data().clone();
    d.publish_iati = true;
    let flagged = Programme::new(d).unwrap();
    let e = write_activities(&[(&flagged, NOW)], &config(), NOW).unwrap_err();
    assert!(
        e.has(Code::Malformed, Some("programmes[0].iati_identifier")),
        "{e}"
    );
    assert!(out.xml.contains("XM-ACCORD-kaz-prison-2024"));
}
