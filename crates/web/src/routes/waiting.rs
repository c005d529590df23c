//! "Waiting for you": what the signed-in user's member and role have to do
//! next, on the start page and as `GET /api/waiting`.
//!
//! Each item is found by the rule its own feature already applies — the
//! procedure's available actions, the Joint Plan's drafting and four-eyes
//! rules, the library's review rule, the hash banks' write rule — so the
//! list never offers work the feature would then refuse, and never counts
//! what the viewer may not see.

use accord_core::{Action, authorize};
use accord_library::workflow::{self, Status};
use accord_plan::ReportingRound;
use accord_procedure::{ActionKind, Position};
use axum::Json;
use axum::extract::State;
use maud::{Markup, html};
use serde::Serialize;
use time::OffsetDateTime;

use crate::context::{Ctx, notice_recipient};
use crate::error::WebError;
use crate::i18n::Lang;
use crate::state::AppState;

/// Everything waiting for one user, soonest first within each kind.
#[derive(Debug, Default, Serialize)]
pub struct Waiting {
    /// Proposals on which the user's state has not yet taken a position.
    pub decisions: Vec<Item>,
    /// Holds the user's state placed (every hold, for the secretariat), by
    /// when they lapse.
    pub holds: Vec<Item>,
    /// Open rounds in which the user's member still owes reports.
    pub reports: Vec<Item>,
    /// Drafts the user may submit now (the four-eyes rule applied).
    pub drafts: Vec<Item>,
    /// For the secretariat, which runs the procedure: every open proposal.
    pub open_proposals: Vec<Item>,
    /// For the secretariat: every open round, with how many reports are in.
    pub open_rounds: Vec<Item>,
    /// Petitions received or under review (the ombudsperson's).
    pub petitions_to_review: i64,
    /// Library items in review that the user may approve.
    pub library_to_review: usize,
    /// Hashes held for review in banks the user may write to.
    pub hashes_to_review: usize,
    /// Notices the user has not read.
    pub unread_notifications: i64,
}

impl Waiting {
    fn is_empty(&self) -> bool {
        self.decisions.is_empty()
            && self.holds.is_empty()
            && self.reports.is_empty()
            && self.drafts.is_empty()
            && self.open_proposals.is_empty()
            && self.open_rounds.is_empty()
            && self.petitions_to_review == 0
            && self.library_to_review == 0
            && self.hashes_to_review == 0
            && self.unread_notifications == 0
    }
}

/// One thing to do, and by when.
#[derive(Debug, Serialize)]
pub struct Item {
    /// What it is about, as the list names it ("ACL-0003 Abdullah Testov",
    /// a round's name).
    pub label: String,
    /// A short detail in the reader's language (the kind of proposal, how
    /// many reports are missing).
    pub detail: String,
    /// The page where it is done.
    pub href: String,
    #[serde(with = "time::serde::rfc3339")]
    pub due: OffsetDateTime,
}

/// Hash reviews are counted up to this many (the review page lists as many).
const HASH_REVIEW_LIMIT: i64 = 1000;

/// What waits for the user behind `ctx` at `now`.
pub async fn waiting_for(
    state: &AppState,
    ctx: &Ctx,
    now: OffsetDateTime,
) -> Result<Waiting, WebError> {
    let who = &ctx.principal;
    let mut w = Waiting::default();
    if !who.is_signed_in() {
        return Ok(w);
    }
    proposals(state, ctx, now, &mut w).await?;
    rounds(state, ctx, now, &mut w).await?;
    if authorize(who, &Action::ReviewPetitions).is_ok() {
        w.petitions_to_review = state.store.petitions_awaiting_review().await?;
    }
    w.library_to_review = state
        .library
        .readable(who, |row| {
            row.status == Status::InReview && workflow::may_review(who, &row.standing())
        })
        .len();
    let writable: Vec<_> = super::hashes::readable_banks(state, ctx)
        .await?
        .into_iter()
        .filter(|(_, b)| accord_hashes::bank::may_write(b.bank.owner.as_ref(), who))
        .map(|(id, _)| id)
        .collect();
    w.hashes_to_review = state
        .store
        .hashes_for_review(&writable, HASH_REVIEW_LIMIT)
        .await?
        .len();
    w.unread_notifications = match (notice_recipient(who), who.user_id()) {
        (Some(recipient), Some(user)) => ctx
            .unread
            .map_or(state.store.unread_notifications(&recipient, user).await, Ok)?,
        _ => 0,
    };
    for list in [
        &mut w.decisions,
        &mut w.holds,
        &mut w.reports,
        &mut w.drafts,
        &mut w.open_proposals,
        &mut w.open_rounds,
    ] {
        list.sort_by(|a, b| a.due.cmp(&b.due).then_with(|| a.label.cmp(&b.label)));
    }
    Ok(w)
}

