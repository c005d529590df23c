//! Signing in and out.

use accord_core::Invalid;
use accord_store::SignInFailure;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use crate::context::{Auth, Ctx, SESSION_COOKIE, set_cookie};
use crate::error::WebError;
use crate::forms::PostedForm;
use crate::render::{Field, csrf_field, page};
use crate::state::AppState;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NextQuery {
    next: String,
}

/// Only same-site paths are followed after sign-in, never another host;
/// anything else is ignored (the home page), never an error.
fn safe_next(next: &str) -> &str {
    crate::render::same_origin_path(next).unwrap_or("/")
}

fn login_form(ctx: &Ctx, username: &str, next: &str, error: Option<&str>) -> Html<String> {
    let l = ctx.lang;
    page(
        ctx,
        l.t("login.title"),
        html! {
            h1 { (l.t("login.title")) }
            @if let Some(e) = error { div.notice.error role="alert" { (e) } }
            form.stacked method="post" action="/login" {
                (csrf_field(ctx))
                input type="hidden" name="next" value=(next);
                (Field::text("username", l.t("login.username"), username).required().autofocus().render(None))
                (Field::text("password", l.t("login.password"), "").kind("password").required().render(None))
                button type="submit" { (l.t("login.submit")) }
            }
        },
    )
}

pub async fn login_page(ctx: Ctx, Query(q): Query<NextQuery>) -> Response {
    if ctx.user.is_some() {
        return Redirect::to(safe_next(&q.next)).into_response();
    }
    login_form(&ctx, "", safe_next(&q.next), None).into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    username: String,
    password: String,
    next: String,
}

pub async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    PostedForm(form): PostedForm<LoginForm>,
) -> Result<Response, WebError> {
    let l = ctx.lang;
    let username = form.username.trim().to_lowercase();
    if username.is_empty() || form.password.is_empty() {
        return Err(Invalid::field(
            if username.is_empty() {
                "username"
            } else {
                "password"
            },
            "is required",
        )
        .into());
    }
    if form.password.chars().count() > accord_core::user::MAX_PASSWORD_CHARS {
        return Err(Invalid::field("password", "is too long").into());
    }
    let actor = ctx.actor();
    // Throttled per (account, client) before the password is verified: a
    // refusal here has run no argon2 and is answered 429 with Retry-After.
    let user = match state
        .store
        .sign_in(
            &actor,
            &state.config.login_throttle,
            &username,
            &form.password,
        )
        .await?
    {
        Ok(user) => user,
        Err(failure) => {
            let message = match failure {
                SignInFailure::BadCredentials => l.t("login.bad_credentials"),
                SignInFailure::Disabled => l.t("login.disabled"),
            };
            let mut response =
                login_form(&ctx, &username, safe_next(&form.next), Some(message)).into_response();
            *response.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
            return Ok(response);
        }
    };
    let user_actor = accord_store::Actor {
        id: Some(user.id),
        label: user.username.to_string(),
        ip: ctx.ip.clone(),
    };
    let (token, _csrf) = state.store.create_session(&user_actor, user.id).await?;
    let target = if user.must_change_password {
        "/profile/password"
    } else {
        safe_next(&form.next)
    };
    let mut response = Redirect::to(target).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &token, None, state.config.secure_cookies),
    );
    response.headers_mut().append(
        header::SET_COOKIE,
        super::profile::new_token_cookie(None, state.config.secure_cookies),
    );
    Ok(response)
}

pub async fn logout(
    State(state): State<AppState>,
    ctx: Ctx,
    PostedForm(_): PostedForm<crate::forms::NoFields>,
) -> Result<Response, WebError> {
    if let Auth::Session { token } = &ctx.auth {
        state.store.end_session(&ctx.actor(), token).await?;
    }
    let mut response = Redirect::to("/").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", Some(0), state.config.secure_cookies),
    );
    // A new token's secret not yet shown goes with the session.
    response.headers_mut().append(
        header::SET_COOKIE,
        super::profile::new_token_cookie(None, state.config.secure_cookies),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn sign_in_never_redirects_off_site() {
        assert_eq!(safe_next("/members/KAZ"), "/members/KAZ");
        assert_eq!(safe_next("//evil.example/"), "/");
        assert_eq!(safe_next("https://evil.example/"), "/");
        assert_eq!(safe_next("/\\evil.example"), "/");
        assert_eq!(safe_next("/\t/evil.example/"), "/");
        assert_eq!(safe_next("/%09/evil.example/"), "/");
        assert_eq!(safe_next("/\nx"), "/");
    }
}
