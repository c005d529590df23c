//! The library as STIX 2.1 downloads: one item's published version, or
//! what a search finds (the CSV export's filters), as a bundle.
//!
//! The objects are the TAXII server's (`crate::taxii_sync::item_report`,
//! `accord_taxii::objects`): the same report, with the same id, that a
//! TAXII client receives for the item, made by its member's identity,
//! marked by its TLP 2.0 marking-definition ref, with Accord's library
//! extension. A bundle carries what its reports name: the publisher's and
//! the members' identities and the extension's definition. As on the TAXII
//! server, the TLP marking definitions themselves are not in it (their ids
//! are fixed and every consumer knows them, and MISP's importer puts every
//! definition a bundle holds on all of its events).
//!
//! Who gets what is the one rule: an item is in a download only if the
//! reader may read its published version (`super::library::published_for`,
//! through `accord_library::workflow::may_read`), and it is neither a
//! draft nor withdrawn. Every download is audited, with the id, version and
//! marking of each item not TLP:CLEAR.

use std::collections::BTreeSet;

use accord_core::tlp::Tlp;
use accord_store::library::ItemRecord;
use accord_taxii::STIX_MEDIA_TYPE;
use accord_taxii::objects::{library_extension_definition, member_identity, publisher_identity};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::library::{SearchParams, export_hits, published_for, readable};
use crate::context::Ctx;
use crate::error::WebError;
use crate::publication::PUBLISHER;
use crate::state::AppState;
use crate::taxii_sync::{FOUNDED, item_report, revoked_ids};

/// An item's report as the TAXII feed serves it (its id of the feed's
/// generation), or `None` when it has no published version to serve.
async fn report_of(state: &AppState, r: &ItemRecord) -> Result<Option<Value>, WebError> {
    let stored = state
        .store
        .taxii_latest(&format!("library:{}", r.id))
        .await?;
    Ok(item_report(&state.store, r, &revoked_ids(&stored))
        .await?
        .map(|(report, _)| report))
}

/// A bundle of `reports` with what they name: the publisher, the members
/// whose identities they reference (as the TAXII feed has them), the
/// library extension's definition.
async fn bundle(state: &AppState, reports: Vec<Value>) -> Result<Value, WebError> {
    let named: BTreeSet<String> = reports
        .iter()
        .flat_map(|r| {
            let refs = r["object_refs"].as_array().cloned().unwrap_or_default();
            refs.into_iter().chain([r["created_by_ref"].clone()])
        })
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    let mut objects = vec![
        publisher_identity(PUBLISHER),
        library_extension_definition(PUBLISHER),
    ];
    for m in state.store.members().await? {
        let id = accord_taxii::objects::member_id(&m.code);
        if !named.contains(&id) {
            continue;
        }
        // The version the feed serves, so that a consumer of both has one
        // object per id and `modified`; the first version before any.
        let served = state
            .store
            .taxii_latest(&format!("member:{}", m.code.as_str()))
            .await?
            .into_iter()
            .find_map(|o| serde_json::from_str::<Value>(&o.body).ok());
        objects.push(served.unwrap_or_else(|| {
            member_identity(
                &m.code,
                &m.name,
                m.kind.as_str(),
                PUBLISHER,
                FOUNDED,
                FOUNDED,
            )
        }));
    }
    objects.extend(reports);
    let id = accord_taxii::accord_uuid(&accord_store::credentials::random_secret());
    Ok(json!({ "type": "bundle", "id": format!("bundle--{id}"), "objects": objects }))
}

/// What the audit keeps of an exported item: its id, version and marking
/// (`None` for TLP:CLEAR, whose reads are not audited one by one).
fn audited(r: &ItemRecord) -> Option<Value> {
    let v = r.published.as_ref()?;
    (v.item.marking != Tlp::Clear)
        .then(|| json!({ "item": r.id, "version": v.number, "marking": v.item.marking }))
}

fn download(name: &str, bundle: &Value) -> Result<Response, WebError> {
    let bytes = serde_json::to_vec_pretty(bundle).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(crate::files::attachment(name, STIX_MEDIA_TYPE, bytes))
}

/// `GET /api/library/items/{id}/stix`: the item's published version as a
/// bundle; 404 when the reader may not read it, and when it has no
/// published version (a draft, a withdrawn item).
pub async fn item_stix(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let r = readable(&state, &ctx, id).await?;
    let no_version = || WebError::NotFound(format!("a published version of library item {id}"));
    if !published_for(&state, &ctx, &r) {
        return Err(no_version());
    }
    let report = report_of(&state, &r).await?.ok_or_else(no_version)?;
    let bundle = bundle(&state, vec![report]).await?;
    state
        .store
        .audit_library_read(
            &ctx.actor(),
            "library.export",
            format!("library:{id}"),
            json!({ "format": "stix", "items": audited(&r).into_iter().collect::<Vec<_>>() }),
        )
        .await?;
    download(&format!("library-{id}.stix.json"), &bundle)
}

/// `GET /api/library/export.stix`: what the search with these filters
/// finds, as one bundle (the CSV export's filters and rights).
pub async fn export_stix(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<SearchParams>,
) -> Result<Response, WebError> {
    let mut reports = Vec::new();
    let mut marked = Vec::new();
    for id in export_hits(&state, &ctx, &params).await? {
        let r = state.store.library_item(id).await?;
        // The record as stored now decides, as for the CSV export.
        if !published_for(&state, &ctx, &r) {
            continue;
        }
        if let Some(report) = report_of(&state, &r).await? {
            reports.push(report);
            marked.extend(audited(&r));
        }
    }
    let bundle = bundle(&state, reports).await?;
    state
        .store
        .audit_library_read(
            &ctx.actor(),
            "library.export",
            "library".into(),
            json!({ "format": "stix", "q": params.q, "items": marked }),
        )
        .await?;
    download("library.stix.json", &bundle)
}
