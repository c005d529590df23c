//! Administration: accounts (the secretariat for all, member administrators
//! for their own member) and the audit log (the secretariat).

use accord_core::audit::AuditRecord;
use accord_core::user::{NewUser, User};
use accord_core::{Action, Invalid, Role, Username, authorize};
use accord_store::AuditQuery;
use accord_store::credentials::random_password;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use serde::{Deserialize, Serialize};

use crate::context::Ctx;
use crate::error::WebError;
use crate::forms::{ApiJson, PostedForm};
use crate::i18n::Lang;
use crate::render::{Field, csrf_field, form_errors, format_ms, page};
use crate::state::AppState;

pub fn role_label(l: Lang, role: Role) -> &'static str {
    match role {
        Role::Reader => l.t("role.reader"),
        Role::Contributor => l.t("role.contributor"),
        Role::MemberAdmin => l.t("role.member_admin"),
        Role::SecretariatAdmin => l.t("role.secretariat_admin"),
        Role::Ombudsperson => l.t("role.ombudsperson"),
    }
}

/// The secretariat sees every account; a member administrator those of their member.
async fn visible_users(state: &AppState, ctx: &Ctx) -> Result<Vec<User>, WebError> {
    ctx.require(state, &Action::ViewUsers).await?;
    let scope = if ctx.principal.is_secretariat() {
        None
    } else {
        ctx.principal.member()
    };
    Ok(state.store.users(scope).await?)
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct UserForm {
    username: String,
    display_name: String,
    member: String,
    role: String,
}

async fn users_view(
    state: &AppState,
    ctx: &Ctx,
    form: &UserForm,
    errors: Option<&Invalid>,
    created: Option<(&User, &str)>,
) -> Result<Html<String>, WebError> {
    let l = ctx.lang;
    let users = visible_users(state, ctx).await?;
    let secretariat = ctx.principal.is_secretariat();
    let roles: &[Role] = if secretariat {
        &Role::ALL
    } else {
        &[Role::Reader, Role::Contributor, Role::MemberAdmin]
    };
    let default_member = ctx
        .principal
        .member()
        .map(|m| m.to_string())
        .unwrap_or_default();
    Ok(page(
        ctx,
        l.t("users.title"),
        html! {
            h1 { (l.t("users.title")) }
            @if let Some((user, password)) = created {
                div.notice.ok role="status" {
                    p { (l.tf("users.created", &[("username", user.username.as_str())])) }
                    code.secret { (password) }
                }
            }
            table {
                thead { tr {
                    th scope="col" { (l.t("profile.username")) } th scope="col" { (l.t("profile.display_name")) }
                    th scope="col" { (l.t("profile.member")) } th scope="col" { (l.t("profile.role")) }
                    th scope="col" { (l.t("users.status")) }
                } }
                tbody { @for u in &users {
                    tr {
                        td { (u.username) } td { (u.display_name) }
                        td { (u.member.as_ref().map(|m| m.to_string()).unwrap_or_else(|| "—".into())) }
                        td { (role_label(l, u.role)) }
                        td {
                            @let manage = authorize(&ctx.principal, &Action::ManageUsers { member: u.member.clone(), role: u.role }).is_ok();
                            @if u.disabled { span.badge.bad { (l.t("users.disabled")) } } @else { span.badge.good { (l.t("users.active")) } }
                            @if manage && ctx.principal.user_id() != Some(u.id) {
                                form method="post" action={ "/admin/users/" (u.username) (if u.disabled { "/enable" } else { "/disable" }) } {
                                    (csrf_field(ctx))
                                    button.secondary type="submit" { (if u.disabled { l.t("users.enable") } else { l.t("users.disable") }) }
                                }
                            }
                        }
                    }
                } }
            }
            h2 { (l.t("users.add")) }
            (form_errors(l, errors))
            form.stacked method="post" action="/admin/users" novalidate {
                (csrf_field(ctx))
                (Field::text("username", l.t("profile.username"), &form.username).required().render_in(l, errors))
                (Field::text("display_name", l.t("profile.display_name"), &form.display_name).required().render_in(l, errors))
                @if secretariat {
                    (Field::text("member", l.t("profile.member"), &form.member).hint(l.t("users.member_hint")).render_in(l, errors))
                } @else {
                    input type="hidden" name="member" value=(default_member);
                }
                div.field {
                    label for="role" { (l.t("profile.role")) " *" }
                    select id="role" name="role" {
                        @for r in roles { option value=(r.as_str()) selected[form.role == r.as_str()] { (role_label(l, *r)) } }
                    }
                }
                p.muted { (l.t("users.password_hint")) }
                button type="submit" { (l.t("users.add")) }
            }
        },
    ))
}

pub async fn users_page(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, WebError> {
    users_view(&state, &ctx, &UserForm::default(), None, None).await
}

/// Creates an account with a one-time password that must be changed at first sign-in.
async fn create_user(
    state: &AppState,
    ctx: &Ctx,
    form: &UserForm,
) -> Result<(User, String), WebError> {
    let new = NewUser::parse(&form.username, &form.display_name, &form.member, &form.role)?;
    ctx.require(
        state,
        &Action::ManageUsers {
            member: new.member.clone(),
            role: new.role,
        },
    )
    .await?;
    let password = random_password();
    let user = state
        .store
        .create_user(&ctx.actor(), &new, &password, true)
        .await?;
    Ok((user, password))
}

pub async fn create_user_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    PostedForm(form): PostedForm<UserForm>,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::ViewUsers).await?;
    match create_user(&state, &ctx, &form).await {
        Ok((user, password)) => Ok(users_view(
            &state,
            &ctx,
            &UserForm::default(),
            None,
            Some((&user, &password)),
        )
        .await?
        .into_response()),
        Err(WebError::Invalid(invalid)) => {
            let mut r = users_view(&state, &ctx, &form, Some(&invalid), None)
                .await?
                .into_response();
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e),
    }
}

