//! The published common list: public, as its reasons are. The current
//! version and any past one, their differences, and exports in the formats
//! other tools read, with ETags for caching.

use accord_core::Action;
use accord_exports::content_hash;
use accord_lists::{EntryName, ListEntry, NameKind, NameQuality};
use accord_store::common_list::{ListVersion, PublishedEntry, PublishedVersion};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;

use crate::context::Ctx;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::publication::ExportFormat;
use crate::render::{format_ms, page};
use crate::state::AppState;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    q: String,
    version: Option<i64>,
}

fn matches(entry: &PublishedEntry, q: &str) -> bool {
    let q = q.trim().to_lowercase();
    q.is_empty()
        || entry.public_id.to_lowercase().contains(&q)
        || entry
            .entry
            .names
            .iter()
            .any(|n| n.text.to_lowercase().contains(&q))
        || entry
            .un_reference
            .as_deref()
            .is_some_and(|r| r.to_lowercase().contains(&q))
}

fn relation_text(l: Lang, relation: &str) -> String {
    match relation {
        "member_of" => l.t("proposals.rel_member_of").to_string(),
        "sponsor_of" => l.t("proposals.rel_sponsor_of").to_string(),
        "leader_of" => l.t("proposals.rel_leader_of").to_string(),
        "alias_of" => l.t("proposals.rel_alias_of").to_string(),
        other => other.replace('_', " "),
    }
}

/// A name with what is known of it: kind, script, language, weak quality.
pub(crate) fn name_line(l: Lang, n: &EntryName) -> Markup {
    let kind = match n.kind {
        NameKind::Primary => None,
        NameKind::Alias => Some(l.t("proposals.nk_alias")),
        NameKind::FormerName => Some(l.t("proposals.nk_former")),
        NameKind::OriginalScript => Some(l.t("proposals.original_script")),
    };
    let notes: Vec<&str> = kind
        .into_iter()
        .chain(n.script.as_deref())
        .chain(n.language.as_deref())
        .chain((n.quality == NameQuality::Weak).then(|| l.t("list.weak")))
        .collect();
    html! {
        span lang=[n.language.as_deref()] { (n.text) }
        @if !notes.is_empty() { " " span.muted { "(" (notes.join(", ")) ")" } }
    }
}

/// The identifying facts of an entry beyond its names: birth dates and
/// places, nationalities, documents, addresses and links to other subjects.
pub(crate) fn entry_facts(l: Lang, e: &ListEntry) -> Markup {
    html! {
        @for d in &e.birth_dates { (l.t("list.born")) " " (d.original) br; }
        @for p in &e.birth_places { (l.t("list.born_in")) " " (p) br; }
        @if !e.nationalities.is_empty() { (l.t("list.nationality")) " " (e.nationalities.join(", ")) br; }
        @for d in &e.documents {
            (d.kind) " " code { (d.number) }
            @if let Some(c) = &d.country { " (" (c) ")" }
            @if let Some(n) = &d.note { " — " (n) }
            br;
        }
        @for a in &e.addresses { (l.t("list.address")) " " (a.full()) br; }
        @for k in &e.links {
            (relation_text(l, &k.relation)) " "
            @if let Some(r) = &k.target_reference { a href={ "/list?q=" (crate::render::url_encode(r)) } { code { (r) } } " " }
            @if let Some(n) = &k.target_name { (n) }
            br;
        }
    }
}

fn entries_table(l: Lang, entries: &[&PublishedEntry]) -> Markup {
    html! {
        table {
            thead { tr {
                th scope="col" { (l.t("list.id")) } th scope="col" { (l.t("list.names")) }
                th scope="col" { (l.t("list.identifiers")) } th scope="col" { (l.t("list.listed_on")) }
                th scope="col" { (l.t("list.reasons")) }
            } }
            tbody { @for e in entries {
                tr {
                    td { code { (e.public_id) } }
                    td { @for (i, n) in e.entry.names.iter().enumerate() {
                        @if i == 0 { strong { (n.text) } } @else { br; (name_line(l, n)) }
                    } }
                    td {
                        @if let Some(un) = &e.un_reference { "UN " code { (un) } br; }
                        (entry_facts(l, &e.entry))
                    }
                    td.nowrap { (e.listed_on.as_deref().unwrap_or("—")) }
                    td { (e.narrative_summary) }
                }
            } }
        }
    }
}

fn versions_table(l: Lang, versions: &[ListVersion]) -> Markup {
    html! {
        table {
            thead { tr {
                th scope="col" { (l.t("list.version")) } th scope="col" { (l.t("list.published")) }
                th scope="col" { (l.t("list.entries")) } th scope="col" { (l.t("list.changes")) }
                th scope="col" { (l.t("proof.column")) }
            } }
            tbody { @for v in versions {
                tr {
                    td { a href={ "/list?version=" (v.version) } { (v.version) } }
                    td { (format_ms(v.created_at)) }
                    td { (v.entry_count) }
                    td { a href={ "/list/changes?from=" (v.version - 1) "&to=" (v.version) } {
                        (l.tf("lists.change_counts", &[
                            ("added", &v.changes.added.len().to_string()),
                            ("removed", &v.changes.removed.len().to_string()),
                            ("changed", &v.changes.changed.len().to_string()),
                            ("skipped", "0"),
                        ]))
                    } }
                    td { (super::transparency::version_links(l, v.version)) }
                }
            } }
        }
    }
}

async fn published(
    state: &AppState,
    version: Option<i64>,
) -> Result<Option<PublishedVersion>, WebError> {
    match state.store.published_list(version).await {
        Ok(v) => Ok(Some(v)),
        Err(accord_store::StoreError::NotFound(_)) if version.is_none() => Ok(None),
        Err(e) => Err(e.into()),
    }
}

