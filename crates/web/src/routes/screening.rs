//! Screening names against the loaded lists: the web page, `POST /api/screen`
//! and the yente-compatible `POST /match/{dataset}`. Every screening is
//! audited (who, how many names, which lists); the names themselves are not
//! stored.

use accord_core::Action;
use accord_core::audit::Outcome;
use accord_screening::yente::{
    MatchParams, MatchRequest, YenteError, match_request, validation_error,
};
use accord_screening::{DEFAULT_THRESHOLD, Query, Schema, ScreenOptions};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

use crate::context::Ctx;
use crate::error::WebError;
use crate::forms::{ApiJson, PostedForm, Upload};
use crate::i18n::Lang;
use crate::render::{Field, csrf_field, form_errors, format_ms, page as render_page};
use crate::state::AppState;

/// The largest batch one API call may carry.
pub const MAX_BATCH: usize = 1000;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct QueryJson {
    id: Option<String>,
    name: String,
    birth_date: Option<String>,
    country: Option<String>,
    schema: Option<String>,
}

#[derive(Deserialize)]
pub struct ScreenRequest {
    /// A batch; or give one query's fields at the top level.
    #[serde(default)]
    queries: Option<Vec<QueryJson>>,
    #[serde(flatten)]
    single: QueryJson,
    #[serde(default)]
    lists: Option<Vec<String>>,
    #[serde(default)]
    threshold: Option<f64>,
    #[serde(default)]
    limit: Option<usize>,
}

#[derive(Serialize)]
pub struct CandidateJson {
    match_id: String,
    dataset: String,
    name: String,
    /// What the list entry is (Person, Organization, Vessel, Aircraft).
    schema: Option<accord_lists::EntrySchema>,
    matched_name: String,
    score: f64,
    explanation_text: String,
    explanation: accord_screening::Candidate,
}

#[derive(Serialize)]
pub struct QueryResult {
    id: String,
    name: String,
    candidates: Vec<CandidateJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Serialize)]
pub struct ScreenResponse {
    results: Vec<QueryResult>,
    lists: Vec<String>,
    threshold: f64,
}

fn to_query(q: &QueryJson) -> Result<Query, String> {
    let schema = match q.schema.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(
            s.parse::<Schema>()
                .map_err(|_| format!("unknown schema {s:?}: use Person or Organization"))?,
        ),
        None => None,
    };
    Ok(Query {
        name: q.name.clone(),
        birth_date: q.birth_date.clone().filter(|s| !s.trim().is_empty()),
        country: q.country.clone().filter(|s| !s.trim().is_empty()),
        schema,
    })
}

/// Screens a batch; a bad query becomes an error entry and the rest is answered.
fn screen(state: &AppState, queries: &[QueryJson], opts: &ScreenOptions) -> Vec<QueryResult> {
    let screener = state.screening.current();
    let parsed: Vec<Result<Query, String>> = queries.iter().map(to_query).collect();
    let valid: Vec<Query> = parsed
        .iter()
        .filter_map(|q| q.as_ref().ok().cloned())
        .collect();
    let mut answers = screener.screen_batch(&valid, opts).into_iter();
    queries
        .iter()
        .zip(parsed)
        .enumerate()
        .map(|(i, (q, p))| {
            let id = q.id.clone().unwrap_or_else(|| (i + 1).to_string());
            let outcome = match p {
                Err(e) => Err(e),
                Ok(_) => answers
                    .next()
                    .expect("one answer per valid query")
                    .map_err(|e| e.to_string()),
            };
            match outcome {
                Ok(candidates) => QueryResult {
                    id,
                    name: q.name.clone(),
                    candidates: candidates
                        .into_iter()
                        .map(|c| {
                            let entry = screener.entry(&c);
                            CandidateJson {
                                match_id: c.id.clone(),
                                dataset: c.dataset.clone(),
                                name: entry.map(|e| e.caption().to_string()).unwrap_or_default(),
                                schema: entry.map(|e| e.schema),
                                matched_name: c.matched_name.clone(),
                                score: c.score,
                                explanation_text: c.explanation.to_string(),
                                explanation: c,
                            }
                        })
                        .collect(),
                    error: None,
                },
                Err(error) => QueryResult {
                    id,
                    name: q.name.clone(),
                    candidates: Vec::new(),
                    error: Some(error),
                },
            }
        })
        .collect()
}

