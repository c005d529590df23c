//! The register of national CVE strategies and action plans: who designed
//! them (the seed asks for inclusive strategies), their status and document,
//! and the commitments they implement. Each entry is shown under its TLP.

use accord_core::{Action, Invalid, MemberCode};
use accord_plan::{Principal, StrategyInput, StrategyKind, StrategyStatus, visible_to};
use accord_store::StoreError;
use accord_store::plan::StrategyRecord;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use super::plan::{catalogue, short_label};
use crate::context::Ctx;
use crate::error::WebError;
use crate::forms::{ApiJson, FormFields, PostedForm};
use crate::i18n::Lang;
use crate::render::{Field, csrf_field, form_errors, page};
use crate::state::AppState;

fn kind_label(l: Lang, k: StrategyKind) -> &'static str {
    match k {
        StrategyKind::Strategy => l.t("strategies.kind_strategy"),
        StrategyKind::ActionPlan => l.t("strategies.kind_action_plan"),
    }
}

fn status_label(l: Lang, s: StrategyStatus) -> &'static str {
    match s {
        StrategyStatus::Drafting => l.t("strategies.status_drafting"),
        StrategyStatus::Adopted => l.t("strategies.status_adopted"),
        StrategyStatus::UnderReview => l.t("strategies.status_under_review"),
    }
}

fn visible(r: &StrategyRecord, viewer: &Principal) -> bool {
    visible_to(r.strategy.tlp, &r.strategy.member, viewer)
}

fn may_edit(ctx: &Ctx, member: &MemberCode) -> bool {
    accord_core::authorize(
        &ctx.principal,
        &Action::EditStrategies {
            member: member.clone(),
        },
    )
    .is_ok()
}

#[derive(Deserialize, Default)]
pub struct MemberQuery {
    #[serde(default)]
    member: String,
}

pub async fn list_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<MemberQuery>,
) -> Result<Html<String>, WebError> {
    let catalogue = catalogue(&state, &ctx).await?;
    let viewer = ctx.principal.clone();
    let l = ctx.lang;
    let all: Vec<StrategyRecord> = state
        .store
        .plan_strategies()
        .await?
        .into_iter()
        .filter(|r| visible(r, &viewer))
        .filter(|r| q.member.is_empty() || r.strategy.member.as_str() == q.member)
        .collect();
    let own = ctx.principal.member().cloned();
    Ok(page(
        &ctx,
        l.t("strategies.title"),
        html! {
            h1 { (l.t("strategies.title")) }
            p { (l.t("strategies.intro")) }
            @if let Some(m) = own.as_ref().filter(|m| may_edit(&ctx, m)) {
                p.actions { a.button href={ "/strategies/new?member=" (m) } { (l.t("strategies.new")) } }
            } @else if ctx.principal.is_secretariat() {
                p.actions { a.button href="/strategies/new" { (l.t("strategies.new")) } }
            }
            @if all.is_empty() { p.muted { (l.t("strategies.none")) } } @else {
                table {
                    thead { tr {
                        th scope="col" { (l.t("rounds.member")) } th scope="col" { (l.t("strategies.title_field")) }
                        th scope="col" { (l.t("strategies.kind")) } th scope="col" { (l.t("strategies.status")) }
                        th scope="col" { (l.t("strategies.adopted_on")) } th scope="col" { (l.t("strategies.actors")) }
                        th scope="col" { (l.t("strategies.implements")) } th scope="col" { "TLP" } th scope="col" {}
                    } }
                    tbody { @for r in &all {
                        @let s = &r.strategy;
                        tr {
                            td { a href={ "/strategies?member=" (s.member) } { (s.member) } }
                            td {
                                @if let Some(u) = &s.url { a href=(u) rel="noopener noreferrer" { (s.title) } } @else { (s.title) }
                                @for d in &r.documents {
                                    br; a href={ "/strategies/" (r.id) "/documents/" (d.id) } { (d.file_name) } " " span.muted { "(" (crate::render::file_size(l, d.size as u64)) ")" }
                                }
                            }
                            td { (kind_label(l, s.kind)) }
                            td { (status_label(l, s.status)) }
                            td { @if let Some(d) = s.adopted_on { (d) } }
                            td { (s.actors.join("; ")) }
                            td { @for c in &s.implements { @if let Some(cm) = catalogue.commitment(c) { a href={ "/commitments/" (c) } { (short_label(l, cm)) } " " } } }
                            td { (s.tlp) }
                            td { @if may_edit(&ctx, &s.member) { a href={ "/strategies/" (r.id) "/edit" } { (l.t("strategies.edit")) } } }
                        }
                    } }
                }
            }
            p { a href="/rounds" { (l.t("rounds.title")) } }
        },
    ))
}

