//! The knowledge library: search, item pages with their versions,
//! attachments and reach, the editor, the review queue, sharing groups,
//! campaigns and the theme vocabulary — pages and JSON API side by side.
//!
//! Every read goes through `accord_library::workflow::may_read` (and so the
//! one visibility rule); an item the reader may not read does not exist for
//! them (404, never 403, so a hidden item's id tells nothing). Searches get
//! the reader's visible set inside the query (`crate::library_state`).

use std::collections::BTreeSet;

use accord_core::tlp::Tlp;
use accord_core::{Action, Invalid, MemberCode};
use accord_library::counter::{self, CampaignInput, ChartWords, ReachInput};
use accord_library::groups::SharingGroupInput;
use accord_library::item::{Known, VersionInput};
use accord_library::workflow::{self, Status, Transition, WorkflowError};
use accord_library::{
    Campaign, Item, ItemInput, Kind, SharedWith, SharingGroup, Theme, ThemeGroup, Vocabulary,
};
use accord_search::{Order, SearchError, SearchQuery, SearchResults};
use accord_store::StoreError;
use accord_store::library::{AttachmentRecord, ItemRecord, NewAttachment};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{Markup, PreEscaped, html};
use serde::{Deserialize, Serialize};

use crate::context::Ctx;
use crate::error::{WebError, is_api_path};
use crate::forms::{ApiJson, PostedForm, Upload};
use crate::i18n::Lang;
use crate::render::{csrf_field, form_errors, page};
use crate::state::AppState;

/// Results on one page.
const PER_PAGE: usize = 20;

// ---- access ----

fn not_found(id: i64) -> WebError {
    WebError::NotFound(format!("library item {id}"))
}

/// An item `who` may read, or 404.
pub(crate) async fn readable(state: &AppState, ctx: &Ctx, id: i64) -> Result<ItemRecord, WebError> {
    let record = match state.store.library_item(id).await {
        Ok(r) => r,
        Err(StoreError::NotFound(_)) => return Err(not_found(id)),
        Err(e) => return Err(e.into()),
    };
    let standing = record.standing();
    let group = standing
        .shared
        .with
        .group()
        .and_then(|g| state.library.group(g));
    let distribution = standing.shared.with.resolve(group.as_ref());
    if !workflow::may_read(&ctx.principal, &standing, &distribution) {
        return Err(not_found(id));
    }
    Ok(record)
}

/// Whether the item, as stored now, is published and readable by `who`.
pub(crate) fn published_for(state: &AppState, ctx: &Ctx, r: &ItemRecord) -> bool {
    let standing = r.standing();
    let group = standing
        .shared
        .with
        .group()
        .and_then(|g| state.library.group(g));
    r.published.is_some()
        && r.status != Status::Withdrawn
        && workflow::may_read(
            &ctx.principal,
            &standing,
            &standing.shared.with.resolve(group.as_ref()),
        )
}

/// Whether `who` works on the item (sees its latest version, drafts and
/// withdrawn versions).
fn works_on(ctx: &Ctx, r: &ItemRecord) -> bool {
    workflow::works_on(&ctx.principal, &r.standing())
}

/// The version `who` is shown.
pub(crate) fn shown<'a>(ctx: &Ctx, r: &'a ItemRecord) -> &'a accord_library::Version {
    r.shown_to(works_on(ctx, r)).unwrap_or(&r.latest)
}

/// Every read of a non-CLEAR item is audited.
async fn audit_read(
    state: &AppState,
    ctx: &Ctx,
    r: &ItemRecord,
    version: u32,
    marking: Tlp,
) -> Result<(), WebError> {
    if marking != Tlp::Clear {
        state
            .store
            .audit_library_read(
                &ctx.actor(),
                "library.item.read",
                format!("library:{}", r.id),
                serde_json::json!({ "version": version, "marking": marking }),
            )
            .await?;
    }
    Ok(())
}

fn workflow_error(e: WorkflowError) -> WebError {
    match e {
        WorkflowError::NotReviewer | WorkflowError::NotEditor => WebError::Forbidden,
        other => WebError::Conflict(other.to_string()),
    }
}

/// What an item's input is checked against: the vocabulary, the Joint
/// Plan's commitments, the groups `who` may share with, the campaigns.
pub(crate) struct Context {
    vocabulary: Vocabulary,
    catalogue: accord_plan::Catalogue,
    groups: Vec<SharingGroup>,
    campaigns: Vec<Campaign>,
}

pub(crate) async fn context(state: &AppState) -> Result<Context, WebError> {
    context_of(&state.store).await
}

async fn context_of(store: &accord_store::Store) -> Result<Context, WebError> {
    Ok(Context {
        vocabulary: store.library_vocabulary().await?,
        catalogue: store.plan_catalogue().await?,
        groups: store.sharing_groups().await?,
        campaigns: store.campaigns().await?,
    })
}

pub(crate) fn validate(
    c: &Context,
    who: &accord_core::Principal,
    input: &ItemInput,
) -> Result<Item, Invalid> {
    let known = Known {
        vocabulary: &c.vocabulary,
        commitment: &|id| {
            accord_plan::CommitmentId::parse(id)
                .ok()
                .is_some_and(|id| c.catalogue.commitment(&id).is_some())
        },
        group: &|g| c.groups.iter().any(|x| x.id == g && x.may_share_with(who)),
        campaign: &|id| c.campaigns.iter().any(|x| x.id == id),
    };
    let item = input.validate(&known)?;
    if let Some(campaign) = item.counter.as_ref().and_then(|cn| cn.campaign)
        && let Some(camp) = c.campaigns.iter().find(|x| x.id == campaign)
        && let Some(published) = item.published
        && (published < camp.starts || published > camp.ends)
    {
        return Err(Invalid::field(
            "published",
            "is outside the campaign's dates",
        ));
    }
    Ok(item)
}

/// The member an author writes for (`None`: the secretariat).
fn owner_of(ctx: &Ctx) -> Option<MemberCode> {
    ctx.principal.member().cloned()
}

// ---- search ----

/// The search's parameters, from a page's query string or the API's.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct SearchParams {
    pub q: String,
    pub kind: String,
    pub theme: String,
    pub country: String,
    pub language: String,
    pub marking: String,
    pub from: String,
    pub to: String,
    /// `relevance` (default), `newest` or `oldest`.
    pub order: String,
    /// From 1.
    pub page: String,
    /// Results a page (API: up to 100).
    pub limit: String,
}

fn blank(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

impl SearchParams {
    fn query(&self, default_limit: usize) -> Result<SearchQuery, Invalid> {
        let mut errors = Vec::new();
        let date =
            |field: &str, raw: &str, errors: &mut Vec<accord_core::FieldError>| match blank(raw) {
                None => None,
                Some(s) => {
                    time::Date::parse(&s, &time::format_description::well_known::Iso8601::DATE)
                        .map_err(|_| {
                            errors.push(accord_core::FieldError {
                                field: field.into(),
                                message: "is not a date (YYYY-MM-DD)".into(),
                            })
                        })
                        .ok()
                }
            };
        let from = date("from", &self.from, &mut errors);
        let to = date("to", &self.to, &mut errors);
        let order = match self.order.trim() {
            "" | "relevance" => Order::Relevance,
            "newest" => Order::Newest,
            "oldest" => Order::Oldest,
            _ => {
                errors.push(accord_core::FieldError {
                    field: "order".into(),
                    message: "is relevance, newest or oldest".into(),
                });
                Order::Relevance
            }
        };
        let page = match blank(&self.page) {
            None => 1,
            Some(p) => match p.parse::<usize>() {
                Ok(n) if (1..=10_000).contains(&n) => n,
                _ => {
                    errors.push(accord_core::FieldError {
                        field: "page".into(),
                        message: "is a page number from 1".into(),
                    });
                    1
                }
            },
        };
        let limit = match blank(&self.limit) {
            None => default_limit,
            Some(p) => match p.parse::<usize>() {
                Ok(n) if (1..=100).contains(&n) => n,
                _ => {
                    errors.push(accord_core::FieldError {
                        field: "limit".into(),
                        message: "is 1 to 100".into(),
                    });
                    default_limit
                }
            },
        };
        if !errors.is_empty() {
            return Err(Invalid { errors });
        }
        Ok(SearchQuery {
            text: self.q.trim().to_string(),
            kind: blank(&self.kind),
            themes: blank(&self.theme).into_iter().collect(),
            country: blank(&self.country),
            language: blank(&self.language),
            marking: blank(&self.marking),
            from,
            to,
            order,
            offset: (page - 1) * limit,
            limit,
        })
    }
}

fn search_error(e: SearchError) -> WebError {
    match e {
        SearchError::QueryTooLong { .. } | SearchError::QuerySyntax { .. } => {
            WebError::Invalid(Invalid::field("q", e.to_string()))
        }
        SearchError::BadPaging { .. } => WebError::Invalid(Invalid::field("page", e.to_string())),
        other => WebError::Internal(other.to_string()),
    }
}

async fn run_search(
    state: &AppState,
    ctx: &Ctx,
    q: &SearchQuery,
) -> Result<SearchResults, WebError> {
    // Another node's writes are found by the follower; this is cheap when
    // nothing changed.
    let visible = state.library.visible(&ctx.principal);
    state
        .library
        .index
        .search(q, &visible)
        .map_err(search_error)
}

#[derive(Serialize)]
pub struct HitJson {
    pub id: i64,
    pub url: String,
    pub kind: Kind,
    pub marking: Tlp,
    /// In the reader's language when the item has it.
    pub title: String,
    pub summary: String,
    /// The version that matched, its matched words marked.
    pub title_html: String,
    pub snippet_html: String,
    pub published: Option<String>,
    pub languages: Vec<String>,
}

#[derive(Serialize)]
pub struct SearchJson {
    pub total: u64,
    pub page: usize,
    pub limit: usize,
    pub hits: Vec<HitJson>,
    pub facets: FacetsJson,
}

/// Counts over the items the reader may see that match the query.
#[derive(Serialize)]
pub struct FacetsJson {
    pub kind: Vec<(String, u64)>,
    pub theme: Vec<(String, u64)>,
    pub country: Vec<(String, u64)>,
    pub language: Vec<(String, u64)>,
    pub marking: Vec<(String, u64)>,
}

impl From<accord_search::Facets> for FacetsJson {
    fn from(f: accord_search::Facets) -> Self {
        FacetsJson {
            kind: f.kind,
            theme: f.theme,
            country: f.country,
            language: f.language,
            marking: f.marking,
        }
    }
}

async fn hits_json(
    state: &AppState,
    ctx: &Ctx,
    results: &SearchResults,
) -> Result<Vec<HitJson>, WebError> {
    let mut out = Vec::new();
    for hit in &results.hits {
        let r = state.store.library_item(hit.id).await?;
        // The index and the cache may lag a write made on another node by a
        // moment: the record as stored now decides.
        if !published_for(state, ctx, &r) {
            continue;
        }
        let Some(v) = r.published.as_ref() else {
            continue;
        };
        let lang = ctx.lang.code();
        out.push(HitJson {
            id: r.id,
            url: format!("/library/{}", r.id),
            kind: v.item.kind,
            marking: v.item.marking,
            title: v.item.version_in(lang).title.clone(),
            summary: v.item.version_in(lang).summary.clone(),
            title_html: hit.title_html.clone(),
            snippet_html: hit.snippet_html.clone(),
            published: v.item.published.map(|d| d.to_string()),
            languages: v.item.languages().into_iter().map(str::to_string).collect(),
        });
    }
    Ok(out)
}

pub async fn api_search(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<SearchParams>,
) -> Result<Json<SearchJson>, WebError> {
    let q = params.query(PER_PAGE)?;
    let results = run_search(&state, &ctx, &q).await?;
    Ok(Json(SearchJson {
        total: results.total,
        page: q.offset / q.limit + 1,
        limit: q.limit,
        hits: hits_json(&state, &ctx, &results).await?,
        facets: results.facets.into(),
    }))
}

/// The items a search finds, as CSV (one row an item, the reader's rights applied).
pub async fn export_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<SearchParams>,
) -> Result<Response, WebError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| WebError::Internal(e.to_string());
    w.write_record([
        "id",
        "kind",
        "marking",
        "title",
        "languages",
        "published",
        "countries",
        "themes",
        "url",
    ])
    .map_err(io)?;
    for id in export_hits(&state, &ctx, &params).await? {
        let r = state.store.library_item(id).await?;
        if !published_for(&state, &ctx, &r) {
            continue;
        }
        let Some(v) = r.published.as_ref() else {
            continue;
        };
        let item = &v.item;
        w.write_record([
            r.id.to_string(),
            item.kind.to_string(),
            item.marking.as_str().to_string(),
            csv_cell(&item.version_in(ctx.lang.code()).title),
            item.languages().join(" "),
            item.published.map(|d| d.to_string()).unwrap_or_default(),
            item.countries
                .iter()
                .map(|m| m.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            item.themes.iter().cloned().collect::<Vec<_>>().join(" "),
            format!("/library/{}", r.id),
        ])
        .map_err(io)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| WebError::Internal(e.to_string()))?;
    state
        .store
        .audit_library_read(
            &ctx.actor(),
            "library.export",
            "library".into(),
            serde_json::json!({ "format": "csv", "q": params.q }),
        )
        .await?;
    let text = String::from_utf8(bytes).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(crate::files::csv_download(&ctx.path, "library.csv", text))
}