fn options(
    state: &AppState,
    lists: Option<Vec<String>>,
    threshold: Option<f64>,
    limit: Option<usize>,
) -> Result<ScreenOptions, WebError> {
    let threshold = threshold.unwrap_or(DEFAULT_THRESHOLD);
    if !(0.0..=1.0).contains(&threshold) {
        return Err(accord_core::Invalid::field("threshold", "must be between 0 and 1").into());
    }
    let limit = limit.unwrap_or(10);
    if !(1..=100).contains(&limit) {
        return Err(accord_core::Invalid::field("limit", "must be between 1 and 100").into());
    }
    if let Some(names) = &lists {
        state
            .screening
            .current()
            .check_datasets(names)
            .map_err(|e| accord_core::Invalid::field("lists", e.to_string()))?;
    }
    Ok(ScreenOptions {
        threshold,
        limit,
        datasets: lists,
    })
}

/// Audits a screening run: how many queries (a yente query may carry only
/// identifiers, no name), which lists, and the names if configured.
async fn audit_screening(
    state: &AppState,
    ctx: &Ctx,
    queries: usize,
    names: &[&str],
    lists: &Option<Vec<String>>,
) -> Result<(), WebError> {
    let count = queries;
    let lists = lists.clone().unwrap_or_else(|| {
        state
            .screening
            .current()
            .datasets()
            .iter()
            .map(|d| d.name.clone())
            .collect()
    });
    state
        .store
        .audit(
            &ctx.actor(),
            "screening.run",
            "lists",
            Outcome::Ok,
            if state.config.audit_screened_names {
                serde_json::json!({ "queries": count, "lists": lists, "names": names })
            } else {
                serde_json::json!({ "queries": count, "lists": lists })
            },
        )
        .await?;
    Ok(())
}

pub async fn api_screen(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<ScreenRequest>,
) -> Result<Json<ScreenResponse>, WebError> {
    ctx.require(&state, &Action::Screen).await?;
    let queries = match body.queries {
        Some(q) => q,
        None => vec![body.single],
    };
    if queries.is_empty() {
        return Err(accord_core::Invalid::field("queries", "give at least one query").into());
    }
    if queries.len() > MAX_BATCH {
        return Err(accord_core::Invalid::field(
            "queries",
            format!(
                "at most {MAX_BATCH} queries per call, got {}",
                queries.len()
            ),
        )
        .into());
    }
    let opts = options(&state, body.lists.clone(), body.threshold, body.limit)?;
    let names: Vec<&str> = queries.iter().map(|q| q.name.as_str()).collect();
    audit_screening(&state, &ctx, names.len(), &names, &body.lists).await?;
    let lists = state
        .screening
        .current()
        .datasets()
        .iter()
        .map(|d| d.name.clone())
        .collect();
    let threshold = opts.threshold;
    let worker = state.clone();
    let results = tokio::task::spawn_blocking(move || screen(&worker, &queries, &opts))
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(Json(ScreenResponse {
        results,
        lists,
        threshold,
    }))
}

/// The yente `POST /match/{dataset}` contract; errors in yente's `{detail}`
/// shape, a body that does not fit in FastAPI's 422 shape, and the
/// `x-batch-size` header yente sets (the number of queries).
pub async fn yente_match(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(dataset): Path<String>,
    RawQuery(query): RawQuery,
    body: axum::body::Bytes,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::Screen).await?;
    let yente_error = |e: YenteError| {
        let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
        (status, Json(e.body())).into_response()
    };
    let params = match yente_params(query.as_deref().unwrap_or("")) {
        Ok(p) => p,
        Err(e) => return Ok(yente_error(e)),
    };
    let request: MatchRequest = match yente_body(&body) {
        Ok(r) => r,
        Err(detail) => return Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(detail)).into_response()),
    };
    let names: Vec<String> = request
        .queries
        .values()
        .flat_map(|q| {
            q.properties
                .get("name")
                .map(|v| v.strings())
                .unwrap_or_default()
        })
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    audit_screening(
        &state,
        &ctx,
        request.queries.len(),
        &names,
        &Some(vec![dataset.clone()]),
    )
    .await?;
    let worker = state.clone();
    let answer = tokio::task::spawn_blocking(move || {
        match_request(&worker.screening.current(), &dataset, request, params)
    })
    .await
    .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(match answer {
        Ok(response) => {
            let batch = response.batch_size().to_string();
            ([("x-batch-size", batch)], Json(response)).into_response()
        }
        Err(e) => yente_error(e),
    })
}

