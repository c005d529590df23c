//! The ombudsperson's queue: petitions for delisting, with the petitioner's
//! personal data (every read audited), notes of what was gathered, and the
//! recommendation — to delist (which opens a reverse-consensus proposal) or
//! to keep the listing.

use accord_core::{Action, Invalid};
use accord_store::StoreError;
use accord_store::common_list::{
    MAX_QUESTION_CHARS, Petition, PetitionOrder, PetitionQuery, PetitionRecommendation,
    PetitionStatus,
};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use crate::context::Ctx;
use crate::error::WebError;
use crate::forms::PostedForm;
use crate::i18n::Lang;
use crate::paging::{Filter, ListQuery, SortOption, filter_form, pager, respond};
use crate::render::{Field, csrf_field, form_errors, format_ms, page};
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
        @if listed.total == 0 {
            p.muted { (if q.raw("status").is_empty() { l.t("ombudsperson.none") } else { l.t("work_lists.none") }) }
        } @else if !listed.items.is_empty() {
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

/// What the ombudsperson typed into one of the petition page's forms, kept
/// with the refusal when it is refused.
#[derive(Default)]
struct Typed<'a> {
    notes: &'a str,
    question: &'a str,
    report: &'a str,
    summary: &'a str,
    errors: Option<&'a Invalid>,
}

fn petition_view(ctx: &Ctx, p: &Petition, typed: &Typed) -> Html<String> {
    let l = ctx.lang;
    let errors = typed.errors;
    page(
        ctx,
        &format!("{} {}", l.t("ombudsperson.petition"), p.tracking_number),
        html! {
            h1 { (l.t("ombudsperson.petition")) " " code { (p.tracking_number) } }
            (form_errors(l, errors))
            dl.facts {
                dt { (l.t("petition.subject")) } dd { code { (p.subject) } }
                dt { (l.t("ombudsperson.petitioner")) } dd { (p.petitioner_name) @if p.representative { " (" (l.t("ombudsperson.representative")) ")" } }
                dt { (l.t("ombudsperson.petitioner_contact")) } dd { (p.petitioner_contact) }
                dt { (l.t("petition.status")) } dd { span.badge { (status_label(l, p.status)) } }
                @if let Some(pid) = p.proposal_id { dt { (l.t("proposals.proposal")) } dd { a href={ "/proposals/" (pid) } { (pid) } } }
            }
            h2 { (l.t("petition.grounds")) }
            div.notice { p.prose { (p.grounds) } }
            @if let Some(q) = &p.information_request {
                h2 { (l.t("ombudsperson.asked")) }
                div.notice.warn { p.prose { (q) } p.muted { (l.t("ombudsperson.asked_hint")) } }
            }
            @if !p.petitioner_replies.is_empty() {
                h2 { (l.t("ombudsperson.replies")) }
                div.notice { p.prose { (p.petitioner_replies) } }
            }
            h2 { (l.t("ombudsperson.notes")) }
            @if !p.ombudsperson_notes.is_empty() { div.notice { p.prose { (p.ombudsperson_notes) } } }
            @if p.recommendation.is_none() {
                form.stacked method="post" action={ "/ombudsperson/petitions/" (p.id) "/notes" } {
                    (csrf_field(ctx))
                    (Field::textarea("notes", l.t("ombudsperson.add_notes"), typed.notes).render_in(l, errors))
                    button.secondary type="submit" { (l.t("ombudsperson.save_notes")) }
                }
                h2 { (l.t("ombudsperson.request")) }
                form.stacked method="post" action={ "/ombudsperson/petitions/" (p.id) "/request" } {
                    (csrf_field(ctx))
                    (Field::textarea("question", l.t("ombudsperson.question"), typed.question).required()
                        .hint(&l.tf("ombudsperson.question_hint", &[("max", &MAX_QUESTION_CHARS.to_string())])).render_in(l, errors))
                    button.secondary type="submit" { (l.t("ombudsperson.send_request")) }
                }
                h2 { (l.t("ombudsperson.recommend")) }
                form.stacked method="post" action={ "/ombudsperson/petitions/" (p.id) "/recommend" } {
                    (csrf_field(ctx))
                    (Field::textarea("report", l.t("ombudsperson.report"), typed.report).required().render_in(l, errors))
                    (Field::textarea("summary", l.t("ombudsperson.summary"), typed.summary).render_in(l, errors))
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
    Ok(petition_view(&ctx, &p, &Typed::default()))
}

/// A refusal of one of the petition page's forms, said on the page with
/// what was typed kept; `field` is the one a rule's refusal is shown on.
async fn refused(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    error: StoreError,
    field: &str,
    typed: Typed<'_>,
) -> Result<Response, WebError> {
    let (status, invalid) = match error {
        StoreError::Invalid(invalid) => (StatusCode::UNPROCESSABLE_ENTITY, invalid),
        StoreError::Conflict(m) | StoreError::Stale(m) => {
            (StatusCode::CONFLICT, Invalid::field(field, m))
        }
        // A rule of the procedure the recommendation would open (who may
        // propose, say): said on the form too, the report kept.
        StoreError::Forbidden(why) => (StatusCode::FORBIDDEN, Invalid::field(field, why)),
        other => return Err(other.into()),
    };
    let p = state.store.petition(&ctx.actor(), id).await?;
    let typed = Typed {
        errors: Some(&invalid),
        ..typed
    };
    let mut r = petition_view(ctx, &p, &typed).into_response();
    *r.status_mut() = status;
    Ok(r)
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
    match state
        .store
        .review_petition(&ctx.actor(), id, &form.notes)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/ombudsperson/petitions/{id}")).into_response()),
        Err(e) => {
            let typed = Typed {
                notes: &form.notes,
                ..Typed::default()
            };
            refused(&state, &ctx, id, e, "notes", typed).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RequestForm {
    question: String,
}

/// The ombudsperson asks the petitioner for more information (shown on the
/// petitioner's status page).
pub async fn request_information(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    PostedForm(form): PostedForm<RequestForm>,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::ReviewPetitions).await?;
    match state
        .store
        .request_petition_information(&ctx.actor(), id, &form.question)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/ombudsperson/petitions/{id}")).into_response()),
        Err(e) => {
            let typed = Typed {
                question: &form.question,
                ..Typed::default()
            };
            refused(&state, &ctx, id, e, "question", typed).await
        }
    }
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
    let typed = Typed {
        report: &form.report,
        summary: &form.summary,
        ..Typed::default()
    };
    let recommendation = match form.recommendation.as_str() {
        "delist" => PetitionRecommendation::Delist,
        "retain" => PetitionRecommendation::Retain,
        _ => {
            let invalid = Invalid::field("recommendation", "must be delist or retain");
            return refused(&state, &ctx, id, invalid.into(), "report", typed).await;
        }
    };
    let recommended = state
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
        .await;
    match recommended {
        Ok((_, Some(p))) => Ok(Redirect::to(&format!("/proposals/{}", p.id)).into_response()),
        Ok((_, None)) => Ok(Redirect::to(&format!("/ombudsperson/petitions/{id}")).into_response()),
        Err(e) => refused(&state, &ctx, id, e, "report", typed).await,
    }
}
