//! A member's report on one commitment in one round: read (each version
//! under its TLP marking), drafted by the member's contributors, submitted by
//! its administrator, corrected by a new version; evidence files attached and
//! downloaded. Pages and JSON API side by side.

use accord_core::{Action, Invalid, MemberCode};
use accord_plan::{
    CommitmentId, Evidence, EvidenceInput, IndicatorInput, Principal, Report, ReportContent,
    ReportInput, ReportStatus, ReportVersion, ReportingRound, RoundId, Tlp,
};
use accord_store::plan::{NewEvidenceFile, ReportRecord};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

use super::plan::{catalogue, commitment_or_404, status_label};
use crate::context::Ctx;
use crate::error::WebError;
use crate::forms::{ApiJson, FormFields, PostedForm, Upload};
use crate::i18n::Lang;
use crate::render::{csrf_field, form_errors, format_ms, page};
use crate::state::AppState;

/// The path of a report: round, member, commitment.
type ReportPath = (String, String, String);

struct Target {
    round: ReportingRound,
    member: MemberCode,
    commitment: CommitmentId,
    commitment_text: String,
    commitment_label: String,
}

async fn target(
    state: &AppState,
    ctx: &Ctx,
    (round, member, commitment): &ReportPath,
) -> Result<Target, WebError> {
    let catalogue = catalogue(state, ctx).await?;
    let round_id =
        RoundId::parse(round).map_err(|_| WebError::NotFound(format!("round {round}")))?;
    let round = state.store.plan_round(&round_id).await?.round;
    let member =
        MemberCode::parse(member).map_err(|_| WebError::NotFound(format!("member {member}")))?;
    if !round.members.contains(&member) {
        return Err(WebError::NotFound(format!(
            "a report of {member} in round {}",
            round.id
        )));
    }
    let (commitment, c) = commitment_or_404(&catalogue, commitment)?;
    if !round.commitments.contains(&commitment) {
        return Err(WebError::NotFound(format!(
            "commitment {commitment} in round {}",
            round.id
        )));
    }
    Ok(Target {
        round,
        member,
        commitment,
        commitment_text: c.display_text().to_string(),
        commitment_label: super::plan::short_label(ctx.lang, &c),
    })
}

fn url(t: &Target) -> String {
    format!(
        "/rounds/{}/reports/{}/{}",
        t.round.id, t.member, t.commitment
    )
}

fn tlp_class(t: Tlp) -> &'static str {
    match t {
        Tlp::Red => "bad",
        Tlp::AmberStrict | Tlp::Amber => "warn",
        Tlp::Green | Tlp::Clear => "good",
    }
}

fn version_view(l: Lang, t: &Target, v: &ReportVersion, usernames: &[(i64, String)]) -> Markup {
    let who = |id: i64| {
        usernames
            .iter()
            .find(|(u, _)| *u == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| format!("#{id}"))
    };
    let c = &v.content;
    html! {
        article.version id={ "v" (v.number) } {
            h3 {
                (l.tf("reports.version", &[("n", &v.number.to_string())])) " "
                @if let Some(s) = &v.submitted {
                    span.badge.good { (l.tf("reports.submitted_by", &[("who", &who(s.by)), ("at", &s.at.date().to_string())])) }
                } @else { span.badge.warn { (l.t("reports.draft")) } }
                " " span class={ "badge " (tlp_class(c.tlp)) } { "TLP:" (c.tlp) }
                @if let Some(n) = v.corrects { " " span.muted { (l.tf("reports.corrects", &[("n", &n.to_string())])) } }
            }
            dl.facts {
                dt { (l.t("reports.status")) } dd { (status_label(l, c.status)) }
                @if !c.narrative.is_empty() { dt { (l.t("reports.narrative")) } dd { p style="white-space: pre-wrap" { (c.narrative) } } }
                @if !c.indicators.is_empty() {
                    dt { (l.t("reports.indicators")) }
                    dd { ul { @for i in &c.indicators { li { (i.display()) } } } }
                }
                @if !c.evidence.is_empty() {
                    dt { (l.t("reports.evidence")) }
                    dd { ul { @for e in &c.evidence { li { @match e {
                        Evidence::Link { url, title } => { a href=(url) rel="noopener noreferrer" { (if title.is_empty() { url.as_str() } else { title.as_str() }) } }
                        Evidence::File { name, sha256, title } => {
                            a href={ (url(t)) "/files/" (sha256) } { (name) } @if !title.is_empty() { " — " (title) }
                        }
                    } } } } }
                }
                @if !c.agencies.is_empty() { dt { (l.t("reports.agencies")) } dd { (c.agencies.join("; ")) } }
                @if !c.civil_society_partners.is_empty() { dt { (l.t("reports.partners")) } dd { (c.civil_society_partners.join("; ")) } }
                dt { (l.t("reports.drafted_by")) } dd { (v.drafted_by.iter().map(|u| who(*u)).collect::<Vec<_>>().join(", ")) }
                dt { (l.t("reports.updated")) } dd { (v.updated_at.date()) }
            }
        }
    }
}

