//! Delisting petitions: a public form (no account needed) and a status page
//! reached by the tracking number. The status page shows no personal data.

use accord_core::{Action, Invalid};
use accord_store::common_list::{
    Filed, MAX_GROUNDS_CHARS, NewPetition, PetitionStatus, PetitionTracking,
};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use crate::context::Ctx;
use crate::error::WebError;
use crate::forms::PostedForm;
use crate::i18n::Lang;
use crate::render::{Field, csrf_field, form_errors, format_ms, page};
use crate::state::AppState;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct PetitionForm {
    subject: String,
    petitioner_name: String,
    petitioner_contact: String,
    representative: String,
    grounds: String,
}

pub(super) fn status_label(l: Lang, s: PetitionStatus) -> &'static str {
    match s {
        PetitionStatus::Received => l.t("petition.received"),
        PetitionStatus::UnderReview => l.t("petition.under_review"),
        PetitionStatus::InformationRequested => l.t("petition.information_requested"),
        PetitionStatus::Recommended => l.t("petition.recommended"),
        PetitionStatus::Decided => l.t("petition.decided"),
    }
}

fn form_page(ctx: &Ctx, form: &PetitionForm, errors: Option<&Invalid>) -> Html<String> {
    let l = ctx.lang;
    page(
        ctx,
        l.t("petition.title"),
        html! {
            h1 { (l.t("petition.title")) }
            p { (l.t("petition.intro")) }
            (form_errors(l, errors))
            form.stacked method="post" action="/petition" novalidate {
                (csrf_field(ctx))
                (Field::text("subject", l.t("petition.subject"), &form.subject).required().hint(l.t("petition.subject_hint")).render_in(l, errors))
                (Field::text("petitioner_name", l.t("petition.name"), &form.petitioner_name).required().render_in(l, errors))
                (Field::text("petitioner_contact", l.t("petition.contact"), &form.petitioner_contact).required().hint(l.t("petition.contact_hint")).render_in(l, errors))
                div.field {
                    label { input type="checkbox" name="representative" value="yes" checked[form.representative == "yes"]; " " (l.t("petition.representative")) }
                }
                (Field::textarea("grounds", l.t("petition.grounds"), &form.grounds).required().hint(&l.tf("petition.grounds_hint", &[("max", &MAX_GROUNDS_CHARS.to_string())])).render_in(l, errors))
                button type="submit" { (l.t("petition.submit")) }
            }
            h2 { (l.t("petition.follow")) }
            form method="get" action="/petition/status" class="actions" {
                label for="tracking" { (l.t("petition.tracking")) }
                input type="text" id="tracking" name="tracking";
                button type="submit" { (l.t("petition.look_up")) }
            }
        },
    )
}

