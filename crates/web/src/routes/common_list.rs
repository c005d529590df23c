//! The published common list: public, as its reasons are. The current
//! version and any past one, their differences, and exports in the formats
//! other tools read, with ETags for caching.

use accord_core::Action;
use accord_exports::content_hash;
use accord_lists::{EntryName, ListEntry, NameKind, NameQuality};
use accord_store::common_list::{ListVersion, PublishedEntry, SubjectKind};
use axum::Json;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;

use crate::context::Ctx;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::publication::ExportFormat;
use crate::render::{format_ms, page};
use crate::screening_state::COMMON_DATASET;
use crate::state::AppState;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    q: String,
    version: Option<i64>,
}

fn matches(entry: &PublishedEntry, q: &str) -> bool {
    let q = q.trim().to_lowercase();
    q.is_empty()
        || entry.public_id.to_lowercase().contains(&q)
        || entry
            .entry
            .names
            .iter()
            .any(|n| n.text.to_lowercase().contains(&q))
        || entry
            .un_reference
            .as_deref()
            .is_some_and(|r| r.to_lowercase().contains(&q))
}

pub(crate) fn relation_text(l: Lang, relation: &str) -> String {
    match relation {
        "member_of" => l.t("proposals.rel_member_of").to_string(),
        "sponsor_of" => l.t("proposals.rel_sponsor_of").to_string(),
        "leader_of" => l.t("proposals.rel_leader_of").to_string(),
        "alias_of" => l.t("proposals.rel_alias_of").to_string(),
        other => other.replace('_', " "),
    }
}

/// A name with what is known of it: kind, script, language, weak quality.
pub(crate) fn name_line(l: Lang, n: &EntryName) -> Markup {
    let kind = match n.kind {
        NameKind::Primary => None,
        NameKind::Alias => Some(l.t("proposals.nk_alias")),
        NameKind::FormerName => Some(l.t("proposals.nk_former")),
        NameKind::OriginalScript => Some(l.t("proposals.original_script")),
    };
    let notes: Vec<&str> = kind
        .into_iter()
        .chain(n.script.as_deref())
        .chain(n.language.as_deref())
        .chain((n.quality == NameQuality::Weak).then(|| l.t("list.weak")))
        .collect();
    html! {
        span lang=[n.language.as_deref()] { (n.text) }
        @if !notes.is_empty() { " " span.muted { "(" (notes.join(", ")) ")" } }
    }
}

/// The identifying facts of an entry beyond its names: birth dates and
/// places, nationalities, documents, addresses and links to other subjects.
pub(crate) fn entry_facts(l: Lang, e: &ListEntry) -> Markup {
    html! {
        @for d in &e.birth_dates { (l.t("list.born")) " " (d.original) br; }
        @for p in &e.birth_places { (l.t("list.born_in")) " " (p) br; }
        @if !e.nationalities.is_empty() { (l.t("list.nationality")) " " (e.nationalities.join(", ")) br; }
        @for d in &e.documents {
            (d.kind) " " code { (d.number) }
            @if let Some(c) = &d.country { " (" (c) ")" }
            @if let Some(n) = &d.note { " — " (n) }
            br;
        }
        @for a in &e.addresses { (l.t("list.address")) " " (a.full()) br; }
        @for k in &e.links {
            (relation_text(l, &k.relation)) " "
            @if let Some(r) = &k.target_reference { a href={ "/list/" (crate::render::url_encode(r)) } { code { (r) } } " " }
            @if let Some(n) = &k.target_name { (n) }
            br;
        }
    }
}

/// A screening hit's reference and dataset: a link to the entry's page when
/// the hit is on the common list.
pub(crate) fn hit_reference(id: &str, dataset: &str) -> Markup {
    html! {
        @if dataset == COMMON_DATASET {
            a href={ "/list/" (crate::render::url_encode(id)) } { code { (id) } }
        } @else { code { (id) } }
        " " span.badge { (dataset) }
    }
}