/// The report form, filled from `input`; `correcting` when it starts a new
/// version of a submitted report.
fn report_form(
    ctx: &Ctx,
    t: &Target,
    input: &ReportInput,
    revision: i64,
    correcting: bool,
    errors: Option<&Invalid>,
) -> Markup {
    let l = ctx.lang;
    let action = if correcting { "correct" } else { "draft" };
    let mut indicators = input.indicators.clone();
    indicators.extend(std::iter::repeat_n(IndicatorInput::default(), 2));
    let mut links: Vec<EvidenceInput> = input
        .evidence
        .iter()
        .filter(|e| e.sha256.is_empty())
        .cloned()
        .collect();
    links.push(EvidenceInput::default());
    let files: Vec<&EvidenceInput> = input
        .evidence
        .iter()
        .filter(|e| !e.sha256.is_empty())
        .collect();
    let error_of = |field: &str| {
        errors.and_then(|i| {
            i.errors
                .iter()
                .find(|e| e.field == field || e.field.starts_with(&format!("{field}[")))
                .map(|e| format!("{}: {}", e.field, l.message(&e.message)))
        })
    };
    html! {
        h2 id="edit" { (if correcting { l.t("reports.correct_title") } else { l.t("reports.draft_title") }) }
        (form_errors(l, errors))
        form method="post" action={ (url(t)) "/" (action) } {
            (csrf_field(ctx))
            input type="hidden" name="revision" value=(revision);
            div.field {
                label for="status" { (l.t("reports.status")) " *" }
                @if let Some(e) = error_of("status") { div.error-text { (e) } }
                select id="status" name="status" required {
                    @for s in ReportStatus::ALL {
                        option value=(s.as_str()) selected[input.status == s.as_str()] { (status_label(l, s)) }
                    }
                }
            }
            div.field {
                label for="narrative" { (l.t("reports.narrative")) }
                div.hint { (l.t("reports.narrative_hint")) }
                @if let Some(e) = error_of("narrative") { div.error-text { (e) } }
                textarea id="narrative" name="narrative" rows="6" { (input.narrative) }
            }
            fieldset id="indicators" {
                legend { (l.t("reports.indicators")) }
                div.hint { (l.t("reports.indicators_hint")) }
                @if let Some(e) = error_of("indicators") { div.error-text { (e) } }
                @for (i, ind) in indicators.iter().enumerate() {
                    div.row {
                        input type="text" name="indicator_label" value=(ind.label) aria-label={ (l.t("reports.indicator_label")) " " (i + 1) } placeholder=(l.t("reports.indicator_label"));
                        " " input type="text" name="indicator_value" value=(ind.value) inputmode="decimal" size="8" aria-label={ (l.t("reports.indicator_value")) " " (i + 1) } placeholder=(l.t("reports.indicator_value"));
                        " " input type="text" name="indicator_unit" value=(ind.unit) size="12" aria-label={ (l.t("reports.indicator_unit")) " " (i + 1) } placeholder=(l.t("reports.indicator_unit"));
                    }
                }
            }
            fieldset id="evidence" {
                legend { (l.t("reports.evidence_links")) }
                @if let Some(e) = error_of("evidence") { div.error-text { (e) } }
                @for (i, e) in links.iter().enumerate() {
                    div.row {
                        input type="url" name="evidence_url" value=(e.url) size="40" aria-label={ (l.t("reports.evidence_url")) " " (i + 1) } placeholder="https://";
                        " " input type="text" name="evidence_title" value=(e.title) aria-label={ (l.t("reports.evidence_title")) " " (i + 1) } placeholder=(l.t("reports.evidence_title"));
                    }
                }
                @for f in &files {
                    input type="hidden" name="file_name" value=(f.name);
                    input type="hidden" name="file_sha256" value=(f.sha256);
                    input type="hidden" name="file_title" value=(f.title);
                    p.muted { (l.t("reports.attached")) ": " (f.name) }
                }
            }
            div.field {
                label for="agencies" { (l.t("reports.agencies")) }
                div.hint { (l.t("reports.one_per_line")) }
                @if let Some(e) = error_of("agencies") { div.error-text { (e) } }
                textarea id="agencies" name="agencies" rows="3" { (input.agencies.join("\n")) }
            }
            div.field {
                label for="civil_society_partners" { (l.t("reports.partners")) }
                div.hint { (l.t("reports.one_per_line")) }
                @if let Some(e) = error_of("civil_society_partners") { div.error-text { (e) } }
                textarea id="civil_society_partners" name="civil_society_partners" rows="3" { (input.civil_society_partners.join("\n")) }
            }
            div.field {
                label for="tlp" { (l.t("reports.tlp")) " *" }
                div.hint { (l.t("reports.tlp_hint")) }
                @if let Some(e) = error_of("tlp") { div.error-text { (e) } }
                select id="tlp" name="tlp" required {
                    @for tlp in ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"] {
                        option value=(tlp) selected[input.tlp == tlp] { "TLP:" (tlp) }
                    }
                }
            }
            button type="submit" { (if correcting { l.t("reports.start_correction") } else { l.t("reports.save_draft") }) }
        }
    }
}

