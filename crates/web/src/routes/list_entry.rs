//! One subject of the common list: its entry as last published and its
//! history. What the published versions say of it is public, as the list
//! is; proposals and merges are shown to those who view proposals, and
//! petitions to the ombudsperson, each under the rule its own pages use.

use accord_core::{Action, authorize};
use accord_store::StoreError;
use accord_store::common_list::{
    ListVersion, Merge, PetitionStatus, ProposalRecord, PublishedEntry, Subject, VersionCause,
};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Html;
use maud::{Markup, html};
use serde::Serialize;

use crate::context::Ctx;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::render::{format_ms, page};
use crate::state::AppState;

/// What a version did to the subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Added,
    Changed,
    Removed,
}

/// One version that changed the subject.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub version: i64,
    pub published_at: i64,
    pub change: Change,
    pub cause: VersionCause,
    /// The fields a change touched (empty when added or removed).
    pub fields: Vec<String>,
    pub proposal_id: Option<i64>,
}

/// The versions that changed `id`, oldest first, from the versions' own
/// records of what changed (newest first, as the store lists them).
pub fn events(versions: &[ListVersion], id: &str) -> Vec<Event> {
    versions
        .iter()
        .rev()
        .filter_map(|v| {
            let (change, fields) = if v.changes.added.iter().any(|r| r == id) {
                (Change::Added, Vec::new())
            } else if v.changes.removed.iter().any(|r| r == id) {
                (Change::Removed, Vec::new())
            } else {
                let c = v.changes.changed.iter().find(|c| c.reference == id)?;
                (Change::Changed, c.fields.clone())
            };
            Some(Event {
                version: v.version,
                published_at: v.created_at,
                change,
                cause: v.cause,
                fields,
                proposal_id: v.proposal_id,
            })
        })
        .collect()
}

/// A run of consecutive versions that hold the subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Span {
    pub from: i64,
    pub to: i64,
}

/// The runs of versions the subject is in, given its events and the
/// current version.
pub fn spans(events: &[Event], current: i64) -> Vec<Span> {
    let mut out = Vec::new();
    let mut since = None;
    for e in events {
        match e.change {
            Change::Added => since = since.or(Some(e.version)),
            Change::Removed => {
                if let Some(from) = since.take() {
                    out.push(Span {
                        from,
                        to: e.version - 1,
                    });
                }
            }
            Change::Changed => {}
        }
    }
    if let Some(from) = since {
        out.push(Span { from, to: current });
    }
    out
}

/// Where the subject stands, as the published history shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    Listed,
    Delisted,
    /// Removed by a merge into another subject.
    Merged,
    /// Removed when a merge was undone.
    Removed,
    /// Never in a published version (shown only to those who may see it).
    Unpublished,
}

/// Another published subject whose entry links to this one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkedFrom {
    pub public_id: String,
    pub relation: String,
    pub name: String,
}

/// A proposal about the subject, as the proposals list shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProposalLine {
    pub id: i64,
    pub kind: &'static str,
    pub proposer: String,
    pub status: &'static str,
    pub opened_at: i64,
    pub closed_at: Option<i64>,
    /// The procedure's status as this viewer sees it (with its dates).
    #[serde(skip)]
    pub procedure_status: accord_procedure::Status,
}

/// A petition as the ombudsperson's queue lists it (no personal data).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PetitionLine {
    pub id: i64,
    pub tracking_number: String,
    pub status: PetitionStatus,
    pub outcome: Option<String>,
    pub received_at: i64,
}

/// Everything the page and its JSON twin show, already cut to the viewer.
#[derive(Debug, Clone, Serialize)]
pub struct EntryView {
    pub public_id: String,
    pub standing: Standing,
    /// The entry as last published (the current version's if listed).
    pub entry: Option<PublishedEntry>,
    /// The version `entry` is from.
    pub shown_version: Option<i64>,
    pub current_version: Option<i64>,
    pub published_in: Vec<Span>,
    pub events: Vec<Event>,
    pub linked_from: Vec<LinkedFrom>,
    /// A subject never published, for those the proposals' rule lets see it.
    pub subject: Option<Subject>,
    /// `None`: the viewer does not view proposals.
    pub proposals: Option<Vec<ProposalLine>>,
    pub merges: Option<Vec<Merge>>,
    /// `None`: the viewer does not review petitions.
    pub petitions: Option<Vec<PetitionLine>>,
}

