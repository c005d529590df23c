//! The signed-in user's own page: API tokens and password.

use accord_core::Action;
use accord_core::token::{Scope, TokenInput};
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

/// The token form as it was posted, with why it was refused.
struct Refused<'a> {
    input: &'a TokenInput,
    invalid: &'a accord_core::Invalid,
}

async fn profile_page(
    state: &AppState,
    ctx: &Ctx,
    created: Option<&NewToken>,
    refused: Option<Refused<'_>>,
) -> Result<Html<String>, WebError> {
    ctx.require(state, &Action::ManageOwnTokens).await?;
    let l = ctx.lang;
    let user = ctx.user()?;
    let tokens = state.store.tokens(user.id).await?;
    let now = accord_store::now_ms();
    let input = refused
        .as_ref()
        .map(|r| r.input.clone())
        .unwrap_or_else(|| TokenInput {
            // A new token's boxes start with the read-only API ticked.
            scopes: vec!["read".into()],
            ..Default::default()
        });
    let invalid = refused.as_ref().map(|r| r.invalid);
    let days = match &input.days {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => state.config.token_days.to_string(),
    };
    let scope_error = invalid.and_then(|i| i.errors.iter().find(|e| e.field == "scopes"));
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
            p { a href="/profile/password" { (l.t("profile.change_password")) } " · " a href="/profile/mail" { (l.t("mail.profile_line")) } }
            h2 { (l.t("tokens.title")) }
            p.muted { (l.t("tokens.hint")) }
            @if let Some(new) = created {
                div.notice.ok role="status" id="new-token" {
                    p { strong { (l.tf("tokens.created_named", &[("name", &new.token.name)])) } }
                    p { code.secret id="new-token-secret" { (new.secret) } }
                    // Shown by copy.js where the browser can copy; the secret
                    // stays selectable without it.
                    p { button.secondary type="button" hidden data-copy="new-token-secret"
                        data-copied=(l.t("tokens.copied")) { (l.t("tokens.copy")) } }
                    p.muted { (l.t("tokens.created")) }
                }
                script src="/static/copy.js" {}
            }
            @if tokens.is_empty() {
                p.muted { (l.t("tokens.none")) }
            } @else {
                div.table-scroll { table {
                    thead { tr {
                        th scope="col" { (l.t("tokens.name")) } th scope="col" { (l.t("tokens.prefix")) }
                        th scope="col" { (l.t("tokens.scopes")) }
                        th scope="col" { (l.t("tokens.created_at")) } th scope="col" { (l.t("tokens.last_used")) }
                        th scope="col" { (l.t("tokens.expires")) }
                        th scope="col" { (l.t("tokens.status")) }
                    } }
                    tbody { @for t in &tokens {
                        tr {
                            td { (t.name) } td { code { (t.prefix) "…" } }
                            td { (t.scopes) }
                            td { (format_ms(t.created_at)) }
                            td { (t.last_used_at.map(format_ms).unwrap_or_else(|| "—".into())) }
                            td { (t.expires_at.map(format_ms).unwrap_or_else(|| "—".into())) }
                            td {
                                @if t.revoked_at.is_some() { span.badge.bad { (l.t("tokens.revoked")) } }
                                @else if t.is_expired(now) { span.badge.bad { (l.t("tokens.expired")) } }
                                @else {
                                    form method="post" action={ "/profile/tokens/" (t.id) "/revoke" } data-confirm=(l.tf("tokens.confirm_revoke", &[("name", &t.name)])) {
                                        (csrf_field(ctx))
                                        button.secondary type="submit" { (l.t("tokens.revoke")) }
                                    }
                                }
                            }
                        }
                    } }
                } }
            }
            (form_errors(l, invalid))
            form.stacked method="post" action="/profile/tokens" {
                (csrf_field(ctx))
                (Field::text("name", l.t("tokens.name"), &input.name).required().hint(l.t("tokens.name_hint")).render_in(l, invalid))
                fieldset id="scopes" aria-describedby="scopes-hint" {
                    legend { (l.t("tokens.scopes")) " *" }
                    div.hint id="scopes-hint" { (l.t("tokens.scopes_hint")) }
                    @if let Some(e) = scope_error { div.error-text { (l.message(&e.message)) } }
                    @for scope in Scope::ALL {
                        label { input type="checkbox" name="scopes" value=(scope.as_str()) checked[input.scopes.iter().any(|s| s == scope.as_str())]; " " code { (scope.as_str()) } " — " (l.t(scope_label(scope))) } br;
                    }
                }
                (Field::text("days", l.t("tokens.days"), &days).kind("number").required().hint(l.t("tokens.days_hint")).render_in(l, invalid))
                button type="submit" { (l.t("tokens.create")) }
            }
        },
    ))
}