/// What a version says, back in the form's terms (to edit it).
fn input_of(v: &ReportVersion) -> ReportInput {
    let c = &v.content;
    ReportInput {
        status: c.status.as_str().into(),
        narrative: c.narrative.clone(),
        indicators: c
            .indicators
            .iter()
            .map(|i| IndicatorInput {
                label: i.label.clone(),
                value: i.display_value(),
                unit: i.unit.clone(),
            })
            .collect(),
        evidence: c
            .evidence
            .iter()
            .map(|e| match e {
                Evidence::Link { url, title } => EvidenceInput {
                    url: url.clone(),
                    title: title.clone(),
                    ..Default::default()
                },
                Evidence::File {
                    name,
                    sha256,
                    title,
                } => EvidenceInput {
                    name: name.clone(),
                    sha256: sha256.clone(),
                    title: title.clone(),
                    ..Default::default()
                },
            })
            .collect(),
        agencies: c.agencies.clone(),
        civil_society_partners: c.civil_society_partners.clone(),
        tlp: c.tlp.to_string(),
    }
}

/// The form's repeated fields in order, into the domain's input.
fn input_from_pairs(pairs: &[(String, String)]) -> (ReportInput, Option<i64>) {
    let form = FormFields(pairs);
    let get = |name: &str| form.all(name);
    let (labels, values, units) = (
        get("indicator_label"),
        get("indicator_value"),
        get("indicator_unit"),
    );
    let indicators = (0..labels.len().max(values.len()).max(units.len()))
        .map(|i| IndicatorInput {
            label: labels.get(i).unwrap_or(&"").to_string(),
            value: values.get(i).unwrap_or(&"").to_string(),
            unit: units.get(i).unwrap_or(&"").to_string(),
        })
        .filter(|i| {
            !(i.label.trim().is_empty() && i.value.trim().is_empty() && i.unit.trim().is_empty())
        })
        .collect();
    let (urls, titles) = (get("evidence_url"), get("evidence_title"));
    let mut evidence: Vec<EvidenceInput> = (0..urls.len().max(titles.len()))
        .map(|i| EvidenceInput {
            url: urls.get(i).unwrap_or(&"").to_string(),
            title: titles.get(i).unwrap_or(&"").to_string(),
            ..Default::default()
        })
        .filter(|e| !(e.url.trim().is_empty() && e.title.trim().is_empty()))
        .collect();
    let (names, shas, file_titles) = (get("file_name"), get("file_sha256"), get("file_title"));
    for (i, sha) in shas.iter().enumerate() {
        evidence.push(EvidenceInput {
            name: names.get(i).unwrap_or(&"").to_string(),
            sha256: sha.to_string(),
            title: file_titles.get(i).unwrap_or(&"").to_string(),
            ..Default::default()
        });
    }
    (
        ReportInput {
            status: form.first("status"),
            narrative: form.first("narrative"),
            indicators,
            evidence,
            agencies: form.lines("agencies"),
            civil_society_partners: form.lines("civil_society_partners"),
            tlp: form.first("tlp"),
        },
        form.number("revision"),
    )
}

