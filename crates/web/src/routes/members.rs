//! The member directory: public, as the conference report is.

use accord_core::{Action, Invalid, Member, MemberCode, MemberKind, NewMember, seed};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use crate::context::Ctx;
use crate::error::WebError;
use crate::forms::{ApiJson, PostedForm};
use crate::i18n::Lang;
use crate::render::{Field, csrf_field, form_errors, page};
use crate::state::AppState;

pub fn kind_label(l: Lang, kind: MemberKind) -> &'static str {
    match kind {
        MemberKind::RegionalState => l.t("kind.regional_state"),
        MemberKind::PartnerState => l.t("kind.partner_state"),
        MemberKind::PartnerOrganization => l.t("kind.partner_organization"),
        MemberKind::CivilSociety => l.t("kind.civil_society"),
        MemberKind::PrivateSector => l.t("kind.private_sector"),
    }
}

/// One member's kind, in the singular ("Regional state"): the plural
/// [`kind_label`] names a group of members.
pub fn kind_one(l: Lang, kind: MemberKind) -> &'static str {
    match kind {
        MemberKind::RegionalState => l.t("kind.one_regional_state"),
        MemberKind::PartnerState => l.t("kind.one_partner_state"),
        MemberKind::PartnerOrganization => l.t("kind.one_partner_organization"),
        MemberKind::CivilSociety => l.t("kind.one_civil_society"),
        MemberKind::PrivateSector => l.t("kind.one_private_sector"),
    }
}

pub(crate) fn parse_code(raw: &str) -> Result<MemberCode, WebError> {
    MemberCode::parse(raw).map_err(|_| WebError::NotFound(format!("member {raw}")))
}

