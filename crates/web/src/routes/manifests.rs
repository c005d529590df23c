//! API manifests (UN/EDIFACT PAXLST): `POST /api/manifests` and the page
//! `/screen/manifest`. A manifest is parsed and screened in memory with
//! `accord_screening::screen_manifest`. What is kept: the audit record (who,
//! how many travellers and hits, which lists, with the names only when
//! `audit_screened_names` is set) and the screening's record — the flight,
//! the totals and the travellers with candidates, and every traveller only
//! for `manifest_retention_days` ([`super::manifest_records`]). A manifest
//! that cannot be read is refused with the parser's error, which names the
//! segment, and nothing is kept.

use accord_core::Action;
use accord_core::audit::Outcome;
use accord_paxlst::{ErrorKind, ParseError, Position};
use accord_screening::{
    DEFAULT_THRESHOLD, Hit, ManifestError, ManifestOptions, ManifestScreening, screen_manifest,
};
use axum::Json;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;

use crate::context::Ctx;
use crate::error::WebError;
use crate::forms::Upload;
use crate::i18n::Lang;
use crate::render::{csrf_field, page as render_page};
use crate::state::AppState;

/// `?threshold=0.8&limit=5&lists=un,ofac` on `POST /api/manifests`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ApiParams {
    threshold: Option<f64>,
    limit: Option<usize>,
    lists: Option<String>,
}

/// Why nothing was screened: a manifest that cannot be read, or options
/// that do not hold.
enum Refusal {
    Manifest(ParseError),
    Web(WebError),
}

impl From<WebError> for Refusal {
    fn from(e: WebError) -> Self {
        Refusal::Web(e)
    }
}

fn options(state: &AppState, p: ApiParams) -> Result<ManifestOptions, WebError> {
    let threshold = p.threshold.unwrap_or(DEFAULT_THRESHOLD);
    if !(0.0..=1.0).contains(&threshold) {
        return Err(accord_core::Invalid::field("threshold", "must be between 0 and 1").into());
    }
    let limit = p.limit.unwrap_or(10);
    if !(1..=100).contains(&limit) {
        return Err(accord_core::Invalid::field("limit", "must be between 1 and 100").into());
    }
    let datasets = p.lists.map(|l| {
        l.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect::<Vec<_>>()
    });
    if let Some(names) = &datasets {
        state
            .screening
            .current()
            .check_datasets(names)
            .map_err(|e| accord_core::Invalid::field("lists", e.to_string()))?;
    }
    let mut opts = ManifestOptions {
        threshold,
        limit,
        datasets,
        ..ManifestOptions::default()
    };
    // The route's limit is the upload limit; the parser refuses beyond it
    // too, so that "too large" is the parser's error like every other.
    opts.limits.max_bytes = opts.limits.max_bytes.min(state.config.max_upload_bytes);
    Ok(opts)
}

/// The parser's "too large" error for a body that was not read whole.
fn too_large(size: usize, max: usize) -> ParseError {
    ParseError {
        position: Position {
            segment: 0,
            offset: 0,
        },
        tag: None,
        kind: Box::new(ErrorKind::TooLarge { size, max }),
    }
}

