//! The TAXII 2.1 server (docs/taxii.md): discovery, one API root, the
//! collections by audience, their objects, versions and manifest, posts to
//! a member's inbox, and the status of each post.
//!
//! Every answer is `application/taxii+json;version=2.1`, errors too (in
//! TAXII's error shape, see `error::render_errors`). Which collections a
//! principal sees, and what each selects, is `accord_taxii::collection`;
//! every object served is checked again with the one visibility rule
//! (`accord_taxii::audience::may_receive`), so a token never receives more
//! than its user would on the pages.

use std::collections::BTreeSet;

use accord_core::Action;
use accord_core::audit::Outcome;
use accord_library::SharingGroup;
use accord_store::taxii::{PageRequest, StoredObject};
use accord_taxii::audience::{Reach, may_receive};
use accord_taxii::collection::{Collection, collections_for};
use accord_taxii::inbound::{self, Taken};
use accord_taxii::query::{ObjectQuery, Versions};
use accord_taxii::{MAX_PAGE, STIX_MEDIA_TYPE, TAXII_MEDIA_TYPE, cursor, stix_time};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::context::Ctx;
use crate::error::WebError;
use crate::state::AppState;

/// The one API root's path.
pub const API_ROOT: &str = "/taxii2/accord/";

fn taxii(status: StatusCode, body: String) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(TAXII_MEDIA_TYPE),
        )],
        body,
    )
        .into_response()
}

fn taxii_json(value: &Value) -> Response {
    taxii(StatusCode::OK, value.to_string())
}

/// TAXII clients ask for `application/taxii+json;version=2.1`; a client
/// asking for something else entirely is told so (406) rather than handed
/// what it cannot read.
fn check_accept(headers: &HeaderMap) -> Result<(), WebError> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let fits = accept.split(',').any(|part| {
        let media = part
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let version = part
            .split(';')
            .skip(1)
            .find_map(|p| p.trim().strip_prefix("version="))
            .map(str::trim);
        match media.as_str() {
            "application/taxii+json" => version.is_none_or(|v| v == "2.1"),
            "*/*" | "application/*" | "application/json" => true,
            _ => false,
        }
    });
    if fits {
        Ok(())
    } else {
        Err(WebError::NotAcceptable {
            offered: TAXII_MEDIA_TYPE,
        })
    }
}

/// The query string's pairs; one that cannot be read is refused (an
/// unreadable filter must not become no filter).
fn query_pairs(raw: Option<&str>) -> Result<Vec<(String, String)>, WebError> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(raw.unwrap_or(""))
        .map_err(|e| WebError::BadRequest(format!("the query string cannot be read: {e}")))
}

/// What a principal's collections are made from.
struct Audience {
    groups: Vec<SharingGroup>,
    collections: Vec<Collection>,
}

async fn audience(state: &AppState, ctx: &Ctx) -> Result<Audience, WebError> {
    let groups = state.store.sharing_groups().await?;
    let members: Vec<_> = state
        .store
        .members()
        .await?
        .into_iter()
        .map(|m| (m.code, m.name))
        .collect();
    let collections = collections_for(&ctx.principal, &groups, &members);
    Ok(Audience {
        groups,
        collections,
    })
}

/// The collection `id` if `who` sees it; otherwise "not found", whether it
/// exists or not, so that ids tell nothing about what one may not see.
fn collection<'a>(a: &'a Audience, ctx: &Ctx, id: &str) -> Result<&'a Collection, WebError> {
    a.collections.iter().find(|c| c.id() == id).ok_or_else(|| {
        WebError::NotFound(if ctx.principal.is_signed_in() {
            format!("collection {id}")
        } else {
            format!("collection {id} (collections other than the public one need a token)")
        })
    })
}

pub async fn discovery(headers: HeaderMap) -> Result<Response, WebError> {
    check_accept(&headers)?;
    Ok(taxii_json(&json!({
        "title": "Accord TAXII server",
        "description": "The partnership's common list and knowledge library as STIX 2.1, by audience (docs/taxii.md).",
        "default": API_ROOT,
        "api_roots": [API_ROOT],
    })))
}

