//! Library items, members and Accord itself as STIX 2.1 objects.
//!
//! ## Mapping
//!
//! | Accord | STIX |
//! | --- | --- |
//! | a published library item (every kind) | `report`: `name`, `description` (summary and body as plain text), `published`, `lang`, `labels` (themes), `external_references` (the item's page, its sources, its attachments' SHA-256), the facts STIX has no property for in Accord's library extension |
//! | its other language versions | `translations` in the extension (`name`, `description` by language) |
//! | its "not verified" statements | the description's last paragraph, and `unverified` in the extension |
//! | a counter-narrative | the same `report`, its audience, channel and campaign in the extension |
//! | a member | `identity`, `identity_class: organization`: the `created_by_ref` of its items |
//! | the platform (the publisher) | `identity`: the `created_by_ref` of the common list and of the secretariat's items |
//!
//! Why `report` for every kind: STIX's `report` is "a collection of threat
//! intelligence focused on one or more topics" with a name, a publication
//! date and references, which is what a study, a good practice, a
//! dialogue's outcome or a training material is to a MISP or OpenCTI user
//! (both import reports as events/containers). `report_types` is left out:
//! its vocabulary describes cyber threats (`threat-report`, `malware`, …),
//! and none of its words says "research on radicalization"; the item's kind
//! is in the extension instead.
//!
//! Translations and caveats stay inside the report rather than in
//! `language-content` and `note` objects: MISP's STIX importer (misp-stix)
//! knows neither type and reports every one of them as an error, and a
//! caveat kept apart from its report is easily lost on the way.
//!
//! Attachments are named by SHA-256 in `external_references` (with
//! `hashes`) rather than as `artifact` objects: an artifact must carry its
//! bytes or a URL every consumer can fetch, and an attachment is only
//! downloadable by the readers the policy lets in.
//!
//! Ids are UUIDv5 of the item's id *and its audience* ([`Audience::key`]):
//! an item keeps its ids while its marking and sharing stay, its
//! `modified` moving with each approved version; an item marked higher or
//! shared with fewer gets new ids, and the old objects are revoked for the
//! old audience ([`revoked`]).

use accord_core::MemberCode;
use accord_core::tlp::Tlp;
use accord_library::Item;
use accord_library::markdown::plain_text;
use serde_json::{Map, Value, json};

use crate::audience::Audience;
use crate::{stix_id, stix_time};

/// `created` of the objects that never change (the Astana conference).
const FIXED_CREATED: &str = "2015-06-30T00:00:00.000Z";

/// The id of Accord's library extension.
pub fn library_extension_id() -> String {
    stix_id("extension-definition", "library-item")
}

/// The publisher's identity id: the one the common list's bundle uses.
pub fn publisher_id(publisher: &str) -> String {
    stix_id("identity", &format!("publisher:{}", publisher.trim()))
}

/// A member's identity id.
pub fn member_id(code: &MemberCode) -> String {
    stix_id("identity", &format!("member:{}", code.as_str()))
}

/// The publisher's `identity` (the same object the common list's bundle holds).
pub fn publisher_identity(publisher: &str) -> Value {
    json!({
        "type": "identity",
        "spec_version": "2.1",
        "id": publisher_id(publisher),
        "created": FIXED_CREATED,
        "modified": FIXED_CREATED,
        "name": publisher.trim(),
        "identity_class": "organization",
        "object_marking_refs": [Tlp::Clear.stix_marking_id()],
    })
}

/// A member's `identity`. `changed_ms` is when its record last changed.
pub fn member_identity(
    code: &MemberCode,
    name: &str,
    kind: &str,
    publisher: &str,
    created_ms: i64,
    changed_ms: i64,
) -> Value {
    json!({
        "type": "identity",
        "spec_version": "2.1",
        "id": member_id(code),
        "created_by_ref": publisher_id(publisher),
        "created": stix_time(created_ms),
        "modified": stix_time(changed_ms.max(created_ms)),
        "name": name,
        "description": format!("{name}, a member of the partnership ({kind})."),
        "identity_class": "organization",
        "external_references": [{"source_name": "accord", "external_id": format!("member:{}", code.as_str())}],
        "object_marking_refs": [Tlp::Clear.stix_marking_id()],
    })
}

