//! Proposals to list, amend or delist, and the states' decisions on them.
//! The procedure engine decides what each state may do; this module shows
//! it and records the decisions. Statements of case are confidential: read
//! only by those allowed, every read audited.

use accord_core::tlp::Tlp;
use accord_core::{Action, Distribution, Invalid, MemberCode, MemberKind, Role, may_see};
use accord_lists::ListEntry;
use accord_procedure::ActionKind;
use accord_procedure::ProposalKind;
use accord_screening::{PossibleDuplicate, ScreenOptions, Screener};
use accord_store::common_list::{ProposalOrder, ProposalQuery, ProposalRecord, ProposalStatus};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;

use super::proposal_input::{ProposalInput, build, form_field_errors};
use crate::context::Ctx;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::paging::{Filter, ListQuery, Listed, SortOption, filter_form, pager, respond};
use crate::render::{Field, csrf_field, form_errors, format_instant, format_ms, page};
use crate::screening_state::COMMON_DATASET;
use crate::state::AppState;

/// The viewer as the procedure sees them (a member with its kind, the
/// secretariat, the ombudsperson).
fn viewer(ctx: &Ctx) -> Result<accord_procedure::Actor, WebError> {
    accord_procedure::Actor::of(&ctx.principal).ok_or(WebError::Forbidden)
}

/// The orders the proposals list offers: the first is the default.
fn proposal_sorts(l: Lang) -> [SortOption<(ProposalOrder, bool)>; 6] {
    let o = |value, key, order, descending| SortOption::new(l, value, key, (order, descending));
    [
        o(
            "deadline",
            "work_lists.sort_deadline",
            ProposalOrder::Deadline,
            false,
        ),
        o(
            "-deadline",
            "work_lists.sort_deadline_desc",
            ProposalOrder::Deadline,
            true,
        ),
        o(
            "-proposed",
            "work_lists.sort_proposed_desc",
            ProposalOrder::Proposed,
            true,
        ),
        o(
            "proposed",
            "work_lists.sort_proposed",
            ProposalOrder::Proposed,
            false,
        ),
        o(
            "status",
            "work_lists.sort_status",
            ProposalOrder::Status,
            false,
        ),
        o(
            "-status",
            "work_lists.sort_status_desc",
            ProposalOrder::Status,
            true,
        ),
    ]
}

const KINDS: [ProposalKind; 4] = [
    ProposalKind::List,
    ProposalKind::Amend,
    ProposalKind::Delist,
    ProposalKind::DelistingRecommendation,
];

pub(super) fn status_label(l: Lang, s: ProposalStatus) -> &'static str {
    match s {
        ProposalStatus::Open => l.t("work_lists.status_open"),
        ProposalStatus::OnHold => l.t("work_lists.status_on_hold"),
        ProposalStatus::Adopted => l.t("work_lists.status_adopted"),
        ProposalStatus::Rejected => l.t("work_lists.status_rejected"),
        ProposalStatus::Lapsed => l.t("work_lists.status_lapsed"),
        ProposalStatus::Withdrawn => l.t("work_lists.status_withdrawn"),
    }
}

/// Who may be named as proposer: the members, by code, and the ombudsperson.
async fn proposers(state: &AppState, l: Lang) -> Result<Vec<(String, String)>, WebError> {
    let mut out: Vec<(String, String)> = state
        .store
        .members()
        .await?
        .into_iter()
        .map(|m| {
            let name = if l == Lang::Ru { m.name_ru } else { m.name };
            (m.code.to_string(), format!("{} — {name}", m.code))
        })
        .collect();
    out.push((
        "ombudsperson".into(),
        l.t("work_lists.ombudsperson").to_string(),
    ));
    Ok(out)
}

/// The proposals the query asks for, a page of them and how many match.
async fn listed_proposals(
    state: &AppState,
    ctx: &Ctx,
    q: &mut ListQuery,
    proposers: &[(String, String)],
) -> Result<accord_store::Page<ProposalRecord>, WebError> {
    let statuses: Vec<(&str, ProposalStatus)> = ProposalStatus::ALL
        .iter()
        .map(|s| (s.as_str(), *s))
        .collect();
    let kinds: Vec<(&str, ProposalKind)> = KINDS
        .iter()
        .map(|k| (accord_store::common_list::proposal_kind_str(*k), *k))
        .collect();
    let codes: Vec<(&str, &str)> = proposers
        .iter()
        .map(|(c, _)| (c.as_str(), c.as_str()))
        .collect();
    let (order, descending) = q.sort(&proposal_sorts(ctx.lang));
    let query = ProposalQuery {
        status: q.choice("status", &statuses),
        proposer: q.choice("proposer", &codes).map(str::to_string),
        kind: q.choice("kind", &kinds),
        order,
        descending,
        window: q.window(),
    };
    Ok(state.store.proposals_matching(&query).await?)
}

/// When the proposal is due, and for a running one how long is left, as
/// the procedure counts it for this viewer: the end of the period, or on
/// hold the lapse of the last hold (a proposal on hold is not overdue).
/// Days are counted as on the start page (`waiting::due_in`).
fn deadline_text(
    l: Lang,
    p: &ProposalRecord,
    who: Option<&accord_procedure::Actor>,
    now: time::OffsetDateTime,
) -> (String, Option<String>) {
    let when = format_ms(p.deadline);
    let Some(who) = who else {
        return (when, None);
    };
    let view = accord_procedure::view(&p.rule, &p.state, who, now);
    match view.time_left {
        Some(left) => (
            format_instant(left.until),
            Some(super::waiting::due_in(l, left.until, now)),
        ),
        None => (when, None),
    }
}

