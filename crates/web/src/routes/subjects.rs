//! Subjects of the common list and their merges. Aliases are never merged
//! automatically: merging two subjects is an explicit act of the secretariat,
//! audited and reversible.

use accord_core::{Action, Invalid};
use accord_lists::NameKind;
use accord_store::StoreError;
use accord_store::common_list::{Merge, Subject, SubjectStatus};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use crate::context::Ctx;
use crate::error::WebError;
use crate::forms::{ApiJson, NoFields, PostedForm};
use crate::i18n::Lang;
use crate::render::{csrf_field, form_errors, format_ms, page};
use crate::state::AppState;

/// A subject as published: its entry, status and merges (no statement of case).
pub async fn api_get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, WebError> {
    ctx.require(&state, &Action::ViewProposals).await?;
    let id = id.trim().to_uppercase();
    let subject: Subject = state.store.subject(&id).await?;
    if !may_see_unlisted(&state, &ctx, &subject).await? {
        return Err(WebError::NotFound(format!("subject {id}")));
    }
    let merges: Vec<Merge> = state.store.merges(&id).await?;
    Ok(Json(
        serde_json::json!({ "subject": subject, "merges": merges }),
    ))
}

/// Whether the viewer (who views proposals) may see this subject. A subject
/// never listed is read under its proposals' rule: those who may not see
/// whom it names learn nothing of it, not even that it exists.
pub(super) async fn may_see_unlisted(
    state: &AppState,
    ctx: &Ctx,
    subject: &Subject,
) -> Result<bool, WebError> {
    if !matches!(
        subject.status,
        SubjectStatus::Proposed | SubjectStatus::NotListed
    ) {
        return Ok(true);
    }
    let proposals = state.store.subject_proposals(&subject.public_id).await?;
    Ok(proposals
        .iter()
        .any(|p| super::proposals::entry_visible(ctx, p)))
}

#[derive(Deserialize)]
pub struct MergeBody {
    into: String,
    reason: String,
}

pub async fn api_merge(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(from): Path<String>,
    ApiJson(body): ApiJson<MergeBody>,
) -> Result<(StatusCode, Json<Merge>), WebError> {
    ctx.require(&state, &Action::MergeSubjects).await?;
    let merge = state
        .store
        .merge_subjects(
            &ctx.actor(),
            &from.trim().to_uppercase(),
            &body.into.trim().to_uppercase(),
            &body.reason,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(merge)))
}