fn entries_table(l: Lang, entries: &[&PublishedEntry]) -> Markup {
    html! {
        table {
            thead { tr {
                th scope="col" { (l.t("list.id")) } th scope="col" { (l.t("list.names")) }
                th scope="col" { (l.t("list.identifiers")) } th scope="col" { (l.t("list.listed_on")) }
                th scope="col" { (l.t("list.reasons")) }
            } }
            tbody { @for e in entries {
                tr {
                    td { a href={ "/list/" (e.public_id) } { code { (e.public_id) } } }
                    td { @for (i, n) in e.entry.names.iter().enumerate() {
                        @if i == 0 { a href={ "/list/" (e.public_id) } { strong { (n.text) } } } @else { br; (name_line(l, n)) }
                    } }
                    td {
                        @if let Some(un) = &e.un_reference { "UN " code { (un) } br; }
                        (entry_facts(l, &e.entry))
                    }
                    td.nowrap { (e.listed_on.as_deref().unwrap_or("—")) }
                    td { (e.narrative_summary) }
                }
            } }
        }
    }
}

fn versions_table(l: Lang, versions: &[ListVersion]) -> Markup {
    html! {
        table {
            thead { tr {
                th scope="col" { (l.t("list.version")) } th scope="col" { (l.t("list.published")) }
                th scope="col" { (l.t("list.entries")) } th scope="col" { (l.t("list.changes")) }
                th scope="col" { (l.t("proof.column")) }
            } }
            tbody { @for v in versions {
                tr {
                    td { a href={ "/list?version=" (v.version) } { (v.version) } }
                    td { (format_ms(v.created_at)) }
                    td { (v.entry_count) }
                    td { a href={ "/list/changes?from=" (v.version - 1) "&to=" (v.version) } {
                        (l.tf("lists.change_counts", &[
                            ("added", &v.changes.added.len().to_string()),
                            ("removed", &v.changes.removed.len().to_string()),
                            ("changed", &v.changes.changed.len().to_string()),
                            ("skipped", "0"),
                        ]))
                    } }
                    td { (super::transparency::version_links(l, v.version)) }
                }
            } }
        }
    }
}

/// Entries shown on one page of the list.
pub const PAGE_SIZE: usize = 50;

/// How the list is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sort {
    /// By identifier; when searching, best match first.
    Default,
    Name,
    /// Listed since, earliest first.
    Listed,
    /// Listed since, latest first.
    Recent,
}

impl Sort {
    const ALL: [(Sort, &'static str, &'static str); 4] = [
        (Sort::Default, "", "list_browse.sort_default"),
        (Sort::Name, "name", "list_browse.sort_name"),
        (Sort::Listed, "listed", "list_browse.sort_listed"),
        (Sort::Recent, "recent", "list_browse.sort_recent"),
    ];
}

/// The list page's query, as given (every value kept to show it back).
#[derive(Debug, Default, Clone)]
struct Browse {
    q: String,
    version: String,
    kind: String,
    sort: String,
    page: String,
}

/// What the query asks, once read; a bad value is dropped with a message.
struct Asked {
    version: Option<i64>,
    kind: Option<SubjectKind>,
    sort: Sort,
    page: usize,
    errors: Vec<String>,
}

fn query_pairs(raw: Option<&str>) -> Result<Vec<(String, String)>, ()> {
    serde_urlencoded::from_str(raw.unwrap_or("")).map_err(|_| ())
}

impl Browse {
    fn parse(l: Lang, raw: Option<&str>) -> (Browse, Asked) {
        let mut b = Browse::default();
        let mut errors = Vec::new();
        match query_pairs(raw) {
            Ok(pairs) => {
                for (k, v) in pairs {
                    match k.as_str() {
                        "q" => b.q = v,
                        "version" => b.version = v.trim().to_string(),
                        "kind" => b.kind = v.trim().to_string(),
                        "sort" => b.sort = v.trim().to_string(),
                        "page" => b.page = v.trim().to_string(),
                        _ => {}
                    }
                }
            }
            Err(()) => errors.push(l.t("list_browse.bad_query").to_string()),
        }
        let bad = |key: &'static str, value: &str| l.tf(key, &[("value", value)]);
        let version = match b.version.as_str() {
            "" => None,
            v => match v.parse::<i64>() {
                Ok(n) if n >= 1 => Some(n),
                _ => {
                    errors.push(bad("list_browse.bad_version", v));
                    None
                }
            },
        };
        let kind = match b.kind.as_str() {
            "" => None,
            k => match k.parse::<SubjectKind>() {
                Ok(kind) => Some(kind),
                Err(_) => {
                    errors.push(bad("list_browse.bad_kind", k));
                    None
                }
            },
        };
        let sort = match Sort::ALL.iter().find(|(_, v, _)| *v == b.sort) {
            Some((s, _, _)) => *s,
            None => {
                errors.push(bad("list_browse.bad_sort", &b.sort));
                Sort::Default
            }
        };
        let page = match b.page.as_str() {
            "" => 1,
            p => match p.parse::<usize>() {
                Ok(n) if n >= 1 => n,
                _ => {
                    errors.push(bad("list_browse.bad_page", p));
                    1
                }
            },
        };
        (
            b,
            Asked {
                version,
                kind,
                sort,
                page,
                errors,
            },
        )
    }

