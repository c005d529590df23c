//! FollowTheMoney entities as JSON lines (one entity per line), for
//! OpenSanctions-style tools (yente, nomenklatura, Aleph).
//!
//! The entities are those of [`accord_lists::ftm::write_entities`] (one
//! Person / Organization / Vessel / Airplane per entry, one `Sanction`
//! `<reference>-sanction` per entry, one `Membership` per `member_of` an
//! organization and one `UnknownLink` per other resolved link; countries as
//! FtM codes, birth-date ranges as their years plus a note),
//! with the version added where FtM has a place for it:
//!
//! | entity | property | value |
//! | --- | --- | --- |
//! | every entity | `publisher` | the publisher |
//! | Sanction | `authority` | the publisher (replaces the generic authority) |
//! | Sanction | `reason` | the published narrative summary |
//! | Sanction | `description` | `"<list name>, version <n> of <date>"` |
//! | Sanction | `listingDate`, `program`, `authorityId` | as written by accord-lists |
//!
//! A link to a subject that is not in the version is left out (an FtM
//! entity reference must resolve within the export).
//!
//! FtM has no version or TLP property: the version number and date are only
//! in the Sanction `description`, and the TLP marking is not exported.

use std::collections::BTreeSet;
use std::io::{BufWriter, Write};

use accord_lists::model::{List, ListSource};
use serde_json::{Map, Value};

use crate::{ExportError, ExportVersion};

/// Writes the version as FtM JSON lines.
pub fn write<W: Write>(version: &ExportVersion<'_>, w: W) -> Result<(), ExportError> {
    let entities = entities(version)?;
    let mut w = BufWriter::new(w);
    for entity in &entities {
        serde_json::to_writer(&mut w, entity)?;
        w.write_all(b"\n")?;
    }
    w.flush()?;
    Ok(())
}

/// The entities [`write`] writes, in order.
pub fn entities(version: &ExportVersion<'_>) -> Result<Vec<Value>, ExportError> {
    let date = version.check()?;
    let list = List {
        source: ListSource::Accord,
        generated: Some(date.original.clone()),
        entries: version.entries.to_vec(),
        skipped: Vec::new(),
    };
    let description = format!(
        "{}, version {} of {}",
        version.list_name, version.version, date.original
    );
    let references: BTreeSet<&str> = version
        .entries
        .iter()
        .map(|e| e.reference.as_str())
        .collect();
    let mut out = Vec::new();
    for mut entity in accord_lists::ftm::write_entities(&list) {
        let schema = entity["schema"].as_str().unwrap_or_default().to_string();
        let target = match schema.as_str() {
            "UnknownLink" => Some("object"),
            "Membership" => Some("organization"),
            _ => None,
        };
        if let Some(prop) = target {
            let object = entity["properties"][prop][0].as_str().unwrap_or_default();
            if !references.contains(object) {
                continue;
            }
        }
        let Some(props) = entity.get_mut("properties").and_then(Value::as_object_mut) else {
            out.push(entity);
            continue;
        };
        set(props, "publisher", version.publisher);
        if schema == "Sanction" {
            let reference = props
                .get("entity")
                .and_then(|v| v.get(0))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            set(props, "authority", version.publisher);
            if let Some(summary) = version.summary(&reference) {
                set(props, "reason", summary);
            }
            set(props, "description", &description);
        }
        out.push(entity);
    }
    Ok(out)
}

/// Replaces a property with one value (nothing for an empty value).
fn set(props: &mut Map<String, Value>, key: &str, value: &str) {
    let value = value.trim();
    if value.is_empty() {
        props.remove(key);
    } else {
        props.insert(
            key.to_string(),
            Value::Array(vec![Value::String(value.to_string())]),
        );
    }
}
