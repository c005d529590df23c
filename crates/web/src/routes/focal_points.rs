//! Focal points: personal data, visible to signed-in users of members only,
//! edited by the member's administrators. Reads are audited by the store.

use accord_core::focal_point::{FocalPoint, FocalPointForm, FocalPointInput, iso_date};
use accord_core::{Action, Invalid, MemberCode};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

use crate::context::Ctx;
use crate::error::WebError;
use crate::forms::{ApiJson, PostedForm};
use crate::render::{Field, csrf_field, form_errors, page};
use crate::routes::members::parse_code;
use crate::state::AppState;

/// The table of a member's focal points, with edit actions for those allowed.
pub fn table(ctx: &Ctx, list: &[FocalPoint], can_edit: bool) -> Markup {
    let l = ctx.lang;
    let today = accord_store::today();
    html! {
        @if list.is_empty() {
            p.muted { (l.t("focal.none")) }
        } @else {
            table {
                thead { tr {
                    th scope="col" { (l.t("focal.name")) }
                    th scope="col" { (l.t("focal.title_field")) }
                    th scope="col" { (l.t("focal.agency")) }
                    th scope="col" { (l.t("focal.languages")) }
                    th scope="col" { (l.t("focal.contact")) }
                    th scope="col" { (l.t("focal.last_verified")) }
                    @if can_edit { th scope="col" { span.skip { (l.t("form.actions")) } } }
                } }
                tbody {
                    @for fp in list {
                        tr {
                            td { (fp.details.name) }
                            td { (fp.details.title) }
                            td { (fp.details.agency) }
                            td { (fp.details.languages) }
                            td {
                                @if !fp.details.email.is_empty() { a href={ "mailto:" (fp.details.email) } { (fp.details.email) } br; }
                                (fp.details.phone)
                            }
                            td {
                                (iso_date::format(fp.details.last_verified))
                                @if fp.is_stale(today) { " " span.badge.warn title=(l.t("focal.stale_hint")) { (l.t("focal.stale")) } }
                            }
                            @if can_edit {
                                td { div.actions {
                                    a href={ "/focal-points/" (fp.id) "/edit" } { (l.t("form.edit")) }
                                    form method="post" action={ "/focal-points/" (fp.id) "/verify" } {
                                        (csrf_field(ctx))
                                        input type="hidden" name="version" value=(fp.version);
                                        button.secondary type="submit" { (l.t("focal.verify")) }
                                    }
                                } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// An edit that lost a race: the focal point as it now is, whose values the
/// form shows beside the ones typed.
struct Theirs<'a>(&'a FocalPoint);

fn form_page(
    ctx: &Ctx,
    action: &str,
    heading: &str,
    form: &FocalPointForm,
    version: Option<i64>,
    errors: Option<&Invalid>,
) -> Html<String> {
    form_page_with(ctx, action, heading, form, version, errors, None)
}

fn form_page_with(
    ctx: &Ctx,
    action: &str,
    heading: &str,
    form: &FocalPointForm,
    version: Option<i64>,
    errors: Option<&Invalid>,
    theirs: Option<Theirs<'_>>,
) -> Html<String> {
    let l = ctx.lang;
    // After a lost race the form keeps what was typed and names the version
    // it now stands on: saving again keeps this text, the link takes theirs.
    let version = theirs.as_ref().map(|t| t.0.version).or(version);
    let differing: Vec<(&str, String)> = theirs
        .as_ref()
        .map(|t| {
            let now = form_from(&t.0.details);
            [
                (l.t("focal.name"), &form.name, now.name),
                (l.t("focal.title_field"), &form.title, now.title),
                (l.t("focal.agency"), &form.agency, now.agency),
                (l.t("focal.languages"), &form.languages, now.languages),
                (l.t("focal.email"), &form.email, now.email),
                (l.t("focal.phone"), &form.phone, now.phone),
                (
                    l.t("focal.last_verified"),
                    &form.last_verified,
                    now.last_verified,
                ),
            ]
            .into_iter()
            .filter(|(_, mine, now)| mine.trim() != now.trim())
            .map(|(label, _, now)| (label, now))
            .collect()
        })
        .unwrap_or_default();
    page(
        ctx,
        heading,
        html! {
            h1 { (heading) }
            @if let Some(t) = &theirs {
                div.notice.warn role="alert" id="conflict" {
                    p { strong { (l.tf("focal.conflict", &[("version", &t.0.version.to_string())])) } }
                    @if differing.is_empty() {
                        p { (l.t("focal.conflict_same")) }
                    } @else {
                        p { (l.t("focal.conflict_theirs")) }
                        table { tbody { @for (label, now) in &differing {
                            tr { th scope="row" { (label) } td { (now) } }
                        } } }
                    }
                    p { (l.t("focal.conflict_keep")) " "
                        a href=(action) { (l.t("focal.conflict_take")) } }
                }
            }
            (form_errors(l, errors))
            form.stacked method="post" action=(action) novalidate {
                (csrf_field(ctx))
                @if let Some(v) = version { input type="hidden" name="version" value=(v); }
                (Field::text("name", l.t("focal.name"), &form.name).required().render_in(l, errors))
                (Field::text("title", l.t("focal.title_field"), &form.title).render_in(l, errors))
                (Field::text("agency", l.t("focal.agency"), &form.agency).render_in(l, errors))
                (Field::text("languages", l.t("focal.languages"), &form.languages).hint(l.t("focal.languages_hint")).render_in(l, errors))
                (Field::text("email", l.t("focal.email"), &form.email).kind("email").render_in(l, errors))
                (Field::text("phone", l.t("focal.phone"), &form.phone).kind("tel").render_in(l, errors))
                (Field::text("last_verified", l.t("focal.last_verified"), &form.last_verified).kind("date").hint(l.t("focal.last_verified_hint")).render_in(l, errors))
                div.actions { button type="submit" { (l.t("form.save")) } }
            }
            @if let Some(v) = version {
                form method="post" action=(action.replace("/edit", "/delete")) {
                    (csrf_field(ctx))
                    input type="hidden" name="version" value=(v);
                    button.danger type="submit" { (l.t("focal.delete")) }
                }
            }
        },
    )
}

fn form_from(input: &FocalPointInput) -> FocalPointForm {
    FocalPointForm {
        name: input.name.clone(),
        title: input.title.clone(),
        agency: input.agency.clone(),
        languages: input.languages.clone(),
        email: input.email.clone(),
        phone: input.phone.clone(),
        last_verified: iso_date::format(input.last_verified),
    }
}

fn rejected(page: Html<String>) -> Response {
    let mut r = page.into_response();
    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    r
}

pub async fn new_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Html<String>, WebError> {
    let code = parse_code(&code)?;
    ctx.require(
        &state,
        &Action::EditFocalPoints {
            member: code.clone(),
        },
    )
    .await?;
    let member = state.store.member(&code).await?;
    let heading = ctx.lang.tf(
        "focal.add_for",
        &[("member", member.name_in(ctx.lang.code()))],
    );
    let form = FocalPointForm {
        last_verified: iso_date::format(accord_store::today()),
        ..Default::default()
    };
    Ok(form_page(
        &ctx,
        &format!("/members/{code}/focal-points/new"),
        &heading,
        &form,
        None,
        None,
    ))
}

pub async fn create_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    PostedForm(form): PostedForm<FocalPointForm>,
) -> Result<Response, WebError> {
    let code = parse_code(&code)?;
    ctx.require(
        &state,
        &Action::EditFocalPoints {
            member: code.clone(),
        },
    )
    .await?;
    let member = state.store.member(&code).await?;
    match form.parse(accord_store::today()) {
        Ok(input) => {
            state
                .store
                .add_focal_point(&ctx.actor(), &code, &input)
                .await?;
            Ok(Redirect::to(&format!("/members/{code}")).into_response())
        }
        Err(invalid) => {
            let heading = ctx.lang.tf(
                "focal.add_for",
                &[("member", member.name_in(ctx.lang.code()))],
            );
            Ok(rejected(form_page(
                &ctx,
                &format!("/members/{code}/focal-points/new"),
                &heading,
                &form,
                None,
                Some(&invalid),
            )))
        }
    }
}

/// Finds the member first (not personal data) so access is checked before the read.
async fn require_edit(state: &AppState, ctx: &Ctx, id: i64) -> Result<MemberCode, WebError> {
    let member = state.store.focal_point_member(id).await?;
    ctx.require(
        state,
        &Action::EditFocalPoints {
            member: member.clone(),
        },
    )
    .await?;
    Ok(member)
}

pub async fn edit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    require_edit(&state, &ctx, id).await?;
    let fp = state.store.focal_point(&ctx.actor(), id).await?;
    let heading = ctx.lang.tf("focal.edit", &[("name", &fp.details.name)]);
    Ok(form_page(
        &ctx,
        &format!("/focal-points/{id}/edit"),
        &heading,
        &form_from(&fp.details),
        Some(fp.version),
        None,
    ))
}

#[derive(Deserialize)]
pub struct VersionedForm {
    #[serde(default)]
    version: String,
    #[serde(flatten)]
    form: FocalPointForm,
}

fn parse_version(raw: &str) -> Result<i64, WebError> {
    raw.trim().parse().map_err(|_| {
        Invalid::field(
            "version",
            "must be the version number the edit started from",
        )
        .into()
    })
}

pub async fn update_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    PostedForm(body): PostedForm<VersionedForm>,
) -> Result<Response, WebError> {
    let member = require_edit(&state, &ctx, id).await?;
    let version = parse_version(&body.version)?;
    match body.form.parse(accord_store::today()) {
        Ok(input) => {
            match state
                .store
                .update_focal_point(&ctx.actor(), id, version, &input)
                .await
            {
                Ok(_) => Ok(Redirect::to(&format!("/members/{member}")).into_response()),
                Err(accord_store::StoreError::Conflict(_)) => {
                    let now = state.store.focal_point(&ctx.actor(), id).await?;
                    let heading = ctx.lang.tf("focal.edit", &[("name", &now.details.name)]);
                    let mut r = form_page_with(
                        &ctx,
                        &format!("/focal-points/{id}/edit"),
                        &heading,
                        &body.form,
                        Some(version),
                        None,
                        Some(Theirs(&now)),
                    )
                    .into_response();
                    *r.status_mut() = StatusCode::CONFLICT;
                    Ok(r)
                }
                Err(e) => Err(e.into()),
            }
        }
        Err(invalid) => {
            let heading = ctx.lang.tf("focal.edit", &[("name", &body.form.name)]);
            Ok(rejected(form_page(
                &ctx,
                &format!("/focal-points/{id}/edit"),
                &heading,
                &body.form,
                Some(version),
                Some(&invalid),
            )))
        }
    }
}

#[derive(Deserialize)]
pub struct VersionOnly {
    #[serde(default)]
    version: String,
}

/// Confirms the entry is still correct: sets its verification date to today.
pub async fn verify_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    PostedForm(body): PostedForm<VersionOnly>,
) -> Result<Response, WebError> {
    let member = require_edit(&state, &ctx, id).await?;
    let version = parse_version(&body.version)?;
    let fp = state.store.focal_point(&ctx.actor(), id).await?;
    let input = FocalPointInput {
        last_verified: accord_store::today(),
        ..fp.details
    };
    state
        .store
        .update_focal_point(&ctx.actor(), id, version, &input)
        .await?;
    Ok(Redirect::to(&format!("/members/{member}")).into_response())
}

pub async fn delete_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    PostedForm(_): PostedForm<VersionOnly>,
) -> Result<Response, WebError> {
    let member = require_edit(&state, &ctx, id).await?;
    state.store.delete_focal_point(&ctx.actor(), id).await?;
    Ok(Redirect::to(&format!("/members/{member}")).into_response())
}

/// A focal point as the API shows it, with its staleness worked out.
#[derive(Serialize)]
pub struct FocalPointJson {
    #[serde(flatten)]
    focal_point: FocalPoint,
    stale: bool,
}

impl From<FocalPoint> for FocalPointJson {
    fn from(fp: FocalPoint) -> Self {
        let stale = fp.is_stale(accord_store::today());
        FocalPointJson {
            focal_point: fp,
            stale,
        }
    }
}

pub async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Json<Vec<FocalPointJson>>, WebError> {
    let code = parse_code(&code)?;
    ctx.require(
        &state,
        &Action::ViewFocalPoints {
            member: code.clone(),
        },
    )
    .await?;
    let list = state.store.focal_points(&ctx.actor(), &code).await?;
    Ok(Json(list.into_iter().map(FocalPointJson::from).collect()))
}

pub async fn api_get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Json<FocalPointJson>, WebError> {
    let member = state.store.focal_point_member(id).await?;
    ctx.require(&state, &Action::ViewFocalPoints { member })
        .await?;
    Ok(Json(
        state.store.focal_point(&ctx.actor(), id).await?.into(),
    ))
}

pub async fn api_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    ApiJson(form): ApiJson<FocalPointForm>,
) -> Result<(StatusCode, Json<FocalPointJson>), WebError> {
    let code = parse_code(&code)?;
    ctx.require(
        &state,
        &Action::EditFocalPoints {
            member: code.clone(),
        },
    )
    .await?;
    let input = form.parse(accord_store::today())?;
    let fp = state
        .store
        .add_focal_point(&ctx.actor(), &code, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(fp.into())))
}

#[derive(Deserialize)]
pub struct VersionedJson {
    version: i64,
    #[serde(flatten)]
    form: FocalPointForm,
}

pub async fn api_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<VersionedJson>,
) -> Result<Json<FocalPointJson>, WebError> {
    require_edit(&state, &ctx, id).await?;
    let input = body.form.parse(accord_store::today())?;
    Ok(Json(
        state
            .store
            .update_focal_point(&ctx.actor(), id, body.version, &input)
            .await?
            .into(),
    ))
}

pub async fn api_delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    require_edit(&state, &ctx, id).await?;
    state.store.delete_focal_point(&ctx.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
