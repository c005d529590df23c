//! The STIX export validates against the official STIX 2.1 JSON schemas and
//! carries the official TLP 2.0 marking definitions.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use accord_exports::{ExportError, ExportVersion, Tlp, stix};
use jsonschema::{Retrieve, Uri, Validator};
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/stix");

/// Every schema of `fixtures/stix/schemas`, by `$id`.
struct OfflineSchemas(BTreeMap<String, Value>);

impl OfflineSchemas {
    fn load() -> Self {
        let mut map = BTreeMap::new();
        for dir in ["common", "sdos", "sros", "observables"] {
            let dir = Path::new(FIXTURES).join("schemas").join(dir);
            for f in std::fs::read_dir(&dir).unwrap() {
                let path = f.unwrap().path();
                let schema: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
                let id = schema["$id"]
                    .as_str()
                    .expect("every schema has an $id")
                    .to_string();
                map.insert(id, schema);
            }
        }
        assert!(map.len() > 50, "all STIX schemas are there");
        OfflineSchemas(map)
    }

    fn id(kind: &str, name: &str) -> String {
        format!(
            "http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/{kind}/{name}.json"
        )
    }

    fn validator(&self, kind: &str, name: &str) -> Validator {
        let schema = self.0[&Self::id(kind, name)].clone();
        jsonschema::options()
            .with_retriever(Offline(self.0.clone()))
            .build(&schema)
            .unwrap_or_else(|e| panic!("{kind}/{name}.json compiles offline: {e}"))
    }
}

/// Resolves `$ref`s from the local copies only; never fetches.
struct Offline(BTreeMap<String, Value>);

impl Retrieve for Offline {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        self.0
            .get(uri.as_str())
            .cloned()
            .ok_or_else(|| format!("schema {uri} is not in the offline set").into())
    }
}

fn errors(v: &Validator, instance: &Value) -> Vec<String> {
    v.iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Validates a bundle as a whole and each object against its own schema.
fn assert_valid(bundle: &Value) {
    let schemas = OfflineSchemas::load();
    let whole = schemas.validator("common", "bundle");
    // bundle.json refuses every extension-definition (a `oneOf` both core
    // schemas match); it is checked against its own schema below.
    let mut without = bundle.clone();
    without["objects"]
        .as_array_mut()
        .unwrap()
        .retain(|o| o["type"] != "extension-definition");
    let errs = errors(&whole, &without);
    assert!(errs.is_empty(), "bundle.json: {errs:#?}");
    let mut by_type: BTreeMap<String, Validator> = BTreeMap::new();
    for obj in bundle["objects"].as_array().unwrap() {
        let ty = obj["type"].as_str().unwrap().to_string();
        let (kind, name) = match ty.as_str() {
            "relationship" => ("sros", "relationship"),
            "marking-definition" => ("common", "marking-definition"),
            "extension-definition" => ("common", "extension-definition"),
            other => ("sdos", other),
        };
        let v = by_type
            .entry(ty.clone())
            .or_insert_with(|| schemas.validator(kind, name));
        let errs = errors(v, obj);
        assert!(
            errs.is_empty(),
            "{} against {kind}/{name}.json: {errs:#?}",
            obj["id"]
        );
    }
}

fn objects<'a>(bundle: &'a Value, ty: &str) -> Vec<&'a Value> {
    bundle["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["type"] == ty)
        .collect()
}

fn by_name<'a>(bundle: &'a Value, name: &str) -> &'a Value {
    bundle["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == name)
        .unwrap_or_else(|| panic!("no object named {name}"))
}

fn official(file_prefix: &str) -> Value {
    let dir = Path::new(FIXTURES).join("tlp2");
    let path = std::fs::read_dir(dir)
        .unwrap()
        .map(|f| f.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with(file_prefix)
        })
        .unwrap();
    let bundle: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    bundle["objects"][0].clone()
}

#[test]
fn the_accord_bundle_validates_against_the_official_stix_schemas() {
    let entries = common::accord_entries();
    let bundle = stix::bundle(&common::accord_version(&entries)).unwrap();
    assert_valid(&bundle);
}

#[test]
fn the_un_sample_bundle_validates_against_the_official_stix_schemas() {
    let entries = common::un_entries();
    let bundle = stix::bundle(&common::un_version(&entries)).unwrap();
    assert_valid(&bundle);
    assert_eq!(objects(&bundle, "threat-actor").len(), 9);
}