pub async fn form(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, WebError> {
    ctx.require(&state, &Action::Petition).await?;
    Ok(form_page(&ctx, &PetitionForm::default(), None))
}

pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    PostedForm(form): PostedForm<PetitionForm>,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::Petition).await?;
    let new = NewPetition {
        subject: form.subject.trim().to_uppercase(),
        petitioner_name: form.petitioner_name.clone(),
        petitioner_contact: form.petitioner_contact.clone(),
        representative: form.representative == "yes",
        grounds: form.grounds.clone(),
    };
    let refused = |status: StatusCode, invalid: Invalid| {
        let mut r = form_page(&ctx, &form, Some(&invalid)).into_response();
        *r.status_mut() = status;
        Ok(r)
    };
    match state
        .store
        .create_petition(&ctx.actor(), &state.config.petition_budget, &new)
        .await
    {
        Ok(Filed::New(t)) => {
            Ok(Redirect::to(&format!("/petition/status/{}", t.tracking_number)).into_response())
        }
        // Sent again (a reload, the back button): the first petition stands.
        Ok(Filed::Existing(t)) => Ok(Redirect::to(&format!(
            "/petition/status/{}?again=1",
            t.tracking_number
        ))
        .into_response()),
        Err(accord_store::StoreError::Invalid(invalid)) => {
            refused(StatusCode::UNPROCESSABLE_ENTITY, invalid)
        }
        // The day's petitions from this client are used up: said on the
        // form, with what was typed kept.
        Err(accord_store::StoreError::TooManyAttempts { wait_ms }) => {
            let hours = (wait_ms + 3_599_999) / 3_600_000;
            let message = ctx
                .lang
                .tf("petition.budget_spent", &[("hours", &hours.to_string())]);
            let mut r = refused(
                StatusCode::TOO_MANY_REQUESTS,
                Invalid::field("grounds", message),
            )?;
            if let Ok(v) = axum::http::HeaderValue::from_str(&(wait_ms / 1000).max(1).to_string()) {
                r.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
            }
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Lookup {
    tracking: String,
}

pub async fn lookup(axum::extract::Query(q): axum::extract::Query<Lookup>) -> Redirect {
    Redirect::to(&format!(
        "/petition/status/{}",
        crate::render::url_encode(q.tracking.trim())
    ))
}

pub(super) fn outcome_label(l: Lang, outcome: &str) -> &'static str {
    match outcome {
        "delisted" => l.t("petition.outcome_delisted"),
        _ => l.t("petition.outcome_maintained"),
    }
}

/// The public status page; with the ombudsperson's open question, a form
/// to answer it (`reply` is what was typed, kept with `errors`).
fn status_view(
    ctx: &Ctx,
    t: &PetitionTracking,
    again: bool,
    reply: &str,
    errors: Option<&Invalid>,
) -> Html<String> {
    let l = ctx.lang;
    page(
        ctx,
        l.t("petition.status_title"),
        html! {
            h1 { (l.t("petition.status_title")) }
            @if again { p.notice { (l.t("petition.sent_again")) } }
            (form_errors(l, errors))
            dl.facts {
                dt { (l.t("petition.tracking")) } dd { code { (t.tracking_number) } }
                dt { (l.t("petition.subject")) } dd { code { (t.subject) } }
                dt { (l.t("petition.status")) } dd { span.badge { (status_label(l, t.status)) } }
                @if let Some(o) = &t.outcome { dt { (l.t("petition.outcome")) } dd { (outcome_label(l, o)) } }
                dt { (l.t("petition.received_on")) } dd { (format_ms(t.created_at)) }
                dt { (l.t("petition.updated_on")) } dd { (format_ms(t.updated_at)) }
            }
            @if let Some(question) = &t.information_request {
                h2 { (l.t("petition.asked")) }
                div.notice.warn { p.prose { (question) } }
                form.stacked method="post" action={ "/petition/status/" (t.tracking_number) "/reply" } novalidate {
                    (csrf_field(ctx))
                    (Field::textarea("reply", l.t("petition.reply"), reply).required()
                        .hint(&l.tf("petition.grounds_hint", &[("max", &MAX_GROUNDS_CHARS.to_string())])).render_in(l, errors))
                    button type="submit" { (l.t("petition.send_reply")) }
                }
            }
            p.muted { (l.t("petition.keep_number")) }
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StatusQuery {
    again: Option<String>,
}

pub async fn status(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(tracking): Path<String>,
    axum::extract::Query(q): axum::extract::Query<StatusQuery>,
) -> Result<Html<String>, WebError> {
    ctx.require(&state, &Action::Petition).await?;
    let t = state.store.petition_status(&tracking).await?;
    Ok(status_view(&ctx, &t, q.again.is_some(), "", None))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReplyForm {
    reply: String,
}

/// The petitioner answers the ombudsperson's question from the status page.
pub async fn reply(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(tracking): Path<String>,
    PostedForm(form): PostedForm<ReplyForm>,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::Petition).await?;
    let (status, invalid) = match state
        .store
        .reply_to_petition(&ctx.actor(), &tracking, &form.reply)
        .await
    {
        Ok(t) => {
            return Ok(
                Redirect::to(&format!("/petition/status/{}", t.tracking_number)).into_response(),
            );
        }
        Err(accord_store::StoreError::Invalid(invalid)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, invalid)
        }
        Err(accord_store::StoreError::Conflict(m)) => {
            (StatusCode::CONFLICT, Invalid::field("reply", m))
        }
        Err(e) => return Err(e.into()),
    };
    let t = state.store.petition_status(&tracking).await?;
    let mut r = status_view(&ctx, &t, false, &form.reply, Some(&invalid)).into_response();
    *r.status_mut() = status;
    Ok(r)
}

#[derive(Deserialize)]
pub struct PetitionBody {
    subject: String,
    petitioner_name: String,
    petitioner_contact: String,
    #[serde(default)]
    representative: bool,
    grounds: String,
}

/// The public petition, as JSON: no account needed. `201` for a new
/// petition, `200` with the first one's tracking when the same petition
/// was already filed and is still open.
pub async fn api_create(
    State(state): State<AppState>,
    ctx: Ctx,
    crate::forms::ApiJson(body): crate::forms::ApiJson<PetitionBody>,
) -> Result<(StatusCode, axum::Json<PetitionTracking>), WebError> {
    ctx.require(&state, &Action::Petition).await?;
    let new = NewPetition {
        subject: body.subject.trim().to_uppercase(),
        petitioner_name: body.petitioner_name,
        petitioner_contact: body.petitioner_contact,
        representative: body.representative,
        grounds: body.grounds,
    };
    let filed = state
        .store
        .create_petition(&ctx.actor(), &state.config.petition_budget, &new)
        .await?;
    Ok(match filed {
        Filed::New(t) => (StatusCode::CREATED, axum::Json(t)),
        Filed::Existing(t) => (StatusCode::OK, axum::Json(t)),
    })
}

pub async fn api_status(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(tracking): Path<String>,
) -> Result<axum::Json<PetitionTracking>, WebError> {
    ctx.require(&state, &Action::Petition).await?;
    Ok(axum::Json(state.store.petition_status(&tracking).await?))
}

#[derive(Deserialize)]
pub struct ReplyBody {
    reply: String,
}

/// The petitioner's answer, as JSON (the tracking number is the credential).
pub async fn api_reply(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(tracking): Path<String>,
    crate::forms::ApiJson(body): crate::forms::ApiJson<ReplyBody>,
) -> Result<axum::Json<PetitionTracking>, WebError> {
    ctx.require(&state, &Action::Petition).await?;
    Ok(axum::Json(
        state
            .store
            .reply_to_petition(&ctx.actor(), &tracking, &body.reply)
            .await?,
    ))
}
