//! The TAXII server's projection: what the library, the published common
//! list and the member directory hold, appended to the store's STIX object
//! feed as new object versions (and revoked versions for what was taken
//! back).
//!
//! It runs before every TAXII request, under one lock per node, and only
//! reads what changed since the marks kept in the database: the library's
//! change feed number and the last list version projected. Every node may
//! run it: a version already stored is skipped (same id and `modified`),
//! and `modified` is derived from the stored records, so two nodes make the
//! same versions.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use accord_core::tlp::Tlp;
use accord_exports::stix::accord_extension_definition;
use accord_library::Status;
use accord_store::library::ItemRecord;
use accord_store::taxii::NewObject;
use accord_store::{Store, StoreError, now_ms};
use accord_taxii::audience::{Audience, Reach};
use accord_taxii::objects::{
    AttachmentFacts, ItemFacts, item_objects, library_extension_definition, member_id,
    member_identity, publisher_id, publisher_identity, revoked,
};
use serde_json::Value;
use tokio::sync::Mutex;

use crate::publication::{PUBLISHER, stix_bundle};

/// The list's objects a new version can take back (its reports stay: each
/// describes its own version).
const LIST_SUBJECT_TYPES: [&str; 3] = ["threat-actor", "identity", "relationship"];

/// Library items projected per store transaction.
const LIBRARY_BATCH: i64 = 200;

/// How often a node looks at the member directory (names rarely change).
const MEMBERS_EVERY: Duration = Duration::from_secs(5);

#[derive(Default)]
pub struct Projector {
    /// When this node last looked at the members (`None`: never).
    state: Mutex<Option<Instant>>,
}

fn object(body: Value, source: &str, audience: Audience) -> NewObject {
    let modified = body
        .get("modified")
        .or_else(|| body.get("created"))
        .and_then(Value::as_str)
        .and_then(accord_taxii::parse_timestamp)
        .map_or(0, |us| us / 1_000);
    NewObject {
        stix_id: body["id"].as_str().unwrap_or_default().to_string(),
        stix_type: body["type"].as_str().unwrap_or_default().to_string(),
        modified_ms: modified,
        revoked: body.get("revoked").and_then(Value::as_bool) == Some(true),
        source: source.to_string(),
        audience,
        body: body.to_string(),
    }
}

