//! The Joint Plan tracker's commitments: what the partners agreed to do, with
//! the exact words of the source. Public, as the conference report is.

use accord_core::Action;
use accord_plan::{
    Catalogue, Cell, Commitment, CommitmentId, CommitmentKind, NewCommitment, NewFramework,
    NewPillar, ReportStatus, ReportingRound,
};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use serde::{Deserialize, Serialize};

use crate::context::Ctx;
use crate::error::WebError;
use crate::forms::{ApiJson, PostedForm};
use crate::i18n::Lang;
use crate::render::{Field, csrf_field, form_errors, page};
use crate::state::AppState;

pub(super) fn kind_label(l: Lang, kind: CommitmentKind) -> &'static str {
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

pub(super) async fn catalogue(state: &AppState, ctx: &Ctx) -> Result<Catalogue, WebError> {
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
            p.actions {
                a href="/rounds" { (l.t("rounds.title")) } " · " a href="/strategies" { (l.t("strategies.title")) }
                @if accord_core::authorize(&ctx.principal, &Action::ManagePlan).is_ok() {
                    " · " a href="/commitments/new" { (l.t("plan.add")) }
                }
            }
            @for f in catalogue.frameworks() {
                h2 id=(f.id) { (f.title) }
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
    let viewer = ctx.principal.clone();
    let rounds: Vec<ReportingRound> = state
        .store
        .plan_rounds()
        .await?
        .into_iter()
        .map(|r| r.round)
        .collect();
    let reports = state.store.plan_reports(None).await?;
    // Oldest round first; each row a submitted report: its status if the
    // viewer may read it, "reported (restricted)" if they may only know of
    // it (the same cell as in the round's matrix).
    let mut history: Vec<(&ReportingRound, &accord_plan::Report, Cell)> = Vec::new();
    for round in accord_plan::chronological(&rounds) {
        for r in reports
            .iter()
            .filter(|r| r.round == round.id && r.commitment == id)
        {
            let cell = accord_plan::report_cell(r, &viewer, Cell::NotReported);
            if cell.is_reported() {
                history.push((round, r, cell));
            }
        }
    }
    let mut latest: Vec<(&accord_core::MemberCode, &ReportingRound, Cell)> = Vec::new();
    for (round, r, status) in &history {
        match latest.iter_mut().find(|(m, _, _)| **m == r.member) {
            Some(entry) => *entry = (&r.member, round, *status),
            None => latest.push((&r.member, round, *status)),
        }
    }
    latest.sort_by(|a, b| a.0.cmp(b.0));
    let programmes = super::programmes::visible_programmes(&state, &viewer).await?;
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
            h2 { (l.t("plan.latest_status")) }
            @if latest.is_empty() { p.muted { (l.t("plan.no_reports")) } } @else {
                table {
                    thead { tr { th scope="col" { (l.t("rounds.member")) } th scope="col" { (l.t("reports.status")) } th scope="col" { (l.t("rounds.name")) } } }
                    tbody { @for (m, round, status) in &latest {
                        tr { td { (m) } td class={ "cell cell-" (status.as_str()) } { (cell_label(l, *status)) }
                             td { a href={ "/rounds/" (round.id) "/reports/" (m) "/" (id) } { (round.name) } } }
                    } }
                }
                h2 { (l.t("plan.history")) }
                table {
                    thead { tr { th scope="col" { (l.t("rounds.name")) } th scope="col" { (l.t("rounds.member")) } th scope="col" { (l.t("reports.status")) } } }
                    tbody { @for (round, r, status) in &history {
                        tr { td { a href={ "/rounds/" (round.id) } { (round.name) } } td { (r.member) }
                             td { a href={ "/rounds/" (round.id) "/reports/" (r.member) "/" (id) } { (cell_label(l, *status)) } } }
                    } }
                }
            }
            (super::programmes::commitment_section(l, &programmes, &viewer, &id))
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

pub(super) fn status_label(l: Lang, s: ReportStatus) -> &'static str {
    match s {
        ReportStatus::NotStarted => l.t("plan.status_not_started"),
        ReportStatus::Planned => l.t("plan.status_planned"),
        ReportStatus::InProgress => l.t("plan.status_in_progress"),
        ReportStatus::Implemented => l.t("plan.status_implemented"),
        ReportStatus::NotApplicable => l.t("plan.status_not_applicable"),
    }
}

pub(super) fn cell_label(l: Lang, c: Cell) -> &'static str {
    match c {
        Cell::NotReported => l.t("plan.status_not_reported"),
        Cell::NotYetReported => l.t("plan.status_not_yet_reported"),
        Cell::Restricted => l.t("plan.status_restricted"),
        Cell::Reported(s) => status_label(l, s),
    }
}

/// A short label for a commitment in table headers ("Step 3").
pub(super) fn short_label(l: Lang, c: &Commitment) -> String {
    format!("{} {}", kind_label(l, c.kind), c.number)
}