/// The form's fields as posted (commitment checkboxes repeat their name).
fn input_from_pairs(pairs: &[(String, String)]) -> (String, StrategyInput, Option<i64>) {
    let form = FormFields(pairs);
    let input = StrategyInput {
        title: form.first("title"),
        kind: form.first("kind"),
        status: form.first("status"),
        adopted_on: form.first("adopted_on"),
        actors: form.lines("actors"),
        implements: form
            .all("implements")
            .into_iter()
            .map(str::to_string)
            .collect(),
        url: form.first("url"),
        tlp: form.first("tlp"),
    };
    (form.first("member"), input, form.number("revision"))
}

/// What the strategy form shows: where it posts, for which member, what was
/// typed (or stored), the revision it edits (0 for a new one) and the errors.
struct StrategyForm<'a> {
    action: &'a str,
    member: &'a str,
    input: &'a StrategyInput,
    revision: i64,
    errors: Option<&'a Invalid>,
}

fn strategy_form(
    ctx: &Ctx,
    catalogue: &accord_plan::Catalogue,
    members: &[accord_core::Member],
    form: StrategyForm<'_>,
    after: maud::Markup,
) -> Html<String> {
    let StrategyForm {
        action,
        member,
        input,
        revision,
        errors,
    } = form;
    let l = ctx.lang;
    let editing = revision > 0;
    page(
        ctx,
        l.t("strategies.new"),
        html! {
            h1 { (if editing { l.t("strategies.edit") } else { l.t("strategies.new") }) }
            (form_errors(l, errors))
            form method="post" action=(action) {
                (csrf_field(ctx))
                input type="hidden" name="revision" value=(revision);
                @if editing {
                    input type="hidden" name="member" value=(member);
                    p { (l.t("rounds.member")) ": " strong { (member) } }
                } @else {
                    div.field {
                        label for="member" { (l.t("rounds.member")) " *" }
                        select id="member" name="member" {
                            @for m in members.iter().filter(|m| may_edit(ctx, &m.code)) {
                                option value=(m.code) selected[m.code.as_str() == member] { (m.code) " — " (m.name) }
                            }
                        }
                    }
                }
                (Field::text("title", l.t("strategies.title_field"), &input.title).required().render_in(l, errors))
                div.field {
                    label for="kind" { (l.t("strategies.kind")) }
                    select id="kind" name="kind" {
                        @for k in [StrategyKind::Strategy, StrategyKind::ActionPlan] {
                            option value=(k.as_str()) selected[input.kind == k.as_str()] { (kind_label(l, k)) }
                        }
                    }
                }
                div.field {
                    label for="status" { (l.t("strategies.status")) }
                    select id="status" name="status" {
                        @for s in [StrategyStatus::Drafting, StrategyStatus::Adopted, StrategyStatus::UnderReview] {
                            option value=(s.as_str()) selected[input.status == s.as_str()] { (status_label(l, s)) }
                        }
                    }
                }
                (Field::text("adopted_on", l.t("strategies.adopted_on"), &input.adopted_on).kind("date").hint(l.t("strategies.adopted_hint")).render_in(l, errors))
                div.field {
                    label for="actors" { (l.t("strategies.actors")) }
                    div.hint { (l.t("strategies.actors_hint")) }
                    textarea id="actors" name="actors" rows="4" { (input.actors.join("\n")) }
                }
                (Field::text("url", l.t("strategies.url"), &input.url).kind("url").hint(l.t("strategies.url_hint")).render_in(l, errors))
                fieldset id="implements" {
                    legend { (l.t("strategies.implements")) }
                    @for c in catalogue.commitments().iter().filter(|c| c.framework.as_str() == "astana2015") {
                        label.check {
                            input type="checkbox" name="implements" value=(c.id) checked[input.implements.iter().any(|x| x == c.id.as_str())];
                            " " (short_label(l, c)) " " span.muted lang="en" { (c.display_text()) }
                        }
                        br;
                    }
                }
                div.field {
                    label for="tlp" { "TLP" }
                    select id="tlp" name="tlp" {
                        @for tlp in ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"] {
                            option value=(tlp) selected[input.tlp == tlp] { "TLP:" (tlp) }
                        }
                    }
                }
                button type="submit" { (l.t("strategies.save")) }
            }
            (after)
        },
    )
}