/// The audience of a list object: its TLP marking, shared platform-wide.
fn marked_audience(body: &Value) -> Audience {
    let marking = body["object_marking_refs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m.as_str().and_then(accord_taxii::inbound::tlp_of_marking))
        .max()
        .unwrap_or(Tlp::Clear);
    Audience {
        marking,
        owner: None,
        reach: Reach::Platform,
    }
}

impl Projector {
    /// Brings the feed up to what the store holds now.
    pub async fn sync(&self, store: &Store) -> Result<(), StoreError> {
        let mut members_seen = self.state.lock().await;
        if members_seen.is_none() {
            project_context(store).await?;
        }
        if members_seen.is_none_or(|t| t.elapsed() >= MEMBERS_EVERY) {
            project_members(store).await?;
            project_plan_reports(store).await?;
            *members_seen = Some(Instant::now());
        }
        project_list(store).await?;
        project_library(store).await?;
        Ok(())
    }
}

/// The objects every collection carries: the publisher and Accord's two
/// extension definitions. The TLP 2.0 marking definitions are not served:
/// their ids are fixed and known to every consumer, and importers
/// (misp-stix) put each definition a bundle holds on all its events, so a
/// TLP:RED definition beside CLEAR objects would mark them RED.
async fn project_context(store: &Store) -> Result<(), StoreError> {
    let objects: Vec<NewObject> = [
        publisher_identity(PUBLISHER),
        library_extension_definition(PUBLISHER),
        accord_extension_definition(PUBLISHER),
    ]
    .into_iter()
    .map(|o| object(o, "meta", Audience::everyone()))
    .collect();
    store.taxii_append(&objects, None).await?;
    Ok(())
}

/// When the members' identities were first made: 2015-06-30, the Astana conference.
pub(crate) const FOUNDED: i64 = 1_435_622_400_000;

/// Each member's identity; a new version when its name changes.
async fn project_members(store: &Store) -> Result<(), StoreError> {
    let mut objects = Vec::new();
    for m in store.members().await? {
        let source = format!("member:{}", m.code.as_str());
        let stored = store.taxii_latest(&source).await?;
        let mut identity = member_identity(
            &m.code,
            &m.name,
            m.kind.as_str(),
            PUBLISHER,
            FOUNDED,
            FOUNDED,
        );
        if let Some(last) = stored.first() {
            let last: Value = serde_json::from_str(&last.body).unwrap_or_default();
            if last["name"] == identity["name"] && last["description"] == identity["description"] {
                continue;
            }
            identity = member_identity(
                &m.code,
                &m.name,
                m.kind.as_str(),
                PUBLISHER,
                FOUNDED,
                now_ms(),
            );
        }
        objects.push(object(identity, &source, Audience::everyone()));
    }
    if !objects.is_empty() {
        store.taxii_append(&objects, None).await?;
    }
    Ok(())
}

/// Members' Joint Plan reports, each as its latest submitted version (TLP
/// permitting: the audience is the report's marking, shared platform-wide,
/// as the plan's pages show reports). Read with the members, every few
/// seconds: a new submission or correction is a new version; a correction
/// that marks a report anew revokes it for the old audience.
async fn project_plan_reports(store: &Store) -> Result<(), StoreError> {
    use accord_plan::report::Evidence;
    use accord_taxii::objects::{PlanEvidence, PlanReportFacts, plan_report_object};
    let names: std::collections::BTreeMap<_, _> = store
        .members()
        .await?
        .into_iter()
        .map(|m| (m.code, m.name))
        .collect();
    let stored: std::collections::BTreeMap<String, Vec<accord_store::taxii::StoredObject>> = {
        let mut by_source = std::collections::BTreeMap::<String, Vec<_>>::new();
        for o in store.taxii_latest_like("plan:").await? {
            by_source.entry(o.source.clone()).or_default().push(o);
        }
        by_source
    };
    let mut objects = Vec::new();
    for report in store.plan_reports(None).await? {
        let source = format!(
            "plan:{}:{}:{}",
            report.round.as_str(),
            report.member.as_str(),
            report.commitment.as_str()
        );
        let mut live = None;
        let before = stored.get(&source).map(Vec::as_slice).unwrap_or_default();
        let revoked_ids: BTreeSet<&str> = before
            .iter()
            .filter(|o| o.revoked)
            .map(|o| o.stix_id.as_str())
            .collect();
        if let Some(v) = report.latest_submitted()
            && let Some(submitted) = &v.submitted
        {
            let c = &v.content;
            let audience = Audience {
                marking: c.tlp,
                owner: Some(report.member.clone()),
                reach: Reach::Platform,
            };
            let generation = next_generation(&revoked_ids, |g| {
                accord_taxii::objects::plan_report_id(
                    report.round.as_str(),
                    &report.member,
                    report.commitment.as_str(),
                    &audience,
                    g,
                )
            });
            let ms = |t: time::OffsetDateTime| (t.unix_timestamp_nanos() / 1_000_000) as i64;
            let facts = PlanReportFacts {
                round: report.round.as_str(),
                member: &report.member,
                member_name: names
                    .get(&report.member)
                    .map_or(report.member.as_str(), String::as_str),
                commitment: report.commitment.as_str(),
                status: c.status.as_str(),
                narrative: &c.narrative,
                indicators: c.indicators.iter().map(|i| i.display()).collect(),
                evidence: c
                    .evidence
                    .iter()
                    .map(|e| match e {
                        Evidence::Link { url, title } => PlanEvidence::Link { title, url },
                        Evidence::File {
                            name,
                            sha256,
                            title,
                        } => PlanEvidence::File {
                            title,
                            name,
                            sha256,
                        },
                    })
                    .collect(),
                audience: &audience,
                created_ms: ms(report.versions()[0].created_at),
                modified_ms: ms(submitted.at),
                version: v.number,
                generation,
            };
            live = Some(object(plan_report_object(&facts), &source, audience));
        }
        for old in before {
            let still = live.as_ref().is_some_and(|l| l.stix_id == old.stix_id);
            if old.revoked || still {
                continue;
            }
            let (Some(audience), Ok(body)) = (
                old.audience.clone(),
                serde_json::from_str::<Value>(&old.body),
            ) else {
                continue;
            };
            let at = live.as_ref().map_or_else(now_ms, |l| l.modified_ms);
            objects.push(object(revoked(&body, at), &source, audience));
        }
        if let Some(l) = live
            && !before
                .iter()
                .any(|o| o.stix_id == l.stix_id && o.modified_ms == l.modified_ms)
        {
            objects.push(l);
        }
    }
    if !objects.is_empty() {
        store.taxii_append(&objects, None).await?;
    }
    Ok(())
}

/// Each published list version not projected yet, in order; subjects a
/// version no longer holds are revoked in it.
async fn project_list(store: &Store) -> Result<(), StoreError> {
    let mark = store.taxii_mark("list").await?;
    let current = store.current_list_version().await?.unwrap_or(0);
    for number in mark + 1..=current {
        let version = store.published_list_alone(Some(number)).await?;
        let bundle = stix_bundle(&version).map_err(|e| StoreError::Conflict(e.to_string()))?;
        let stored = store.taxii_latest("list").await?;
        let revoked_ids: BTreeSet<&str> = stored
            .iter()
            .filter(|o| o.revoked)
            .map(|o| o.stix_id.as_str())
            .collect();
        let mut served: Vec<Value> = bundle["objects"]
            .as_array()
            .into_iter()
            .flatten()
            // Marking definitions are not served; the publisher is the context's.
            .filter(|o| o["type"] != "marking-definition" && o["id"] != publisher_id(PUBLISHER))
            .cloned()
            .collect();
        // A subject listed again after it was delisted (its id revoked) is a
        // new object, and what names it names the new one.
        let mut renamed = std::collections::BTreeMap::new();
        for o in &served {
            let (Some(id), Some(kind)) = (o["id"].as_str(), o["type"].as_str()) else {
                continue;
            };
            if revoked_ids.contains(id) {
                let id_of = |g: u32| match g {
                    0 => id.to_string(),
                    g => {
                        accord_taxii::stix_id(kind, &accord_taxii::objects::generation_name(id, g))
                    }
                };
                renamed.insert(id.to_string(), id_of(next_generation(&revoked_ids, id_of)));
            }
        }
        for o in &mut served {
            rename_refs(o, &renamed);
        }
        let mut objects = Vec::new();
        let mut present = BTreeSet::new();
        for o in served {
            present.insert(o["id"].as_str().unwrap_or_default().to_string());
            let audience = marked_audience(&o);
            objects.push(object(o, "list", audience));
        }
        for gone in stored {
            if gone.revoked
                || present.contains(&gone.stix_id)
                || !LIST_SUBJECT_TYPES.contains(&gone.stix_type.as_str())
            {
                continue;
            }
            let body: Value = serde_json::from_str(&gone.body).unwrap_or_default();
            if let Some(audience) = gone.audience {
                objects.push(object(
                    revoked(&body, version.version.created_at),
                    "list",
                    audience,
                ));
            }
        }
        store.taxii_append(&objects, Some(("list", number))).await?;
    }
    Ok(())
}

/// Library items changed since the last projection.
async fn project_library(store: &Store) -> Result<(), StoreError> {
    let mut mark = store.taxii_mark("library").await?;
    loop {
        if store.library_seq().await? <= mark {
            return Ok(());
        }
        let (changes, through) = store.library_changes(mark, LIBRARY_BATCH).await?;
        let mut objects = Vec::new();
        for (id, _, _) in &changes {
            let record = store.library_item(*id).await?;
            objects.extend(item_versions(store, &record).await?);
        }
        store
            .taxii_append(&objects, Some(("library", through)))
            .await?;
        if through <= mark {
            return Ok(());
        }
        mark = through;
    }
}

/// The report a published, not withdrawn item is served as, with its
/// audience (`None` while it has none, or once withdrawn): the one mapping
/// of `accord_taxii::objects`, its facts read from the store, its id of the
/// first generation not revoked. The TAXII feed and the library's STIX
/// download both serve this, so a consumer of both gets one object.
pub(crate) async fn item_report(
    store: &Store,
    r: &ItemRecord,
    revoked_ids: &BTreeSet<&str>,
) -> Result<Option<(Value, Audience)>, StoreError> {
    let Some(published) = r
        .published
        .as_ref()
        .filter(|_| r.status != Status::Withdrawn)
    else {
        return Ok(None);
    };
    let item = &published.item;
    let audience = Audience::of_item(&item.shared(), r.owner.as_ref());
    let attachments: Vec<AttachmentFacts> = store
        .library_attachments(r.id, published.number)
        .await?
        .into_iter()
        .map(|a| AttachmentFacts {
            id: a.id,
            file_name: a.file_name,
            content_type: a.content_type,
            size: a.size,
            sha256: a.sha256,
        })
        .collect();
    let campaign = match item.counter.as_ref().and_then(|c| c.campaign) {
        Some(id) => Some(store.campaign(id).await?.name),
        None => None,
    };
    let generation = next_generation(revoked_ids, |g| {
        accord_taxii::objects::item_report_id(r.id, &audience, g)
    });
    let facts = ItemFacts {
        item_id: r.id,
        version: published.number,
        item,
        audience: &audience,
        created_ms: r.created_at,
        modified_ms: published.created_at,
        created_by: r
            .owner
            .as_ref()
            .map_or_else(|| publisher_id(PUBLISHER), member_id),
        attachments: &attachments,
        campaign: campaign.as_deref(),
        generation,
    };
    Ok(item_objects(&facts)
        .into_iter()
        .next()
        .map(|report| (report, audience)))
}

/// The ids among `stored` that were revoked.
pub(crate) fn revoked_ids(stored: &[accord_store::taxii::StoredObject]) -> BTreeSet<&str> {
    stored
        .iter()
        .filter(|o| o.revoked)
        .map(|o| o.stix_id.as_str())
        .collect()
}

/// The versions an item's change adds: its published version's objects
/// (none while it has none, or once withdrawn), and revoked versions of
/// the objects it no longer has (withdrawn, or marked or shared anew).
async fn item_versions(store: &Store, r: &ItemRecord) -> Result<Vec<NewObject>, StoreError> {
    let source = format!("library:{}", r.id);
    let stored = store.taxii_latest(&source).await?;
    let current: Vec<NewObject> = item_report(store, r, &revoked_ids(&stored))
        .await?
        .map(|(report, audience)| object(report, &source, audience))
        .into_iter()
        .collect();
    let live: BTreeSet<&str> = current.iter().map(|o| o.stix_id.as_str()).collect();
    let mut out = Vec::new();
    for stored in &stored {
        if stored.revoked || live.contains(stored.stix_id.as_str()) {
            continue;
        }
        let (Some(audience), Ok(body)) = (
            stored.audience.clone(),
            serde_json::from_str::<Value>(&stored.body),
        ) else {
            continue;
        };
        out.push(object(revoked(&body, r.updated_at), &source, audience));
    }
    out.extend(current);
    Ok(out)
}

/// Gives an object the new ids of the objects it names (and its own).
fn rename_refs(o: &mut Value, renamed: &std::collections::BTreeMap<String, String>) {
    if renamed.is_empty() {
        return;
    }
    let rename = |v: &mut Value| {
        if let Some(new) = v.as_str().and_then(|s| renamed.get(s)) {
            *v = Value::String(new.clone());
        }
    };
    for key in ["id", "source_ref", "target_ref", "created_by_ref"] {
        if let Some(v) = o.get_mut(key) {
            rename(v);
        }
    }
    if let Some(Value::Array(refs)) = o.get_mut("object_refs") {
        refs.iter_mut().for_each(rename);
    }
}

/// The first generation whose id (`id_of`) was never revoked.
fn next_generation(revoked: &BTreeSet<&str>, id_of: impl Fn(u32) -> String) -> u32 {
    (0..)
        .find(|g| !revoked.contains(id_of(*g).as_str()))
        .expect("some generation is free")
}
