//! FollowTheMoney: reading the sample, writing valid entities, round trip.

use std::collections::{BTreeMap, BTreeSet};

use accord_lists::{
    DateValue, EntrySchema, FormatError, List, ListSource, NameKind, NameQuality, ftm, un,
};
use serde_json::Value;

const SAMPLE: &[u8] = include_bytes!("fixtures/ftm_sample.jsonl");

#[test]
fn reads_entities_and_folds_addresses_documents_sanctions() {
    let list = ftm::parse(SAMPLE).unwrap();
    assert_eq!(list.source, ListSource::FollowTheMoney);
    assert_eq!(
        list.entries.len(),
        5,
        "{:?}",
        list.entries
            .iter()
            .map(|e| &e.reference)
            .collect::<Vec<_>>()
    );
    assert_eq!(list.skipped.len(), 1);
    assert!(
        list.skipped[0].position.starts_with("line 10"),
        "{:?}",
        list.skipped
    );

    let p = &list.entries[0];
    assert_eq!(p.reference, "acc-p-001");
    assert_eq!(p.schema, EntrySchema::Person);
    assert_eq!(p.primary_name(), Some("Ivan Petrovich SIDOROV"));
    assert_eq!(p.names[1].script.as_deref(), Some("Cyrl"));
    assert!(
        p.names
            .iter()
            .any(|n| n.text == "Vanya" && n.quality == NameQuality::Weak)
    );
    assert_eq!(
        p.birth_dates[0].value,
        DateValue::Exact {
            year: 1970,
            month: 1,
            day: 31
        }
    );
    assert_eq!(p.birth_dates[1].value, DateValue::Year { year: 1971 });
    assert_eq!(p.nationalities, vec!["ru"]);
    assert_eq!(p.addresses[0].city.as_deref(), Some("Almaty"));
    assert_eq!(p.documents.len(), 1);
    assert_eq!(p.documents[0].country.as_deref(), Some("ru"));
    assert_eq!(p.programs, vec!["CVE-2015"]);
    assert_eq!(p.listed_on.as_deref(), Some("2015-09-28"));
    assert_eq!(p.links[0].relation, "beneficial owner");
    assert_eq!(p.links[0].target_reference.as_deref(), Some("acc-o-002"));
    assert_eq!(
        p.links[0].target_name.as_deref(),
        Some("Example Trading LLC")
    );

    let c = &list.entries[1];
    assert_eq!(c.schema, EntrySchema::Organization);
    assert!(c.names.iter().any(|n| n.kind == NameKind::FormerName));
    assert_eq!(c.extra["country"], vec!["ae"]);
    assert_eq!(list.entries[2].schema, EntrySchema::Vessel);
    assert_eq!(list.entries[3].schema, EntrySchema::Aircraft);
    // Nested Address entity.
    assert_eq!(list.entries[4].addresses[0].country.as_deref(), Some("af"));
}

#[test]
fn malformed_lines_are_errors_with_line_numbers() {
    let err =
        ftm::parse(b"{\"id\":\"a\",\"schema\":\"Person\",\"properties\":{}}\n{oops\n").unwrap_err();
    assert!(matches!(err, FormatError::Json { line: 2, .. }), "{err:?}");
    let err = ftm::parse(b"\n[1,2]\n").unwrap_err();
    assert!(
        matches!(err, FormatError::NotFtmEntity { line: 2, .. }),
        "{err:?}"
    );
    let err = ftm::parse(b"{\"id\":\"a\",\"properties\":{}}").unwrap_err();
    assert!(err.to_string().contains("schema"));
    assert!(matches!(ftm::parse(b""), Err(FormatError::Empty { .. })));
    assert!(matches!(
        ftm::parse(b"\xff\n"),
        Err(FormatError::Json { line: 1, .. })
    ));
}