pub async fn list_page(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, WebError> {
    ctx.require(&state, &Action::ViewMembers).await?;
    let l = ctx.lang;
    let members = state.store.members().await?;
    let organizations = members
        .iter()
        .filter(|m| m.kind == MemberKind::PartnerOrganization && m.seeded)
        .count();
    let can_add = accord_core::authorize(&ctx.principal, &Action::AddMember).is_ok();
    Ok(page(
        &ctx,
        l.t("members.title"),
        html! {
            h1 { (l.t("members.title")) }
            p { (l.tf("members.count", &[("n", &members.len().to_string())])) }
            div.notice.warn {
                (l.tf("members.discrepancy", &[
                    ("stated", &seed::STATED_PARTNER_ORGANIZATIONS.to_string()),
                    ("listed", &organizations.to_string()),
                ]))
            }
            @if can_add {
                p { a.button href="/members/new" { (l.t("members.add")) } }
            }
            @for kind in MemberKind::ALL {
                @let of_kind: Vec<&Member> = members.iter().filter(|m| m.kind == kind).collect();
                @if !of_kind.is_empty() {
                    (member_table(l, kind, &of_kind))
                }
            }
        },
    ))
}

fn member_table(l: Lang, kind: MemberKind, members: &[&Member]) -> Markup {
    html! {
        table {
            caption { (kind_label(l, kind)) " (" (members.len()) ")" }
            thead { tr { th scope="col" { (l.t("members.code")) } th scope="col" { (l.t("members.name")) } th scope="col" { (l.t("members.kind")) } } }
            tbody {
                @for m in members {
                    tr {
                        td { code { (m.code) } }
                        td { a href={ "/members/" (m.code) } { (m.name_in(l.code())) } }
                        td { (kind_one(l, m.kind)) }
                    }
                }
            }
        }
    }
}

pub async fn member_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Html<String>, WebError> {
    ctx.require(&state, &Action::ViewMembers).await?;
    render_member(&state, &ctx, &parse_code(&code)?, None).await
}

/// The member's page, with what was typed into its key form when that was
/// refused.
pub(super) async fn render_member(
    state: &AppState,
    ctx: &Ctx,
    code: &MemberCode,
    key_input: Option<(&super::member_keys::MemberKeyInput, &Invalid)>,
) -> Result<Html<String>, WebError> {
    let l = ctx.lang;
    let code = code.clone();
    let keys = super::member_keys::section(state, ctx, &code, key_input).await?;
    let member = state.store.member(&code).await?;
    let view = Action::ViewFocalPoints {
        member: code.clone(),
    };
    let focal_points = if accord_core::authorize(&ctx.principal, &view).is_ok() {
        Some(state.store.focal_points(&ctx.actor(), &code).await?)
    } else {
        None
    };
    let can_edit = accord_core::authorize(
        &ctx.principal,
        &Action::EditFocalPoints {
            member: code.clone(),
        },
    )
    .is_ok();
    Ok(page(
        ctx,
        member.name_in(l.code()),
        html! {
            h1 { (member.name_in(l.code())) }
            dl.facts {
                dt { (l.t("members.code")) } dd { code { (member.code) } }
                dt { (l.t("members.kind")) } dd { (kind_one(l, member.kind)) }
                dt { (l.t("members.name_en")) } dd { (member.name) }
                @if !member.name_ru.is_empty() { dt { (l.t("members.name_ru")) } dd lang="ru" { (member.name_ru) } }
                dt { (l.t("members.source")) } dd { (if member.seeded { l.t("members.source_seed") } else { l.t("members.source_added") }) }
            }
            p { a href={ "/members/" (member.code) "/programmes" } { (l.t("programmes.of_member")) } }
            h2 { (l.t("focal.title")) }
            @match &focal_points {
                None => p.muted { (l.t("focal.sign_in_to_see")) },
                Some(list) => (crate::routes::focal_points::table(ctx, list, can_edit)),
            }
            @if can_edit {
                p { a.button href={ "/members/" (member.code) "/focal-points/new" } { (l.t("focal.add")) } }
            }
            @if member.kind == MemberKind::RegionalState { (keys) }
        },
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MemberForm {
    code: String,
    kind: String,
    name: String,
    name_ru: String,
}

fn member_form(ctx: &Ctx, form: &MemberForm, errors: Option<&Invalid>) -> Html<String> {
    let l = ctx.lang;
    page(
        ctx,
        l.t("members.add"),
        html! {
            h1 { (l.t("members.add")) }
            p.muted { (l.t("members.add_hint")) }
            (form_errors(l, errors))
            form.stacked method="post" action="/members/new" novalidate {
                (csrf_field(ctx))
                (Field::text("code", l.t("members.code"), &form.code).required().hint(l.t("members.code_hint")).render_in(l, errors))
                div.field {
                    label for="kind" { (l.t("members.kind")) " *" }
                    select id="kind" name="kind" {
                        @for k in [MemberKind::CivilSociety, MemberKind::PrivateSector] {
                            option value=(k.as_str()) selected[form.kind == k.as_str()] { (kind_one(l, k)) }
                        }
                    }
                }
                (Field::text("name", l.t("members.name_en"), &form.name).required().render_in(l, errors))
                (Field::text("name_ru", l.t("members.name_ru"), &form.name_ru).render_in(l, errors))
                button type="submit" { (l.t("form.save")) }
            }
        },
    )
}

pub async fn new_page(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, WebError> {
    ctx.require(&state, &Action::AddMember).await?;
    Ok(member_form(&ctx, &MemberForm::default(), None))
}

pub async fn create_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    PostedForm(form): PostedForm<MemberForm>,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::AddMember).await?;
    let result = match NewMember::parse(&form.code, &form.kind, &form.name, &form.name_ru) {
        Ok(new) => state
            .store
            .add_member(&ctx.actor(), &new)
            .await
            .map_err(WebError::from),
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(m) => Ok(Redirect::to(&format!("/members/{}", m.code)).into_response()),
        Err(WebError::Invalid(invalid)) => {
            let mut r = member_form(&ctx, &form, Some(&invalid)).into_response();
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e),
    }
}

pub async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Json<Vec<Member>>, WebError> {
    ctx.require(&state, &Action::ViewMembers).await?;
    Ok(Json(state.store.members().await?))
}

pub async fn api_get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Json<Member>, WebError> {
    ctx.require(&state, &Action::ViewMembers).await?;
    Ok(Json(state.store.member(&parse_code(&code)?).await?))
}

#[derive(Deserialize)]
pub struct NewMemberJson {
    code: String,
    kind: String,
    name: String,
    #[serde(default)]
    name_ru: String,
}

pub async fn api_create(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<NewMemberJson>,
) -> Result<(StatusCode, Json<Member>), WebError> {
    ctx.require(&state, &Action::AddMember).await?;
    let new = NewMember::parse(&body.code, &body.kind, &body.name, &body.name_ru)?;
    Ok((
        StatusCode::CREATED,
        Json(state.store.add_member(&ctx.actor(), &new).await?),
    ))
}
