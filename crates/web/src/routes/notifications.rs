//! Notifications in the application: what the procedure told this user's
//! member (a proposal opened, a deadline nears, a hold, a decision, a newly
//! listed national), or the secretariat. Read or not is each user's own.

use accord_core::Action;
use accord_store::common_list::{Notification, Recipient};
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;

use crate::context::Ctx;
use crate::error::WebError;
use crate::forms::PostedForm;
use crate::i18n::Lang;
use crate::render::{csrf_field, format_ms, page};
use crate::state::AppState;

fn recipient(ctx: &Ctx) -> Result<Recipient, WebError> {
    if ctx.principal.is_secretariat() {
        return Ok(Recipient::Secretariat);
    }
    if ctx.principal.role() == Some(accord_core::Role::Ombudsperson) {
        return Ok(Recipient::Ombudsperson);
    }
    ctx.principal
        .member()
        .cloned()
        .map(Recipient::Member)
        .ok_or(WebError::Forbidden)
}

fn text(l: Lang, n: &Notification) -> &'static str {
    match n.kind.as_str() {
        "opened" => l.t("notice.opened"),
        "concurred" => l.t("notice.concurred"),
        "objected" => l.t("notice.objected"),
        "hold_placed" => l.t("notice.hold_placed"),
        "hold_extended" => l.t("notice.hold_extended"),
        "hold_lifted" => l.t("notice.hold_lifted"),
        "hold_lapsed" => l.t("notice.hold_lapsed"),
        "decider_left" => l.t("notice.decider_left"),
        "adopted" => l.t("notice.adopted"),
        "rejected" => l.t("notice.rejected"),
        "lapsed" => l.t("notice.lapsed"),
        "withdrawn" => l.t("notice.withdrawn"),
        "deadline_near" => l.t("notice.deadline_near"),
        "period_ended_on_hold" => l.t("notice.period_ended_on_hold"),
        "petition_received" => l.t("notice.petition_received"),
        "subject_listed_national" => l.t("notice.subject_listed_national"),
        "review_due" => l.t("notice.review_due"),
        "member_key_registered" => l.t("notice.member_key_registered"),
        "round_opened" => l.t("plan.notice_round_opened"),
        "round_reopened" => l.t("plan.notice_round_reopened"),
        "round_deadline_near" => l.t("plan.notice_round_deadline_near"),
        _ => l.t("notice.other"),
    }
}

pub async fn page_handler(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Html<String>, WebError> {
    ctx.require(&state, &Action::ViewProposals).await?;
    let who = recipient(&ctx)?;
    let list = state
        .store
        .notifications(&who, ctx.user()?.id, false, 200)
        .await?;
    let l = ctx.lang;
    Ok(page(
        &ctx,
        l.t("notice.title"),
        html! {
            h1 { (l.t("notice.title")) }
            @if list.is_empty() { p.muted { (l.t("notice.none")) } } @else {
                form method="post" action="/notifications/read" {
                    (csrf_field(&ctx))
                    button.secondary type="submit" { (l.t("notice.mark_all")) }
                }
                table {
                    thead { tr { th scope="col" { (l.t("audit.when")) } th scope="col" { (l.t("notice.what")) } th scope="col" { (l.t("proposals.subject")) } } }
                    tbody { @for n in &list {
                        tr {
                            td { (format_ms(n.created_at)) @if n.read_at.is_none() { " " span.badge.warn { (l.t("notice.new")) } } }
                            td { @if let Some(p) = n.proposal_id { a href={ "/proposals/" (p) } { (text(l, n)) } }
                                 @else if let Some(r) = &n.round { a href={ "/rounds/" (r) } { (text(l, n)) } }
                                 @else { (text(l, n)) } }
                            td { @if let Some(s) = &n.subject { code { (s) } } }
                        }
                    } }
                }
            }
        },
    ))
}

pub async fn mark_all_read(
    State(state): State<AppState>,
    ctx: Ctx,
    PostedForm(_): PostedForm<crate::forms::NoFields>,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::ViewProposals).await?;
    state
        .store
        .mark_all_notifications_read(&recipient(&ctx)?, ctx.user()?.id, accord_store::now_ms())
        .await?;
    Ok(Redirect::to("/notifications").into_response())
}

pub async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<axum::Json<Vec<Notification>>, WebError> {
    ctx.require(&state, &Action::ViewProposals).await?;
    Ok(axum::Json(
        state
            .store
            .notifications(&recipient(&ctx)?, ctx.user()?.id, false, 200)
            .await?,
    ))
}