pub(super) fn commitment_or_404(
    catalogue: &Catalogue,
    raw: &str,
) -> Result<(CommitmentId, Commitment), WebError> {
    CommitmentId::parse(raw)
        .ok()
        .and_then(|id| catalogue.commitment(&id).cloned().map(|c| (id, c)))
        .ok_or_else(|| WebError::NotFound(format!("commitment {raw}")))
}

// ---- The secretariat's additions: frameworks, pillars, commitments ----

/// The fields of the three forms of `/commitments/new` (each posts its own).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CatalogueForm {
    id: String,
    title: String,
    short_title: String,
    adopted_on: String,
    adopted_at: String,
    description: String,
    source: String,
    framework: String,
    number: String,
    short_label: String,
    kind: String,
    text: String,
    pillars: String,
    applies_to: String,
    due_date: String,
    due_phrase: String,
}

/// Which of the page's forms was sent (its errors are shown beside it).
#[derive(Clone, Copy, PartialEq, Eq)]
enum CatalogueFormKind {
    Framework,
    Pillar,
    Commitment,
}

fn catalogue_page(
    ctx: &Ctx,
    catalogue: &Catalogue,
    sent: Option<(CatalogueFormKind, &CatalogueForm, &accord_core::Invalid)>,
) -> Html<String> {
    let l = ctx.lang;
    let empty = CatalogueForm::default();
    let form_for = |k| match sent {
        Some((kind, f, e)) if kind == k => (f, Some(e)),
        _ => (&empty, None),
    };
    let (ff, fe) = form_for(CatalogueFormKind::Framework);
    let (pf, pe) = form_for(CatalogueFormKind::Pillar);
    let (cf, ce) = form_for(CatalogueFormKind::Commitment);
    page(
        ctx,
        l.t("plan.add"),
        html! {
            h1 { (l.t("plan.add")) }
            p { (l.t("plan.add_intro")) }
            section id="new-framework" {
                h2 { (l.t("plan.new_framework")) }
                (form_errors(l, fe))
                form method="post" action="/commitments/frameworks" {
                    (csrf_field(ctx))
                    (Field::text("id", l.t("plan.id"), &ff.id).required().hint(l.t("plan.framework_id_hint")).render_in(l, fe))
                    (Field::text("title", l.t("plan.title_field"), &ff.title).required().render_in(l, fe))
                    (Field::text("short_title", l.t("plan.short_title"), &ff.short_title).required().render_in(l, fe))
                    (Field::text("adopted_on", l.t("plan.adopted_on"), &ff.adopted_on).kind("date").render_in(l, fe))
                    (Field::text("adopted_at", l.t("plan.adopted_at"), &ff.adopted_at).render_in(l, fe))
                    (Field::text("description", l.t("plan.description"), &ff.description).render_in(l, fe))
                    (Field::text("source", l.t("plan.source"), &ff.source).required().render_in(l, fe))
                    button type="submit" { (l.t("plan.add_framework")) }
                }
            }
            section id="new-pillar" {
                h2 { (l.t("plan.new_pillar")) }
                (form_errors(l, pe))
                form method="post" action="/commitments/pillars" {
                    (csrf_field(ctx))
                    div.field {
                        label for="pillar-framework" { (l.t("plan.framework")) }
                        select id="pillar-framework" name="framework" {
                            @for f in catalogue.frameworks() { option value=(f.id) selected[pf.framework == f.id.as_str()] { (f.short_title) } }
                        }
                    }
                    (Field::text("number", l.t("plan.pillar_number"), &pf.number).kind("number").required().render_in(l, pe))
                    (Field::text("title", l.t("plan.title_field"), &pf.title).required().render_in(l, pe))
                    (Field::text("short_label", l.t("plan.short_label"), &pf.short_label).required().render_in(l, pe))
                    button type="submit" { (l.t("plan.add_pillar")) }
                }
            }
            section id="new-commitment" {
                h2 { (l.t("plan.new_commitment")) }
                (form_errors(l, ce))
                form method="post" action="/commitments/new" {
                    (csrf_field(ctx))
                    (Field::text("id", l.t("plan.id"), &cf.id).required().hint(l.t("plan.commitment_id_hint")).render_in(l, ce))
                    div.field {
                        label for="commitment-framework" { (l.t("plan.framework")) }
                        select id="commitment-framework" name="framework" {
                            @for f in catalogue.frameworks() { option value=(f.id) selected[cf.framework == f.id.as_str()] { (f.short_title) } }
                        }
                    }
                    div.field {
                        label for="kind" { (l.t("plan.kind")) }
                        select id="kind" name="kind" {
                            @for (v, label) in [("concrete_step", l.t("plan.kind_step")), ("task", l.t("plan.kind_task")), ("initiative", l.t("plan.kind_initiative")), ("conclusion", l.t("plan.kind_conclusion")), ("other", l.t("plan.kind_other"))] {
                                option value=(v) selected[cf.kind == v] { (label) }
                            }
                        }
                    }
                    div.field {
                        label for="text" { (l.t("plan.text")) " *" }
                        textarea id="text" name="text" rows="4" required { (cf.text) }
                    }
                    (Field::text("pillars", l.t("plan.pillars"), &cf.pillars).hint(l.t("plan.pillars_hint")).render_in(l, ce))
                    (Field::text("applies_to", l.t("plan.applies_to"), if cf.applies_to.is_empty() { "regional_states" } else { &cf.applies_to }).required().hint(l.t("plan.applies_hint")).render_in(l, ce))
                    (Field::text("due_date", l.t("plan.due"), &cf.due_date).kind("date").render_in(l, ce))
                    (Field::text("due_phrase", l.t("plan.due_phrase"), &cf.due_phrase).render_in(l, ce))
                    (Field::text("source", l.t("plan.source"), &cf.source).required().render_in(l, ce))
                    button type="submit" { (l.t("plan.add_commitment")) }
                }
            }
        },
    )
}