/// The ids of the items an export of `params` holds, in the search's
/// order (the reader's rights applied inside the query, as for a search;
/// each exporter checks the record as stored now again). The index pages
/// to 10,000 results; an export stops there.
pub(crate) async fn export_hits(
    state: &AppState,
    ctx: &Ctx,
    params: &SearchParams,
) -> Result<Vec<i64>, WebError> {
    let mut q = params.query(100)?;
    q.offset = 0;
    let mut ids = Vec::new();
    loop {
        let results = run_search(state, ctx, &q).await?;
        ids.extend(results.hits.iter().map(|h| h.id));
        if results.hits.len() < q.limit
            || q.offset + q.limit >= results.total as usize
            || q.offset + 2 * q.limit > accord_search::MAX_OFFSET
        {
            return Ok(ids);
        }
        q.offset += q.limit;
    }
}

/// A cell a spreadsheet shows as text: one starting with `=`, `+`, `-` or
/// `@` would be run as a formula (CSV injection), so it gets a leading `'`.
fn csv_cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

fn kind_label(l: Lang, k: Kind) -> &'static str {
    match k {
        Kind::Research => l.t("library.kind_research"),
        Kind::Report => l.t("library.kind_report"),
        Kind::GoodPractice => l.t("library.kind_good_practice"),
        Kind::Event => l.t("library.kind_event"),
        Kind::Training => l.t("library.kind_training"),
        Kind::CounterNarrative => l.t("library.kind_counter_narrative"),
    }
}

fn status_label(l: Lang, s: Status) -> &'static str {
    match s {
        Status::Draft => l.t("library.status_draft"),
        Status::InReview => l.t("library.status_in_review"),
        Status::Published => l.t("library.status_published"),
        Status::Withdrawn => l.t("library.status_withdrawn"),
    }
}

fn marking_badge(t: Tlp) -> Markup {
    let class = format!(
        "tlp tlp-{}",
        t.as_str().to_ascii_lowercase().replace('+', "-")
    );
    html! { span class=(class) { "TLP:" (t.as_str()) } }
}

fn theme_label<'a>(v: &'a Vocabulary, l: Lang, slug: &'a str) -> &'a str {
    v.get(slug).map_or(slug, |t| t.label(l.code()))
}

fn search_url(params: &SearchParams, page: usize) -> String {
    let mut p = serde_urlencoded::to_string(SearchParams {
        page: String::new(),
        ..SearchParams {
            q: params.q.clone(),
            kind: params.kind.clone(),
            theme: params.theme.clone(),
            country: params.country.clone(),
            language: params.language.clone(),
            marking: params.marking.clone(),
            from: params.from.clone(),
            to: params.to.clone(),
            order: params.order.clone(),
            page: String::new(),
            limit: String::new(),
        }
    })
    .unwrap_or_default();
    p = p
        .split('&')
        .filter(|kv| !kv.ends_with('='))
        .collect::<Vec<_>>()
        .join("&");
    if page > 1 {
        if !p.is_empty() {
            p.push('&');
        }
        p.push_str(&format!("page={page}"));
    }
    if p.is_empty() {
        "/library".into()
    } else {
        format!("/library?{p}")
    }
}

pub async fn search_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<SearchParams>,
) -> Result<Response, WebError> {
    let l = ctx.lang;
    let vocabulary = state.store.library_vocabulary().await?;
    let (results, error, q) = match params.query(PER_PAGE) {
        Ok(q) => match run_search(&state, &ctx, &q).await {
            Ok(r) => (Some(r), None, Some(q)),
            Err(WebError::Invalid(i)) => (None, Some(i), None),
            Err(e) => return Err(e),
        },
        Err(i) => (None, Some(i), None),
    };
    let hits = match &results {
        Some(r) => hits_json(&state, &ctx, r).await?,
        None => Vec::new(),
    };
    let contributes = workflow::may_contribute(&ctx.principal);
    let select = |name: &'static str,
                  label: &'static str,
                  current: &str,
                  options: Vec<(String, String)>| {
        html! {
            div.field {
                label for=(name) { (label) }
                select id=(name) name=(name) {
                    option value="" { (l.t("library.any")) }
                    @for (v, text) in &options { option value=(v) selected[current == v] { (text) } }
                }
            }
        }
    };
    let facet_count =
        |list: &[(String, u64)], key: &str| list.iter().find(|(k, _)| k == key).map(|(_, n)| *n);
    let facets = results
        .as_ref()
        .map(|r| r.facets.clone())
        .unwrap_or_default();
    let kinds: Vec<(String, String)> = Kind::ALL
        .iter()
        .map(|k| {
            let n = facet_count(&facets.kind, k.as_str()).unwrap_or(0);
            (
                k.as_str().to_string(),
                format!("{} ({n})", kind_label(l, *k)),
            )
        })
        .collect();
    let themes: Vec<(String, String)> = vocabulary
        .themes
        .iter()
        .map(|t| {
            let n = facet_count(&facets.theme, &t.slug).unwrap_or(0);
            (t.slug.clone(), format!("{} ({n})", t.label(l.code())))
        })
        .collect();
    let countries: Vec<(String, String)> = facets
        .country
        .iter()
        .map(|(c, n)| (c.clone(), format!("{c} ({n})")))
        .collect();
    let languages: Vec<(String, String)> = facets
        .language
        .iter()
        .map(|(c, n)| (c.clone(), format!("{c} ({n})")))
        .collect();
    let markings: Vec<(String, String)> = Tlp::ALL
        .iter()
        .filter_map(|t| {
            facet_count(&facets.marking, t.as_str())
                .map(|n| (t.as_str().to_string(), format!("TLP:{} ({n})", t.as_str())))
        })
        .collect();
    let body = html! {
        h1 { (l.t("library.title")) }
        p { (l.t("library.intro")) }
        @if ctx.principal.is_signed_in() {
            p.actions {
                @if contributes { a.button href="/library/new" { (l.t("library.new")) } " " }
                a href="/library/review" { (l.t("library.review_title")) } " · "
                a href="/library/groups" { (l.t("library.groups_title")) } " · "
                a href="/library/campaigns" { (l.t("library.campaigns_title")) }
            }
        }
        form.search method="get" action="/library" role="search" {
            (form_errors(l, error.as_ref()))
            div.field {
                label for="q" { (l.t("library.search_label")) }
                input type="search" id="q" name="q" value=(params.q) maxlength="500" aria-invalid=[error.as_ref().map(|_| "true")];
            }
            details open[!params.kind.is_empty() || !params.theme.is_empty() || !params.country.is_empty() || !params.language.is_empty() || !params.marking.is_empty() || !params.from.is_empty() || !params.to.is_empty()] {
                summary { (l.t("library.filters")) }
                div.filters {
                    (select("kind", l.t("library.kind"), &params.kind, kinds))
                    (select("theme", l.t("library.theme"), &params.theme, themes))
                    (select("country", l.t("library.country"), &params.country, countries))
                    (select("language", l.t("library.language"), &params.language, languages))
                    (select("marking", l.t("library.marking"), &params.marking, markings))
                    div.field { label for="from" { (l.t("library.from")) } input type="date" id="from" name="from" value=(params.from); }
                    div.field { label for="to" { (l.t("library.to")) } input type="date" id="to" name="to" value=(params.to); }
                    (select("order", l.t("library.order"), &params.order, vec![
                        ("newest".into(), l.t("library.order_newest").into()),
                        ("oldest".into(), l.t("library.order_oldest").into()),
                    ]))
                }
            }
            button type="submit" { (l.t("library.search")) }
        }
        @if let (Some(r), Some(q)) = (&results, &q) {
            p.muted id="total" { (l.tf("library.total", &[("n", &r.total.to_string())])) " · " a href={ "/library/export.csv?" (serde_urlencoded::to_string(&params).unwrap_or_default()) } { (l.t("library.export_csv")) } " · " a href={ "/api/library/export.stix?" (serde_urlencoded::to_string(&params).unwrap_or_default()) } download { (l.t("library.export_stix")) } }
            @if hits.is_empty() { p { (l.t("library.no_results")) } }
            ol.results start=(q.offset + 1) {
                @for h in &hits {
                    li {
                        // Without words to mark, the reader's own language.
                        @if q.text.is_empty() { a href=(h.url) { (h.title) } } @else { a href=(h.url) { (PreEscaped(&h.title_html)) } }
                        " " (marking_badge(h.marking)) " "
                        span.badge { (kind_label(l, h.kind)) }
                        @if let Some(d) = &h.published { " " span.muted { (d) } }
                        @if q.text.is_empty() { @if !h.summary.is_empty() { p.snippet { (h.summary) } } }
                        @else if !h.snippet_html.is_empty() { p.snippet { (PreEscaped(&h.snippet_html)) } }
                    }
                }
            }
            @let pages = (r.total as usize).div_ceil(q.limit.max(1));
            @let current = q.offset / q.limit.max(1) + 1;
            @if pages > 1 {
                nav.paging aria-label=(l.t("library.pages")) {
                    @if current > 1 { a rel="prev" href=(search_url(&params, current - 1)) { (l.t("library.previous")) } " " }
                    span { (l.tf("library.page_of", &[("page", &current.to_string()), ("pages", &pages.to_string())])) }
                    @if current < pages { " " a rel="next" href=(search_url(&params, current + 1)) { (l.t("library.next")) } }
                }
            }
        }
    };
    let html = page(&ctx, l.t("library.title"), body);
    Ok(if error.is_some() {
        (StatusCode::UNPROCESSABLE_ENTITY, html).into_response()
    } else {
        html.into_response()
    })
}

