//! A posted envelope (or bundle), checked as a whole before anything is
//! stored, and its reports and notes turned into draft library items.
//!
//! TAXII 2.1 posts an envelope (`{"objects": [...]}`); MISP and many
//! scripts post a STIX bundle (`{"type": "bundle", ...}`): both are read.
//! A request is refused whole (nothing stored) when it is not JSON, holds
//! no object list, holds more than [`MAX_POSTED_OBJECTS`], or holds an
//! object that is not STIX (no type, an id not of its type, a spec version
//! other than 2.1, a timestamp that is not one). Objects that are STIX but
//! not taken are answered one by one in the status's `failures`, with the
//! reason: nothing is dropped silently.

use accord_core::tlp::Tlp;
use accord_library::item::{ItemInput, VersionInput};
use accord_library::{MAX_SUMMARY_CHARS, MAX_TITLE_CHARS};
use serde_json::Value;

use crate::{MAX_POSTED_OBJECTS, is_stix_id, is_type_name, parse_timestamp};

/// Why a posted request is refused whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostError {
    #[error("the body is not JSON: {0}")]
    NotJson(String),
    #[error("the body is not a TAXII envelope or a STIX bundle: it needs an \"objects\" list")]
    NoObjects,
    #[error("{0} objects in one request: post at most {MAX_POSTED_OBJECTS} at a time")]
    TooMany(usize),
    #[error("object {index} is not valid STIX 2.1: {reason}")]
    Invalid { index: usize, reason: String },
}

/// What becomes of one posted object.
#[derive(Debug, Clone, PartialEq)]
pub enum Taken {
    /// A report or note, as a draft library item.
    Item {
        id: String,
        version: String,
        input: Box<ItemInput>,
    },
    /// Understood and needed by nothing (a TLP marking definition).
    Known { id: String, version: String },
    /// Not taken, and why.
    Refused {
        id: String,
        version: Option<String>,
        reason: String,
    },
}

/// Reads a posted body into its objects, checked.
pub fn read(body: &[u8]) -> Result<Vec<Value>, PostError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| PostError::NotJson(e.to_string()))?;
    let objects = match value.get("objects") {
        Some(Value::Array(list)) => list,
        _ => return Err(PostError::NoObjects),
    };
    if objects.len() > MAX_POSTED_OBJECTS {
        return Err(PostError::TooMany(objects.len()));
    }
    for (index, o) in objects.iter().enumerate() {
        check_object(o).map_err(|reason| PostError::Invalid { index, reason })?;
    }
    Ok(objects.clone())
}

/// The checks every STIX 2.1 object passes (the common properties).
fn check_object(o: &Value) -> Result<(), String> {
    let Some(object) = o.as_object() else {
        return Err("not a JSON object".into());
    };
    let kind = object
        .get("type")
        .and_then(Value::as_str)
        .ok_or("no \"type\"")?;
    if !is_type_name(kind) {
        return Err(format!("{kind:?} is not a STIX type name"));
    }
    let id = object
        .get("id")
        .and_then(Value::as_str)
        .ok_or("no \"id\"")?;
    if !is_stix_id(id) || !id.starts_with(&format!("{kind}--")) {
        return Err(format!("{id:?} is not an identifier of a {kind}"));
    }
    match object.get("spec_version").and_then(Value::as_str) {
        Some("2.1") => {}
        Some(other) => return Err(format!("spec_version {other:?}: Accord takes STIX 2.1")),
        None => return Err("no \"spec_version\" (Accord takes STIX 2.1)".into()),
    }
    for field in ["created", "modified", "published"] {
        if let Some(t) = object.get(field)
            && t.as_str().is_none_or(|t| parse_timestamp(t).is_none())
        {
            return Err(format!("{field} is not a STIX timestamp"));
        }
    }
    Ok(())
}