/// Screens on a blocking thread and audits the run (counts and lists; the
/// names only when configured).
async fn run(
    state: &AppState,
    ctx: &Ctx,
    input: Vec<u8>,
    opts: ManifestOptions,
) -> Result<(ManifestScreening, i64), Refusal> {
    let worker = state.clone();
    let lists = opts.datasets.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        screen_manifest(&worker.screening.current(), &input, &opts)
    })
    .await
    .map_err(|e| WebError::Internal(e.to_string()))?;
    let screening = match outcome {
        Ok(s) => s,
        Err(ManifestError::Parse(p)) => return Err(Refusal::Manifest(p)),
        Err(ManifestError::UnknownDataset(e)) => {
            return Err(WebError::from(accord_core::Invalid::field("lists", e.to_string())).into());
        }
        Err(ManifestError::BadOptions(e)) => {
            return Err(WebError::from(accord_core::Invalid::field("options", e)).into());
        }
    };
    let lists = lists.unwrap_or_else(|| {
        state
            .screening
            .current()
            .datasets()
            .iter()
            .map(|d| d.name.clone())
            .collect()
    });
    let t = &screening.totals;
    let mut detail = serde_json::json!({
        "manifest": true,
        "queries": t.travellers,
        "with_hits": t.with_hits,
        "document_matches": t.document_matches,
        "lists": lists,
    });
    if state.config.audit_screened_names {
        let names: Vec<&str> = screening.travellers().map(|t| t.name.as_str()).collect();
        detail["names"] = serde_json::json!(names);
    }
    state
        .store
        .audit(&ctx.actor(), "screening.run", "lists", Outcome::Ok, detail)
        .await
        .map_err(WebError::from)?;
    let kept = super::manifest_records::keep(state, ctx, &screening).await?;
    Ok((screening, kept))
}

/// The 422 for a manifest that cannot be read: the usual error shape, with
/// the parser's position, tag and kind beside the message.
fn refused(e: &ParseError) -> Response {
    let message = format!("the manifest cannot be read: {e}");
    let body = serde_json::json!({ "error": {
        "status": 422,
        "code": "invalid_manifest",
        "message": message,
        "fields": [{ "field": "manifest", "message": message }],
        "position": e.position,
        "tag": e.tag,
        "kind": e.kind,
    }});
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

/// `POST /api/manifests`: the EDIFACT text as the raw body, whatever its
/// content type; answers the `ManifestScreening` as JSON.
pub async fn api_screen(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::Screen).await?;
    let params: ApiParams = serde_urlencoded::from_str(query.as_deref().unwrap_or(""))
        .map_err(|e| WebError::BadRequest(format!("malformed query string: {e}")))?;
    let opts = options(&state, params)?;
    let max = opts.limits.max_bytes;
    let input = match axum::body::to_bytes(body, max).await {
        Ok(b) => b.to_vec(),
        Err(_) => {
            // Not read whole: the declared length when there is one.
            let size = headers
                .get(header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok())
                .unwrap_or(max + 1);
            return Ok(refused(&too_large(size, max)));
        }
    };
    match run(&state, &ctx, input, opts).await {
        Ok((s, kept)) => {
            let mut body =
                serde_json::to_value(&s).map_err(|e| WebError::Internal(e.to_string()))?;
            body["record"] = serde_json::json!(kept);
            Ok(Json(body).into_response())
        }
        Err(Refusal::Manifest(p)) => Ok(refused(&p)),
        Err(Refusal::Web(e)) => Err(e),
    }
}

/// What is wrong, in the reader's language; the parser's own (English)
/// sentence is shown beside it.
fn error_headline(l: Lang, kind: &ErrorKind) -> &'static str {
    l.t(match kind {
        ErrorKind::TooLarge { .. } => "manifest.err_too_large",
        ErrorKind::NotEdifact { .. } => "manifest.err_not_edifact",
        ErrorKind::InvalidUna { .. } | ErrorKind::Unreadable { .. } => "manifest.err_unreadable",
        ErrorKind::Truncated { .. } => "manifest.err_truncated",
        ErrorKind::UnsupportedCharset { .. } | ErrorKind::WrongCharset { .. } => {
            "manifest.err_charset"
        }
        ErrorKind::NotPaxlst { .. } => "manifest.err_not_paxlst",
        ErrorKind::CountMismatch { .. } | ErrorKind::ReferenceMismatch { .. } => {
            "manifest.err_count"
        }
        ErrorKind::Unexpected { .. } => "manifest.err_unexpected",
        ErrorKind::Missing { .. } => "manifest.err_missing",
        ErrorKind::InvalidValue { .. } => "manifest.err_value",
        ErrorKind::InvalidDate { .. } => "manifest.err_date",
    })
}