/// The request body, or FastAPI's 422 body naming where it does not fit
/// (`loc` from `"body"` down to the field, as pydantic reports it).
fn yente_body(bytes: &[u8]) -> Result<MatchRequest, serde_json::Value> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let mut loc: Vec<String> = vec!["body".into()];
        loc.extend(
            e.path()
                .iter()
                .map(|s| s.to_string())
                .filter(|s| s != "?" && s != "."),
        );
        let inner = e.into_inner();
        let message = inner.to_string();
        let (msg, kind) = match inner.classify() {
            serde_json::error::Category::Data => match message.split('`').nth(1) {
                Some(missing) if message.starts_with("missing field") => {
                    loc.push(missing.to_string());
                    ("Field required".to_string(), "missing")
                }
                _ => (message, "value_error"),
            },
            _ => (format!("JSON decode error: {message}"), "json_invalid"),
        };
        let loc: Vec<&str> = loc.iter().map(String::as_str).collect();
        validation_error(&loc, &msg, kind)
    })
}

/// yente's `GET /algorithms`.
pub async fn yente_algorithms(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::Screen).await?;
    Ok(Json(accord_screening::yente::algorithms()).into_response())
}

/// yente's `GET /catalog`: the lists screening searches.
pub async fn yente_catalog(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    ctx.require(&state, &Action::Screen).await?;
    Ok(Json(accord_screening::yente::catalog(&state.screening.current())).into_response())
}

/// yente's `GET /search/{dataset}` (full-text search of its index) has no
/// counterpart here: Accord screens by example (`/match`). Answered 404 in
/// yente's error shape, which its clients raise as `NotFoundError`.
pub async fn yente_search(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(dataset): Path<String>,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::Screen).await?;
    let detail = format!(
        "Search is not available on this server (dataset {dataset:?}): Accord screens by example, \
         use POST /match/{dataset}"
    );
    Ok((
        StatusCode::NOT_FOUND,
        Json(serde_json::json!({ "detail": detail })),
    )
        .into_response())
}

/// yente's query string, where list parameters repeat (`include_dataset=a&include_dataset=b`).
fn yente_params(raw: &str) -> Result<MatchParams, YenteError> {
    let bad = |param: &'static str, message: String| YenteError::InvalidParam { param, message };
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw)
        .map_err(|e| bad("query", format!("malformed query string: {e}")))?;
    let mut p = MatchParams::default();
    let number = |field: &'static str, v: &str| -> Result<f64, YenteError> {
        v.parse()
            .map_err(|_| bad(field, format!("{v:?} is not a valid number")))
    };
    for (k, v) in pairs {
        match k.as_str() {
            "limit" => {
                p.limit = v
                    .parse()
                    .map_err(|_| bad("limit", format!("{v:?} is not a valid integer")))?
            }
            "threshold" => p.threshold = number("threshold", &v)?,
            "cutoff" => p.cutoff = number("cutoff", &v)?,
            "algorithm" => p.algorithm = v,
            "include_dataset" => p.include_dataset.push(v),
            "exclude_dataset" => p.exclude_dataset.push(v),
            "exclude_schema" => p.exclude_schema.push(v),
            "topics" => p.topics.push(v),
            "changed_since" => p.changed_since = Some(v),
            "exclude_entity_ids" => p.exclude_entity_ids.push(v),
            _ => {}
        }
    }
    Ok(p)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ScreenForm {
    name: String,
    birth_date: String,
    country: String,
    schema: String,
}

/// Which lists a screening searches (name and number of entries), or a
/// warning that none is loaded: said on every screening page.
pub(super) fn lists_searched(state: &AppState, l: crate::i18n::Lang) -> maud::Markup {
    let lists: Vec<String> = state
        .screening
        .current()
        .datasets()
        .iter()
        .map(|d| format!("{} ({})", d.name, d.entries))
        .collect();
    html! {
        @if lists.is_empty() {
            div.notice.warn { (l.t("screen.no_lists")) }
        } @else {
            p.muted { (l.t("screen.lists")) " " (lists.join(", ")) }
        }
    }
}

