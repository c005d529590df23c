//! The signed-in user's own page: API tokens and password.

use accord_core::Action;
use accord_core::user::User;
use accord_store::{ApiToken, NewToken, PasswordChange, PasswordChanged};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use serde::{Deserialize, Serialize};

use crate::context::{Auth, Ctx, SESSION_COOKIE, set_cookie};
use crate::error::WebError;
use crate::forms::{ApiJson, PostedForm};
use crate::render::{Field, csrf_field, form_errors, format_ms, page as render_page};
use crate::state::AppState;

async fn profile_page(
    state: &AppState,
    ctx: &Ctx,
    created: Option<&NewToken>,
) -> Result<Html<String>, WebError> {
    ctx.require(state, &Action::ManageOwnTokens).await?;
    let l = ctx.lang;
    let user = ctx.user()?;
    let tokens = state.store.tokens(user.id).await?;
    Ok(render_page(
        ctx,
        l.t("profile.title"),
        html! {
            h1 { (l.t("profile.title")) }
            dl.facts {
                dt { (l.t("profile.username")) } dd { (user.username) }
                dt { (l.t("profile.display_name")) } dd { (user.display_name) }
                dt { (l.t("profile.member")) } dd { @if let Some(m) = &user.member { a href={ "/members/" (m) } { (m) } } @else { "—" } }
                dt { (l.t("profile.role")) } dd { (crate::routes::admin::role_label(l, user.role)) }
            }
            p { a href="/profile/password" { (l.t("profile.change_password")) } }
            h2 { (l.t("tokens.title")) }
            p.muted { (l.t("tokens.hint")) }
            @if let Some(new) = created {
                div.notice.ok role="status" {
                    p { strong { (l.t("tokens.created")) } }
                    code.secret { (new.secret) }
                }
            }
            @if tokens.is_empty() {
                p.muted { (l.t("tokens.none")) }
            } @else {
                table {
                    thead { tr {
                        th scope="col" { (l.t("tokens.name")) } th scope="col" { (l.t("tokens.prefix")) }
                        th scope="col" { (l.t("tokens.created_at")) } th scope="col" { (l.t("tokens.last_used")) }
                        th scope="col" { (l.t("tokens.status")) }
                    } }
                    tbody { @for t in &tokens {
                        tr {
                            td { (t.name) } td { code { (t.prefix) "…" } }
                            td { (format_ms(t.created_at)) }
                            td { (t.last_used_at.map(format_ms).unwrap_or_else(|| "—".into())) }
                            td {
                                @if t.revoked_at.is_some() { span.badge.bad { (l.t("tokens.revoked")) } }
                                @else {
                                    form method="post" action={ "/profile/tokens/" (t.id) "/revoke" } {
                                        (csrf_field(ctx))
                                        button.secondary type="submit" { (l.t("tokens.revoke")) }
                                    }
                                }
                            }
                        }
                    } }
                }
            }
            form.stacked method="post" action="/profile/tokens" {
                (csrf_field(ctx))
                (Field::text("name", l.t("tokens.name"), "").required().hint(l.t("tokens.name_hint")).render(None))
                button type="submit" { (l.t("tokens.create")) }
            }
        },
    ))
}