pub async fn new_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<MemberQuery>,
) -> Result<Html<String>, WebError> {
    let member = MemberCode::parse(&q.member)
        .ok()
        .or_else(|| ctx.principal.member().cloned());
    match &member {
        Some(m) => {
            ctx.require(&state, &Action::EditStrategies { member: m.clone() })
                .await?
        }
        // Registering for any member is the secretariat's.
        None => ctx.require(&state, &Action::ManagePlan).await?,
    }
    let member = member.map(|m| m.to_string()).unwrap_or_default();
    let catalogue = state.store.plan_catalogue().await?;
    let members = state.store.members().await?;
    let input = StrategyInput {
        kind: "strategy".into(),
        status: "drafting".into(),
        tlp: "CLEAR".into(),
        ..Default::default()
    };
    Ok(strategy_form(
        &ctx,
        &catalogue,
        &members,
        StrategyForm {
            action: "/strategies/new",
            member: &member,
            input: &input,
            revision: 0,
            errors: None,
        },
        html! {},
    ))
}

async fn rejected(
    state: &AppState,
    ctx: &Ctx,
    action: &str,
    member: &str,
    input: &StrategyInput,
    revision: i64,
    invalid: &Invalid,
) -> Result<Response, WebError> {
    let catalogue = state.store.plan_catalogue().await?;
    let members = state.store.members().await?;
    let mut r = strategy_form(
        ctx,
        &catalogue,
        &members,
        StrategyForm {
            action,
            member,
            input,
            revision,
            errors: Some(invalid),
        },
        html! {},
    )
    .into_response();
    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(r)
}

pub async fn create_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    PostedForm(pairs): PostedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (member, input, _) = input_from_pairs(&pairs);
    let code =
        MemberCode::parse(&member).map_err(|_| Invalid::field("member", "choose a member"))?;
    ctx.require(
        &state,
        &Action::EditStrategies {
            member: code.clone(),
        },
    )
    .await?;
    match state
        .store
        .add_plan_strategy(
            &ctx.actor(),
            &ctx.principal,
            &code,
            &input,
            accord_store::today(),
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/strategies?member={code}")).into_response()),
        Err(StoreError::Invalid(invalid)) => {
            rejected(
                &state,
                &ctx,
                "/strategies/new",
                &member,
                &input,
                0,
                &invalid,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

fn input_of(r: &StrategyRecord) -> StrategyInput {
    let s = &r.strategy;
    StrategyInput {
        title: s.title.clone(),
        kind: s.kind.as_str().into(),
        status: s.status.as_str().into(),
        adopted_on: s.adopted_on.map(|d| d.to_string()).unwrap_or_default(),
        actors: s.actors.clone(),
        implements: s.implements.iter().map(|c| c.to_string()).collect(),
        url: s.url.clone().unwrap_or_default(),
        tlp: s.tlp.to_string(),
    }
}

/// The edit page's second form: attach the strategy's document.
fn document_form(ctx: &Ctx, r: &StrategyRecord) -> maud::Markup {
    let l = ctx.lang;
    html! {
        section id="documents" {
            h2 { (l.t("strategies.documents")) }
            @if r.documents.is_empty() { p.muted { (l.t("strategies.no_documents")) } } @else {
                ul { @for d in &r.documents {
                    li { a href={ "/strategies/" (r.id) "/documents/" (d.id) } { (d.file_name) } " — " (d.added_by) ", " (crate::render::format_ms(d.added_at)) }
                } }
            }
            form method="post" action={ "/strategies/" (r.id) "/documents" } enctype="multipart/form-data" {
                (csrf_field(ctx))
                input type="hidden" name="revision" value=(r.revision);
                div.field {
                    label for="file" { (l.t("reports.file")) }
                    div.hint { (l.t("reports.file_hint")) }
                    input type="file" id="file" name="file" required;
                }
                button.secondary type="submit" { (l.t("reports.attach")) }
            }
        }
    }
}

pub async fn edit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let record = state.store.plan_strategy(id).await?;
    ctx.require(
        &state,
        &Action::EditStrategies {
            member: record.strategy.member.clone(),
        },
    )
    .await?;
    let catalogue = state.store.plan_catalogue().await?;
    let members = state.store.members().await?;
    Ok(strategy_form(
        &ctx,
        &catalogue,
        &members,
        StrategyForm {
            action: &format!("/strategies/{id}/edit"),
            member: record.strategy.member.as_str(),
            input: &input_of(&record),
            revision: record.revision,
            errors: None,
        },
        document_form(&ctx, &record),
    ))
}

/// Attaches a document to a strategy (page and API alike).
pub async fn attach_document(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    upload: crate::forms::Upload,
) -> Result<Response, WebError> {
    let record = state.store.plan_strategy(id).await?;
    ctx.require(
        &state,
        &Action::EditStrategies {
            member: record.strategy.member.clone(),
        },
    )
    .await?;
    let Some((_, file_name, bytes)) = upload
        .fields
        .iter()
        .find(|(n, _, d)| n == "file" && !d.is_empty())
    else {
        return Err(Invalid::field("file", "choose the file to attach").into());
    };
    let file_name = file_name.clone().unwrap_or_else(|| "document".into());
    let content_type = crate::files::checked_type(&file_name, bytes)?;
    let revision = upload.text("revision").trim().parse::<i64>().ok();
    let updated = state
        .store
        .attach_strategy_document(
            &ctx.actor(),
            &ctx.principal,
            id,
            &accord_store::plan::NewEvidenceFile {
                file_name,
                content_type: content_type.into(),
                bytes: bytes.clone(),
            },
            revision,
        )
        .await?;
    if crate::error::is_api_path(&ctx.path) {
        return Ok(Json(updated).into_response());
    }
    Ok(Redirect::to(&format!("/strategies/{id}/edit#documents")).into_response())
}

/// A strategy's document, for whoever may see the strategy (its TLP).
pub async fn document_download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, document)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::ViewCommitments).await?;
    let record = state.store.plan_strategy(id).await?;
    if !visible(&record, &ctx.principal.clone()) {
        return Err(WebError::NotFound(format!("strategy {id}")));
    }
    let (meta, bytes) = state
        .store
        .strategy_document(&ctx.actor(), id, document)
        .await?;
    Ok(crate::files::attachment(
        &meta.file_name,
        &meta.content_type,
        bytes,
    ))
}