// ---- one item ----

#[derive(Serialize)]
pub struct ItemJson<'a> {
    pub id: i64,
    pub slug: Option<&'a str>,
    pub status: Status,
    pub owner: Option<&'a MemberCode>,
    pub author: &'a str,
    pub version: u32,
    pub published_version: Option<u32>,
    pub latest_version: Option<u32>,
    pub note: Option<&'a str>,
    #[serde(flatten)]
    pub item: &'a Item,
    pub attachments: Vec<AttachmentRecord>,
    /// The numbers of the versions the caller may read.
    pub version_numbers: Vec<u32>,
}

async fn item_json<'a>(
    state: &AppState,
    ctx: &Ctx,
    r: &'a ItemRecord,
) -> Result<ItemJson<'a>, WebError> {
    let works = works_on(ctx, r);
    let v = shown(ctx, r);
    let versions = state.store.library_versions(r.id).await?;
    let visible_versions: Vec<u32> = versions
        .iter()
        .filter(|ver| {
            works
                || r.published_version.is_some_and(|p| ver.number <= p)
                    && version_readable(state, ctx, r, ver)
        })
        .map(|ver| ver.number)
        .collect();
    Ok(ItemJson {
        id: r.id,
        slug: r.slug.as_deref(),
        status: if works { r.status } else { Status::Published },
        owner: r.owner.as_ref(),
        author: &r.author,
        version: v.number,
        published_version: r.published_version,
        latest_version: works.then_some(r.latest_version),
        note: if works { r.note.as_deref() } else { None },
        item: &v.item,
        attachments: state.store.library_attachments(r.id, v.number).await?,
        version_numbers: visible_versions,
    })
}

/// Whether an earlier version is readable: by its own marking and
/// distribution, as the item is now (an earlier version marked more
/// openly than the current one stays readable to that audience only while
/// the item is published).
fn version_readable(
    state: &AppState,
    ctx: &Ctx,
    r: &ItemRecord,
    v: &accord_library::Version,
) -> bool {
    let mut standing = r.standing();
    standing.shared = v.item.shared();
    let group = standing
        .shared
        .with
        .group()
        .and_then(|g| state.library.group(g));
    workflow::may_read(
        &ctx.principal,
        &standing,
        &standing.shared.with.resolve(group.as_ref()),
    )
}

pub async fn api_item(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let r = readable(&state, &ctx, id).await?;
    let v = shown(&ctx, &r);
    audit_read(&state, &ctx, &r, v.number, v.item.marking).await?;
    Ok(Json(item_json(&state, &ctx, &r).await?).into_response())
}

#[derive(Deserialize, Default)]
pub struct ItemPageQuery {
    #[serde(default)]
    pub lang: String,
}

pub async fn item_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<ItemPageQuery>,
) -> Result<Html<String>, WebError> {
    let r = readable(&state, &ctx, id).await?;
    let v = shown(&ctx, &r).clone();
    audit_read(&state, &ctx, &r, v.number, v.item.marking).await?;
    render_item(&state, &ctx, &r, &v, &q.lang, None).await
}

pub async fn version_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, number)): Path<(i64, u32)>,
) -> Result<Html<String>, WebError> {
    let r = readable(&state, &ctx, id).await?;
    let v = match state.store.library_version(id, number).await {
        Ok(v) => v,
        Err(StoreError::NotFound(_)) => return Err(not_found(id)),
        Err(e) => return Err(e.into()),
    };
    let works = works_on(&ctx, &r);
    let approved = r.published_version.is_some_and(|p| number <= p);
    if !(works || approved && version_readable(&state, &ctx, &r, &v)) {
        return Err(not_found(id));
    }
    audit_read(&state, &ctx, &r, v.number, v.item.marking).await?;
    render_item(&state, &ctx, &r, &v, "", None).await
}

