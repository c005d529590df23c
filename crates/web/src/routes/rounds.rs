//! Reporting rounds of the Joint Plan and the progress they show: the
//! members × commitments matrix, progress per member and per pillar, the
//! change since the previous round, server-rendered SVG charts, CSV exports
//! and a printable summary. Public, with every number computed from what the
//! viewer may see under the reports' TLP markings.

use accord_core::{Action, Invalid, Member, MemberKind};
use accord_plan::{
    Catalogue, Cell, Direction, Filter, FrameworkId, Matrix, NewRound, PillarId, Principal, Report,
    ReportingRound, RoundId, RoundState, changes_since, export, matrix, member_progress_change,
    pillar_series, progress_by_pillar, svg,
};
use accord_store::plan::RoundRecord;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{Markup, PreEscaped, html};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::plan::{catalogue, cell_label, short_label, status_label};
use crate::context::Ctx;
use crate::error::WebError;
use crate::forms::{ApiJson, PostedForm};
use crate::i18n::Lang;
use crate::render::{Field, csrf_field, form_errors, page};
use crate::state::AppState;

/// The matrix filters of a page, CSV or API request.
#[derive(Debug, Default, Deserialize)]
pub struct FilterQuery {
    #[serde(default)]
    framework: String,
    #[serde(default)]
    pillar: String,
    /// `long` for one row per cell in the matrix CSV.
    #[serde(default)]
    layout: String,
}

impl FilterQuery {
    fn filter(&self, catalogue: &Catalogue) -> Result<Filter, WebError> {
        let framework = match self.framework.trim() {
            "" => None,
            raw => Some(
                FrameworkId::parse(raw)
                    .ok()
                    .filter(|f| catalogue.framework(f).is_some())
                    .ok_or_else(|| Invalid::field("framework", "is not a known framework"))?,
            ),
        };
        let pillar = match self.pillar.trim() {
            "" => None,
            raw => Some(
                PillarId::parse(raw)
                    .ok()
                    .filter(|p| catalogue.pillar(p).is_some())
                    .ok_or_else(|| Invalid::field("pillar", "is not a known pillar"))?,
            ),
        };
        Ok(Filter { framework, pillar })
    }

    fn query_string(&self) -> String {
        let mut parts = Vec::new();
        if !self.framework.trim().is_empty() {
            parts.push(format!(
                "framework={}",
                crate::render::url_encode(self.framework.trim())
            ));
        }
        if !self.pillar.trim().is_empty() {
            parts.push(format!(
                "pillar={}",
                crate::render::url_encode(self.pillar.trim())
            ));
        }
        parts.join("&")
    }
}

fn round_id(raw: &str) -> Result<RoundId, WebError> {
    RoundId::parse(raw).map_err(|_| WebError::NotFound(format!("round {raw}")))
}

/// Everything a round's page, summary, charts and exports are drawn from,
/// as one viewer sees it.
struct RoundView {
    record: RoundRecord,
    rounds: Vec<RoundRecord>,
    catalogue: Catalogue,
    reports: Vec<Report>,
    viewer: Principal,
    filter: Filter,
    matrix: Matrix,
    previous: Option<Matrix>,
    /// The capacity-building programmes the viewer may see: their results
    /// are evidence in the matrix's cells.
    programmes: Vec<accord_programmes::Programme>,
    /// The server's clock when the view was drawn: whether a missing report
    /// is still awaited depends on it.
    now: OffsetDateTime,
}

impl RoundView {
    fn round(&self) -> &ReportingRound {
        &self.record.round
    }

    /// The previous round's matrix, or an empty one for the first round.
    fn previous_or_empty(&self) -> Matrix {
        self.previous.clone().unwrap_or_else(|| {
            Matrix::from_cells(self.round().id.clone(), vec![], vec![], vec![])
                .expect("an empty matrix")
        })
    }

    fn all_rounds(&self) -> Vec<ReportingRound> {
        self.rounds.iter().map(|r| r.round.clone()).collect()
    }
}

/// [`round_view`] for what a round's matrix shows (its summary, CSV, chart,
/// the API's matrix): a cancelled round has none — it took no reports, and
/// every cell would read "not reported" for a round that never ran.
async fn matrix_view(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    query: &FilterQuery,
) -> Result<RoundView, WebError> {
    let v = round_view(state, ctx, id, query).await?;
    if v.round().is_cancelled() {
        let why = accord_plan::PlanError::RoundCancelled {
            round: v.round().id.clone(),
        };
        return Err(WebError::Conflict(why.to_string()));
    }
    Ok(v)
}