#[test]
fn an_empty_version_still_validates() {
    let bundle = stix::bundle(&ExportVersion::new("L", 1, "2026-01-01", "P", &[])).unwrap();
    assert_valid(&bundle);
}

#[test]
fn the_validator_rejects_a_broken_object() {
    // Guards against a validator that accepts everything.
    let entries = common::accord_entries();
    let mut bundle = stix::bundle(&common::accord_version(&entries)).unwrap();
    let schemas = OfflineSchemas::load();
    let v = schemas.validator("common", "bundle");
    let actor = bundle["objects"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|o| o["type"] == "threat-actor")
        .unwrap();
    actor["created"] = Value::String("2016-03-01".into());
    assert!(!errors(&v, &bundle).is_empty());
}

#[test]
fn marking_definitions_are_the_official_tlp2_objects() {
    // The extension definition itself is left out of bundles: see
    // the_official_bundle_schema_rejects_the_tlp2_extension_definition.
    let entries = common::accord_entries();
    let bundle = stix::bundle(&common::accord_version(&entries)).unwrap();
    let markings = objects(&bundle, "marking-definition");
    assert_eq!(markings.len(), 2, "CLEAR and GREEN are used");
    assert_eq!(*markings[0], official("marking-definition--94868c89"));
    assert_eq!(*markings[1], official("marking-definition--bab4a63c"));
    assert_eq!(
        stix::tlp2_extension_definition(),
        official("extension-definition--60a3c5c5")
    );
    for tlp in Tlp::ALL {
        let file = format!("{}.", tlp.stix_marking_id());
        assert_eq!(stix::tlp2_marking_definition(tlp), official(&file), "{tlp}");
    }
}

#[test]
fn every_object_carries_its_tlp_marking() {
    let entries = common::accord_entries();
    let bundle = stix::bundle(&common::accord_version(&entries)).unwrap();
    let clear = Tlp::Clear.stix_marking_id();
    let green = Tlp::Green.stix_marking_id();
    let marking = |o: &Value| o["object_marking_refs"].as_array().unwrap().clone();
    let group = by_name(&bundle, "Example Front <&> \"Liberation\"");
    assert_eq!(marking(group), [clear]);
    let sponsor = by_name(&bundle, "Example Charity Foundation");
    assert_eq!(marking(sponsor), [green]);
    // The sponsor's relationship and the report take the higher level.
    let rel = objects(&bundle, "relationship")
        .into_iter()
        .find(|r| r["source_ref"] == sponsor["id"])
        .unwrap();
    assert_eq!(marking(rel), [green]);
    assert_eq!(marking(objects(&bundle, "report")[0]), [green]);
    for o in bundle["objects"].as_array().unwrap() {
        if !matches!(
            o["type"].as_str(),
            Some("marking-definition" | "extension-definition")
        ) {
            assert!(o["object_marking_refs"].is_array(), "{} is marked", o["id"]);
        }
    }
}

#[test]
fn people_and_groups_are_threat_actors_with_aliases() {
    let entries = common::accord_entries();
    let bundle = stix::bundle(&common::accord_version(&entries)).unwrap();
    let leader = by_name(&bundle, "Abdul Example Rahman");
    assert_eq!(leader["type"], "threat-actor");
    assert_eq!(leader["resource_level"], "individual");
    assert_eq!(
        leader["aliases"],
        serde_json::json!(["Abu Mithal", "Абдул Пример"])
    );
    assert_eq!(leader["description"], "Leads Example Front.");
    assert_eq!(leader["external_references"][0]["external_id"], "ACC.i.001");
    assert_eq!(
        leader["external_references"][0]["source_name"],
        "Accord common list"
    );
    let group = by_name(&bundle, "Example Front <&> \"Liberation\"");
    assert_eq!(group["resource_level"], "organization");
    assert_eq!(
        group["aliases"],
        serde_json::json!(["Jabhat al-Mithal", "EF", "Old Front", "جبهة المثال"])
    );
    let vessel = by_name(&bundle, "MV EXAMPLE STAR");
    assert_eq!(vessel["type"], "identity");
    let ext = &vessel["extensions"][stix::ACCORD_EXTENSION_ID];
    assert_eq!(ext["aliases"], serde_json::json!(["EXAMPLE STAR I"]));
    assert_eq!(ext["schema"], "Vessel");
}

