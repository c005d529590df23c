//! Administration: accounts (the secretariat for all, member administrators
//! for their own member) and the audit log (the secretariat).

use accord_core::audit::AuditRecord;
use accord_core::user::{NewUser, User};
use accord_core::validation::neutralize_formula;
use accord_core::{Action, Invalid, Role, Username, authorize};
use accord_store::credentials::random_password;
use accord_store::{AuditQuery, Window};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use serde::{Deserialize, Serialize};

use crate::context::Ctx;
use crate::error::WebError;
use crate::forms::{ApiJson, PostedForm};
use crate::i18n::Lang;
use crate::paging::{self, Filter, ListQuery, Listed, SortOption, filter_form, pager};
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

/// The orders the accounts list offers: the first is the default.
fn user_sorts(l: Lang) -> [SortOption<bool>; 2] {
    [
        SortOption::new(l, "username", "work_lists.sort_username", false),
        SortOption::new(l, "-username", "work_lists.sort_username_desc", true),
    ]
}

/// The value of the member filter for accounts of no member.
const NO_MEMBER: &str = "none";

/// The accounts the viewer may see that the query asks for, in its order:
/// filtered after the visibility, so neither rows nor the count tell of
/// accounts the viewer may not see.
fn filter_users(
    q: &mut ListQuery,
    users: Vec<User>,
    members: &[(String, String)],
    roles: &[Role],
) -> Vec<User> {
    let member_values: Vec<(&str, &str)> = members
        .iter()
        .map(|(v, _)| (v.as_str(), v.as_str()))
        .collect();
    let role_values: Vec<(&str, Role)> = roles.iter().map(|r| (r.as_str(), *r)).collect();
    let member = q.choice("member", &member_values);
    let role = q.choice("role", &role_values);
    let disabled = q.choice("status", &[("active", false), ("disabled", true)]);
    let descending = q.sort(&user_sorts(Lang::En));
    let mut users: Vec<User> = users
        .into_iter()
        .filter(|u| match member {
            None => true,
            Some(NO_MEMBER) => u.member.is_none(),
            Some(code) => u.member.as_ref().is_some_and(|m| m.as_str() == code),
        })
        .filter(|u| role.is_none_or(|r| u.role == r))
        .filter(|u| disabled.is_none_or(|d| u.disabled == d))
        .collect();
    if descending {
        users.reverse();
    }
    users
}

async fn users_view(
    state: &AppState,
    ctx: &Ctx,
    q: &mut ListQuery,
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
    // The secretariat filters by member; a member's administrator sees one.
    let members: Vec<(String, String)> = if secretariat {
        let mut m: Vec<(String, String)> = state
            .store
            .members()
            .await?
            .into_iter()
            .map(|m| (m.code.to_string(), m.code.to_string()))
            .collect();
        m.push((NO_MEMBER.into(), l.t("work_lists.no_member").to_string()));
        m
    } else {
        Vec::new()
    };
    let window = q.window();
    let (shown, total) = paging::slice(filter_users(q, users, &members, roles), window);
    let mut filters = Vec::new();
    if secretariat {
        filters.push(Filter::select(
            "member",
            l.t("profile.member"),
            members.clone(),
        ));
    }
    filters.push(Filter::select(
        "role",
        l.t("profile.role"),
        roles
            .iter()
            .map(|r| (r.as_str().to_string(), role_label(l, *r).to_string()))
            .collect(),
    ));
    filters.push(Filter::select(
        "status",
        l.t("users.status"),
        vec![
            ("active".into(), l.t("users.active").into()),
            ("disabled".into(), l.t("users.disabled").into()),
        ],
    ));
    filters.push(Filter::sort(l, &user_sorts(l)));
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
            (filter_form(l, q, "/admin/users", &filters))
            @if shown.is_empty() { p.muted { (l.t("work_lists.none")) } } @else {
            table.work-list {
                thead { tr {
                    th scope="col" { (l.t("profile.username")) } th scope="col" { (l.t("profile.display_name")) }
                    th scope="col" { (l.t("profile.member")) } th scope="col" { (l.t("profile.role")) }
                    th scope="col" { (l.t("users.status")) }
                } }
                tbody { @for u in &shown {
                    tr {
                        td { (u.username) } td { (u.display_name) }
                        td { (u.member.as_ref().map(|m| m.to_string()).unwrap_or_else(|| "—".into())) }
                        td { (role_label(l, u.role)) }
                        td {
                            @let manage = authorize(&ctx.principal, &Action::ManageUsers { member: u.member.clone(), role: u.role }).is_ok();
                            @if u.disabled { span.badge.bad { (l.t("users.disabled")) } } @else { span.badge.good { (l.t("users.active")) } }
                            @if manage && ctx.principal.user_id() != Some(u.id) {
                                form method="post" action={ "/admin/users/" (u.username) (if u.disabled { "/enable" } else { "/disable" }) }
                                    data-confirm=[(!u.disabled).then(|| l.tf("users.confirm_disable", &[("username", u.username.as_str())]))] {
                                    (csrf_field(ctx))
                                    button.secondary type="submit" { (if u.disabled { l.t("users.enable") } else { l.t("users.disable") }) }
                                }
                            }
                        }
                    }
                } }
            }
            }
            (pager(l, q, "/admin/users", window, total))
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

pub async fn users_page(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let mut q = ListQuery::parse(raw.as_deref(), ctx.lang);
    let html = users_view(&state, &ctx, &mut q, &UserForm::default(), None, None).await?;
    Ok(paging::respond(&q, html))
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
            &mut ListQuery::parse(None, ctx.lang),
            &UserForm::default(),
            None,
            Some((&user, &password)),
        )
        .await?
        .into_response()),
        Err(WebError::Invalid(invalid)) => {
            let mut q = ListQuery::parse(None, ctx.lang);
            let mut r = users_view(&state, &ctx, &mut q, &form, Some(&invalid), None)
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

/// An audit action as people read it: its label where the catalogue has one.
fn action_label(l: Lang, action: &str) -> Option<&'static str> {
    l.find(&format!("work_lists.audit_action.{action}"))
}