async fn round_view(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    query: &FilterQuery,
) -> Result<RoundView, WebError> {
    let catalogue = catalogue(state, ctx).await?;
    let id = round_id(id)?;
    let record = state.store.plan_round(&id).await?;
    let filter = query.filter(&catalogue)?;
    let viewer = ctx.principal.clone();
    let rounds = state.store.plan_rounds().await?;
    let reports = state.store.plan_reports(None).await?;
    let now = OffsetDateTime::now_utc();
    let m = matrix(&catalogue, &record.round, &reports, &viewer, &filter, now);
    let all: Vec<ReportingRound> = rounds.iter().map(|r| r.round.clone()).collect();
    let previous = accord_plan::previous_round(&all, &id)
        .map(|p| matrix(&catalogue, p, &reports, &viewer, &filter, now));
    let programmes = super::programmes::visible_programmes(state, &viewer).await?;
    Ok(RoundView {
        programmes,
        record,
        rounds,
        catalogue,
        reports,
        viewer,
        filter,
        matrix: m,
        previous,
        now,
    })
}

fn round_state(l: Lang, r: &ReportingRound) -> Markup {
    html! {
        @match r.state(OffsetDateTime::now_utc()) {
            RoundState::Reopened => { span.badge.warn { (l.t("rounds.reopened")) } }
            RoundState::Open => { span.badge.good { (l.t("rounds.open")) } }
            RoundState::Closed => { span.badge { (l.t("rounds.closed")) } }
            RoundState::Cancelled => { span.badge.bad { (l.t("rounds.cancelled")) } }
        }
    }
}

/// The rounds as the progress chart names them: a round still taking
/// reports is marked so, since its reports not in yet count as not started
/// and its point reads as a fall otherwise.
fn chart_rounds(l: Lang, rounds: &[ReportingRound], now: OffsetDateTime) -> Vec<ReportingRound> {
    rounds
        .iter()
        .map(|r| {
            let mut r = r.clone();
            if r.state(now).takes_reports() {
                r.name = format!("{} ({})", r.name, l.t("rounds.open"));
            }
            r
        })
        .collect()
}

/// Whether a member has submitted any report in the round: then it may no
/// longer be cancelled (the store checks again in its transaction).
fn has_submissions(reports: &[Report], round: &RoundId) -> bool {
    reports
        .iter()
        .any(|r| &r.round == round && r.latest_submitted().is_some())
}

fn date(t: time::OffsetDateTime) -> String {
    t.date().to_string()
}

fn percent(v: Option<f64>) -> String {
    v.map(|v| format!("{:.0} %", v * 100.0))
        .unwrap_or_else(|| "—".into())
}

pub async fn list_page(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, WebError> {
    ctx.require(&state, &Action::ViewCommitments).await?;
    let rounds = state.store.plan_rounds().await?;
    let l = ctx.lang;
    let manage = accord_core::authorize(&ctx.principal, &Action::ManagePlan).is_ok();
    let catalogue = state.store.plan_catalogue().await?;
    let viewer = ctx.principal.clone();
    let reports = state.store.plan_reports(None).await?;
    let all: Vec<ReportingRound> = rounds.iter().map(|r| r.round.clone()).collect();
    let series = pillar_series(
        &catalogue,
        &all,
        &reports,
        &viewer,
        &Filter::default(),
        OffsetDateTime::now_utc(),
    );
    Ok(page(
        &ctx,
        l.t("rounds.title"),
        html! {
            h1 { (l.t("rounds.title")) }
            p { (l.t("rounds.intro")) }
            @if manage { p.actions { a.button href="/rounds/new" { (l.t("rounds.new")) } } }
            @if rounds.is_empty() { p.muted { (l.t("rounds.none")) } } @else {
                table {
                    thead { tr {
                        th scope="col" { (l.t("rounds.name")) } th scope="col" { (l.t("rounds.period")) }
                        th scope="col" { (l.t("rounds.deadline")) } th scope="col" { (l.t("rounds.state")) }
                        th scope="col" { (l.t("rounds.scope")) }
                    } }
                    tbody { @for r in rounds.iter().rev() {
                        tr {
                            td { a href={ "/rounds/" (r.round.id) } { (r.round.name) } }
                            td { (r.round.period.start) " – " (r.round.period.end) }
                            td { (date(r.round.deadline)) }
                            td { (round_state(l, &r.round)) }
                            td { (l.tf("rounds.scope_counts", &[("commitments", &r.round.commitments.len().to_string()), ("members", &r.round.members.len().to_string())])) }
                        }
                    } }
                }
                @if !series.is_empty() {
                    h2 { (l.t("rounds.progress_over_rounds")) }
                    figure.chart {
                        (PreEscaped(svg::pillar_progress_for("pillars-over-rounds", l.t("rounds.progress_over_rounds"), &series, &catalogue, &chart_rounds(l, &all, OffsetDateTime::now_utc()))))
                        figcaption.no-print { a href="/plan/progress.svg" download="pillar-progress.svg" { (l.t("rounds.download_svg")) } }
                    }
                }
            }
            p { a href="/strategies" { (l.t("strategies.title")) } " · " a href="/commitments" { (l.t("plan.back")) } }
        },
    ))
}

/// The new-round form's fields as posted (checkboxes repeat their names).
#[derive(Debug, Default)]
struct RoundForm {
    id: String,
    name: String,
    period_start: String,
    period_end: String,
    deadline: String,
    commitments: Vec<String>,
    members: Vec<String>,
}

impl RoundForm {
    fn from_pairs(pairs: &[(String, String)]) -> RoundForm {
        let mut f = RoundForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "id" => f.id = v.clone(),
                "name" => f.name = v.clone(),
                "period_start" => f.period_start = v.clone(),
                "period_end" => f.period_end = v.clone(),
                "deadline" => f.deadline = v.clone(),
                "commitments" => f.commitments.push(v.clone()),
                "members" => f.members.push(v.clone()),
                _ => {}
            }
        }
        f
    }
}