pub async fn list_page(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::ViewProposals).await?;
    let l = ctx.lang;
    let mut q = ListQuery::parse(raw.as_deref(), l);
    let proposers = proposers(&state, l).await?;
    let listed = listed_proposals(&state, &ctx, &mut q, &proposers).await?;
    let mut names = Vec::with_capacity(listed.items.len());
    for p in &listed.items {
        names.push(shown_name(&state, &ctx, p).await);
    }
    let window = q.window();
    let now = time::OffsetDateTime::now_utc();
    let who = accord_procedure::Actor::of(&ctx.principal);
    let can_propose = ctx.principal.member().is_some()
        && matches!(
            ctx.principal.role(),
            Some(Role::MemberAdmin | Role::Contributor)
        );
    let filters = [
        Filter::select(
            "status",
            l.t("proposals.status"),
            ProposalStatus::ALL
                .iter()
                .map(|s| (s.as_str().to_string(), status_label(l, *s).to_string()))
                .collect(),
        ),
        Filter::select("proposer", l.t("proposals.proposer"), proposers.clone()),
        Filter::select(
            "kind",
            l.t("proposals.kind"),
            KINDS
                .iter()
                .map(|k| {
                    (
                        accord_store::common_list::proposal_kind_str(*k).to_string(),
                        kind_label(l, *k).to_string(),
                    )
                })
                .collect(),
        ),
        Filter::sort(l, &proposal_sorts(l)),
    ];
    let body = html! {
        h1 { (l.t("proposals.title")) }
        p { (l.t("proposals.intro")) }
        @if can_propose { p { a.button href="/proposals/new" { (l.t("proposals.new")) } } }
        p {
            a href="/procedure" { (l.t("nav.procedure")) }
            @if accord_core::authorize(&ctx.principal, &Action::MergeSubjects).is_ok() {
                " · " a href="/subjects/merge" { (l.t("nav.merges")) }
            }
        }
        (filter_form(l, &q, "/proposals", &filters))
        @if listed.total == 0 {
            p.muted { (if q.raw("status").is_empty() && q.raw("proposer").is_empty() && q.raw("kind").is_empty() { l.t("proposals.none") } else { l.t("work_lists.none") }) }
        } @else if !listed.items.is_empty() {
            table.work-list {
                thead { tr {
                    th scope="col" { "#" } th scope="col" { (l.t("proposals.subject")) } th scope="col" { (l.t("proposals.kind")) }
                    th scope="col" { (l.t("proposals.proposer")) } th scope="col" { (l.t("proposals.status")) } th scope="col" { (l.t("proposals.deadline")) }
                } }
                tbody { @for (p, name) in listed.items.iter().zip(&names) {
                    @let (deadline, left) = deadline_text(l, p, who.as_ref(), now);
                    tr {
                        td { a href={ "/proposals/" (p.id) } { (p.id) } }
                        td { code { (p.subject) } " " (name) }
                        td { (kind_text(l, p)) }
                        td { (p.proposer) }
                        td { span.badge.good[p.status == ProposalStatus::Adopted] { (status_label(l, p.status)) } }
                        td {
                            span.nowrap { (deadline) }
                            @if let Some(left) = left { br; span.muted { (left) } }
                        }
                    }
                } }
            }
        }
        (pager(l, &q, "/proposals", window, listed.total))
    };
    Ok(respond(&q, page(&ctx, l.t("proposals.title"), body)))
}

/// Whether the viewer may read whom the proposal names (its entry and
/// summary of reasons): anyone who views proposals once it is adopted,
/// before that the one rule's [`accord_core::may_see_proposed_entry`].
pub(super) fn entry_visible(ctx: &Ctx, p: &ProposalRecord) -> bool {
    use accord_procedure::ProposalKind;
    p.status == accord_store::common_list::ProposalStatus::Adopted
        // A delisting is about an entry the public list already shows.
        || matches!(p.kind, ProposalKind::Delist | ProposalKind::DelistingRecommendation)
        // The ombudsperson's own recommendations.
        || (p.proposer == "ombudsperson" && ctx.principal.role() == Some(Role::Ombudsperson))
        || accord_core::may_see_proposed_entry(
            &ctx.principal,
            MemberCode::parse(&p.proposer).ok().as_ref(),
        )
}

/// The proposal's first name, or a word saying it is withheld from this viewer.
pub(super) fn primary_name(ctx: &Ctx, p: &ProposalRecord) -> String {
    if !entry_visible(ctx, p) {
        return ctx.lang.t("proposals.entry_restricted").to_string();
    }
    p.proposed_entry
        .as_ref()
        .and_then(|e| e.names.first())
        .map(|n| n.text.clone())
        .unwrap_or_default()
}

/// The name to show beside a proposal's subject: the proposed entry's, or
/// for a delisting or an amendment that carries none, the listed subject's
/// (a name left blank on the lists of work read as a missing record).
pub(super) async fn shown_name(state: &AppState, ctx: &Ctx, p: &ProposalRecord) -> String {
    let name = primary_name(ctx, p);
    if !name.is_empty() || !entry_visible(ctx, p) {
        return name;
    }
    state
        .store
        .subject(&p.subject)
        .await
        .ok()
        .and_then(|s| s.entry.names.first().map(|n| n.text.clone()))
        .unwrap_or_default()
}

/// A small labelled input of a repeated row (`aliases[0].name`…).
fn cell(
    name: &str,
    label: &str,
    value: &str,
    errors: Option<&Invalid>,
    l: crate::i18n::Lang,
) -> maud::Markup {
    let error = errors.and_then(|i| i.errors.iter().find(|e| e.field == name));
    html! {
        div.field {
            label for=(name) { (label) }
            @if let Some(e) = error { div.error-text { (l.message(&e.message)) } }
            input type="text" id=(name) name=(name) value=(value) aria-invalid=[error.map(|_| "true")];
        }
    }
}

fn choice(name: &str, label: &str, value: &str, options: &[(&str, &str)]) -> maud::Markup {
    html! {
        div.field {
            label for=(name) { (label) }
            select id=(name) name=(name) {
                @for (v, text) in options { option value=(v) selected[value == *v] { (text) } }
            }
        }
    }
}