fn scope_label(scope: Scope) -> &'static str {
    match scope {
        Scope::Screen => "tokens.scope_screen",
        Scope::Read => "tokens.scope_read",
        Scope::Write => "tokens.scope_write",
        Scope::Taxii => "tokens.scope_taxii",
        Scope::Hashes => "tokens.scope_hashes",
        Scope::Metrics => "tokens.scope_metrics",
    }
}

/// Carries a new token's secret across the redirect after it is made, to
/// the one view of this page that shows it (post/redirect/get: reloading
/// makes no second token). HttpOnly, this page's path only, SameSite=Strict,
/// a session cookie (never written to the browser's disk); the view that
/// shows it clears it first, signing out and in clears it too, and it is
/// shown only if it is a token this user made in the last five minutes.
/// Whoever could replay the cookie holds the secret already: nothing more
/// is shown to them.
const NEW_TOKEN_COOKIE: &str = "accord_new_token";
const NEW_TOKEN_SHOWN_MS: i64 = 5 * 60 * 1000;

/// The cookie carrying `value`, or (with `None`) the header that clears it.
pub(crate) fn new_token_cookie(value: Option<&str>, secure: bool) -> header::HeaderValue {
    let mut c = match value {
        Some(v) => format!("{NEW_TOKEN_COOKIE}={v}; Path=/profile; HttpOnly; SameSite=Strict"),
        None => format!("{NEW_TOKEN_COOKIE}=; Path=/profile; HttpOnly; SameSite=Strict; Max-Age=0"),
    };
    if secure {
        c.push_str("; Secure");
    }
    header::HeaderValue::from_str(&c).expect("token secrets are URL-safe")
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: header::HeaderMap,
) -> Result<Response, WebError> {
    let Some(secret) = crate::context::cookie(&headers, NEW_TOKEN_COOKIE) else {
        return Ok(profile_page(&state, &ctx, None, None)
            .await?
            .into_response());
    };
    // Cleared on this answer whatever it is, an error page included.
    let clear = new_token_cookie(None, state.config.secure_cookies);
    let shown = async {
        let created = state
            .store
            .fresh_own_token(ctx.user()?.id, secret, NEW_TOKEN_SHOWN_MS)
            .await?
            .map(|token| NewToken {
                token,
                secret: secret.to_string(),
            });
        profile_page(&state, &ctx, created.as_ref(), None).await
    };
    let mut response = match shown.await {
        Ok(page) => page.into_response(),
        Err(e) => e.into_response(),
    };
    response.headers_mut().append(header::SET_COOKIE, clear);
    Ok(response)
}

pub async fn create_token_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    PostedForm(pairs): PostedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::ManageOwnTokens).await?;
    let user = ctx.user()?;
    let fields = crate::forms::FormFields(&pairs);
    let input = TokenInput {
        name: fields.first("name"),
        scopes: fields
            .all("scopes")
            .into_iter()
            .map(str::to_string)
            .collect(),
        days: Some(serde_json::Value::String(fields.first("days"))),
    };
    let request = match input.validate(state.config.token_days) {
        Ok(r) => r,
        Err(invalid) => {
            let refused = Refused {
                input: &input,
                invalid: &invalid,
            };
            let mut r = profile_page(&state, &ctx, None, Some(refused))
                .await?
                .into_response();
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(r);
        }
    };
    let created = state
        .store
        .create_token(&ctx.actor(), user.id, &request)
        .await?;
    // The secret is shown on the next view of the page and never again.
    let mut response = Redirect::to("/profile#new-token").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        new_token_cookie(Some(&created.secret), state.config.secure_cookies),
    );
    Ok(response)
}

pub async fn revoke_token_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    PostedForm(_): PostedForm<crate::forms::NoFields>,
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
    /// The new password typed again: a typo in a hidden field would lock
    /// the user out of the account they just secured.
    confirm_password: String,
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
                (Field::text("confirm_password", l.t("password.confirm"), "").kind("password").required().render_in(l, errors))
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
    if form.confirm_password != form.new_password {
        let invalid = accord_core::Invalid::field(
            "confirm_password",
            "does not match the new password: type it again",
        );
        let mut r = password_form(&ctx, Some(&invalid)).into_response();
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(r);
    }
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

pub async fn api_create_token(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<TokenInput>,
) -> Result<(StatusCode, Json<NewToken>), WebError> {
    ctx.require(&state, &Action::ManageOwnTokens).await?;
    let request = body.validate(state.config.token_days)?;
    let created = state
        .store
        .create_token(&ctx.actor(), ctx.user()?.id, &request)
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