fn round_form(
    ctx: &Ctx,
    catalogue: &Catalogue,
    members: &[Member],
    form: &RoundForm,
    errors: Option<&Invalid>,
) -> Html<String> {
    let l = ctx.lang;
    let fresh = form.id.is_empty() && form.members.is_empty();
    page(
        ctx,
        l.t("rounds.new"),
        html! {
            h1 { (l.t("rounds.new")) }
            (form_errors(l, errors))
            form method="post" action="/rounds/new" data-confirm=(l.t("rounds.confirm_open")) {
                (csrf_field(ctx))
                (Field::text("id", l.t("rounds.id"), &form.id).required().hint(l.t("rounds.id_hint")).render_in(l, errors))
                (Field::text("name", l.t("rounds.name"), &form.name).required().render_in(l, errors))
                (Field::text("period_start", l.t("rounds.period_start"), &form.period_start).kind("date").required().render_in(l, errors))
                (Field::text("period_end", l.t("rounds.period_end"), &form.period_end).kind("date").required().render_in(l, errors))
                (Field::text("deadline", l.t("rounds.deadline"), &form.deadline).kind("date").required().hint(l.t("rounds.deadline_hint")).render_in(l, errors))
                fieldset id="commitments" {
                    legend { (l.t("rounds.commitments")) }
                    @for f in catalogue.frameworks() {
                        details open[f.seeded && f.id.as_str() == "astana2015"] {
                            summary { (f.title) }
                            @for c in catalogue.commitments_of(&f.id) {
                                label.check {
                                    input type="checkbox" name="commitments" value=(c.id) checked[form.commitments.iter().any(|x| x == c.id.as_str())];
                                    " " strong { (short_label(l, c)) } " " span lang="en" { (c.display_text()) }
                                }
                                br;
                            }
                        }
                    }
                }
                fieldset id="members" {
                    legend { (l.t("rounds.members")) }
                    @for m in members {
                        label.check {
                            input type="checkbox" name="members" value=(m.code)
                                checked[form.members.iter().any(|x| x == m.code.as_str()) || (fresh && m.kind == MemberKind::RegionalState)];
                            " " (m.code) " — " (if l == Lang::Ru && !m.name_ru.is_empty() { &m.name_ru } else { &m.name })
                        }
                        br;
                    }
                }
                button type="submit" { (l.t("rounds.open_round")) }
            }
        },
    )
}