/// The TLP level a STIX marking-definition id stands for: TLP 2.0's fixed
/// ids, and TLP 1.0's (WHITE is CLEAR), which MISP and OpenCTI still send.
pub fn tlp_of_marking(id: &str) -> Option<Tlp> {
    let tlp1 = [
        (
            "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
            Tlp::Clear,
        ),
        (
            "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
            Tlp::Green,
        ),
        (
            "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
            Tlp::Amber,
        ),
        (
            "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
            Tlp::Red,
        ),
    ];
    [
        Tlp::Clear,
        Tlp::Green,
        Tlp::Amber,
        Tlp::AmberStrict,
        Tlp::Red,
    ]
    .into_iter()
    .find(|t| t.stix_marking_id() == id)
    .or_else(|| tlp1.iter().find(|(i, _)| *i == id).map(|(_, t)| *t))
}

fn clip(text: &str, max: usize) -> String {
    let t = text.trim();
    if t.chars().count() <= max {
        return t.to_string();
    }
    let mut s: String = t.chars().take(max - 1).collect();
    s.push('…');
    s
}

/// What each object becomes. A report or a note needs a TLP marking (the
/// highest of those it names is kept); the item is shared with its
/// member only until a reviewer decides.
pub fn take(objects: &[Value]) -> Vec<Taken> {
    objects.iter().map(take_one).collect()
}

