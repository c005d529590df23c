//! Reference lists: what is loaded, its versions and import reports, and
//! the secretariat's upload of a new version.

use accord_core::Action;
use accord_lists::List;
use accord_store::{ImportOutcome, ReferenceVersion};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::{Markup, html};

use crate::context::Ctx;
use crate::error::WebError;
use crate::forms::Upload;
use crate::render::{csrf_field, format_ms, page};
use crate::state::AppState;

fn versions_table(ctx: &Ctx, versions: &[ReferenceVersion]) -> Markup {
    let l = ctx.lang;
    html! {
        table {
            thead { tr {
                th scope="col" { (l.t("lists.list")) } th scope="col" { (l.t("lists.version")) }
                th scope="col" { (l.t("lists.entries")) } th scope="col" { (l.t("lists.generated")) }
                th scope="col" { (l.t("lists.imported")) } th scope="col" { (l.t("lists.changes")) }
            } }
            tbody { @for v in versions {
                tr {
                    td { code { (v.list) } } td { (v.version) } td { (v.entry_count) }
                    td { (v.generated.as_deref().unwrap_or("—")) }
                    td { (format_ms(v.imported_at)) " · " (v.imported_by) }
                    td { (l.tf("lists.change_counts", &[
                        ("added", &v.report.added.len().to_string()),
                        ("removed", &v.report.removed.len().to_string()),
                        ("changed", &v.report.changed.len().to_string()),
                        ("skipped", &v.report.skipped.len().to_string()),
                    ])) }
                }
            } }
        }
    }
}

fn report(ctx: &Ctx, name: &str, outcome: &ImportOutcome) -> Markup {
    let l = ctx.lang;
    let r = &outcome.report;
    html! {
        @if outcome.created {
            div.notice.ok role="status" {
                p { strong { (l.tf("lists.imported_version", &[("list", name), ("version", &outcome.version.version.to_string())])) } }
                p { (l.tf("lists.change_counts", &[
                    ("added", &r.added.len().to_string()), ("removed", &r.removed.len().to_string()),
                    ("changed", &r.changed.len().to_string()), ("skipped", &r.skipped.len().to_string()),
                ])) }
                @if !r.skipped.is_empty() {
                    ul { @for s in &r.skipped { li { (s.position) ": " (s.reason) } } }
                }
                @if !r.changed.is_empty() {
                    ul { @for c in r.changed.iter().take(50) { li { code { (c.reference) } ": " (c.fields.join(", ")) } } }
                }
            }
        } @else {
            div.notice role="status" { (l.tf("lists.unchanged", &[("list", name), ("version", &outcome.version.version.to_string())])) }
        }
    }
}

async fn lists_page(
    state: &AppState,
    ctx: &Ctx,
    flash: Option<Markup>,
) -> Result<Html<String>, WebError> {
    ctx.require(state, &Action::ViewReferenceLists).await?;
    let l = ctx.lang;
    let current = state.store.current_reference_versions().await?;
    let mut versions = Vec::new();
    for v in &current {
        versions.extend(state.store.reference_versions(&v.list).await?);
    }
    let loaded = state.screening.current();
    let can_import = accord_core::authorize(&ctx.principal, &Action::ImportReferenceLists).is_ok();
    Ok(page(
        ctx,
        l.t("lists.title"),
        html! {
            h1 { (l.t("lists.title")) }
            p { (l.t("lists.intro")) }
            @if let Some(f) = flash { (f) }
            h2 { (l.t("lists.in_use")) }
            ul { @for d in loaded.datasets() { li { code { (d.name) } " — " (l.tf("lists.entry_count", &[("n", &d.entries.to_string())])) } } }
            h2 { (l.t("lists.versions")) }
            @if versions.is_empty() { p.muted { (l.t("lists.none")) } } @else { (versions_table(ctx, &versions)) }
            @if can_import {
                h2 { (l.t("lists.import")) }
                form.stacked method="post" action="/lists/import/un" enctype="multipart/form-data" {
                    (csrf_field(ctx))
                    div.field {
                        label for="un-file" { (l.t("lists.un_file")) }
                        input type="file" id="un-file" name="file" accept=".xml,application/xml" required;
                    }
                    button type="submit" { (l.t("lists.import_un")) }
                }
                form.stacked method="post" action="/lists/import/ofac" enctype="multipart/form-data" {
                    (csrf_field(ctx))
                    @for (field, label) in [("sdn", "sdn.csv *"), ("alt", "alt.csv"), ("add", "add.csv"), ("comments", "sdn_comments.csv")] {
                        div.field {
                            label for={ "ofac-" (field) } { (label) }
                            input type="file" id={ "ofac-" (field) } name=(field) accept=".csv,text/csv";
                        }
                    }
                    button type="submit" { (l.t("lists.import_ofac")) }
                }
            }
        },
    ))
}

pub async fn overview(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, WebError> {
    lists_page(&state, &ctx, None).await
}

/// Parses an upload in the named format; a malformed file is refused whole
/// with the position of its first error.
fn parse(kind: &str, upload: &Upload) -> Result<List, WebError> {
    let missing = |f: &str| accord_core::Invalid::field(f, "choose the file to import");
    let parsed = match kind {
        "un" => accord_lists::un::parse(upload.get("file").ok_or_else(|| missing("file"))?),
        "ofac" => {
            let files = accord_lists::ofac::OfacFiles {
                primary: upload.get("sdn").ok_or_else(|| missing("sdn"))?,
                alt: upload.get("alt"),
                add: upload.get("add"),
                comments: upload.get("comments"),
                consolidated: false,
            };
            accord_lists::ofac::parse(&files, &accord_lists::ofac::OfacOptions::default())
        }
        other => return Err(WebError::NotFound(format!("list format {other}"))),
    };
    parsed.map_err(|e| {
        accord_core::Invalid::field("file", format!("nothing was imported: {e}")).into()
    })
}

pub async fn import(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(kind): Path<String>,
    upload: Upload,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::ImportReferenceLists).await?;
    let list = match parse(&kind, &upload) {
        Ok(list) => list,
        Err(WebError::Invalid(invalid)) => {
            let flash = html! { div.notice.error role="alert" { @for e in &invalid.errors { p { (e.message) } } } };
            let mut r = lists_page(&state, &ctx, Some(flash)).await?.into_response();
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(r);
        }
        Err(e) => return Err(e),
    };
    let outcome = state
        .store
        .import_reference_list(&ctx.actor(), &kind, &list)
        .await?;
    if outcome.created {
        state.screening.refresh(&state.store).await?;
    }
    Ok(
        lists_page(&state, &ctx, Some(report(&ctx, &kind, &outcome)))
            .await?
            .into_response(),
    )
}

pub async fn api_versions(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Json<Vec<ReferenceVersion>>, WebError> {
    ctx.require(&state, &Action::ViewReferenceLists).await?;
    let mut all = Vec::new();
    for v in state.store.current_reference_versions().await? {
        all.extend(state.store.reference_versions(&v.list).await?);
    }
    Ok(Json(all))
}
