//! A STIX 2.1 bundle of a list version, marked with TLP 2.0.
//!
//! ## Mapping
//!
//! | entry | STIX object |
//! | --- | --- |
//! | Person | `threat-actor`, `resource_level: "individual"` |
//! | Organization | `threat-actor`, `resource_level: "organization"` |
//! | Vessel, Aircraft | `identity`, `identity_class: "unknown"`, names in the Accord extension |
//! | link to an entry of the version | `relationship`, `relationship_type: "related-to"`, the relation in `description` and the Accord extension |
//! | the version | `report` (`published` = version date, `object_refs` = every entry and relationship) |
//! | the publisher | `identity`, `identity_class: "organization"`, the `created_by_ref` of every object |
//!
//! Why `threat-actor`: it is the one SDO for people *and* groups that has
//! `aliases`, which screening and analysts need; `identity` has none, and
//! `intrusion-set` describes cyber intrusion activity, not a listed subject.
//! MISP (misp-stix) turns threat actors into threat-actor galaxy clusters
//! with the aliases as synonyms and the report into an event; OpenCTI
//! imports them as threat actors inside a Report. `threat_actor_types` is
//! what the list's listing criteria make its subjects, when the caller
//! says ([`ExportVersion::threat_actor_types`]: Accord's common list is of
//! violent extremist subjects, so `terrorist`); `roles` are read from the
//! subject's own links where the relation says it (`leader_of` → director,
//! `sponsor_of` → sponsor, `member_of` → agent), as STIX's
//! interoperability profile asks.
//! Relationships are `related-to`, the only type STIX defines between any
//! two objects (importers drop the custom `member-of`…), with Accord's
//! relation kept as text.
//!
//! Facts STIX has no property for (programs, listing date, birth dates,
//! nationalities, the relation, the list version) go in a STIX 2.1 property
//! extension, [`ACCORD_EXTENSION_ID`] (`extensions: {id: {extension_type:
//! "property-extension", ...}}`), not in `x_` custom properties: STIX 2.1
//! deprecates those and OASIS's validator rejects them in strict mode
//! (warning 401). For the same reason no vendor property (OpenCTI's
//! `x_opencti_type`) is written.
//!
//! ## Ids and timestamps
//!
//! Ids are UUIDv5, so an entry keeps its id in every version: the namespace
//! is derived from `urn:accord:stix` and the list name, the name is the
//! reference (relationships: source, relation and target; the report and
//! the bundle: the version number). `created` is the listing date,
//! `modified` the latest of `last_updated` (both midnight UTC); a consumer
//! takes a changed object as new only when `modified` changes, so the list
//! must bump `last_updated` when the published content of an entry changes.
//!
//! ## Markings
//!
//! Every object has `object_marking_refs` with the fixed TLP 2.0
//! marking-definition id of its level (an entry's own; a relationship the
//! higher of its two ends; the report the highest of the version), and the
//! bundle holds the TLP 2.0 marking definitions it uses, exactly as OASIS
//! publishes them, and Accord's own `extension-definition`, so that a
//! consumer can discover what the extension's properties mean. The
//! official `bundle.json` schema rejects any `extension-definition` in a
//! bundle (it matches both `core.json` and `cyber-observable-core.json`,
//! failing a `oneOf`) although STIX 2.1 defines the object; OASIS's
//! validator accepts it, and the tests check it against its own schema
//! (`common/extension-definition.json`). The TLP 2.0 extension definition is
//! not in the bundle ([`tlp2_extension_definition`] returns it): it is
//! OASIS's, and importers know the TLP 2.0 markings by their fixed ids.

use std::io::{BufWriter, Write};

use accord_lists::model::{EntrySchema, ListEntry};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::date::{VersionDate, after, day_timestamp};
use crate::names::other_names;
use crate::{ExportError, ExportVersion, Tlp};

/// The TLP 2.0 extension definition's id.
pub const TLP2_EXTENSION_ID: &str = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";