/// The `extension-definition` of the library's property extension.
pub fn library_extension_definition(publisher: &str) -> Value {
    json!({
        "type": "extension-definition",
        "spec_version": "2.1",
        "id": library_extension_id(),
        "created_by_ref": publisher_id(publisher),
        "created": FIXED_CREATED,
        "modified": FIXED_CREATED,
        "name": "Accord library item",
        "description": "Facts of an Accord library item that STIX has no property for.",
        "schema": LIBRARY_EXTENSION_SCHEMA,
        "version": "1.0.0",
        "extension_types": ["property-extension"],
        "object_marking_refs": [Tlp::Clear.stix_marking_id()],
    })
}

/// The plain-text schema of the library extension (also in docs/taxii.md).
pub const LIBRARY_EXTENSION_SCHEMA: &str = "Property extension of report objects made from an Accord library item. \
item_id (integer: the item's number on the platform), version (integer: the approved version), \
kind (string: research, report, good-practice, event, training, counter-narrative), \
countries (list of string: Accord member codes, e.g. KAZ, the item is about), \
commitments (list of string: Joint Plan commitment ids it supports), \
unverified (list of string: statements the item makes that are not verified), \
translations (object: by language code, {name, description} of the item's other language versions), \
counter_narrative (object, counter-narratives only: age, gender, region, at_risk, channel, channel_name, answers, campaign (string), links (list of string)).";

/// What a library item's objects are made from.
#[derive(Debug, Clone)]
pub struct ItemFacts<'a> {
    pub item_id: i64,
    /// The approved version's number and content.
    pub version: u32,
    pub item: &'a Item,
    pub audience: &'a Audience,
    /// When the item was first published (`created`).
    pub created_ms: i64,
    /// When this version was approved (`modified`).
    pub modified_ms: i64,
    /// The identity id of its author's member (or the publisher's).
    pub created_by: String,
    pub attachments: &'a [AttachmentFacts],
    /// The campaign's name, for a counter-narrative in one.
    pub campaign: Option<&'a str>,
    /// How many of the item's ids for this audience were revoked before.
    pub generation: u32,
}

/// An attachment as the report names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentFacts {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

/// The report's id for an item, audience and generation ([`generation_name`]).
pub fn item_report_id(item_id: i64, audience: &Audience, generation: u32) -> String {
    stix_id(
        "report",
        &generation_name(&format!("library:{item_id}:{}", audience.key()), generation),
    )
}

fn description(summary: &str, body: &str) -> String {
    let body = plain_text(body);
    match (summary.trim(), body.trim()) {
        (s, "") => s.to_string(),
        ("", b) => b.to_string(),
        (s, b) => format!("{s}\n\n{b}"),
    }
}