#[test]
fn facts_without_a_stix_property_go_in_the_accord_property_extension() {
    let entries = common::accord_entries();
    let bundle = stix::bundle(&common::accord_version(&entries)).unwrap();
    let leader = by_name(&bundle, "Abdul Example Rahman");
    let ext = &leader["extensions"][stix::ACCORD_EXTENSION_ID];
    assert_eq!(ext["extension_type"], "property-extension");
    assert_eq!(ext["programs"], serde_json::json!(["Accord CVE"]));
    assert_eq!(ext["listed_on"], "2016-03-01");
    assert_eq!(
        ext["birth_dates"],
        serde_json::json!(["1975-04-09", "1973-11"])
    );
    assert_eq!(ext["nationalities"], serde_json::json!(["Afghanistan"]));
    let report = objects(&bundle, "report")[0];
    assert_eq!(
        report["extensions"][stix::ACCORD_EXTENSION_ID]["list_version"],
        3
    );
    for o in bundle["objects"].as_array().unwrap() {
        for key in o.as_object().unwrap().keys() {
            assert!(
                !key.starts_with("x_"),
                "{} has custom property {key}",
                o["id"]
            );
        }
    }
    // The definition validates against its own official schema.
    let schemas = OfflineSchemas::load();
    let v = schemas.validator("common", "extension-definition");
    assert!(errors(&v, &stix::accord_extension_definition("Accord")).is_empty());
}

#[test]
fn links_become_related_to_relationships_between_entries_of_the_version() {
    let entries = common::accord_entries();
    let bundle = stix::bundle(&common::accord_version(&entries)).unwrap();
    let rels = objects(&bundle, "relationship");
    // leader_of and sponsor_of; member_of points outside the version.
    assert_eq!(rels.len(), 2);
    let group_id = &by_name(&bundle, "Example Front <&> \"Liberation\"")["id"];
    let leader_id = &by_name(&bundle, "Abdul Example Rahman")["id"];
    let lead = rels.iter().find(|r| r["source_ref"] == *leader_id).unwrap();
    assert_eq!(lead["relationship_type"], "related-to");
    assert_eq!(lead["target_ref"], *group_id);
    assert_eq!(
        lead["extensions"][stix::ACCORD_EXTENSION_ID]["relation"],
        "leader_of"
    );
    assert_eq!(lead["description"], "leader of");
}

#[test]
fn every_reference_resolves_inside_the_bundle() {
    let entries = common::accord_entries();
    let bundle = stix::bundle(&common::accord_version(&entries)).unwrap();
    let ids: BTreeSet<&str> = bundle["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    for o in bundle["objects"].as_array().unwrap() {
        let mut refs: Vec<&str> = Vec::new();
        for key in ["created_by_ref", "source_ref", "target_ref"] {
            refs.extend(o[key].as_str());
        }
        for key in ["object_refs", "object_marking_refs"] {
            refs.extend(
                o[key]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str),
            );
        }
        for r in refs {
            assert!(
                ids.contains(r),
                "{} refers to {r}, not in the bundle",
                o["id"]
            );
        }
    }
    let report = objects(&bundle, "report")[0];
    let n = objects(&bundle, "threat-actor").len() + objects(&bundle, "relationship").len() + 1; // the vessel identity
    assert_eq!(report["object_refs"].as_array().unwrap().len(), n);
    assert_eq!(report["published"], "2026-03-01T05:15:30.250Z");
}

#[test]
fn ids_are_stable_across_versions_and_timestamps_follow_the_entry() {
    let entries = common::accord_entries();
    let v3 = stix::bundle(&common::accord_version(&entries)).unwrap();
    let mut v4 = common::accord_version(&entries);
    v4.version = 4;
    v4.date = "2026-06-01";
    let v4 = stix::bundle(&v4).unwrap();
    let leader3 = by_name(&v3, "Abdul Example Rahman");
    let leader4 = by_name(&v4, "Abdul Example Rahman");
    assert_eq!(leader3["id"], leader4["id"]);
    assert_eq!(
        leader3["id"],
        stix::entry_id("Accord common list", &entries[1])
    );
    assert!(
        leader3["id"]
            .as_str()
            .unwrap()
            .starts_with("threat-actor--")
    );
    assert_eq!(
        &leader3["id"].as_str().unwrap()[14 + 14..14 + 15],
        "5",
        "UUIDv5"
    );
    assert_eq!(leader3, leader4, "an unchanged entry is the same object");
    assert_ne!(v3["id"], v4["id"]);
    assert_ne!(
        objects(&v3, "report")[0]["id"],
        objects(&v4, "report")[0]["id"]
    );

    let group = by_name(&v3, "Example Front <&> \"Liberation\"");
    assert_eq!(group["created"], "2016-03-01T00:00:00.000Z");
    assert_eq!(group["modified"], "2018-01-05T00:00:00.000Z");
    assert_eq!(leader3["modified"], leader3["created"]);
}

