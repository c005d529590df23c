//! The ombudsperson's queue: petitions for delisting, with the petitioner's
//! personal data (every read audited), notes of what was gathered, and the
//! recommendation — to delist (which opens a reverse-consensus proposal) or
//! to keep the listing.

use accord_core::{Action, Invalid};
use accord_store::common_list::{
    Petition, PetitionOrder, PetitionQuery, PetitionRecommendation, PetitionStatus,
};
use axum::extract::{Path, RawQuery, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use crate::context::Ctx;
use crate::error::WebError;
use crate::forms::PostedForm;
use crate::i18n::Lang;
use crate::paging::{Filter, ListQuery, SortOption, filter_form, pager, respond};
use crate::render::{csrf_field, format_ms, page};
use crate::state::AppState;

use super::petitions::status_label;

/// The orders the queue offers: the first is the default.
fn petition_sorts(l: Lang) -> [SortOption<(PetitionOrder, bool)>; 4] {
    let o = |value, key, order, descending| SortOption::new(l, value, key, (order, descending));
    [
        o(
            "-received",
            "work_lists.sort_received_desc",
            PetitionOrder::Received,
            true,
        ),
        o(
            "received",
            "work_lists.sort_received",
            PetitionOrder::Received,
            false,
        ),
        o(
            "-changed",
            "work_lists.sort_changed_desc",
            PetitionOrder::Changed,
            true,
        ),
        o(
            "changed",
            "work_lists.sort_changed",
            PetitionOrder::Changed,
            false,
        ),
    ]
}

pub async fn queue(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::ReviewPetitions).await?;
    let l = ctx.lang;
    let mut q = ListQuery::parse(raw.as_deref(), l);
    let statuses: Vec<(&str, PetitionStatus)> = PetitionStatus::ALL
        .iter()
        .map(|s| (s.as_str(), *s))
        .collect();
    let (order, descending) = q.sort(&petition_sorts(l));
    let window = q.window();
    let query = PetitionQuery {
        status: q.choice("status", &statuses),
        order,
        descending,
        window,
    };
    let listed = state.store.petitions_matching(&ctx.actor(), &query).await?;
    let filters = [
        Filter::select(
            "status",
            l.t("petition.status"),
            PetitionStatus::ALL
                .iter()
                .map(|s| (s.as_str().to_string(), status_label(l, *s).to_string()))
                .collect(),
        ),
        Filter::sort(l, &petition_sorts(l)),
    ];
    let body = html! {
        h1 { (l.t("ombudsperson.title")) }
        (filter_form(l, &q, "/ombudsperson", &filters))
        @if listed.items.is_empty() {
            p.muted { (if q.raw("status").is_empty() { l.t("ombudsperson.none") } else { l.t("work_lists.none") }) }
        } @else {
            table.work-list {
                thead { tr {
                    th scope="col" { (l.t("petition.tracking")) } th scope="col" { (l.t("petition.subject")) }
                    th scope="col" { (l.t("petition.status")) } th scope="col" { (l.t("petition.received_on")) }
                    th scope="col" { (l.t("petition.updated_on")) }
                } }
                tbody { @for p in &listed.items {
                    tr {
                        td { a href={ "/ombudsperson/petitions/" (p.id) } { code { (p.tracking_number) } } }
                        td { code { (p.subject) } }
                        td { span.badge { (status_label(l, p.status)) } }
                        td.nowrap { (format_ms(p.created_at)) }
                        td.nowrap { (format_ms(p.updated_at)) }
                    }
                } }
            }
        }
        (pager(l, &q, "/ombudsperson", window, listed.total))
    };
    Ok(respond(&q, page(&ctx, l.t("ombudsperson.title"), body)))
}

fn petition_view(ctx: &Ctx, p: &Petition) -> Html<String> {
    let l = ctx.lang;
    page(
        ctx,
        l.t("ombudsperson.petition"),
        html! {
            h1 { (l.t("ombudsperson.petition")) " " code { (p.tracking_number) } }
            dl.facts {
                dt { (l.t("petition.subject")) } dd { code { (p.subject) } }
                dt { (l.t("petition.name")) } dd { (p.petitioner_name) @if p.representative { " (" (l.t("ombudsperson.representative")) ")" } }
                dt { (l.t("petition.contact")) } dd { (p.petitioner_contact) }
                dt { (l.t("petition.status")) } dd { span.badge { (status_label(l, p.status)) } }
                @if let Some(pid) = p.proposal_id { dt { (l.t("proposals.proposal")) } dd { a href={ "/proposals/" (pid) } { (pid) } } }
            }
            h2 { (l.t("petition.grounds")) }
            div.notice { p style="white-space: pre-wrap" { (p.grounds) } }
            h2 { (l.t("ombudsperson.notes")) }
            @if !p.ombudsperson_notes.is_empty() { div.notice { p style="white-space: pre-wrap" { (p.ombudsperson_notes) } } }
            @if p.recommendation.is_none() {
                form.stacked method="post" action={ "/ombudsperson/petitions/" (p.id) "/notes" } {
                    (csrf_field(ctx))
                    div.field { label for="notes" { (l.t("ombudsperson.add_notes")) } textarea id="notes" name="notes" rows="4" {} }
                    button.secondary type="submit" { (l.t("ombudsperson.save_notes")) }
                }
                h2 { (l.t("ombudsperson.recommend")) }
                form.stacked method="post" action={ "/ombudsperson/petitions/" (p.id) "/recommend" } {
                    (csrf_field(ctx))
                    div.field { label for="report" { (l.t("ombudsperson.report")) " *" } textarea id="report" name="report" rows="6" required {} }
                    div.field { label for="summary" { (l.t("ombudsperson.summary")) } textarea id="summary" name="summary" rows="3" {} }
                    div.actions {
                        button type="submit" name="recommendation" value="delist" { (l.t("ombudsperson.delist")) }
                        button.secondary type="submit" name="recommendation" value="retain" { (l.t("ombudsperson.retain")) }
                    }
                }
            }
            p { a href="/ombudsperson" { (l.t("ombudsperson.back")) } }
        },
    )
}

pub async fn petition_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    ctx.require(&state, &Action::ReviewPetitions).await?;
    let p = state.store.petition(&ctx.actor(), id).await?;
    Ok(petition_view(&ctx, &p))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NotesForm {
    notes: String,
}

pub async fn add_notes(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    PostedForm(form): PostedForm<NotesForm>,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::ReviewPetitions).await?;
    state
        .store
        .review_petition(&ctx.actor(), id, &form.notes)
        .await?;
    Ok(Redirect::to(&format!("/ombudsperson/petitions/{id}")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RecommendForm {
    recommendation: String,
    report: String,
    summary: String,
}

pub async fn recommend(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    PostedForm(form): PostedForm<RecommendForm>,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::ReviewPetitions).await?;
    let recommendation = match form.recommendation.as_str() {
        "delist" => PetitionRecommendation::Delist,
        "retain" => PetitionRecommendation::Retain,
        _ => return Err(Invalid::field("recommendation", "must be delist or retain").into()),
    };
    let (_, proposal) = state
        .store
        .recommend_on_petition(
            &ctx.actor(),
            id,
            recommendation,
            &form.report,
            &form.summary,
            None,
            time::OffsetDateTime::now_utc(),
        )
        .await?;
    Ok(match proposal {
        Some(p) => Redirect::to(&format!("/proposals/{}", p.id)),
        None => Redirect::to(&format!("/ombudsperson/petitions/{id}")),
    }
    .into_response())
}