/// A textarea for a list of single values, one per line.
fn lines_field(
    name: &str,
    label: &str,
    hint: &str,
    values: &[String],
    errors: Option<&Invalid>,
    l: crate::i18n::Lang,
) -> maud::Markup {
    let error = errors.and_then(|i| i.errors.iter().find(|e| e.field == name));
    html! {
        div.field {
            label for=(name) { (label) }
            div.hint { (hint) }
            @if let Some(e) = error { div.error-text { (l.message(&e.message)) } }
            textarea id=(name) name=(name) rows="2" aria-invalid=[error.map(|_| "true")] { (values.join("\n")) }
        }
    }
}

/// The rows typed so far and `spare` empty ones to type more.
fn with_spare_rows<T: Clone + Default>(rows: &[T], spare: usize) -> Vec<T> {
    rows.iter()
        .cloned()
        .chain(std::iter::repeat_with(T::default).take(spare))
        .collect()
}

fn proposal_form(
    ctx: &Ctx,
    form: &ProposalInput,
    errors: Option<&Invalid>,
    un_entries: &[(String, String)],
    duplicates: &[PossibleDuplicate],
) -> Html<String> {
    let l = ctx.lang;
    let aliases = with_spare_rows(&form.aliases, 3);
    let documents = with_spare_rows(&form.documents, 1);
    let addresses = with_spare_rows(&form.addresses, 1);
    let links = with_spare_rows(&form.links, 2);
    let quality = [
        ("strong", l.t("proposals.q_strong")),
        ("weak", l.t("proposals.q_weak")),
    ];
    let name_kinds = [
        ("alias", l.t("proposals.nk_alias")),
        ("former_name", l.t("proposals.nk_former")),
    ];
    let relations = [
        ("member_of", l.t("proposals.rel_member_of")),
        ("sponsor_of", l.t("proposals.rel_sponsor_of")),
        ("leader_of", l.t("proposals.rel_leader_of")),
        ("alias_of", l.t("proposals.rel_alias_of")),
    ];
    page(
        ctx,
        l.t("proposals.new"),
        html! {
            h1 { (l.t("proposals.new")) }
            p.muted { (l.t("proposals.new_hint")) }
            (form_errors(l, errors))
            (duplicates_panel(l, duplicates))
            form.stacked method="post" action="/proposals/new" novalidate {
                (csrf_field(ctx))
                div.field {
                    label for="kind" { (l.t("proposals.kind")) " *" }
                    select id="kind" name="kind" {
                        @for (v, k) in [("list", "proposals.k_list"), ("amend", "proposals.k_amend"), ("delist", "proposals.k_delist")] {
                            option value=(v) selected[form.kind == v] { (l.t(k)) }
                        }
                    }
                }
                (Field::text("subject", l.t("proposals.listed_subject"), &form.subject).hint(l.t("proposals.listed_subject_hint")).render_in(l, errors))
                div.field {
                    label for="subject_kind" { (l.t("proposals.subject_kind")) " *" }
                    select id="subject_kind" name="subject_kind" {
                        @for (v, k) in [("organization", "proposals.organization"), ("individual", "proposals.individual"), ("sponsor", "proposals.sponsor")] {
                            option value=(v) selected[form.subject_kind == v] { (l.t(k)) }
                        }
                    }
                }
                (choice("sponsor_type", l.t("proposals.sponsor_type"), &form.sponsor_type, &[("organization", l.t("proposals.sponsor_entity")), ("individual", l.t("proposals.individual"))]))
                (Field::text("name", l.t("proposals.name"), &form.name).required().render_in(l, errors))
                (Field::text("original_script", l.t("proposals.original_script"), &form.original_script).render_in(l, errors))
                fieldset {
                    legend { (l.t("proposals.aliases")) }
                    p.hint { (l.t("proposals.aliases_hint")) }
                    @for (i, a) in aliases.iter().enumerate() {
                        div.row {
                            (cell(&format!("aliases[{i}].name"), l.t("proposals.alias_name"), &a.name, errors, l))
                            (choice(&format!("aliases[{i}].kind"), l.t("proposals.alias_kind"), &a.kind, &name_kinds))
                            (cell(&format!("aliases[{i}].script"), l.t("proposals.alias_script"), &a.script, errors, l))
                            (cell(&format!("aliases[{i}].language"), l.t("proposals.alias_language"), &a.language, errors, l))
                            (choice(&format!("aliases[{i}].quality"), l.t("proposals.alias_quality"), &a.quality, &quality))
                        }
                    }
                }
                fieldset {
                    legend { (l.t("proposals.individual_facts")) }
                    (lines_field("birth_dates", l.t("proposals.birth_dates"), l.t("proposals.birth_dates_hint"), &form.all_birth_dates(), errors, l))
                    (lines_field("birth_places", l.t("proposals.birth_places"), l.t("proposals.one_per_line"), &form.birth_places, errors, l))
                    (lines_field("nationalities", l.t("proposals.nationalities"), l.t("proposals.one_per_line"), &form.all_nationalities(), errors, l))
                }
                fieldset {
                    legend { (l.t("proposals.documents")) }
                    @for (i, d) in documents.iter().enumerate() {
                        div.row {
                            (cell(&format!("documents[{i}].kind"), l.t("proposals.doc_kind"), &d.kind, errors, l))
                            (cell(&format!("documents[{i}].number"), l.t("proposals.doc_number"), &d.number, errors, l))
                            (cell(&format!("documents[{i}].country"), l.t("proposals.doc_country"), &d.country, errors, l))
                            (cell(&format!("documents[{i}].note"), l.t("proposals.doc_note"), &d.note, errors, l))
                        }
                    }
                }
                fieldset {
                    legend { (l.t("proposals.addresses")) }
                    @for (i, a) in addresses.iter().enumerate() {
                        div.row {
                            (cell(&format!("addresses[{i}].street"), l.t("proposals.addr_street"), &a.street, errors, l))
                            (cell(&format!("addresses[{i}].city"), l.t("proposals.addr_city"), &a.city, errors, l))
                            (cell(&format!("addresses[{i}].region"), l.t("proposals.addr_region"), &a.region, errors, l))
                            (cell(&format!("addresses[{i}].postal_code"), l.t("proposals.addr_postal_code"), &a.postal_code, errors, l))
                            (cell(&format!("addresses[{i}].country"), l.t("proposals.addr_country"), &a.country, errors, l))
                        }
                    }
                }
                fieldset {
                    legend { (l.t("proposals.links")) }
                    p.hint { (l.t("proposals.links_hint")) }
                    @if let Some(e) = errors.and_then(|i| i.errors.iter().find(|e| e.field == "links")) {
                        div.error-text id="links" { (l.message(&e.message)) }
                    }
                    @for (i, k) in links.iter().enumerate() {
                        div.row {
                            (choice(&format!("links[{i}].relation"), l.t("proposals.link_relation"), &k.relation, &relations))
                            (cell(&format!("links[{i}].target"), l.t("proposals.link_target"), &k.target, errors, l))
                        }
                    }
                }
                @let un_error = errors.and_then(|i| i.errors.iter().find(|e| e.field == "un_reference"));
                div.field {
                    label for="un_reference" { (l.t("proposals.un_reference")) }
                    div.hint { (l.t("proposals.un_reference_hint")) }
                    @if un_entries.is_empty() { div.hint { (l.t("proposals.un_list_missing")) } }
                    @if let Some(e) = un_error { div.error-text { (l.message(&e.message)) } }
                    input type="text" id="un_reference" name="un_reference" value=(form.un_reference)
                        list="un-references" aria-invalid=[un_error.map(|_| "true")];
                    datalist id="un-references" {
                        @for (reference, name) in un_entries { option value=(reference) { (name) } }
                    }
                }
                div.field {
                    label for="statement_of_case" { (l.t("proposals.statement")) " *" }
                    div.hint { (l.t("proposals.statement_hint")) }
                    textarea id="statement_of_case" name="statement_of_case" rows="6" required { (form.statement_of_case) }
                }
                div.field {
                    label for="tlp" { "TLP" }
                    select id="tlp" name="tlp" {
                        @for t in [Tlp::Amber, Tlp::AmberStrict, Tlp::Red, Tlp::Green] {
                            option value=(t.as_str()) selected[form.tlp == t.as_str()] { "TLP:" (t.as_str()) }
                        }
                    }
                }
                div.field {
                    label for="narrative_summary" { (l.t("proposals.summary")) " *" }
                    div.hint { (l.t("proposals.summary_hint")) }
                    textarea id="narrative_summary" name="narrative_summary" rows="4" required { (form.narrative_summary) }
                }
                @if !duplicates.is_empty() || form.confirm_not_duplicate {
                    div.field {
                        label {
                            input type="checkbox" id="confirm_not_duplicate" name="confirm_not_duplicate" value="1" checked[form.confirm_not_duplicate];
                            " " (l.t("proposals.dup_confirm"))
                        }
                    }
                }
                div.actions {
                    button type="submit" { (l.t("proposals.submit")) }
                    button.secondary type="submit" name="more" value="1" formnovalidate { (l.t("proposals.more_rows")) }
                }
            }
        },
    )
}