fn take_one(o: &Value) -> Taken {
    let text = |k: &str| {
        o.get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim()
            .to_string()
    };
    let id = text("id");
    let version = o
        .get("modified")
        .or_else(|| o.get("created"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let refuse = |reason: String| Taken::Refused {
        id: id.clone(),
        version: version.clone(),
        reason,
    };
    let kind = text("type");
    match kind.as_str() {
        "report" | "note" => {}
        "marking-definition" if tlp_of_marking(&id).is_some() => {
            return Taken::Known {
                id: id.clone(),
                version: version.unwrap_or_default(),
            };
        }
        other => {
            return refuse(format!(
                "{other} objects are not taken: the inbox takes report and note objects (as draft library items)"
            ));
        }
    }
    if o.get("revoked").and_then(Value::as_bool) == Some(true) {
        return refuse("a revoked object is not taken as a new draft".into());
    }
    let markings: Vec<Tlp> = o
        .get("object_marking_refs")
        .and_then(Value::as_array)
        .map(|refs| {
            refs.iter()
                .filter_map(|r| r.as_str().and_then(tlp_of_marking))
                .collect()
        })
        .unwrap_or_default();
    let Some(marking) = markings.into_iter().max() else {
        return refuse(
            "no TLP marking in object_marking_refs: Accord keeps nothing unmarked".into(),
        );
    };
    let (title, summary, body) = if kind == "report" {
        let name = text("name");
        if name.is_empty() {
            return refuse("a report needs a name".into());
        }
        let description = text("description");
        let summary = description.split("\n\n").next().unwrap_or("").to_string();
        (name, summary, description)
    } else {
        let content = text("content");
        if content.is_empty() {
            return refuse("a note needs content".into());
        }
        let title = match text("abstract") {
            a if !a.is_empty() => a,
            _ => content.lines().next().unwrap_or("").to_string(),
        };
        (title, String::new(), content)
    };
    let lang = match text("lang") {
        l if accord_library::item::parse_lang(&l).is_some() => l.to_ascii_lowercase(),
        _ => "en".to_string(),
    };
    let published = o
        .get("published")
        .and_then(Value::as_str)
        .and_then(|p| p.get(..10))
        .unwrap_or("")
        .to_string();
    let sources: Vec<String> = o
        .get("external_references")
        .and_then(Value::as_array)
        .map(|refs| {
            refs.iter()
                .filter_map(|r| {
                    r.get("url")
                        .and_then(Value::as_str)
                        .or_else(|| r.get("description").and_then(Value::as_str))
                })
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let mut sources = sources;
    sources.push(format!("STIX {id}"));
    Taken::Item {
        id: id.clone(),
        version: version.unwrap_or_default(),
        input: Box::new(ItemInput {
            kind: "report".into(),
            marking: marking.as_str().into(),
            distribution: "owner".into(),
            versions: vec![VersionInput {
                lang,
                title: clip(&title, MAX_TITLE_CHARS),
                summary: clip(&summary, MAX_SUMMARY_CHARS),
                body,
            }],
            published,
            sources,
            ..ItemInput::default()
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn report() -> Value {
        json!({
            "type": "report", "spec_version": "2.1",
            "id": "report--3a6f5f04-7a36-4d58-9a8c-1f6a2d0e9b11",
            "created": "2026-11-01T10:00:00.000Z", "modified": "2026-11-02T10:00:00.000Z",
            "name": "Recruitment on messengers in the Fergana Valley",
            "description": "Summary line.\n\nThe longer analysis.",
            "published": "2026-11-02T10:00:00Z",
            "object_refs": ["identity--0d4a8f0c-3c55-4b8e-9f0a-0a7c2a1c9a11"],
            "object_marking_refs": [Tlp::Amber.stix_marking_id()],
            "external_references": [{"source_name": "misp", "url": "https://misp.example/events/7"}]
        })
    }

    #[test]
    fn envelopes_and_bundles_are_read() {
        let envelope = json!({"objects": [report()]});
        let bundle = json!({"type": "bundle", "id": "bundle--3a6f5f04-7a36-4d58-9a8c-1f6a2d0e9b12", "objects": [report()]});
        for body in [envelope, bundle] {
            assert_eq!(read(body.to_string().as_bytes()).unwrap().len(), 1);
        }
    }

    #[test]
    fn a_request_with_one_bad_object_is_refused_whole() {
        let mut bad = report();
        bad["id"] = json!("note--3a6f5f04-7a36-4d58-9a8c-1f6a2d0e9b11");
        let body = json!({"objects": [report(), bad]}).to_string();
        assert!(matches!(
            read(body.as_bytes()),
            Err(PostError::Invalid { index: 1, .. })
        ));
        assert!(matches!(read(b"not json"), Err(PostError::NotJson(_))));
        assert_eq!(read(b"{\"type\":\"bundle\"}"), Err(PostError::NoObjects));
        let many = json!({"objects": vec![report(); MAX_POSTED_OBJECTS + 1]}).to_string();
        assert_eq!(
            read(many.as_bytes()),
            Err(PostError::TooMany(MAX_POSTED_OBJECTS + 1))
        );
        let mut old = report();
        old["spec_version"] = json!("2.0");
        assert!(read(json!({"objects": [old]}).to_string().as_bytes()).is_err());
    }

    #[test]
    fn a_report_becomes_a_draft_with_its_marking() {
        let Taken::Item { input, version, .. } = take(&[report()]).remove(0) else {
            panic!()
        };
        assert_eq!(version, "2026-11-02T10:00:00.000Z");
        assert_eq!(input.marking, "AMBER");
        assert_eq!(input.distribution, "owner");
        assert_eq!(
            input.versions[0].title,
            "Recruitment on messengers in the Fergana Valley"
        );
        assert_eq!(input.versions[0].summary, "Summary line.");
        assert_eq!(input.published, "2026-11-02");
        assert!(
            input
                .sources
                .contains(&"https://misp.example/events/7".to_string())
        );
    }

    #[test]
    fn tlp_1_markings_are_understood() {
        let mut r = report();
        r["object_marking_refs"] =
            json!(["marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"]);
        let Taken::Item { input, .. } = take(&[r]).remove(0) else {
            panic!()
        };
        assert_eq!(input.marking, "CLEAR");
    }

    #[test]
    fn what_is_not_taken_says_why() {
        let mut unmarked = report();
        unmarked
            .as_object_mut()
            .unwrap()
            .remove("object_marking_refs");
        let indicator = json!({"type": "indicator", "spec_version": "2.1", "id": "indicator--3a6f5f04-7a36-4d58-9a8c-1f6a2d0e9b13"});
        for o in [unmarked, indicator] {
            let Taken::Refused { reason, .. } = take(&[o]).remove(0) else {
                panic!()
            };
            assert!(!reason.is_empty());
        }
        let tlp = json!({"type": "marking-definition", "spec_version": "2.1", "id": Tlp::Green.stix_marking_id()});
        assert!(matches!(take(&[tlp]).remove(0), Taken::Known { .. }));
    }
}
