//! Capacity-building programmes: the register (filters and totals), each
//! programme with its results and charts, the form, result periods drafted,
//! submitted and corrected, CSV and IATI 2.03 both ways, and the figures the
//! Joint Plan's pages show. Every programme is read through
//! `rules::redacted_for` before anything shows it: page, API, CSV, IATI,
//! chart, count.

use std::collections::BTreeMap;

use accord_core::{Action, MemberCode, Principal};
use accord_programmes::aggregate::{self, CommitmentSummary, group_thousands};
use accord_programmes::iati::{self, IatiConfig, ImportContext};
use accord_programmes::model::{
    Measure, OrgRef, OrgRole, PeriodState, ProgrammeId, ProgrammeKind, Sex, Status,
};
use accord_programmes::rules::{self, PeriodRef};
use accord_programmes::{Code, Problem, Programme, ProgrammeError, ProgrammeInput, csv, svg};
use accord_store::programmes::{ProgrammeBatch, ProgrammeRecord};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{Markup, PreEscaped, html};
use serde::{Deserialize, Serialize};

use super::programme_form::{field_label, input_from_pairs, pairs_of};
use crate::context::Ctx;
use crate::error::{WebError, is_api_path};
use crate::forms::{ApiJson, PostedForm, Upload};
use crate::i18n::Lang;
use crate::render::{csrf_field, format_ms, page};
use crate::state::AppState;

// ---- what a viewer may see ----

/// The stored programmes as `viewer` may read them (hidden ones left out),
/// each with its record.
async fn visible(
    state: &AppState,
    viewer: &Principal,
) -> Result<Vec<(ProgrammeRecord, Programme)>, WebError> {
    Ok(state
        .store
        .programmes()
        .await?
        .into_iter()
        .filter_map(|r| rules::redacted_for(r.programme(), viewer).map(|p| (r, p)))
        .collect())
}

/// Every programme `viewer` may see, for the Joint Plan's pages.
pub(super) async fn visible_programmes(
    state: &AppState,
    viewer: &Principal,
) -> Result<Vec<Programme>, WebError> {
    Ok(visible(state, viewer)
        .await?
        .into_iter()
        .map(|(_, p)| p)
        .collect())
}

async fn one(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
) -> Result<(ProgrammeRecord, Programme), WebError> {
    let not_found = || WebError::NotFound(format!("programme {id}"));
    let pid = ProgrammeId::parse(id).map_err(|_| not_found())?;
    let record = match state.store.programme(&pid).await {
        Err(accord_store::StoreError::NotFound(_)) => return Err(not_found()),
        other => other?,
    };
    // A programme the viewer may not see does not exist for them.
    let shown = rules::redacted_for(record.programme(), &ctx.principal).ok_or_else(not_found)?;
    Ok((record, shown))
}

fn may_edit(ctx: &Ctx, p: &Programme) -> bool {
    rules::can_edit(&ctx.principal, p).is_ok()
}

fn insider(ctx: &Ctx, p: &Programme) -> bool {
    ctx.principal.is_secretariat() || p.members().iter().any(|m| ctx.principal.is_of(m))
}

// ---- refusals in the user's language ----

/// The form's and the API body's name for a problem's field: the programme
/// keeps its dates together (`dates.planned_end`), the input has them flat.
fn input_field(path: &str) -> String {
    path.strip_prefix("dates.").unwrap_or(path).to_string()
}

/// A domain problem's message in `l`.
pub(super) fn problem_message(l: Lang, p: &Problem) -> String {
    let key = match p.code {
        Code::Required => "programmes.p_required",
        Code::TooLong => "programmes.p_too_long",
        Code::ControlCharacters => "programmes.p_control_characters",
        Code::Malformed => "programmes.p_malformed",
        Code::UnknownCode => "programmes.p_unknown_code",
        Code::WithdrawnCode => "programmes.p_withdrawn_code",
        Code::UnknownCurrency => "programmes.p_unknown_currency",
        Code::Duplicate => "programmes.p_duplicate",
        Code::SectorsNotHundred => "programmes.p_sectors_not_hundred",
        Code::EndBeforeStart => "programmes.p_end_before_start",
        Code::OutsideProgramme => "programmes.p_outside_programme",
        Code::Negative => "programmes.p_negative",
        Code::AbovePercent => "programmes.p_above_percent",
        Code::PartsExceedTotal => "programmes.p_parts_exceed_total",
        Code::NotWhole => "programmes.p_not_whole",
        Code::MeasureMismatch => "programmes.p_measure_mismatch",
        Code::BudgetPeriodTooLong => "programmes.p_budget_period_too_long",
        Code::PublishNeedsClear => "programmes.p_publish_needs_clear",
        Code::EndWithoutStart => "programmes.p_end_without_start",
        Code::OrganizationUnnamed => "programmes.p_organization_unnamed",
        Code::HiddenCharacters => "programmes.p_hidden_characters",
        Code::NoParticipants => "programmes.p_no_participants",
        Code::UnknownCommitment => "programmes.p_unknown_commitment",
    };
    let args: Vec<(&str, &str)> = p
        .args
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    l.tf(key, &args)
}

/// A refusal of the programme rules in `l`, with the status it answers.
fn refusal(l: Lang, e: &ProgrammeError) -> (StatusCode, accord_core::Invalid) {
    let general = |key: &'static str, args: &[(&str, &str)]| accord_core::Invalid {
        errors: vec![accord_core::FieldError {
            field: String::new(),
            message: l.tf(key, args),
        }],
    };
    match e {
        ProgrammeError::Invalid(invalid) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            accord_core::Invalid {
                errors: invalid
                    .problems
                    .iter()
                    .map(|p| accord_core::FieldError {
                        field: input_field(&p.field),
                        message: problem_message(l, p),
                    })
                    .collect(),
            },
        ),
        ProgrammeError::NotSignedIn => (
            StatusCode::UNAUTHORIZED,
            general("error.not_signed_in", &[]),
        ),
        ProgrammeError::RoleNotAllowed { role, .. } => (
            StatusCode::FORBIDDEN,
            general("programmes.r_role", &[("role", role.as_str())]),
        ),
        ProgrammeError::NotParticipating { member, .. } => (
            StatusCode::FORBIDDEN,
            general("programmes.r_not_participating", &[("member", member)]),
        ),
        ProgrammeError::SeparationOfDuties => (
            StatusCode::CONFLICT,
            general("programmes.r_separation", &[]),
        ),
        ProgrammeError::PeriodSubmitted { field } | ProgrammeError::PeriodState { field, .. } => (
            StatusCode::CONFLICT,
            general(
                "programmes.r_period_submitted",
                &[("field", &field_label(l, field))],
            ),
        ),
        ProgrammeError::NotFound { field } => (
            StatusCode::NOT_FOUND,
            general(
                "programmes.r_not_found",
                &[("field", &field_label(l, field))],
            ),
        ),
        ProgrammeError::IdentifierFrozen { published, .. } => (
            StatusCode::CONFLICT,
            general(
                "programmes.r_identifier_frozen",
                &[("identifier", published)],
            ),
        ),
        ProgrammeError::IdChanged { from, .. } => (
            StatusCode::CONFLICT,
            general("programmes.r_id_changed", &[("id", from)]),
        ),
        ProgrammeError::VersionConflict { .. } => {
            (StatusCode::CONFLICT, general("programmes.r_stale", &[]))
        }
    }
}

/// The refusal as the API answers it: the status, and each problem with its
/// field, code and message.
fn api_refusal(l: Lang, e: &ProgrammeError) -> Response {
    let (status, invalid) = refusal(l, e);
    let fields: Vec<serde_json::Value> = match e {
        ProgrammeError::Invalid(i) => i
            .problems
            .iter()
            .map(|p| {
                let args = serde_json::to_value(p)
                    .map(|v| v["args"].clone())
                    .unwrap_or_default();
                serde_json::json!({ "field": input_field(&p.field), "code": p.code, "args": args,
                    "message": problem_message(l, p) })
            })
            .collect(),
        _ => Vec::new(),
    };
    let message = invalid
        .errors
        .first()
        .map(|e| e.message.clone())
        .unwrap_or_default();
    (
        status,
        Json(serde_json::json!({ "error": {
            "status": status.as_u16(), "code": e.code(), "message": message, "fields": fields } })),
    )
        .into_response()
}

/// The summary of a refused form, every problem named by its label.
fn refusal_notice(l: Lang, invalid: Option<&accord_core::Invalid>) -> Markup {
    html! {
        @if let Some(invalid) = invalid {
            div.notice.error role="alert" {
                p { strong { (l.t("form.fix_errors")) } }
                ul { @for e in &invalid.errors {
                    li {
                        @if e.field.is_empty() { (e.message) }
                        @else { a href={ "#" (e.field) } { (field_label(l, &e.field)) } ": " (e.message) }
                    }
                } }
            }
        }
    }
}

// ---- labels ----

pub(super) fn kind_label(l: Lang, k: ProgrammeKind) -> &'static str {
    match k {
        ProgrammeKind::PublicServantTraining => l.t("programmes.k_public_servant_training"),
        ProgrammeKind::NgoSupport => l.t("programmes.k_ngo_support"),
        ProgrammeKind::PrisonRehabilitation => l.t("programmes.k_prison_rehabilitation"),
        ProgrammeKind::Youth => l.t("programmes.k_youth"),
        ProgrammeKind::Women => l.t("programmes.k_women"),
        ProgrammeKind::Education => l.t("programmes.k_education"),
        ProgrammeKind::ReligiousLeaders => l.t("programmes.k_religious_leaders"),
        ProgrammeKind::Media => l.t("programmes.k_media"),
        ProgrammeKind::LocalGovernment => l.t("programmes.k_local_government"),
        ProgrammeKind::Other => l.t("programmes.k_other"),
    }
}