/// A hit's verdict: the score bands of `crates/matching/README.md`
/// (≥ 0.9 the same name, 0.70–0.9 to review), an exact document number
/// above all, and a weak alias below a full name.
fn verdict(l: Lang, h: &Hit) -> Markup {
    let (class, key) = if h.document_match.is_some() {
        ("bad", "manifest.verdict_document")
    } else if h.low_confidence {
        ("warn", "manifest.verdict_weak_alias")
    } else if h.score >= 0.9 {
        ("bad", "manifest.verdict_strong")
    } else if h.score >= DEFAULT_THRESHOLD {
        ("warn", "manifest.verdict_review")
    } else {
        ("", "manifest.verdict_low")
    };
    html! { span class={ "badge " (class) } { (l.t(key)) } }
}

/// On a phone the results table becomes one block per traveller and hit
/// (an officer at a gate reads it there); the page's own rule, so that the
/// shared stylesheet stays as it is.
const NARROW: &str = "@media (max-width: 640px) { \
    table.manifest thead { display: none; } \
    table.manifest, table.manifest tbody, table.manifest tr, table.manifest td { display: block; width: auto; } \
    table.manifest td { border: none; padding: .15rem .4rem; } \
    table.manifest tr { border-top: 1px solid var(--line); padding: .4rem 0; } }";