/// A library item's objects: its report.
pub fn item_objects(f: &ItemFacts<'_>) -> Vec<Value> {
    let item = f.item;
    let original = &item.versions[0];
    let id = item_report_id(f.item_id, f.audience, f.generation);
    let created = stix_time(f.created_ms);
    let modified = stix_time(f.modified_ms.max(f.created_ms));
    let marking = [f.audience.marking.stix_marking_id()];
    let published = item
        .published
        .map(|d| format!("{d}T00:00:00.000Z"))
        .unwrap_or_else(|| created.clone());

    let mut references = vec![json!({
        "source_name": "accord",
        "external_id": format!("library:{}", f.item_id),
        "description": format!("Accord library item {}, version {}", f.item_id, f.version),
    })];
    for source in &item.sources {
        let s = source.trim();
        if s.starts_with("https://") || s.starts_with("http://") {
            references.push(json!({"source_name": "source", "url": s}));
        } else if !s.is_empty() {
            references.push(json!({"source_name": "source", "description": s}));
        }
    }
    for a in f.attachments {
        references.push(json!({
            "source_name": "accord-attachment",
            "external_id": format!("attachment:{}", a.id),
            "description": format!("{} ({}, {} bytes)", a.file_name, a.content_type, a.size),
            "hashes": {"SHA-256": a.sha256},
        }));
    }

    let mut extension = Map::new();
    extension.insert("extension_type".into(), json!("property-extension"));
    extension.insert("item_id".into(), json!(f.item_id));
    extension.insert("version".into(), json!(f.version));
    extension.insert("kind".into(), json!(item.kind.as_str()));
    if !item.countries.is_empty() {
        extension.insert(
            "countries".into(),
            json!(
                item.countries
                    .iter()
                    .map(MemberCode::as_str)
                    .collect::<Vec<_>>()
            ),
        );
    }
    if !item.commitments.is_empty() {
        extension.insert("commitments".into(), json!(item.commitments));
    }
    if !item.unverified.is_empty() {
        extension.insert("unverified".into(), json!(item.unverified));
    }
    if item.versions.len() > 1 {
        let translations: Map<String, Value> = item.versions[1..]
            .iter()
            .map(|v| {
                (
                    v.lang.clone(),
                    json!({"name": v.title, "description": description(&v.summary, &v.body)}),
                )
            })
            .collect();
        extension.insert("translations".into(), Value::Object(translations));
    }
    if let Some(c) = &item.counter {
        let mut counter = json!({
            "age": c.audience.age.as_str(),
            "gender": c.audience.gender.as_str(),
            "channel": c.channel.as_str(),
        });
        for (key, value) in [
            ("region", &c.audience.region),
            ("at_risk", &c.audience.at_risk),
            ("channel_name", &c.channel_name),
            ("answers", &c.answers),
        ] {
            if !value.trim().is_empty() {
                counter[key] = json!(value);
            }
        }
        if let Some(name) = f.campaign {
            counter["campaign"] = json!(name);
        }
        if !c.links.is_empty() {
            counter["links"] = json!(c.links);
        }
        extension.insert("counter_narrative".into(), counter);
    }

    // A report must reference something: the members it is about, else its author.
    let mut object_refs: Vec<String> = item.countries.iter().map(member_id).collect();
    if object_refs.is_empty() {
        object_refs.push(f.created_by.clone());
    }
    let mut report = json!({
        "type": "report",
        "spec_version": "2.1",
        "id": id,
        "created_by_ref": f.created_by,
        "created": created,
        "modified": modified,
        "name": original.title,
        "published": published,
        "object_refs": object_refs,
        "lang": original.lang,
        "external_references": references,
        "object_marking_refs": marking,
        "extensions": { library_extension_id(): Value::Object(extension) },
    });
    let mut text = description(&original.summary, &original.body);
    if !item.unverified.is_empty() {
        text.push_str(&format!(
            "{}Not verified: {}",
            if text.is_empty() { "" } else { "\n\n" },
            item.unverified.join("; ")
        ));
    }
    if !text.is_empty() {
        report["description"] = json!(text);
    }
    if !item.themes.is_empty() {
        report["labels"] = json!(item.themes);
    }

    vec![report]
}

/// What a member's Joint Plan report's object is made from (its latest
/// submitted version).
#[derive(Debug, Clone)]
pub struct PlanReportFacts<'a> {
    /// The reporting round (`2026-h1`).
    pub round: &'a str,
    pub member: &'a MemberCode,
    pub member_name: &'a str,
    /// The commitment reported on (`astana2015.conclusion.3`).
    pub commitment: &'a str,
    /// The member's status for it (`in-progress`, …).
    pub status: &'a str,
    pub narrative: &'a str,
    /// Indicators as the report shows them ("Imams trained: 120 people").
    pub indicators: Vec<String>,
    /// Evidence: a title with a URL, or a file's name and SHA-256.
    pub evidence: Vec<PlanEvidence<'a>>,
    pub audience: &'a Audience,
    /// When the report was first drafted (`created`).
    pub created_ms: i64,
    /// When this version was submitted (`modified`, `published`).
    pub modified_ms: i64,
    pub version: u32,
    /// How many of its ids for this audience were revoked before.
    pub generation: u32,
}

/// One piece of a plan report's evidence.
#[derive(Debug, Clone)]
pub enum PlanEvidence<'a> {
    Link {
        title: &'a str,
        url: &'a str,
    },
    File {
        title: &'a str,
        name: &'a str,
        sha256: &'a str,
    },
}

/// The report's id for a plan report, audience and generation.
pub fn plan_report_id(
    round: &str,
    member: &MemberCode,
    commitment: &str,
    audience: &Audience,
    generation: u32,
) -> String {
    let base = format!(
        "plan:{round}:{}:{commitment}:{}",
        member.as_str(),
        audience.key()
    );
    stix_id("report", &generation_name(&base, generation))
}