    /// This page's address with `page` set (the other values kept).
    fn page_href(&self, page: usize) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        for (k, v) in [
            ("q", &self.q),
            ("version", &self.version),
            ("kind", &self.kind),
            ("sort", &self.sort),
        ] {
            if !v.is_empty() {
                pairs.push((k, v.clone()));
            }
        }
        if page > 1 {
            pairs.push(("page", page.to_string()));
        }
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        if query.is_empty() {
            "/list".into()
        } else {
            format!("/list?{query}")
        }
    }
}

/// The entries a search finds, best first: those whose identifier, UN
/// reference or a name contains the text, then what the screening engine
/// finds in the common list (misspellings, other scripts). The engine
/// answers from the current version's index; in a past version its hits
/// are the entries of the same identifiers.
async fn search(
    state: &AppState,
    entries: &[PublishedEntry],
    q: &str,
) -> Result<(Vec<(String, f64)>, Option<String>), WebError> {
    let mut found: Vec<(String, f64)> = entries
        .iter()
        .filter(|e| matches(e, q))
        .map(|e| (e.public_id.clone(), 1.0))
        .collect();
    // The index follows the published list within its refresh interval
    // (the background refresher's work: a request never rebuilds it, so a
    // flood of searches cannot start rebuilds). Until it has caught up, the
    // text matches above are the answer. The list is public, so is this
    // search: it screens the common list only, under the anonymous rate
    // limit, and is not a screening of anyone's data to audit.
    let screener = state.screening.current();
    let query = accord_screening::Query {
        name: q.to_string(),
        birth_date: None,
        country: None,
        schema: None,
    };
    let options = accord_screening::ScreenOptions {
        threshold: accord_screening::DEFAULT_THRESHOLD,
        limit: entries.len().max(1),
        datasets: Some(vec![COMMON_DATASET.to_string()]),
    };
    let mut note = None;
    if screener.has_dataset(COMMON_DATASET) {
        match screener.screen(&query, &options) {
            Ok(candidates) => {
                for c in candidates {
                    if !found.iter().any(|(id, _)| *id == c.id)
                        && entries.iter().any(|e| e.public_id == c.id)
                    {
                        found.push((c.id, c.score));
                    }
                }
            }
            // An identifier has no letters to match on: the text search
            // above is the whole answer.
            Err(accord_screening::QueryError::NoLetters) => {}
            Err(e) => note = Some(e.to_string()),
        }
    }
    found.sort_by(|a, b| b.1.total_cmp(&a.1));
    Ok((found, note))
}

fn sort_entries(entries: &mut [&PublishedEntry], sort: Sort) {
    let name = |e: &PublishedEntry| e.entry.primary_name().unwrap_or_default().to_lowercase();
    match sort {
        Sort::Default => {}
        Sort::Name => entries.sort_by_cached_key(|e| (name(e), e.public_id.clone())),
        // Entries without a listing date last either way.
        Sort::Listed => entries.sort_by(|a, b| {
            (a.listed_on.is_none(), &a.listed_on, &a.public_id).cmp(&(
                b.listed_on.is_none(),
                &b.listed_on,
                &b.public_id,
            ))
        }),
        Sort::Recent => entries.sort_by(|a, b| {
            (a.listed_on.is_none(), &b.listed_on, &a.public_id).cmp(&(
                b.listed_on.is_none(),
                &a.listed_on,
                &b.public_id,
            ))
        }),
    }
}

pub(crate) fn kind_label(l: Lang, kind: SubjectKind) -> &'static str {
    match kind {
        SubjectKind::Organization => l.t("proposals.organization"),
        SubjectKind::Individual => l.t("proposals.individual"),
        SubjectKind::Sponsor => l.t("proposals.sponsor"),
    }
}