/// What the file form shows again after a refused upload: the threshold as
/// typed and why (a file input cannot be refilled).
#[derive(Default)]
struct BatchForm<'a> {
    threshold: &'a str,
    errors: Option<&'a accord_core::Invalid>,
}

fn screen_page(
    state: &AppState,
    ctx: &Ctx,
    form: &ScreenForm,
    results: Option<&QueryResult>,
    batch: &BatchForm,
) -> Html<String> {
    let l = ctx.lang;
    render_page(
        ctx,
        l.t("screen.title"),
        html! {
            h1 { (l.t("screen.title")) }
            p { (l.t("screen.intro")) }
            (lists_searched(state, l))
            form.stacked method="post" action="/screen" {
                (csrf_field(ctx))
                (Field::text("name", l.t("screen.name"), &form.name).required().hint(l.t("screen.name_hint")).render(None))
                (Field::text("birth_date", l.t("screen.birth_date"), &form.birth_date).hint(l.t("screen.birth_date_hint")).render(None))
                (Field::text("country", l.t("screen.country"), &form.country).render(None))
                div.field {
                    label for="schema" { (l.t("screen.schema")) }
                    select id="schema" name="schema" {
                        option value="" { (l.t("screen.schema_any")) }
                        option value="Person" selected[form.schema == "Person"] { (l.t("screen.person")) }
                        option value="Organization" selected[form.schema == "Organization"] { (l.t("screen.organization")) }
                    }
                }
                button type="submit" { (l.t("screen.submit")) }
            }
            @if let Some(r) = results {
                (single_results(l, r))
            }
            p { a.button.secondary href="/screen/manifest" { (l.t("manifest.link")) } }
            h2 id="batch" { (l.t("screen.batch_title")) }
            p { (l.t("screen.batch_intro")) }
            (form_errors(l, batch.errors))
            form.stacked method="post" action="/screen/batch" enctype="multipart/form-data" {
                (csrf_field(ctx))
                (file_field(l, batch.errors))
                (Field::text("threshold", l.t("screen.threshold"), batch.threshold).hint(l.t("screen.threshold_hint")).render_in(l, batch.errors))
                button type="submit" { (l.t("screen.start_batch")) }
            }
        },
    )
}

/// The file input, with its error (the shared `Field` has no file kind).
fn file_field(l: Lang, errors: Option<&accord_core::Invalid>) -> Markup {
    let error = errors.and_then(|i| i.errors.iter().find(|e| e.field == "file"));
    html! {
        div.field {
            label for="file" { (l.t("screen.file")) " *" }
            div.hint id="file-hint" { (l.t("screen.file_hint")) }
            @if let Some(e) = error {
                div.error-text id="file-error" { (l.message(&e.message)) }
            }
            input type="file" id="file" name="file" required
                accept=".csv,.tsv,.txt,.xlsx,text/csv,text/tab-separated-values,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                aria-invalid=[error.map(|_| "true")]
                aria-describedby={ "file-hint" @if error.is_some() { " file-error" } };
        }
    }
}

/// The verdict on one candidate, by the score bands of
/// `crates/matching/README.md` (≥ 0.9 the same name; from the threshold to
/// 0.9, to review), a weak alias below a full name.
fn verdict(l: Lang, c: &CandidateJson) -> Markup {
    score_verdict(l, c.score, c.explanation.low_confidence)
}

/// The answer to one name, right under the form that asked it.
fn single_results(l: Lang, r: &QueryResult) -> Markup {
    html! {
        section.results aria-labelledby="results" {
            h2 id="results" { (l.t("screen.results")) }
            @if let Some(e) = &r.error {
                div.notice.error role="alert" { (l.message(e)) }
            } @else if r.candidates.is_empty() {
                div.notice.ok role="status" { (l.t("screen.none")) }
            } @else {
                div.table-scroll { table {
                    thead { tr {
                        th scope="col" { (l.t("screen.verdict")) }
                        th scope="col" { (l.t("screen.score")) }
                        th scope="col" { (l.t("screen.entry")) }
                        th scope="col" { (l.t("screen.reference")) }
                        th scope="col" { (l.t("screen.why")) }
                    } }
                    tbody { @for c in &r.candidates {
                        tr {
                            td { (verdict(l, c)) }
                            td { strong { (format!("{:.2}", c.score)) } }
                            td {
                                (c.name)
                                @if c.matched_name != c.name { br; span.muted { (l.t("screen.as")) " " (c.matched_name) } }
                                br; span.muted { (schema_label(l, c.schema)) }
                            }
                            td { (super::common_list::hit_reference(&c.match_id, &c.dataset)) }
                            td { details {
                                summary { (l.t("screen.details")) }
                                p { (c.explanation_text) }
                            } }
                        }
                    } }
                } }
            }
            p.muted { (l.t("screen.searched_weak_aliases")) }
        }
    }
}