async fn render_item(
    state: &AppState,
    ctx: &Ctx,
    r: &ItemRecord,
    v: &accord_library::Version,
    lang: &str,
    problem: Option<&Invalid>,
) -> Result<Html<String>, WebError> {
    let l = ctx.lang;
    let item = &v.item;
    let lang = if lang.is_empty() { l.code() } else { lang };
    let text = item.version_in(lang);
    let vocabulary = state.store.library_vocabulary().await?;
    let standing = r.standing();
    let editor = workflow::may_edit(&ctx.principal, &standing) && r.status != Status::Withdrawn;
    let reviewer = workflow::may_review(&ctx.principal, &standing);
    let works = works_on(ctx, r);
    let attachments = state.store.library_attachments(r.id, v.number).await?;
    let versions = state.store.library_versions(r.id).await?;
    let versions: Vec<&accord_library::Version> = versions
        .iter()
        .filter(|ver| {
            works
                || r.published_version.is_some_and(|p| ver.number <= p)
                    && version_readable(state, ctx, r, ver)
        })
        .collect();
    let group = item
        .shared_with
        .group()
        .and_then(|g| state.library.group(g));
    let campaign = match item.counter.as_ref().and_then(|c| c.campaign) {
        Some(c) => state.store.campaign(c).await.ok(),
        None => None,
    };
    let reach = if item.kind == Kind::CounterNarrative {
        state
            .store
            .library_reach(&[r.id])
            .await?
            .into_iter()
            .map(|(_, row)| row)
            .collect()
    } else {
        Vec::new()
    };
    let chart = counter::reach_chart(
        &reach,
        &ChartWords {
            title: l.t("library.reach_title"),
            impressions: l.t("library.impressions"),
            engagements: l.t("library.engagements"),
            no_data: l.t("library.no_reach"),
        },
    );
    let shared_label = match &item.shared_with {
        SharedWith::Platform => l.t("library.shared_platform").to_string(),
        SharedWith::Members { members } => format!(
            "{}: {}",
            l.t("library.shared_members"),
            members
                .iter()
                .map(|m| m.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        SharedWith::Group { group: g } => format!(
            "{}: {}",
            l.t("library.shared_group"),
            group
                .as_ref()
                .map_or_else(|| g.to_string(), |x| x.name.clone())
        ),
        SharedWith::Owner => l.t("library.shared_owner").to_string(),
    };
    let totals = counter::totals(&reach);
    let related = related_items(state, ctx, r.id, item).await?;
    let body = html! {
        p.muted { a href="/library" { (l.t("library.title")) } " › " (kind_label(l, item.kind)) }
        h1 lang=(text.lang) { (text.title) }
        p { (marking_badge(item.marking)) " " span.badge { (status_label(l, if works { r.status } else { Status::Published })) }
            @if (works && v.number != r.latest_version) || Some(v.number) != r.published_version { " " span.badge { (l.tf("library.version_n", &[("n", &v.number.to_string())])) } } }
        (form_errors(l, problem))
        @if r.status == Status::Withdrawn { div.notice role="status" { p { strong { (l.t("library.withdrawn_notice")) } } @if let Some(n) = &r.note { p { (n) } } } }
        @if works && r.status == Status::InReview && r.published_version.is_some() { div.notice { p { (l.t("library.revision_in_review")) } } }
        @if works && r.status == Status::Draft && r.note.is_some() { div.notice { p { strong { (l.t("library.returned_note")) } " " (r.note.as_deref().unwrap_or("")) } } }
        @if item.versions.len() > 1 {
            p.languages { (l.t("library.languages")) ": " @for lv in &item.versions { a href={ "/library/" (r.id) "?lang=" (lv.lang) } lang=(lv.lang) aria-current=[(lv.lang == text.lang).then_some("true")] { (lv.lang) } " " } }
        }
        @if !text.summary.is_empty() { p.summary lang=(text.lang) { (text.summary) } }
        @if !item.unverified.is_empty() {
            div.notice role="note" { p { strong { (l.t("library.unverified")) } } ul { @for u in &item.unverified { li { (u) } } } }
        }
        div.body lang=(text.lang) { (PreEscaped(accord_library::markdown::render(&text.body))) }
        dl.facts {
            dt { (l.t("library.kind")) } dd { (kind_label(l, item.kind)) }
            dt { (l.t("library.author")) } dd { (r.owner.as_ref().map_or_else(|| l.t("library.secretariat").to_string(), |m| m.as_str().to_string())) " (" (r.author) ")" }
            dt { (l.t("library.shared_with")) } dd { (shared_label) }
            @if let Some(d) = item.published { dt { (l.t("library.published")) } dd { (d.to_string()) } }
            @if !item.countries.is_empty() { dt { (l.t("library.countries")) } dd { (item.countries.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", ")) } }
            @if !item.themes.is_empty() { dt { (l.t("library.themes")) } dd { @for t in &item.themes { a href={ "/library?theme=" (t) } { (theme_label(&vocabulary, l, t)) } " " } } }
            @if !item.commitments.is_empty() { dt { (l.t("library.commitments")) } dd { @for c in &item.commitments { a href={ "/plan/commitments/" (c) } { (c) } " " } } }
        }
        @if published_for(state, ctx, r) { p.downloads { a href={ "/api/library/items/" (r.id) "/stix" } download { (l.t("library.download_stix")) } } }
        @if let Some(cn) = &item.counter {
            section id="counter" {
                h2 { (l.t("library.counter_title")) }
                dl.facts {
                    dt { (l.t("library.audience")) } dd { (cn.audience.age.as_str()) ", " (cn.audience.gender.as_str()) @if !cn.audience.region.is_empty() { ", " (cn.audience.region) } @if !cn.audience.at_risk.is_empty() { ", " (cn.audience.at_risk) } }
                    dt { (l.t("library.channel")) } dd { (cn.channel.as_str()) @if !cn.channel_name.is_empty() { " (" (cn.channel_name) ")" } }
                    @if !cn.answers.is_empty() { dt { (l.t("library.answers")) } dd { (cn.answers) } }
                    @if let Some(c) = &campaign { dt { (l.t("library.campaign")) } dd { a href={ "/library/campaigns/" (c.id) } { (c.name) } } }
                    @if !cn.links.is_empty() { dt { (l.t("library.links")) } dd { @for link in &cn.links { a href=(link) rel="noopener noreferrer nofollow" { (link) } br; } } }
                }
                h3 { (l.t("library.reach_title")) }
                figure.chart { (PreEscaped(&chart)) }
                @if !reach.is_empty() {
                    p { (l.tf("library.reach_totals", &[("impressions", &totals.impressions.to_string()), ("engagements", &totals.engagements.to_string()), ("clicks", &totals.clicks.to_string())])) }
                    div.table-scroll { table {
                        thead { tr { th { (l.t("library.period")) } th { (l.t("library.channel")) } th { (l.t("library.impressions")) } th { (l.t("library.views")) } th { (l.t("library.engagements")) } th { (l.t("library.ctr")) } th { (l.t("library.watch_time")) } } }
                        tbody { @for row in &reach { tr {
                            td { (row.period_start.to_string()) " – " (row.period_end.to_string()) } td { (row.channel) } td { (row.impressions) } td { (row.views) } td { (row.engagements()) }
                            td { (row.click_through().map(|c| format!("{:.1}%", c * 100.0)).unwrap_or_default()) }
                            td { (row.watch_seconds.map(|s| format!("{} h", s / 3600)).unwrap_or_default()) }
                        } } }
                    } }
                }
                @if editor {
                    form method="post" action={ "/library/" (r.id) "/reach" } {
                        (csrf_field(ctx))
                        div.field { label for="csv" { (l.t("library.reach_csv")) } div.hint { code { (counter::REACH_CSV_HEADER) } } textarea id="csv" name="csv" rows="4" {} }
                        button type="submit" { (l.t("library.reach_add")) }
                    }
                }
            }
        }
        @if !item.sources.is_empty() {
            h2 { (l.t("library.sources")) }
            ul { @for s in &item.sources { li { @if s.starts_with("https://") || s.starts_with("http://") { a href=(s) rel="noopener noreferrer nofollow" { (s) } } @else { (s) } } } }
        }
        h2 { (l.t("library.attachments")) }
        @if attachments.is_empty() { p.muted { (l.t("library.no_attachments")) } }
        ul { @for a in &attachments { li { a href={ "/library/" (r.id) "/attachments/" (a.id) } download { (a.file_name) } " " span.muted { (a.size / 1024) " KiB · SHA-256 " code { (&a.sha256[..16]) "…" } } } } }
        @if editor {
            form method="post" action={ "/library/" (r.id) "/attachments" } enctype="multipart/form-data" {
                (csrf_field(ctx))
                div.field { label for="file" { (l.t("library.attach")) } div.hint { (l.t("library.attach_hint")) } input type="file" id="file" name="file" required; }
                button type="submit" { (l.t("library.attach_button")) }
            }
        }
        @if editor || reviewer {
            section id="workflow" {
                h2 { (l.t("library.workflow")) }
                @if editor { p { a.button href={ "/library/" (r.id) "/edit" } { (l.t("library.edit")) } } }
                @if editor && r.status == Status::Draft {
                    form method="post" action={ "/library/" (r.id) "/submit" } { (csrf_field(ctx)) button type="submit" { (l.t("library.submit")) } }
                }
                @if reviewer && r.status == Status::InReview && workflow::may_approve(&ctx.principal, &standing) {
                    form method="post" action={ "/library/" (r.id) "/approve" } { (csrf_field(ctx)) input type="hidden" name="version" value=(r.latest_version); button type="submit" { (l.t("library.approve")) } }
                }
                @if reviewer && r.status == Status::InReview {
                    form method="post" action={ "/library/" (r.id) "/return" } {
                        (csrf_field(ctx))
                        div.field { label for="return-reason" { (l.t("library.return_note")) } input type="text" id="return-reason" name="reason"; }
                        button type="submit" { (l.t("library.return")) }
                    }
                }
                @if (editor || ctx.principal.is_secretariat()) && r.published_version.is_some() && r.status != Status::Withdrawn {
                    form method="post" action={ "/library/" (r.id) "/withdraw" } {
                        (csrf_field(ctx))
                        div.field { label for="reason" { (l.t("library.withdraw_reason")) } input type="text" id="reason" name="reason" required; }
                        button.danger type="submit" { (l.t("library.withdraw")) }
                    }
                }
            }
        }
        @if !related.is_empty() {
            h2 { (l.t("library.related")) }
            ul { @for h in &related { li { a href=(h.url) { (h.title) } " " (marking_badge(h.marking)) } } }
        }
        @if versions.len() > 1 {
            h2 { (l.t("library.versions")) }
            ol { @for ver in &versions { li { a href={ "/library/" (r.id) "/versions/" (ver.number) } { (l.tf("library.version_n", &[("n", &ver.number.to_string())])) } " · " (crate::render::format_ms(ver.created_at)) " · " (ver.created_by) } } }
        }
    };
    Ok(page(ctx, &text.title, body))
}

/// Up to five other items on the same themes, among those the reader may
/// read: found by the same search, so the one rule decides them too.
async fn related_items(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    item: &Item,
) -> Result<Vec<HitJson>, WebError> {
    let mut out: Vec<HitJson> = Vec::new();
    for theme in item.themes.iter().take(3) {
        let q = SearchQuery {
            text: String::new(),
            kind: None,
            themes: vec![theme.clone()],
            country: None,
            language: None,
            marking: None,
            from: None,
            to: None,
            order: Order::Newest,
            offset: 0,
            limit: 6,
        };
        let results = run_search(state, ctx, &q).await?;
        for hit in hits_json(state, ctx, &results).await? {
            if hit.id != id && !out.iter().any(|h| h.id == hit.id) && out.len() < 5 {
                out.push(hit);
            }
        }
    }
    Ok(out)
}

// ---- writing ----

/// The item form: fields named as the input's, three language blocks.
const LANGUAGE_BLOCKS: usize = 3;

fn input_from_form(fields: &[(String, String)]) -> (ItemInput, Option<u32>) {
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let all = |k: &str| {
        fields
            .iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut input = ItemInput {
        kind: get("kind"),
        marking: get("marking"),
        distribution: get("distribution"),
        share_members: all("share_members")
            .split_whitespace()
            .map(str::to_string)
            .collect(),
        group: get("group")
            .trim()
            .parse()
            .ok()
            .or_else(|| (!get("group").trim().is_empty()).then_some(-1)),
        countries: all("countries")
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        themes: all("themes")
            .split_whitespace()
            .map(str::to_string)
            .collect(),
        published: get("published"),
        commitments: all("commitments")
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        sources: get("sources")
            .lines()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        unverified: get("unverified")
            .lines()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        ..ItemInput::default()
    };
    for i in 0..LANGUAGE_BLOCKS {
        let v = VersionInput {
            lang: get(&format!("versions[{i}].lang")),
            title: get(&format!("versions[{i}].title")),
            summary: get(&format!("versions[{i}].summary")),
            body: get(&format!("versions[{i}].body")),
        };
        if i == 0
            || !(v.title.trim().is_empty()
                && v.summary.trim().is_empty()
                && v.body.trim().is_empty())
        {
            input.versions.push(v);
        }
    }
    if input.kind == "counter-narrative" {
        input.counter = Some(accord_library::counter::CounterNarrativeInput {
            age: get("counter.age"),
            gender: get("counter.gender"),
            region: get("counter.region"),
            at_risk: get("counter.at_risk"),
            channel: get("counter.channel"),
            channel_name: get("counter.channel_name"),
            answers: get("counter.answers"),
            campaign: get("counter.campaign"),
            links: get("counter.links"),
        });
    }
    let base = get("base_version").trim().parse().ok().filter(|&b| b > 0);
    (input, base)
}

fn item_form(
    ctx: &Ctx,
    c: &Context,
    action: &str,
    input: &ItemInput,
    base: u32,
    errors: Option<&Invalid>,
) -> Markup {
    let l = ctx.lang;
    let err = |f: &str| {
        errors
            .and_then(|i| i.errors.iter().find(|e| e.field == f))
            .map(|e| l.message(&e.message))
    };
    let field_error =
        |f: &str| html! { @if let Some(m) = err(f) { div.error-text id={ (f) "-error" } { (m) } } };
    let selected_themes: BTreeSet<&str> = input.themes.iter().map(String::as_str).collect();
    let selected_countries = input.countries.join(" ");
    let counter = input.counter.clone().unwrap_or_default();
    let groups: Vec<&SharingGroup> = c
        .groups
        .iter()
        .filter(|g| g.may_share_with(&ctx.principal))
        .collect();
    html! {
        (form_errors(l, errors))
        form.item-form method="post" action=(action) {
            (csrf_field(ctx))
            input type="hidden" name="base_version" value=(base);
            div.field {
                label for="kind" { (l.t("library.kind")) " *" } (field_error("kind"))
                select id="kind" name="kind" { @for k in Kind::ALL { option value=(k.as_str()) selected[input.kind == k.as_str()] { (kind_label(l, k)) } } }
            }
            fieldset {
                legend { (l.t("library.marking_and_distribution")) }
                p.hint { (l.t("library.tlp_hint")) }
                div.field {
                    label for="marking" { (l.t("library.marking")) " *" } (field_error("marking"))
                    select id="marking" name="marking" { @for t in Tlp::ALL { option value=(t.as_str()) selected[input.marking == t.as_str()] { "TLP:" (t.as_str()) } } }
                }
                div.field {
                    label for="distribution" { (l.t("library.distribution")) " *" } (field_error("distribution"))
                    select id="distribution" name="distribution" {
                        @for (v, label) in [("platform", l.t("library.shared_platform")), ("members", l.t("library.shared_members")), ("group", l.t("library.shared_group")), ("owner", l.t("library.shared_owner"))] {
                            option value=(v) selected[input.distribution == v] { (label) }
                        }
                    }
                }
                div.field {
                    label for="share_members" { (l.t("library.share_members")) } (field_error("share_members"))
                    input type="text" id="share_members" name="share_members" value=(input.share_members.join(" ")) placeholder="KAZ KGZ";
                }
                div.field {
                    label for="group" { (l.t("library.group")) } (field_error("group"))
                    select id="group" name="group" {
                        option value="" { "—" }
                        @for g in &groups { option value=(g.id) selected[input.group == Some(g.id)] { (g.name) } }
                    }
                }
            }
            @for i in 0..LANGUAGE_BLOCKS {
                @let v = input.versions.get(i).cloned().unwrap_or_else(|| VersionInput { lang: ["en", "ru", ""][i].into(), ..VersionInput::default() });
                @let lang_f = format!("versions[{i}].lang");
                @let title_f = format!("versions[{i}].title");
                @let summary_f = format!("versions[{i}].summary");
                @let body_f = format!("versions[{i}].body");
                fieldset.language {
                    legend { @if i == 0 { (l.t("library.original_version")) } @else { (l.t("library.translation")) } }
                    div.field { label for=(lang_f) { (l.t("library.language_code")) } (field_error(&lang_f)) input type="text" id=(lang_f) name=(lang_f) value=(v.lang) size="3" maxlength="3"; }
                    div.field { label for=(title_f) { (l.t("library.item_title")) @if i == 0 { " *" } } (field_error(&title_f)) input type="text" id=(title_f) name=(title_f) value=(v.title) maxlength="300"; }
                    div.field { label for=(summary_f) { (l.t("library.summary")) } (field_error(&summary_f)) textarea id=(summary_f) name=(summary_f) rows="2" { (v.summary) } }
                    div.field { label for=(body_f) { (l.t("library.body")) } div.hint { (l.t("library.body_hint")) } (field_error(&body_f)) textarea id=(body_f) name=(body_f) rows=(if i == 0 { 12 } else { 6 }) { (v.body) } }
                }
            }
            div.field { label for="published" { (l.t("library.published")) } (field_error("published")) input type="date" id="published" name="published" value=(input.published); }
            div.field { label for="countries" { (l.t("library.countries")) } div.hint { (l.t("library.countries_hint")) } (field_error("countries")) input type="text" id="countries" name="countries" value=(selected_countries); }
            fieldset {
                legend { (l.t("library.themes")) } (field_error("themes"))
                @for group in [ThemeGroup::Driver, ThemeGroup::Response] {
                    p.hint { @if group == ThemeGroup::Driver { (l.t("library.drivers")) } @else { (l.t("library.responses")) } }
                    @for t in c.vocabulary.in_group(group) {
                        label.check { input type="checkbox" name="themes" value=(t.slug) checked[selected_themes.contains(t.slug.as_str())]; " " (t.label(l.code())) } " "
                    }
                }
            }
            div.field { label for="commitments" { (l.t("library.commitments")) } div.hint { (l.t("library.commitments_hint")) } (field_error("commitments")) input type="text" id="commitments" name="commitments" value=(input.commitments.join(" ")); }
            div.field { label for="sources" { (l.t("library.sources")) } (field_error("sources")) textarea id="sources" name="sources" rows="2" { (input.sources.join("\n")) } }
            div.field { label for="unverified" { (l.t("library.unverified")) } (field_error("unverified")) textarea id="unverified" name="unverified" rows="2" { (input.unverified.join("\n")) } }
            fieldset id="counter-fields" {
                legend { (l.t("library.counter_title")) }
                p.hint { (l.t("library.counter_hint")) }
                div.field { label for="counter.age" { (l.t("library.age")) } (field_error("counter.age"))
                    select id="counter.age" name="counter.age" { @for a in counter::AgeBand::ALL { option value=(a.as_str()) selected[counter.age == a.as_str()] { (a.as_str()) } } } }
                div.field { label for="counter.gender" { (l.t("library.gender")) } (field_error("counter.gender"))
                    select id="counter.gender" name="counter.gender" { @for g in counter::Gender::ALL { option value=(g.as_str()) selected[counter.gender == g.as_str()] { (g.as_str()) } } } }
                div.field { label for="counter.region" { (l.t("library.region")) } (field_error("counter.region")) input type="text" id="counter.region" name="counter.region" value=(counter.region); }
                div.field { label for="counter.at_risk" { (l.t("library.at_risk")) } (field_error("counter.at_risk")) input type="text" id="counter.at_risk" name="counter.at_risk" value=(counter.at_risk); }
                div.field { label for="counter.channel" { (l.t("library.channel")) } (field_error("counter.channel"))
                    select id="counter.channel" name="counter.channel" { @for ch in counter::Channel::ALL { option value=(ch.as_str()) selected[counter.channel == ch.as_str()] { (ch.as_str()) } } } }
                div.field { label for="counter.channel_name" { (l.t("library.channel_name")) } (field_error("counter.channel_name")) input type="text" id="counter.channel_name" name="counter.channel_name" value=(counter.channel_name); }
                div.field { label for="counter.answers" { (l.t("library.answers")) } (field_error("counter.answers")) input type="text" id="counter.answers" name="counter.answers" value=(counter.answers); }
                div.field { label for="counter.campaign" { (l.t("library.campaign")) } (field_error("counter.campaign"))
                    select id="counter.campaign" name="counter.campaign" { option value="" { "—" } @for camp in &c.campaigns { option value=(camp.id) selected[counter.campaign == camp.id.to_string()] { (camp.name) } } } }
                div.field { label for="counter.links" { (l.t("library.links")) } (field_error("counter.links")) textarea id="counter.links" name="counter.links" rows="2" { (counter.links) } }
            }
            button type="submit" { (l.t("library.save_draft")) }
        }
    }
}

fn rejected(html: Html<String>) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, html).into_response()
}