/// The id of Accord's property extension (see [`accord_extension_definition`]).
pub const ACCORD_EXTENSION_ID: &str = "extension-definition--dc227e8d-a38e-5f72-b3fe-445145de8147";

/// `created` (and `modified`) of the publisher identity: fixed, so that the
/// object is the same in every version (the Astana conference, 2015-06-30).
const PUBLISHER_CREATED: &str = "2015-06-30T00:00:00.000Z";

/// Writes the version as one STIX 2.1 bundle (pretty-printed JSON).
pub fn write<W: Write>(version: &ExportVersion<'_>, w: W) -> Result<(), ExportError> {
    let bundle = bundle(version)?;
    let mut w = BufWriter::new(w);
    serde_json::to_writer_pretty(&mut w, &bundle)?;
    w.write_all(b"\n")?;
    w.flush()?;
    Ok(())
}

/// The bundle [`write`] writes.
pub fn bundle(version: &ExportVersion<'_>) -> Result<Value, ExportError> {
    let date = version.check()?;
    let ids = Ids::new(version.list_name);
    let publisher_id = format!("identity--{}", ids.publisher(version.publisher));

    let mut objects = Vec::new();
    let mut content = subject_objects(version, &ids, &publisher_id, &date.timestamp);
    let mut refs: Vec<Value> = content.iter().map(|o| o["id"].clone()).collect();
    let mut used = vec![Tlp::Clear];
    let mut report_tlp = Tlp::Clear;
    for e in version.entries {
        report_tlp = report_tlp.max(version.tlp_of(&e.reference));
    }
    // What the previous version held and this one does not is revoked here
    // (as a stub): TAXII and STIX have no deletion, and a consumer that
    // imported the previous bundle learns of a delisting only this way.
    if let Some(previous) = &version.previous {
        let earlier = ExportVersion {
            entries: previous.entries,
            date: previous.date,
            previous: None,
            ..version.clone()
        };
        let earlier_ts = VersionDate::parse(previous.date)?.timestamp;
        for mut o in subject_objects(&earlier, &ids, &publisher_id, &earlier_ts) {
            if refs.contains(&o["id"]) {
                continue;
            }
            if let Some(reference) = o["id"].as_str().and_then(|id| {
                previous
                    .entries
                    .iter()
                    .find(|e| object_id(e, &ids) == id)
                    .map(|e| e.reference.as_str())
            }) {
                used.push(earlier.tlp_of(reference));
            }
            let modified = o["modified"].as_str().unwrap_or_default();
            o["modified"] = json!(after(&date.timestamp, modified));
            let stub = revoked_stub(&o);
            refs.push(stub["id"].clone());
            content.push(stub);
        }
    }
    for e in version.entries {
        let tlp = version.tlp_of(&e.reference);
        if !used.contains(&tlp) {
            used.push(tlp);
        }
    }
    used.sort();
    used.dedup();

    objects.extend(used.iter().map(|t| tlp2_marking_definition(*t)));
    objects.push(accord_extension_definition(version.publisher));
    objects.push(json!({
        "type": "identity",
        "spec_version": "2.1",
        "id": publisher_id,
        // The producer vouches for itself (STIX's interoperability profile
        // wants a creator on every object).
        "created_by_ref": publisher_id,
        "created": PUBLISHER_CREATED,
        "modified": PUBLISHER_CREATED,
        "name": version.publisher.trim(),
        "identity_class": "organization",
        "object_marking_refs": [Tlp::Clear.stix_marking_id()],
    }));
    if refs.is_empty() {
        refs.push(Value::String(publisher_id.clone()));
    }
    objects.push(json!({
        "type": "report",
        "spec_version": "2.1",
        "id": format!("report--{}", ids.entry(&format!("version:{}", version.version))),
        "created_by_ref": publisher_id,
        "created": date.timestamp,
        "modified": date.timestamp,
        "published": date.timestamp,
        "name": format!("{}, version {}", version.list_name, version.version),
        "description": format!(
            "{}, version {} of {}, published by {}.",
            version.list_name, version.version, date.original, version.publisher
        ),
        "report_types": ["threat-actor"],
        "object_refs": refs,
        "object_marking_refs": [report_tlp.stix_marking_id()],
        "extensions": {
            ACCORD_EXTENSION_ID: {"extension_type": "property-extension", "list_version": version.version}
        },
    }));
    objects.extend(content);

    Ok(json!({
        "type": "bundle",
        "id": format!("bundle--{}", ids.entry(&format!("bundle:{}", version.version))),
        "objects": objects,
    }))
}