fn standing(events: &[Event]) -> Standing {
    match events.last() {
        None => Standing::Unpublished,
        Some(e) if e.change != Change::Removed => Standing::Listed,
        Some(e) => match e.cause {
            VersionCause::Proposal => Standing::Delisted,
            VersionCause::Merge => Standing::Merged,
            VersionCause::Unmerge => Standing::Removed,
        },
    }
}

/// The subject `id` as `ctx` may see it; not found when it was never
/// published and the viewer may not see it under the proposals' rule.
pub async fn load(state: &AppState, ctx: &Ctx, id: &str) -> Result<EntryView, WebError> {
    let id = id.trim().to_uppercase();
    let not_found = || WebError::NotFound(format!("list entry {id}"));
    let versions = state.store.list_versions().await?;
    let current = versions.first().map(|v| v.version);
    let events = events(&versions, &id);
    let published_in = spans(&events, current.unwrap_or(0));
    let views_proposals = authorize(&ctx.principal, &Action::ViewProposals).is_ok();
    let (entry, shown_version, linked_from, subject) = match published_in.last() {
        Some(span) => {
            let v = state.store.published_list_alone(Some(span.to)).await?;
            let linked_from = linked_from(&v.entries, &id);
            let entry = v.entries.into_iter().find(|e| e.public_id == id);
            (entry, Some(span.to), linked_from, None)
        }
        None => {
            if !views_proposals {
                return Err(not_found());
            }
            let subject = match state.store.subject(&id).await {
                Ok(s) => s,
                Err(StoreError::NotFound(_)) => return Err(not_found()),
                Err(e) => return Err(e.into()),
            };
            if !super::subjects::may_see_unlisted(state, ctx, &subject).await? {
                return Err(not_found());
            }
            (None, None, Vec::new(), Some(subject))
        }
    };
    let (proposals, merges) = if views_proposals {
        // The procedure's view for this viewer, as the proposal page shows
        // it; one the procedure does not know sees the stored status, as the
        // proposals list shows it.
        let who = accord_procedure::Actor::of(&ctx.principal);
        let now = time::OffsetDateTime::now_utc();
        let proposals: Vec<ProposalRecord> = state.store.subject_proposals(&id).await?;
        let lines = proposals
            .iter()
            .map(|p| ProposalLine {
                id: p.id,
                kind: accord_store::common_list::proposal_kind_str(p.kind),
                proposer: p.proposer.clone(),
                status: p.status.as_str(),
                // When the procedure opened it (a record may be stored later).
                opened_at: p.state.opened_at.unix_timestamp() * 1000,
                closed_at: p.closed_at,
                procedure_status: match &who {
                    Some(w) => accord_procedure::view(&p.rule, &p.state, w, now).status,
                    // Not a party to the procedure: never the deciders' names.
                    None => p.state.status.anonymous(),
                },
            })
            .collect();
        (Some(lines), Some(state.store.merges(&id).await?))
    } else {
        (None, None)
    };
    let petitions = if authorize(&ctx.principal, &Action::ReviewPetitions).is_ok() {
        Some(
            state
                .store
                .subject_petitions(&id)
                .await?
                .into_iter()
                .map(|(pid, t)| PetitionLine {
                    id: pid,
                    tracking_number: t.tracking_number,
                    status: t.status,
                    outcome: t.outcome,
                    received_at: t.created_at,
                })
                .collect(),
        )
    } else {
        None
    };
    Ok(EntryView {
        standing: standing(&events),
        public_id: id,
        entry,
        shown_version,
        current_version: current,
        published_in,
        events,
        linked_from,
        subject,
        proposals,
        merges,
        petitions,
    })
}

fn linked_from(entries: &[PublishedEntry], id: &str) -> Vec<LinkedFrom> {
    entries
        .iter()
        .flat_map(|e| {
            e.entry
                .links
                .iter()
                .filter(|k| k.target_reference.as_deref() == Some(id))
                .map(|k| LinkedFrom {
                    public_id: e.public_id.clone(),
                    relation: k.relation.clone(),
                    name: e.entry.primary_name().unwrap_or_default().to_string(),
                })
        })
        .collect()
}