pub async fn new_page(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, WebError> {
    let c = context(&state).await?;
    let input = ItemInput {
        kind: "research".into(),
        marking: "GREEN".into(),
        distribution: "platform".into(),
        ..ItemInput::default()
    };
    let l = ctx.lang;
    Ok(page(
        &ctx,
        l.t("library.new"),
        html! { h1 { (l.t("library.new")) } (item_form(&ctx, &c, "/library/new", &input, 0, None)) },
    ))
}

pub async fn create_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    PostedForm(fields): PostedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (input, _) = input_from_form(&fields);
    let c = context(&state).await?;
    match validate(&c, &ctx.principal, &input) {
        Ok(item) => {
            let r = state
                .store
                .create_library_item(&ctx.actor(), owner_of(&ctx).as_ref(), &item)
                .await?;
            follow(&state).await?;
            Ok(Redirect::to(&format!("/library/{}", r.id)).into_response())
        }
        Err(invalid) => {
            let l = ctx.lang;
            Ok(rejected(page(
                &ctx,
                l.t("library.new"),
                html! { h1 { (l.t("library.new")) } (item_form(&ctx, &c, "/library/new", &input, 0, Some(&invalid))) },
            )))
        }
    }
}

/// Brings this node's index and access cache up to the write just made.
/// The write is committed whatever happens here: a failure is logged and
/// the follower on the timer catches up, rather than a 500 that would make
/// the user write it again.
pub(crate) async fn follow(state: &AppState) -> Result<(), WebError> {
    if let Err(e) = state.library.follow(&state.store).await {
        tracing::warn!(error = %e, "could not bring the library index up to a write");
    }
    Ok(())
}

async fn editable(state: &AppState, ctx: &Ctx, id: i64) -> Result<ItemRecord, WebError> {
    let r = readable(state, ctx, id).await?;
    if !workflow::may_edit(&ctx.principal, &r.standing()) {
        ctx.refused(state, Some(&Action::ContributeToLibrary)).await;
        return Err(WebError::Forbidden);
    }
    if r.status == Status::Withdrawn {
        return Err(WebError::Conflict(WorkflowError::Withdrawn.to_string()));
    }
    Ok(r)
}

pub async fn edit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let r = editable(&state, &ctx, id).await?;
    let c = context(&state).await?;
    let l = ctx.lang;
    let title = r.latest.item.versions[0].title.clone();
    Ok(page(
        &ctx,
        &title,
        html! {
            h1 { (l.t("library.edit")) ": " (title) }
            (item_form(&ctx, &c, &format!("/library/{id}/edit"), &r.latest.item.to_input(), r.latest_version, None))
        },
    ))
}

async fn save_edit(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    base: u32,
    item: &Item,
) -> Result<ItemRecord, WebError> {
    let r = editable(state, ctx, id).await?;
    let status = workflow::after_edit(&ctx.principal, &r.standing()).map_err(workflow_error)?;
    let saved = state
        .store
        .update_library_item(&ctx.actor(), id, base, item, status)
        .await?;
    follow(state).await?;
    Ok(saved)
}

pub async fn update_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    PostedForm(fields): PostedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (input, base) = input_from_form(&fields);
    let r = editable(&state, &ctx, id).await?;
    let c = context(&state).await?;
    let l = ctx.lang;
    let again = |invalid: &Invalid| {
        rejected(page(
            &ctx,
            l.t("library.edit"),
            html! { h1 { (l.t("library.edit")) } (item_form(&ctx, &c, &format!("/library/{id}/edit"), &input, base.unwrap_or(0), Some(invalid))) },
        ))
    };
    let Some(base) = base else {
        return Ok(again(&base_version_required()));
    };
    match validate(&c, &ctx.principal, &input) {
        Ok(item) => match save_edit(&state, &ctx, r.id, base, &item).await {
            Ok(_) => Ok(Redirect::to(&format!("/library/{id}")).into_response()),
            Err(WebError::Conflict(m)) => Ok(again(&Invalid::field("base_version", m))),
            Err(e) => Err(e),
        },
        Err(invalid) => Ok(again(&invalid)),
    }
}

/// An item as the API writes it: the input, and for an edit the version it
/// was based on (required: without it an edit would silently overwrite
/// whatever was written meanwhile).
#[derive(Debug, Deserialize)]
pub struct ItemBody {
    #[serde(flatten)]
    pub input: ItemInput,
    #[serde(default)]
    pub base_version: Option<u32>,
}

/// An edit that does not say which version it started from is refused.
fn base_version_required() -> Invalid {
    Invalid::field(
        "base_version",
        "is required: the number of the version this edit starts from",
    )
}

pub async fn api_create(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<ItemBody>,
) -> Result<Response, WebError> {
    let c = context(&state).await?;
    let item = validate(&c, &ctx.principal, &body.input)?;
    let r = state
        .store
        .create_library_item(&ctx.actor(), owner_of(&ctx).as_ref(), &item)
        .await?;
    follow(&state).await?;
    let json = item_json(&state, &ctx, &r).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/library/items/{}", r.id))],
        Json(json),
    )
        .into_response())
}

