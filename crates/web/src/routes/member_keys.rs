//! The key each member signs its decisions on proposals with
//! (docs/proof.md): registered by the member's own administrators, public
//! (a key proves nothing unless anyone can check it), certified in the
//! transparency log. A new key replaces the current one from that instant.

use accord_core::{Action, Invalid, MemberCode};
use accord_proof::PublicKey;
use accord_store::StoreError;
use accord_store::common_list::MemberKeyRow;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

use super::members::parse_code;
use crate::context::Ctx;
use crate::error::WebError;
use crate::forms::{ApiJson, PostedForm};
use crate::render::{csrf_field, format_ms};
use crate::state::AppState;

/// A key to register, from the form or a JSON body: minisign's public key
/// file, or its base64 line.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct MemberKeyInput {
    pub public_key: String,
}

impl MemberKeyInput {
    fn parse(&self) -> Result<PublicKey, Invalid> {
        if self.public_key.trim().is_empty() {
            return Err(Invalid::field("public_key", "is required"));
        }
        PublicKey::from_text(&self.public_key).map_err(|e| {
            Invalid::field("public_key", format!("is not a minisign public key ({e})"))
        })
    }
}

/// A key as the API shows it.
#[derive(Serialize)]
pub struct MemberKeyJson {
    key_id: String,
    public_key: String,
    /// Unix seconds.
    valid_from: i64,
    valid_until: Option<i64>,
    current: bool,
}

impl From<&MemberKeyRow> for MemberKeyJson {
    fn from(k: &MemberKeyRow) -> MemberKeyJson {
        MemberKeyJson {
            key_id: k.key_id.clone(),
            public_key: k.public_key.clone(),
            valid_from: k.valid_from,
            valid_until: k.valid_until,
            current: k.valid_until.is_none(),
        }
    }
}

async fn register(
    state: &AppState,
    ctx: &Ctx,
    code: &MemberCode,
    input: &MemberKeyInput,
) -> Result<MemberKeyRow, WebError> {
    let key = input.parse()?;
    let row = state
        .store
        .register_member_key(&ctx.actor(), code, &key, time::OffsetDateTime::now_utc())
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => WebError::Invalid(Invalid::field(
                "public_key",
                "is already registered: a new key must be a new key",
            )),
            other => other.into(),
        })?;
    crate::transparency::seal_after_write(state, "a key registration").await;
    Ok(row)
}

/// The member page's section: the current key, earlier ones, and for the
/// member's administrators the form to register a new one.
pub async fn section(
    state: &AppState,
    ctx: &Ctx,
    code: &MemberCode,
    input: Option<(&MemberKeyInput, &Invalid)>,
) -> Result<Markup, WebError> {
    let l = ctx.lang;
    let keys = state.store.member_keys(Some(code)).await?;
    let may_register = accord_core::authorize(
        &ctx.principal,
        &Action::ManageMemberKey {
            member: code.clone(),
        },
    )
    .is_ok();
    let current = keys.iter().find(|k| k.valid_until.is_none());
    let error = input.and_then(|(_, i)| i.errors.iter().find(|e| e.field == "public_key"));
    let typed = input
        .map(|(i, _)| i.public_key.as_str())
        .unwrap_or_default();
    Ok(html! {
        h2 #signing-key { (l.t("keys.title")) }
        p.hint { (l.t("keys.explain")) }
        @match current {
            Some(k) => dl.facts {
                dt { (l.t("keys.key_id")) } dd { code { (k.key_id) } }
                dt { (l.t("keys.public_key")) } dd { code.wrap { (k.public_key) } }
                dt { (l.t("keys.since")) } dd { (format_ms(k.valid_from * 1000)) }
            },
            None => p.muted { (l.t("keys.none")) },
        }
        @if keys.iter().any(|k| k.valid_until.is_some()) {
            h3 { (l.t("keys.earlier")) }
            table { thead { tr { th { (l.t("keys.key_id")) } th { (l.t("keys.since")) } th { (l.t("keys.until")) } } }
                tbody { @for k in keys.iter().filter(|k| k.valid_until.is_some()) {
                    tr { td { code { (k.key_id) } } td { (format_ms(k.valid_from * 1000)) } td { (format_ms(k.valid_until.unwrap_or_default() * 1000)) } }
                } }
            }
        }
        @if may_register {
            form.stacked method="post" action={ "/members/" (code) "/keys" } {
                (csrf_field(ctx))
                div.field.error[error.is_some()] {
                    label for="public_key" { (l.t("keys.new")) }
                    div.hint { (l.t("keys.new_hint")) }
                    @if let Some(e) = error { p.error-text id="public_key-error" { (l.message(&e.message)) } }
                    textarea id="public_key" name="public_key" rows="3" spellcheck="false"
                        aria-describedby=[error.map(|_| "public_key-error")] { (typed) }
                }
                button type="submit" { (l.t("keys.register")) }
            }
        }
    })
}

pub async fn register_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    PostedForm(input): PostedForm<MemberKeyInput>,
) -> Result<Response, WebError> {
    let code = parse_code(&code)?;
    ctx.require(
        &state,
        &Action::ManageMemberKey {
            member: code.clone(),
        },
    )
    .await?;
    match register(&state, &ctx, &code, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/members/{code}#signing-key")).into_response()),
        Err(WebError::Invalid(invalid)) => {
            let mut r =
                super::members::render_member(&state, &ctx, &code, Some((&input, &invalid)))
                    .await?
                    .into_response();
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e),
    }
}

/// `GET /api/members/{code}/keys`: public, oldest first.
pub async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Json<Vec<MemberKeyJson>>, WebError> {
    ctx.require(&state, &Action::ViewMembers).await?;
    let code = parse_code(&code)?;
    state.store.member(&code).await?;
    let keys = state.store.member_keys(Some(&code)).await?;
    Ok(Json(keys.iter().map(MemberKeyJson::from).collect()))
}

/// `POST /api/members/{code}/keys` `{"public_key": …}` → 201.
pub async fn api_register(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<MemberKeyInput>,
) -> Result<(StatusCode, Json<MemberKeyJson>), WebError> {
    let code = parse_code(&code)?;
    ctx.require(
        &state,
        &Action::ManageMemberKey {
            member: code.clone(),
        },
    )
    .await?;
    let row = register(&state, &ctx, &code, &input).await?;
    Ok((StatusCode::CREATED, Json(MemberKeyJson::from(&row))))
}
