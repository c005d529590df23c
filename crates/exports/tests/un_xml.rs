//! The UN-structured XML export reads back with `accord_lists::un::parse`.

mod common;

use accord_exports::{ExportVersion, un_xml};
use accord_lists::model::{ListEntry, NameKind, NameQuality};

fn write(version: &ExportVersion<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    un_xml::write(version, &mut out).unwrap();
    out
}

fn names(e: &ListEntry) -> Vec<(String, NameKind, NameQuality)> {
    let mut v: Vec<_> = e
        .names
        .iter()
        .map(|n| (n.text.clone(), n.kind, n.quality))
        .collect();
    v.sort();
    v
}

#[test]
fn the_un_sample_round_trips_names_references_dates_and_aliases() {
    let entries = common::un_entries();
    assert_eq!(entries.len(), 9);
    let xml = write(&common::un_version(&entries));
    let back = accord_lists::un::parse(&xml).unwrap();
    assert!(back.skipped.is_empty(), "{:?}", back.skipped);
    assert_eq!(back.generated.as_deref(), Some("2026-02-27T00:00:00.000Z"));
    assert_eq!(back.entries.len(), entries.len());
    // Persons first, then entities: the UN order, as in the sample.
    for (a, b) in entries.iter().zip(&back.entries) {
        let r = &a.reference;
        assert_eq!(a.reference, b.reference);
        assert_eq!(a.source_id, b.source_id, "{r} DATAID");
        assert_eq!(a.schema, b.schema, "{r}");
        assert_eq!(a.primary_name(), b.primary_name(), "{r}");
        assert_eq!(a.name_parts, b.name_parts, "{r}");
        assert_eq!(
            names(a),
            names(b),
            "{r} names (aliases, quality, original script)"
        );
        assert_eq!(a.listed_on, b.listed_on, "{r}");
        assert_eq!(a.last_updated, b.last_updated, "{r}");
        let dates = |e: &ListEntry| {
            e.birth_dates
                .iter()
                .map(|d| (d.value, d.approximate))
                .collect::<Vec<_>>()
        };
        assert_eq!(dates(a), dates(b), "{r} birth dates");
        assert_eq!(a.birth_places, b.birth_places, "{r}");
        assert_eq!(a.nationalities, b.nationalities, "{r}");
        assert_eq!(a.title, b.title, "{r}");
        assert_eq!(a.designations, b.designations, "{r}");
        assert_eq!(a.programs, b.programs, "{r}");
        assert_eq!(a.addresses, b.addresses, "{r}");
        assert_eq!(a.comments, b.comments, "{r} (no summary given)");
        assert_eq!(a.extra.get("gender"), b.extra.get("gender"), "{r}");
        let docs = |e: &ListEntry| {
            e.documents
                .iter()
                .map(|d| (d.number.clone(), d.country.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(docs(a), docs(b), "{r} documents");
    }
}

#[test]
fn the_accord_list_round_trips_with_escaped_text_and_the_summary_in_comments() {
    let entries = common::accord_entries();
    let xml = write(&common::accord_version(&entries));
    let text = String::from_utf8(xml.clone()).unwrap();
    assert!(
        text.contains("Example Front &lt;&amp;&gt; &quot;Liberation&quot;")
            || text.contains("Example Front &lt;&amp;&gt; \"Liberation\"")
    );
    assert!(text.contains("dateGenerated=\"2026-03-01T05:15:30.250Z\""));
    assert!(text.contains("<VERSIONNUM>3</VERSIONNUM>"));
    assert!(
        text.contains("<LIST_TYPE>\n"),
        "LIST_TYPE has VALUE children"
    );
    let back = accord_lists::un::parse(&xml).unwrap();
    assert!(back.skipped.is_empty());
    let get = |r: &str| back.entries.iter().find(|e| e.reference == r).unwrap();
    let group = get("ACC.e.001");
    assert_eq!(
        group.primary_name(),
        Some("Example Front <&> \"Liberation\"")
    );
    // An entity's weak alias is an a.k.a. in the UN format (it has no `Low`
    // for entities), so it reads back as a strong alias.
    let mut expected = entries[0].clone();
    for n in &mut expected.names {
        n.quality = accord_lists::model::NameQuality::Strong;
    }
    assert_eq!(names(group), names(&expected));
    assert!(
        text.contains("<QUALITY>a.k.a.</QUALITY>\n        <ALIAS_NAME>EF</ALIAS_NAME>"),
        "{text}"
    );
    assert!(!text.contains("<ENTITY_ALIAS>\n        <QUALITY>Low"));
    assert_eq!(
        group.comments.as_deref(),
        Some(
            "Operates across the region & beyond. Reasons for listing: Listed for planning attacks & recruiting <minors>; see \"Statement of case\"."
        ),
        "comments, then the summary (the reader collapses whitespace)"
    );
    let leader = get("ACC.i.001");
    assert_eq!(names(leader), names(&entries[1]));
    assert_eq!(
        leader
            .birth_dates
            .iter()
            .map(|d| d.value)
            .collect::<Vec<_>>(),
        entries[1]
            .birth_dates
            .iter()
            .map(|d| d.value)
            .collect::<Vec<_>>()
    );
    assert_eq!(leader.birth_places, entries[1].birth_places);
    assert_eq!(leader.documents[0].number, "P1234567");
    assert_eq!(leader.documents[0].kind, "Passport");
    // A vessel has no UN kind of its own: it is written as an ENTITY.
    let vessel = get("ACC.v.001");
    assert_eq!(
        vessel.schema,
        accord_lists::model::EntrySchema::Organization
    );
    assert_eq!(names(vessel), names(&entries[3]));
}

#[test]
fn control_characters_are_dropped_and_the_xml_stays_well_formed() {
    let mut entries = common::accord_entries();
    entries[0].comments = Some("bad \u{1} byte \u{1b}[31m and ]]> end".into());
    let xml = write(&ExportVersion::new("L", 1, "2026-01-01", "P", &entries));
    let back = accord_lists::un::parse(&xml).unwrap();
    assert_eq!(
        back.entries[1].comments.as_deref(),
        Some("bad byte [31m and ]]> end")
    );
}

#[test]
fn the_same_version_gives_the_same_bytes() {
    let entries = common::accord_entries();
    assert_eq!(
        write(&common::accord_version(&entries)),
        write(&common::accord_version(&entries))
    );
}

#[test]
fn an_empty_version_is_an_empty_consolidated_list() {
    let xml = write(&ExportVersion::new("L", 1, "2026-01-01", "P", &[]));
    let back = accord_lists::un::parse(&xml).unwrap();
    assert!(back.entries.is_empty());
    assert_eq!(back.generated.as_deref(), Some("2026-01-01T00:00:00.000Z"));
}