pub async fn api_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ItemBody>,
) -> Result<Response, WebError> {
    editable(&state, &ctx, id).await?;
    let base = body
        .base_version
        .filter(|&b| b > 0)
        .ok_or_else(base_version_required)?;
    let c = context(&state).await?;
    let item = validate(&c, &ctx.principal, &body.input)?;
    let r = save_edit(&state, &ctx, id, base, &item).await?;
    Ok(Json(item_json(&state, &ctx, &r).await?).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct StepBody {
    #[serde(default)]
    pub reason: String,
    /// The version the reviewer read: an approval of another is refused.
    #[serde(default)]
    pub version: Option<u32>,
}

async fn take_step(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    step: Transition,
    reason: &str,
    version: Option<u32>,
) -> Result<ItemRecord, WebError> {
    let r = readable(state, ctx, id).await?;
    let to = match workflow::step(&ctx.principal, &r.standing(), step, reason, version) {
        Ok(to) => to,
        Err(e @ (WorkflowError::NotReviewer | WorkflowError::NotEditor)) => {
            ctx.refused(state, Some(&Action::ContributeToLibrary)).await;
            return Err(workflow_error(e));
        }
        Err(e) => return Err(workflow_error(e)),
    };
    let approve = (step == Transition::Approve).then_some(r.latest_version);
    let saved = state
        .store
        .set_library_status(&ctx.actor(), id, r.status, to, approve, reason)
        .await?;
    follow(state).await?;
    super::library_notices::after_step(state, ctx, &saved, step, reason).await;
    Ok(saved)
}

fn step_of(name: &str) -> Result<Transition, WebError> {
    match name {
        "submit" => Ok(Transition::Submit),
        "approve" => Ok(Transition::Approve),
        "return" => Ok(Transition::Return),
        "withdraw" => Ok(Transition::Withdraw),
        other => Err(WebError::NotFound(format!("step {other}"))),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct StepForm {
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub version: Option<u32>,
}

pub async fn step_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, step)): Path<(i64, String)>,
    PostedForm(form): PostedForm<StepForm>,
) -> Result<Response, WebError> {
    let step = step_of(&step)?;
    match take_step(&state, &ctx, id, step, &form.reason, form.version).await {
        Ok(_) => Ok(Redirect::to(&format!("/library/{id}")).into_response()),
        Err(WebError::Conflict(m)) => {
            let r = readable(&state, &ctx, id).await?;
            let v = shown(&ctx, &r).clone();
            let field = if step == Transition::Withdraw {
                "reason"
            } else {
                "workflow"
            };
            Ok(rejected(
                render_item(&state, &ctx, &r, &v, "", Some(&Invalid::field(field, m))).await?,
            ))
        }
        Err(e) => Err(e),
    }
}

pub async fn api_step(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, step)): Path<(i64, String)>,
    body: axum::body::Bytes,
) -> Result<Response, WebError> {
    let step = step_of(&step)?;
    // The body is optional: `{"reason": "…"}` for a withdrawal or a return.
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        StepBody::default()
    } else {
        crate::forms::parse_json::<StepBody>(&body)?
    };
    let r = take_step(&state, &ctx, id, step, &body.reason, body.version).await?;
    Ok(Json(item_json(&state, &ctx, &r).await?).into_response())
}

// ---- attachments ----

async fn attach(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    upload: &Upload,
) -> Result<AttachmentRecord, WebError> {
    let r = editable(state, ctx, id).await?;
    // A file is a change like an edit: on a published item, a revision
    // that goes to review.
    let status = workflow::after_edit(&ctx.principal, &r.standing()).map_err(workflow_error)?;
    let Some((_, file_name, bytes)) = upload
        .fields
        .iter()
        .find(|(n, _, d)| n == "file" && !d.is_empty())
    else {
        return Err(Invalid::field("file", "choose the file to attach").into());
    };
    let file_name = file_name.clone().unwrap_or_else(|| "attachment".into());
    let file =
        checked_attachment(file_name, bytes.clone(), state.config.max_attachment_bytes).await?;
    let record = state
        .store
        .add_library_attachment(&ctx.actor(), id, r.latest_version, &file, status)
        .await?;
    follow(state).await?;
    Ok(record)
}

pub async fn attach_upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    upload: Upload,
) -> Result<Response, WebError> {
    match attach(&state, &ctx, id, &upload).await {
        Ok(a) if is_api_path(&ctx.path) => Ok((StatusCode::CREATED, Json(a)).into_response()),
        Ok(_) => Ok(Redirect::to(&format!("/library/{id}")).into_response()),
        Err(WebError::Invalid(invalid)) if !is_api_path(&ctx.path) => {
            let r = readable(&state, &ctx, id).await?;
            let v = shown(&ctx, &r).clone();
            Ok(rejected(
                render_item(&state, &ctx, &r, &v, "", Some(&invalid)).await?,
            ))
        }
        Err(e) => Err(e),
    }
}

/// The one way a file becomes an attachment: an allowed type, within the
/// size limit, content that is what its name says, and its text extracted.
async fn checked_attachment(
    file_name: String,
    bytes: Vec<u8>,
    max: u64,
) -> Result<NewAttachment, Invalid> {
    if bytes.len() as u64 > max {
        return Err(Invalid::field(
            "file",
            format!("the file is over the limit of {} MiB", max / (1024 * 1024)),
        ));
    }
    let content_type = crate::files::checked_type(&file_name, &bytes)?;
    let text = crate::files::extract_text(content_type, &bytes).await;
    Ok(NewAttachment {
        file_name,
        content_type: content_type.into(),
        bytes,
        text,
    })
}

/// `accord library import`: a folder of Markdown files (the format of
/// `crates/library/seed/README.md`), through the same checks as the pages.
pub mod library_io {
    use super::*;
    use accord_core::Principal;
    use accord_library::import::{ImportItem, read_folder};

    /// One item's outcome.
    pub enum Imported {
        Added { slug: String, id: i64 },
        Skipped { slug: String, why: String },
        Refused { slug: String, why: String },
    }

    /// Reads a folder's files (name, bytes); imports item by item (all or
    /// nothing per item), calling `progress` after each.
    pub async fn import_folder(
        store: &accord_store::Store,
        who: &Principal,
        actor: &accord_store::Actor,
        files: &[(String, Vec<u8>)],
        publish: bool,
        max_attachment: u64,
        progress: &dyn Fn(usize, usize),
    ) -> Result<Vec<Imported>, WebError> {
        if !workflow::may_contribute(who) {
            return Err(WebError::Forbidden);
        }
        let texts: Vec<(String, String)> = files
            .iter()
            .filter(|(n, _)| n.ends_with(".md"))
            .map(|(n, b)| (n.clone(), String::from_utf8_lossy(b).into_owned()))
            .collect();
        let (items, problems) = read_folder(&texts);
        let mut out: Vec<Imported> = problems
            .into_iter()
            .map(|p| Imported::Refused {
                slug: p.slug,
                why: format!("{}: {}", p.file, p.message),
            })
            .collect();
        let c = context_of(store).await?;
        let total = items.len();
        for (
            n,
            ImportItem {
                slug,
                input,
                attachments,
            },
        ) in items.into_iter().enumerate()
        {
            let outcome = import_one(
                store,
                &c,
                who,
                actor,
                files,
                &slug,
                &input,
                &attachments,
                publish,
                max_attachment,
            )
            .await;
            out.push(match outcome {
                Ok(id) => Imported::Added { slug, id },
                Err(WebError::Conflict(why)) => Imported::Skipped { slug, why },
                Err(WebError::Invalid(i)) => Imported::Refused {
                    slug,
                    why: i
                        .errors
                        .iter()
                        .map(|e| format!("{}: {}", e.field, e.message))
                        .collect::<Vec<_>>()
                        .join("; "),
                },
                Err(e) => return Err(e),
            });
            progress(n + 1, total);
        }
        Ok(out)
    }

    #[allow(clippy::too_many_arguments)]
    async fn import_one(
        store: &accord_store::Store,
        c: &Context,
        who: &Principal,
        actor: &accord_store::Actor,
        files: &[(String, Vec<u8>)],
        slug: &str,
        input: &ItemInput,
        attachments: &[String],
        publish: bool,
        max_attachment: u64,
    ) -> Result<i64, WebError> {
        let item = validate(c, who, input)?;
        let mut checked = Vec::new();
        for name in attachments {
            let Some((_, bytes)) = files.iter().find(|(n, _)| n == name) else {
                return Err(
                    Invalid::field("attachments", format!("{name} is not in the folder")).into(),
                );
            };
            checked.push(checked_attachment(name.clone(), bytes.clone(), max_attachment).await?);
        }
        // Imported items are published only when asked (the operator
        // vouches for them, as a reviewer would); else they wait in review.
        let status = if publish {
            Status::Published
        } else {
            Status::InReview
        };
        let r = store
            .import_library_item(actor, who.member(), &item, slug, status, &checked)
            .await?;
        Ok(r.id)
    }
}

/// A download: only of an attachment of a version the reader may read;
/// always audited, always as an attachment.
pub async fn download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, att)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let r = readable(&state, &ctx, id).await?;
    let v = shown(&ctx, &r);
    let (meta, bytes) = match state.store.library_attachment(id, att).await {
        Ok(found) => found,
        Err(StoreError::NotFound(_)) => {
            return Err(WebError::NotFound(format!("attachment {att}")));
        }
        Err(e) => return Err(e.into()),
    };
    if meta.since_version > v.number {
        return Err(WebError::NotFound(format!("attachment {att}")));
    }
    state
        .store
        .audit_library_read(&ctx.actor(), "library.attachment.download", format!("library:{id}"), serde_json::json!({ "attachment": att, "sha256": meta.sha256, "marking": v.item.marking }))
        .await?;
    Ok(crate::files::attachment(
        &meta.file_name,
        &meta.content_type,
        bytes,
    ))
}

// ---- reach ----

async fn add_reach(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    input: &ReachInput,
) -> Result<usize, WebError> {
    let r = editable(state, ctx, id).await?;
    if r.latest.item.kind != Kind::CounterNarrative {
        return Err(Invalid::field("rows", "only counter-narratives have reach").into());
    }
    let within = match r.latest.item.counter.as_ref().and_then(|c| c.campaign) {
        Some(c) => state
            .store
            .campaign(c)
            .await
            .ok()
            .map(|c| (c.starts, c.ends)),
        None => None,
    };
    let rows = input.validate(within)?;
    Ok(state
        .store
        .add_library_reach(&ctx.actor(), id, &rows)
        .await?)
}

pub async fn reach_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    PostedForm(input): PostedForm<ReachInput>,
) -> Result<Response, WebError> {
    match add_reach(&state, &ctx, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/library/{id}#counter")).into_response()),
        Err(WebError::Invalid(invalid)) => {
            let r = readable(&state, &ctx, id).await?;
            let v = shown(&ctx, &r).clone();
            Ok(rejected(
                render_item(&state, &ctx, &r, &v, "", Some(&invalid)).await?,
            ))
        }
        Err(e) => Err(e),
    }
}

#[derive(Serialize)]
pub struct ReachAdded {
    pub rows: usize,
}

pub async fn api_reach(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ReachInput>,
) -> Result<Json<ReachAdded>, WebError> {
    Ok(Json(ReachAdded {
        rows: add_reach(&state, &ctx, id, &input).await?,
    }))
}

// ---- the review queue ----