fn schema_label(l: Lang, schema: Option<accord_lists::EntrySchema>) -> &'static str {
    use accord_lists::EntrySchema;
    match schema {
        Some(EntrySchema::Person) => l.t("screen.person"),
        Some(EntrySchema::Organization) => l.t("screen.organization"),
        Some(EntrySchema::Vessel) => l.t("screen.vessel"),
        Some(EntrySchema::Aircraft) => l.t("screen.aircraft"),
        None => l.t("screen.schema_unknown"),
    }
}

pub async fn page(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, WebError> {
    ctx.require(&state, &Action::Screen).await?;
    Ok(screen_page(
        &state,
        &ctx,
        &ScreenForm::default(),
        None,
        &BatchForm::default(),
    ))
}

pub async fn screen_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    PostedForm(form): PostedForm<ScreenForm>,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::Screen).await?;
    let query = QueryJson {
        id: None,
        name: form.name.clone(),
        birth_date: Some(form.birth_date.clone()),
        country: Some(form.country.clone()),
        schema: Some(form.schema.clone()),
    };
    let opts = options(&state, None, None, Some(20))?;
    audit_screening(&state, &ctx, 1, &[form.name.as_str()], &None).await?;
    let worker = state.clone();
    let mut results = tokio::task::spawn_blocking(move || screen(&worker, &[query], &opts))
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let result = results.pop();
    Ok(screen_page(&state, &ctx, &form, result.as_ref(), &BatchForm::default()).into_response())
}

/// Starts screening an uploaded table in the background and shows its
/// progress page; a refused upload is shown on the file form, with the
/// threshold as typed.
pub async fn start_batch(
    State(state): State<AppState>,
    ctx: Ctx,
    upload: Upload,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::Screen).await?;
    let threshold_text = upload.text("threshold");
    match begin_batch(&state, &ctx, &upload).await {
        Ok(job_id) => {
            Ok(axum::response::Redirect::to(&format!("/screen/jobs/{job_id}")).into_response())
        }
        Err(WebError::Invalid(invalid)) => {
            let page = screen_page(
                &state,
                &ctx,
                &ScreenForm::default(),
                None,
                &BatchForm {
                    threshold: &threshold_text,
                    errors: Some(&invalid),
                },
            );
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e),
    }
}

/// Checks the upload, records the job and starts it; the job's id.
async fn begin_batch(state: &AppState, ctx: &Ctx, upload: &Upload) -> Result<String, WebError> {
    use accord_core::Invalid;
    let user = ctx.user()?.clone();
    let Some((_, file_name, bytes)) = upload
        .fields
        .iter()
        .find(|(n, _, d)| n == "file" && !d.is_empty())
    else {
        return Err(
            Invalid::field("file", "choose a CSV or XLSX file with a \"name\" column").into(),
        );
    };
    let threshold = match upload.text("threshold").trim() {
        "" => DEFAULT_THRESHOLD,
        t => t
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|t| (0.0..=1.0).contains(t))
            .ok_or_else(|| Invalid::field("threshold", "must be a number between 0 and 1"))?,
    };
    let name = file_name.clone().unwrap_or_else(|| "upload.csv".into());
    accord_core::validation::visible("file", &name)?;
    // A soft cap (two uploads at the same instant may both pass): enough
    // to keep one user from filling the blocking threads. Checked before
    // the file is read, which is the costly part.
    if state.store.running_screening_jobs(user.id).await? >= state.config.screening_jobs_per_user {
        return Err(Invalid::field(
            "file",
            format!(
                "at most {} screenings may run at once; wait for one to finish",
                state.config.screening_jobs_per_user
            ),
        )
        .into());
    }
    let max_rows = usize::try_from(state.config.screening_max_rows).unwrap_or(0);
    let table = read_upload(state, bytes.clone(), max_rows).await?;
    let rows = table.text.lines().count().saturating_sub(1) as i64;
    if rows > state.config.screening_max_rows {
        return Err(Invalid::field(
            "file",
            format!("at most {} rows at once", state.config.screening_max_rows),
        )
        .into());
    }
    expire_results(state).await?;
    let job = state
        .store
        .create_screening_job(user.id, &name, Some(rows))
        .await?;
    state
        .store
        .audit(
            &ctx.actor(),
            "screening.batch",
            &format!("screening_job:{}", &job.id[..8]),
            Outcome::Ok,
            serde_json::json!({ "queries": rows }),
        )
        .await?;
    let opts = accord_screening::CsvOptions {
        threshold,
        total_rows: Some(rows as u64),
        spreadsheet_safe: true,
        separator: table.separator,
        ..Default::default()
    };
    tokio::spawn(run_batch(state.clone(), job.id.clone(), table, opts));
    Ok(job.id)
}