pub async fn list_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, WebError> {
    ctx.require(&state, &Action::ViewPublishedList).await?;
    let l = ctx.lang;
    let current = published(&state, q.version).await?;
    let versions = state.store.list_versions().await?;
    Ok(page(
        &ctx,
        l.t("list.title"),
        html! {
            h1 { (l.t("list.title")) }
            p { (l.t("list.intro")) }
            @match &current {
                None => div.notice { (l.t("list.none")) },
                Some(v) => {
                    p { strong { (l.tf("list.version_of", &[("version", &v.version.version.to_string()), ("date", &format_ms(v.version.created_at))])) } }
                    form method="get" action="/list" class="actions" {
                        @if let Some(ver) = q.version { input type="hidden" name="version" value=(ver); }
                        label for="q" { (l.t("list.search")) }
                        input type="search" id="q" name="q" value=(q.q);
                        button type="submit" { (l.t("list.search_button")) }
                    }
                    @let shown: Vec<&PublishedEntry> = v.entries.iter().filter(|e| matches(e, &q.q)).collect();
                    @if shown.is_empty() { p.muted { (l.t("list.no_match")) } } @else { (entries_table(l, &shown)) }
                    p { (l.t("list.download")) " "
                        @for (fmt, label) in [("csv", "CSV"), ("ftm", "FollowTheMoney JSON"), ("xml", "UN XML"), ("stix", "STIX 2.1")] {
                            a href={ "/api/list/export/" (fmt) "?version=" (v.version.version) } { (label) } " · "
                        }
                    }
                    (super::transparency::verify_block(l, v.version.version))
                }
            }
            @if !versions.is_empty() {
                h2 { (l.t("list.history")) }
                (versions_table(l, &versions))
            }
            p.muted { (l.t("list.petition_hint")) " " a href="/petition" { (l.t("list.petition_link")) } }
        },
    ))
}

#[derive(Deserialize)]
pub struct Compare {
    from: i64,
    to: i64,
}

pub async fn changes_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(c): Query<Compare>,
) -> Result<Html<String>, WebError> {
    ctx.require(&state, &Action::ViewPublishedList).await?;
    let l = ctx.lang;
    let diff = state.store.compare_versions(c.from, c.to).await?;
    Ok(page(
        &ctx,
        l.t("list.changes"),
        html! {
            h1 { (l.tf("list.changes_between", &[("from", &c.from.to_string()), ("to", &c.to.to_string())])) }
            h2 { (l.t("list.added")) } ul { @for r in &diff.added { li { code { (r) } } } }
            h2 { (l.t("list.removed")) } ul { @for r in &diff.removed { li { code { (r) } } } }
            h2 { (l.t("list.amended")) } ul { @for ch in &diff.changed { li { code { (ch.reference) } ": " (ch.fields.join(", ")) } } }
            p { a href="/list" { (l.t("list.back")) } }
        },
    ))
}

/// Answers 304 when the client already holds this content.
fn with_etag(
    headers: &HeaderMap,
    body: Vec<u8>,
    content_type: &'static str,
    file_name: Option<String>,
) -> Response {
    let etag = content_hash(&body);
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        body.into_response()
    };
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if let Some(name) = file_name {
        h.insert(
            header::CONTENT_DISPOSITION,
            crate::files::content_disposition(&name),
        );
    }
    response
}

pub async fn api_current(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::ViewPublishedList).await?;
    let before_first = match q.version {
        Some(0) => true,
        None => state.store.current_list_version().await?.is_none(),
        Some(_) => false,
    };
    let body = if before_first {
        serde_json::to_vec(&empty_version())
    } else {
        serde_json::to_vec(&state.store.published_list(q.version).await?)
    }
    .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(with_etag(&headers, body, "application/json", None))
}

/// The list before its first version is adopted: version 0, empty — the
/// version `/api/list/compare` also calls 0 — so that a client polling the
/// list reads "nothing listed yet" rather than an error.
fn empty_version() -> serde_json::Value {
    serde_json::json!({
        "version": {
            "version": 0,
            "created_at": null,
            "entry_count": 0,
            "changes": accord_lists::ListDiff::default(),
            "cause": null,
            "proposal_id": null,
            "merge_id": null,
        },
        "entries": [],
    })
}

pub async fn api_versions(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Json<Vec<ListVersion>>, WebError> {
    ctx.require(&state, &Action::ViewPublishedList).await?;
    Ok(Json(state.store.list_versions().await?))
}

pub async fn api_compare(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(c): Query<Compare>,
) -> Result<Json<serde_json::Value>, WebError> {
    ctx.require(&state, &Action::ViewPublishedList).await?;
    let diff = state.store.compare_versions(c.from, c.to).await?;
    Ok(Json(
        serde_json::json!({ "from": c.from, "to": c.to, "changes": diff }),
    ))
}

/// A version in one of the export formats.
pub async fn api_export(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(format): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    if let Some(format) = format.strip_suffix(".minisig") {
        return super::transparency::export_signature(&state, &ctx, format, q.version).await;
    }
    ctx.require(&state, &Action::ViewPublishedList).await?;
    let format: ExportFormat = format.parse().map_err(WebError::NotFound)?;
    let v = state.store.published_list(q.version).await?;
    let body = crate::publication::write(&v, format)
        .map_err(|e| WebError::Internal(format!("export failed: {e}")))?;
    Ok(with_etag(
        &headers,
        body,
        format.content_type(),
        Some(format.file_name(v.version.version)),
    ))
}