pub async fn new_page(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, WebError> {
    ctx.require(&state, &Action::ManagePlan).await?;
    let catalogue = state.store.plan_catalogue().await?;
    let members = state.store.members().await?;
    Ok(round_form(
        &ctx,
        &catalogue,
        &members,
        &RoundForm::default(),
        None,
    ))
}

pub async fn create_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    PostedForm(pairs): PostedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::ManagePlan).await?;
    let form = RoundForm::from_pairs(&pairs);
    let commitments: Vec<&str> = form.commitments.iter().map(String::as_str).collect();
    let members: Vec<&str> = form.members.iter().map(String::as_str).collect();
    let new = NewRound {
        id: &form.id,
        name: &form.name,
        period_start: &form.period_start,
        period_end: &form.period_end,
        deadline: &form.deadline,
        commitments: &commitments,
        members: &members,
    };
    // The server's clock decides whether the deadline is still ahead.
    match state
        .store
        .open_plan_round(
            &ctx.actor(),
            &ctx.principal,
            &new,
            OffsetDateTime::now_utc(),
        )
        .await
    {
        Ok(round) => Ok(Redirect::to(&format!("/rounds/{}", round.id)).into_response()),
        Err(accord_store::StoreError::Invalid(invalid)) => {
            let catalogue = state.store.plan_catalogue().await?;
            let all = state.store.members().await?;
            let mut r = round_form(&ctx, &catalogue, &all, &form, Some(&invalid)).into_response();
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

fn matrix_table(l: Lang, v: &RoundView, link_cells: bool) -> Markup {
    let m = &v.matrix;
    let round = &v.round().id;
    html! {
        div.table-scroll {
            table.matrix {
                caption { (l.t("rounds.matrix_caption")) }
                thead { tr {
                    th scope="col" { (l.t("rounds.member")) }
                    @for c in &m.commitments {
                        th scope="col" {
                            @if let Some(cm) = v.catalogue.commitment(c) {
                                a href={ "/commitments/" (c) } title=(cm.display_text()) { (short_label(l, cm)) }
                            } @else { (c) }
                        }
                    }
                } }
                tbody { @for (member, row) in m.rows() {
                    tr {
                        th scope="row" { a href={ "/members/" (member) } { (member) } }
                        @for (c, cell) in m.commitments.iter().zip(row) {
                            td class={ "cell cell-" (cell.as_str()) } {
                                @if link_cells {
                                    a href={ "/rounds/" (round) "/reports/" (member) "/" (c) } { (cell_label(l, *cell)) }
                                } @else { (cell_label(l, *cell)) }
                                @if let Some(evidence) = super::programmes::cell_evidence(l, &v.programmes, &v.viewer, member, c) {
                                    br; a.evidence href={ "/programmes?country=" (member) "&commitment=" (c) } { (evidence) }
                                }
                            }
                        }
                    }
                } }
            }
        }
    }
}

/// The status chart's words in the page's language.
fn chart_words(l: Lang) -> svg::ChartWords {
    // In the order of `Cell::ALL`, which `ChartWords` expects.
    svg::ChartWords {
        statuses: Cell::ALL.map(|c| cell_label(l, c).to_string()),
        implemented: l.t("rounds.chart_implemented").into(),
        no_data: l.t("rounds.chart_no_data").into(),
        no_commitments: l.t("rounds.chart_no_commitments").into(),
    }
}

fn direction_label(l: Lang, d: Direction) -> &'static str {
    match d {
        Direction::New => l.t("rounds.change_new"),
        Direction::Improved => l.t("rounds.change_improved"),
        Direction::Unchanged => l.t("rounds.change_unchanged"),
        Direction::Regressed => l.t("rounds.change_regressed"),
        Direction::Reclassified => l.t("rounds.change_reclassified"),
        Direction::FirstReport => l.t("rounds.change_first_report"),
        Direction::NotYetReported => l.t("rounds.change_not_yet_reported"),
        Direction::NotReported => l.t("rounds.change_not_reported"),
        Direction::Restricted => l.t("rounds.change_restricted"),
    }
}

/// Progress per member and per pillar, the change since the previous round
/// and the charts: shared by the round page and its printable summary.
fn progress_sections(l: Lang, v: &RoundView) -> Markup {
    let previous = &v.previous_or_empty();
    let per_member = member_progress_change(previous, &v.matrix);
    let per_pillar = progress_by_pillar(&v.matrix, &v.catalogue);
    let changes: Vec<_> = v
        .previous
        .as_ref()
        .map(|p| changes_since(p, &v.matrix))
        .unwrap_or_default()
        .into_iter()
        // What moved, and every status of the previous round that has no
        // comparable status now (awaited, missing, restricted), saying why;
        // a cell without a status on either side has nothing to tell.
        .filter(|c| {
            !matches!(c.direction, Direction::New | Direction::Unchanged)
                && (matches!(c.before, Some(Cell::Reported(_)))
                    || matches!(c.after, Cell::Reported(_)))
        })
        .collect();
    let all = v.all_rounds();
    let series = pillar_series(&v.catalogue, &all, &v.reports, &v.viewer, &v.filter, v.now);
    let per_member_counts: std::collections::BTreeMap<_, _> =
        v.matrix.counts_by_member().into_iter().collect();
    html! {
        h2 { (l.t("rounds.by_member")) }
        table {
            thead { tr {
                th scope="col" { (l.t("rounds.member")) } th scope="col" { (l.t("rounds.reported")) }
                th scope="col" { (l.t("rounds.implemented_share")) }
                th scope="col" { (l.t("rounds.weighted")) } th scope="col" { (l.t("rounds.previous_weighted")) }
            } }
            tbody { @for (m, before, now) in &per_member {
                @let counts = per_member_counts.get(m).copied().unwrap_or_default();
                tr { th scope="row" { (m) }
                     // How much of the row is in: progress "so far" reads
                     // differently when half the reports are still awaited.
                     td { (l.tf("rounds.reported_of", &[("reported", &counts.reported().to_string()), ("total", &counts.total().to_string())])) }
                     td { (percent(now.implemented_share)) } td { (percent(now.weighted)) }
                     td { (percent(before.and_then(|b| b.weighted))) } }
            } }
        }
        h2 { (l.t("rounds.by_pillar")) }
        @if per_pillar.is_empty() { p.muted { (l.t("rounds.no_pillars")) } } @else {
            table {
                thead { tr { th scope="col" { (l.t("plan.pillar")) } th scope="col" { (l.t("rounds.implemented_share")) } th scope="col" { (l.t("rounds.weighted")) } } }
                tbody { @for (p, _, progress) in &per_pillar {
                    tr {
                        th scope="row" { @if let Some(p) = v.catalogue.pillar(p) { (p.roman()) " " (p.title) } @else { (p) } }
                        td { (percent(progress.implemented_share)) } td { (percent(progress.weighted)) }
                    }
                } }
            }
        }
        h2 { (l.t("rounds.changes")) }
        @if v.previous.is_none() { p.muted { (l.t("rounds.no_previous")) } }
        @else if changes.is_empty() { p.muted { (l.t("rounds.no_changes")) } }
        @else {
            table {
                thead { tr { th scope="col" { (l.t("rounds.member")) } th scope="col" { (l.t("rounds.commitment")) } th scope="col" { (l.t("rounds.before")) } th scope="col" { (l.t("rounds.after")) } th scope="col" { (l.t("rounds.change")) } } }
                tbody { @for c in &changes {
                    tr { td { (c.member) } td { @if let Some(cm) = v.catalogue.commitment(&c.commitment) { (short_label(l, cm)) } }
                         td { (c.before.map(|b| cell_label(l, b)).unwrap_or("—")) } td { (cell_label(l, c.after)) }
                         td { (direction_label(l, c.direction)) } }
                } }
            }
        }
        h2 { (l.t("rounds.charts")) }
        figure.chart {
            (PreEscaped(svg::status_bars_for("statuses", l.t("rounds.chart_statuses"), &v.matrix, &chart_words(l))))
            figcaption.no-print { a href={ "/rounds/" (v.round().id) "/status.svg" } download={ (v.round().id) "-statuses.svg" } { (l.t("rounds.download_svg")) } }
        }
        @if !series.is_empty() {
            figure.chart {
                (PreEscaped(svg::pillar_progress_for("pillars", l.t("rounds.progress_over_rounds"), &series, &v.catalogue, &chart_rounds(l, &all, v.now))))
            }
        }
    }
}

fn filter_form(l: Lang, v: &RoundView, query: &FilterQuery) -> Markup {
    html! {
        form.no-print.filters method="get" action={ "/rounds/" (v.round().id) } {
            div.field {
                label for="framework" { (l.t("plan.framework")) }
                select id="framework" name="framework" {
                    option value="" { (l.t("rounds.all")) }
                    @for f in v.catalogue.frameworks() {
                        option value=(f.id) selected[query.framework == f.id.as_str()] { (f.short_title) }
                    }
                }
            }
            div.field {
                label for="pillar" { (l.t("plan.pillar")) }
                select id="pillar" name="pillar" {
                    option value="" { (l.t("rounds.all")) }
                    @for p in v.catalogue.pillars() {
                        option value=(p.id) selected[query.pillar == p.id.as_str()] { (p.roman()) " " (p.short_label) }
                    }
                }
            }
            button.secondary type="submit" { (l.t("rounds.apply_filter")) }
        }
    }
}

/// The member's own reports in the round, for its drafters.
fn own_reports(ctx: &Ctx, v: &RoundView) -> Markup {
    let l = ctx.lang;
    let Some(member) = ctx.principal.member().cloned() else {
        return html! {};
    };
    let may_draft = accord_core::authorize(
        &ctx.principal,
        &Action::DraftReport {
            member: member.clone(),
        },
    )
    .is_ok();
    if !may_draft || !v.round().members.contains(&member) {
        return html! {};
    }
    let mine: Vec<&Report> = v
        .reports
        .iter()
        .filter(|r| r.round == v.round().id && r.member == member)
        .collect();
    html! {
        section.notice {
            h2 { (l.tf("rounds.your_reports", &[("member", member.as_str())])) }
            table {
                thead { tr { th scope="col" { (l.t("rounds.commitment")) } th scope="col" { (l.t("rounds.report_state")) } th scope="col" {} } }
                tbody { @for c in &v.round().commitments {
                    @let report = mine.iter().find(|r| &r.commitment == c);
                    tr {
                        td { @if let Some(cm) = v.catalogue.commitment(c) { (short_label(l, cm)) " " span.muted lang="en" { (cm.display_text()) } } }
                        td { @match report {
                            None => { span.badge { (l.t("rounds.not_started_report")) } }
                            Some(r) if r.latest().is_draft() => { span.badge.warn { (l.tf("rounds.draft_version", &[("n", &r.latest().number.to_string())])) } }
                            Some(r) => { span.badge.good { (l.tf("rounds.submitted_version", &[("n", &r.latest().number.to_string()), ("status", status_label(l, r.latest().content.status))])) } }
                        } }
                        td { a href={ "/rounds/" (v.round().id) "/reports/" (member) "/" (c) } { (l.t("rounds.open_report")) } }
                    }
                } }
            }
        }
    }
}

pub async fn round_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(query): Query<FilterQuery>,
) -> Result<Html<String>, WebError> {
    let v = round_view(&state, &ctx, &id, &query).await?;
    let l = ctx.lang;
    let r = v.round();
    let manage = accord_core::authorize(&ctx.principal, &Action::ManagePlan).is_ok();
    let qs = query.query_string();
    let own = own_reports(&ctx, &v);
    let sep = if qs.is_empty() { "" } else { "&" };
    // Offered only while the store would accept it: to the secretariat, on an
    // open round nobody has submitted a report in.
    let may_cancel =
        manage && !has_submissions(&v.reports, &r.id) && r.is_open(OffsetDateTime::now_utc());
    if let Some(c) = &r.cancelled {
        // A cancelled round keeps its page, so the notices that asked members
        // to report lead here and say what happened; it has no matrix.
        return Ok(page(
            &ctx,
            &r.name,
            html! {
                h1 { (r.name) " " (round_state(l, r)) }
                p.notice role="status" { (l.tf("rounds.cancelled_note", &[("at", &crate::render::format_instant(c.at)), ("by", &c.by)])) }
                dl.facts {
                    dt { (l.t("rounds.period")) } dd { (r.period.start) " – " (r.period.end) }
                    dt { (l.t("rounds.deadline")) } dd { (crate::render::format_instant(r.deadline)) }
                    dt { (l.t("rounds.opened_by")) } dd { (v.record.created_by) }
                }
                p { a href="/rounds" { (l.t("rounds.all_rounds")) } }
            },
        ));
    }
    Ok(page(
        &ctx,
        &r.name,
        html! {
            h1 { (r.name) " " (round_state(l, r)) }
            dl.facts {
                dt { (l.t("rounds.period")) } dd { (r.period.start) " – " (r.period.end) }
                dt { (l.t("rounds.deadline")) } dd { (crate::render::format_instant(r.deadline)) }
                dt { (l.t("rounds.opened_by")) } dd { (v.record.created_by) }
            }
            @if may_cancel {
                p.actions { a.button.secondary href={ "/rounds/" (r.id) "/cancel" } { (l.t("rounds.cancel")) } }
            }
            @if manage {
                form.actions method="post" action={ "/rounds/" (r.id) "/reopen" } {
                    (csrf_field(&ctx))
                    input type="hidden" name="reopened" value=(if r.reopened { "false" } else { "true" });
                    button.secondary type="submit" { (if r.reopened { l.t("rounds.close_again") } else { l.t("rounds.reopen") }) }
                }
            }
            (own)
            h2 { (l.t("rounds.matrix")) }
            (filter_form(l, &v, &query))
            (matrix_table(l, &v, true))
            p.no-print {
                (l.t("rounds.exports")) ": "
                a href={ "/rounds/" (r.id) "/matrix.csv" (if qs.is_empty() { "" } else { "?" }) (qs) } { (l.t("rounds.export_matrix")) } " · "
                a href={ "/rounds/" (r.id) "/matrix.csv?layout=long" (sep) (qs) } { (l.t("rounds.export_matrix_long")) } " · "
                a href={ "/rounds/" (r.id) "/reports.csv" } { (l.t("rounds.export_reports")) } " · "
                a href={ "/rounds/" (r.id) "/summary" (if qs.is_empty() { "" } else { "?" }) (qs) } { (l.t("rounds.summary")) }
            }
            (progress_sections(l, &v))
            p { a href="/rounds" { (l.t("rounds.all_rounds")) } }
        },
    ))
}