#[test]
fn the_same_version_gives_the_same_bytes() {
    let entries = common::accord_entries();
    let mut a = Vec::new();
    let mut b = Vec::new();
    stix::write(&common::accord_version(&entries), &mut a).unwrap();
    stix::write(&common::accord_version(&entries), &mut b).unwrap();
    assert_eq!(a, b);
    assert_eq!(
        accord_exports::content_hash(&a),
        accord_exports::content_hash(&b)
    );
    let parsed: Value = serde_json::from_slice(&a).unwrap();
    assert_eq!(parsed["type"], "bundle");
}

#[test]
fn an_amber_entry_is_never_written() {
    let entries = common::accord_entries();
    let v = common::accord_version(&entries).with_tlp("ACC.i.001", Tlp::Amber);
    let mut out = Vec::new();
    assert!(matches!(
        stix::write(&v, &mut out),
        Err(ExportError::NotPublishable { .. })
    ));
    assert!(out.is_empty());
}

#[test]
fn the_official_bundle_schema_rejects_the_tlp2_extension_definition() {
    // Why the bundle does not carry the extension-definition object: as a
    // custom object it matches both core.json and cyber-observable-core.json,
    // so bundle.json's oneOf fails. If OASIS fixes this, include it again.
    let schemas = OfflineSchemas::load();
    let bundle = serde_json::json!({
        "type": "bundle",
        "id": "bundle--1d3fa741-e3bd-451a-acf5-b2f01d075ba7",
        "objects": [stix::tlp2_extension_definition()],
    });
    assert!(!errors(&schemas.validator("common", "bundle"), &bundle).is_empty());
    let own = schemas.validator("common", "extension-definition");
    assert!(errors(&own, &stix::tlp2_extension_definition()).is_empty());
}

#[test]
fn every_bundle_declares_the_extension_it_uses() {
    let entries = common::accord_entries();
    let bundle = stix::bundle(&common::accord_version(&entries)).unwrap();
    let definitions = objects(&bundle, "extension-definition");
    assert_eq!(definitions.len(), 1);
    assert_eq!(definitions[0]["id"], stix::ACCORD_EXTENSION_ID);
    let publisher = objects(&bundle, "identity")
        .into_iter()
        .find(|o| o["identity_class"] == "organization")
        .unwrap()["id"]
        .clone();
    assert_eq!(
        definitions[0]["created_by_ref"], publisher,
        "made by the bundle's producer"
    );
    for o in bundle["objects"].as_array().unwrap() {
        if o["type"] != "marking-definition" {
            assert!(o["created_by_ref"].is_string(), "{} has a creator", o["id"]);
        }
    }
}

#[test]
fn threat_actors_carry_their_types_and_the_roles_their_links_say() {
    let entries = common::accord_entries();
    let plain = stix::bundle(&common::accord_version(&entries)).unwrap();
    assert!(
        objects(&plain, "threat-actor")
            .iter()
            .all(|o| o.get("threat_actor_types").is_none()),
        "not known unless said"
    );
    let bundle =
        stix::bundle(&common::accord_version(&entries).with_threat_actor_types(&["terrorist"]))
            .unwrap();
    assert!(
        objects(&bundle, "threat-actor")
            .iter()
            .all(|o| o["threat_actor_types"] == serde_json::json!(["terrorist"]))
    );
    let sponsor = by_name(&bundle, "Example Charity Foundation");
    assert_eq!(sponsor["roles"], serde_json::json!(["sponsor"]));
    let leader = objects(&bundle, "threat-actor")
        .into_iter()
        .find(|o| o["roles"].as_array().is_some_and(|r| r.len() == 2))
        .expect("the leader");
    assert_eq!(leader["roles"], serde_json::json!(["agent", "director"]));
    assert_valid(&bundle);
}