/// schema name -> every property name it has, inherited ones included.
fn model() -> BTreeMap<String, BTreeSet<String>> {
    let m: Value =
        serde_json::from_str(include_str!("fixtures/ftm-model-4.11.2-subset.json")).unwrap();
    let schemata = m["schemata"].as_object().unwrap();
    schemata
        .iter()
        .map(|(name, s)| {
            let mut props = BTreeSet::new();
            for ancestor in s["schemata"].as_array().unwrap() {
                let a = &schemata[ancestor.as_str().unwrap()];
                props.extend(a["properties"].as_object().unwrap().keys().cloned());
            }
            (name.clone(), props)
        })
        .collect()
}

fn check_valid(entities: &[Value]) {
    let model = model();
    let ids: BTreeSet<&str> = entities.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), entities.len(), "ids are unique");
    for e in entities {
        let schema = e["schema"].as_str().unwrap();
        let props = model
            .get(schema)
            .unwrap_or_else(|| panic!("unknown schema {schema}"));
        for (key, values) in e["properties"].as_object().unwrap() {
            assert!(props.contains(key), "{schema} has no property {key}");
            let values = values.as_array().unwrap();
            assert!(!values.is_empty());
            assert!(
                values
                    .iter()
                    .all(|v| v.as_str().is_some_and(|s| !s.is_empty()))
            );
        }
        if schema == "Sanction" {
            let target = e["properties"]["entity"][0].as_str().unwrap();
            assert!(ids.contains(target), "sanction points to an emitted entity");
        }
    }
}

#[test]
fn written_entities_are_valid_ftm() {
    let un_list = un::parse(include_bytes!("fixtures/un_sample.xml")).unwrap();
    let ofac_list =
        accord_lists::load_path(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ofac"))
            .unwrap();
    let ftm_list = ftm::parse(SAMPLE).unwrap();
    for list in [&un_list, &ofac_list, &ftm_list] {
        let out: Vec<Value> = ftm::write_entities(list).collect();
        assert!(out.len() >= list.entries.len() * 2);
        check_valid(&out);
    }
    let out: Vec<Value> = ftm::write_entities(&un_list).collect();
    let person = out.iter().find(|e| e["id"] == "QDi.314").unwrap();
    assert_eq!(person["schema"], "Person");
    assert_eq!(person["properties"]["topics"][0], "sanction");
    let sanction = out.iter().find(|e| e["id"] == "QDi.314-sanction").unwrap();
    assert_eq!(sanction["properties"]["program"][0], "Al-Qaida");
    assert_eq!(sanction["properties"]["unscId"][0], "QDi.314");
}

#[test]
fn round_trip_keeps_what_screening_needs() {
    let original = un::parse(include_bytes!("fixtures/un_sample.xml")).unwrap();
    let lines: Vec<String> = ftm::write_entities(&original)
        .map(|v| v.to_string())
        .collect();
    let back: List = ftm::read_as(lines.join("\n").as_bytes(), ListSource::Accord).unwrap();
    assert_eq!(back.source, ListSource::Accord);
    assert_eq!(back.entries.len(), original.entries.len());
    for (a, b) in original.entries.iter().zip(&back.entries) {
        assert_eq!(a.reference, b.reference);
        assert_eq!(a.schema, b.schema);
        assert_eq!(a.source_id, b.source_id);
        let texts = |e: &accord_lists::ListEntry| {
            e.names
                .iter()
                .map(|n| (n.text.clone(), n.quality))
                .collect::<BTreeSet<_>>()
        };
        assert_eq!(texts(a), texts(b));
        assert_eq!(a.programs, b.programs);
        assert_eq!(a.listed_on, b.listed_on);
        assert_eq!(a.comments, b.comments);
        assert_eq!(a.documents.len(), b.documents.len());
    }
    // Writing what was read back gives the same entities again.
    let again: Vec<String> = ftm::write_entities(&back).map(|v| v.to_string()).collect();
    let back2 = ftm::read_as(again.join("\n").as_bytes(), ListSource::Accord).unwrap();
    let d = accord_lists::diff(&back.entries, &back2.entries);
    assert!(d.is_empty(), "{d:?}");
}