/// The upload as a table whose header has a `name` column. Decoding a
/// 64 MiB file or unpacking a workbook is CPU work: it runs on a blocking
/// thread, a core's worth at a time (the permits shared with video
/// decoding), never on the request workers.
async fn read_upload(
    state: &AppState,
    bytes: Vec<u8>,
    max_rows: usize,
) -> Result<accord_screening::Table, WebError> {
    let _permit = state
        .upload_decodes
        .acquire()
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let read = tokio::task::spawn_blocking(move || {
        let table = accord_screening::read_table(&bytes, max_rows).map_err(|e| e.to_string())?;
        accord_screening::check_header(table.text.as_bytes(), table.separator)
            .map_err(|e| e.to_string())?;
        Ok::<_, String>(table)
    })
    .await
    .map_err(|e| WebError::Internal(e.to_string()))?;
    read.map_err(|why| accord_core::Invalid::field("file", why).into())
}

/// A finished job's summary as kept with it: the counts and how the file
/// was read.
#[derive(Serialize, Deserialize)]
struct BatchSummary {
    #[serde(flatten)]
    counts: accord_screening::CsvSummary,
    read_as: accord_screening::ReadAs,
}

/// Screens on a blocking thread while progress is written to the database
/// twice a second, so any node can show it.
async fn run_batch(
    state: AppState,
    job_id: String,
    table: accord_screening::Table,
    opts: accord_screening::CsvOptions,
) {
    use std::sync::atomic::{AtomicU64, Ordering};
    let done = std::sync::Arc::new(AtomicU64::new(0));
    let screener = state.screening.current();
    let counter = done.clone();
    let mut work = tokio::task::spawn_blocking(move || {
        let mut out = Vec::new();
        accord_screening::screen_csv(&screener, table.text.as_bytes(), &mut out, &opts, &|p| {
            counter.store(p.done, Ordering::Relaxed)
        })
        .map(|counts| {
            let summary = BatchSummary {
                counts,
                read_as: table.read_as,
            };
            (summary, out)
        })
    });
    let outcome = loop {
        tokio::select! {
            finished = &mut work => break finished,
            _ = tokio::time::sleep(std::time::Duration::from_millis(500)) => {
                let n = done.load(Ordering::Relaxed) as i64;
                if let Err(e) = state.store.set_screening_progress(&job_id, n).await {
                    tracing::warn!(error = %e, "could not record screening progress");
                }
            }
        }
    };
    let result = match outcome {
        Ok(Ok((summary, out))) => Ok((
            summary.counts.rows as i64,
            serde_json::to_string(&summary).unwrap_or_default(),
            String::from_utf8_lossy(&out).into_owned(),
        )),
        Ok(Err(e)) => Err(e.to_string()),
        Err(e) => Err(format!("screening stopped unexpectedly: {e}")),
    };
    if let Err(e) = state.store.finish_screening_job(&job_id, result).await {
        tracing::error!(error = %e, "could not record the end of a screening job");
    }
}

/// Deletes the batch results past the retention (see
/// [`accord_store::Store::expire_screening_results`]).
async fn expire_results(state: &AppState) -> Result<(), WebError> {
    let keep_ms = i64::from(state.config.screening_result_hours) * 3_600_000;
    state
        .store
        .expire_screening_results(accord_store::now_ms() - keep_ms)
        .await?;
    Ok(())
}