pub async fn update_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    PostedForm(pairs): PostedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let record = state.store.plan_strategy(id).await?;
    let member = record.strategy.member.clone();
    ctx.require(
        &state,
        &Action::EditStrategies {
            member: member.clone(),
        },
    )
    .await?;
    let (_, input, revision) = input_from_pairs(&pairs);
    match state
        .store
        .update_plan_strategy(
            &ctx.actor(),
            &ctx.principal,
            id,
            &input,
            revision,
            accord_store::today(),
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/strategies?member={member}")).into_response()),
        Err(StoreError::Invalid(invalid)) => {
            rejected(
                &state,
                &ctx,
                &format!("/strategies/{id}/edit"),
                member.as_str(),
                &input,
                revision.unwrap_or(record.revision),
                &invalid,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ---- JSON API ----

pub async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Json<Vec<StrategyRecord>>, WebError> {
    ctx.require(&state, &Action::ViewCommitments).await?;
    let viewer = ctx.principal.clone();
    Ok(Json(
        state
            .store
            .plan_strategies()
            .await?
            .into_iter()
            .filter(|r| visible(r, &viewer))
            .collect(),
    ))
}

/// The body of `POST /api/strategies`: the member and the strategy's fields.
#[derive(Deserialize)]
pub struct NewStrategyJson {
    member: String,
    #[serde(flatten)]
    input: StrategyInput,
}

pub async fn api_create(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<NewStrategyJson>,
) -> Result<Response, WebError> {
    let code = MemberCode::parse(&body.member)
        .map_err(|_| Invalid::field("member", "is not a member code"))?;
    ctx.require(
        &state,
        &Action::EditStrategies {
            member: code.clone(),
        },
    )
    .await?;
    let record = state
        .store
        .add_plan_strategy(
            &ctx.actor(),
            &ctx.principal,
            &code,
            &body.input,
            accord_store::today(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(record)).into_response())
}

/// The body of `PUT /api/strategies/{id}`.
#[derive(Deserialize)]
pub struct UpdateStrategyJson {
    #[serde(flatten)]
    input: StrategyInput,
    #[serde(default)]
    revision: Option<i64>,
}

pub async fn api_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<UpdateStrategyJson>,
) -> Result<Json<StrategyRecord>, WebError> {
    let record = state.store.plan_strategy(id).await?;
    ctx.require(
        &state,
        &Action::EditStrategies {
            member: record.strategy.member.clone(),
        },
    )
    .await?;
    Ok(Json(
        state
            .store
            .update_plan_strategy(
                &ctx.actor(),
                &ctx.principal,
                id,
                &body.input,
                body.revision,
                accord_store::today(),
            )
            .await?,
    ))
}