async fn set_disabled(
    state: &AppState,
    ctx: &Ctx,
    username: &str,
    disabled: bool,
) -> Result<User, WebError> {
    let username =
        Username::parse(username).map_err(|_| WebError::NotFound(format!("user {username}")))?;
    let target = state.store.user_by_username(&username).await?;
    ctx.require(
        state,
        &Action::ManageUsers {
            member: target.member.clone(),
            role: target.role,
        },
    )
    .await?;
    if ctx.principal.user_id() == Some(target.id) {
        return Err(WebError::Conflict(
            "you cannot disable your own account".into(),
        ));
    }
    Ok(state
        .store
        .set_user_disabled(&ctx.actor(), &username, disabled)
        .await?)
}

pub async fn disable_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(username): Path<String>,
    PostedForm(_): PostedForm<crate::forms::NoFields>,
) -> Result<Response, WebError> {
    set_disabled(&state, &ctx, &username, true).await?;
    Ok(Redirect::to("/admin/users").into_response())
}

pub async fn enable_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(username): Path<String>,
    PostedForm(_): PostedForm<crate::forms::NoFields>,
) -> Result<Response, WebError> {
    set_disabled(&state, &ctx, &username, false).await?;
    Ok(Redirect::to("/admin/users").into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AuditFilter {
    before: Option<i64>,
    action: Option<String>,
    actor: Option<String>,
    limit: Option<i64>,
}

impl AuditFilter {
    fn query(&self) -> AuditQuery {
        let non_empty = |s: &Option<String>| s.clone().filter(|v| !v.trim().is_empty());
        AuditQuery {
            before: self.before,
            action: non_empty(&self.action),
            actor: non_empty(&self.actor),
            limit: self.limit.unwrap_or(100),
        }
    }
}

pub async fn audit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(filter): Query<AuditFilter>,
) -> Result<Html<String>, WebError> {
    ctx.require(&state, &Action::ViewAuditLog).await?;
    let l = ctx.lang;
    let q = filter.query();
    let records = state.store.audit_records(&q).await?;
    // From where this node last verified (the whole chain once after start).
    let from = state
        .audit_verified
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let verified = match state.store.verify_audit_log_from(from).await {
        Ok((n, position)) => {
            *state
                .audit_verified
                .lock()
                .unwrap_or_else(|e| e.into_inner()) = Some(position);
            Ok(n)
        }
        Err(e) => Err(e),
    };
    let older = records
        .last()
        .map(|r| r.seq)
        .filter(|_| records.len() as i64 == q.limit.clamp(1, 1000));
    Ok(page(
        &ctx,
        l.t("audit.title"),
        html! {
            h1 { (l.t("audit.title")) }
            @match &verified {
                Ok(n) => div.notice.ok role="status" { (l.tf("audit.intact", &[("n", &n.to_string())])) },
                Err(e) => div.notice.error role="alert" { (l.t("audit.broken")) " " (e.to_string()) },
            }
            form method="get" action="/admin/audit" class="actions" {
                label for="action" { (l.t("audit.action")) }
                input type="search" id="action" name="action" value=(q.action.clone().unwrap_or_default());
                label for="actor" { (l.t("audit.actor")) }
                input type="search" id="actor" name="actor" value=(q.actor.clone().unwrap_or_default());
                button type="submit" { (l.t("audit.filter")) }
            }
            table {
                thead { tr {
                    th scope="col" { "#" } th scope="col" { (l.t("audit.when")) } th scope="col" { (l.t("audit.actor")) }
                    th scope="col" { (l.t("audit.action")) } th scope="col" { (l.t("audit.target")) }
                    th scope="col" { (l.t("audit.outcome")) } th scope="col" { (l.t("audit.from")) } th scope="col" { (l.t("audit.details")) }
                } }
                tbody { @for r in &records {
                    tr {
                        td { (r.seq) } td { (format_ms(r.at_ms)) } td { (r.actor) } td { code { (r.action) } } td { (r.target) }
                        td { @if r.outcome == "denied" { span.badge.bad { (l.t("audit.denied")) } } @else { span.badge { (l.t("audit.ok")) } } }
                        td { (r.ip) } td { code { (r.details) } }
                    }
                } }
            }
            @if let Some(seq) = older {
                p { a href={ "/admin/audit?before=" (seq) } { (l.t("audit.older")) } }
            }
        },
    ))
}

pub async fn api_users(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Json<Vec<User>>, WebError> {
    Ok(Json(visible_users(&state, &ctx).await?))
}

#[derive(Serialize)]
pub struct CreatedUser {
    user: User,
    /// Shown once; the user must change it at first sign-in.
    one_time_password: String,
}

#[derive(Deserialize)]
pub struct UserJson {
    username: String,
    display_name: String,
    #[serde(default)]
    member: String,
    role: String,
}

pub async fn api_create_user(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<UserJson>,
) -> Result<(StatusCode, Json<CreatedUser>), WebError> {
    ctx.require(&state, &Action::ViewUsers).await?;
    let form = UserForm {
        username: body.username,
        display_name: body.display_name,
        member: body.member,
        role: body.role,
    };
    let (user, one_time_password) = create_user(&state, &ctx, &form).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedUser {
            user,
            one_time_password,
        }),
    ))
}

pub async fn api_disable(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(username): Path<String>,
) -> Result<Json<User>, WebError> {
    Ok(Json(set_disabled(&state, &ctx, &username, true).await?))
}

pub async fn api_audit(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(filter): Query<AuditFilter>,
) -> Result<Json<Vec<AuditRecord>>, WebError> {
    ctx.require(&state, &Action::ViewAuditLog).await?;
    Ok(Json(state.store.audit_records(&filter.query()).await?))
}

pub async fn api_verify(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Json<serde_json::Value>, WebError> {
    ctx.require(&state, &Action::ViewAuditLog).await?;
    Ok(Json(match state.store.verify_audit_log().await {
        Ok(n) => serde_json::json!({ "intact": true, "records": n }),
        Err(accord_store::StoreError::AuditBroken(b)) => {
            serde_json::json!({ "intact": false, "problem": b.to_string() })
        }
        Err(e) => return Err(e.into()),
    }))
}