/// What a revoked object still says: its identity, its marking and what
/// its type requires (a placeholder name, a relationship's ends), nothing
/// of the delisted subject's details, which the list no longer publishes.
fn revoked_stub(o: &Value) -> Value {
    let mut stub = Map::new();
    for key in [
        "type",
        "spec_version",
        "id",
        "created_by_ref",
        "created",
        "modified",
        "relationship_type",
        "source_ref",
        "target_ref",
        "object_marking_refs",
    ] {
        if let Some(v) = o.get(key) {
            stub.insert(key.into(), v.clone());
        }
    }
    if o.get("name").is_some() {
        stub.insert("name".into(), json!("(revoked)"));
    }
    stub.insert("revoked".into(), json!(true));
    Value::Object(stub)
}

/// The objects of a version's subjects: an object per entry and a
/// relationship per link between two of its entries.
fn subject_objects(
    version: &ExportVersion<'_>,
    ids: &Ids,
    publisher_id: &str,
    timestamp: &str,
) -> Vec<Value> {
    let mut content = Vec::new();
    let mut refs = Vec::new();
    for e in version.entries {
        let obj = entry_object(version, e, ids, publisher_id, timestamp);
        refs.push(obj["id"].clone());
        content.push(obj);
    }
    for e in version.entries {
        for link in &e.links {
            let Some(target) = link
                .target_reference
                .as_deref()
                .and_then(|t| version.entries.iter().find(|o| o.reference == t))
            else {
                continue;
            };
            if target.reference == e.reference {
                continue;
            }
            let tlp = version
                .tlp_of(&e.reference)
                .max(version.tlp_of(&target.reference));
            let (created, modified) = timestamps(e, timestamp);
            let relation = link.relation.trim();
            let id = format!(
                "relationship--{}",
                ids.entry(&format!(
                    "relationship:{}|{}|{}",
                    e.reference, relation, target.reference
                ))
            );
            if refs.contains(&Value::String(id.clone())) {
                continue;
            }
            let mut r = json!({
                "type": "relationship",
                "spec_version": "2.1",
                "id": id,
                "created_by_ref": publisher_id,
                "created": created,
                "modified": modified,
                "relationship_type": "related-to",
                "source_ref": object_id(e, ids),
                "target_ref": object_id(target, ids),
                "object_marking_refs": [tlp.stix_marking_id()],
            });
            if !relation.is_empty() {
                r["description"] = json!(relation.replace('_', " "));
                let mut ext = Map::new();
                ext.insert("relation".into(), json!(relation));
                if let Some(ext) = accord_extension(ext) {
                    r["extensions"] = ext;
                }
            }
            refs.push(r["id"].clone());
            content.push(r);
        }
    }
    content
}

/// The UUIDv5 ids of one list.
struct Ids {
    root: Uuid,
    list: Uuid,
}

impl Ids {
    fn new(list_name: &str) -> Ids {
        let root = Uuid::new_v5(&Uuid::NAMESPACE_URL, b"urn:accord:stix");
        let list = Uuid::new_v5(&root, format!("list:{}", list_name.trim()).as_bytes());
        Ids { root, list }
    }
    fn entry(&self, name: &str) -> Uuid {
        Uuid::new_v5(&self.list, name.as_bytes())
    }
    fn publisher(&self, publisher: &str) -> Uuid {
        Uuid::new_v5(
            &self.root,
            format!("publisher:{}", publisher.trim()).as_bytes(),
        )
    }
}