/// The dataset name pending proposals carry among [`possible_duplicates`].
const PENDING_DATASET: &str = "proposals";

/// The listed entries and running proposals that may already name the
/// subject a new listing proposal names: the common list and every reference
/// list in the screening index, and the running listing proposals this
/// viewer may read (one they may not read is not hinted at). Its own subject
/// (a relisting) and the UN entry it says it mirrors are left out.
///
/// Why: the same person was proposed twice, or proposed while already on the
/// common list, and the states decided twice on one subject.
async fn possible_duplicates(
    state: &AppState,
    ctx: &Ctx,
    new: &accord_store::common_list::NewProposal,
) -> Result<Vec<PossibleDuplicate>, WebError> {
    let Some(entry) = new
        .entry
        .as_ref()
        .filter(|_| new.kind == ProposalKind::List)
    else {
        return Ok(Vec::new());
    };
    // Only rebuilds when a list changed since the last build (an adoption a
    // moment ago); a proposal is rare enough to wait for it.
    state.screening.refresh(&state.store).await?;
    let options = ScreenOptions::default();
    let own = new.subject.as_deref().map(|s| (COMMON_DATASET, s));
    let mut found: Vec<PossibleDuplicate> = state
        .screening
        .current()
        .possible_duplicates(entry, &options, own)
        .into_iter()
        .filter(|d| {
            !(d.dataset == accord_store::common_list::UN_LIST
                && new.un_reference.as_deref() == Some(d.reference.as_str()))
        })
        .collect();
    let pending: Vec<ListEntry> = state
        .store
        .proposals(true)
        .await?
        .into_iter()
        .filter(|p| p.kind == ProposalKind::List && entry_visible(ctx, p))
        .filter_map(|p| {
            let mut e = p.proposed_entry?;
            e.reference = p.id.to_string();
            Some(e)
        })
        .collect();
    if !pending.is_empty() {
        let list = accord_lists::List {
            source: accord_lists::ListSource::Accord,
            generated: None,
            entries: pending,
            skipped: Vec::new(),
        };
        let screener = Screener::from_lists(vec![(PENDING_DATASET.to_string(), list)]);
        found.extend(screener.possible_duplicates(entry, &options, None));
    }
    found.sort_by(|a, b| b.score.total_cmp(&a.score));
    found.truncate(10);
    Ok(found)
}

