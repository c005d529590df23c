use accord_core::MemberKind;
use accord_core::seed;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use maud::html;

use crate::context::Ctx;
use crate::error::WebError;
use crate::render::page as render_page;
use crate::state::AppState;

pub async fn page(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, WebError> {
    let l = ctx.lang;
    let members = state.store.members().await?;
    let now = time::OffsetDateTime::now_utc();
    let waiting = super::waiting::waiting_for(&state, &ctx, now).await?;
    let count = |k: MemberKind| members.iter().filter(|m| m.kind == k).count().to_string();
    Ok(render_page(
        &ctx,
        l.t("home.title"),
        html! {
            h1 { (l.t("home.title")) }
            (super::waiting::section(&ctx, &waiting, now))
            p { (l.t("home.intro")) }
            ul {
                li { (l.tf("home.regional", &[("n", &count(MemberKind::RegionalState))])) }
                li { (l.tf("home.partner_states", &[("n", &count(MemberKind::PartnerState))])) }
                li { (l.tf("home.organizations", &[("n", &count(MemberKind::PartnerOrganization)), ("stated", &seed::STATED_PARTNER_ORGANIZATIONS.to_string())])) }
            }
            p { a.button href="/members" { (l.t("home.browse")) } }
            @if ctx.user.is_none() {
                p.muted { (l.t("home.sign_in_hint")) }
            }
        },
    ))
}

/// Liveness and readiness: the process answers and the database responds.
pub async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    if state.store.ping().await {
        (StatusCode::OK, Json(serde_json::json!({ "status": "ok" })))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "status": "database unavailable" })),
        )
    }
}