async fn usernames(state: &AppState, report: Option<&Report>) -> Vec<(i64, String)> {
    let mut ids: Vec<i64> = report
        .map(|r| {
            r.versions()
                .iter()
                .flat_map(|v| {
                    v.drafted_by
                        .iter()
                        .copied()
                        .chain(v.submitted.as_ref().map(|s| s.by))
                })
                .collect()
        })
        .unwrap_or_default();
    ids.sort_unstable();
    ids.dedup();
    let mut out = Vec::new();
    for id in ids {
        if let Ok(u) = state.store.user(id).await {
            out.push((id, u.username.to_string()));
        }
    }
    out
}

/// The page, with the form in the state `form` gives (or the stored draft's).
async fn render_page(
    state: &AppState,
    ctx: &Ctx,
    t: &Target,
    record: Option<&ReportRecord>,
    form: Option<(&ReportInput, bool, &Invalid)>,
) -> Result<Html<String>, WebError> {
    let l = ctx.lang;
    let viewer = ctx.principal.clone();
    let report = record.map(|r| &r.report);
    let versions: Vec<&ReportVersion> = report
        .map(|r| r.versions_visible_to(&viewer))
        .unwrap_or_default();
    let names = usernames(state, report).await;
    let now = time::OffsetDateTime::now_utc();
    let may_draft = accord_core::authorize(
        &ctx.principal,
        &Action::DraftReport {
            member: t.member.clone(),
        },
    )
    .is_ok();
    let may_submit_role = accord_core::authorize(
        &ctx.principal,
        &Action::SubmitReport {
            member: t.member.clone(),
        },
    )
    .is_ok();
    let open = t.round.is_open(now);
    let revision = record.map_or(0, |r| r.revision);
    let draft = report.and_then(|r| r.draft_version());
    // The Submit button only for whom the rule lets submit this draft: an
    // administrator who wrote its last change may not (separation of
    // duties, when the member has another user who drafts); they are told
    // who may.
    let four_eyes = match draft {
        Some(d) if may_submit_role => {
            let drafters = state.store.plan_member_drafters(&t.member).await?;
            accord_plan::can_submit(&ctx.principal, &t.member, d.last_editor(), drafters).err()
        }
        _ => None,
    };
    let may_submit = may_submit_role && four_eyes.is_none();
    let submitted = report.and_then(|r| r.latest_submitted());
    let editor = if !may_draft || !open {
        html! {}
    } else if let Some((input, correcting, errors)) = form {
        report_form(ctx, t, input, revision, correcting, Some(errors))
    } else if let Some(d) = draft {
        report_form(ctx, t, &input_of(d), revision, false, None)
    } else if let Some(s) = submitted {
        report_form(ctx, t, &input_of(s), revision, true, None)
    } else {
        report_form(
            ctx,
            t,
            &ReportInput {
                status: "in_progress".into(),
                tlp: "GREEN".into(),
                ..Default::default()
            },
            0,
            false,
            None,
        )
    };
    Ok(page(
        ctx,
        &format!("{} — {} — {}", t.round.name, t.member, t.commitment_label),
        html! {
            h1 { (t.commitment_label) ": " (t.member) }
            p { a href={ "/rounds/" (t.round.id) } { (t.round.name) } " · " a href={ "/commitments/" (t.commitment) } { (l.t("reports.commitment")) } }
            blockquote lang="en" { p { (t.commitment_text) } }
            // A cancelled round is not "closed" (nobody can reopen it).
            @if t.round.is_cancelled() { div.notice.warn { (l.t("reports.round_cancelled")) } }
            @else if !open && may_draft { div.notice.warn { (l.tf("reports.closed", &[("deadline", &t.round.deadline.date().to_string())])) } }
            @if versions.is_empty() {
                // Submitted but not for this viewer's eyes: said so, as in
                // the round's matrix, rather than "nothing".
                @if submitted.is_some() && accord_plan::may_know_reported(&t.member, &viewer) {
                    p.notice { strong { (l.t("plan.status_restricted")) } ": " (l.t("reports.restricted")) }
                } @else {
                    p.muted { (l.t("reports.nothing_visible")) }
                }
            }
            @for v in versions.iter().rev() { (version_view(l, t, v, &names)) }
            @if may_submit_role && open && matches!(four_eyes, Some(accord_plan::PlanError::SeparationOfDuties)) {
                p.notice { (l.t("reports.another_must_submit")) }
            }
            @if may_submit && open && draft.is_some() {
                form.actions method="post" action={ (url(t)) "/submit" } {
                    (csrf_field(ctx))
                    input type="hidden" name="revision" value=(revision);
                    p.hint { (l.t("reports.submit_hint")) }
                    button type="submit" { (l.t("reports.submit")) }
                }
            }
            (editor)
            @if may_draft && open && draft.is_some() {
                h2 { (l.t("reports.attach_title")) }
                form method="post" action={ (url(t)) "/files" } enctype="multipart/form-data" {
                    (csrf_field(ctx))
                    input type="hidden" name="revision" value=(revision);
                    div.field {
                        label for="file" { (l.t("reports.file")) }
                        div.hint { (l.t("reports.file_hint")) }
                        input type="file" id="file" name="file" required;
                    }
                    div.field {
                        label for="file_title" { (l.t("reports.evidence_title")) }
                        input type="text" id="file_title" name="title";
                    }
                    button.secondary type="submit" { (l.t("reports.attach")) }
                }
            }
            // Only the member's own users learn when a report changed: everyone
            // else learns at most that it was submitted, never its activity.
            @if let Some(r) = record.filter(|_| viewer.is_of(&t.member)) { p.muted { (l.tf("reports.revision", &[("n", &r.revision.to_string()), ("at", &format_ms(r.updated_at))])) } }
        },
    ))
}