pub async fn page(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, WebError> {
    profile_page(&state, &ctx, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenForm {
    name: String,
}

pub async fn create_token_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    PostedForm(form): PostedForm<TokenForm>,
) -> Result<Html<String>, WebError> {
    ctx.require(&state, &Action::ManageOwnTokens).await?;
    let user = ctx.user()?;
    let created = state
        .store
        .create_token(&ctx.actor(), user.id, &form.name)
        .await?;
    // The secret is shown on this one response and never again.
    profile_page(&state, &ctx, Some(&created)).await
}

pub async fn revoke_token_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    PostedForm(_): PostedForm<TokenForm>,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::ManageOwnTokens).await?;
    state
        .store
        .revoke_token(&ctx.actor(), id, Some(ctx.user()?.id))
        .await?;
    Ok(Redirect::to("/profile").into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    /// "yes" when the box to revoke every API token is ticked.
    revoke_tokens: String,
}

fn password_form(ctx: &Ctx, errors: Option<&accord_core::Invalid>) -> Html<String> {
    let l = ctx.lang;
    let forced = ctx.user.as_ref().is_some_and(|u| u.must_change_password);
    render_page(
        ctx,
        l.t("password.title"),
        html! {
            h1 { (l.t("password.title")) }
            @if forced { div.notice.warn { (l.t("password.forced")) } }
            (form_errors(l, errors))
            form.stacked method="post" action="/profile/password" novalidate {
                (csrf_field(ctx))
                (Field::text("current_password", l.t("password.current"), "").kind("password").required().render_in(l, errors))
                (Field::text("new_password", l.t("password.new"), "").kind("password").required().hint(l.t("password.hint")).render_in(l, errors))
                label {
                    input type="checkbox" name="revoke_tokens" value="yes" aria-describedby="revoke_tokens-hint";
                    " " (l.t("password.revoke_tokens"))
                }
                p.hint id="revoke_tokens-hint" { (l.t("password.revoke_tokens_hint")) }
                button type="submit" { (l.t("form.save")) }
            }
        },
    )
}

pub async fn password_page(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Html<String>, WebError> {
    ctx.require(&state, &Action::ManageOwnTokens).await?;
    Ok(password_form(&ctx, None))
}

/// Changes the password of the signed-in user: other sessions end, the
/// current one is replaced (its new cookie set on `response`), tokens are
/// revoked if asked.
async fn change_own_password(
    state: &AppState,
    ctx: &Ctx,
    current: &str,
    new: &str,
    revoke_tokens: bool,
    response: &mut Response,
) -> Result<PasswordChanged, accord_store::StoreError> {
    let user = ctx.user().map_err(|_| {
        accord_store::StoreError::Forbidden("a signed-in user changes their own password".into())
    })?;
    let session = match &ctx.auth {
        Auth::Session { token } => Some(token.as_str()),
        _ => None,
    };
    let changed = state
        .store
        .change_password(
            &ctx.actor(),
            &state.config.login_throttle,
            user.id,
            PasswordChange {
                current,
                new,
                revoke_tokens,
                session,
            },
        )
        .await?;
    if let Some((token, _csrf)) = &changed.session {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(SESSION_COOKIE, token, None, state.config.secure_cookies),
        );
    }
    Ok(changed)
}

pub async fn change_password(
    State(state): State<AppState>,
    ctx: Ctx,
    PostedForm(form): PostedForm<PasswordForm>,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::ManageOwnTokens).await?;
    let mut response = Redirect::to("/profile").into_response();
    match change_own_password(
        &state,
        &ctx,
        &form.current_password,
        &form.new_password,
        form.revoke_tokens == "yes",
        &mut response,
    )
    .await
    {
        Ok(_) => Ok(response),
        Err(accord_store::StoreError::Invalid(invalid)) => {
            let mut r = password_form(&ctx, Some(&invalid)).into_response();
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct PasswordJson {
    current_password: String,
    new_password: String,
    #[serde(default)]
    revoke_tokens: bool,
}

/// What `POST /api/me/password` answers.
#[derive(Serialize)]
pub struct PasswordChangedJson {
    sessions_ended: u64,
    tokens_revoked: u64,
}

/// The API's password change: the one call an account with a one-time
/// password may make.
pub async fn api_change_password(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<PasswordJson>,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::ManageOwnTokens).await?;
    let mut response = StatusCode::OK.into_response();
    let changed = change_own_password(
        &state,
        &ctx,
        &body.current_password,
        &body.new_password,
        body.revoke_tokens,
        &mut response,
    )
    .await?;
    let body = Json(PasswordChangedJson {
        sessions_ended: changed.sessions_ended,
        tokens_revoked: changed.tokens_revoked,
    });
    let (parts, _) = response.into_parts();
    Ok((parts, body).into_response())
}

pub async fn api_me(State(state): State<AppState>, ctx: Ctx) -> Result<Json<User>, WebError> {
    ctx.require(&state, &Action::ManageOwnTokens).await?;
    Ok(Json(ctx.user()?.clone()))
}

pub async fn api_tokens(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Json<Vec<ApiToken>>, WebError> {
    ctx.require(&state, &Action::ManageOwnTokens).await?;
    Ok(Json(state.store.tokens(ctx.user()?.id).await?))
}

#[derive(Deserialize)]
pub struct TokenJson {
    name: String,
}

pub async fn api_create_token(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<TokenJson>,
) -> Result<(StatusCode, Json<NewToken>), WebError> {
    ctx.require(&state, &Action::ManageOwnTokens).await?;
    let created = state
        .store
        .create_token(&ctx.actor(), ctx.user()?.id, &body.name)
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub async fn api_revoke_token(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    ctx.require(&state, &Action::ManageOwnTokens).await?;
    state
        .store
        .revoke_token(&ctx.actor(), id, Some(ctx.user()?.id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