pub async fn review_page(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Html<String>, WebError> {
    let l = ctx.lang;
    let who = &ctx.principal;
    let to_review = state.library.readable(who, |row| {
        row.status == Status::InReview && workflow::may_review(who, &row.standing())
    });
    let mine = state.library.readable(who, |row| {
        row.author_id.is_some() && row.author_id == who.user_id() && row.status != Status::Published
    });
    let review = state.store.library_items(&to_review).await?;
    let own = state.store.library_items(&mine).await?;
    let list = |items: &[ItemRecord]| {
        html! {
            @if items.is_empty() { p.muted { (l.t("library.nothing")) } }
            ul { @for r in items { li {
                a href={ "/library/" (r.id) } { (r.latest.item.versions[0].title) } " " (marking_badge(r.latest.item.marking)) " "
                span.badge { (status_label(l, r.status)) } " " span.muted { (r.author) " · " (crate::render::format_ms(r.updated_at)) }
            } } }
        }
    };
    Ok(page(
        &ctx,
        l.t("library.review_title"),
        html! {
            h1 { (l.t("library.review_title")) }
            h2 { (l.t("library.to_review")) } (list(&review))
            h2 { (l.t("library.my_items")) } (list(&own))
        },
    ))
}

#[derive(Serialize)]
pub struct QueueJson {
    pub to_review: Vec<i64>,
    pub mine: Vec<i64>,
}

pub async fn api_review(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Json<QueueJson>, WebError> {
    let who = &ctx.principal;
    Ok(Json(QueueJson {
        to_review: state.library.readable(who, |row| {
            row.status == Status::InReview && workflow::may_review(who, &row.standing())
        }),
        mine: state.library.readable(who, |row| {
            row.author_id.is_some()
                && row.author_id == who.user_id()
                && row.status != Status::Published
        }),
    }))
}

// ---- sharing groups ----

/// The groups `who` sees: those they keep or belong to (a group's
/// membership is not everyone's business).
fn groups_seen(ctx: &Ctx, groups: Vec<SharingGroup>) -> Vec<SharingGroup> {
    groups
        .into_iter()
        .filter(|g| g.may_manage(&ctx.principal) || g.may_share_with(&ctx.principal))
        .collect()
}

pub async fn groups_page(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Html<String>, WebError> {
    render_groups(&state, &ctx, &SharingGroupInput::default(), None)
        .await
        .map(|(h, _)| h)
}

async fn render_groups(
    state: &AppState,
    ctx: &Ctx,
    input: &SharingGroupInput,
    errors: Option<&Invalid>,
) -> Result<(Html<String>, ()), WebError> {
    let l = ctx.lang;
    let groups = groups_seen(ctx, state.store.sharing_groups().await?);
    let mut rows = Vec::new();
    for g in &groups {
        rows.push((g, state.store.usernames(&g.users).await?));
    }
    let may_create = accord_core::authorize(&ctx.principal, &Action::ManageSharingGroups).is_ok();
    Ok((
        page(
            ctx,
            l.t("library.groups_title"),
            html! {
                h1 { (l.t("library.groups_title")) }
                p { (l.t("library.groups_intro")) }
                @if rows.is_empty() { p.muted { (l.t("library.nothing")) } }
                ul { @for (g, users) in &rows { li {
                    a href={ "/library/groups/" (g.id) } { (g.name) } " — "
                    @if g.members.is_empty() && g.users.is_empty() { em { (l.t("library.group_empty")) } }
                    @else { (g.members.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", ")) @if !users.is_empty() { " · " (users.join(", ")) } }
                } } }
                @if may_create {
                    h2 { (l.t("library.group_new")) }
                    (group_form(ctx, "/library/groups", input, errors))
                }
            },
        ),
        (),
    ))
}

fn group_form(
    ctx: &Ctx,
    action: &str,
    input: &SharingGroupInput,
    errors: Option<&Invalid>,
) -> Markup {
    let l = ctx.lang;
    html! {
        (form_errors(l, errors))
        form method="post" action=(action) {
            (csrf_field(ctx))
            div.field { label for="name" { (l.t("library.group_name")) " *" } input type="text" id="name" name="name" value=(input.name) required; }
            div.field { label for="members" { (l.t("library.group_members")) } div.hint { (l.t("library.countries_hint")) } input type="text" id="members" name="members" value=(input.members.join(" ")); }
            div.field { label for="users" { (l.t("library.group_users")) } div.hint { (l.t("library.group_users_hint")) } input type="text" id="users" name="users" value=(input.users.join(" ")); }
            button type="submit" { (l.t("library.save")) }
        }
    }
}

async fn create_group(
    state: &AppState,
    ctx: &Ctx,
    input: &SharingGroupInput,
) -> Result<SharingGroup, WebError> {
    ctx.require(state, &Action::ManageSharingGroups).await?;
    let checked = input.validate()?;
    let g = state
        .store
        .create_sharing_group(&ctx.actor(), owner_of(ctx).as_ref(), &checked)
        .await?;
    follow(state).await?;
    Ok(g)
}

pub async fn create_group_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    PostedForm(input): PostedForm<SharingGroupInput>,
) -> Result<Response, WebError> {
    match create_group(&state, &ctx, &input).await {
        Ok(g) => Ok(Redirect::to(&format!("/library/groups/{}", g.id)).into_response()),
        Err(WebError::Invalid(invalid)) => Ok(rejected(
            render_groups(&state, &ctx, &input, Some(&invalid)).await?.0,
        )),
        Err(e) => Err(e),
    }
}

async fn managed_group(state: &AppState, ctx: &Ctx, id: i64) -> Result<SharingGroup, WebError> {
    let g = match state.store.sharing_group(id).await {
        Ok(g) if g.may_manage(&ctx.principal) || g.may_share_with(&ctx.principal) => g,
        Ok(_) | Err(StoreError::NotFound(_)) => {
            return Err(WebError::NotFound(format!("sharing group {id}")));
        }
        Err(e) => return Err(e.into()),
    };
    Ok(g)
}

pub async fn group_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let g = managed_group(&state, &ctx, id).await?;
    let users = state.store.usernames(&g.users).await?;
    render_group(
        &ctx,
        &g,
        &SharingGroupInput {
            name: g.name.clone(),
            members: g.members.iter().map(|m| m.as_str().to_string()).collect(),
            users,
        },
        None,
    )
}

fn render_group(
    ctx: &Ctx,
    g: &SharingGroup,
    input: &SharingGroupInput,
    errors: Option<&Invalid>,
) -> Result<Html<String>, WebError> {
    let l = ctx.lang;
    Ok(page(
        ctx,
        &g.name,
        html! {
            h1 { (g.name) }
            dl.facts {
                dt { (l.t("library.owner")) } dd { (g.owner.as_ref().map_or_else(|| l.t("library.secretariat").to_string(), |m| m.as_str().to_string())) }
                dt { (l.t("library.group_members")) } dd { @if g.members.is_empty() { em { (l.t("library.group_empty")) } } @else { (g.members.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", ")) } }
                dt { (l.t("library.group_users")) } dd { (input.users.join(", ")) }
            }
            p.hint { (l.t("library.group_empty_explained")) }
            @if g.may_manage(&ctx.principal) {
                h2 { (l.t("library.edit")) } (group_form(ctx, &format!("/library/groups/{}", g.id), input, errors))
                (delete_form(ctx, &format!("/library/groups/{}/delete", g.id), l.t("library.group_delete_hint")))
            }
        },
    ))
}

async fn update_group(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    input: &SharingGroupInput,
) -> Result<SharingGroup, WebError> {
    let g = managed_group(state, ctx, id).await?;
    if !g.may_manage(&ctx.principal) {
        ctx.refused(state, Some(&Action::ManageSharingGroups)).await;
        return Err(WebError::Forbidden);
    }
    let checked = input.validate()?;
    let g = state
        .store
        .update_sharing_group(&ctx.actor(), id, &checked)
        .await?;
    follow(state).await?;
    Ok(g)
}

pub async fn update_group_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    PostedForm(input): PostedForm<SharingGroupInput>,
) -> Result<Response, WebError> {
    match update_group(&state, &ctx, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/library/groups/{id}")).into_response()),
        Err(WebError::Invalid(invalid)) => {
            let g = managed_group(&state, &ctx, id).await?;
            Ok(rejected(render_group(&ctx, &g, &input, Some(&invalid))?))
        }
        Err(e) => Err(e),
    }
}

/// A button that deletes what the page shows, with what it will refuse.
fn delete_form(ctx: &Ctx, action: &str, hint: &str) -> Markup {
    let l = ctx.lang;
    html! {
        h2 { (l.t("library.delete")) }
        p.hint { (hint) }
        form method="post" action=(action) {
            (csrf_field(ctx))
            button.danger type="submit" { (l.t("library.delete")) }
        }
    }
}

async fn delete_group(state: &AppState, ctx: &Ctx, id: i64) -> Result<(), WebError> {
    let g = managed_group(state, ctx, id).await?;
    ctx.require(state, &g.keeping()).await?;
    state.store.delete_sharing_group(&ctx.actor(), id).await?;
    follow(state).await?;
    Ok(())
}