fn is_actor(e: &ListEntry) -> bool {
    matches!(e.schema, EntrySchema::Person | EntrySchema::Organization)
}

/// The STIX id of an entry: `threat-actor--…` or `identity--…`.
fn object_id(e: &ListEntry, ids: &Ids) -> String {
    let kind = if is_actor(e) {
        "threat-actor"
    } else {
        "identity"
    };
    format!("{kind}--{}", ids.entry(&e.reference))
}

/// The STIX id an entry gets in a list: stable across versions.
pub fn entry_id(list_name: &str, entry: &ListEntry) -> String {
    object_id(entry, &Ids::new(list_name))
}

/// `created` = listing date (else the first update, else the version date);
/// `modified` = the last update, never before `created`.
fn timestamps(e: &ListEntry, version_ts: &str) -> (String, String) {
    let updates: Vec<String> = e
        .last_updated
        .iter()
        .filter_map(|d| day_timestamp(d))
        .collect();
    let created = e
        .listed_on
        .as_deref()
        .and_then(day_timestamp)
        .or_else(|| updates.iter().min().cloned())
        .unwrap_or_else(|| version_ts.to_string());
    let modified = updates
        .into_iter()
        .max()
        .filter(|m| *m > created)
        .unwrap_or_else(|| created.clone());
    (created, modified)
}

fn entry_object(
    version: &ExportVersion<'_>,
    e: &ListEntry,
    ids: &Ids,
    publisher_id: &str,
    version_ts: &str,
) -> Value {
    let (created, modified) = timestamps(e, version_ts);
    let mut o = Map::new();
    let mut put = |k: &str, v: Value| {
        o.insert(k.to_string(), v);
    };
    put(
        "type",
        json!(if is_actor(e) {
            "threat-actor"
        } else {
            "identity"
        }),
    );
    put("spec_version", json!("2.1"));
    put("id", json!(object_id(e, ids)));
    put("created_by_ref", json!(publisher_id));
    put("created", json!(created));
    put("modified", json!(modified));
    put("name", json!(e.primary_name().unwrap_or_default()));
    if let Some(summary) = version.summary(&e.reference) {
        put("description", json!(summary));
    }
    let aliases = other_names(e);
    let mut ext = Map::new();
    match e.schema {
        EntrySchema::Person | EntrySchema::Organization => {
            let person = e.schema == EntrySchema::Person;
            if !aliases.is_empty() {
                put("aliases", json!(aliases));
            }
            put(
                "resource_level",
                json!(if person { "individual" } else { "organization" }),
            );
            if !version.threat_actor_types.is_empty() {
                put("threat_actor_types", json!(version.threat_actor_types));
            }
            let mut roles: Vec<&str> = e
                .links
                .iter()
                .filter_map(|l| match l.relation.trim() {
                    "leader_of" => Some("director"),
                    "sponsor_of" => Some("sponsor"),
                    "member_of" => Some("agent"),
                    _ => None,
                })
                .collect();
            roles.sort_unstable();
            roles.dedup();
            if !roles.is_empty() {
                put("roles", json!(roles));
            }
        }
        EntrySchema::Vessel | EntrySchema::Aircraft => {
            put("identity_class", json!("unknown"));
            ext.insert("schema".into(), json!(crate::csv::schema_name(e.schema)));
            if !aliases.is_empty() {
                ext.insert("aliases".into(), json!(aliases));
            }
        }
    }
    let mut reference = json!({"source_name": version.list_name, "external_id": e.reference});
    if !e.programs.is_empty() {
        reference["description"] = json!(format!("programs: {}", e.programs.join(", ")));
    }
    put("external_references", json!([reference]));
    put(
        "object_marking_refs",
        json!([version.tlp_of(&e.reference).stix_marking_id()]),
    );
    if !e.programs.is_empty() {
        ext.insert("programs".into(), json!(e.programs));
    }
    if let Some(d) = &e.listed_on {
        ext.insert("listed_on".into(), json!(d));
    }
    if !e.birth_dates.is_empty() {
        let dates: Vec<String> = e.birth_dates.iter().map(crate::date::edtf).collect();
        ext.insert("birth_dates".into(), json!(dates));
    }
    if !e.nationalities.is_empty() {
        ext.insert("nationalities".into(), json!(e.nationalities));
    }
    if let Some(ext) = accord_extension(ext) {
        put("extensions", ext);
    }
    Value::Object(o)
}