/// A member's Joint Plan report as a STIX `report`, made by the member's
/// identity. `report_types` is left out, as for library items: none of the
/// vocabulary's words is "progress on a commitment", and a word outside it
/// fails OASIS's validator in strict mode (check 218); the status is a
/// label (`joint-plan-status:in_progress`).
pub fn plan_report_object(f: &PlanReportFacts<'_>) -> Value {
    let mut references = vec![json!({
        "source_name": "accord-joint-plan",
        "external_id": format!("{}:{}:{}", f.round, f.member.as_str(), f.commitment),
        "description": format!("Joint Plan commitment {}, round {}, version {}", f.commitment, f.round, f.version),
    })];
    for e in &f.evidence {
        references.push(match e {
            PlanEvidence::Link { title, url } => json!({"source_name": "evidence", "url": url, "description": title}),
            PlanEvidence::File { title, name, sha256 } => json!({
                "source_name": "evidence",
                "description": if title.is_empty() { name.to_string() } else { format!("{title} ({name})") },
                "hashes": {"SHA-256": sha256},
            }),
        });
    }
    let mut description = format!("Status: {}.", f.status);
    if !f.narrative.trim().is_empty() {
        description.push_str("\n\n");
        description.push_str(f.narrative.trim());
    }
    if !f.indicators.is_empty() {
        description.push_str("\n\nIndicators:\n- ");
        description.push_str(&f.indicators.join("\n- "));
    }
    let modified = stix_time(f.modified_ms.max(f.created_ms));
    json!({
        "type": "report",
        "spec_version": "2.1",
        "id": plan_report_id(f.round, f.member, f.commitment, f.audience, f.generation),
        "created_by_ref": member_id(f.member),
        "created": stix_time(f.created_ms),
        "modified": modified,
        "name": format!("{}: Joint Plan report on {}, {}", f.member_name, f.commitment, f.round),
        "description": description,
        "published": modified,
        "labels": [format!("joint-plan-status:{}", f.status)],
        "object_refs": [member_id(f.member)],
        "external_references": references,
        "object_marking_refs": [f.audience.marking.stix_marking_id()],
    })
}

/// The revoked version of an object: how a removal reaches a TAXII
/// consumer (TAXII has no deletion feed). It keeps only what names the
/// object and what its type requires, with a placeholder name: what was
/// taken back (a withdrawn study, a delisted person's details) is no longer
/// served, only that it is gone. `modified_ms` is when it was taken back;
/// the revoked version is always later than the one it ends.
pub fn revoked(object: &Value, modified_ms: i64) -> Value {
    const KEPT: [&str; 10] = [
        "type",
        "spec_version",
        "id",
        "created",
        "created_by_ref",
        "object_marking_refs",
        "relationship_type",
        "source_ref",
        "target_ref",
        "published",
    ];
    let mut o = Map::new();
    for key in KEPT {
        if let Some(v) = object.get(key) {
            o.insert(key.to_string(), v.clone());
        }
    }
    match object["type"].as_str() {
        Some("report") => {
            o.insert("name".into(), json!("(revoked)"));
            // The ids it named, without their content.
            o.insert("object_refs".into(), object["object_refs"].clone());
        }
        Some("note") => {
            o.insert("content".into(), json!("(revoked)"));
            o.insert("object_refs".into(), object["object_refs"].clone());
        }
        Some("relationship") => {}
        _ => {
            o.insert("name".into(), json!("(revoked)"));
        }
    }
    let previous = object["modified"]
        .as_str()
        .and_then(crate::parse_timestamp)
        .map_or(i64::MIN, |us| us / 1_000);
    o.insert(
        "modified".into(),
        json!(stix_time(modified_ms.max(previous + 1))),
    );
    o.insert("revoked".into(), json!(true));
    Value::Object(o)
}