/// The warning above the form: who the proposed subject may already be,
/// each linked to where it can be read.
fn duplicates_panel(l: Lang, duplicates: &[PossibleDuplicate]) -> maud::Markup {
    if duplicates.is_empty() {
        return html! {};
    }
    html! {
        div.notice.warn role="alert" id="possible-duplicates" {
            h2 { (l.t("proposals.dup_title")) }
            p { (l.t("proposals.dup_hint")) }
            ul {
                @for d in duplicates {
                    li {
                        (match d.dataset.as_str() {
                            COMMON_DATASET => l.t("proposals.dup_common").to_string(),
                            PENDING_DATASET => l.t("proposals.dup_pending").to_string(),
                            other => l.tf("proposals.dup_reference_list", &[("list", other)]),
                        }) " "
                        (match d.dataset.as_str() {
                            COMMON_DATASET => html! { a href={ "/list/" (d.reference) } { (d.reference) } },
                            PENDING_DATASET => html! { a href={ "/proposals/" (d.reference) } { "#" (d.reference) } },
                            _ => html! { (d.reference) },
                        }) ": "
                        strong { (d.caption) } " — "
                        @if let Some(number) = &d.document {
                            (l.tf("proposals.dup_document", &[("number", number)]))
                        } @else {
                            (l.tf("proposals.dup_matched", &[("matched", &d.matched_name), ("proposed", &d.proposed_name)]))
                        }
                        " " (super::screening::score_verdict(l, d.score, d.low_confidence)) " " (format!("{:.2}", d.score))
                    }
                }
            }
        }
    }
}

/// The entries of the stored UN list the proposer picks a reference from.
async fn un_entries(state: &AppState) -> Result<Vec<(String, String)>, WebError> {
    Ok(state
        .store
        .reference_names(accord_store::common_list::UN_LIST)
        .await?)
}

pub async fn new_page(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, WebError> {
    ctx.require(&state, &Action::Propose).await?;
    Ok(proposal_form(
        &ctx,
        &ProposalInput {
            tlp: "AMBER".into(),
            ..Default::default()
        },
        None,
        &un_entries(&state).await?,
        &[],
    ))
}

pub async fn create_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    crate::forms::PostedForm(pairs): crate::forms::PostedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::Propose).await?;
    let form = ProposalInput::from_form(&pairs)?;
    let un = un_entries(&state).await?;
    // More empty rows asked for: the same form again, with what was typed, nothing stored.
    if pairs.iter().any(|(k, _)| k == "more") {
        return Ok(proposal_form(&ctx, &form, None, &un, &[]).into_response());
    }
    let rejected = |invalid: &Invalid| {
        let mut r = proposal_form(&ctx, &form, Some(invalid), &un, &[]).into_response();
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        r
    };
    let new = match build(&form) {
        Ok(p) => p,
        Err(invalid) => return Ok(rejected(&invalid)),
    };
    if !form.confirm_not_duplicate {
        let duplicates = possible_duplicates(&state, &ctx, &new).await?;
        if !duplicates.is_empty() {
            let mut r = proposal_form(&ctx, &form, None, &un, &duplicates).into_response();
            *r.status_mut() = StatusCode::CONFLICT;
            return Ok(r);
        }
    }
    match state
        .store
        .create_proposal(
            &ctx.actor(),
            &ctx.principal,
            new,
            time::OffsetDateTime::now_utc(),
        )
        .await
    {
        Ok(p) => Ok(Redirect::to(&format!("/proposals/{}", p.id)).into_response()),
        Err(accord_store::StoreError::Invalid(invalid)) => {
            Ok(rejected(&form_field_errors(invalid)))
        }
        // A procedure refusal (the subject already pending, a rule that does
        // not let this member propose) is said on the form, with what was
        // typed, not on an error page that loses it.
        Err(accord_store::StoreError::Conflict(why)) => {
            Ok(rejected(&Invalid::field("subject", why)))
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) fn status_text(l: crate::i18n::Lang, s: &accord_procedure::Status) -> String {
    use accord_procedure::Status as S;
    match s {
        S::Open => l.t("proposals.st_open").to_string(),
        S::OnHold { since } => l.tf("proposals.st_on_hold", &[("at", &format_instant(*since))]),
        S::Adopted { at } => l.tf("proposals.st_adopted", &[("at", &format_instant(*at))]),
        S::Rejected { at, .. } => l.tf("proposals.st_rejected", &[("at", &format_instant(*at))]),
        S::Lapsed { at, .. } => l.tf("proposals.st_lapsed", &[("at", &format_instant(*at))]),
        S::Withdrawn {
            at, reason: None, ..
        } => l.tf("proposals.st_withdrawn", &[("at", &format_instant(*at))]),
        S::Withdrawn {
            at,
            reason: Some(why),
            ..
        } => l.tf(
            "proposals.st_withdrawn_because",
            &[("at", &format_instant(*at)), ("reason", why)],
        ),
    }
}

fn position_text(l: crate::i18n::Lang, p: &accord_procedure::Position) -> String {
    use accord_procedure::Position as P;
    match p {
        P::Silent => l.t("proposals.pos_silent").to_string(),
        P::Concurred { at } => l.tf("proposals.pos_concurred", &[("at", &format_instant(*at))]),
        P::Objected { at, reason } => l.tf(
            "proposals.pos_objected",
            &[
                ("at", &format_instant(*at)),
                ("reason", reason.as_deref().unwrap_or("")),
            ],
        ),
        P::OnHold(h) => l.tf(
            "proposals.pos_hold",
            &[
                ("until", &format_instant(h.until)),
                ("reason", h.reason.as_deref().unwrap_or("")),
            ],
        ),
    }
}

/// Time left as days and hours, with the working days the rule counts.
fn time_left_text(l: crate::i18n::Lang, left: &accord_procedure::TimeLeft) -> String {
    l.tf(
        "proposals.time_left_text",
        &[
            ("days", &(left.seconds / 86_400).to_string()),
            ("hours", &(left.seconds % 86_400 / 3600).to_string()),
            ("working", &left.working_days.to_string()),
        ],
    )
}

pub(super) fn kind_text(l: crate::i18n::Lang, p: &ProposalRecord) -> &'static str {
    kind_label(l, p.kind)
}

/// A kind of proposal in the reader's language.
pub(super) fn kind_label(l: Lang, kind: ProposalKind) -> &'static str {
    kind_name_label(l, accord_store::common_list::proposal_kind_str(kind))
}