/// The printable summary: the facts, the matrix and the progress, no forms.
pub async fn summary_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(query): Query<FilterQuery>,
) -> Result<Html<String>, WebError> {
    let v = matrix_view(&state, &ctx, &id, &query).await?;
    let l = ctx.lang;
    let r = v.round();
    let totals = v.matrix.totals();
    Ok(page(
        &ctx,
        &format!("{} — {}", r.name, l.t("rounds.summary")),
        html! {
            h1 { (l.t("rounds.summary")) ": " (r.name) }
            p { (l.tf("rounds.summary_intro", &[
                ("start", &r.period.start.to_string()), ("end", &r.period.end.to_string()),
                ("deadline", &r.deadline.date().to_string()),
                ("members", &v.matrix.members.len().to_string()), ("commitments", &v.matrix.commitments.len().to_string()),
            ])) }
            @if v.filter != Filter::default() { p.muted { (l.t("rounds.filtered")) } }
            ul { @for cell in Cell::ALL { li { (cell_label(l, cell)) ": " (totals.get(cell)) } } }
            p.muted { (l.t("rounds.tlp_note")) }
            (matrix_table(l, &v, false))
            (progress_sections(l, &v))
            p.muted { (l.tf("rounds.generated", &[("at", &crate::render::format_ms(accord_store::now_ms()))])) }
        },
    ))
}