/// The log's filter and page from the query: the action one the log holds,
/// the actor by user name, a range of days (UTC), and `before` (a sequence
/// number) for the API's paging back in time.
async fn audit_query(
    state: &AppState,
    q: &mut ListQuery,
) -> Result<(AuditQuery, Vec<String>), WebError> {
    let actions = state.store.audit_actions().await?;
    let choices: Vec<(&str, &str)> = actions.iter().map(|a| (a.as_str(), a.as_str())).collect();
    let action = q.choice("action", &choices).map(str::to_string);
    let (from_ms, until_ms) = q.date_range("from", "to");
    let before = q.whole_number("before");
    let window = q.window();
    Ok((
        AuditQuery {
            before,
            action,
            actor: q.text("actor"),
            from_ms,
            until_ms,
            limit: window.limit,
            offset: window.offset,
        },
        actions,
    ))
}

/// How far this node last verified the chain (the whole of it once after
/// start), verified on from there.
async fn verify_since_last(state: &AppState) -> Result<i64, accord_store::StoreError> {
    let from = state
        .audit_verified
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let (n, position) = state.store.verify_audit_log_from(from).await?;
    *state
        .audit_verified
        .lock()
        .unwrap_or_else(|e| e.into_inner()) = Some(position);
    Ok(n)
}