/// The same, by the kind's stored name (`list`, `amend`…), as JSON carries it.
pub(super) fn kind_name_label(l: Lang, kind: &str) -> &'static str {
    match kind {
        "list" => l.t("proposals.k_list"),
        "amend" => l.t("proposals.k_amend"),
        "delist" => l.t("proposals.k_delist"),
        _ => l.t("proposals.k_delisting_recommendation"),
    }
}

fn action_label(l: crate::i18n::Lang, a: ActionKind) -> &'static str {
    match a {
        ActionKind::Concur => l.t("proposals.concur"),
        ActionKind::Object => l.t("proposals.object"),
        ActionKind::PlaceHold => l.t("proposals.hold"),
        ActionKind::ExtendHold => l.t("proposals.extend"),
        ActionKind::LiftHold => l.t("proposals.lift"),
        ActionKind::Withdraw => l.t("proposals.withdraw"),
    }
}

/// The label of an action by its form value (`concur`, `hold`…).
pub(super) fn action_text(l: crate::i18n::Lang, value: &str) -> &'static str {
    [
        ActionKind::Concur,
        ActionKind::Object,
        ActionKind::PlaceHold,
        ActionKind::ExtendHold,
        ActionKind::LiftHold,
        ActionKind::Withdraw,
    ]
    .into_iter()
    .find(|a| action_value(*a) == value)
    .map(|a| action_label(l, a))
    .unwrap_or("?")
}

fn action_value(a: ActionKind) -> &'static str {
    match a {
        ActionKind::Concur => "concur",
        ActionKind::Object => "object",
        ActionKind::PlaceHold => "hold",
        ActionKind::ExtendHold => "extend_hold",
        ActionKind::LiftHold => "lift_hold",
        ActionKind::Withdraw => "withdraw",
    }
}

/// Who may read a statement of case: the one visibility rule, with the
/// statement's marking, the proposing member as owner, and the regional
/// states (who decide on listings) as its distribution.
fn may_read_statement(ctx: &Ctx, p: &ProposalRecord) -> bool {
    let owner = MemberCode::parse(&p.proposer).ok();
    may_see(
        &ctx.principal,
        p.statement_tlp,
        owner.as_ref(),
        &Distribution::MemberKinds {
            kinds: vec![MemberKind::RegionalState],
        },
    )
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ProposalPageQuery {
    /// The decision just recorded (`concur`, `withdraw`…), said at the top.
    recorded: Option<String>,
}

pub async fn proposal_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<ProposalPageQuery>,
) -> Result<Html<String>, WebError> {
    ctx.require(&state, &Action::ViewProposals).await?;
    render_proposal(&state, &ctx, id, q.recorded.as_deref(), None).await
}

/// A decision refused by the procedure, shown on the proposal's own form
/// with the reason that was typed.
pub(super) struct RefusedDecision<'a> {
    pub reason: &'a str,
    pub errors: &'a Invalid,
}

