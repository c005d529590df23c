//! The Joint Plan tracker's commitments: what the partners agreed to do, with
//! the exact words of the source. Public, as the conference report is.

use accord_core::Action;
use accord_plan::{Catalogue, Commitment, CommitmentId, CommitmentKind};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Html;
use maud::html;
use serde::Serialize;

use crate::context::Ctx;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::render::page;
use crate::state::AppState;

fn kind_label(l: Lang, kind: CommitmentKind) -> &'static str {
    match kind {
        CommitmentKind::Task => l.t("plan.kind_task"),
        CommitmentKind::Initiative => l.t("plan.kind_initiative"),
        CommitmentKind::Conclusion => l.t("plan.kind_conclusion"),
        CommitmentKind::ConcreteStep => l.t("plan.kind_step"),
        CommitmentKind::Other => l.t("plan.kind_other"),
    }
}

fn applies_label(l: Lang, c: &Commitment) -> String {
    let a = c.applies_to;
    let mut parts = Vec::new();
    if a.regional_states {
        parts.push(l.t("kind.regional_state"));
    }
    if a.partner_states {
        parts.push(l.t("kind.partner_state"));
    }
    if a.organizations {
        parts.push(l.t("kind.partner_organization"));
    }
    parts.join(", ")
}

async fn catalogue(state: &AppState, ctx: &Ctx) -> Result<Catalogue, WebError> {
    ctx.require(state, &Action::ViewCommitments).await?;
    Ok(state.store.plan_catalogue().await?)
}

pub async fn list_page(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, WebError> {
    let catalogue = catalogue(&state, &ctx).await?;
    let l = ctx.lang;
    Ok(page(
        &ctx,
        l.t("plan.title"),
        html! {
            h1 { (l.t("plan.title")) }
            p { (l.t("plan.intro")) }
            @for f in catalogue.frameworks() {
                h2 { (f.title) }
                @if !f.description.is_empty() { p.muted { (f.description) } }
                @if !f.pillars.is_empty() {
                    ul { @for p in &f.pillars {
                        li { (l.t("plan.pillar")) " " (p.number) ": " (p.title)
                            @if p.stressed_by.is_some() { " " span.badge.good { (l.t("plan.stressed")) } } }
                    } }
                }
                @let items: Vec<&Commitment> = catalogue.commitments().iter().filter(|c| c.framework == f.id).collect();
                @if !items.is_empty() {
                    table {
                        thead { tr {
                            th scope="col" { (l.t("plan.item")) } th scope="col" { (l.t("plan.text")) }
                            th scope="col" { (l.t("plan.due")) }
                        } }
                        tbody { @for c in items {
                            tr {
                                td { a href={ "/commitments/" (c.id) } { (kind_label(l, c.kind)) " " (c.number) } }
                                td lang="en" { (c.display_text()) }
                                td { @if let Some(d) = &c.due { (d.date) @if d.approximate { " ≈" } } }
                            }
                        } }
                    }
                }
            }
        },
    ))
}

pub async fn commitment_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let catalogue = catalogue(&state, &ctx).await?;
    let l = ctx.lang;
    let id =
        CommitmentId::parse(&id).map_err(|_| WebError::NotFound(format!("commitment {id}")))?;
    let c = catalogue
        .commitment(&id)
        .ok_or_else(|| WebError::NotFound(format!("commitment {id}")))?;
    let framework = catalogue.framework(&c.framework);
    Ok(page(
        &ctx,
        &format!("{} {}", kind_label(l, c.kind), c.number),
        html! {
            h1 { (kind_label(l, c.kind)) " " (c.number) }
            blockquote lang="en" { p { (c.text) } }
            dl.facts {
                dt { (l.t("plan.framework")) } dd { (framework.map(|f| f.title.as_str()).unwrap_or("")) }
                @if !c.pillars.is_empty() {
                    dt { (l.t("plan.pillars")) }
                    dd { @for p in &c.pillars { @if let Some(p) = catalogue.pillar(p) { (l.t("plan.pillar")) " " (p.number) ": " (p.title) br; } } }
                }
                dt { (l.t("plan.applies_to")) } dd { (applies_label(l, c)) }
                @if let Some(d) = &c.due {
                    dt { (l.t("plan.due")) }
                    dd { (d.date) @if d.approximate { " (" (l.t("plan.approximate")) ")" } br; span.muted lang="en" { "“" (d.phrase) "”" } }
                }
                dt { (l.t("plan.source")) } dd lang="en" { (c.source) }
            }
            p { a href="/commitments" { (l.t("plan.back")) } }
        },
    ))
}

/// A commitment as the API gives it.
#[derive(Serialize)]
pub struct CommitmentJson<'a> {
    id: String,
    text: &'a str,
    framework: String,
    kind: CommitmentKind,
    number: u32,
    pillars: Vec<String>,
    applies_to: accord_plan::AppliesTo,
    due: Option<&'a accord_plan::Due>,
    source: &'a str,
}

fn to_json(c: &Commitment) -> CommitmentJson<'_> {
    CommitmentJson {
        id: c.id.to_string(),
        text: &c.text,
        framework: c.framework.to_string(),
        kind: c.kind,
        number: c.number,
        pillars: c.pillars.iter().map(|p| p.to_string()).collect(),
        applies_to: c.applies_to,
        due: c.due.as_ref(),
        source: &c.source,
    }
}

pub async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Json<serde_json::Value>, WebError> {
    let catalogue = catalogue(&state, &ctx).await?;
    let items: Vec<CommitmentJson<'_>> = catalogue.commitments().iter().map(to_json).collect();
    Ok(Json(
        serde_json::to_value(items).map_err(|e| WebError::Internal(e.to_string()))?,
    ))
}

pub async fn api_get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, WebError> {
    let catalogue = catalogue(&state, &ctx).await?;
    let id =
        CommitmentId::parse(&id).map_err(|_| WebError::NotFound(format!("commitment {id}")))?;
    let c = catalogue
        .commitment(&id)
        .ok_or_else(|| WebError::NotFound(format!("commitment {id}")))?;
    Ok(Json(
        serde_json::to_value(to_json(c)).map_err(|e| WebError::Internal(e.to_string()))?,
    ))
}
