//! The FtM export only uses schemata and properties of the FollowTheMoney
//! 4.11.2 model, carries the version metadata, and reads back.

mod common;

use std::collections::BTreeSet;

use accord_exports::{ExportVersion, ftm};
use accord_lists::model::{
    BirthDate, DateValue, EntryLink, EntryName, EntrySchema, ListSource, NameKind,
};
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

fn entity<'a>(entities: &'a [Value], id: &str) -> &'a Value {
    entities
        .iter()
        .find(|e| e["id"] == id)
        .unwrap_or_else(|| panic!("no entity {id}"))
}

#[test]
fn country_typed_properties_hold_ftm_codes_and_unknown_countries_are_notes() {
    let mut entries = common::un_entries();
    entries[0].nationalities = vec![
        "Iran (Islamic Republic of)".into(),
        "Türkiye".into(),
        "Atlantis".into(),
    ];
    let mut vessel = accord_lists::model::ListEntry::new("V.1", EntrySchema::Vessel);
    vessel.push_name(EntryName::new("MV SAMPLE", NameKind::Primary));
    vessel.push_extra("vessel_flag", "Democratic People's Republic of Korea");
    entries.push(vessel);
    let reference = entries[0].reference.clone();
    let entities = lines(&ExportVersion::new("L", 1, "2026-01-01", "P", &entries));
    let person = &entity(&entities, &reference)["properties"];
    assert_eq!(person["nationality"], serde_json::json!(["ir", "tr"]));
    assert!(
        person["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == "Country not recognised: nationality \"Atlantis\""),
        "{person}"
    );
    assert_eq!(
        entity(&entities, "V.1")["properties"]["flag"],
        serde_json::json!(["kp"])
    );
}

#[test]
fn a_birth_date_range_is_every_year_of_it_and_a_note() {
    let mut entries = common::un_entries();
    let person = entries
        .iter_mut()
        .find(|e| e.schema == EntrySchema::Person)
        .unwrap();
    let reference = person.reference.clone();
    person.birth_dates = vec![
        BirthDate {
            value: DateValue::Range {
                from: 1962,
                to: 1965,
            },
            original: "BETWEEN 1962 and 1965".into(),
            approximate: false,
        },
        BirthDate {
            value: DateValue::Range {
                from: 1940,
                to: 1960,
            },
            original: "BETWEEN 1940 and 1960".into(),
            approximate: false,
        },
        BirthDate {
            value: DateValue::Year { year: 1970 },
            original: "circa 1970".into(),
            approximate: true,
        },
    ];
    let entities = lines(&ExportVersion::new("L", 1, "2026-01-01", "P", &entries));
    let p = &entity(&entities, &reference)["properties"];
    // The long range gives no year: twenty guesses would say more than it.
    assert_eq!(
        p["birthDate"],
        serde_json::json!(["1962", "1963", "1964", "1965", "1970"])
    );
    let notes: Vec<&str> = p["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for note in [
        "Date of birth: between 1962 and 1965",
        "Date of birth: between 1940 and 1960",
        "Date of birth: about 1970",
    ] {
        assert!(notes.contains(&note), "{notes:?}");
    }
    // The notes are not read back as the entry's comments.
    let mut out = Vec::new();
    ftm::write(
        &ExportVersion::new("L", 1, "2026-01-01", "P", &entries),
        &mut out,
    )
    .unwrap();
    let back = accord_lists::ftm::read_as(&out[..], ListSource::Accord).unwrap();
    let original = entries.iter().find(|e| e.reference == reference).unwrap();
    let read = back
        .entries
        .iter()
        .find(|e| e.reference == reference)
        .unwrap();
    assert_eq!(read.comments, original.comments);
}

#[test]
fn member_of_an_organization_is_a_membership() {
    let mut entries = common::accord_entries();
    let leader = entries
        .iter_mut()
        .find(|e| e.reference == "ACC.i.001")
        .unwrap();
    leader.links.push(EntryLink {
        relation: "member_of".into(),
        target_reference: Some("ACC.e.001".into()),
        target_name: None,
    });
    let entities = lines(&common::accord_version(&entries));
    assert_conforms(&entities);
    let memberships: Vec<&Value> = entities
        .iter()
        .filter(|e| e["schema"] == "Membership")
        .collect();
    assert_eq!(
        memberships.len(),
        1,
        "the member_of outside the version is left out"
    );
    assert_eq!(memberships[0]["properties"]["member"][0], "ACC.i.001");
    assert_eq!(memberships[0]["properties"]["organization"][0], "ACC.e.001");
    let back = accord_lists::ftm::read_as(
        entities
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n")
            .as_bytes(),
        ListSource::Accord,
    )
    .unwrap();
    let leader = back
        .entries
        .iter()
        .find(|e| e.reference == "ACC.i.001")
        .unwrap();
    assert!(
        leader.links.iter().any(
            |l| l.relation == "member_of" && l.target_reference.as_deref() == Some("ACC.e.001")
        )
    );
}

/// The followthemoney library (the pinned peer tool) loads every entity of
/// the exports with cleaning off and finds every value valid for its type.
#[test]
fn the_followthemoney_library_finds_every_exported_value_valid() {
    let Some(python) = common::peer_python() else {
        return;
    };
    let accord = common::accord_entries();
    let un = common::un_entries();
    let full_un = std::path::Path::new("/work/shared/data/un/UN_consolidated_2026-02-27.xml");
    let full_un = std::env::var("ACCORD_DATA")
        .map(|d| std::path::Path::new(&d).join("un/UN_consolidated_2026-02-27.xml"))
        .unwrap_or_else(|_| full_un.to_path_buf());
    let full_un = full_un
        .exists()
        .then(|| accord_lists::load_path(&full_un).unwrap().entries);
    let mut versions = vec![
        ("accord", common::accord_version(&accord)),
        ("un-sample", common::un_version(&un)),
    ];
    if let Some(entries) = &full_un {
        versions.push(("un-full", common::un_version(entries)));
    }
    let dir = std::env::temp_dir().join(format!("accord-ftm-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, version) in versions {
        let path = dir.join(format!("{name}.ftm.json"));
        let mut out = Vec::new();
        ftm::write(&version, &mut out).unwrap();
        std::fs::write(&path, out).unwrap();
        let run = std::process::Command::new(&python)
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../scripts/peers/ftm_check.py"
            ))
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