/// The proposal's page; after a decision was recorded, a line saying so;
/// after one was refused, the refusal on the decision form, text kept.
pub(super) async fn render_proposal(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    recorded: Option<&str>,
    refused: Option<RefusedDecision<'_>>,
) -> Result<Html<String>, WebError> {
    let state = state.clone();
    let ctx = ctx.clone();
    let l = ctx.lang;
    let p = state.store.proposal(id).await?;
    let who = viewer(&ctx)?;
    let now = time::OffsetDateTime::now_utc();
    let view = accord_procedure::view(&p.rule, &p.state, &who, now);
    let can_decide = matches!(ctx.principal.role(), Some(Role::MemberAdmin));
    // A state signs its decisions with its member's key (docs/proof.md).
    let has_key = match ctx.principal.member() {
        Some(m) if can_decide => state
            .store
            .member_keys(Some(m))
            .await?
            .iter()
            .any(|k| k.valid_until.is_none()),
        _ => false,
    };
    let signed = if view.positions.is_some() {
        state.store.signed_decisions(Some(p.id)).await?
    } else {
        Vec::new()
    };
    let statement = may_read_statement(&ctx, &p);
    let evidence = if statement {
        state.store.evidence(p.id).await?
    } else {
        Vec::new()
    };
    // The UN list's entry the subject is linked to, as the list stands now.
    let un_entry = match &p.un_reference {
        Some(r) => state
            .store
            .reference_entry(accord_store::common_list::UN_LIST, r)
            .await?
            .map(|(_, e)| e),
        None => None,
    };
    let entry_shown = entry_visible(&ctx, &p);
    let own_proposal = ctx.principal.member().map(|m| m.as_str()) == Some(p.proposer.as_str())
        && matches!(
            ctx.principal.role(),
            Some(Role::MemberAdmin | Role::Contributor)
        );
    let delisting_recommendation =
        p.kind == accord_procedure::ProposalKind::DelistingRecommendation;
    let name = shown_name(&state, &ctx, &p).await;
    Ok(page(
        &ctx,
        &format!(
            "{} {}: {} {}",
            l.t("proposals.proposal"),
            p.id,
            p.subject,
            name
        ),
        html! {
            h1 { (l.t("proposals.proposal")) " " (p.id) ": " code { (p.subject) } " " (name) }
            @if let Some(done) = recorded.filter(|d| action_text(l, d) != "?") {
                p.notice.ok role="status" {
                    @if done == "withdraw" { (l.t("proposals.recorded_withdrawal")) }
                    @else { (l.tf("proposals.recorded", &[("action", action_text(l, done))])) }
                }
            }
            // The subject's page, where this viewer may see it: a listing not
            // adopted names a subject only its page's own rule may show.
            @if entry_shown || p.kind != accord_procedure::ProposalKind::List {
                p { a href={ "/list/" (p.subject) } { (l.t("list_entry.subject_page")) } }
            }
            dl.facts {
                dt { (l.t("proposals.kind")) } dd { (kind_text(l, &p)) }
                dt { (l.t("proposals.proposer")) } dd { (p.proposer) }
                dt { (l.t("proposals.status")) } dd { span.badge { (status_text(l, &shown_status(&view.status, entry_shown))) } }
                dt { (l.t("proposals.deadline")) } dd { (format_instant(view.deadline_local)) " (" (view.zone_label) ")" }
                @if let Some(left) = &view.time_left {
                    dt { (l.t("proposals.time_left")) } dd { (time_left_text(l, left)) }
                }
                dt { (l.t("proposals.tally")) }
                dd { (l.tf("proposals.tally_text", &[
                    ("deciders", &view.tally.deciders.to_string()), ("concurred", &view.tally.concurred.to_string()),
                    ("objected", &view.tally.objected.to_string()), ("on_hold", &view.tally.on_hold.to_string()),
                    ("silent", &view.tally.silent.to_string()),
                ])) }
                @if entry_shown { dt { (l.t("proposals.summary")) } dd { (p.narrative_summary) } }
                @if let Some(un) = p.un_reference.as_ref().filter(|_| entry_shown) {
                    dt { (l.t("proposals.un_reference")) }
                    dd {
                        code { (un) }
                        @match &un_entry {
                            Some(e) => { ": " @for (i, n) in e.names.iter().enumerate() { @if i > 0 { "; " } (n.text) } }
                            None => { " " span.muted { (l.t("proposals.un_entry_gone")) } }
                        }
                    }
                }
            }
            @if !entry_shown { p.notice { (l.t("proposals.entry_restricted_note")) } }
            @if let Some(e) = p.proposed_entry.as_ref().filter(|_| entry_shown) {
                h2 { (l.t("proposals.proposed_entry")) }
                dl.facts {
                    dt { (l.t("proposals.names")) }
                    dd { @for (i, n) in e.names.iter().enumerate() { @if i > 0 { br; } (super::common_list::name_line(l, n)) } }
                    dt { (l.t("proposals.facts")) }
                    dd { (super::common_list::entry_facts(l, e)) }
                }
            }
            @if let Some(positions) = &view.positions {
                h2 { (l.t("proposals.positions")) }
                table { tbody { @for (member, position) in positions {
                    tr { td { (member.as_str()) } td { (position_text(l, position)) } }
                } } }
            }
            @if statement {
                p { a href={ "/proposals/" (p.id) "/statement" } { (l.t("proposals.read_statement")) } " (TLP:" (p.statement_tlp.as_str()) ")" }
                h2 { (l.t("proposals.evidence")) }
                @if evidence.is_empty() { p.muted { (l.t("proposals.no_evidence")) } } @else {
                    ul { @for e in &evidence {
                        li { a href={ "/proposals/" (p.id) "/evidence/" (e.id) } { (e.file_name) } " (" (crate::render::file_size(l, e.size as u64)) ", " (e.added_by) ")" }
                    } }
                }
                // A decided proposal takes no more evidence (the store refuses it too).
                @if own_proposal && p.closed_at.is_none() {
                    form.stacked method="post" action={ "/proposals/" (p.id) "/evidence" } enctype="multipart/form-data" {
                        (csrf_field(&ctx))
                        div.field { label for="file" { (l.t("proposals.attach")) } input type="file" id="file" name="file" required; }
                        button.secondary type="submit" { (l.t("proposals.attach_button")) }
                    }
                }
            }
            @if !signed.is_empty() {
                h2 { (l.t("decisions.signed_title")) }
                table { thead { tr { th { (l.t("decisions.member")) } th { (l.t("decisions.decision")) } th { (l.t("decisions.signed_at")) } } }
                    tbody { @for d in &signed {
                        tr { td { (d.member_code) } td { (action_text(l, if d.decision == "lift" { "lift_hold" } else { &d.decision })) } td { (format_ms(d.at * 1000)) } }
                    } }
                }
            }
            @if can_decide && !view.available_actions.is_empty() {
                h2 { (l.t("proposals.decide")) }
                @if !has_key {
                    @if let Some(m) = ctx.principal.member() {
                        p.notice { (l.t("decisions.no_key_here")) " " a href={ "/members/" (m) "#signing-key" } { (l.t("decisions.register_key")) } }
                    }
                }
                // Under reverse consensus the question is whether to keep
                // the listing; the buttons say so rather than "concur/object".
                @if delisting_recommendation {
                    p.notice { strong { (l.tf("proposals.delisting_question", &[("name", &name)])) } }
                }
                p.hint { (l.t("decisions.two_steps")) }
                (form_errors(l, refused.as_ref().map(|r| r.errors)))
                form.stacked #decide method="post" action={ "/proposals/" (p.id) "/decide" } {
                    (csrf_field(&ctx))
                    (Field::textarea("reason", l.t("proposals.reason"), refused.as_ref().map_or("", |r| r.reason))
                        .hint(l.t("proposals.reason_hint")).render_in(l, refused.as_ref().map(|r| r.errors)))
                    div.actions { @for a in &view.available_actions {
                        button type="submit" name="action" value=(action_value(*a)) {
                            @match (delisting_recommendation, a) {
                                (true, ActionKind::Concur) => (l.t("proposals.accept_delisting")),
                                (true, ActionKind::Object) => (l.t("proposals.keep_listing")),
                                _ => (action_label(l, *a)),
                            }
                        }
                    } }
                }
            }
            p { a href="/proposals" { (l.t("proposals.back")) } }
        },
    ))
}

/// A proposal as the API shows it: the procedure's view for this viewer
/// (positions only where the rule lets them be seen), never the statement.
#[derive(serde::Serialize)]
pub struct ProposalJson {
    id: i64,
    subject: String,
    kind: &'static str,
    proposer: String,
    /// Empty, like `proposed_entry`, when `entry_restricted`.
    narrative_summary: String,
    proposed_entry: Option<ListEntry>,
    /// True when whom the proposal names is withheld from this caller
    /// until adoption (docs/common-list.md, "Who sees a proposal").
    entry_restricted: bool,
    /// The entry of the stored UN list the subject is linked to.
    un_reference: Option<String>,
    view: accord_procedure::ProposalView,
}