pub async fn api_unmerge(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Json<Merge>, WebError> {
    ctx.require(&state, &Action::MergeSubjects).await?;
    Ok(Json(state.store.unmerge_subjects(&ctx.actor(), id).await?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MergeQuery {
    from: String,
    into: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MergeForm {
    from: String,
    into: String,
    reason: String,
}

/// A subject's facts in one column of the side-by-side comparison.
fn subject_column(l: Lang, s: &Subject) -> Markup {
    html! {
        dl.facts {
            dt { (l.t("merge.identifier")) } dd { code { (s.public_id) } }
            dt { (l.t("merge.kind")) } dd { (s.kind.as_str()) }
            dt { (l.t("merge.status")) } dd { span.badge { (s.status.as_str()) } }
            dt { (l.t("merge.names")) } dd { ul { @for n in &s.entry.names {
                li { (n.text) " " span.muted { "(" (name_kind(l, n.kind)) ")" } }
            } } }
            dt { (l.t("merge.identifiers")) } dd { (super::common_list::entry_facts(l, &s.entry)) }
            @if let Some(un) = &s.un_reference { dt { "UN" } dd { code { (un) } } }
            @if let Some(on) = s.listed_on { dt { (l.t("merge.listed_on")) } dd { (on) } }
            dt { (l.t("merge.summary")) } dd { (s.narrative_summary) }
        }
    }
}

fn name_kind(l: Lang, k: NameKind) -> &'static str {
    match k {
        NameKind::Primary => l.t("merge.primary"),
        NameKind::Alias => l.t("merge.alias"),
        NameKind::FormerName => l.t("merge.former"),
        NameKind::OriginalScript => l.t("merge.original"),
    }
}

fn subject_select(name: &str, label: &str, chosen: &str, subjects: &[Subject]) -> Markup {
    html! {
        div.field {
            label for=(name) { (label) }
            select id=(name) name=(name) {
                option value="" { "—" }
                @for s in subjects {
                    option value=(s.public_id) selected[s.public_id == chosen] {
                        (s.public_id) " " (s.entry.primary_name().unwrap_or("")) " (" (s.status.as_str()) ")"
                    }
                }
            }
        }
    }
}

/// The merge page: pick two subjects, compare them, merge with a reason;
/// the record of past merges, each undoable.
async fn merge_page(
    state: &AppState,
    ctx: &Ctx,
    chosen: &MergeForm,
    errors: Option<&Invalid>,
) -> Result<Html<String>, WebError> {
    let l = ctx.lang;
    // Subjects merged into another stand for nothing on their own.
    let subjects: Vec<Subject> = state
        .store
        .subjects(None)
        .await?
        .into_iter()
        .filter(|s| s.merged_into.is_none())
        .collect();
    let find = |id: &str| subjects.iter().find(|s| s.public_id == id);
    let pair = match (find(&chosen.from), find(&chosen.into)) {
        (Some(a), Some(b)) if a.public_id != b.public_id => Some((a, b)),
        _ => None,
    };
    let merges = state.store.all_merges().await?;
    Ok(page(
        ctx,
        l.t("merge.title"),
        html! {
            h1 { (l.t("merge.title")) }
            p { (l.t("merge.intro")) }
            (form_errors(l, errors))
            form.stacked method="get" action="/subjects/merge" {
                (subject_select("from", l.t("merge.from"), &chosen.from, &subjects))
                (subject_select("into", l.t("merge.into"), &chosen.into, &subjects))
                button.secondary type="submit" { (l.t("merge.compare")) }
            }
            @if !chosen.from.is_empty() && !chosen.into.is_empty() && pair.is_none() {
                div.notice.error role="alert" { (l.t("merge.pick_two")) }
            }
            @if let Some((from, into)) = pair {
                h2 { (l.t("merge.side_by_side")) }
                div.columns {
                    section { h3 { (l.t("merge.from")) } (subject_column(l, from)) }
                    section { h3 { (l.t("merge.into")) } (subject_column(l, into)) }
                }
                form.stacked method="post" action="/subjects/merge" {
                    (csrf_field(ctx))
                    input type="hidden" name="from" value=(from.public_id);
                    input type="hidden" name="into" value=(into.public_id);
                    div.field {
                        label for="reason" { (l.t("merge.reason")) " *" }
                        div.hint { (l.t("merge.reason_hint")) }
                        textarea id="reason" name="reason" rows="3" required { (chosen.reason) }
                    }
                    button type="submit" { (l.tf("merge.submit", &[("from", &from.public_id), ("into", &into.public_id)])) }
                }
            }
            h2 { (l.t("merge.history")) }
            @if merges.is_empty() { p.muted { (l.t("merge.none")) } } @else {
                table {
                    thead { tr {
                        th scope="col" { "#" } th scope="col" { (l.t("merge.from")) } th scope="col" { (l.t("merge.into")) }
                        th scope="col" { (l.t("merge.added_names")) } th scope="col" { (l.t("merge.reason")) }
                        th scope="col" { (l.t("merge.by")) } th scope="col" { (l.t("merge.undone")) }
                    } }
                    tbody { @for m in &merges {
                        tr {
                            td { (m.id) }
                            td { code { (m.from) } }
                            td { code { (m.into) } }
                            td { (m.added_names.iter().map(|n| n.text.as_str()).collect::<Vec<_>>().join("; ")) }
                            td { (m.reason) }
                            td { (m.merged_by) " " span.muted { (format_ms(m.merged_at)) } }
                            td {
                                @if let (Some(by), Some(at)) = (&m.undone_by, m.undone_at) {
                                    (by) " " span.muted { (format_ms(at)) }
                                } @else {
                                    form method="post" action={ "/merges/" (m.id) "/undo" } {
                                        (csrf_field(ctx))
                                        button.secondary type="submit" { (l.t("merge.undo")) }
                                    }
                                }
                            }
                        }
                    } }
                }
            }
        },
    ))
}

pub async fn merge_page_handler(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<MergeQuery>,
) -> Result<Html<String>, WebError> {
    ctx.require(&state, &Action::MergeSubjects).await?;
    let chosen = MergeForm {
        from: q.from.trim().to_uppercase(),
        into: q.into.trim().to_uppercase(),
        reason: String::new(),
    };
    merge_page(&state, &ctx, &chosen, None).await
}

pub async fn merge_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    PostedForm(form): PostedForm<MergeForm>,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::MergeSubjects).await?;
    let form = MergeForm {
        from: form.from.trim().to_uppercase(),
        into: form.into.trim().to_uppercase(),
        reason: form.reason,
    };
    match state
        .store
        .merge_subjects(&ctx.actor(), &form.from, &form.into, &form.reason)
        .await
    {
        Ok(_) => Ok(Redirect::to("/subjects/merge").into_response()),
        Err(StoreError::Invalid(invalid)) => {
            let mut r = merge_page(&state, &ctx, &form, Some(&invalid))
                .await?
                .into_response();
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn unmerge_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    PostedForm(_): PostedForm<NoFields>,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::MergeSubjects).await?;
    state.store.unmerge_subjects(&ctx.actor(), id).await?;
    Ok(Redirect::to("/subjects/merge").into_response())
}