pub async fn delete_group_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    PostedForm(_): PostedForm<crate::forms::NoFields>,
) -> Result<Response, WebError> {
    match delete_group(&state, &ctx, id).await {
        Ok(()) => Ok(Redirect::to("/library/groups").into_response()),
        Err(WebError::Conflict(m)) => {
            let g = managed_group(&state, &ctx, id).await?;
            let input = SharingGroupInput {
                name: g.name.clone(),
                members: g.members.iter().map(|m| m.as_str().to_string()).collect(),
                users: state.store.usernames(&g.users).await?,
            };
            let html = render_group(&ctx, &g, &input, Some(&Invalid::field("delete", m)))?;
            Ok((StatusCode::CONFLICT, html).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn api_delete_group(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    delete_group(&state, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn api_groups(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Json<Vec<SharingGroup>>, WebError> {
    Ok(Json(groups_seen(&ctx, state.store.sharing_groups().await?)))
}

pub async fn api_create_group(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<SharingGroupInput>,
) -> Result<Response, WebError> {
    let g = create_group(&state, &ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(g)).into_response())
}

pub async fn api_update_group(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<SharingGroupInput>,
) -> Result<Json<SharingGroup>, WebError> {
    Ok(Json(update_group(&state, &ctx, id, &input).await?))
}

// ---- campaigns ----

pub async fn campaigns_page(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Html<String>, WebError> {
    render_campaigns(&state, &ctx, &CampaignInput::default(), None).await
}

async fn render_campaigns(
    state: &AppState,
    ctx: &Ctx,
    input: &CampaignInput,
    errors: Option<&Invalid>,
) -> Result<Html<String>, WebError> {
    let l = ctx.lang;
    let campaigns = state.store.campaigns().await?;
    let may_create = accord_core::authorize(&ctx.principal, &Action::ManageSharingGroups).is_ok();
    Ok(page(
        ctx,
        l.t("library.campaigns_title"),
        html! {
            h1 { (l.t("library.campaigns_title")) }
            @if campaigns.is_empty() { p.muted { (l.t("library.nothing")) } }
            ul { @for c in &campaigns { li { a href={ "/library/campaigns/" (c.id) } { (c.name) } " " span.muted { (c.starts.to_string()) " – " (c.ends.to_string()) } } } }
            @if may_create {
                h2 { (l.t("library.campaign_new")) }
                (campaign_form(ctx, "/library/campaigns", input, errors))
            }
        },
    ))
}

/// The one campaign form, for creating and for editing.
fn campaign_form(
    ctx: &Ctx,
    action: &str,
    input: &CampaignInput,
    errors: Option<&Invalid>,
) -> Markup {
    let l = ctx.lang;
    html! {
        (form_errors(l, errors))
        form method="post" action=(action) {
            (csrf_field(ctx))
            div.field { label for="name" { (l.t("library.group_name")) " *" } input type="text" id="name" name="name" value=(input.name) required; }
            div.field { label for="description" { (l.t("library.summary")) } textarea id="description" name="description" rows="2" { (input.description) } }
            div.field { label for="starts" { (l.t("library.from")) " *" } input type="date" id="starts" name="starts" value=(input.starts) required; }
            div.field { label for="ends" { (l.t("library.to")) " *" } input type="date" id="ends" name="ends" value=(input.ends) required; }
            div.field { label for="partners" { (l.t("library.partners")) } div.hint { (l.t("library.countries_hint")) } input type="text" id="partners" name="partners" value=(input.partners); }
            button type="submit" { (l.t("library.save")) }
        }
    }
}

async fn create_campaign(
    state: &AppState,
    ctx: &Ctx,
    input: &CampaignInput,
) -> Result<Campaign, WebError> {
    ctx.require(state, &Action::ManageSharingGroups).await?;
    let checked = input.validate()?;
    Ok(state
        .store
        .create_campaign(&ctx.actor(), owner_of(ctx).as_ref(), &checked)
        .await?)
}

pub async fn create_campaign_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    PostedForm(input): PostedForm<CampaignInput>,
) -> Result<Response, WebError> {
    match create_campaign(&state, &ctx, &input).await {
        Ok(c) => Ok(Redirect::to(&format!("/library/campaigns/{}", c.id)).into_response()),
        Err(WebError::Invalid(invalid)) => Ok(rejected(
            render_campaigns(&state, &ctx, &input, Some(&invalid)).await?,
        )),
        Err(e) => Err(e),
    }
}

async fn found_campaign(state: &AppState, id: i64) -> Result<Campaign, WebError> {
    match state.store.campaign(id).await {
        Ok(c) => Ok(c),
        Err(StoreError::NotFound(_)) => Err(WebError::NotFound(format!("campaign {id}"))),
        Err(e) => Err(e.into()),
    }
}

/// A campaign's page: its items the reader may read, and their reach summed.
pub async fn campaign_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let c = found_campaign(&state, id).await?;
    render_campaign(&state, &ctx, &c, &c.to_input(), None).await
}

async fn render_campaign(
    state: &AppState,
    ctx: &Ctx,
    c: &Campaign,
    input: &CampaignInput,
    errors: Option<&Invalid>,
) -> Result<Html<String>, WebError> {
    let id = c.id;
    let l = ctx.lang;
    let in_campaign: BTreeSet<i64> = state.store.campaign_items(id).await?.into_iter().collect();
    let ids = state.library.readable(&ctx.principal, |row| {
        in_campaign.contains(&row.id) && row.published.is_some() && row.status != Status::Withdrawn
    });
    // The campaign as approved: a revision in review that moves an item to
    // another campaign does not move it yet; the stored record decides.
    let items: Vec<ItemRecord> = state
        .store
        .library_items(&ids)
        .await?
        .into_iter()
        .filter(|r| {
            published_for(state, ctx, r)
                && r.published
                    .as_ref()
                    .and_then(|v| v.item.counter.as_ref())
                    .and_then(|c| c.campaign)
                    == Some(id)
        })
        .collect();
    let ids: Vec<i64> = items.iter().map(|r| r.id).collect();
    let reach: Vec<counter::ReachRow> = state
        .store
        .library_reach(&ids)
        .await?
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    let totals = counter::totals(&reach);
    let chart = counter::reach_chart(
        &reach,
        &ChartWords {
            title: l.t("library.reach_title"),
            impressions: l.t("library.impressions"),
            engagements: l.t("library.engagements"),
            no_data: l.t("library.no_reach"),
        },
    );
    Ok(page(
        ctx,
        &c.name,
        html! {
            p.muted { a href="/library/campaigns" { (l.t("library.campaigns_title")) } }
            h1 { (c.name) }
            @if !c.description.is_empty() { p { (c.description) } }
            dl.facts {
                dt { (l.t("library.period")) } dd { (c.starts.to_string()) " – " (c.ends.to_string()) }
                @if !c.partners.is_empty() { dt { (l.t("library.partners")) } dd { (c.partners.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", ")) } }
            }
            h2 { (l.t("library.reach_title")) }
            figure.chart { (PreEscaped(&chart)) }
            p { (l.tf("library.reach_totals", &[("impressions", &totals.impressions.to_string()), ("engagements", &totals.engagements.to_string()), ("clicks", &totals.clicks.to_string())])) }
            h2 { (l.t("library.items")) }
            ul { @for r in &items { @if let Some(v) = &r.published { li { a href={ "/library/" (r.id) } { (v.item.version_in(l.code()).title) } " " (marking_badge(v.item.marking)) } } } }
            @if c.may_manage(&ctx.principal) {
                h2 { (l.t("library.edit")) }
                (campaign_form(ctx, &format!("/library/campaigns/{id}"), input, errors))
                (delete_form(ctx, &format!("/library/campaigns/{id}/delete"), l.t("library.campaign_delete_hint")))
            }
        },
    ))
}

async fn update_campaign(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    input: &CampaignInput,
) -> Result<Campaign, WebError> {
    let c = found_campaign(state, id).await?;
    ctx.require(state, &c.keeping()).await?;
    let checked = input.validate()?;
    // The reach already recorded for its items stays inside its dates.
    let items = state.store.campaign_items(id).await?;
    let recorded: Vec<counter::ReachRow> = state
        .store
        .library_reach(&items)
        .await?
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    checked.check_reach(&recorded)?;
    Ok(state
        .store
        .update_campaign(&ctx.actor(), id, &checked)
        .await?)
}

pub async fn update_campaign_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    PostedForm(input): PostedForm<CampaignInput>,
) -> Result<Response, WebError> {
    match update_campaign(&state, &ctx, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/library/campaigns/{id}")).into_response()),
        Err(WebError::Invalid(invalid)) => {
            let c = found_campaign(&state, id).await?;
            Ok(rejected(
                render_campaign(&state, &ctx, &c, &input, Some(&invalid)).await?,
            ))
        }
        Err(e) => Err(e),
    }
}

pub async fn api_update_campaign(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<CampaignInput>,
) -> Result<Json<Campaign>, WebError> {
    Ok(Json(update_campaign(&state, &ctx, id, &input).await?))
}

async fn delete_campaign(state: &AppState, ctx: &Ctx, id: i64) -> Result<(), WebError> {
    let c = found_campaign(state, id).await?;
    ctx.require(state, &c.keeping()).await?;
    state.store.delete_campaign(&ctx.actor(), id).await?;
    Ok(())
}

pub async fn delete_campaign_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    PostedForm(_): PostedForm<crate::forms::NoFields>,
) -> Result<Response, WebError> {
    match delete_campaign(&state, &ctx, id).await {
        Ok(()) => Ok(Redirect::to("/library/campaigns").into_response()),
        Err(WebError::Conflict(m)) => {
            let c = found_campaign(&state, id).await?;
            let html = render_campaign(
                &state,
                &ctx,
                &c,
                &c.to_input(),
                Some(&Invalid::field("delete", m)),
            )
            .await?;
            Ok((StatusCode::CONFLICT, html).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn api_delete_campaign(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    delete_campaign(&state, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn api_campaigns(State(state): State<AppState>) -> Result<Json<Vec<Campaign>>, WebError> {
    Ok(Json(state.store.campaigns().await?))
}

pub async fn api_create_campaign(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<CampaignInput>,
) -> Result<Response, WebError> {
    let c = create_campaign(&state, &ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(c)).into_response())
}

// ---- the vocabulary ----

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ThemeForm {
    pub slug: String,
    pub group: String,
    pub en: String,
    pub ru: String,
}

pub async fn themes_page(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Html<String>, WebError> {
    render_themes(&state, &ctx, &ThemeForm::default(), None).await
}

async fn render_themes(
    state: &AppState,
    ctx: &Ctx,
    form: &ThemeForm,
    errors: Option<&Invalid>,
) -> Result<Html<String>, WebError> {
    let l = ctx.lang;
    let v = state.store.library_vocabulary().await?;
    Ok(page(
        ctx,
        l.t("library.themes"),
        html! {
            h1 { (l.t("library.themes")) }
            div.table-scroll { table {
                thead { tr { th { "slug" } th { (l.t("library.theme_group")) } th { "English" } th { "Русский" } } }
                tbody { @for t in &v.themes { tr { td { code { (t.slug) } } td { (t.group.as_str()) } td { (t.en) } td { (t.ru) } } } }
            } }
            h2 { (l.t("library.theme_save")) }
            (form_errors(l, errors))
            form method="post" action="/library/themes" {
                (csrf_field(ctx))
                div.field { label for="slug" { "slug *" } input type="text" id="slug" name="slug" value=(form.slug) required; }
                div.field { label for="group" { (l.t("library.theme_group")) } select id="group" name="group" { option value="driver" selected[form.group == "driver"] { (l.t("library.drivers")) } option value="response" selected[form.group == "response"] { (l.t("library.responses")) } } }
                div.field { label for="en" { "English *" } input type="text" id="en" name="en" value=(form.en) required; }
                div.field { label for="ru" { "Русский *" } input type="text" id="ru" name="ru" value=(form.ru) required; }
                button type="submit" { (l.t("library.save")) }
            }
        },
    ))
}

pub async fn save_theme_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    PostedForm(form): PostedForm<ThemeForm>,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::ManageLibrary).await?;
    match Theme::parse(&form.slug, &form.group, &form.en, &form.ru) {
        Ok(theme) => {
            state.store.save_library_theme(&ctx.actor(), &theme).await?;
            Ok(Redirect::to("/library/themes").into_response())
        }
        Err(invalid) => Ok(rejected(
            render_themes(&state, &ctx, &form, Some(&invalid)).await?,
        )),
    }
}

pub async fn api_themes(State(state): State<AppState>) -> Result<Json<Vocabulary>, WebError> {
    Ok(Json(state.store.library_vocabulary().await?))
}
