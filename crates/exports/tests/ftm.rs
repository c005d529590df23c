//! The FtM export only uses schemata and properties of the FollowTheMoney
//! 4.11.2 model, carries the version metadata, and reads back.

mod common;

use std::collections::BTreeSet;

use accord_exports::{ExportVersion, ftm};
use accord_lists::model::ListSource;
use serde_json::Value;

const MODEL: &str = include_str!("fixtures/ftm/model-followthemoney-4.11.2.generated.json");

struct Model(Value);

impl Model {
    fn load() -> Model {
        let m: Value = serde_json::from_str(MODEL).unwrap();
        assert_eq!(m["version"], "4.11.2");
        Model(m)
    }

    /// The schema and its ancestors.
    fn lineage(&self, schema: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut todo = vec![schema.to_string()];
        while let Some(s) = todo.pop() {
            if out.contains(&s) {
                continue;
            }
            let def = &self.0["schemata"][&s];
            assert!(def.is_object(), "schema {s} is not in the FtM model");
            for parent in def["extends"].as_array().into_iter().flatten() {
                todo.push(parent.as_str().unwrap().to_string());
            }
            out.push(s);
        }
        out
    }

    /// The definition of a property of a schema (inherited ones included).
    fn property(&self, schema: &str, prop: &str) -> Option<&Value> {
        self.lineage(schema)
            .iter()
            .find_map(|s| self.0["schemata"][s]["properties"].get(prop))
    }

    fn required(&self, schema: &str) -> BTreeSet<String> {
        self.lineage(schema)
            .iter()
            .flat_map(|s| {
                self.0["schemata"][s]["required"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    }

    fn is_abstract(&self, schema: &str) -> bool {
        self.0["schemata"][schema]["abstract"] == true
    }
}

fn lines(version: &ExportVersion<'_>) -> Vec<Value> {
    let mut out = Vec::new();
    ftm::write(version, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.ends_with('\n'));
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| r.clone().all(|i| b.get(i).is_some_and(u8::is_ascii_digit));
    match b.len() {
        4 => digits(0..4),
        7 => digits(0..4) && b[4] == b'-' && digits(5..7),
        10 => digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10),
        _ => false,
    }
}

fn assert_conforms(entities: &[Value]) {
    let model = Model::load();
    let ids: BTreeSet<&str> = entities.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), entities.len(), "ids are unique");
    for e in entities {
        let schema = e["schema"].as_str().unwrap();
        assert!(!model.is_abstract(schema), "{schema} is abstract");
        let props = e["properties"].as_object().unwrap();
        for required in model.required(schema) {
            assert!(
                props.contains_key(&required),
                "{} lacks required {required}",
                e["id"]
            );
        }
        for (name, values) in props {
            let def = model
                .property(schema, name)
                .unwrap_or_else(|| panic!("{schema} has no property {name}"));
            let values = values.as_array().expect("property values are arrays");
            assert!(!values.is_empty());
            for v in values {
                let v = v.as_str().expect("property values are strings");
                assert!(!v.trim().is_empty(), "{schema}.{name} is blank");
                match def["type"].as_str().unwrap() {
                    "date" => assert!(is_date(v), "{schema}.{name} = {v:?} is not a date"),
                    "entity" => assert!(
                        ids.contains(v),
                        "{schema}.{name} -> {v} is not in the export"
                    ),
                    _ => {}
                }
            }
        }
    }
}

#[test]
fn every_schema_and_property_of_the_accord_export_is_in_the_ftm_model() {
    let entries = common::accord_entries();
    assert_conforms(&lines(&common::accord_version(&entries)));
}

#[test]
fn every_schema_and_property_of_the_un_sample_export_is_in_the_ftm_model() {
    let entries = common::un_entries();
    let entities = lines(&common::un_version(&entries));
    assert_conforms(&entities);
    let sanctions = entities
        .iter()
        .filter(|e| e["schema"] == "Sanction")
        .count();
    assert_eq!(sanctions, entries.len());
}

#[test]
fn sanctions_carry_publisher_summary_and_version() {
    let entries = common::accord_entries();
    let entities = lines(&common::accord_version(&entries));
    let sanction = entities
        .iter()
        .find(|e| e["id"] == "ACC.e.001-sanction")
        .unwrap();
    let p = &sanction["properties"];
    assert_eq!(p["entity"][0], "ACC.e.001");
    assert_eq!(
        p["authority"],
        serde_json::json!(["Accord Secretariat (UNRCCA)"])
    );
    assert_eq!(p["publisher"][0], "Accord Secretariat (UNRCCA)");
    assert_eq!(
        p["reason"][0],
        "Listed for planning attacks & recruiting <minors>; see \"Statement of case\"."
    );
    assert_eq!(p["listingDate"][0], "2016-03-01");
    assert_eq!(p["program"][0], "Accord CVE");
    assert_eq!(
        p["description"][0],
        "Accord common list, version 3 of 2026-03-01T10:15:30.250+05:00"
    );
    // No summary: no reason.
    let vessel = entities
        .iter()
        .find(|e| e["id"] == "ACC.v.001-sanction")
        .unwrap();
    assert!(vessel["properties"].get("reason").is_none());
}

#[test]
fn the_export_reads_back_with_the_same_references_and_names() {
    let entries = common::accord_entries();
    let mut out = Vec::new();
    ftm::write(&common::accord_version(&entries), &mut out).unwrap();
    let back = accord_lists::ftm::read_as(&out[..], ListSource::Accord).unwrap();
    assert!(back.skipped.is_empty());
    assert_eq!(back.entries.len(), entries.len());
    for (a, b) in entries.iter().zip(&back.entries) {
        assert_eq!(a.reference, b.reference);
        assert_eq!(a.primary_name(), b.primary_name());
        assert_eq!(a.listed_on, b.listed_on);
        let names = |e: &accord_lists::model::ListEntry| {
            e.names
                .iter()
                .map(|n| n.text.clone())
                .collect::<BTreeSet<_>>()
        };
        assert_eq!(names(a), names(b), "{}", a.reference);
    }
}

#[test]
fn an_empty_version_writes_nothing() {
    let mut out = Vec::new();
    ftm::write(
        &ExportVersion::new("L", 1, "2026-01-01", "P", &[]),
        &mut out,
    )
    .unwrap();
    assert!(out.is_empty());
}

#[test]
fn links_to_subjects_outside_the_version_are_left_out() {
    let entries = common::accord_entries();
    let entities = lines(&common::accord_version(&entries));
    let links: Vec<(&str, &str)> = entities
        .iter()
        .filter(|e| e["schema"] == "UnknownLink")
        .map(|e| {
            (
                e["properties"]["subject"][0].as_str().unwrap(),
                e["properties"]["object"][0].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        links,
        [("ACC.i.001", "ACC.e.001"), ("ACC.e.002", "ACC.e.001")]
    );
}