/// The name an object made of `base` gets in its `generation`: 0 until its
/// first id is revoked, then one more each time. A revoked STIX id is final
/// (consumers delete or freeze it), so what comes back after a revocation
/// (an item re-marked back, a subject listed again) must be a new object.
pub fn generation_name(base: &str, generation: u32) -> String {
    if generation == 0 {
        base.to_string()
    } else {
        format!("{base}:generation-{generation}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audience::Reach;
    use accord_library::{Kind, LanguageVersion, SharedWith};

    mod tests_support {
        use super::*;
        pub fn item() -> Item {
            Item {
                kind: Kind::Research,
                marking: Tlp::Green,
                shared_with: SharedWith::Platform,
                versions: vec![
                    LanguageVersion {
                        lang: "en".into(),
                        title: "Drivers of radicalization in prisons".into(),
                        summary: "What pushes inmates towards violent groups.".into(),
                        body: "## Findings\n\nOvercrowding matters.".into(),
                    },
                    LanguageVersion {
                        lang: "ru".into(),
                        title: "Факторы радикализации в тюрьмах".into(),
                        summary: "Что толкает заключённых к насильственным группам.".into(),
                        body: String::new(),
                    },
                ],
                countries: [MemberCode::parse("kaz").unwrap()].into(),
                themes: ["prisons".to_string()].into(),
                published: None,
                commitments: Default::default(),
                sources: vec!["https://www.osce.org/".into()],
                unverified: vec!["The survey's sample size".into()],
                counter: None,
            }
        }
    }

    fn facts<'a>(item: &'a Item, audience: &'a Audience) -> ItemFacts<'a> {
        ItemFacts {
            item_id: 12,
            version: 3,
            item,
            audience,
            created_ms: 1_700_000_000_000,
            modified_ms: 1_700_000_500_000,
            created_by: member_id(&MemberCode::parse("kgz").unwrap()),
            attachments: &[],
            campaign: None,
            generation: 0,
        }
    }

    #[test]
    fn an_item_is_a_report_with_its_marking_and_creator() {
        let item = tests_support::item();
        let audience = Audience {
            marking: Tlp::Green,
            owner: MemberCode::parse("kgz").ok(),
            reach: Reach::Platform,
        };
        let objects = item_objects(&facts(&item, &audience));
        let report = &objects[0];
        assert_eq!(report["type"], "report");
        assert_eq!(
            report["object_marking_refs"][0],
            Tlp::Green.stix_marking_id()
        );
        assert_eq!(
            report["created_by_ref"],
            member_id(&MemberCode::parse("kgz").unwrap())
        );
        assert_eq!(report["modified"], "2023-11-14T22:21:40.000Z");
        assert!(report["extensions"][library_extension_id()]["kind"].is_string());
        assert!(
            objects
                .iter()
                .all(|o| o["object_marking_refs"][0] == Tlp::Green.stix_marking_id())
        );
    }

    #[test]
    fn ids_stay_with_the_audience_and_change_with_it() {
        let item = tests_support::item();
        let green = Audience {
            marking: Tlp::Green,
            owner: None,
            reach: Reach::Platform,
        };
        let amber = Audience {
            marking: Tlp::Amber,
            ..green.clone()
        };
        let a = item_objects(&facts(&item, &green));
        let b = item_objects(&facts(&item, &green));
        let c = item_objects(&facts(&item, &amber));
        assert_eq!(a[0]["id"], b[0]["id"]);
        assert_ne!(a[0]["id"], c[0]["id"]);
    }

    #[test]
    fn a_revoked_version_is_later_than_the_one_it_ends() {
        let item = tests_support::item();
        let audience = Audience::public();
        let report = item_objects(&facts(&item, &audience)).remove(0);
        let gone = revoked(&report, 0);
        assert_eq!(gone["revoked"], true);
        assert_eq!(gone["modified"], "2023-11-14T22:21:40.001Z");
        assert_eq!(gone["id"], report["id"]);
        assert_eq!(gone["name"], "(revoked)");
        for taken in [
            "description",
            "extensions",
            "external_references",
            "labels",
            "lang",
        ] {
            assert!(
                gone.get(taken).is_none(),
                "{taken} is not served once revoked"
            );
        }
    }

    #[test]
    fn a_new_generation_is_a_new_id() {
        let audience = Audience::public();
        assert_ne!(
            item_report_id(3, &audience, 0),
            item_report_id(3, &audience, 1)
        );
        assert_eq!(
            item_report_id(3, &audience, 1),
            item_report_id(3, &audience, 1)
        );
    }

    #[test]
    fn the_publisher_identity_is_the_common_lists() {
        // The same UUIDv5 the list's bundle gives its publisher (accord-exports).
        let root = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, b"urn:accord:stix");
        let expected = uuid::Uuid::new_v5(&root, b"publisher:Accord");
        assert_eq!(publisher_id("Accord"), format!("identity--{expected}"));
    }
}