pub async fn api_root(
    headers: HeaderMap,
    State(state): State<AppState>,
) -> Result<Response, WebError> {
    check_accept(&headers)?;
    Ok(taxii_json(&json!({
        "title": "Accord",
        "description": "One API root: the public collection for everyone, and the collections each user's rights open.",
        "versions": [TAXII_MEDIA_TYPE],
        "max_content_length": state.config.max_body_bytes,
    })))
}

pub async fn collections(
    headers: HeaderMap,
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Response, WebError> {
    check_accept(&headers)?;
    let a = audience(&state, &ctx).await?;
    let list: Vec<Value> = a.collections.iter().map(Collection::resource).collect();
    Ok(taxii_json(&json!({ "collections": list })))
}

pub async fn collection_resource(
    headers: HeaderMap,
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    check_accept(&headers)?;
    let a = audience(&state, &ctx).await?;
    Ok(taxii_json(&collection(&a, &ctx, &id)?.resource()))
}

/// Which endpoint reads a page: part of what a `next` token is bound to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Endpoint<'a> {
    Objects,
    Object(&'a str),
    Versions(&'a str),
    Manifest,
}

impl Endpoint<'_> {
    fn name(&self) -> String {
        match self {
            Endpoint::Objects => "objects".into(),
            Endpoint::Object(id) => format!("object {id}"),
            Endpoint::Versions(id) => format!("versions {id}"),
            Endpoint::Manifest => "manifest".into(),
        }
    }
}

/// One page of what `who` may receive of a collection.
struct Page {
    objects: Vec<StoredObject>,
    next: Option<String>,
}

async fn read_page(
    state: &AppState,
    ctx: &Ctx,
    a: &Audience,
    collection: &Collection,
    endpoint: Endpoint<'_>,
    raw_query: Option<&str>,
) -> Result<Page, WebError> {
    let group_of = |id: i64| a.groups.iter().find(|g| g.id == id);
    let group = match collection {
        Collection::Group { id, .. } => group_of(*id),
        _ => None,
    };
    let Some(selection) = collection.selection(&ctx.principal, group) else {
        ctx.refused(state, Some(&Action::ContributeToLibrary)).await;
        return Err(WebError::Forbidden);
    };
    let mut query = ObjectQuery::parse(&query_pairs(raw_query)?)
        .map_err(|e| WebError::BadRequest(e.to_string()))?;
    match endpoint {
        Endpoint::Object(id) | Endpoint::Versions(id) => {
            if !accord_taxii::is_stix_id(id) {
                return Err(WebError::BadRequest(format!(
                    "{id:?} is not a STIX identifier (type--UUID)"
                )));
            }
            query.ids = BTreeSet::from([id.to_string()]);
            query.types = BTreeSet::new();
            if matches!(endpoint, Endpoint::Versions(_)) {
                query.versions = Versions {
                    all: true,
                    ..Versions::default()
                };
            }
        }
        Endpoint::Objects | Endpoint::Manifest => {}
    }
    // What is projected already is served even if bringing it up to date
    // fails (one record that cannot be made STIX must not stop the feed).
    if let Err(e) = state.taxii.sync(&state.store).await {
        tracing::error!(error = %e, "the TAXII projection could not catch up");
    }
    let key = state.store.taxii_cursor_key().await?;
    let fingerprint = query.fingerprint(&endpoint.name(), &collection.id());
    let after = match &query.next {
        Some(token) => cursor::decode(&key, &fingerprint, token)
            .map_err(|e| WebError::BadRequest(format!("next: {e}")))?,
        None => 0,
    };
    if query.matches_nothing() {
        return Ok(Page {
            objects: Vec::new(),
            next: None,
        });
    }
    let limit = query.limit.min(MAX_PAGE);
    let mut rows = state
        .store
        .taxii_page(&PageRequest {
            selection: &selection,
            added_after_us: query.added_after,
            after_seq: after,
            ids: &query.ids,
            types: &query.types,
            versions: &query.versions,
            rows: limit + 1,
        })
        .await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = match (more, rows.last()) {
        (true, Some(last)) => Some(cursor::encode(&key, &fingerprint, last.seq)),
        _ => None,
    };
    // The one rule, for every object, whatever the selection let through.
    let objects: Vec<StoredObject> = rows
        .into_iter()
        .filter(|o| {
            o.audience.as_ref().is_some_and(|aud| {
                let group = match aud.reach {
                    Reach::Group(g) => group_of(g),
                    _ => None,
                };
                may_receive(&ctx.principal, aud, group)
            })
        })
        .collect();
    // Reads of marked material are on record, as on the pages: which
    // objects, made from what (`library:17`), at which marking.
    let marked: Vec<Value> = objects
        .iter()
        .filter_map(|o| {
            let a = o.audience.as_ref()?;
            (a.marking != accord_core::tlp::Tlp::Clear).then(|| {
                json!({"id": o.stix_id, "source": o.source, "marking": a.marking.as_str(), "version": stix_time(o.modified_ms)})
            })
        })
        .collect();
    if !marked.is_empty() && ctx.principal.is_signed_in() {
        state
            .store
            .audit(
                &ctx.actor(),
                "taxii_read",
                &ctx.path,
                Outcome::Ok,
                json!({"collection": collection.id(), "objects": objects.len(), "marked": marked}),
            )
            .await?;
    }
    Ok(Page { objects, next })
}

/// The page's answer: `{more, next, <list>}` with TAXII's date headers.
fn page_response(page: &Page, list: &str, items: Vec<String>) -> Response {
    let mut body = format!("{{\"more\":{}", page.next.is_some());
    if let Some(next) = &page.next {
        body.push_str(&format!(",\"next\":{}", json!(next)));
    }
    if !items.is_empty() {
        body.push_str(&format!(",\"{list}\":[{}]", items.join(",")));
    }
    body.push('}');
    let mut response = taxii(StatusCode::OK, body);
    if let (Some(first), Some(last)) = (page.objects.first(), page.objects.last()) {
        let h = response.headers_mut();
        for (name, at) in [
            ("x-taxii-date-added-first", first.date_added),
            ("x-taxii-date-added-last", last.date_added),
        ] {
            if let Ok(v) = HeaderValue::from_str(&stix_time(at)) {
                h.insert(name, v);
            }
        }
    }
    response
}

pub async fn objects(
    headers: HeaderMap,
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    check_accept(&headers)?;
    let a = audience(&state, &ctx).await?;
    let c = collection(&a, &ctx, &id)?;
    let page = read_page(&state, &ctx, &a, c, Endpoint::Objects, raw.as_deref()).await?;
    let items = page.objects.iter().map(|o| o.body.clone()).collect();
    Ok(page_response(&page, "objects", items))
}

pub async fn object(
    headers: HeaderMap,
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, object_id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    check_accept(&headers)?;
    let a = audience(&state, &ctx).await?;
    let c = collection(&a, &ctx, &id)?;
    let page = read_page(
        &state,
        &ctx,
        &a,
        c,
        Endpoint::Object(&object_id),
        raw.as_deref(),
    )
    .await?;
    if page.objects.is_empty() && page.next.is_none() {
        return Err(WebError::NotFound(format!(
            "object {object_id} in this collection"
        )));
    }
    let items = page.objects.iter().map(|o| o.body.clone()).collect();
    Ok(page_response(&page, "objects", items))
}

pub async fn versions(
    headers: HeaderMap,
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, object_id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    check_accept(&headers)?;
    let a = audience(&state, &ctx).await?;
    let c = collection(&a, &ctx, &id)?;
    let page = read_page(
        &state,
        &ctx,
        &a,
        c,
        Endpoint::Versions(&object_id),
        raw.as_deref(),
    )
    .await?;
    if page.objects.is_empty() && page.next.is_none() {
        return Err(WebError::NotFound(format!(
            "object {object_id} in this collection"
        )));
    }
    let items = page
        .objects
        .iter()
        .map(|o| json!(stix_time(o.modified_ms)).to_string())
        .collect();
    Ok(page_response(&page, "versions", items))
}

pub async fn manifest(
    headers: HeaderMap,
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    check_accept(&headers)?;
    let a = audience(&state, &ctx).await?;
    let c = collection(&a, &ctx, &id)?;
    let page = read_page(&state, &ctx, &a, c, Endpoint::Manifest, raw.as_deref()).await?;
    let items = page
        .objects
        .iter()
        .map(|o| {
            json!({
                "id": o.stix_id,
                "date_added": stix_time(o.date_added),
                "version": stix_time(o.modified_ms),
                "media_type": STIX_MEDIA_TYPE,
            })
            .to_string()
        })
        .collect();
    Ok(page_response(&page, "objects", items))
}

/// POST objects: only to an inbox, by its member's contributors. Every
/// report and note becomes a draft library item of the member, for review.
pub async fn add_objects(
    headers: HeaderMap,
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    check_accept(&headers)?;
    let a = audience(&state, &ctx).await?;
    let c = collection(&a, &ctx, &id)?;
    let Some(member) = c.inbox_of().filter(|m| ctx.principal.is_of(m)) else {
        ctx.refused(&state, Some(&Action::ContributeToLibrary))
            .await;
        return Err(WebError::Forbidden);
    };
    ctx.require(&state, &Action::ContributeToLibrary).await?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let media = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if !matches!(
        media.as_str(),
        "application/taxii+json" | "application/stix+json" | "application/json"
    ) {
        return Err(WebError::UnsupportedMediaType {
            expected: TAXII_MEDIA_TYPE,
        });
    }
    let objects = inbound::read(&body).map_err(|e| WebError::BadRequest(e.to_string()))?;
    let context = super::library::context(&state).await?;
    let mut successes = Vec::new();
    let mut failures = Vec::new();
    for taken in inbound::take(&objects) {
        match taken {
            Taken::Known { id, version } => successes.push(json!({
                "id": id, "version": version, "message": "a TLP marking definition: known, nothing stored"
            })),
            Taken::Refused { id, version, reason } => {
                // TAXII wants a string; an object without `modified` or
                // `created` has no version to name.
                let version = version.unwrap_or_default();
                failures.push(json!({"id": id, "version": version, "message": reason}));
            }
            Taken::Item { id, version, input } => {
                // What Accord serves coming back (a MISP that pulls a
                // collection and pushes to the inbox) is not a new draft: it
                // would copy other members' material into this member's.
                if state.store.taxii_serves(&id).await? {
                    failures.push(json!({
                        "id": id, "version": version,
                        "message": "this object came from Accord itself: it is not taken again"
                    }));
                    continue;
                }
                if let Some(item) = state.store.taxii_received(&id, &version, member.as_str()).await? {
                    successes.push(json!({
                        "id": id, "version": version,
                        "message": format!("received before: draft library item {item}")
                    }));
                    continue;
                }
                match super::library::validate(&context, &ctx.principal, &input) {
                    Err(invalid) => failures.push(json!({
                        "id": id, "version": version,
                        "message": format!("not a library item: {invalid}")
                    })),
                    Ok(item) => {
                        let record = state
                            .store
                            .create_library_item(&ctx.actor(), Some(member), &item)
                            .await?;
                        state
                            .store
                            .record_taxii_received(&id, &version, member.as_str(), record.id)
                            .await?;
                        successes.push(json!({
                            "id": id, "version": version,
                            "message": format!("draft library item {} (/library/items/{}), for review", record.id, record.id)
                        }));
                    }
                }
            }
        }
    }
    super::library::follow(&state).await?;
    let now = accord_store::now_ms();
    let status_id =
        accord_taxii::accord_uuid(&accord_store::credentials::random_secret()).to_string();
    let status = json!({
        "id": status_id,
        "status": "complete",
        "request_timestamp": stix_time(now),
        "total_count": successes.len() + failures.len(),
        "success_count": successes.len(),
        "successes": successes,
        "failure_count": failures.len(),
        "failures": failures,
        "pending_count": 0,
        "pendings": [],
    });
    let user = ctx.user()?.id;
    state
        .store
        .save_taxii_status(&status_id, user, &c.id(), &status)
        .await?;
    Ok(taxii(StatusCode::ACCEPTED, status.to_string()))
}

pub async fn status(
    headers: HeaderMap,
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    check_accept(&headers)?;
    let user = ctx.user()?.id;
    match state.store.taxii_status(&id, user).await? {
        Some(status) => Ok(taxii_json(&status)),
        None => Err(WebError::NotFound(format!("status {id}"))),
    }
}

/// The TAXII error resource (TAXII 2.1, 3.6.1) of a web error.
pub fn error_response(error: &WebError) -> Response {
    let status = error.status();
    let title = status.canonical_reason().unwrap_or("Error");
    let body = json!({
        "title": title,
        "description": error.to_string(),
        "http_status": status.as_u16().to_string(),
    });
    let mut response = taxii(status, body.to_string());
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"Accord TAXII\", Bearer realm=\"Accord TAXII\""),
        );
    }
    response
}
