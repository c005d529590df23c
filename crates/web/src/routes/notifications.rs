//! Notifications in the application: what the procedure told this user's
//! member (a proposal opened, a deadline nears, a hold, a decision, a newly
//! listed national), or the secretariat, and what the library told this
//! user alone (an item awaits their review; theirs was returned, published
//! or withdrawn: `super::library_notices`). Read or not is each user's own.
//!
//! The unread count counts the notices addressed to the reader: their
//! member's (or the secretariat's, the ombudsperson's) and their own. A
//! library notice is addressed only to the reviewers and the author of its
//! item, so a colleague's list and count never move for an item they may
//! not read; the item's title is shown only to a reader who may read it.

use accord_core::Action;
use accord_store::common_list::{Notification, Recipient};
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use serde::Serialize;

use super::library_notices;
use crate::context::Ctx;
use crate::error::WebError;
use crate::forms::PostedForm;
use crate::i18n::Lang;
use crate::render::{csrf_field, format_ms, page};
use crate::state::AppState;

fn recipient(ctx: &Ctx) -> Result<Recipient, WebError> {
    crate::context::notice_recipient(&ctx.principal).ok_or(WebError::Forbidden)
}

/// Member names by code, in the reader's language, for notices that name
/// the state that acted.
type MemberNames = std::collections::BTreeMap<String, String>;

async fn member_names(state: &AppState, l: Lang) -> Result<MemberNames, WebError> {
    Ok(state
        .store
        .members()
        .await?
        .into_iter()
        .map(|m| {
            let name = match l {
                Lang::Ru if !m.name_ru.is_empty() => m.name_ru,
                _ => m.name,
            };
            (m.code.as_str().to_string(), name)
        })
        .collect())
}

/// What a notice says. One that reports a state's own position names the
/// state (such a notice reaches only those who may see positions, see
/// `accord_procedure::notices_for`).
fn text(l: Lang, n: &Notification, names: &MemberNames) -> String {
    let by = n.params["what"]["by"].as_str();
    let named = match n.kind.as_str() {
        "concurred" => Some("notice.concurred_by"),
        "objected" => Some("notice.objected_by"),
        "hold_placed" => Some("notice.hold_placed_by"),
        "hold_extended" => Some("notice.hold_extended_by"),
        "hold_lifted" => Some("notice.hold_lifted_by"),
        "hold_lapsed" => Some("notice.hold_lapsed_by"),
        _ => None,
    };
    if let (Some(key), Some(code)) = (named, by) {
        let member = names.get(code).map_or(code, String::as_str);
        return l.tf(key, &[("member", member)]);
    }
    generic_text(l, n).to_string()
}

pub(crate) fn generic_text(l: Lang, n: &Notification) -> &'static str {
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
        "petition_reply" => l.t("notice.petition_reply"),
        "petitions_many" => l.t("notice.petitions_many"),
        "subject_listed_national" => l.t("notice.subject_listed_national"),
        "review_due" => l.t("notice.review_due"),
        "member_key_registered" => l.t("notice.member_key_registered"),
        "round_opened" => l.t("plan.notice_round_opened"),
        "round_reopened" => l.t("plan.notice_round_reopened"),
        "round_cancelled" => l.t("plan.notice_round_cancelled"),
        "round_deadline_near" => l.t("plan.notice_round_deadline_near"),
        "library_submitted" => l.t("notice.library_submitted"),
        "library_returned" => l.t("notice.library_returned"),
        "library_published" => l.t("notice.library_published"),
        "library_withdrawn" => l.t("notice.library_withdrawn"),
        _ => l.t("notice.other"),
    }
}

pub async fn page_handler(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Html<String>, WebError> {
    ctx.require(&state, &Action::ViewProposals).await?;
    let who = recipient(&ctx)?;
    let user = ctx.user()?.id;
    let mut list = Vec::new();
    for n in state.store.notifications(&who, user, false, 200).await? {
        list.push(library_notices::as_read(&state, &ctx, n).await?);
    }
    let unread = state.store.unread_notifications(&who, user).await?;
    let l = ctx.lang;
    let names = member_names(&state, l).await?;
    let rounds: std::collections::BTreeMap<String, String> = state
        .store
        .plan_rounds()
        .await?
        .into_iter()
        .map(|r| (r.round.id.as_str().to_string(), r.round.name.clone()))
        .collect();
    Ok(page(
        &ctx,
        l.t("notice.title"),
        html! {
            h1 { (l.t("notice.title")) }
            p.muted id="unread" { (l.tf("notice.unread", &[("n", &unread.to_string())])) }
            @if list.is_empty() { p.muted { (l.t("notice.none")) } } @else {
                form method="post" action="/notifications/read" {
                    (csrf_field(&ctx))
                    button.secondary type="submit" { (l.t("notice.mark_all")) }
                }
                table {
                    thead { tr { th scope="col" { (l.t("audit.when")) } th scope="col" { (l.t("notice.what")) } th scope="col" { (l.t("proposals.subject")) } } }
                    tbody { @for (n, item) in &list {
                        tr {
                            td { (format_ms(n.created_at)) @if n.read_at.is_none() { " " span.badge.warn { (l.t("notice.new")) } } }
                            td { @if let Some(p) = n.proposal_id { a href={ "/proposals/" (p) } { (text(l, n, &names)) } }
                                 @else if let Some(r) = &n.round { a href={ "/rounds/" (r) } { (text(l, n, &names)) } }
                                 @else if let Some(i) = item { a href=(i.url) { (text(l, n, &names)) } }
                                 @else { (text(l, n, &names)) }
                                 @if let Some(note) = n.params.get("note").and_then(|v| v.as_str()) { br; small { (l.t("notice.library_note")) ": " (note) } } }
                            td { @if let Some(s) = &n.subject { code { (s) } }
                                 @else if let Some(r) = &n.round { (rounds.get(r).map_or(r.as_str(), String::as_str)) }
                                 @else if let Some(i) = item { (i.title) }
                                 @else if n.library_item.is_some() { span.muted { (l.t("notice.library_item_hidden")) } } }
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

/// A notification as the API serves it: a library notice with its item
/// (id, address, title) only when the caller may read the item now.
#[derive(Serialize)]
pub struct NotificationJson {
    #[serde(flatten)]
    pub notification: Notification,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<library_notices::ShownItem>,
}

pub async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<axum::Json<Vec<NotificationJson>>, WebError> {
    ctx.require(&state, &Action::ViewProposals).await?;
    let mut out = Vec::new();
    for n in state
        .store
        .notifications(&recipient(&ctx)?, ctx.user()?.id, false, 200)
        .await?
    {
        let (notification, item) = library_notices::as_read(&state, &ctx, n).await?;
        out.push(NotificationJson { notification, item });
    }
    Ok(axum::Json(out))
}