fn svg_response(body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        body,
    )
        .into_response()
}

pub async fn matrix_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(query): Query<FilterQuery>,
) -> Result<Response, WebError> {
    let v = matrix_view(&state, &ctx, &id, &query).await?;
    let (body, name) = match query.layout.as_str() {
        "" | "wide" => (export::matrix_csv(&v.matrix), "matrix"),
        "long" => (
            export::matrix_long_csv(&v.matrix, &v.catalogue),
            "matrix-long",
        ),
        _ => return Err(Invalid::field("layout", "must be wide or long").into()),
    };
    Ok(crate::files::csv_download(
        &ctx.path,
        &format!("{}-{name}.csv", v.round().id),
        body,
    ))
}

/// User names by id, for exports that name people.
async fn user_names(state: &AppState) -> Result<std::collections::BTreeMap<i64, String>, WebError> {
    Ok(state
        .store
        .users(None)
        .await?
        .into_iter()
        .map(|u| (u.id, u.username.as_str().to_string()))
        .collect())
}

/// Every report version of the round the reader may see (drafts only for
/// the member's own users), one row each.
pub async fn reports_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let v = matrix_view(&state, &ctx, &id, &FilterQuery::default()).await?;
    let mine: Vec<Report> = v
        .reports
        .iter()
        .filter(|r| r.round == v.round().id)
        .cloned()
        .collect();
    Ok(crate::files::csv_download(
        &ctx.path,
        &format!("{}-reports.csv", v.round().id),
        export::reports_csv(&mine, &v.viewer, &user_names(&state).await?),
    ))
}