pub async fn report_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(path): Path<ReportPath>,
) -> Result<Html<String>, WebError> {
    let t = target(&state, &ctx, &path).await?;
    let record = state
        .store
        .plan_report(&t.round.id, &t.member, &t.commitment)
        .await?;
    render_page(&state, &ctx, &t, record.as_ref(), None).await
}

/// A refused form comes back with what was typed and the reasons (422).
async fn rejected(
    state: &AppState,
    ctx: &Ctx,
    t: &Target,
    input: &ReportInput,
    correcting: bool,
    invalid: &Invalid,
) -> Result<Response, WebError> {
    let record = state
        .store
        .plan_report(&t.round.id, &t.member, &t.commitment)
        .await?;
    let mut r = render_page(
        state,
        ctx,
        t,
        record.as_ref(),
        Some((input, correcting, invalid)),
    )
    .await?
    .into_response();
    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(r)
}

/// Saves the draft, or starts a correction, as the signed-in user.
async fn write(
    state: &AppState,
    ctx: &Ctx,
    t: &Target,
    content: ReportContent,
    revision: Option<i64>,
    correcting: bool,
) -> Result<ReportRecord, WebError> {
    let who = ctx.principal.clone();
    let key = (&t.round.id, &t.member, &t.commitment);
    let now = time::OffsetDateTime::now_utc();
    Ok(if correcting {
        state
            .store
            .correct_plan_report(&ctx.actor(), &who, key, content, revision, now)
            .await?
    } else {
        state
            .store
            .save_plan_draft(&ctx.actor(), &who, key, content, revision, now)
            .await?
    })
}

