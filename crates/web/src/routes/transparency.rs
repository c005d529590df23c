//! The public proof of the common list (docs/proof.md): the platform's
//! public key, the newest signed tree head, inclusion and consistency
//! proofs, a version's proof bundle and each export's minisign signature.
//! Every handler seals first (see [`crate::transparency`]), so a version is
//! never served without its log entry.

use std::sync::Arc;

use accord_core::Action;
use accord_proof::SecretKey;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use maud::{Markup, html};

use crate::context::Ctx;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::publication::ExportFormat;
use crate::state::AppState;
use crate::transparency::{self, LIST_ID, ProofError};

impl From<ProofError> for WebError {
    fn from(e: ProofError) -> WebError {
        match e {
            ProofError::Store(s) => s.into(),
            ProofError::Busy => WebError::Conflict(e.to_string()),
            other => {
                tracing::error!(error = %other, "transparency failure");
                WebError::Internal(other.to_string())
            }
        }
    }
}

fn key(state: &AppState) -> Result<Arc<SecretKey>, WebError> {
    state
        .signing_key
        .clone()
        .ok_or_else(|| WebError::NotFound("the platform's signing key on this server".into()))
}

/// The key, after every published version has been sealed.
async fn sealed(state: &AppState, ctx: &Ctx) -> Result<Arc<SecretKey>, WebError> {
    ctx.require(state, &Action::ViewPublishedList).await?;
    let key = key(state)?;
    transparency::seal(
        &state.store,
        &key,
        time::OffsetDateTime::now_utc().unix_timestamp(),
    )
    .await?;
    Ok(key)
}

fn text(body: String, content_type: &'static str, file_name: Option<String>) -> Response {
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Some(name) = file_name {
        r.headers_mut().insert(
            header::CONTENT_DISPOSITION,
            crate::files::content_disposition(&name),
        );
    }
    r
}

/// The platform's public key in minisign's public-key file format
/// (`minisign -Vm FILE -p accord.pub`).
pub async fn api_key(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    ctx.require(&state, &Action::ViewPublishedList).await?;
    let key = key(&state)?;
    Ok(text(
        key.public_key().to_file_text(),
        "text/plain; charset=utf-8",
        Some("accord.pub".into()),
    ))
}