pub async fn status_chart(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(query): Query<FilterQuery>,
) -> Result<Response, WebError> {
    let v = matrix_view(&state, &ctx, &id, &query).await?;
    Ok(svg_response(svg::status_bars_for(
        "statuses",
        &format!(
            "{} — {}",
            v.round().name,
            ctx.lang.t("rounds.chart_statuses")
        ),
        &v.matrix,
        &chart_words(ctx.lang),
    )))
}

/// Progress per pillar over every round, as the reader sees it.
pub async fn progress_chart(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<FilterQuery>,
) -> Result<Response, WebError> {
    let catalogue = catalogue(&state, &ctx).await?;
    let filter = query.filter(&catalogue)?;
    let viewer = ctx.principal.clone();
    let rounds: Vec<ReportingRound> = state
        .store
        .plan_rounds()
        .await?
        .into_iter()
        .map(|r| r.round)
        .collect();
    let reports = state.store.plan_reports(None).await?;
    let series = pillar_series(
        &catalogue,
        &rounds,
        &reports,
        &viewer,
        &filter,
        OffsetDateTime::now_utc(),
    );
    Ok(svg_response(svg::pillar_progress_for(
        "pillars",
        ctx.lang.t("rounds.progress_over_rounds"),
        &series,
        &catalogue,
        &chart_rounds(ctx.lang, &rounds, OffsetDateTime::now_utc()),
    )))
}

#[derive(Deserialize)]
pub struct ReopenForm {
    reopened: String,
}

pub async fn reopen_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    PostedForm(form): PostedForm<ReopenForm>,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::ManagePlan).await?;
    let id = round_id(&id)?;
    let reopened = match form.reopened.as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(Invalid::field("reopened", "must be true or false").into()),
    };
    state
        .store
        .set_plan_round_reopened(&ctx.actor(), &ctx.principal, &id, reopened)
        .await?;
    Ok(Redirect::to(&format!("/rounds/{id}")).into_response())
}

/// The confirmation before a round is cancelled, and the refusal when it
/// may not be (`error`: the store's message, in the reader's language).
fn cancel_form(ctx: &Ctx, record: &RoundRecord, error: Option<&str>) -> Html<String> {
    let l = ctx.lang;
    let r = &record.round;
    page(
        ctx,
        l.t("rounds.cancel_title"),
        html! {
            h1 { (l.t("rounds.cancel_title")) ": " (r.name) }
            @if let Some(e) = error {
                div.notice.error role="alert" { p { (l.message(e)) } }
            }
            p { (l.tf("rounds.cancel_explain", &[("members", &r.members.len().to_string())])) }
            form method="post" action={ "/rounds/" (r.id) "/cancel" } {
                (csrf_field(ctx))
                button.danger type="submit" { (l.t("rounds.cancel_confirm")) }
                " "
                a href={ "/rounds/" (r.id) } { (l.t("rounds.cancel_keep")) }
            }
        },
    )
}

pub async fn cancel_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    ctx.require(&state, &Action::ManagePlan).await?;
    let record = state.store.plan_round(&round_id(&id)?).await?;
    if record.round.is_cancelled() {
        // Nothing to confirm: the round's page says it was cancelled.
        return Ok(cancel_form(
            &ctx,
            &record,
            Some(
                &accord_plan::PlanError::RoundCancelled {
                    round: record.round.id.clone(),
                }
                .to_string(),
            ),
        ));
    }
    Ok(cancel_form(&ctx, &record, None))
}