fn browse_form(l: Lang, b: &Browse, asked: &Asked) -> Markup {
    html! {
        form.filters.browse method="get" action="/list" role="search" {
            @if let Some(ver) = asked.version { input type="hidden" name="version" value=(ver); }
            div.field {
                label for="q" { (l.t("list.search")) }
                input type="search" id="q" name="q" value=(b.q);
            }
            div.field {
                label for="kind" { (l.t("list_browse.kind")) }
                select id="kind" name="kind" {
                    option value="" { (l.t("list_browse.all_kinds")) }
                    @for k in SubjectKind::ALL {
                        option value=(k.as_str()) selected[asked.kind == Some(*k)] { (kind_label(l, *k)) }
                    }
                }
            }
            div.field {
                label for="sort" { (l.t("list_browse.sort")) }
                select id="sort" name="sort" {
                    @for (s, value, label) in Sort::ALL {
                        option value=(value) selected[asked.sort == s] { (l.t(label)) }
                    }
                }
            }
            button type="submit" { (l.t("list.search_button")) }
        }
        @if !b.q.trim().is_empty() { p.muted { (l.t("list_browse.fuzzy_hint")) } }
    }
}

fn pager(l: Lang, b: &Browse, page: usize, pages: usize) -> Markup {
    html! {
        @if pages > 1 {
            nav.pager aria-label=(l.t("list_browse.pages")) {
                @if page > 1 { a rel="prev" href=(b.page_href(page - 1)) { "← " (l.t("list_browse.previous")) } }
                @for n in 1..=pages {
                    @if n == page { strong aria-current="page" { (n) } }
                    @else if n == 1 || n == pages || n.abs_diff(page) <= 2 { a href=(b.page_href(n)) { (n) } }
                    @else if n.abs_diff(page) == 3 { span.muted { "…" } }
                }
                @if page < pages { a rel="next" href=(b.page_href(page + 1)) { (l.t("list_browse.next")) " →" } }
            }
        }
    }
}

pub async fn list_page(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::ViewPublishedList).await?;
    let l = ctx.lang;
    let (b, mut asked) = Browse::parse(l, raw.as_deref());
    let latest = state.store.current_list_version().await?;
    // A version that does not exist: said so, and the current one shown.
    if let (Some(v), Some(current)) = (asked.version, latest)
        && v > current
    {
        asked
            .errors
            .push(l.tf("list_browse.bad_version", &[("value", &b.version)]));
        asked.version = None;
    }
    let current = match latest {
        Some(_) => Some(state.store.published_list_alone(asked.version).await?),
        None => None,
    };
    let versions = state.store.list_versions().await?;
    let mut search_note = None;
    let mut shown: Vec<&PublishedEntry> = Vec::new();
    if let Some(v) = &current {
        if b.q.trim().is_empty() {
            shown = v.entries.iter().collect();
        } else {
            let (found, note) = search(&state, &v.entries, b.q.trim()).await?;
            search_note = note;
            shown = found
                .iter()
                .filter_map(|(id, _)| v.entries.iter().find(|e| e.public_id == *id))
                .collect();
        }
        shown.retain(|e| asked.kind.is_none_or(|k| e.kind == k));
        sort_entries(&mut shown, asked.sort);
    }
    let pages = shown.len().div_ceil(PAGE_SIZE).max(1);
    if asked.page > pages {
        asked
            .errors
            .push(l.tf("list_browse.bad_page", &[("value", &b.page)]));
        asked.page = 1;
    }
    let first = (asked.page - 1) * PAGE_SIZE;
    let on_page: Vec<&PublishedEntry> = shown.iter().skip(first).take(PAGE_SIZE).copied().collect();
    let status = if asked.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let html = page(
        &ctx,
        l.t("list.title"),
        html! {
            h1 { (l.t("list.title")) }
            p { (l.t("list.intro")) }
            @if !asked.errors.is_empty() {
                div.notice.error role="alert" { @for e in &asked.errors { p { (e) } } }
            }
            @match &current {
                None => div.notice { (l.t("list.none")) },
                Some(v) => {
                    @if let Some(latest) = latest.filter(|c| *c != v.version.version) {
                        div.notice.warn role="status" {
                            strong { (l.tf("list_browse.superseded", &[("version", &latest.to_string())])) }
                            " " a href="/list" { (l.t("list_browse.see_current")) }
                        }
                    }
                    p { strong { (l.tf("list.version_of", &[("version", &v.version.version.to_string()), ("date", &format_ms(v.version.created_at))])) } }
                    (browse_form(l, &b, &asked))
                    @if let Some(n) = &search_note { div.notice role="status" { (l.message(n)) } }
                    @if shown.is_empty() { p.muted { (l.t("list.no_match")) } } @else {
                        p.muted { (l.tf("list_browse.showing", &[
                            ("from", &(first + 1).to_string()),
                            ("to", &(first + on_page.len()).to_string()),
                            ("total", &shown.len().to_string()),
                        ])) }
                        (entries_table(l, &on_page))
                        (pager(l, &b, asked.page, pages))
                    }
                    p { (l.t("list.download")) " "
                        @for (fmt, label) in [("csv", "CSV"), ("ftm", "FollowTheMoney JSON"), ("xml", "UN XML"), ("stix", "STIX 2.1")] {
                            a href={ "/api/list/export/" (fmt) "?version=" (v.version.version) } { (label) } " · "
                        }
                    }
                    (super::transparency::verify_block(l, v.version.version))
                }
            }
            @if !versions.is_empty() {
                h2 { (l.t("list.history")) }
                p { a href="/list/changes" { (l.t("list_browse.compare_link")) } }
                (versions_table(l, &versions))
            }
            p.muted { (l.t("list.petition_hint")) " " a href="/petition" { (l.t("list.petition_link")) } }
        },
    );
    Ok((status, html).into_response())
}

