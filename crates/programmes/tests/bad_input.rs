//! Every bad input the issue names gets a clear error (a code, its
//! arguments and the field) and changes nothing: the functions take their
//! inputs by reference and return either a complete new value or an error.

use accord_core::Role;
use accord_programmes::csv::{CsvError, read_periods, read_programmes};
use accord_programmes::error::{Code, Invalid};
use accord_programmes::iati::{
    IatiError, ImportContext, MAX_IMPORT_BYTES, read_activities, read_activities_from,
};
use accord_programmes::model::*;
use accord_programmes::programme::{Programme, ProgrammeData};
use accord_programmes::rules::{self, PeriodRef};
use accord_programmes::sample;
use time::macros::{date, datetime};

fn refused(d: ProgrammeData) -> Invalid {
    Programme::new(d).expect_err("refused")
}

fn editor() -> accord_core::Principal {
    sample::member_user(2, "KAZ", Role::Contributor)
}

#[test]
fn sector_percentages_not_summing_to_100() {
    let mut d = sample::sample_data();
    d.sectors[0].percentage = Percent::parse("59.99").unwrap();
    let e = refused(d);
    let p = &e.problems[0];
    assert_eq!(
        (p.field.as_str(), p.code, p.get("sum")),
        ("sectors", Code::SectorsNotHundred, Some("99.99"))
    );
    assert_eq!(p.message(), "sector percentages add up to 99.99, not 100");
}

#[test]
fn an_end_before_the_start() {
    let mut d = sample::sample_data();
    d.dates.planned_end = date!(2023 - 06 - 30);
    let e = refused(d);
    let p = e
        .problems
        .iter()
        .find(|p| p.code == Code::EndBeforeStart)
        .unwrap();
    assert_eq!(p.field, "dates.planned_end");
    assert_eq!(
        (p.get("start"), p.get("end")),
        (Some("2024-01-01"), Some("2023-06-30"))
    );
}

#[test]
fn a_target_for_a_period_outside_the_programme() {
    let p = sample::sample();
    let before = p.clone();
    let e = rules::add_period(
        &p,
        &editor(),
        0,
        1,
        date!(2026 - 01 - 01),
        date!(2026 - 12 - 31),
        Some(Measured::number(10.0)),
    )
    .unwrap_err();
    let accord_programmes::error::ProgrammeError::Invalid(inv) = e else {
        panic!()
    };
    assert!(
        inv.has(
            Code::OutsideProgramme,
            Some("results[0].indicators[1].periods[1].start")
        ),
        "{inv}"
    );
    assert_eq!(p, before, "nothing changed");
}

#[test]
fn negative_participant_counts() {
    let p = sample::sample();
    let at = PeriodRef {
        result: 1,
        indicator: 0,
        period: 0,
    };
    let e = rules::edit_period(&p, &editor(), at, None, Some(Measured::number(-1.0))).unwrap_err();
    let accord_programmes::error::ProgrammeError::Invalid(inv) = e else {
        panic!()
    };
    assert!(
        inv.has(
            Code::Negative,
            Some("results[1].indicators[0].periods[0].actual.value")
        ),
        "{inv}"
    );
}

#[test]
fn a_disaggregation_whose_parts_exceed_its_total() {
    let p = sample::sample();
    let at = PeriodRef {
        result: 1,
        indicator: 0,
        period: 0,
    };
    let actual = Measured {
        value: Some(30.0),
        comment: Text::default(),
        parts: vec![
            Part {
                sex: None,
                age: Some(AgeBand::parse("18-24").unwrap()),
                value: 20.0,
            },
            Part {
                sex: None,
                age: Some(AgeBand::parse("25-34").unwrap()),
                value: 15.0,
            },
        ],
    };
    let e = rules::edit_period(&p, &editor(), at, None, Some(actual)).unwrap_err();
    let accord_programmes::error::ProgrammeError::Invalid(inv) = e else {
        panic!()
    };
    let pr = inv
        .problems
        .iter()
        .find(|p| p.code == Code::PartsExceedTotal)
        .unwrap();
    assert_eq!(
        (pr.get("dimension"), pr.get("sum"), pr.get("total")),
        (Some("age"), Some("35"), Some("30"))
    );
}

#[test]
fn an_unknown_code() {
    assert_eq!(
        SectorCode::parse("15999").unwrap_err().code,
        Code::UnknownCode
    );
    assert_eq!(
        CountryCode::parse("QQ").unwrap_err().get("list"),
        Some("Country")
    );
    assert_eq!("7".parse::<Status>().unwrap_err().code, Code::UnknownCode);
    // Through JSON, the same checks run.
    let mut v = serde_json::to_value(sample::sample()).unwrap();
    v["status"] = "paused".into();
    assert!(serde_json::from_value::<Programme>(v).is_err());
}

#[test]
fn a_transaction_in_an_unknown_currency() {
    let e = Currency::parse("BTC").unwrap_err();
    assert_eq!(
        (e.code, e.get("currency")),
        (Code::UnknownCurrency, Some("BTC"))
    );
    let mut v = serde_json::to_value(sample::sample()).unwrap();
    v["transactions"][0]["value"]["currency"] = "XBT".into();
    let e = serde_json::from_value::<Programme>(v)
        .unwrap_err()
        .to_string();
    assert!(e.contains("ISO 4217"), "{e}");
}

#[test]
fn an_iati_file_that_fails_the_schema() {
    let xml = br#"<iati-activities version="2.03"><iati-activity><iati-identifier>X-1</iati-identifier></iati-activity></iati-activities>"#;
    let IatiError::Invalid(inv) = read_activities(
        xml,
        &ImportContext::default(),
        datetime!(2025-01-01 0:00 UTC),
    )
    .unwrap_err() else {
        panic!()
    };
    for f in [
        "reporting-org",
        "title",
        "description",
        "participating-org",
        "activity-status",
        "activity-date",
    ] {
        assert!(
            inv.has(Code::Required, Some(&format!("iati-activity[0].{f}"))),
            "{f}: {inv}"
        );
    }
}

#[test]
fn an_iati_file_of_200_mb() {
    use std::io::Read;
    let e = read_activities_from(
        std::io::repeat(b'<').take(200 << 20),
        MAX_IMPORT_BYTES,
        &ImportContext::default(),
        datetime!(2025-01-01 0:00 UTC),
    )
    .unwrap_err();
    assert!(matches!(e, IatiError::TooLarge { .. }));
    assert!(e.to_string().contains("at most 33554432"), "{e}");
}

#[test]
fn csv_imports_are_all_or_nothing() {
    let p = sample::sample();
    let good = accord_programmes::csv::programmes_csv(std::slice::from_ref(&p));
    let bad = good.replace(",implementation,", ",paused,");
    let CsvError::Invalid(e) =
        read_programmes(bad.as_bytes(), std::slice::from_ref(&p), &editor()).unwrap_err()
    else {
        panic!()
    };
    assert!(e.has(Code::UnknownCode, Some("row[1].status")), "{e}");
    let periods = accord_programmes::csv::periods_csv(std::slice::from_ref(&p)).replace(
        "2025-01-01,2025-12-31,40,,31,",
        "2025-12-31,2025-01-01,40,,31,",
    );
    let CsvError::Invalid(e) =
        read_periods(periods.as_bytes(), std::slice::from_ref(&p), &editor()).unwrap_err()
    else {
        panic!()
    };
    assert!(e.has(Code::EndBeforeStart, None), "{e}");
}