async fn write_from_form(
    state: AppState,
    ctx: Ctx,
    path: ReportPath,
    pairs: Vec<(String, String)>,
    correcting: bool,
) -> Result<Response, WebError> {
    let t = target(&state, &ctx, &path).await?;
    ctx.require(
        &state,
        &Action::DraftReport {
            member: t.member.clone(),
        },
    )
    .await?;
    let (input, revision) = input_from_pairs(&pairs);
    let content = match input.validate() {
        Ok(c) => c,
        Err(invalid) => return rejected(&state, &ctx, &t, &input, correcting, &invalid).await,
    };
    let result = write(&state, &ctx, &t, content, revision, correcting).await;
    match result {
        Ok(_) => Ok(Redirect::to(&url(&t)).into_response()),
        Err(WebError::Invalid(invalid)) => {
            rejected(&state, &ctx, &t, &input, correcting, &invalid).await
        }
        Err(e) => Err(e),
    }
}

pub async fn draft_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(path): Path<ReportPath>,
    PostedForm(pairs): PostedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    write_from_form(state, ctx, path, pairs, false).await
}

pub async fn correct_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(path): Path<ReportPath>,
    PostedForm(pairs): PostedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    write_from_form(state, ctx, path, pairs, true).await
}

#[derive(Deserialize)]
pub struct RevisionForm {
    #[serde(default)]
    revision: Option<i64>,
}

pub async fn submit_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(path): Path<ReportPath>,
    PostedForm(form): PostedForm<RevisionForm>,
) -> Result<Response, WebError> {
    let t = target(&state, &ctx, &path).await?;
    submit(&state, &ctx, &t, form.revision).await?;
    Ok(Redirect::to(&url(&t)).into_response())
}

async fn submit(
    state: &AppState,
    ctx: &Ctx,
    t: &Target,
    revision: Option<i64>,
) -> Result<ReportRecord, WebError> {
    ctx.require(
        state,
        &Action::SubmitReport {
            member: t.member.clone(),
        },
    )
    .await?;
    Ok(state
        .store
        .submit_plan_report(
            &ctx.actor(),
            &ctx.principal,
            (&t.round.id, &t.member, &t.commitment),
            revision,
            time::OffsetDateTime::now_utc(),
        )
        .await?)
}

/// Attaches an uploaded file to the open draft (page and API alike).
pub async fn attach_file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(path): Path<ReportPath>,
    upload: Upload,
) -> Result<Response, WebError> {
    let t = target(&state, &ctx, &path).await?;
    ctx.require(
        &state,
        &Action::DraftReport {
            member: t.member.clone(),
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
    let file_name = file_name.clone().unwrap_or_else(|| "evidence".into());
    let content_type = crate::files::checked_type(&file_name, bytes)?;
    let revision = upload.text("revision").trim().parse::<i64>().ok();
    let record = state
        .store
        .attach_plan_evidence(
            &ctx.actor(),
            &ctx.principal,
            (&t.round.id, &t.member, &t.commitment),
            &NewEvidenceFile {
                file_name,
                content_type: content_type.into(),
                bytes: bytes.clone(),
            },
            upload.text("title").trim(),
            revision,
            time::OffsetDateTime::now_utc(),
        )
        .await?;
    if crate::error::is_api_path(&ctx.path) {
        let viewer = ctx.principal.clone();
        return Ok(Json(report_json(&record, &viewer)).into_response());
    }
    Ok(Redirect::to(&url(&t)).into_response())
}

/// A file is readable by whoever may read a version that cites it.
pub async fn file_download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((round, member, commitment, sha256)): Path<(String, String, String, String)>,
) -> Result<Response, WebError> {
    let t = target(&state, &ctx, &(round, member, commitment)).await?;
    let viewer = ctx.principal.clone();
    let record = state
        .store
        .plan_report(&t.round.id, &t.member, &t.commitment)
        .await?;
    let cited = record.as_ref().is_some_and(|r| {
        r.report.versions_visible_to(&viewer).iter().any(|v| {
            v.content
                .evidence
                .iter()
                .any(|e| matches!(e, Evidence::File { sha256: s, .. } if *s == sha256))
        })
    });
    if !cited {
        return Err(WebError::NotFound(format!("file {sha256}")));
    }
    let (meta, bytes) = state
        .store
        .plan_evidence_file(&ctx.actor(), &t.member, &sha256)
        .await?;
    Ok(crate::files::attachment(
        &meta.file_name,
        &meta.content_type,
        bytes,
    ))
}

// ---- JSON API ----

/// A report as the API gives it: the versions the caller may read.
#[derive(Serialize)]
pub struct ReportJson<'a> {
    round: String,
    member: String,
    commitment: String,
    revision: i64,
    versions: Vec<&'a ReportVersion>,
}