/// Two versions to compare, as asked; `0` is the empty list before the first.
#[derive(Debug, Default)]
struct Pick {
    from: String,
    to: String,
}

fn version_select(
    l: Lang,
    name: &str,
    label: &str,
    chosen: &str,
    versions: &[ListVersion],
) -> Markup {
    html! {
        div.field {
            label for=(name) { (label) }
            select id=(name) name=(name) {
                @if name == "from" { option value="0" selected[chosen == "0"] { (l.t("list_browse.empty_list")) } }
                @for v in versions.iter().rev() {
                    @let value = v.version.to_string();
                    option value=(value) selected[chosen == value] {
                        (v.version) " — " (format_ms(v.created_at))
                    }
                }
            }
        }
    }
}

/// The entries of a version, none for version 0.
async fn entries_of(state: &AppState, version: i64) -> Result<Vec<PublishedEntry>, WebError> {
    if version == 0 {
        return Ok(Vec::new());
    }
    Ok(state
        .store
        .published_list_alone(Some(version))
        .await?
        .entries)
}

fn change_item(id: &str, entries: &[PublishedEntry], extra: Option<&str>) -> Markup {
    let name = entries
        .iter()
        .find(|e| e.public_id == id)
        .and_then(|e| e.entry.primary_name());
    html! {
        li {
            a href={ "/list/" (id) } { code { (id) } }
            @if let Some(n) = name { " " (n) }
            @if let Some(x) = extra { ": " (x) }
        }
    }
}

pub async fn changes_page(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::ViewPublishedList).await?;
    let l = ctx.lang;
    let versions = state.store.list_versions().await?;
    let current = versions.first().map(|v| v.version);
    let mut pick = Pick::default();
    let mut errors: Vec<String> = Vec::new();
    match query_pairs(raw.as_deref()) {
        Ok(pairs) => {
            for (k, v) in pairs {
                match k.as_str() {
                    "from" => pick.from = v.trim().to_string(),
                    "to" => pick.to = v.trim().to_string(),
                    _ => {}
                }
            }
        }
        Err(()) => errors.push(l.t("list_browse.bad_query").to_string()),
    }
    // Nothing asked: the last version's changes.
    if pick.from.is_empty()
        && pick.to.is_empty()
        && let Some(c) = current
    {
        pick.from = (c - 1).to_string();
        pick.to = c.to_string();
    }
    let known = |s: &str| {
        s.parse::<i64>()
            .ok()
            .filter(|n| *n == 0 || versions.iter().any(|v| v.version == *n))
    };
    let from = known(&pick.from);
    let to = known(&pick.to).filter(|n| *n > 0);
    for (value, parsed) in [(&pick.from, from), (&pick.to, to)] {
        if parsed.is_none() && current.is_some() {
            errors.push(l.tf("list_browse.compare_unknown", &[("value", value)]));
        }
    }
    let pair = match (from, to) {
        (Some(a), Some(b)) if a < b => Some((a, b)),
        (Some(_), Some(_)) => {
            errors.push(l.t("list_browse.compare_order").to_string());
            None
        }
        _ => None,
    };
    let compared = match pair {
        Some((a, b)) => {
            let old = entries_of(&state, a).await?;
            let new = entries_of(&state, b).await?;
            let diff = accord_store::common_list::compare_entries(&old, &new);
            Some((a, b, old, new, diff))
        }
        None => None,
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let html = page(
        &ctx,
        l.t("list.changes"),
        html! {
            @match &compared {
                Some((a, b, _, _, _)) => h1 { (l.tf("list.changes_between", &[("from", &a.to_string()), ("to", &b.to_string())])) },
                None => h1 { (l.t("list_browse.compare_title")) },
            }
            @if current.is_none() { div.notice { (l.t("list.none")) } } @else {
                form.filters.browse method="get" action="/list/changes" {
                    (version_select(l, "from", l.t("list_browse.compare_from"), &pick.from, &versions))
                    (version_select(l, "to", l.t("list_browse.compare_to"), &pick.to, &versions))
                    button type="submit" { (l.t("list_browse.compare_button")) }
                }
            }
            @if !errors.is_empty() {
                div.notice.error role="alert" { @for e in &errors { p { (e) } } }
            }
            @if let Some((_, _, old, new, diff)) = &compared {
                @if diff.is_empty() { p.muted { (l.t("list_browse.no_changes")) } }
                h2 { (l.t("list.added")) } ul { @for r in &diff.added { (change_item(r, new, None)) } }
                h2 { (l.t("list.removed")) } ul { @for r in &diff.removed { (change_item(r, old, None)) } }
                h2 { (l.t("list.amended")) } ul { @for ch in &diff.changed {
                    @let fields = ch.fields.iter().map(|f| l.field_label(f)).collect::<Vec<_>>().join(", ");
                    (change_item(&ch.reference, new, Some(&fields)))
                } }
            }
            p { a href="/list" { (l.t("list.back")) } }
        },
    );
    Ok((status, html).into_response())
}