pub async fn job_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::Screen).await?;
    expire_results(&state).await?;
    let job = state.store.screening_job(&id, ctx.user()?.id).await?;
    let result = if job.status == "done" {
        Some(
            state
                .store
                .screening_job_result(&id, ctx.user()?.id)
                .await?,
        )
    } else {
        None
    };
    let l = ctx.lang;
    let running = job.status == "running";
    let total = job.total.unwrap_or(0).max(job.done);
    let body = html! {
        h1 { (l.t("screen.job_title")) }
        p { (job.file_name) " · " (format_ms(job.created_at)) }
        @if running {
            p role="status" aria-live="polite" {
                (l.tf("screen.progress", &[("done", &job.done.to_string()), ("total", &total.to_string())]))
            }
            progress max=(total.max(1)) value=(job.done) { (job.done) "/" (total) }
            p.muted { (l.t("screen.refreshing")) }
        } @else if job.status == "expired" {
            div.notice role="status" {
                (counts(l, &job, summary(&job).as_ref()))
                p { (l.tf("screen.expired", &[("hours", &state.config.screening_result_hours.to_string())])) }
            }
        } @else if job.status == "done" {
            (finished(l, &job, result.as_deref()))
        } @else {
            div.notice.error role="alert" { (job.error.clone().unwrap_or_default()) }
        }
        p { a href="/screen" { (l.t("screen.back")) } }
    };
    let mut response = render_page(&ctx, l.t("screen.job_title"), body).into_response();
    if running {
        // Works without JavaScript: the browser reloads the page until the job ends.
        response
            .headers_mut()
            .insert("refresh", axum::http::HeaderValue::from_static("2"));
    }
    Ok(response)
}

/// At most this many candidate rows and error rows are shown on the page;
/// the download has them all.
const SHOWN_ROWS: usize = 200;

/// A finished job: what was read and screened, said as it is (a file whose
/// every row failed is no success), the candidates in a table and the rows
/// that could not be screened with their reason.
fn finished(l: Lang, job: &accord_store::ScreeningJob, result: Option<&str>) -> Markup {
    let summary = summary(job);
    let (rows, _, errors) = tally(job, summary.as_ref());
    let class = if rows > 0 && errors == rows {
        "notice error"
    } else if errors > 0 || rows == 0 {
        "notice warn"
    } else {
        "notice ok"
    };
    let (hits, failed) = result.map(result_rows).unwrap_or_default();
    html! {
        div class=(class) role="status" {
            (counts(l, job, summary.as_ref()))
            @if rows > 0 && errors == rows {
                p { (l.t("screen.all_failed")) }
            } @else if rows == 0 {
                p { (l.t("screen.no_rows")) }
            }
            p { a.button href={ "/screen/jobs/" (job.id) "/result.csv" } download { (l.t("screen.download")) } }
        }
        @if !hits.is_empty() {
            h2 { (l.t("screen.hits")) }
            @if hits.len() > SHOWN_ROWS { p.muted { (l.tf("screen.first_rows", &[("n", &SHOWN_ROWS.to_string())])) } }
            div.table-scroll { table {
                thead { tr {
                    th scope="col" { (l.t("screen.row_id")) }
                    th scope="col" { (l.t("screen.name")) }
                    th scope="col" { (l.t("screen.verdict")) }
                    th scope="col" { (l.t("screen.score")) }
                    th scope="col" { (l.t("screen.entry")) }
                    th scope="col" { (l.t("screen.reference")) }
                } }
                tbody { @for h in hits.iter().take(SHOWN_ROWS) {
                    tr {
                        td { (h.id) } td { (h.name) }
                        td { (score_verdict(l, h.score, h.weak_alias)) }
                        td { strong { (format!("{:.2}", h.score)) } }
                        td { (h.match_name) }
                        td { (super::common_list::hit_reference(&h.match_id, &h.dataset)) }
                    }
                } }
            } }
        }
        @if !failed.is_empty() {
            h2 { (l.t("screen.failed_rows")) }
            @if failed.len() > SHOWN_ROWS { p.muted { (l.tf("screen.first_rows", &[("n", &SHOWN_ROWS.to_string())])) } }
            div.table-scroll { table {
                thead { tr {
                    th scope="col" { (l.t("screen.row_id")) }
                    th scope="col" { (l.t("screen.name")) }
                    th scope="col" { (l.t("screen.reason")) }
                } }
                tbody { @for f in failed.iter().take(SHOWN_ROWS) {
                    tr { td { (f.id) } td { (f.name) } td { (l.message(&f.error)) } }
                } }
            } }
        }
    }
}