pub async fn new_page(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, WebError> {
    ctx.require(&state, &Action::ManagePlan).await?;
    Ok(catalogue_page(
        &ctx,
        &state.store.plan_catalogue().await?,
        None,
    ))
}

impl CatalogueForm {
    fn framework(&self) -> Result<NewFramework, accord_core::Invalid> {
        NewFramework::parse(
            &self.id,
            &self.title,
            &self.short_title,
            &self.adopted_on,
            &self.adopted_at,
            &self.description,
            &self.source,
        )
    }

    fn pillar(&self) -> Result<NewPillar, accord_core::Invalid> {
        NewPillar::parse(
            &self.framework,
            &self.number,
            &self.title,
            &self.short_label,
        )
    }

    fn commitment(&self) -> Result<NewCommitment, accord_core::Invalid> {
        NewCommitment::parse(
            &self.id,
            &self.framework,
            &self.kind,
            &self.text,
            &self.pillars,
            &self.applies_to,
            &self.due_date,
            &self.due_phrase,
            &self.source,
        )
    }
}

/// Adds one thing to the catalogue from its form; a refusal comes back
/// beside that form with what was typed.
async fn add_from_form(
    state: AppState,
    ctx: Ctx,
    kind: CatalogueFormKind,
    form: CatalogueForm,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::ManagePlan).await?;
    let who = ctx.principal.clone();
    let actor = ctx.actor();
    let result: Result<String, accord_store::StoreError> = async {
        Ok(match kind {
            CatalogueFormKind::Framework => {
                let f = state
                    .store
                    .add_plan_framework(&actor, &who, form.framework()?)
                    .await?;
                format!("/commitments#{}", f.id)
            }
            CatalogueFormKind::Pillar => {
                state
                    .store
                    .add_plan_pillar(&actor, &who, form.pillar()?)
                    .await?;
                "/commitments/new#new-commitment".to_string()
            }
            CatalogueFormKind::Commitment => {
                let c = state
                    .store
                    .add_plan_commitment(&actor, &who, form.commitment()?)
                    .await?;
                format!("/commitments/{}", c.id)
            }
        })
    }
    .await;
    match result {
        Ok(to) => Ok(Redirect::to(&to).into_response()),
        Err(accord_store::StoreError::Invalid(invalid)) => {
            let catalogue = state.store.plan_catalogue().await?;
            let mut r =
                catalogue_page(&ctx, &catalogue, Some((kind, &form, &invalid))).into_response();
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn add_framework_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    PostedForm(form): PostedForm<CatalogueForm>,
) -> Result<Response, WebError> {
    add_from_form(state, ctx, CatalogueFormKind::Framework, form).await
}

pub async fn add_pillar_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    PostedForm(form): PostedForm<CatalogueForm>,
) -> Result<Response, WebError> {
    add_from_form(state, ctx, CatalogueFormKind::Pillar, form).await
}

pub async fn add_commitment_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    PostedForm(form): PostedForm<CatalogueForm>,
) -> Result<Response, WebError> {
    add_from_form(state, ctx, CatalogueFormKind::Commitment, form).await
}

pub async fn api_add_framework(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(form): ApiJson<CatalogueForm>,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::ManagePlan).await?;
    let f = state
        .store
        .add_plan_framework(&ctx.actor(), &ctx.principal, form.framework()?)
        .await?;
    Ok((StatusCode::CREATED, Json(f)).into_response())
}

pub async fn api_add_pillar(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(framework): Path<String>,
    ApiJson(mut form): ApiJson<CatalogueForm>,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::ManagePlan).await?;
    form.framework = framework;
    let f = state
        .store
        .add_plan_pillar(&ctx.actor(), &ctx.principal, form.pillar()?)
        .await?;
    Ok((StatusCode::CREATED, Json(f)).into_response())
}

pub async fn api_add_commitment(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(form): ApiJson<CatalogueForm>,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::ManagePlan).await?;
    let c = state
        .store
        .add_plan_commitment(&ctx.actor(), &ctx.principal, form.commitment()?)
        .await?;
    Ok((StatusCode::CREATED, Json(to_json(&c))).into_response())
}