pub async fn audit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::ViewAuditLog).await?;
    let l = ctx.lang;
    let mut q = ListQuery::parse(raw.as_deref(), l);
    let (query, actions) = audit_query(&state, &mut q).await?;
    let listed = state.store.audit_page(&query).await?;
    let verified = verify_since_last(&state).await;
    let window = Window::new(query.limit, query.offset);
    let filters = [
        Filter::select(
            "action",
            l.t("audit.action"),
            actions
                .iter()
                .map(|a| {
                    let text = match action_label(l, a) {
                        Some(label) => format!("{label} ({a})"),
                        None => a.clone(),
                    };
                    (a.clone(), text)
                })
                .collect(),
        ),
        Filter::text("actor", l.t("audit.actor")),
        Filter::date("from", l.t("work_lists.date_from")),
        Filter::date("to", l.t("work_lists.date_to")),
    ];
    let body = html! {
        h1 { (l.t("audit.title")) }
        @match &verified {
            Ok(n) => div.notice.ok role="status" { (l.tf("audit.intact", &[("n", &n.to_string())])) },
            Err(e) => div.notice.error role="alert" { (l.t("audit.broken")) " " (e.to_string()) },
        }
        (filter_form(l, &q, "/admin/audit", &filters))
        @if q.errors().is_none() {
            p { a href=(q.href("/admin/audit.csv", None)) download { (l.t("work_lists.csv")) } }
        }
        @if listed.total == 0 { p.muted { (l.t("work_lists.none")) } } @else if !listed.items.is_empty() {
        table.work-list.audit {
            thead { tr {
                th scope="col" { "#" } th scope="col" { (l.t("audit.when")) } th scope="col" { (l.t("audit.actor")) }
                th scope="col" { (l.t("audit.action")) } th scope="col" { (l.t("audit.target")) }
                th scope="col" { (l.t("audit.outcome")) } th scope="col" { (l.t("audit.from")) } th scope="col" { (l.t("audit.details")) }
            } }
            tbody { @for r in &listed.items {
                tr {
                    td { (r.seq) }
                    td { @let when = format_ms(r.at_ms); @let (day, time) = when.split_once(' ').unwrap_or((&when, "")); span.nowrap { (day) } " " span.nowrap { (time) } }
                    td { (r.actor) }
                    td {
                        @if let Some(label) = action_label(l, &r.action) { (label) br; }
                        code.action { (r.action) }
                    }
                    td.target { (r.target) }
                    td { @if r.outcome == "denied" { span.badge.bad { (l.t("audit.denied")) } } @else { span.badge { (l.t("audit.ok")) } } }
                    td { (r.ip) } td.details { code { (r.details) } }
                }
            } }
        }
        }
        (pager(l, &q, "/admin/audit", window, listed.total))
    };
    Ok(paging::respond(&q, page(&ctx, l.t("audit.title"), body)))
}

/// Records the CSV export reads at a time, newest first.
const CSV_CHUNK: i64 = 1000;

/// The filtered log as CSV, newest first: user names, times to the minute
/// in UTC. The page's link (`/admin/audit.csv`) starts with a byte-order
/// mark for spreadsheets; a bad filter is refused with the page's message.
pub async fn audit_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::ViewAuditLog).await?;
    let mut q = ListQuery::parse(raw.as_deref(), ctx.lang);
    let (mut query, _) = audit_query(&state, &mut q).await?;
    q.check()?;
    let filter = serde_json::json!({
        "action": query.action, "actor": query.actor,
        "from_ms": query.from_ms, "until_ms": query.until_ms,
    });
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut exported = 0usize;
    let io = |e: csv::Error| WebError::Internal(e.to_string());
    w.write_record([
        "seq", "time_utc", "user", "action", "target", "outcome", "ip", "details",
    ])
    .map_err(io)?;
    // Paged by sequence number, so that the log is never read at once.
    query.limit = CSV_CHUNK;
    query.offset = 0;
    loop {
        let rows = state.store.audit_records(&query).await?;
        for r in &rows {
            let when = format_ms(r.at_ms);
            let when = when.trim_end_matches(" UTC");
            let cells = [
                r.seq.to_string(),
                when.to_string(),
                r.actor.clone(),
                r.action.clone(),
                r.target.clone(),
                r.outcome.clone(),
                r.ip.clone(),
                r.details.clone(),
            ];
            w.write_record(cells.iter().map(|c| neutralize_formula(c).into_owned()))
                .map_err(io)?;
            exported += 1;
        }
        match rows.last() {
            Some(last) if rows.len() as i64 == CSV_CHUNK => query.before = Some(last.seq),
            _ => break,
        }
    }
    let bytes = w
        .into_inner()
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|e| WebError::Internal(e.to_string()))?;
    // The log leaving the platform is itself recorded: who took which part.
    state
        .store
        .audit(
            &ctx.actor(),
            "audit.exported",
            "audit_log",
            accord_core::audit::Outcome::Ok,
            serde_json::json!({ "filter": filter, "rows": exported }),
        )
        .await?;
    Ok(crate::files::csv_download(&ctx.path, "audit.csv", text))
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

/// The log filtered and paged as the page is, with how many records match.
pub async fn api_audit(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> Result<Json<Listed<AuditRecord>>, WebError> {
    ctx.require(&state, &Action::ViewAuditLog).await?;
    let mut q = ListQuery::parse(raw.as_deref(), ctx.lang);
    let (query, _) = audit_query(&state, &mut q).await?;
    q.check()?;
    let listed = state.store.audit_page(&query).await?;
    Ok(Json(Listed::new(
        Window::new(query.limit, query.offset),
        listed.total,
        listed.items,
    )))
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