fn status_label(l: Lang, s: Status) -> &'static str {
    match s {
        Status::Pipeline => l.t("programmes.s_pipeline"),
        Status::Implementation => l.t("programmes.s_implementation"),
        Status::Finalisation => l.t("programmes.s_finalisation"),
        Status::Closed => l.t("programmes.s_closed"),
        Status::Cancelled => l.t("programmes.s_cancelled"),
        Status::Suspended => l.t("programmes.s_suspended"),
    }
}

fn role_label(l: Lang, r: OrgRole) -> &'static str {
    match r {
        OrgRole::Funding => l.t("programmes.o_funding"),
        OrgRole::Accountable => l.t("programmes.o_accountable"),
        OrgRole::Extending => l.t("programmes.o_extending"),
        OrgRole::Implementing => l.t("programmes.o_implementing"),
    }
}

fn sex_label(l: Lang, s: Sex) -> &'static str {
    match s {
        Sex::Female => l.t("programmes.sex_female"),
        Sex::Male => l.t("programmes.sex_male"),
        Sex::Other => l.t("programmes.sex_other"),
    }
}

fn words(l: Lang) -> svg::Words {
    svg::Words {
        target: l.t("programmes.target").into(),
        actual: l.t("programmes.actual").into(),
        baseline: l.t("programmes.baseline").into(),
        budget: l.t("programmes.budget").into(),
        spent: l.t("programmes.spent").into(),
        committed: l.t("programmes.committed").into(),
        no_data: l.t("programmes.no_data").into(),
        kinds: ProgrammeKind::ALL.map(|k| kind_label(l, k).to_string()),
    }
}

fn money(hundredths: i64, currency: &str) -> String {
    let whole = hundredths / 100;
    let cents = (hundredths % 100).abs();
    if cents == 0 {
        format!("{} {currency}", group_thousands(whole as f64))
    } else {
        format!("{}.{cents:02} {currency}", group_thousands(whole as f64))
    }
}

/// "3 programmes, 1,240 public servants trained" in the page's language.
pub(super) fn summary_sentence(l: Lang, s: &CommitmentSummary) -> String {
    let n = s.programmes.len().to_string();
    let mut parts = vec![l.tf("programmes.n_programmes", &[("n", &n)])];
    for t in &s.totals {
        parts.push(format!("{} — {}", group_thousands(t.actual), t.title));
    }
    parts.join("; ")
}

// ---- the register ----

#[derive(Debug, Default, Deserialize, Serialize, Clone)]
pub struct Filter {
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub sector: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub funder: String,
    #[serde(default)]
    pub commitment: String,
}

impl Filter {
    fn keeps(&self, p: &Programme) -> bool {
        let country = self.country.trim();
        let country_ok = country.is_empty()
            || p.countries.iter().any(|c| c.code.as_str() == country)
            || p.members().iter().any(|m| m.as_str() == country);
        let funder = self.funder.trim().to_lowercase();
        let funder_ok = funder.is_empty()
            || p.participants.iter().any(|o| {
                o.role == OrgRole::Funding
                    && (o
                        .member
                        .as_ref()
                        .is_some_and(|m| m.as_str().to_lowercase() == funder)
                        || o.iati_ref
                            .as_ref()
                            .is_some_and(|r| r.as_str().to_lowercase() == funder)
                        || o.name
                            .narratives()
                            .iter()
                            .any(|n| n.text.to_lowercase().contains(&funder)))
            });
        country_ok
            && funder_ok
            && (self.kind.is_empty() || p.kind.as_str() == self.kind)
            && (self.status.is_empty() || p.status.as_str() == self.status)
            && (self.sector.is_empty() || p.sectors.iter().any(|s| s.code.as_str() == self.sector))
            && (self.commitment.is_empty()
                || p.commitments.iter().any(|c| c.as_str() == self.commitment))
    }

    fn query(&self) -> String {
        serde_urlencoded_like(self)
    }
}

fn serde_urlencoded_like(f: &Filter) -> String {
    let pairs = [
        ("country", &f.country),
        ("kind", &f.kind),
        ("sector", &f.sector),
        ("status", &f.status),
        ("funder", &f.funder),
        ("commitment", &f.commitment),
    ];
    pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", crate::render::url_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// People counted by the submitted actuals of indicators that count people,
/// by sex, over the programmes given; and the total without breakdown.
fn participants_by_sex(ps: &[&Programme], key_suffix: &str) -> (BTreeMap<Sex, f64>, f64) {
    let mut by = BTreeMap::new();
    let mut total = 0.0;
    for p in ps {
        for ind in p.results.iter().flat_map(|r| &r.indicators) {
            if !ind.counts_people
                || !ind
                    .key
                    .as_ref()
                    .is_some_and(|k| k.as_str().ends_with(key_suffix))
            {
                continue;
            }
            for per in ind.periods.iter().filter(|x| x.state.is_submitted()) {
                let Some(a) = &per.actual else { continue };
                total += a.value.unwrap_or(0.0);
                for part in a.parts.iter().filter(|x| x.age.is_none()) {
                    if let Some(s) = part.sex {
                        *by.entry(s).or_insert(0.0) += part.value;
                    }
                }
            }
        }
    }
    (by, total)
}

pub async fn list_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(filter): Query<Filter>,
) -> Result<Html<String>, WebError> {
    let l = ctx.lang;
    let all = visible(&state, &ctx.principal).await?;
    let shown: Vec<&Programme> = all
        .iter()
        .map(|(_, p)| p)
        .filter(|p| filter.keeps(p))
        .collect();
    let members = state.store.members().await?;
    let catalogue = state.store.plan_catalogue().await?;
    let mut budgets: BTreeMap<String, i64> = BTreeMap::new();
    for p in &shown {
        for b in &p.budgets {
            *budgets
                .entry(b.value.currency.as_str().to_string())
                .or_default() += b.value.amount.hundredths();
        }
    }
    let (trained_by_sex, trained) = participants_by_sex(&shown, "_trained");
    let owned: Vec<Programme> = shown.iter().map(|p| (*p).clone()).collect();
    let years = aggregate::kinds_by_year(&owned, None, &ctx.principal);
    let chart = svg::kinds_by_year_chart(
        "kinds-by-year",
        l.t("programmes.by_kind_year"),
        &years,
        &words(l),
    );
    let may_create = accord_core::authorize(&ctx.principal, &Action::EditProgrammes).is_ok();
    let q = filter.query();
    let sectors: Vec<String> = {
        let mut v: Vec<String> = all
            .iter()
            .flat_map(|(_, p)| p.sectors.iter().map(|s| s.code.as_str().to_string()))
            .collect();
        v.sort();
        v.dedup();
        v
    };
    Ok(page(
        &ctx,
        l.t("programmes.title"),
        html! {
            h1 { (l.t("programmes.title")) }
            p { (l.t("programmes.intro")) }
            @if may_create {
                p.actions {
                    a.button href="/programmes/new" { (l.t("programmes.new")) }
                    " " a href="/programmes/import" { (l.t("programmes.import")) }
                }
            }
            form.filters method="get" action="/programmes" {
                div.field {
                    label for="country" { (l.t("programmes.f_country")) }
                    select id="country" name="country" {
                        option value="" { (l.t("programmes.any")) }
                        @for m in &members { option value=(m.code) selected[filter.country == m.code.as_str()] { (m.code) " — " (m.name) } }
                    }
                }
                div.field {
                    label for="kind" { (l.t("programmes.f_kind")) }
                    select id="kind" name="kind" {
                        option value="" { (l.t("programmes.any")) }
                        @for k in ProgrammeKind::ALL { option value=(k.as_str()) selected[filter.kind == k.as_str()] { (kind_label(l, k)) } }
                    }
                }
                div.field {
                    label for="sector" { (l.t("programmes.f_sector")) }
                    select id="sector" name="sector" {
                        option value="" { (l.t("programmes.any")) }
                        @for s in &sectors { option value=(s) selected[filter.sector == *s] { (s) " " (sector_name(s)) } }
                    }
                }
                div.field {
                    label for="status" { (l.t("programmes.f_status")) }
                    select id="status" name="status" {
                        option value="" { (l.t("programmes.any")) }
                        @for s in Status::ALL { option value=(s.as_str()) selected[filter.status == s.as_str()] { (status_label(l, *s)) } }
                    }
                }
                div.field {
                    label for="funder" { (l.t("programmes.funder")) }
                    input id="funder" name="funder" value=(filter.funder);
                }
                div.field {
                    label for="commitment" { (l.t("programmes.f_commitments")) }
                    select id="commitment" name="commitment" {
                        option value="" { (l.t("programmes.any")) }
                        @for c in catalogue.commitments() { option value=(c.id) selected[filter.commitment == c.id.as_str()] { (super::plan::short_label(l, c)) } }
                    }
                }
                button type="submit" { (l.t("programmes.apply")) }
            }
            h2 { (l.t("programmes.totals")) }
            dl.facts {
                dt { (l.t("programmes.count")) } dd { (shown.len()) }
                dt { (l.t("programmes.budget")) }
                dd { @if budgets.is_empty() { "—" } @for (c, v) in &budgets { (money(*v, c)) br; } }
                dt { (l.t("programmes.trained")) }
                dd {
                    (group_thousands(trained))
                    @if !trained_by_sex.is_empty() {
                        " (" @for (i, (s, v)) in trained_by_sex.iter().enumerate() { @if i > 0 { ", " } (sex_label(l, *s)) " " (group_thousands(*v)) } ")"
                    }
                }
            }
            @if shown.is_empty() { p.muted { (l.t("programmes.none")) } } @else {
                div.table-scroll {
                    table {
                        thead { tr {
                            th scope="col" { (l.t("programmes.f_title")) } th scope="col" { (l.t("programmes.f_kind")) }
                            th scope="col" { (l.t("programmes.f_country")) } th scope="col" { (l.t("programmes.f_status")) }
                            th scope="col" { (l.t("programmes.dates")) } th scope="col" { (l.t("programmes.budget")) } th scope="col" { "TLP" }
                        } }
                        tbody { @for p in &shown {
                            tr {
                                td { a href={ "/programmes/" (p.id) } { (p.title.best(l.code())) } }
                                td { (kind_label(l, p.kind)) }
                                td { @for c in &p.countries { (c.code) " " } }
                                td { (status_label(l, p.status)) }
                                td { (p.dates.planned_start) " – " (p.dates.planned_end) }
                                td { @for t in aggregate::budget_vs_spent(p) { @if t.budget > 0 { (money(t.budget, &t.currency)) br; } } }
                                td { (p.tlp) @if p.published { " · IATI" } }
                            }
                        } }
                    }
                }
            }
            figure.chart { (PreEscaped(chart)) }
            p.no-print {
                a href={ "/programmes.csv?" (q) } { (l.t("programmes.csv")) } " · "
                a href={ "/programmes/periods.csv?" (q) } { (l.t("programmes.periods_csv")) } " · "
                a href="/api/programmes/iati.xml" { (l.t("programmes.iati")) }
            }
        },
    ))
}