/// Decisions due and holds lapsing, as the procedure shows the viewer each
/// running proposal.
async fn proposals(
    state: &AppState,
    ctx: &Ctx,
    now: OffsetDateTime,
    w: &mut Waiting,
) -> Result<(), WebError> {
    let who = &ctx.principal;
    if authorize(who, &Action::ViewProposals).is_err() {
        return Ok(());
    }
    let Some(viewer) = accord_procedure::Actor::of(who) else {
        return Ok(());
    };
    for p in state.store.proposals(true).await? {
        let view = accord_procedure::view(&p.rule, &p.state, &viewer, now);
        if view.status.is_closed() {
            continue;
        }
        let due = view.time_left.as_ref().map_or(view.deadline, |t| t.until);
        let name = super::proposals::shown_name(state, ctx, &p).await;
        let item = |detail: String, due: OffsetDateTime| Item {
            label: format!("{} {}", p.subject, name),
            detail,
            href: format!("/proposals/{}", p.id),
            due,
        };
        let kind = super::proposals::kind_text(ctx.lang, &p).to_string();
        if view.available_actions.contains(&ActionKind::Concur) {
            w.decisions.push(item(kind.clone(), due));
        }
        if let Some(Position::OnHold(hold)) = &view.own_position {
            w.holds.push(item(kind.clone(), hold.until));
        } else if who.is_secretariat() {
            for (member, hold) in p.state.holds() {
                let detail = ctx
                    .lang
                    .tf("waiting.hold_of", &[("member", member.as_str())]);
                w.holds.push(item(detail, hold.until));
            }
        }
        if who.is_secretariat() {
            w.open_proposals.push(item(kind, due));
        }
    }
    Ok(())
}

/// Reports owed and drafts to submit in the rounds that take reports now;
/// for the secretariat, how far each open round has come.
async fn rounds(
    state: &AppState,
    ctx: &Ctx,
    now: OffsetDateTime,
    w: &mut Waiting,
) -> Result<(), WebError> {
    let who = &ctx.principal;
    let l = ctx.lang;
    let own = who.member().cloned();
    for record in state.store.plan_rounds().await? {
        let round = &record.round;
        if !round.is_open(now) {
            continue;
        }
        let asked = own.as_ref().filter(|m| round.members.contains(m));
        if asked.is_none() && !who.is_secretariat() {
            continue;
        }
        let reports = state.store.plan_reports(Some(&round.id)).await?;
        if who.is_secretariat() {
            let expected = round.members.len() * round.commitments.len();
            let submitted = reports
                .iter()
                .filter(|r| r.latest_submitted().is_some())
                .count();
            w.open_rounds.push(round_item(
                round,
                l.tf(
                    "waiting.reports_in",
                    &[
                        ("submitted", &submitted.to_string()),
                        ("expected", &expected.to_string()),
                    ],
                ),
            ));
        }
        let Some(member) = asked else { continue };
        let mine: Vec<_> = reports.iter().filter(|r| &r.member == member).collect();
        let drafts_owed = authorize(
            who,
            &Action::DraftReport {
                member: member.clone(),
            },
        )
        .is_ok();
        if drafts_owed {
            let missing = round
                .commitments
                .iter()
                .filter(|c| {
                    !mine
                        .iter()
                        .any(|r| &r.commitment == *c && r.latest_submitted().is_some())
                })
                .count();
            if missing > 0 {
                w.reports.push(round_item(
                    round,
                    l.tf(
                        "waiting.reports_missing",
                        &[
                            ("missing", &missing.to_string()),
                            ("total", &round.commitments.len().to_string()),
                        ],
                    ),
                ));
            }
        }
        let submits = authorize(
            who,
            &Action::SubmitReport {
                member: member.clone(),
            },
        )
        .is_ok();
        let with_drafts: Vec<_> = mine
            .iter()
            .filter_map(|r| r.draft_version().map(|d| (r, d.last_editor())))
            .collect();
        if submits && !with_drafts.is_empty() {
            let drafters = state.store.plan_member_drafters(member).await?;
            for (report, last_editor) in with_drafts {
                if accord_plan::can_submit(who, member, last_editor, drafters).is_ok() {
                    w.drafts.push(Item {
                        label: format!("{}: {}", round.name, report.commitment),
                        detail: l.t("waiting.draft_ready").to_string(),
                        href: format!(
                            "/rounds/{}/reports/{}/{}",
                            round.id, member, report.commitment
                        ),
                        due: round.deadline,
                    });
                }
            }
        }
    }
    Ok(())
}