fn results(l: Lang, s: &ManifestScreening) -> Markup {
    let t = &s.totals;
    html! {
        h2 { (l.t("manifest.results")) }
        @for m in &s.messages {
            p {
                strong { (l.tf("manifest.flight", &[("flight", &m.flight.number)])) }
                @for leg in &m.flight.legs {
                    " · " (leg.departure)
                    @if let Some(d) = &leg.departure_time { " " (d.to_string().replace('T', " ")) }
                    " → " (leg.arrival)
                    @if let Some(a) = &leg.arrival_time { " " (a.to_string().replace('T', " ")) }
                }
                " · "
                (l.t(if m.kind == accord_paxlst::ListKind::Crew { "manifest.crew_list" } else { "manifest.passenger_list" }))
            }
        }
        @let totals = l.tf("manifest.totals", &[
            ("travellers", &t.travellers.to_string()),
            ("passengers", &t.passengers.to_string()),
            ("crew", &t.crew.to_string()),
            ("with_hits", &t.with_hits.to_string()),
            ("documents", &t.document_matches.to_string()),
        ]);
        @if t.with_hits > 0 {
            div.notice.warn role="status" { (totals) }
        } @else {
            div.notice.ok role="status" { (totals) " " (l.t("manifest.nobody")) }
        }
        @for w in &s.warnings {
            p.muted { (l.t("manifest.tolerated")) " " (w.to_string()) }
        }
        style { (PreEscaped(NARROW)) }
        div style="overflow-x:auto" {
            table.manifest {
                thead { tr {
                    th scope="col" { (l.t("manifest.traveller")) }
                    th scope="col" { (l.t("manifest.verdict")) }
                    th scope="col" { (l.t("manifest.match")) }
                    th scope="col" { (l.t("manifest.why")) }
                } }
                tbody {
                    @for tr in s.travellers() {
                        @let span = tr.hits.len().max(1);
                        @let who = html! {
                            td rowspan=(span) style="min-width:11rem" {
                                strong { (tr.name) }
                                @if tr.kind.is_crew() { " " span.badge { (l.t("manifest.crew")) } }
                                br;
                                code { (tr.id) }
                                br;
                                span.muted {
                                    @if let Some(b) = &tr.birth_date { (l.t("manifest.born")) " " (b) " " }
                                    @if let Some(n) = &tr.nationality { (n) " " }
                                    @for d in &tr.documents { (d.kind) " " (d.number) " " }
                                }
                                @if let Some(e) = &tr.error { br; span.badge.warn { (e) } }
                            }
                        };
                        @if tr.hits.is_empty() {
                            tr {
                                (who)
                                td { span.badge.good { (l.t("manifest.no_hit")) } }
                                td colspan="2" {}
                            }
                        }
                        @for (i, h) in tr.hits.iter().enumerate() {
                            tr {
                                @if i == 0 { (who) }
                                td {
                                    (verdict(l, h)) br;
                                    span.muted { (format!("{:.2}", h.score)) }
                                }
                                td {
                                    (h.match_name)
                                    @if let Some(m) = &h.matched_name {
                                        @if m != &h.match_name { br; span.muted { (m) } }
                                    }
                                    br; (super::common_list::hit_reference(&h.match_id, &h.dataset))
                                }
                                td {
                                    @if let Some(d) = &h.document_match {
                                        strong { (l.tf("manifest.document_match", &[("number", &d.number), ("listed", &d.listed_number)])) }
                                        br;
                                    }
                                    @if h.low_confidence {
                                        em { (l.t("manifest.weak_alias_note")) }
                                        br;
                                    }
                                    span.muted { (h.explanation) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn manifest_page(
    state: &AppState,
    ctx: &Ctx,
    error: Option<&ParseError>,
    screening: Option<(&ManifestScreening, i64)>,
) -> Html<String> {
    let l = ctx.lang;
    render_page(
        ctx,
        l.t("manifest.title"),
        html! {
            h1 { (l.t("manifest.title")) }
            p { (l.t("manifest.intro")) }
            (super::screening::lists_searched(state, l))
            form.stacked method="post" action="/screen/manifest" enctype="multipart/form-data" {
                (csrf_field(ctx))
                div.field {
                    label for="file" { (l.t("manifest.file")) " *" }
                    div.hint id="file-hint" { (l.t("manifest.file_hint")) }
                    input type="file" id="file" name="file" required
                        aria-invalid=[error.map(|_| "true")]
                        aria-describedby=(if error.is_some() { "file-hint manifest-error" } else { "file-hint" });
                }
                @if let Some(e) = error {
                    div.notice.error id="manifest-error" role="alert" {
                        p { strong { (error_headline(l, &e.kind)) } }
                        p { (l.tf("manifest.err_position", &[
                            ("segment", &e.position.segment.to_string()),
                            ("offset", &e.position.offset.to_string()),
                            ("tag", e.tag.as_deref().unwrap_or("—")),
                        ])) }
                        p.muted { code { (e.to_string()) } }
                        p { (l.t("manifest.nothing_stored")) }
                    }
                }
                button type="submit" { (l.t("manifest.submit")) }
            }
            @if let Some((s, kept)) = screening {
                (results(l, s))
                p { a href={ "/screen/manifests/" (kept) } { (l.tf("manifest.kept_as", &[("id", &kept.to_string())])) } }
            }
            p { a href="/screen/manifests" { (l.t("manifest.records")) } }
            p { a href="/screen" { (l.t("screen.back")) } }
        },
    )
}

pub async fn page(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, WebError> {
    ctx.require(&state, &Action::Screen).await?;
    Ok(manifest_page(&state, &ctx, None, None))
}

/// The form's upload: results on the page, or the error on the form.
pub async fn screen_upload(
    State(state): State<AppState>,
    ctx: Ctx,
    upload: Upload,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::Screen).await?;
    let Some(bytes) = upload.get("file") else {
        return Err(accord_core::Invalid::field("file", "choose a PAXLST manifest file").into());
    };
    let opts = options(&state, ApiParams::default())?;
    let page = match run(&state, &ctx, bytes.to_vec(), opts).await {
        Ok((s, kept)) => manifest_page(&state, &ctx, None, Some((&s, kept))),
        Err(Refusal::Manifest(p)) => {
            let mut r = manifest_page(&state, &ctx, Some(&p), None).into_response();
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(r);
        }
        Err(Refusal::Web(e)) => return Err(e),
    };
    Ok(page.into_response())
}