fn sector_name(code: &str) -> &'static str {
    accord_programmes::codes::name(accord_programmes::codes::List::Sector, code).unwrap_or("")
}

// ---- one programme ----

pub async fn programme_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let (record, p) = one(&state, &ctx, &id).await?;
    programme_view(&state, &ctx, &record, &p, None).await
}

async fn programme_view(
    state: &AppState,
    ctx: &Ctx,
    record: &ProgrammeRecord,
    p: &Programme,
    errors: Option<&accord_core::Invalid>,
) -> Result<Html<String>, WebError> {
    let l = ctx.lang;
    let catalogue = state.store.plan_catalogue().await?;
    let editor = may_edit(ctx, p);
    let own = insider(ctx, p);
    let w = words(l);
    let totals = aggregate::budget_vs_spent(p);
    let budget = (!totals.is_empty())
        .then(|| svg::budget_chart("budget", l.t("programmes.budget_vs_spent"), &totals, &w));
    let version = record.version();
    Ok(page(
        ctx,
        p.title.best(l.code()),
        html! {
            h1 { (p.title.best(l.code())) }
            (refusal_notice(l, errors))
            @for n in p.description.narratives() { p lang=(n.lang.as_str()) style="white-space: pre-line" { (n.text) } }
            @if editor { p.actions { a.button href={ "/programmes/" (p.id) "/edit" } { (l.t("programmes.edit")) } } }
            dl.facts {
                dt { (l.t("programmes.f_kind")) } dd { (kind_label(l, p.kind)) }
                dt { (l.t("programmes.f_status")) } dd { (status_label(l, p.status)) }
                dt { (l.t("programmes.dates")) } dd {
                    (l.t("programmes.planned")) " " (p.dates.planned_start) " – " (p.dates.planned_end)
                    @if let Some(s) = p.dates.actual_start { br; (l.t("programmes.actual_dates")) " " (s) " – " (p.dates.actual_end.map(|d| d.to_string()).unwrap_or_default()) }
                }
                dt { (l.t("programmes.f_country")) } dd { @for c in &p.countries { (c.code) @if !c.regions.is_empty() { " (" (c.regions.join(", ")) ")" } br; } }
                dt { (l.t("programmes.f_sector")) } dd { @for s in &p.sectors { (s.code) " " (sector_name(s.code.as_str())) " — " (s.percentage) "%" br; } }
                dt { (l.t("programmes.participants")) } dd { @for o in &p.participants {
                    (role_label(l, o.role)) ": "
                    @if let Some(m) = &o.member { a href={ "/members/" (m) } { (m) } " " }
                    (o.name.best(l.code())) @if let Some(r) = &o.iati_ref { " (" (r) ")" } br;
                } }
                dt { (l.t("programmes.f_commitments")) } dd { @for c in &p.commitments {
                    @if let Some(cm) = catalogue.commitment(c) { a href={ "/commitments/" (c) } { (super::plan::short_label(l, cm)) } br; } @else { (c) br; }
                } }
                dt { "TLP" } dd { "TLP:" (p.tlp) }
                dt { "IATI" } dd {
                    @if p.published { (l.t("programmes.published_as")) " " code { (p.iati_identifier.as_ref().map(|i| i.to_string()).unwrap_or_default()) } }
                    @else if p.publish_iati { (l.t("programmes.to_publish")) } @else { (l.t("programmes.not_published")) }
                    @if iati::publishable(p) { " · " a href={ "/api/programmes/" (p.id) "/iati.xml" } { (l.t("programmes.iati_one")) } }
                }
            }
            h2 { (l.t("programmes.results")) }
            @if p.results.is_empty() { p.muted { (l.t("programmes.no_results")) } }
            @for (r, res) in p.results.iter().enumerate() {
                section.result {
                    h3 { (res.title.best(l.code())) " " span.muted { "(" (res.kind.as_str()) ")" } }
                    @for (i, ind) in res.indicators.iter().enumerate() {
                        @let series = aggregate::indicator_series(ind, l.code(), own);
                        h4 { (ind.title.best(l.code())) }
                        @if ind.measure != Measure::Qualitative {
                            figure.chart { (PreEscaped(svg::indicator_chart(&format!("ind-{r}-{i}"), ind.title.best(l.code()), &series, &w))) }
                        }
                        div.table-scroll { table {
                            thead { tr {
                                th scope="col" { (l.t("programmes.f_period")) } th scope="col" { (l.t("programmes.target")) }
                                th scope="col" { (l.t("programmes.actual")) } th scope="col" { (l.t("programmes.state")) } th scope="col" {}
                            } }
                            tbody { @for (k, per) in ind.periods.iter().enumerate() {
                                @let at = PeriodRef { result: r, indicator: i, period: k };
                                tr {
                                    td { (per.start) " – " (per.end) }
                                    td { (measured(l, per.target.as_ref())) }
                                    td { (measured(l, per.actual.as_ref())) }
                                    td { @match &per.state {
                                        PeriodState::Draft { .. } => { (l.t("programmes.draft")) }
                                        PeriodState::Submitted { at, .. } => { (l.t("programmes.submitted")) " " (crate::render::format_instant(*at)) }
                                    } }
                                    td { @if editor { (period_buttons(ctx, p, &per.state, at, version)) } }
                                }
                            } }
                        } }
                    }
                }
            }
            h2 { (l.t("programmes.budget_vs_spent")) }
            @if let Some(chart) = budget { figure.chart { (PreEscaped(chart)) } } @else { p.muted { (l.t("programmes.no_budget")) } }
            @if !p.documents.is_empty() {
                h2 { (l.t("programmes.documents")) }
                ul { @for d in &p.documents { li { a href=(d.url.as_str()) rel="noopener noreferrer" { (d.title.best(l.code())) } } } }
            }
            @if own {
                h2 { (l.t("programmes.versions")) }
                ol { @for v in record.history.versions() { li { (crate::render::format_instant(v.at)) } } }
                p.muted { (l.t("programmes.last_change")) " " (format_ms(record.updated_at)) " — " (record.updated_by) }
            }
            p { a href="/programmes" { (l.t("programmes.back")) } }
        },
    ))
}

fn measured(l: Lang, m: Option<&accord_programmes::model::Measured>) -> Markup {
    html! {
        @if let Some(m) = m {
            @if let Some(v) = m.value { (group_thousands(v)) }
            @if !m.comment.is_empty() { " " (m.comment.best(l.code())) }
            @if !m.parts.is_empty() {
                br; span.muted { @for (i, part) in m.parts.iter().enumerate() {
                    @if i > 0 { ", " }
                    @if let Some(s) = part.sex { (sex_label(l, s)) }
                    @if let Some(a) = &part.age { @if part.sex.is_some() { " " } (a.to_string()) }
                    " " (group_thousands(part.value))
                } }
            }
        } @else { "—" }
    }
}

fn period_buttons(
    ctx: &Ctx,
    p: &Programme,
    state: &PeriodState,
    at: PeriodRef,
    version: u32,
) -> Markup {
    let l = ctx.lang;
    let submitter = ctx.principal.is_secretariat()
        || (ctx.principal.role() == Some(accord_core::Role::MemberAdmin) && insider(ctx, p));
    let (action, label) = match state {
        PeriodState::Draft { .. } if submitter => ("submit", l.t("programmes.submit")),
        PeriodState::Submitted { .. } => ("correct", l.t("programmes.correct")),
        _ => return html! {},
    };
    html! {
        form.inline method="post" action={ "/programmes/" (p.id) "/periods/" (action) } {
            (csrf_field(ctx))
            input type="hidden" name="result" value=(at.result);
            input type="hidden" name="indicator" value=(at.indicator);
            input type="hidden" name="period" value=(at.period);
            input type="hidden" name="version" value=(version);
            button.secondary type="submit" { (label) }
        }
    }
}

// ---- the form ----

/// One row of inputs, each named by its path.
fn input(
    values: &BTreeMap<String, String>,
    errors: Option<&accord_core::Invalid>,
    name: &str,
    label: &str,
    kind: &str,
) -> Markup {
    let value = values.get(name).map(String::as_str).unwrap_or("");
    let error = errors.and_then(|i| i.errors.iter().find(|e| e.field == name));
    html! {
        div.field {
            label for=(name) { (label) }
            @if let Some(e) = error { div.error-text id={ (name) "-error" } { (e.message) } }
            input type=(kind) id=(name) name=(name) value=(value) aria-invalid=[error.map(|_| "true")];
        }
    }
}

fn textarea(
    values: &BTreeMap<String, String>,
    errors: Option<&accord_core::Invalid>,
    name: &str,
    label: &str,
) -> Markup {
    let value = values.get(name).map(String::as_str).unwrap_or("");
    let error = errors.and_then(|i| i.errors.iter().find(|e| e.field == name));
    html! {
        div.field {
            label for=(name) { (label) }
            @if let Some(e) = error { div.error-text { (e.message) } }
            textarea id=(name) name=(name) rows="4" aria-invalid=[error.map(|_| "true")] { (value) }
        }
    }
}