pub async fn cancel_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    PostedForm(_): PostedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::ManagePlan).await?;
    let id = round_id(&id)?;
    match state
        .store
        .cancel_plan_round(&ctx.actor(), &ctx.principal, &id, OffsetDateTime::now_utc())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/rounds/{id}")).into_response()),
        // Reports were submitted meanwhile, or it was cancelled already:
        // said on the confirmation page, nothing changed.
        Err(accord_store::StoreError::Conflict(message)) => {
            let record = state.store.plan_round(&id).await?;
            let mut r = cancel_form(&ctx, &record, Some(&message)).into_response();
            *r.status_mut() = StatusCode::CONFLICT;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

// ---- JSON API ----

/// A round as the API gives it.
#[derive(Serialize)]
pub struct RoundJson {
    #[serde(flatten)]
    round: ReportingRound,
    open: bool,
    /// `open`, `reopened`, `closed` or `cancelled`.
    state: RoundState,
    created_by: String,
}

fn round_json(r: RoundRecord) -> RoundJson {
    let now = OffsetDateTime::now_utc();
    RoundJson {
        open: r.round.is_open(now),
        state: r.round.state(now),
        round: r.round,
        created_by: r.created_by,
    }
}

pub async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Json<Vec<RoundJson>>, WebError> {
    ctx.require(&state, &Action::ViewCommitments).await?;
    Ok(Json(
        state
            .store
            .plan_rounds()
            .await?
            .into_iter()
            .map(round_json)
            .collect(),
    ))
}

/// The body of `POST /api/rounds`.
#[derive(Deserialize)]
pub struct NewRoundJson {
    id: String,
    name: String,
    period_start: String,
    period_end: String,
    deadline: String,
    commitments: Vec<String>,
    members: Vec<String>,
}

pub async fn api_create(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<NewRoundJson>,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::ManagePlan).await?;
    let commitments: Vec<&str> = body.commitments.iter().map(String::as_str).collect();
    let members: Vec<&str> = body.members.iter().map(String::as_str).collect();
    let round = state
        .store
        .open_plan_round(
            &ctx.actor(),
            &ctx.principal,
            &NewRound {
                id: &body.id,
                name: &body.name,
                period_start: &body.period_start,
                period_end: &body.period_end,
                deadline: &body.deadline,
                commitments: &commitments,
                members: &members,
            },
            OffsetDateTime::now_utc(),
        )
        .await?;
    let record = state.store.plan_round(&round.id).await?;
    Ok((StatusCode::CREATED, Json(round_json(record))).into_response())
}

/// A round's matrix and progress as the API gives them.
#[derive(Serialize)]
pub struct MatrixJson {
    round: String,
    members: Vec<String>,
    commitments: Vec<String>,
    /// Row by row: `cells[i][j]` is member `i` on commitment `j`.
    cells: Vec<Vec<Cell>>,
    totals: accord_plan::StatusCounts,
    by_member: Vec<MemberProgressJson>,
    by_pillar: Vec<PillarProgressJson>,
}

#[derive(Serialize)]
pub struct MemberProgressJson {
    member: String,
    progress: accord_plan::Progress,
    previous: Option<accord_plan::Progress>,
}

#[derive(Serialize)]
pub struct PillarProgressJson {
    pillar: String,
    counts: accord_plan::StatusCounts,
    progress: accord_plan::Progress,
}

pub async fn api_get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Json<RoundJson>, WebError> {
    ctx.require(&state, &Action::ViewCommitments).await?;
    let record = state.store.plan_round(&round_id(&id)?).await?;
    Ok(Json(round_json(record)))
}

pub async fn api_matrix(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(query): Query<FilterQuery>,
) -> Result<Json<MatrixJson>, WebError> {
    let v = matrix_view(&state, &ctx, &id, &query).await?;
    let previous = &v.previous_or_empty();
    let m = &v.matrix;
    Ok(Json(MatrixJson {
        round: m.round.to_string(),
        members: m.members.iter().map(|x| x.to_string()).collect(),
        commitments: m.commitments.iter().map(|x| x.to_string()).collect(),
        cells: m.rows().map(|(_, row)| row.to_vec()).collect(),
        totals: m.totals(),
        by_member: member_progress_change(previous, m)
            .into_iter()
            .map(|(member, previous, progress)| MemberProgressJson {
                member: member.to_string(),
                progress,
                previous,
            })
            .collect(),
        by_pillar: progress_by_pillar(m, &v.catalogue)
            .into_iter()
            .map(|(p, counts, progress)| PillarProgressJson {
                pillar: p.to_string(),
                counts,
                progress,
            })
            .collect(),
    }))
}

/// The body of `POST /api/rounds/{id}/reopen`.
#[derive(Deserialize)]
pub struct ReopenJson {
    reopened: bool,
}

pub async fn api_reopen(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReopenJson>,
) -> Result<Json<RoundJson>, WebError> {
    ctx.require(&state, &Action::ManagePlan).await?;
    let id = round_id(&id)?;
    state
        .store
        .set_plan_round_reopened(&ctx.actor(), &ctx.principal, &id, body.reopened)
        .await?;
    Ok(Json(round_json(state.store.plan_round(&id).await?)))
}

/// `POST /api/rounds/{id}/cancel`: cancels a round opened by mistake while
/// nobody has submitted a report in it (409 after). A POST, not a DELETE:
/// the round is kept, marked cancelled, and its page says so.
pub async fn api_cancel(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Json<RoundJson>, WebError> {
    ctx.require(&state, &Action::ManagePlan).await?;
    let id = round_id(&id)?;
    state
        .store
        .cancel_plan_round(&ctx.actor(), &ctx.principal, &id, OffsetDateTime::now_utc())
        .await?;
    Ok(Json(round_json(state.store.plan_round(&id).await?)))
}