fn event_text(l: Lang, e: &Event) -> String {
    let fields = e
        .fields
        .iter()
        .map(|f| l.field_label(f))
        .collect::<Vec<_>>()
        .join(", ");
    let key = match (e.change, e.cause) {
        (Change::Added, VersionCause::Proposal) => "list_entry.ev_listed",
        (Change::Added, VersionCause::Merge) => "list_entry.ev_added_by_merge",
        (Change::Added, VersionCause::Unmerge) => "list_entry.ev_restored",
        (Change::Removed, VersionCause::Proposal) => "list_entry.ev_delisted",
        (Change::Removed, VersionCause::Merge) => "list_entry.ev_merged_away",
        (Change::Removed, VersionCause::Unmerge) => "list_entry.ev_removed_by_unmerge",
        (Change::Changed, VersionCause::Proposal) => "list_entry.ev_amended",
        (Change::Changed, VersionCause::Merge) => "list_entry.ev_amended_by_merge",
        (Change::Changed, VersionCause::Unmerge) => "list_entry.ev_amended_by_unmerge",
    };
    l.tf(key, &[("fields", &fields)])
}

fn standing_notice(l: Lang, v: &EntryView) -> Markup {
    let key = match v.standing {
        Standing::Listed => {
            return html! { p { span.badge.good { (l.t("list_entry.st_listed")) } } };
        }
        Standing::Unpublished => {
            return html! { div.notice role="status" { (l.t("list_entry.st_unpublished")) } };
        }
        Standing::Delisted => "list_entry.st_delisted",
        Standing::Merged => "list_entry.st_merged",
        Standing::Removed => "list_entry.st_removed",
    };
    // The version that removed it is the last that changed it.
    let (version, date) = v
        .events
        .last()
        .map(|e| (e.version.to_string(), format_ms(e.published_at)))
        .unwrap_or_default();
    html! {
        div.notice role="status" { strong { (l.tf(key, &[("version", &version), ("date", &date)])) } }
    }
}

fn facts(l: Lang, v: &EntryView) -> Markup {
    let (kind, entry, summary, listed_on, un) = match (&v.entry, &v.subject) {
        (Some(e), _) => (
            e.kind,
            &e.entry,
            e.narrative_summary.as_str(),
            e.listed_on.clone(),
            e.un_reference.as_deref(),
        ),
        (None, Some(s)) => (
            s.kind,
            &s.entry,
            s.narrative_summary.as_str(),
            s.listed_on.map(|d| d.to_string()),
            s.un_reference.as_deref(),
        ),
        (None, None) => return html! {},
    };
    html! {
        dl.facts {
            dt { (l.t("list_entry.identifier")) } dd { code { (v.public_id) } }
            dt { (l.t("list_entry.kind")) } dd { (super::common_list::kind_label(l, kind)) }
            dt { (l.t("list_entry.names")) }
            dd { @for (i, n) in entry.names.iter().enumerate() { @if i > 0 { br; } (super::common_list::name_line(l, n)) } }
            dt { (l.t("list_entry.identifiers")) }
            dd {
                (super::common_list::entry_facts(l, entry))
                @if entry.birth_dates.is_empty() && entry.birth_places.is_empty() && entry.nationalities.is_empty()
                    && entry.documents.is_empty() && entry.addresses.is_empty() && entry.links.is_empty() { "—" }
            }
            @if let Some(un) = un { dt { (l.t("list_entry.un_reference")) } dd { code { (un) } } }
            dt { (l.t("list_entry.listed_on")) } dd { (listed_on.as_deref().unwrap_or("—")) }
            dt { (l.t("list_entry.reasons")) } dd { (summary) }
            @if !v.linked_from.is_empty() {
                dt { (l.t("list_entry.linked_from")) }
                dd { @for k in &v.linked_from {
                    a href={ "/list/" (k.public_id) } { code { (k.public_id) } } " " (k.name)
                    " " span.muted { "(" (super::common_list::relation_text(l, &k.relation)) ")" } br;
                } }
            }
        }
    }
}