#[derive(Deserialize)]
pub struct Compare {
    from: i64,
    to: i64,
}

/// Answers 304 when the client already holds this content.
fn with_etag(
    headers: &HeaderMap,
    body: Vec<u8>,
    content_type: &'static str,
    file_name: Option<String>,
) -> Response {
    let etag = content_hash(&body);
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        body.into_response()
    };
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if let Some(name) = file_name {
        h.insert(
            header::CONTENT_DISPOSITION,
            crate::files::content_disposition(&name),
        );
    }
    response
}

pub async fn api_current(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::ViewPublishedList).await?;
    let before_first = match q.version {
        Some(0) => true,
        None => state.store.current_list_version().await?.is_none(),
        Some(_) => false,
    };
    let body = if before_first {
        serde_json::to_vec(&empty_version())
    } else {
        serde_json::to_vec(&state.store.published_list(q.version).await?)
    }
    .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(with_etag(&headers, body, "application/json", None))
}

/// The list before its first version is adopted: version 0, empty — the
/// version `/api/list/compare` also calls 0 — so that a client polling the
/// list reads "nothing listed yet" rather than an error.
fn empty_version() -> serde_json::Value {
    serde_json::json!({
        "version": {
            "version": 0,
            "created_at": null,
            "entry_count": 0,
            "changes": accord_lists::ListDiff::default(),
            "cause": null,
            "proposal_id": null,
            "merge_id": null,
        },
        "entries": [],
    })
}

pub async fn api_versions(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Json<Vec<ListVersion>>, WebError> {
    ctx.require(&state, &Action::ViewPublishedList).await?;
    Ok(Json(state.store.list_versions().await?))
}

pub async fn api_compare(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(c): Query<Compare>,
) -> Result<Json<serde_json::Value>, WebError> {
    ctx.require(&state, &Action::ViewPublishedList).await?;
    let diff = state.store.compare_versions(c.from, c.to).await?;
    Ok(Json(
        serde_json::json!({ "from": c.from, "to": c.to, "changes": diff }),
    ))
}

/// A version in one of the export formats.
pub async fn api_export(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(format): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    if let Some(format) = format.strip_suffix(".minisig") {
        return super::transparency::export_signature(&state, &ctx, format, q.version).await;
    }
    ctx.require(&state, &Action::ViewPublishedList).await?;
    let format: ExportFormat = format.parse().map_err(WebError::NotFound)?;
    let v = state.store.published_list(q.version).await?;
    let body = crate::publication::write(&v, format)
        .map_err(|e| WebError::Internal(format!("export failed: {e}")))?;
    Ok(with_etag(
        &headers,
        body,
        format.content_type(),
        Some(format.file_name(v.version.version)),
    ))
}