fn select(
    values: &BTreeMap<String, String>,
    name: &str,
    label: &str,
    options: &[(&str, &str)],
) -> Markup {
    let value = values.get(name).map(String::as_str).unwrap_or("");
    html! {
        div.field {
            label for=(name) { (label) }
            select id=(name) name=(name) {
                @for (v, text) in options { option value=(v) selected[*v == value] { (text) } }
            }
        }
    }
}

/// How many rows of a list the form shows: the stored ones and `spare` blank.
fn rows(values: &BTreeMap<String, String>, prefix: &str, spare: usize) -> usize {
    let used = values
        .keys()
        .filter_map(|k| {
            k.strip_prefix(prefix)?
                .strip_prefix('[')?
                .split(']')
                .next()?
                .parse::<usize>()
                .ok()
        })
        .max()
        .map_or(0, |m| m + 1);
    used + spare
}

struct FormPage<'a> {
    action: String,
    values: BTreeMap<String, String>,
    version: u32,
    errors: Option<&'a accord_core::Invalid>,
    existing: Option<&'a Programme>,
}

async fn programme_form(
    state: &AppState,
    ctx: &Ctx,
    f: FormPage<'_>,
) -> Result<Html<String>, WebError> {
    let l = ctx.lang;
    let v = &f.values;
    let e = f.errors;
    let members = state.store.members().await?;
    let catalogue = state.store.plan_catalogue().await?;
    let kinds: Vec<(&str, &str)> = ProgrammeKind::ALL
        .iter()
        .map(|k| (k.as_str(), kind_label(l, *k)))
        .collect();
    let statuses: Vec<(&str, &str)> = Status::ALL
        .iter()
        .map(|s| (s.as_str(), status_label(l, *s)))
        .collect();
    let mut roles: Vec<(&str, &str)> = vec![("", "—")];
    roles.extend(OrgRole::ALL.iter().map(|r| (r.as_str(), role_label(l, *r))));
    let mut member_opts: Vec<(String, String)> =
        vec![(String::new(), l.t("programmes.outside_org").to_string())];
    member_opts.extend(
        members
            .iter()
            .map(|m| (m.code.to_string(), format!("{} — {}", m.code, m.name))),
    );
    let member_opts: Vec<(&str, &str)> = member_opts
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let chosen: Vec<&String> = v
        .iter()
        .filter(|(k, _)| k.starts_with("commitments#"))
        .map(|(_, x)| x)
        .collect();
    let submitted_periods: Vec<String> = f
        .existing
        .map(|p| {
            let mut out = Vec::new();
            for (r, res) in p.results.iter().enumerate() {
                for (i, ind) in res.indicators.iter().enumerate() {
                    for (k, per) in ind.periods.iter().enumerate() {
                        if per.state.is_submitted() {
                            out.push(format!("results[{r}].indicators[{i}].periods[{k}]"));
                        }
                    }
                }
            }
            out
        })
        .unwrap_or_default();
    let editing = f.existing.is_some();
    Ok(page(
        ctx,
        if editing {
            l.t("programmes.edit")
        } else {
            l.t("programmes.new")
        },
        html! {
            h1 { (if editing { l.t("programmes.edit") } else { l.t("programmes.new") }) }
            (refusal_notice(l, e))
            form.programme method="post" action=(f.action) {
                (csrf_field(ctx))
                input type="hidden" name="version" value=(f.version);
                fieldset {
                    legend { (l.t("programmes.about")) }
                    @if editing { input type="hidden" name="id" value=(v.get("id").map(String::as_str).unwrap_or("")); p { (l.t("programmes.f_id")) ": " code { (v.get("id").map(String::as_str).unwrap_or("")) } } }
                    @else { (input(v, e, "id", l.t("programmes.f_id_hint"), "text")) }
                    (input(v, e, "title[en]", &format!("{} (English)", l.t("programmes.f_title")), "text"))
                    (input(v, e, "title[ru]", &format!("{} (русский)", l.t("programmes.f_title")), "text"))
                    (textarea(v, e, "description[en]", &format!("{} (English)", l.t("programmes.f_description"))))
                    (textarea(v, e, "description[ru]", &format!("{} (русский)", l.t("programmes.f_description"))))
                    (select(v, "kind", l.t("programmes.f_kind"), &kinds))
                    (select(v, "status", l.t("programmes.f_status"), &statuses))
                    (input(v, e, "planned_start", l.t("programmes.f_planned_start"), "date"))
                    (input(v, e, "planned_end", l.t("programmes.f_planned_end"), "date"))
                    (input(v, e, "actual_start", l.t("programmes.f_actual_start"), "date"))
                    (input(v, e, "actual_end", l.t("programmes.f_actual_end"), "date"))
                    (select(v, "tlp", "TLP", &[("", l.t("programmes.tlp_default")), ("CLEAR", "TLP:CLEAR"), ("GREEN", "TLP:GREEN"), ("AMBER", "TLP:AMBER"), ("AMBER+STRICT", "TLP:AMBER+STRICT"), ("RED", "TLP:RED")]))
                    (select(v, "publish_iati", l.t("programmes.f_publish_iati"), &[("", l.t("programmes.tlp_default")), ("true", l.t("programmes.yes")), ("false", l.t("programmes.no"))]))
                    @if editing { (input(v, e, "iati_identifier", l.t("programmes.f_iati_identifier"), "text")) }
                }
                fieldset {
                    legend { (l.t("programmes.f_country")) }
                    p.hint { (l.t("programmes.country_hint")) }
                    @for i in 0..rows(v, "countries", 1) {
                        div.row {
                            (input(v, e, &format!("countries[{i}].code"), l.t("programmes.f_code"), "text"))
                            (input(v, e, &format!("countries[{i}].regions"), l.t("programmes.f_regions"), "text"))
                        }
                    }
                }
                fieldset {
                    legend { (l.t("programmes.f_sector")) }
                    p.hint { (l.t("programmes.sector_hint")) }
                    @for i in 0..rows(v, "sectors", 2) {
                        div.row {
                            (input(v, e, &format!("sectors[{i}].code"), l.t("programmes.f_code"), "text"))
                            (input(v, e, &format!("sectors[{i}].percentage"), l.t("programmes.f_percentage"), "text"))
                        }
                    }
                }
                fieldset id="commitments" {
                    legend { (l.t("programmes.f_commitments")) }
                    @for c in catalogue.commitments().iter().filter(|c| c.framework.as_str() == "astana2015") {
                        label.check {
                            input type="checkbox" name="commitments" value=(c.id) checked[chosen.iter().any(|x| x.as_str() == c.id.as_str())];
                            " " (super::plan::short_label(l, c)) " " span.muted lang="en" { (c.display_text()) }
                        }
                        br;
                    }
                }
                fieldset {
                    legend { (l.t("programmes.participants")) }
                    p.hint { (l.t("programmes.participant_hint")) }
                    @for i in 0..rows(v, "participants", 2) {
                        div.row {
                            (select(v, &format!("participants[{i}].role"), l.t("programmes.f_role"), &roles))
                            (select(v, &format!("participants[{i}].member"), l.t("programmes.f_member"), &member_opts))
                            (input(v, e, &format!("participants[{i}].name[en]"), l.t("programmes.f_name"), "text"))
                            (input(v, e, &format!("participants[{i}].iati_ref"), l.t("programmes.f_iati_ref"), "text"))
                            (input(v, e, &format!("participants[{i}].org_type"), l.t("programmes.f_org_type"), "text"))
                        }
                    }
                }
                fieldset {
                    legend { (l.t("programmes.f_budget")) }
                    @for i in 0..rows(v, "budgets", 1) {
                        div.row {
                            (input(v, e, &format!("budgets[{i}].start"), l.t("programmes.f_start"), "date"))
                            (input(v, e, &format!("budgets[{i}].end"), l.t("programmes.f_end"), "date"))
                            (input(v, e, &format!("budgets[{i}].amount"), l.t("programmes.f_amount"), "text"))
                            (input(v, e, &format!("budgets[{i}].currency"), l.t("programmes.f_currency"), "text"))
                        }
                    }
                }
                fieldset {
                    legend { (l.t("programmes.f_transaction")) }
                    @for i in 0..rows(v, "transactions", 1) {
                        div.row {
                            (select(v, &format!("transactions[{i}].kind"), l.t("programmes.f_kind"), &[("", "—"), ("incoming_funds", l.t("programmes.t_incoming")), ("commitment", l.t("programmes.t_commitment")), ("disbursement", l.t("programmes.t_disbursement")), ("expenditure", l.t("programmes.t_expenditure"))]))
                            (input(v, e, &format!("transactions[{i}].date"), l.t("programmes.f_date"), "date"))
                            (input(v, e, &format!("transactions[{i}].amount"), l.t("programmes.f_amount"), "text"))
                            (input(v, e, &format!("transactions[{i}].currency"), l.t("programmes.f_currency"), "text"))
                            (input(v, e, &format!("transactions[{i}].reference"), l.t("programmes.f_reference"), "text"))
                        }
                    }
                }
                fieldset {
                    legend { (l.t("programmes.documents")) }
                    @for i in 0..rows(v, "documents", 1) {
                        div.row {
                            (input(v, e, &format!("documents[{i}].url"), l.t("programmes.f_url"), "url"))
                            (input(v, e, &format!("documents[{i}].title[en]"), l.t("programmes.f_title"), "text"))
                            (input(v, e, &format!("documents[{i}].category"), l.t("programmes.f_category"), "text"))
                        }
                    }
                }
                @for r in 0..rows(v, "results", 1) {
                    @let rp = format!("results[{r}]");
                    fieldset {
                        legend { (l.t("programmes.f_result")) " " (r + 1) }
                        div.row {
                            (select(v, &format!("{rp}.kind"), l.t("programmes.f_kind"), &[("", "—"), ("output", l.t("programmes.rk_output")), ("outcome", l.t("programmes.rk_outcome")), ("impact", l.t("programmes.rk_impact"))]))
                            (input(v, e, &format!("{rp}.title[en]"), l.t("programmes.f_title"), "text"))
                        }
                        @for i in 0..rows(v, &format!("{rp}.indicators"), 1) {
                            @let ip = format!("{rp}.indicators[{i}]");
                            fieldset {
                                legend { (l.t("programmes.f_indicator")) " " (i + 1) }
                                div.row {
                                    (input(v, e, &format!("{ip}.title[en]"), l.t("programmes.f_title"), "text"))
                                    (select(v, &format!("{ip}.measure"), l.t("programmes.f_measure"), &[("unit", l.t("programmes.m_unit")), ("percentage", l.t("programmes.m_percentage")), ("qualitative", l.t("programmes.m_qualitative"))]))
                                    (input(v, e, &format!("{ip}.key"), l.t("programmes.f_key"), "text"))
                                    (select(v, &format!("{ip}.counts_people"), l.t("programmes.f_counts_people"), &[("false", l.t("programmes.no")), ("true", l.t("programmes.yes"))]))
                                    (input(v, e, &format!("{ip}.baseline_year"), l.t("programmes.f_baseline_year"), "text"))
                                    (input(v, e, &format!("{ip}.baseline.value"), l.t("programmes.f_baseline"), "text"))
                                }
                                @for k in 0..rows(v, &format!("{ip}.periods"), 1) {
                                    @let pp = format!("{ip}.periods[{k}]");
                                    @if submitted_periods.contains(&pp) {
                                        // A submitted period is sent back as it was; it changes only through "correct".
                                        @for (name, value) in v.range(format!("{pp}.")..format!("{pp}/")) {
                                            input type="hidden" name=(name) value=(value);
                                        }
                                        p.muted { (l.t("programmes.f_period")) " " (v.get(&format!("{pp}.start")).map(String::as_str).unwrap_or("")) " – " (v.get(&format!("{pp}.end")).map(String::as_str).unwrap_or("")) ": " (l.t("programmes.submitted")) }
                                    } @else {
                                        div.row.period {
                                            (input(v, e, &format!("{pp}.start"), l.t("programmes.f_start"), "date"))
                                            (input(v, e, &format!("{pp}.end"), l.t("programmes.f_end"), "date"))
                                            (input(v, e, &format!("{pp}.target.value"), l.t("programmes.target"), "text"))
                                            (input(v, e, &format!("{pp}.actual.value"), l.t("programmes.actual"), "text"))
                                            @for (j, preset) in ["female", "male"].iter().enumerate() {
                                                @let sex = v.get(&format!("{pp}.actual.parts[{j}].sex")).map(String::as_str).unwrap_or(preset);
                                                @let age = v.get(&format!("{pp}.actual.parts[{j}].age")).map(String::as_str).unwrap_or("");
                                                input type="hidden" name={ (pp) ".actual.parts[" (j) "].sex" } value=(sex);
                                                (input(v, e, &format!("{pp}.actual.parts[{j}].value"), &format!("{} — {} {}", l.t("programmes.actual"), Sex::parse(sex).map(|s| sex_label(l, s)).unwrap_or(sex), age), "text"))
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                // What this form has no input for (other languages, age
                // bands, descriptions, budget types…) goes back as it came.
                @for (name, value) in v.iter().filter(|(k, _)| !shown_in_form(k) && !submitted_periods.iter().any(|pp| k.starts_with(&format!("{pp}.")))) {
                    input type="hidden" name=(name) value=(value);
                }
                p.hint { (l.t("programmes.more_rows")) }
                button type="submit" { (l.t("programmes.save")) }
            }
        },
    ))
}

/// Whether the form has a visible input (or its own hidden one) for `key`:
/// everything else is carried through as a hidden input, so an edit never
/// drops what the form does not show.
fn shown_in_form(key: &str) -> bool {
    if key.starts_with("commitments#") || key == "version" || key == "csrf" {
        return true;
    }
    // `results[0].indicators[1]` → `results[#].indicators[#]`, keeping the
    // part's position (the form shows parts 0 and 1 only).
    let mut shape = String::new();
    let mut rest = key;
    while let Some(open) = rest.find('[') {
        let close = rest[open..].find(']').map_or(rest.len(), |c| open + c);
        let inner = &rest[open + 1..close.min(rest.len())];
        shape.push_str(&rest[..open]);
        let keep = rest[..open].ends_with("parts") || !inner.chars().all(|c| c.is_ascii_digit());
        shape.push('[');
        shape.push_str(if keep { inner } else { "#" });
        rest = &rest[close.min(rest.len())..];
    }
    shape.push_str(rest);
    const SHOWN: &[&str] = &[
        "id",
        "iati_identifier",
        "title[en]",
        "title[ru]",
        "description[en]",
        "description[ru]",
        "kind",
        "status",
        "planned_start",
        "planned_end",
        "actual_start",
        "actual_end",
        "tlp",
        "publish_iati",
        "countries[#].code",
        "countries[#].regions",
        "sectors[#].code",
        "sectors[#].percentage",
        "participants[#].role",
        "participants[#].member",
        "participants[#].name[en]",
        "participants[#].iati_ref",
        "participants[#].org_type",
        "budgets[#].start",
        "budgets[#].end",
        "budgets[#].amount",
        "budgets[#].currency",
        "transactions[#].kind",
        "transactions[#].date",
        "transactions[#].amount",
        "transactions[#].currency",
        "transactions[#].reference",
        "documents[#].url",
        "documents[#].title[en]",
        "documents[#].category",
        "results[#].kind",
        "results[#].title[en]",
        "results[#].indicators[#].title[en]",
        "results[#].indicators[#].measure",
        "results[#].indicators[#].key",
        "results[#].indicators[#].counts_people",
        "results[#].indicators[#].baseline_year",
        "results[#].indicators[#].baseline.value",
        "results[#].indicators[#].periods[#].start",
        "results[#].indicators[#].periods[#].end",
        "results[#].indicators[#].periods[#].target.value",
        "results[#].indicators[#].periods[#].actual.value",
        "results[#].indicators[#].periods[#].actual.parts[0].sex",
        "results[#].indicators[#].periods[#].actual.parts[0].value",
        "results[#].indicators[#].periods[#].actual.parts[1].sex",
        "results[#].indicators[#].periods[#].actual.parts[1].value",
    ];
    SHOWN.contains(&shape.as_str())
}

/// The pairs a form shows for `input`, with the repeated checkboxes and the
/// parts by sex that the form's fixed rows expect.
fn form_values(input: &ProgrammeInput) -> BTreeMap<String, String> {
    let mut v = pairs_of(input);
    // The form offers female and male parts at positions 0 and 1; put
    // stored parts there so they show in their inputs.
    for (r, res) in input.results.iter().enumerate() {
        for (i, ind) in res.indicators.iter().enumerate() {
            for (k, per) in ind.periods.iter().enumerate() {
                let pp = format!("results[{r}].indicators[{i}].periods[{k}].actual.parts");
                if let Some(a) = &per.actual {
                    let simple = a.parts.iter().all(|p| p.age.trim().is_empty());
                    if simple {
                        let keys: Vec<String> = v
                            .range(format!("{pp}[")..format!("{pp}\\"))
                            .map(|(k, _)| k.clone())
                            .collect();
                        for key in keys {
                            v.remove(&key);
                        }
                        for part in &a.parts {
                            let j = if part.sex == "male" { 1 } else { 0 };
                            v.insert(format!("{pp}[{j}].sex"), part.sex.clone());
                            v.insert(
                                format!("{pp}[{j}].value"),
                                match &part.value {
                                    accord_programmes::input::Num::Text(s) => s.clone(),
                                    accord_programmes::input::Num::Number(n) => {
                                        accord_programmes::programme::fmt_number(*n)
                                    }
                                },
                            );
                        }
                    }
                }
            }
        }
    }
    v
}

fn posted_values(pairs: &[(String, String)]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut n = 0;
    for (k, v) in pairs {
        if k == "commitments" {
            out.insert(format!("commitments#{n}"), v.clone());
            n += 1;
        } else {
            out.insert(k.clone(), v.clone());
        }
    }
    out
}

pub async fn new_page(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, WebError> {
    let mut values = BTreeMap::new();
    values.insert("kind".to_string(), "public_servant_training".to_string());
    values.insert("status".to_string(), "implementation".to_string());
    if let Some(m) = ctx.principal.member() {
        values.insert("participants[0].role".into(), "implementing".into());
        values.insert("participants[0].member".into(), m.to_string());
        if let Some(c) = accord_programmes::codes::country_of_member(m.as_str()) {
            values.insert("countries[0].code".into(), c.to_string());
        }
    }
    programme_form(
        &state,
        &ctx,
        FormPage {
            action: "/programmes/new".into(),
            values,
            version: 0,
            errors: None,
            existing: None,
        },
    )
    .await
}

/// Validates an input into a new programme or the next version of `old`.
fn next_programme(
    ctx: &Ctx,
    catalogue: &accord_plan::Catalogue,
    input: &ProgrammeInput,
    old: Option<&Programme>,
) -> Result<Programme, ProgrammeError> {
    let data = input.validate(old)?;
    let p = match old {
        None => rules::create(data, &ctx.principal)?,
        Some(old) => rules::revise(old, data, &ctx.principal)?,
    };
    p.check_commitments(catalogue)?;
    Ok(p)
}

pub async fn create_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    PostedForm(pairs): PostedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let input = input_from_pairs(&pairs).map_err(WebError::BadRequest)?;
    let catalogue = state.store.plan_catalogue().await?;
    let refused = |e: ProgrammeError| {
        let (status, invalid) = refusal(ctx.lang, &e);
        (status, invalid)
    };
    let outcome = match next_programme(&ctx, &catalogue, &input, None) {
        Ok(p) => match state
            .store
            .create_programme(&ctx.actor(), &ctx.principal, p)
            .await
        {
            Ok(r) => {
                return Ok(
                    Redirect::to(&format!("/programmes/{}", r.programme().id)).into_response()
                );
            }
            Err(accord_store::StoreError::Conflict(m)) => {
                (StatusCode::CONFLICT, accord_core::Invalid::field("id", m))
            }
            Err(e) => return Err(e.into()),
        },
        Err(e) => refused(e),
    };
    let (status, invalid) = outcome;
    let mut r = programme_form(
        &state,
        &ctx,
        FormPage {
            action: "/programmes/new".into(),
            values: posted_values(&pairs),
            version: 0,
            errors: Some(&invalid),
            existing: None,
        },
    )
    .await?
    .into_response();
    *r.status_mut() = status;
    Ok(r)
}

pub async fn edit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let (record, p) = one(&state, &ctx, &id).await?;
    if !may_edit(&ctx, &p) {
        return Err(WebError::Forbidden);
    }
    Ok(programme_form(
        &state,
        &ctx,
        FormPage {
            action: format!("/programmes/{}/edit", p.id),
            values: form_values(&ProgrammeInput::from_programme(record.programme())),
            version: record.version(),
            errors: None,
            existing: Some(record.programme()),
        },
    )
    .await?
    .into_response())
}

/// Applies `change` to the stored programme under the domain rules, in the
/// store's transaction; a refusal comes back as the domain's error.
async fn change(
    state: &AppState,
    ctx: &Ctx,
    id: &ProgrammeId,
    expected: Option<u32>,
    action: &str,
    f: impl FnOnce(&Programme, usize) -> Result<Programme, ProgrammeError>,
) -> Result<Result<ProgrammeRecord, ProgrammeError>, WebError> {
    match state
        .store
        .change_programme(&ctx.actor(), &ctx.principal, id, expected, action, |c| {
            f(c.history.current(), c.side_user_count)
        })
        .await
    {
        Ok(r) => Ok(r),
        // Saved over a version that is no longer current: the domain's
        // refusal, so the form and the API say it in the user's language.
        Err(accord_store::StoreError::Stale(_)) => {
            let latest = state.store.programme(id).await?.version();
            Ok(Err(ProgrammeError::VersionConflict {
                latest,
                version: expected.unwrap_or(latest),
            }))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn update_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    PostedForm(pairs): PostedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (record, _) = one(&state, &ctx, &id).await?;
    // Who may not edit gets the refusal, never the form with the stored programme.
    if !may_edit(&ctx, record.programme()) {
        ctx.refused(&state, Some(&Action::EditProgrammes)).await;
        return Err(WebError::Forbidden);
    }
    let pid = record.programme().id.clone();
    let mut input = input_from_pairs(&pairs).map_err(WebError::BadRequest)?;
    input.id = pid.to_string();
    let version = pairs
        .iter()
        .find(|(k, _)| k == "version")
        .and_then(|(_, v)| v.parse().ok());
    let catalogue = state.store.plan_catalogue().await?;
    let result = change(&state, &ctx, &pid, version, "programme.edit", |old, _| {
        next_programme(&ctx, &catalogue, &input, Some(old))
    })
    .await;
    let (status, invalid) = match result {
        Ok(Ok(_)) => return Ok(Redirect::to(&format!("/programmes/{pid}")).into_response()),
        Ok(Err(e)) => refusal(ctx.lang, &e),
        Err(WebError::Conflict(m)) => (StatusCode::CONFLICT, accord_core::Invalid::field("", m)),
        Err(e) => return Err(e),
    };
    let current = state.store.programme(&pid).await?;
    let mut r = programme_form(
        &state,
        &ctx,
        FormPage {
            action: format!("/programmes/{pid}/edit"),
            values: posted_values(&pairs),
            version: version.unwrap_or(current.version()),
            errors: Some(&invalid),
            existing: Some(current.programme()),
        },
    )
    .await?
    .into_response();
    *r.status_mut() = status;
    Ok(r)
}

// ---- result periods ----

/// Which period, and the version the page showed: the one body of the
/// submit and correct forms and API calls.
#[derive(Debug, Deserialize)]
pub struct PeriodAction {
    result: usize,
    indicator: usize,
    period: usize,
    #[serde(default)]
    version: Option<u32>,
}

async fn period_change(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    body: &PeriodAction,
    submit: bool,
) -> Result<Result<ProgrammeRecord, ProgrammeError>, WebError> {
    let (record, _) = one(state, ctx, id).await?;
    let pid = record.programme().id.clone();
    let at = PeriodRef {
        result: body.result,
        indicator: body.indicator,
        period: body.period,
    };
    let who = ctx.principal.clone();
    let now = time::OffsetDateTime::now_utc();
    let action = if submit {
        "programme.period.submit"
    } else {
        "programme.period.correct"
    };
    change(state, ctx, &pid, body.version, action, move |p, side| {
        if submit {
            rules::submit_period(p, &who, at, side, now)
        } else {
            rules::correct_period(p, &who, at)
        }
    })
    .await
}

async fn period_from_form(
    state: AppState,
    ctx: Ctx,
    id: String,
    body: PeriodAction,
    submit: bool,
) -> Result<Response, WebError> {
    match period_change(&state, &ctx, &id, &body, submit).await? {
        Ok(r) => Ok(Redirect::to(&format!("/programmes/{}", r.programme().id)).into_response()),
        Err(e) => {
            let (status, invalid) = refusal(ctx.lang, &e);
            let (record, p) = one(&state, &ctx, &id).await?;
            let mut r = programme_view(&state, &ctx, &record, &p, Some(&invalid))
                .await?
                .into_response();
            *r.status_mut() = status;
            Ok(r)
        }
    }
}

pub async fn submit_period_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    PostedForm(body): PostedForm<PeriodAction>,
) -> Result<Response, WebError> {
    period_from_form(state, ctx, id, body, true).await
}

pub async fn correct_period_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    PostedForm(body): PostedForm<PeriodAction>,
) -> Result<Response, WebError> {
    period_from_form(state, ctx, id, body, false).await
}

// ---- JSON API ----

/// A programme as the API gives it: the programme (as the viewer may read
/// it), its version number, and when it last changed.
#[derive(Serialize)]
pub struct ProgrammeJson {
    #[serde(flatten)]
    programme: Programme,
    version: u32,
    updated_at: String,
}

fn to_json(r: &ProgrammeRecord, p: Programme) -> ProgrammeJson {
    ProgrammeJson {
        programme: p,
        version: r.version(),
        updated_at: crate::render::format_instant(r.updated()),
    }
}

pub async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(filter): Query<Filter>,
) -> Result<Json<Vec<ProgrammeJson>>, WebError> {
    Ok(Json(
        visible(&state, &ctx.principal)
            .await?
            .into_iter()
            .filter(|(_, p)| filter.keeps(p))
            .map(|(r, p)| to_json(&r, p))
            .collect(),
    ))
}

pub async fn api_get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Json<ProgrammeJson>, WebError> {
    let (r, p) = one(&state, &ctx, &id).await?;
    Ok(Json(to_json(&r, p)))
}

pub async fn api_create(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<ProgrammeInput>,
) -> Result<Response, WebError> {
    let catalogue = state.store.plan_catalogue().await?;
    let p = match next_programme(&ctx, &catalogue, &input, None) {
        Ok(p) => p,
        Err(e) => return Ok(api_refusal(ctx.lang, &e)),
    };
    let r = state
        .store
        .create_programme(&ctx.actor(), &ctx.principal, p)
        .await?;
    let p = r.programme().clone();
    Ok((StatusCode::CREATED, Json(to_json(&r, p))).into_response())
}

/// The body of `PUT /api/programmes/{id}`: the programme and the version it
/// was read at (a stale one is refused with 409).
#[derive(Deserialize)]
pub struct UpdateJson {
    #[serde(flatten)]
    input: ProgrammeInput,
    #[serde(default)]
    version: Option<u32>,
}

pub async fn api_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UpdateJson>,
) -> Result<Response, WebError> {
    let (record, _) = one(&state, &ctx, &id).await?;
    let pid = record.programme().id.clone();
    let mut input = body.input;
    if input.id.trim().is_empty() {
        input.id = pid.to_string();
    }
    let catalogue = state.store.plan_catalogue().await?;
    match change(
        &state,
        &ctx,
        &pid,
        body.version,
        "programme.edit",
        |old, _| next_programme(&ctx, &catalogue, &input, Some(old)),
    )
    .await?
    {
        Ok(r) => {
            let p = r.programme().clone();
            Ok(Json(to_json(&r, p)).into_response())
        }
        Err(e) => Ok(api_refusal(ctx.lang, &e)),
    }
}

async fn api_period(
    state: AppState,
    ctx: Ctx,
    id: String,
    body: PeriodAction,
    submit: bool,
) -> Result<Response, WebError> {
    match period_change(&state, &ctx, &id, &body, submit).await? {
        Ok(r) => {
            let p = r.programme().clone();
            Ok(Json(to_json(&r, p)).into_response())
        }
        Err(e) => Ok(api_refusal(ctx.lang, &e)),
    }
}

pub async fn api_submit_period(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PeriodAction>,
) -> Result<Response, WebError> {
    api_period(state, ctx, id, body, true).await
}

pub async fn api_correct_period(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PeriodAction>,
) -> Result<Response, WebError> {
    api_period(state, ctx, id, body, false).await
}

// ---- CSV ----

pub async fn programmes_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(filter): Query<Filter>,
) -> Result<Response, WebError> {
    let ps: Vec<Programme> = visible_programmes(&state, &ctx.principal)
        .await?
        .into_iter()
        .filter(|p| filter.keeps(p))
        .collect();
    Ok(crate::files::csv_download(
        &ctx.path,
        "programmes.csv",
        csv::programmes_csv(&ps),
    ))
}

pub async fn periods_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(filter): Query<Filter>,
) -> Result<Response, WebError> {
    let ps: Vec<Programme> = visible_programmes(&state, &ctx.principal)
        .await?
        .into_iter()
        .filter(|p| filter.keeps(p))
        .collect();
    Ok(crate::files::csv_download(
        &ctx.path,
        "indicator-periods.csv",
        csv::periods_csv(&ps),
    ))
}

// ---- IATI ----

pub(crate) fn iati_config(state: &AppState) -> IatiConfig {
    state.config.iati.clone()
}

/// Writes the publishable programmes among `chosen` and records them as
/// published (their identifiers are fixed from now on).
async fn iati_file(
    state: &AppState,
    chosen: Vec<(ProgrammeRecord, Programme)>,
) -> Result<Response, WebError> {
    let xml = iati_document(&state.store, &iati_config(state), chosen).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        xml,
    )
        .into_response())
}

/// The IATI 2.03 document of the publishable programmes among `chosen`;
/// what goes out is recorded as published, which fixes its identifiers.
pub async fn iati_document(
    store: &accord_store::Store,
    config: &IatiConfig,
    chosen: Vec<(ProgrammeRecord, Programme)>,
) -> Result<String, WebError> {
    let pairs: Vec<(&Programme, time::OffsetDateTime)> =
        chosen.iter().map(|(r, p)| (p, r.updated())).collect();
    let now = time::OffsetDateTime::now_utc();
    let export = iati::write_activities(&pairs, config, now)
        .map_err(|_| WebError::NotFound("a programme published in IATI".into()))?;
    publish(store, &config.reporting_org, &export.published).await?;
    Ok(export.xml)
}

/// Marks what went out as published, once: a programme already published
/// is left as it is.
async fn publish(
    store: &accord_store::Store,
    reporting_org: &OrgRef,
    published: &[(ProgrammeId, accord_programmes::model::IatiIdentifier)],
) -> Result<(), WebError> {
    let mut batch = ProgrammeBatch::default();
    for (id, _) in published {
        let r = store.programme(id).await?;
        if !r.programme().published {
            let version = r.version();
            batch
                .updated
                .push((rules::mark_published(r.programme(), reporting_org), version));
        }
    }
    if batch.updated.is_empty() {
        return Ok(());
    }
    let system = Principal::platform_user(0, "iati-export", accord_core::Role::SecretariatAdmin);
    match store
        .apply_programmes(
            &accord_store::Actor::system("iati-export"),
            &system,
            batch,
            "programmes.iati.publish",
        )
        .await
    {
        // Another export marked them at the same moment: nothing left to do.
        Err(accord_store::StoreError::Conflict(_) | accord_store::StoreError::Stale(_))
        | Ok(()) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

pub async fn iati_all(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let chosen = visible(&state, &ctx.principal).await?;
    iati_file(&state, chosen).await
}

pub async fn iati_one(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let chosen = vec![one(&state, &ctx, &id).await?];
    iati_file(&state, chosen).await
}

pub async fn iati_member(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let member =
        MemberCode::parse(&code).map_err(|_| WebError::NotFound(format!("member {code}")))?;
    let chosen = visible(&state, &ctx.principal)
        .await?
        .into_iter()
        .filter(|(_, p)| p.members().contains(&member))
        .collect();
    iati_file(&state, chosen).await
}

// ---- imports ----

/// What an import did, to show or to answer with.
#[derive(Debug, Serialize, Default)]
pub struct ImportOutcome {
    pub format: &'static str,
    pub created: Vec<String>,
    pub updated: Vec<String>,
    pub skipped: Vec<String>,
    pub notes: Vec<String>,
}

/// Why a whole file was refused, in the user's language.
fn file_refusal(l: Lang, what: &str, detail: String) -> accord_core::Invalid {
    accord_core::Invalid::field(
        "file",
        l.tf(
            "programmes.import_refused",
            &[("what", what), ("detail", &detail)],
        ),
    )
}

fn invalid_of(l: Lang, i: &accord_programmes::Invalid) -> accord_core::Invalid {
    accord_core::Invalid {
        errors: i
            .problems
            .iter()
            .map(|p| accord_core::FieldError {
                field: p.field.clone(),
                message: problem_message(l, p),
            })
            .collect(),
    }
}

/// Imports an IATI file or a CSV file of programmes or of indicator
/// periods, all or nothing. The format is told by `format` or by the
/// content: XML starts with `<`, a periods CSV has a `period_start` column.
pub async fn import_file(
    store: &accord_store::Store,
    who: &Principal,
    actor: &accord_store::Actor,
    l: Lang,
    bytes: &[u8],
    format: &str,
) -> Result<Result<ImportOutcome, accord_core::Invalid>, accord_store::StoreError> {
    match import_checked(store, who, actor, l, bytes, format).await {
        Ok(outcome) => Ok(Ok(outcome)),
        Err(ImportFailure::Refused(invalid)) => Ok(Err(invalid)),
        Err(ImportFailure::Store(e)) => Err(e),
    }
}

/// Why an import did nothing: the file (or a rule) refused it, or the
/// storage failed.
enum ImportFailure {
    Refused(accord_core::Invalid),
    Store(accord_store::StoreError),
}

impl From<accord_core::Invalid> for ImportFailure {
    fn from(i: accord_core::Invalid) -> Self {
        ImportFailure::Refused(i)
    }
}

impl From<accord_store::StoreError> for ImportFailure {
    fn from(e: accord_store::StoreError) -> Self {
        ImportFailure::Store(e)
    }
}

async fn import_checked(
    store: &accord_store::Store,
    who: &Principal,
    actor: &accord_store::Actor,
    l: Lang,
    bytes: &[u8],
    format: &str,
) -> Result<ImportOutcome, ImportFailure> {
    let stored: Vec<ProgrammeRecord> = store.programmes().await?;
    let versions: BTreeMap<ProgrammeId, u32> = stored
        .iter()
        .map(|r| (r.programme().id.clone(), r.version()))
        .collect();
    let existing: Vec<Programme> = stored.iter().map(|r| r.programme().clone()).collect();
    let trimmed = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = trimmed.iter().find(|b| !b.is_ascii_whitespace()).copied();
    let format = match format {
        "iati" | "programmes" | "periods" => format,
        _ if first == Some(b'<') => "iati",
        _ if trimmed
            .split(|b| *b == b'\n')
            .next()
            .is_some_and(|h| String::from_utf8_lossy(h).contains("period_start")) =>
        {
            "periods"
        }
        _ => "programmes",
    };
    let catalogue = store.plan_catalogue().await?;
    let mut outcome = ImportOutcome {
        format: match format {
            "iati" => "iati",
            "periods" => "periods",
            _ => "programmes",
        },
        ..Default::default()
    };
    let mut batch = ProgrammeBatch::default();
    let versioned = |p: Programme| {
        let v = versions.get(&p.id).copied().unwrap_or(0);
        (p, v)
    };
    match format {
        "iati" => {
            // Members carry no IATI organisation identifiers yet, so a
            // donor's participating organizations stay outside organizations.
            let ctx_import = ImportContext {
                existing: &existing,
                members_by_ref: BTreeMap::new(),
            };
            let import = iati::read_activities(bytes, &ctx_import, time::OffsetDateTime::now_utc())
                .map_err(|e| match e {
                    iati::IatiError::Invalid(i) => invalid_of(l, &i),
                    other => file_refusal(l, "IATI", other.to_string()),
                })?;
            // A donor's file brings its results as submitted: it is the
            // secretariat's to import (members record theirs through the
            // form, the API or CSV, under separation of duties).
            if !who.is_secretariat() {
                return Err(file_refusal(
                    l,
                    "IATI",
                    l.t("programmes.iati_secretariat_only").to_string(),
                )
                .into());
            }
            let mut created = Vec::new();
            for p in &import.created {
                let p = rules::create(p.data().clone(), who).map_err(|e| refusal(l, &e).1)?;
                p.check_commitments(&catalogue)
                    .map_err(|i| invalid_of(l, &i))?;
                created.push(p);
            }
            let mut updated = Vec::new();
            for p in &import.updated {
                let Some(old) = existing.iter().find(|o| o.id == p.id) else {
                    continue;
                };
                rules::can_edit(who, old).map_err(|e| refusal(l, &e).1)?;
                let p = keep_member_links(old, p);
                p.check_commitments(&catalogue)
                    .map_err(|i| invalid_of(l, &i))?;
                updated.push(p);
            }
            outcome.created = import
                .report
                .created
                .iter()
                .map(|(id, _)| id.to_string())
                .collect();
            outcome.updated = import
                .report
                .updated
                .iter()
                .map(|(id, _)| id.to_string())
                .collect();
            outcome.skipped = import
                .report
                .skipped
                .iter()
                .map(|(i, why)| format!("{i}: {why}"))
                .collect();
            outcome.notes = import.report.notes.clone();
            batch.created = created;
            batch.updated = updated.into_iter().map(versioned).collect();
        }
        "periods" => {
            let import = csv::read_periods(bytes, &existing, who).map_err(|e| csv_refusal(l, e))?;
            outcome.updated = import.updated.iter().map(|p| p.id.to_string()).collect();
            outcome.notes.push(l.tf(
                "programmes.periods_counts",
                &[
                    ("added", &import.added.to_string()),
                    ("changed", &import.changed.to_string()),
                    ("unchanged", &import.unchanged.to_string()),
                ],
            ));
            batch.updated = import.updated.into_iter().map(versioned).collect();
        }
        _ => {
            let import =
                csv::read_programmes(bytes, &existing, who).map_err(|e| csv_refusal(l, e))?;
            for p in import.created.iter().chain(&import.updated) {
                p.check_commitments(&catalogue)
                    .map_err(|i| invalid_of(l, &i))?;
            }
            outcome.created = import.created.iter().map(|p| p.id.to_string()).collect();
            outcome.updated = import.updated.iter().map(|p| p.id.to_string()).collect();
            outcome.skipped = import.skipped.iter().map(|i| i.to_string()).collect();
            batch.created = import.created;
            batch.updated = import.updated.into_iter().map(versioned).collect();
        }
    }
    if batch.created.is_empty() && batch.updated.is_empty() {
        return Ok(outcome);
    }
    store
        .apply_programmes(
            actor,
            who,
            batch,
            &format!("programmes.import.{}", outcome.format),
        )
        .await?;
    Ok(outcome)
}

/// An IATI file names organizations, not the platform's members: an updated
/// programme keeps the member links of the organizations it had (same role
/// and the same IATI identifier or name), so a re-import of the platform's
/// own export does not take a programme away from its members.
fn keep_member_links(old: &Programme, new: &Programme) -> Programme {
    let mut data = new.data().clone();
    for org in data.participants.iter_mut().filter(|o| o.member.is_none()) {
        let same = old.participants.iter().find(|o| {
            o.member.is_some()
                && o.role == org.role
                && ((o.iati_ref.is_some() && o.iati_ref == org.iati_ref)
                    || (!o.name.is_empty() && o.name == org.name))
        });
        if let Some(o) = same {
            org.member = o.member.clone();
        }
    }
    Programme::new(data).unwrap_or_else(|_| new.clone())
}

fn csv_refusal(l: Lang, e: csv::CsvError) -> accord_core::Invalid {
    match e {
        csv::CsvError::Invalid(i) => invalid_of(l, &i),
        csv::CsvError::Refused { row, error } => {
            let mut i = refusal(l, &error).1;
            for fe in &mut i.errors {
                fe.message = format!("{} {row}: {}", l.t("programmes.row"), fe.message);
            }
            i
        }
        other => file_refusal(l, "CSV", other.to_string()),
    }
}

pub async fn import_page(
    State(_state): State<AppState>,
    ctx: Ctx,
) -> Result<Html<String>, WebError> {
    Ok(import_view(&ctx, None, None))
}

fn import_view(
    ctx: &Ctx,
    outcome: Option<&ImportOutcome>,
    errors: Option<&accord_core::Invalid>,
) -> Html<String> {
    let l = ctx.lang;
    page(
        ctx,
        l.t("programmes.import"),
        html! {
            h1 { (l.t("programmes.import")) }
            p { (l.t("programmes.import_intro")) }
            (refusal_notice(l, errors))
            @if let Some(o) = outcome {
                div.notice role="status" {
                    p { strong { (l.t("programmes.imported")) } }
                    ul {
                        li { (l.t("programmes.created")) ": " (o.created.len()) " " (o.created.join(", ")) }
                        li { (l.t("programmes.updated")) ": " (o.updated.len()) " " (o.updated.join(", ")) }
                        li { (l.t("programmes.skipped")) ": " (o.skipped.len()) }
                    }
                    @if !o.notes.is_empty() { h2 { (l.t("programmes.notes")) } ul { @for n in &o.notes { li lang="en" { (n) } } } }
                }
            }
            form method="post" action="/programmes/import" enctype="multipart/form-data" {
                (csrf_field(ctx))
                div.field {
                    label for="format" { (l.t("programmes.format")) }
                    select id="format" name="format" {
                        option value="" { (l.t("programmes.format_auto")) }
                        option value="iati" { "IATI 2.03 XML" }
                        option value="programmes" { (l.t("programmes.csv")) }
                        option value="periods" { (l.t("programmes.periods_csv")) }
                    }
                }
                div.field {
                    label for="file" { (l.t("reports.file")) }
                    input type="file" id="file" name="file" required;
                }
                button type="submit" { (l.t("programmes.import")) }
            }
            p { a href="/programmes" { (l.t("programmes.back")) } }
        },
    )
}

pub async fn import_upload(
    State(state): State<AppState>,
    ctx: Ctx,
    upload: Upload,
) -> Result<Response, WebError> {
    let format = upload.text("format");
    let Some(bytes) = upload.get("file") else {
        let invalid =
            accord_core::Invalid::field("file", ctx.lang.t("programmes.choose_file").to_string());
        if is_api_path(&ctx.path) {
            return Err(WebError::Invalid(invalid));
        }
        let mut r = import_view(&ctx, None, Some(&invalid)).into_response();
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(r);
    };
    let result = match import_file(
        &state.store,
        &ctx.principal,
        &ctx.actor(),
        ctx.lang,
        bytes,
        format.trim(),
    )
    .await
    {
        Ok(r) => r,
        // Someone changed a programme while the file was read: nothing was
        // applied; importing again applies the file to what is there now.
        Err(accord_store::StoreError::Conflict(_) | accord_store::StoreError::Stale(_)) => Err(
            accord_core::Invalid::field("file", ctx.lang.t("programmes.r_stale").to_string()),
        ),
        Err(e) => return Err(e.into()),
    };
    if is_api_path(&ctx.path) {
        return match result {
            Ok(o) => Ok(Json(o).into_response()),
            Err(i) => Err(WebError::Invalid(i)),
        };
    }
    let mut r = match &result {
        Ok(o) => import_view(&ctx, Some(o), None).into_response(),
        Err(i) => import_view(&ctx, None, Some(i)).into_response(),
    };
    if result.is_err() {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

// ---- the Joint Plan's view ----

/// The programmes section of a commitment's page.
pub(super) fn commitment_section(
    l: Lang,
    programmes: &[Programme],
    viewer: &Principal,
    id: &accord_plan::CommitmentId,
) -> Markup {
    let summary = aggregate::commitment_summary(programmes, id, viewer, l.code());
    html! {
        h2 id="programmes" { (l.t("programmes.implementing")) }
        @if summary.programmes.is_empty() { p.muted { (l.t("programmes.none_for_commitment")) } } @else {
            p { (summary_sentence(l, &summary)) }
            ul { @for pid in &summary.programmes {
                @if let Some(p) = programmes.iter().find(|p| p.id == *pid) {
                    li { a href={ "/programmes/" (p.id) } { (p.title.best(l.code())) } " — " (kind_label(l, p.kind)) ", " (p.countries.iter().map(|c| c.code.as_str()).collect::<Vec<_>>().join(", ")) }
                }
            } }
            p { a href={ "/programmes?commitment=" (id) } { (l.t("programmes.all_for_commitment")) } }
        }
    }
}

/// A matrix cell's evidence: what the member's programmes that implement
/// the commitment achieved ("2 programmes; 1,240 — Public servants trained").
pub(super) fn cell_evidence(
    l: Lang,
    programmes: &[Programme],
    viewer: &Principal,
    member: &MemberCode,
    commitment: &accord_plan::CommitmentId,
) -> Option<String> {
    let own: Vec<Programme> = programmes
        .iter()
        .filter(|p| p.members().contains(member))
        .cloned()
        .collect();
    let s = aggregate::commitment_summary(&own, commitment, viewer, l.code());
    (!s.programmes.is_empty()).then(|| summary_sentence(l, &s))
}

/// A member's programmes by kind and year, and its list: on the member's page.
pub async fn member_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Html<String>, WebError> {
    let l = ctx.lang;
    let member =
        MemberCode::parse(&code).map_err(|_| WebError::NotFound(format!("member {code}")))?;
    let m = state.store.member(&member).await?;
    let ps: Vec<Programme> = visible_programmes(&state, &ctx.principal)
        .await?
        .into_iter()
        .filter(|p| p.members().contains(&member))
        .collect();
    let years = aggregate::kinds_by_year(&ps, Some(&member), &ctx.principal);
    let refs: Vec<&Programme> = ps.iter().collect();
    let (by_sex, trained) = participants_by_sex(&refs, "_trained");
    let summaries = aggregate::by_commitment(&ps, &ctx.principal, l.code());
    let catalogue = state.store.plan_catalogue().await?;
    Ok(page(
        &ctx,
        &format!("{} — {}", m.name_in(l.code()), l.t("programmes.title")),
        html! {
            h1 { (m.name_in(l.code())) ": " (l.t("programmes.title")) }
            p.no-print { a href={ "/members/" (member) } { (m.name_in(l.code())) } " · " a href="javascript:window.print()" { (l.t("programmes.print")) } " · " a href={ "/api/members/" (member) "/programmes/iati.xml" } { (l.t("programmes.iati")) } }
            dl.facts {
                dt { (l.t("programmes.count")) } dd { (ps.len()) }
                dt { (l.t("programmes.trained")) } dd { (group_thousands(trained))
                    @if !by_sex.is_empty() { " (" @for (i, (s, v)) in by_sex.iter().enumerate() { @if i > 0 { ", " } (sex_label(l, *s)) " " (group_thousands(*v)) } ")" } }
            }
            figure.chart { (PreEscaped(svg::kinds_by_year_chart("member-kinds", l.t("programmes.by_kind_year"), &years, &words(l)))) }
            @if !summaries.is_empty() {
                h2 { (l.t("programmes.by_commitment")) }
                ul { @for s in &summaries {
                    li { @if let Some(c) = catalogue.commitment(&s.commitment) { a href={ "/commitments/" (s.commitment) } { (super::plan::short_label(l, c)) } } ": " (summary_sentence(l, s)) }
                } }
            }
            h2 { (l.t("programmes.list")) }
            @if ps.is_empty() { p.muted { (l.t("programmes.none")) } }
            ul { @for p in &ps { li { a href={ "/programmes/" (p.id) } { (p.title.best(l.code())) } " — " (kind_label(l, p.kind)) ", " (status_label(l, p.status)) ", " (p.dates.planned_start.year()) "–" (p.dates.planned_end.year()) } } }
        },
    ))
}