fn round_item(round: &ReportingRound, detail: String) -> Item {
    Item {
        label: round.name.clone(),
        detail,
        href: format!("/rounds/{}", round.id),
        due: round.deadline,
    }
}

/// `GET /api/waiting`: the same list as the start page, as JSON.
pub async fn api(State(state): State<AppState>, ctx: Ctx) -> Result<Json<Waiting>, WebError> {
    let now = OffsetDateTime::now_utc();
    Ok(Json(waiting_for(&state, &ctx, now).await?))
}

/// When something is due, in words, by calendar day in UTC (the time
/// beside it is UTC too): "due today", "due tomorrow", "due in 3 days",
/// "overdue".
pub(super) fn due_in(l: Lang, due: OffsetDateTime, now: OffsetDateTime) -> String {
    if due < now {
        return l.t("waiting.overdue").to_string();
    }
    let utc = time::UtcOffset::UTC;
    let days = (due.to_offset(utc).date() - now.to_offset(utc).date()).whole_days();
    match days {
        0 => l.t("waiting.today").to_string(),
        1 => l.t("waiting.tomorrow").to_string(),
        n => l.tf("waiting.in_days", &[("n", &n.to_string())]),
    }
}

/// The badge's colour: overdue is bad, due within two days a warning.
fn urgency(due: OffsetDateTime, now: OffsetDateTime) -> &'static str {
    if due < now {
        "bad"
    } else if due - now <= time::Duration::days(2) {
        "warn"
    } else {
        "calm"
    }
}

/// The start page's section; nothing for a visitor who is not signed in.
pub fn section(ctx: &Ctx, w: &Waiting, now: OffsetDateTime) -> Markup {
    let l = ctx.lang;
    if !ctx.principal.is_signed_in() {
        return html! {};
    }
    let list = |title: &'static str, items: &[Item]| {
        html! {
            @if !items.is_empty() {
                h3 { (l.t(title)) " " span.badge { (items.len()) } }
                ul.waiting {
                    @for i in items {
                        li {
                            a href=(i.href) { (i.label) }
                            " " span.muted { (i.detail) }
                            " — " (crate::render::format_instant(i.due))
                            " " span.badge.(urgency(i.due, now)) { (due_in(l, i.due, now)) }
                        }
                    }
                }
            }
        }
    };
    let count = |key: &'static str, n: i64, href: &str| {
        html! {
            @if n > 0 {
                li { a href=(href) { (l.tf(key, &[("n", &n.to_string())])) } }
            }
        }
    };
    html! {
        section.waiting aria-labelledby="waiting-title" {
            h2 #waiting-title { (l.t("waiting.title")) }
            @if w.is_empty() {
                p.muted { (l.t("waiting.nothing")) }
            } @else {
                (list("waiting.decisions", &w.decisions))
                (list("waiting.holds", &w.holds))
                (list("waiting.reports", &w.reports))
                (list("waiting.drafts", &w.drafts))
                (list("waiting.open_proposals", &w.open_proposals))
                (list("waiting.open_rounds", &w.open_rounds))
                @if w.petitions_to_review + w.library_to_review as i64 + w.hashes_to_review as i64 + w.unread_notifications > 0 {
                    h3 { (l.t("waiting.also")) }
                }
                ul.waiting {
                    (count("waiting.petitions", w.petitions_to_review, "/ombudsperson"))
                    (count("waiting.library", w.library_to_review as i64, "/library/review"))
                    (count("waiting.hashes", w.hashes_to_review as i64, "/hashes/review"))
                    (count("waiting.unread", w.unread_notifications, "/notifications"))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn due_in_says_today_tomorrow_or_days_by_utc_calendar_day_and_overdue_once_past() {
        let now = datetime!(2026-12-04 09:00 UTC);
        let l = Lang::En;
        assert_eq!(due_in(l, datetime!(2026-12-04 23:59 UTC), now), "due today");
        assert_eq!(
            due_in(l, datetime!(2026-12-05 00:30 UTC), now),
            "due tomorrow"
        );
        assert_eq!(
            due_in(l, datetime!(2026-12-14 08:00 UTC), now),
            "due in 10 days"
        );
        assert_eq!(due_in(l, datetime!(2026-12-04 08:59 UTC), now), "overdue");
        // A deadline given in another offset is read in UTC.
        assert_eq!(
            due_in(l, datetime!(2026-12-05 01:00 +05:00), now),
            "due today"
        );
        assert_eq!(
            due_in(Lang::Ru, datetime!(2026-12-14 08:00 UTC), now),
            "срок через 10 дн."
        );
    }
}