fn published_history(l: Lang, v: &EntryView, views_proposals: bool) -> Markup {
    html! {
        h3 { (l.t("list_entry.published_history")) }
        @if v.published_in.is_empty() { p.muted { (l.t("list_entry.never_published")) } } @else {
            p { (l.t("list_entry.in_versions")) " "
                @for (i, s) in v.published_in.iter().enumerate() {
                    @if i > 0 { ", " }
                    a href={ "/list?version=" (s.from) } { (s.from) }
                    @if s.to > s.from { "–" a href={ "/list?version=" (s.to) } { (s.to) } }
                }
            }
            table {
                thead { tr {
                    th scope="col" { (l.t("list.version")) } th scope="col" { (l.t("list.published")) }
                    th scope="col" { (l.t("list_entry.what_happened")) }
                } }
                tbody { @for e in &v.events {
                    tr {
                        td { a href={ "/list?version=" (e.version) } { (e.version) } }
                        td { (format_ms(e.published_at)) }
                        td {
                            (event_text(l, e))
                            @if let Some(pid) = e.proposal_id.filter(|_| views_proposals) {
                                " · " a href={ "/proposals/" (pid) } { (l.t("proposals.proposal")) " " (pid) }
                            }
                            " · " a href={ "/list/changes?from=" (e.version - 1) "&to=" (e.version) } { (l.t("list_entry.see_changes")) }
                        }
                    }
                } }
            }
        }
    }
}

fn proposals_table(l: Lang, lines: &[ProposalLine]) -> Markup {
    html! {
        h3 { (l.t("list_entry.proposals")) }
        @if lines.is_empty() { p.muted { (l.t("list_entry.no_proposals")) } } @else {
            table {
                thead { tr {
                    th scope="col" { "#" } th scope="col" { (l.t("proposals.kind")) }
                    th scope="col" { (l.t("proposals.proposer")) } th scope="col" { (l.t("proposals.status")) }
                    th scope="col" { (l.t("list_entry.opened")) } th scope="col" { (l.t("list_entry.closed")) }
                } }
                tbody { @for p in lines {
                    tr {
                        td { a href={ "/proposals/" (p.id) } { (p.id) } }
                        td { (super::proposals::kind_name_label(l, p.kind)) }
                        td { (p.proposer) }
                        td { span.badge { (super::proposals::status_text(l, &p.procedure_status)) } }
                        td { (format_ms(p.opened_at)) }
                        td { (p.closed_at.map(format_ms).unwrap_or_else(|| "—".into())) }
                    }
                } }
            }
        }
    }
}

fn merges_table(l: Lang, id: &str, merges: &[Merge]) -> Markup {
    html! {
        h3 { (l.t("list_entry.merges")) }
        @if merges.is_empty() { p.muted { (l.t("list_entry.no_merges")) } } @else {
            ul { @for m in merges {
                li {
                    @if m.from == id {
                        (l.t("list_entry.merged_into")) " " a href={ "/list/" (m.into) } { code { (m.into) } }
                    } @else {
                        a href={ "/list/" (m.from) } { code { (m.from) } } " " (l.t("list_entry.merged_here"))
                    }
                    " — " (format_ms(m.merged_at)) ", " (m.merged_by) ": " (m.reason)
                    @if let Some(at) = m.undone_at {
                        " " span.badge { (l.tf("list_entry.merge_undone", &[("date", &format_ms(at))])) }
                    }
                }
            } }
        }
    }
}

fn petitions_table(l: Lang, lines: &[PetitionLine]) -> Markup {
    html! {
        h3 { (l.t("list_entry.petitions")) }
        @if lines.is_empty() { p.muted { (l.t("list_entry.no_petitions")) } } @else {
            table {
                thead { tr {
                    th scope="col" { (l.t("petition.tracking")) } th scope="col" { (l.t("petition.status")) }
                    th scope="col" { (l.t("petition.received_on")) }
                } }
                tbody { @for p in lines {
                    tr {
                        td { a href={ "/ombudsperson/petitions/" (p.id) } { code { (p.tracking_number) } } }
                        td { span.badge { (super::petitions::status_label(l, p.status)) } @if let Some(o) = &p.outcome { " " (super::petitions::outcome_label(l, o)) } }
                        td { (format_ms(p.received_at)) }
                    }
                } }
            }
        }
    }
}

