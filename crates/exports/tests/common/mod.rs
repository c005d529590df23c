//! Shared test data: the UN sample as entries, plus hand-made Accord entries.
#![allow(dead_code)]

use accord_exports::{ExportVersion, Tlp};
use accord_lists::model::{
    Address, BirthDate, DateValue, EntryLink, EntryName, EntrySchema, IdentityDocument, ListEntry,
    NameKind,
};

pub const UN_SAMPLE: &[u8] = include_bytes!("../fixtures/un_sample.xml");

pub fn un_entries() -> Vec<ListEntry> {
    accord_lists::un::parse(UN_SAMPLE)
        .expect("UN sample parses")
        .entries
}

/// A small Accord-style list: a group, its leader and a sponsor linked to it,
/// a vessel, and text that needs escaping in every format.
pub fn accord_entries() -> Vec<ListEntry> {
    let mut group = ListEntry::new("ACC.e.001", EntrySchema::Organization);
    group.push_name(EntryName::new(
        "Example Front <&> \"Liberation\"",
        NameKind::Primary,
    ));
    group.push_name(EntryName::new("Jabhat al-Mithal", NameKind::Alias));
    group.push_name(EntryName::new("EF", NameKind::Alias).weak());
    group.push_name(EntryName::new("Old Front", NameKind::FormerName));
    group.push_name(EntryName::new("جبهة المثال", NameKind::OriginalScript));
    group.programs = vec!["Accord CVE".into()];
    group.listed_on = Some("2016-03-01".into());
    group.last_updated = vec!["2018-01-05".into()];
    group.addresses.push(Address {
        city: Some("Kabul".into()),
        country: Some("Afghanistan".into()),
        ..Address::default()
    });
    group.comments = Some("Operates across the region & beyond.".into());

    let mut leader = ListEntry::new("ACC.i.001", EntrySchema::Person);
    leader.push_name(EntryName::new("Abdul Example Rahman", NameKind::Primary));
    leader.push_name(EntryName::new("Abu Mithal", NameKind::Alias));
    leader.push_name(EntryName::new("Абдул Пример", NameKind::OriginalScript));
    leader.birth_dates.push(BirthDate {
        value: DateValue::Exact {
            year: 1975,
            month: 4,
            day: 9,
        },
        original: "1975-04-09".into(),
        approximate: false,
    });
    leader.birth_dates.push(BirthDate {
        value: DateValue::YearMonth {
            year: 1973,
            month: 11,
        },
        original: "Nov. 1973".into(),
        approximate: false,
    });
    leader
        .birth_places
        .push("Kunduz, Kunduz Province, Afghanistan".into());
    leader.nationalities = vec!["Afghanistan".into()];
    leader.documents.push(IdentityDocument {
        kind: "Passport".into(),
        number: "P1234567".into(),
        country: Some("Afghanistan".into()),
        note: None,
    });
    leader.programs = vec!["Accord CVE".into()];
    leader.listed_on = Some("2016-03-01".into());
    leader.push_extra("gender", "Male");
    leader.links.push(EntryLink {
        relation: "leader_of".into(),
        target_reference: Some("ACC.e.001".into()),
        target_name: None,
    });
    leader.links.push(EntryLink {
        relation: "member_of".into(),
        target_reference: Some("ACC.e.404".into()),
        target_name: Some("Not in this version".into()),
    });

    let mut sponsor = ListEntry::new("ACC.e.002", EntrySchema::Organization);
    sponsor.push_name(EntryName::new(
        "Example Charity Foundation",
        NameKind::Primary,
    ));
    sponsor.listed_on = Some("2017-07-07".into());
    sponsor.links.push(EntryLink {
        relation: "sponsor_of".into(),
        target_reference: Some("ACC.e.001".into()),
        target_name: None,
    });

    let mut vessel = ListEntry::new("ACC.v.001", EntrySchema::Vessel);
    vessel.push_name(EntryName::new("MV EXAMPLE STAR", NameKind::Primary));
    vessel.push_name(EntryName::new("EXAMPLE STAR I", NameKind::FormerName));

    vec![group, leader, sponsor, vessel]
}

/// A version of the Accord entries with summaries and one GREEN entry.
pub fn accord_version(entries: &[ListEntry]) -> ExportVersion<'_> {
    ExportVersion::new(
        "Accord common list",
        3,
        "2026-03-01T10:15:30.250+05:00",
        "Accord Secretariat (UNRCCA)",
        entries,
    )
    .with_summary(
        "ACC.e.001",
        "Listed for planning attacks & recruiting <minors>; see \"Statement of case\".",
    )
    .with_summary("ACC.i.001", "Leads Example Front.")
    .with_tlp("ACC.e.002", Tlp::Green)
}

pub fn un_version(entries: &[ListEntry]) -> ExportVersion<'_> {
    ExportVersion::new(
        "UN Security Council Consolidated List",
        1,
        "2026-02-27",
        "United Nations Security Council",
        entries,
    )
}

/// The Python of the peer tools' virtual environment (`scripts/test.sh`
/// creates it and sets `ACCORD_PEER_PYTHON`); `None` (skipped) without it,
/// except under CI.
pub fn peer_python() -> Option<String> {
    match std::env::var("ACCORD_PEER_PYTHON") {
        Ok(p) if !p.is_empty() => Some(p),
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "ACCORD_PEER_PYTHON is not set: CI must install the peer tools (scripts/test.sh)"
            );
            eprintln!("SKIPPED: the peer tools are not installed (scripts/test.sh setup)");
            None
        }
    }
}
