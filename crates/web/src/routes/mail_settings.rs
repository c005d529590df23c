//! A user's own e-mail settings: where notices go, how often (each as it
//! arrives, a daily digest, or none) and in which language. The page
//! (`/profile/mail`) and the API (`/api/me/mail`) read one input type.

use accord_core::{Action, Invalid};
use accord_store::mail::{MailMode, MailSettings};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use serde::{Deserialize, Serialize};

use crate::context::Ctx;
use crate::error::WebError;
use crate::forms::{ApiJson, PostedForm};
use crate::i18n::Lang;
use crate::render::{Field, csrf_field, form_errors, page};
use crate::state::AppState;

/// The settings as a form or a JSON body sends them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MailInput {
    pub address: String,
    pub mode: String,
    pub lang: String,
}

/// Settings that were checked.
struct Checked {
    address: String,
    mode: MailMode,
    lang: Lang,
}

impl MailInput {
    fn of(s: &MailSettings) -> MailInput {
        MailInput {
            address: s.address.clone(),
            mode: s.mode.as_str().into(),
            lang: s.lang.clone(),
        }
    }

    /// An address is needed unless e-mail is off, and must be one an SMTP
    /// server takes (lettre's parser); the language is one of the site's.
    fn check(&self) -> Result<Checked, Invalid> {
        let mut c = accord_core::validation::Collector::default();
        let mode = c.check(self.mode.parse::<MailMode>());
        let address = self.address.trim().to_string();
        if address.is_empty() {
            if mode.is_some_and(|m| m != MailMode::Off) {
                c.push("address", "is required");
            }
        } else if address.chars().count() > 254 || address.parse::<lettre::Address>().is_err() {
            c.push("address", "is not an e-mail address");
        }
        let lang = Lang::from_code(self.lang.trim());
        if lang.is_none() {
            c.push("lang", "must be one of en, ru");
        }
        c.finish()?;
        match (mode, lang) {
            (Some(mode), Some(lang)) => Ok(Checked {
                address,
                mode,
                lang,
            }),
            _ => Err(Invalid::field("mode", "is required")),
        }
    }
}

fn mode_label(l: Lang, m: MailMode) -> &'static str {
    match m {
        MailMode::Off => l.t("mail.mode_off"),
        MailMode::Each => l.t("mail.mode_each"),
        MailMode::Daily => l.t("mail.mode_daily"),
    }
}

fn settings_page(
    state: &AppState,
    ctx: &Ctx,
    input: &MailInput,
    errors: Option<&Invalid>,
    saved: bool,
) -> Html<String> {
    let l = ctx.lang;
    let digest_hour = state.config.mail.as_ref().map_or(6, |m| m.digest_hour_utc);
    page(
        ctx,
        l.t("mail.title"),
        html! {
            h1 { (l.t("mail.title")) }
            @if saved { p.notice.ok role="status" { (l.t("mail.saved")) } }
            @if state.config.mail.is_none() { p.notice.warn { (l.t("mail.not_configured")) } }
            p { (l.t("mail.intro_page")) }
            (form_errors(l, errors))
            form.stacked method="post" action="/profile/mail" novalidate {
                (csrf_field(ctx))
                (Field::text("address", l.t("mail.address"), &input.address).kind("email").hint(l.t("mail.address_hint")).render_in(l, errors))
                fieldset {
                    legend { (l.t("mail.mode")) }
                    @for m in MailMode::ALL {
                        label {
                            input type="radio" name="mode" value=(m.as_str()) checked[input.mode == m.as_str()];
                            " " (mode_label(l, *m))
                            @if *m == MailMode::Daily { " " span.muted { (l.tf("mail.digest_at", &[("hour", &format!("{digest_hour:02}:00"))])) } }
                        }
                        br;
                    }
                }
                div.field {
                    label for="lang" { (l.t("mail.lang")) }
                    select id="lang" name="lang" {
                        @for other in Lang::ALL {
                            option value=(other.code()) selected[input.lang == other.code()] { (other.endonym()) }
                        }
                    }
                }
                button type="submit" { (l.t("mail.save")) }
            }
            p { a href="/profile" { (l.t("profile.title")) } }
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SavedQuery {
    saved: Option<String>,
}

pub async fn page_handler(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Query(q): axum::extract::Query<SavedQuery>,
) -> Result<Html<String>, WebError> {
    ctx.require(&state, &Action::ManageOwnTokens).await?;
    let mut input = MailInput::of(&state.store.mail_settings(ctx.user()?.id).await?);
    if input.address.is_empty() {
        // A first visit: the language the user reads the site in.
        input.lang = ctx.lang.code().into();
    }
    Ok(settings_page(&state, &ctx, &input, None, q.saved.is_some()))
}

async fn save(state: &AppState, ctx: &Ctx, input: &MailInput) -> Result<MailSettings, WebError> {
    let checked = input.check()?;
    Ok(state
        .store
        .set_mail_settings(
            &ctx.actor(),
            ctx.user()?.id,
            &checked.address,
            checked.mode,
            checked.lang.code(),
        )
        .await?)
}

pub async fn save_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    PostedForm(input): PostedForm<MailInput>,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::ManageOwnTokens).await?;
    match save(&state, &ctx, &input).await {
        Ok(_) => Ok(Redirect::to("/profile/mail?saved=1").into_response()),
        Err(WebError::Invalid(invalid)) => {
            let mut r = settings_page(&state, &ctx, &input, Some(&invalid), false).into_response();
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e),
    }
}

/// The settings as the API shows them, with whether this server sends mail.
#[derive(Serialize)]
pub struct MailJson {
    #[serde(flatten)]
    settings: MailSettings,
    server_sends_mail: bool,
}

pub async fn api_get(State(state): State<AppState>, ctx: Ctx) -> Result<Json<MailJson>, WebError> {
    ctx.require(&state, &Action::ManageOwnTokens).await?;
    Ok(Json(MailJson {
        settings: state.store.mail_settings(ctx.user()?.id).await?,
        server_sends_mail: state.config.mail.is_some(),
    }))
}

pub async fn api_put(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<MailInput>,
) -> Result<Json<MailJson>, WebError> {
    ctx.require(&state, &Action::ManageOwnTokens).await?;
    let settings = save(&state, &ctx, &input).await?;
    Ok(Json(MailJson {
        settings,
        server_sends_mail: state.config.mail.is_some(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(address: &str, mode: &str, lang: &str) -> MailInput {
        MailInput {
            address: address.into(),
            mode: mode.into(),
            lang: lang.into(),
        }
    }

    #[test]
    fn an_address_is_needed_unless_mail_is_off_and_must_be_one() {
        assert!(input("", "off", "en").check().is_ok());
        assert!(input(" a.b@example.org ", "daily", "ru").check().is_ok());
        let fields = |i: MailInput| -> Vec<String> {
            i.check()
                .err()
                .map(|e| e.errors.into_iter().map(|e| e.field).collect())
                .unwrap_or_default()
        };
        assert_eq!(fields(input("", "each", "en")), ["address"]);
        assert_eq!(fields(input("not an address", "off", "en")), ["address"]);
        assert_eq!(
            fields(input("a@example.org", "hourly", "kk")),
            ["mode", "lang"]
        );
    }
}