/// The status as this viewer may read it: a withdrawal's reason is the
/// proposer's words about the person, withheld with the entry.
fn shown_status(status: &accord_procedure::Status, entry_shown: bool) -> accord_procedure::Status {
    match status {
        accord_procedure::Status::Withdrawn { at, by, .. } if !entry_shown => {
            accord_procedure::Status::Withdrawn {
                at: *at,
                by: by.clone(),
                reason: None,
            }
        }
        other => other.clone(),
    }
}

pub(super) fn to_json(ctx: &Ctx, p: ProposalRecord) -> Result<ProposalJson, WebError> {
    let who = viewer(ctx)?;
    let mut view = accord_procedure::view(&p.rule, &p.state, &who, time::OffsetDateTime::now_utc());
    let shown = entry_visible(ctx, &p);
    view.status = shown_status(&view.status, shown);
    if !shown {
        for record in &mut view.history {
            if let accord_procedure::Happened::Withdrawn { reason, .. } = &mut record.what {
                *reason = None;
            }
        }
    }
    Ok(ProposalJson {
        id: p.id,
        subject: p.subject,
        kind: accord_store::common_list::proposal_kind_str(p.kind),
        proposer: p.proposer,
        narrative_summary: if shown {
            p.narrative_summary
        } else {
            String::new()
        },
        proposed_entry: p.proposed_entry.filter(|_| shown),
        entry_restricted: !shown,
        un_reference: p.un_reference.filter(|_| shown),
        view,
    })
}

/// The proposals, filtered, ordered and paged as the list page is.
pub async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> Result<axum::Json<Listed<ProposalJson>>, WebError> {
    ctx.require(&state, &Action::ViewProposals).await?;
    let mut q = ListQuery::parse(raw.as_deref(), ctx.lang);
    let proposers = proposers(&state, ctx.lang).await?;
    let listed = listed_proposals(&state, &ctx, &mut q, &proposers).await?;
    q.check()?;
    let mut out = Vec::new();
    for p in listed.items {
        out.push(to_json(&ctx, p)?);
    }
    Ok(axum::Json(Listed::new(q.window(), listed.total, out)))
}

pub async fn api_get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<axum::Json<ProposalJson>, WebError> {
    ctx.require(&state, &Action::ViewProposals).await?;
    let p = state.store.proposal(id).await?;
    Ok(axum::Json(to_json(&ctx, p)?))
}

pub async fn api_create(
    State(state): State<AppState>,
    ctx: Ctx,
    crate::forms::ApiJson(body): crate::forms::ApiJson<ProposalInput>,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::Propose).await?;
    let new = build(&body)?;
    if !body.confirm_not_duplicate {
        let duplicates = possible_duplicates(&state, &ctx, &new).await?;
        if !duplicates.is_empty() {
            let message = "the subject may already be listed or proposed: see possible_duplicates; \
                           send \"confirm_not_duplicate\": true to propose it all the same";
            let body = serde_json::json!({
                "error": { "status": 409, "code": "possible_duplicates", "message": message, "fields": [] },
                "possible_duplicates": duplicates,
            });
            return Ok((StatusCode::CONFLICT, axum::Json(body)).into_response());
        }
    }
    let p = state
        .store
        .create_proposal(
            &ctx.actor(),
            &ctx.principal,
            new,
            time::OffsetDateTime::now_utc(),
        )
        .await?;
    Ok((StatusCode::CREATED, axum::Json(to_json(&ctx, p)?)).into_response())
}

pub async fn statement_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    ctx.require(&state, &Action::ViewProposals).await?;
    let p = state.store.proposal(id).await?;
    if !may_read_statement(&ctx, &p) {
        ctx.require(&state, &Action::ReadRestrictedStatement)
            .await?;
    }
    let s = state.store.statement_of_case(&ctx.actor(), id).await?;
    let l = ctx.lang;
    Ok(page(
        &ctx,
        l.t("proposals.statement"),
        html! {
            h1 { (l.t("proposals.statement")) " — " code { (s.subject) } }
            p { span.badge.warn { "TLP:" (s.tlp.as_str()) } " " (l.t("proposals.audited")) }
            div.notice { p style="white-space: pre-wrap" { (s.text) } }
            p { a href={ "/proposals/" (id) } { (l.t("proposals.back_to")) } }
        },
    ))
}

/// The proposing member's users attach evidence to their proposal.
pub async fn add_evidence(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    upload: crate::forms::Upload,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::Propose).await?;
    let p = state.store.proposal(id).await?;
    if ctx.principal.member().map(|m| m.as_str()) != Some(p.proposer.as_str()) {
        ctx.require(&state, &Action::ReadRestrictedStatement)
            .await?;
    }
    let Some((_, file_name, bytes)) = upload
        .fields
        .iter()
        .find(|(n, _, d)| n == "file" && !d.is_empty())
    else {
        return Err(Invalid::field("file", "choose the file to attach").into());
    };
    let file_name = file_name.clone().unwrap_or_else(|| "evidence".into());
    let content_type = crate::files::checked_type(&file_name, bytes)?;
    let new = accord_store::common_list::NewEvidence {
        file_name,
        content_type: content_type.into(),
        bytes: bytes.clone(),
    };
    state.store.add_evidence(&ctx.actor(), id, &new).await?;
    Ok(Redirect::to(&format!("/proposals/{id}")).into_response())
}

/// Evidence is as confidential as the statement of case; every read audited.
pub async fn evidence_download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, evidence_id)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::ViewProposals).await?;
    let p = state.store.proposal(id).await?;
    if !may_read_statement(&ctx, &p) {
        ctx.require(&state, &Action::ReadRestrictedStatement)
            .await?;
    }
    if !state
        .store
        .evidence(id)
        .await?
        .iter()
        .any(|e| e.id == evidence_id)
    {
        return Err(WebError::NotFound(format!(
            "evidence {evidence_id} of proposal {id}"
        )));
    }
    let (meta, bytes) = state.store.evidence_file(&ctx.actor(), evidence_id).await?;
    Ok(crate::files::attachment(
        &meta.file_name,
        &meta.content_type,
        bytes,
    ))
}