#[test]
fn oasis_validator_passes_the_bundle_in_strict_mode() {
    let Some(python) = common::peer_python() else {
        return;
    };
    let entries = common::accord_entries();
    let bundle =
        stix::bundle(&common::accord_version(&entries).with_threat_actor_types(&["terrorist"]))
            .unwrap();
    assert_oasis_valid(&python, &bundle, "whole");
    // A version that revokes a delisted subject and its relationship.
    let kept: Vec<_> = entries[..1].iter().chain(&entries[2..]).cloned().collect();
    let mut next = common::accord_version(&kept)
        .with_threat_actor_types(&["terrorist"])
        .with_previous("2026-03-01", &entries);
    next.version = 4;
    next.date = "2026-06-01";
    next.summaries.remove(&entries[1].reference);
    next.tlp.remove(&entries[1].reference);
    let next = stix::bundle(&next).unwrap();
    assert!(next.to_string().contains("\"revoked\":true"));
    assert_oasis_valid(&python, &next, "revoking");
}

fn assert_oasis_valid(python: &str, bundle: &Value, name: &str) {
    let dir = std::env::temp_dir().join(format!("accord-stix-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bundle.json");
    std::fs::write(&path, serde_json::to_vec(&bundle).unwrap()).unwrap();
    // As the issue asks: strict, without 302 (sources are web pages, not files).
    let script = "import sys\nfrom stix2validator import ValidationOptions, validate_file\n\
                  r = validate_file(sys.argv[1], ValidationOptions(strict=True, disabled=['302'], version='2.1'))\n\
                  bad = [str(e) for o in r.object_results for e in o.errors + o.warnings]\n\
                  print('\\n'.join(bad)); sys.exit(0 if r.is_valid and not bad else 1)";
    let out = std::process::Command::new(python)
        .args(["-c", script, path.to_str().unwrap()])
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_subject_the_version_no_longer_holds_is_revoked_in_it() {
    let entries = common::accord_entries();
    let v3_version = common::accord_version(&entries);
    let v3 = stix::bundle(&v3_version).unwrap();
    let leader3 = by_name(&v3, "Abdul Example Rahman");
    let kept: Vec<_> = entries
        .iter()
        .filter(|e| e.reference != entries[1].reference)
        .cloned()
        .collect();
    let mut v4 = common::accord_version(&kept).with_previous(v3_version.date, &entries);
    v4.version = 4;
    v4.date = "2026-06-01";
    v4.summaries.remove(&entries[1].reference);
    v4.tlp.remove(&entries[1].reference);
    let v4 = stix::bundle(&v4).unwrap();
    assert_valid(&v4);

    let leader4 = v4["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == leader3["id"])
        .expect("the same object, revoked");
    assert_eq!(leader4["revoked"], true);
    assert_eq!(leader4["created"], leader3["created"]);
    assert_eq!(leader4["modified"], "2026-06-01T00:00:00.000Z");
    // A stub: nothing of the delisted person is published again.
    assert_eq!(leader4["name"], "(revoked)");
    for gone in [
        "aliases",
        "description",
        "extensions",
        "external_references",
    ] {
        assert!(leader4.get(gone).is_none(), "{gone}: {leader4}");
    }
    assert!(!v4.to_string().contains("Abdul Example Rahman"));
    // Its links went with it, revoked too; nothing the version still holds is.
    let leader_id = leader3["id"].as_str().unwrap();
    for r in objects(&v4, "relationship") {
        let touches = r["source_ref"] == leader_id || r["target_ref"] == leader_id;
        assert_eq!(r["revoked"] == true, touches, "{r}");
    }
    let revoked: Vec<&Value> = v4["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["revoked"] == true)
        .collect();
    assert!(revoked.len() >= 2, "the subject and its relationship");
    let report_refs = objects(&v4, "report")[0]["object_refs"].clone();
    for o in &revoked {
        assert!(report_refs.as_array().unwrap().contains(&o["id"]));
    }

    // A version that follows one with the same subjects revokes nothing.
    let mut same = common::accord_version(&entries).with_previous(v3_version.date, &entries);
    same.version = 4;
    let same = stix::bundle(&same).unwrap();
    assert!(
        same["objects"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o.get("revoked").is_none())
    );
}