pub async fn entry_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    ctx.require(&state, &Action::ViewPublishedList).await?;
    let l = ctx.lang;
    let v = load(&state, &ctx, &id).await?;
    let name = v
        .entry
        .as_ref()
        .map(|e| &e.entry)
        .or(v.subject.as_ref().map(|s| &s.entry))
        .and_then(|e| e.primary_name())
        .unwrap_or_default()
        .to_string();
    let views_proposals = v.proposals.is_some();
    Ok(page(
        &ctx,
        &format!("{} {}", v.public_id, name),
        html! {
            p.muted { a href="/list" { (l.t("list.title")) } " › " code { (v.public_id) } }
            h1 { code { (v.public_id) } " " (name) }
            (standing_notice(l, &v))
            @if let (Some(shown), Some(current)) = (v.shown_version, v.current_version) {
                @if shown != current {
                    p.muted { (l.tf("list_entry.as_in_version", &[("version", &shown.to_string())])) " "
                        a href={ "/list?version=" (shown) } { (l.t("list_entry.view_version")) } }
                }
            }
            (facts(l, &v))
            h2 { (l.t("list_entry.history")) }
            (published_history(l, &v, views_proposals))
            @if let Some(lines) = &v.proposals { (proposals_table(l, lines)) }
            @if let Some(merges) = &v.merges { (merges_table(l, &v.public_id, merges)) }
            @if let Some(lines) = &v.petitions { (petitions_table(l, lines)) }
            @if v.proposals.is_none() { p.muted { (l.t("list_entry.procedure_for_members")) } }
            p { a href="/list" { (l.t("list.back")) } " · "
                a href={ "/api/list/entries/" (v.public_id) } { "JSON" } }
        },
    ))
}

/// The page's JSON twin.
pub async fn api_entry(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Json<EntryView>, WebError> {
    ctx.require(&state, &Action::ViewPublishedList).await?;
    Ok(Json(load(&state, &ctx, &id).await?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use accord_lists::{ChangedEntry, ListDiff};

    fn version(n: i64, cause: VersionCause, changes: ListDiff) -> ListVersion {
        ListVersion {
            version: n,
            created_at: n * 1000,
            entry_count: 0,
            changes,
            cause,
            proposal_id: Some(n),
            merge_id: None,
        }
    }

    fn diff(added: &[&str], removed: &[&str], changed: &[&str]) -> ListDiff {
        ListDiff {
            added: added.iter().map(|s| s.to_string()).collect(),
            removed: removed.iter().map(|s| s.to_string()).collect(),
            changed: changed
                .iter()
                .map(|s| ChangedEntry {
                    reference: s.to_string(),
                    fields: vec!["names".into()],
                })
                .collect(),
        }
    }

    #[test]
    fn a_subject_listed_amended_merged_away_and_restored_has_its_runs_of_versions() {
        // Newest first, as the store lists them.
        let versions = vec![
            version(5, VersionCause::Proposal, diff(&["B"], &[], &[])),
            version(4, VersionCause::Unmerge, diff(&["A"], &[], &[])),
            version(3, VersionCause::Merge, diff(&[], &["A"], &["C"])),
            version(2, VersionCause::Proposal, diff(&[], &[], &["A"])),
            version(1, VersionCause::Proposal, diff(&["A", "C"], &[], &[])),
        ];
        let a = events(&versions, "A");
        assert_eq!(
            a.iter().map(|e| (e.version, e.change)).collect::<Vec<_>>(),
            vec![
                (1, Change::Added),
                (2, Change::Changed),
                (3, Change::Removed),
                (4, Change::Added)
            ]
        );
        assert_eq!(
            spans(&a, 5),
            vec![Span { from: 1, to: 2 }, Span { from: 4, to: 5 }]
        );
        assert_eq!(standing(&a), Standing::Listed);
        assert_eq!(standing(&a[..3]), Standing::Merged);
        assert_eq!(standing(&events(&versions, "Z")), Standing::Unpublished);
        assert!(spans(&events(&versions, "Z"), 5).is_empty());
    }

    #[test]
    fn a_delisting_is_told_from_a_merge_by_what_made_the_version() {
        let versions = vec![
            version(2, VersionCause::Proposal, diff(&[], &["A"], &[])),
            version(1, VersionCause::Proposal, diff(&["A"], &[], &[])),
        ];
        let a = events(&versions, "A");
        assert_eq!(standing(&a), Standing::Delisted);
        assert_eq!(spans(&a, 2), vec![Span { from: 1, to: 1 }]);
    }
}