fn report_json<'a>(record: &'a ReportRecord, viewer: &Principal) -> ReportJson<'a> {
    let r = &record.report;
    ReportJson {
        round: r.round.to_string(),
        member: r.member.to_string(),
        commitment: r.commitment.to_string(),
        revision: record.revision,
        versions: r.versions_visible_to(viewer),
    }
}

pub async fn api_get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(path): Path<ReportPath>,
) -> Result<Json<serde_json::Value>, WebError> {
    let t = target(&state, &ctx, &path).await?;
    let viewer = ctx.principal.clone();
    let record = state
        .store
        .plan_report(&t.round.id, &t.member, &t.commitment)
        .await?
        .filter(|r| !r.report.versions_visible_to(&viewer).is_empty())
        .ok_or_else(|| {
            WebError::NotFound(format!(
                "a report of {} on {} in round {}",
                t.member, t.commitment, t.round.id
            ))
        })?;
    Ok(Json(
        serde_json::to_value(report_json(&record, &viewer))
            .map_err(|e| WebError::Internal(e.to_string()))?,
    ))
}

/// Every report of a round the caller may read.
pub async fn api_round_reports(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(round): Path<String>,
) -> Result<Json<serde_json::Value>, WebError> {
    ctx.require(&state, &Action::ViewCommitments).await?;
    let id = RoundId::parse(&round).map_err(|_| WebError::NotFound(format!("round {round}")))?;
    state.store.plan_round(&id).await?;
    let viewer = ctx.principal.clone();
    let reports = state.store.plan_reports(Some(&id)).await?;
    let visible: Vec<serde_json::Value> = reports
        .iter()
        .filter_map(|r| {
            let versions = r.versions_visible_to(&viewer);
            (!versions.is_empty()).then(|| {
                serde_json::json!({
                    "round": r.round.to_string(),
                    "member": r.member.to_string(),
                    "commitment": r.commitment.to_string(),
                    "versions": versions,
                })
            })
        })
        .collect();
    Ok(Json(serde_json::Value::Array(visible)))
}

/// The body of a draft or correction: the report's fields and, to guard
/// against overwriting someone else's change, the revision last read.
#[derive(Deserialize)]
pub struct ReportBody {
    #[serde(flatten)]
    input: ReportInput,
    #[serde(default)]
    revision: Option<i64>,
}

async fn api_write(
    state: AppState,
    ctx: Ctx,
    path: ReportPath,
    body: ReportBody,
    correcting: bool,
) -> Result<Json<serde_json::Value>, WebError> {
    let t = target(&state, &ctx, &path).await?;
    ctx.require(
        &state,
        &Action::DraftReport {
            member: t.member.clone(),
        },
    )
    .await?;
    let content = body.input.validate()?;
    let record = write(&state, &ctx, &t, content, body.revision, correcting).await?;
    let viewer = ctx.principal.clone();
    Ok(Json(
        serde_json::to_value(report_json(&record, &viewer))
            .map_err(|e| WebError::Internal(e.to_string()))?,
    ))
}

pub async fn api_draft(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(path): Path<ReportPath>,
    ApiJson(body): ApiJson<ReportBody>,
) -> Result<Json<serde_json::Value>, WebError> {
    api_write(state, ctx, path, body, false).await
}

pub async fn api_correct(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(path): Path<ReportPath>,
    ApiJson(body): ApiJson<ReportBody>,
) -> Result<Json<serde_json::Value>, WebError> {
    api_write(state, ctx, path, body, true).await
}

#[derive(Deserialize, Default)]
pub struct SubmitBody {
    #[serde(default)]
    revision: Option<i64>,
}

pub async fn api_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(path): Path<ReportPath>,
    ApiJson(body): ApiJson<SubmitBody>,
) -> Result<Json<serde_json::Value>, WebError> {
    let t = target(&state, &ctx, &path).await?;
    let record = submit(&state, &ctx, &t, body.revision).await?;
    let viewer = ctx.principal.clone();
    Ok(Json(
        serde_json::to_value(report_json(&record, &viewer))
            .map_err(|e| WebError::Internal(e.to_string()))?,
    ))
}