/// The newest signed tree head.
pub async fn api_head(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Json<accord_proof::SignedTreeHead>, WebError> {
    sealed(&state, &ctx).await?;
    Ok(Json(
        transparency::latest_head(&state.store)
            .await?
            .ok_or_else(|| {
                WebError::NotFound("a signed tree head (nothing is published yet)".into())
            })?,
    ))
}

#[derive(Deserialize)]
pub struct VersionQuery {
    version: i64,
}

/// A version's signed record and its inclusion proof in the newest head.
pub async fn api_proof(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<VersionQuery>,
) -> Result<Json<serde_json::Value>, WebError> {
    sealed(&state, &ctx).await?;
    let log = transparency::load_log(&state.store).await?;
    let head = transparency::latest_head(&state.store)
        .await?
        .ok_or_else(|| WebError::NotFound("a signed tree head".into()))?;
    let size = head.record.size;
    let index = log
        .find_version(LIST_ID, q.version.max(0) as u64, size)
        .ok_or_else(|| {
            WebError::NotFound(format!("version {} in the transparency log", q.version))
        })?;
    let inclusion = log
        .inclusion_proof(index, size)
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(Json(serde_json::json!({
        "version": q.version,
        "entry": log.entries()[index as usize],
        "inclusion": inclusion,
        "head": head,
    })))
}

#[derive(Deserialize)]
pub struct ConsistencyQuery {
    from: u64,
    to: Option<u64>,
}

/// That the log of `to` entries (default: the newest head) extends the log
/// of `from` entries.
pub async fn api_consistency(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ConsistencyQuery>,
) -> Result<Json<accord_proof::merkle::ConsistencyProof>, WebError> {
    sealed(&state, &ctx).await?;
    let log = transparency::load_log(&state.store).await?;
    let to = match q.to {
        Some(to) => to,
        None => transparency::latest_head(&state.store)
            .await?
            .map(|h| h.record.size)
            .unwrap_or(0),
    };
    log.consistency_proof(q.from, to)
        .map(Json)
        .map_err(|e| WebError::BadRequest(e.to_string()))
}

/// The newest signed audit checkpoint, with its inclusion proof under the
/// newest head and the key rotations up to it: the file
/// `accord audit verify --checkpoint` reads. Public like the rest of the
/// log: a checkpoint is a sequence number and a hash, which say how many
/// audited actions there were and nothing of what they were, and copies
/// kept by others are what make a cut of the audit log detectable.
pub async fn api_audit_checkpoint(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Json<accord_proof::CheckpointProof>, WebError> {
    sealed(&state, &ctx).await?;
    Ok(Json(
        crate::anchor::latest_checkpoint(&state.store)
            .await?
            .ok_or_else(|| WebError::NotFound("a signed audit checkpoint".into()))?,
    ))
}

#[derive(Deserialize)]
pub struct BundleQuery {
    /// The export the bundle's file signature is for (default csv).
    format: Option<String>,
}

/// Everything `accord verify --offline` needs for one export of a version.
pub async fn api_bundle(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(version): Path<i64>,
    Query(q): Query<BundleQuery>,
) -> Result<Response, WebError> {
    let key = sealed(&state, &ctx).await?;
    let format: ExportFormat = q
        .format
        .as_deref()
        .unwrap_or("csv")
        .parse()
        .map_err(WebError::BadRequest)?;
    let bundle = transparency::bundle(&state.store, &key, version, format).await?;
    let body =
        serde_json::to_string_pretty(&bundle).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(text(
        body,
        "application/json",
        Some(format!("accord-common-list-v{version}.bundle.json")),
    ))
}

/// `GET /api/list/export/{format}.minisig`: the signature of exactly the
/// bytes `GET /api/list/export/{format}` returns for the same version.
pub async fn export_signature(
    state: &AppState,
    ctx: &Ctx,
    format: &str,
    version: Option<i64>,
) -> Result<Response, WebError> {
    let key = sealed(state, ctx).await?;
    let format: ExportFormat = format.parse().map_err(WebError::NotFound)?;
    let v = state.store.published_list(version).await?;
    let (_, signature) = transparency::checked_export(&state.store, &key, &v, format).await?;
    Ok(text(
        signature,
        "text/plain; charset=utf-8",
        Some(format!("{}.minisig", format.file_name(v.version.version))),
    ))
}

/// The links of a version's row in the list's history: its bundle and the
/// CSV's signature.
pub(crate) fn version_links(l: Lang, version: i64) -> Markup {
    html! {
        a href={ "/api/list/versions/" (version) "/proof-bundle" } { (l.t("proof.bundle")) } " · "
        a href={ "/api/list/export/csv.minisig?version=" (version) } { (l.t("proof.signature")) }
    }
}

/// "Verify this version": what to download and the command to run.
pub(crate) fn verify_block(l: Lang, version: i64) -> Markup {
    let csv = ExportFormat::Csv.file_name(version);
    html! {
        section.verify aria-labelledby="verify" {
            h2 id="verify" { (l.t("proof.verify")) }
            p { (l.t("proof.verify_intro")) }
            ul {
                li { a href={ "/api/list/export/csv?version=" (version) } { code { (csv) } } }
                li { a href={ "/api/list/export/csv.minisig?version=" (version) } { (l.t("proof.signature")) } }
                li { a href={ "/api/list/versions/" (version) "/proof-bundle" } { (l.t("proof.bundle")) } }
                li { a href="/api/transparency/key" { (l.t("proof.key")) } }
            }
            pre style="white-space: pre-wrap; overflow-wrap: anywhere" { code { "accord verify " (csv) " --offline accord-common-list-v" (version) ".bundle.json -P accord.pub" } }
            p { (l.t("proof.verify_minisign")) }
            pre style="white-space: pre-wrap; overflow-wrap: anywhere" { code { "minisign -Vm " (csv) " -p accord.pub" } }
            p.muted { (l.t("proof.verify_note")) }
        }
    }
}