/// `{ACCORD_EXTENSION_ID: {"extension_type": "property-extension", ...}}`,
/// `None` when there is nothing to put in it.
fn accord_extension(mut props: Map<String, Value>) -> Option<Value> {
    if props.is_empty() {
        return None;
    }
    props.insert("extension_type".into(), json!("property-extension"));
    let mut ext = Map::new();
    ext.insert(ACCORD_EXTENSION_ID.to_string(), Value::Object(props));
    Some(Value::Object(ext))
}

/// The definition of Accord's property extension (in every bundle, and in
/// every TAXII collection).
pub fn accord_extension_definition(publisher: &str) -> Value {
    let creator = Ids::new("").publisher(publisher);
    json!({
        "type": "extension-definition",
        "spec_version": "2.1",
        "id": ACCORD_EXTENSION_ID,
        "created_by_ref": format!("identity--{creator}"),
        "created": PUBLISHER_CREATED,
        "modified": PUBLISHER_CREATED,
        "name": "Accord list entry",
        "description": "Facts of an entry of an Accord list that STIX has no property for.",
        "schema": ACCORD_EXTENSION_SCHEMA,
        "version": "1.0.0",
        "extension_types": ["property-extension"],
        "object_marking_refs": [Tlp::Clear.stix_marking_id()]
    })
}

/// The plain-text schema of Accord's property extension.
pub const ACCORD_EXTENSION_SCHEMA: &str = "Property extension of threat-actor, identity, relationship and report objects \
exported from an Accord list. threat-actor / identity: programs (list of string: sanctions or listing programmes), \
listed_on (string, YYYY-MM-DD), birth_dates (list of string, ISO 8601 / EDTF: YYYY-MM-DD, YYYY-MM, YYYY, \
YYYY/YYYY, ~ when approximate), nationalities (list of string, as the list writes them); identity only: \
schema (Vessel or Aircraft), aliases (list of string). relationship: relation (string, e.g. member_of, \
leader_of, sponsor_of). report: list_version (integer).";

/// The TLP 2.0 extension definition, as OASIS publishes it (not put in
/// bundles; see the module documentation).
pub fn tlp2_extension_definition() -> Value {
    json!({
        "id": TLP2_EXTENSION_ID,
        "type": "extension-definition",
        "spec_version": "2.1",
        "name": "TLP 2.0",
        "description": "This defines TLP 2.0 as a STIX extension",
        "created": "2022-10-01T00:00:00.000Z",
        "modified": "2022-10-01T00:00:00.000Z",
        "created_by_ref": "identity--b3bca3c2-1f3d-4b54-b44f-dac42c3a8f01",
        "schema": "https://github.com/oasis-open/cti-stix-common-objects/tree/master/extension-definition-specifications/tlp-2.0",
        "version": "1.0.0",
        "extension_types": ["property-extension"]
    })
}

/// The TLP 2.0 marking definition of a level, as OASIS publishes it.
pub fn tlp2_marking_definition(tlp: Tlp) -> Value {
    json!({
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": tlp.stix_marking_id(),
        "created": "2022-10-01T00:00:00.000Z",
        "name": format!("TLP:{}", tlp.as_str()),
        "extensions": {
            TLP2_EXTENSION_ID: {
                "extension_type": "property-extension",
                "tlp_2_0": tlp.as_str().to_ascii_lowercase()
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_accord_extension_id_is_the_uuid5_of_its_name() {
        let root = Ids::new("").root;
        let id = Uuid::new_v5(&root, b"extension:accord-list-entry");
        assert_eq!(ACCORD_EXTENSION_ID, format!("extension-definition--{id}"));
    }
}