/// Rows read, rows with candidates, rows that could not be screened (a job
/// without its summary has only its progress count).
fn tally(job: &accord_store::ScreeningJob, summary: Option<&BatchSummary>) -> (u64, u64, u64) {
    summary.map_or((job.done as u64, 0, 0), |s| {
        (s.counts.rows, s.counts.matched, s.counts.errors)
    })
}

fn summary(job: &accord_store::ScreeningJob) -> Option<BatchSummary> {
    serde_json::from_str(job.summary.as_deref()?).ok()
}

/// What a finished job read and screened, and how it read the file.
fn counts(l: Lang, job: &accord_store::ScreeningJob, summary: Option<&BatchSummary>) -> Markup {
    let (rows, matched, errors) = tally(job, summary);
    html! {
        p { strong { (l.tf("screen.counts", &[
            ("rows", &rows.to_string()),
            ("matched", &matched.to_string()),
            ("errors", &errors.to_string()),
        ])) } }
        @if let Some(s) = summary { p.muted { (read_as(l, &s.read_as)) } }
    }
}

fn read_as(l: Lang, read_as: &accord_screening::ReadAs) -> String {
    match read_as {
        accord_screening::ReadAs::Csv {
            encoding,
            separator,
        } => {
            let separator = match separator {
                ';' => l.t("screen.separator_semicolon"),
                '\t' => l.t("screen.separator_tab"),
                _ => l.t("screen.separator_comma"),
            };
            l.tf(
                "screen.read_as_csv",
                &[("encoding", encoding), ("separator", separator)],
            )
        }
        accord_screening::ReadAs::Xlsx { sheet } => {
            l.tf("screen.read_as_xlsx", &[("sheet", sheet)])
        }
    }
}

/// The verdict on a batch row, by the same bands as the name form's: a
/// match on a weak alias only (its explanation says so, the engine's own
/// words) is low confidence whatever its score.
pub(super) fn score_verdict(l: Lang, score: f64, weak_alias: bool) -> Markup {
    let (class, key) = if weak_alias {
        ("warn", "screen.verdict_weak_alias")
    } else if score >= 0.9 {
        ("bad", "screen.verdict_probable")
    } else {
        ("warn", "screen.verdict_possible")
    };
    html! { span class={ "badge " (class) } { (l.t(key)) } }
}

struct HitRow {
    id: String,
    name: String,
    match_id: String,
    dataset: String,
    match_name: String,
    score: f64,
    weak_alias: bool,
}

struct FailedRow {
    id: String,
    name: String,
    error: String,
}

/// The candidate rows and the error rows of a result file (its columns are
/// `accord_screening::OUTPUT_HEADER`). Cells were neutralized for
/// spreadsheets (a leading apostrophe before `=`, `+`, `-`, `@`): the page
/// shows them as the file has them.
fn result_rows(csv_text: &str) -> (Vec<HitRow>, Vec<FailedRow>) {
    let mut hits = Vec::new();
    let mut failed = Vec::new();
    let mut reader = csv::ReaderBuilder::new().from_reader(csv_text.as_bytes());
    for record in reader.records().map_while(Result::ok) {
        let cell = |i: usize| record.get(i).unwrap_or("").to_string();
        if !cell(8).is_empty() {
            failed.push(FailedRow {
                id: cell(0),
                name: cell(1),
                error: cell(8),
            });
        } else if !cell(3).is_empty() {
            hits.push(HitRow {
                id: cell(0),
                name: cell(1),
                match_id: cell(3),
                dataset: cell(4),
                match_name: cell(5),
                score: cell(6).parse().unwrap_or(0.0),
                weak_alias: cell(7).contains(accord_screening::WEAK_ALIAS_NOTE),
            });
        }
    }
    (hits, failed)
}

pub async fn job_result(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::Screen).await?;
    expire_results(&state).await?;
    let csv = state
        .store
        .screening_job_result(&id, ctx.user()?.id)
        .await?;
    Ok(crate::files::csv_download(
        &ctx.path,
        "screening-results.csv",
        csv,
    ))
}
