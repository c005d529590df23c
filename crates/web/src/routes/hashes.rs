//! Hash sharing's API: banks, their hashes and members' feedback, lookups
//! for platforms (Accord's batch shape and the shape HMA's clients expect),
//! and the change feed platforms keep a local copy with. Every answer holds
//! only banks the caller may read (`bank::may_read`, the one visibility
//! rule); writing needs `bank::may_write`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use accord_core::{Action, FieldError, Invalid};
use accord_hashes::SignalType;
use accord_hashes::bank::{self, BankId, BankInput, HashInput, HashState, MAX_BATCH, Verdict};
use accord_store::StoreError;
use accord_store::hash_banks::{BankRecord, FeedbackCounts, HashRecord};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::context::Ctx;
use crate::error::WebError;
use crate::forms::ApiJson;
use crate::hash_index::Found;
use crate::state::AppState;

/// The largest PDQ distance a lookup may ask for: the index is exact to 31.
pub const MAX_DISTANCE: u32 = 31;
/// The distance a lookup uses when it names none.
pub const DEFAULT_DISTANCE: u32 = 31;

pub(super) async fn readable_banks(
    state: &AppState,
    ctx: &Ctx,
) -> Result<BTreeMap<BankId, BankRecord>, WebError> {
    Ok(state
        .store
        .banks()
        .await?
        .into_iter()
        .filter(|b| bank::may_read(&b.bank, &ctx.principal))
        .map(|b| (b.bank.id.clone(), b))
        .collect())
}

/// A bank the caller may read, or 404 (a hidden bank does not exist for them).
async fn readable_bank(state: &AppState, ctx: &Ctx, id: &str) -> Result<BankRecord, WebError> {
    let not_found = || WebError::NotFound(format!("bank {id}"));
    let id = BankId::parse(id).map_err(|_| not_found())?;
    match state.store.bank(&id).await {
        Ok(b) if bank::may_read(&b.bank, &ctx.principal) => Ok(b),
        Ok(_) | Err(StoreError::NotFound(_)) => Err(not_found()),
        Err(e) => Err(e.into()),
    }
}

async fn writable_bank(state: &AppState, ctx: &Ctx, id: &str) -> Result<BankRecord, WebError> {
    let b = readable_bank(state, ctx, id).await?;
    if !bank::may_write(b.bank.owner.as_ref(), &ctx.principal) {
        ctx.refused(state, None).await;
        return Err(WebError::Forbidden);
    }
    Ok(b)
}

pub async fn api_banks(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Json<Vec<BankRecord>>, WebError> {
    Ok(Json(
        readable_banks(&state, &ctx).await?.into_values().collect(),
    ))
}

pub async fn api_create_bank(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<BankInput>,
) -> Result<Response, WebError> {
    let b = input.validate()?;
    if !bank::may_write(b.owner.as_ref(), &ctx.principal) {
        ctx.refused(&state, Some(&Action::ShareHashes)).await;
        return Err(WebError::Forbidden);
    }
    let record = state.store.create_bank(&ctx.actor(), &b).await?;
    Ok((StatusCode::CREATED, Json(record)).into_response())
}

/// A bank with its latest hashes (tombstones included).
#[derive(Serialize)]
pub struct BankJson {
    #[serde(flatten)]
    bank: BankRecord,
    hashes: Vec<HashRecord>,
}

pub async fn api_bank(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Json<BankJson>, WebError> {
    let mut b = readable_bank(&state, &ctx, &id).await?;
    let writer = bank::may_write(b.bank.owner.as_ref(), &ctx.principal);
    let hashes = state
        .store
        .bank_hashes(&b.bank.id, 1000)
        .await?
        .into_iter()
        .map(|h| redacted(h, writer))
        .collect();
    if !writer {
        b.created_by = String::new();
    }
    Ok(Json(BankJson { bank: b, hashes }))
}

/// The body of `POST /api/banks/{id}/hashes`.
#[derive(Deserialize)]
pub struct AddHashes {
    hashes: Vec<HashInput>,
}

pub async fn api_add_hashes(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AddHashes>,
) -> Result<Response, WebError> {
    let b = writable_bank(&state, &ctx, &id).await?;
    if body.hashes.is_empty() || body.hashes.len() > MAX_BATCH {
        return Err(Invalid::field(
            "hashes",
            format!(
                "send 1 to {MAX_BATCH} hashes in one batch, not {}",
                body.hashes.len()
            ),
        )
        .into());
    }
    let mut errors: Vec<FieldError> = Vec::new();
    let mut checked = Vec::new();
    for (i, h) in body.hashes.iter().enumerate() {
        match h.validate(&format!("hashes[{i}]")) {
            Ok(n) => checked.push(n),
            Err(es) => errors.extend(es),
        }
    }
    // An entity on the common list must be a subject of it.
    for (i, n) in checked.iter().enumerate() {
        if let bank::Entity::Listed(subject) = &n.labels.entity {
            match state.store.subject(subject).await {
                Ok(_) => {}
                Err(StoreError::NotFound(_)) => errors.push(FieldError {
                    field: format!("hashes[{i}].entity_subject"),
                    message: format!("{subject} is not a subject of the common list"),
                }),
                Err(e) => return Err(e.into()),
            }
        }
    }
    if !errors.is_empty() {
        return Err(Invalid { errors }.into());
    }
    let ids = state
        .store
        .add_hashes(&ctx.actor(), &b.bank.id, &checked)
        .await?;
    state.hashes.refresh(&state.store).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "ids": ids }))).into_response())
}

pub async fn api_remove_hash(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, hash)): Path<(String, i64)>,
) -> Result<Json<HashRecord>, WebError> {
    let b = writable_bank(&state, &ctx, &id).await?;
    let removed = state
        .store
        .set_hash_state(
            &ctx.actor(),
            &b.bank.id,
            hash,
            &[HashState::Active, HashState::Held, HashState::Retracted],
            HashState::Deleted,
        )
        .await?;
    state.hashes.refresh(&state.store).await?;
    Ok(Json(removed))
}

/// Releases a held or retracted hash after its owner's review: it matches
/// again, and its feedback starts afresh.
pub async fn api_release_hash(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, hash)): Path<(String, i64)>,
) -> Result<Json<HashRecord>, WebError> {
    let b = writable_bank(&state, &ctx, &id).await?;
    let released = state
        .store
        .set_hash_state(
            &ctx.actor(),
            &b.bank.id,
            hash,
            &[HashState::Held, HashState::Retracted],
            HashState::Active,
        )
        .await?;
    state.hashes.refresh(&state.store).await?;
    Ok(Json(released))
}

pub async fn release_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, hash)): Path<(String, i64)>,
    crate::forms::PostedForm(_): crate::forms::PostedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let b = writable_bank(&state, &ctx, &id).await?;
    state
        .store
        .set_hash_state(
            &ctx.actor(),
            &b.bank.id,
            hash,
            &[HashState::Held, HashState::Retracted],
            HashState::Active,
        )
        .await?;
    state.hashes.refresh(&state.store).await?;
    Ok(axum::response::Redirect::to(&format!("/banks/{}", b.bank.id)).into_response())
}

/// Who added a hash is for its bank's writers: other readers (platforms,
/// other members) see the hash and its labels, not the analyst behind it.
fn redacted(mut h: HashRecord, writer: bool) -> HashRecord {
    if !writer {
        h.added_by = String::new();
    }
    h
}

/// A hash with its members' feedback.
#[derive(Serialize)]
pub struct HashJson {
    #[serde(flatten)]
    hash: HashRecord,
    feedback: FeedbackCounts,
}

async fn readable_hash(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
) -> Result<(HashRecord, BankRecord), WebError> {
    let h = match state.store.hash(id).await {
        Err(StoreError::NotFound(_)) => return Err(WebError::NotFound(format!("hash {id}"))),
        other => other?,
    };
    let b = readable_bank(state, ctx, h.bank.as_str())
        .await
        .map_err(|_| WebError::NotFound(format!("hash {id}")))?;
    Ok((h, b))
}

pub async fn api_hash(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Json<HashJson>, WebError> {
    let (hash, b) = readable_hash(&state, &ctx, id).await?;
    let feedback = state.store.feedback_counts(id).await?;
    let hash = redacted(hash, bank::may_write(b.bank.owner.as_ref(), &ctx.principal));
    Ok(Json(HashJson { hash, feedback }))
}

#[derive(Deserialize)]
pub struct FeedbackBody {
    verdict: String,
}

pub async fn api_feedback(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<FeedbackBody>,
) -> Result<Response, WebError> {
    let verdict: Verdict = body
        .verdict
        .parse()
        .map_err(|m: String| Invalid::field("verdict", m))?;
    let (_, b) = readable_hash(&state, &ctx, id).await?;
    if ctx.principal.member().is_none() && !ctx.principal.is_secretariat() {
        ctx.refused(&state, None).await;
        return Err(WebError::Forbidden);
    }
    let (hash, feedback) = state
        .store
        .hash_feedback(&ctx.actor(), &ctx.principal, id, verdict, b.bank.hold_after)
        .await?;
    state.hashes.refresh(&state.store).await?;
    let hash = redacted(hash, bank::may_write(b.bank.owner.as_ref(), &ctx.principal));
    Ok(Json(HashJson { hash, feedback }).into_response())
}

// ---- lookups ----

#[derive(Deserialize)]
pub struct SignalIn {
    signal_type: String,
    signal: String,
}

#[derive(Deserialize)]
pub struct LookupBody {
    signals: Vec<SignalIn>,
    #[serde(default)]
    distance: Option<u32>,
}

#[derive(Serialize)]
pub struct MatchOut {
    bank: BankId,
    hash_id: i64,
    distance: u32,
    /// For a video (vPDQ): the share of the query's frames found in the
    /// stored video and of the stored video's frames found in the query, in
    /// percent (ThreatExchange's names).
    #[serde(skip_serializing_if = "Option::is_none")]
    vpdq: Option<VpdqShares>,
    labels: bank::Labels,
    feedback: FeedbackCounts,
}

#[derive(Serialize)]
pub struct VpdqShares {
    query_match_percent: f64,
    compared_match_percent: f64,
}

#[derive(Serialize)]
pub struct SignalOut {
    signal_type: String,
    signal: String,
    matches: Vec<MatchOut>,
    /// Allow banks that list this content as a known false positive: their
    /// veto removed the matches.
    vetoed_by: Vec<BankId>,
}

/// Matches of one signal in the banks the caller may read, best first;
/// an allow bank's match vetoes the others.
async fn match_one(
    state: &AppState,
    banks: &BTreeMap<BankId, BankRecord>,
    kind: SignalType,
    signal: &str,
    distance: u32,
) -> Result<(Vec<Found>, Vec<BankId>), accord_hashes::HashError> {
    let found = state.hashes.lookup(kind, signal, distance).await?;
    Ok(readable_matches(banks, found))
}

/// The matches in the banks the caller may read, best first; an allow
/// bank's match vetoes the others.
fn readable_matches(
    banks: &BTreeMap<BankId, BankRecord>,
    found: Vec<Found>,
) -> (Vec<Found>, Vec<BankId>) {
    let mut hits: Vec<Found> = found
        .into_iter()
        .filter(|f| banks.contains_key(&f.hash.bank))
        .collect();
    let vetoes: BTreeSet<BankId> = hits
        .iter()
        .filter(|f| banks.get(&f.hash.bank).is_some_and(|b| b.bank.allow))
        .map(|f| f.hash.bank.clone())
        .collect();
    if !vetoes.is_empty() {
        hits.clear();
    }
    // Best first: the nearest hash; among videos, the largest share of the
    // query found.
    let share = |f: &Found| f.shares.map_or(0.0, |s| s.query_percent);
    hits.sort_by(|a, b| {
        a.distance
            .cmp(&b.distance)
            .then(share(b).total_cmp(&share(a)))
            .then(a.hash.id.cmp(&b.hash.id))
    });
    (hits, vetoes.into_iter().collect())
}

/// Matches as answered, each with its feedback (one query for all).
async fn with_feedback(state: &AppState, hits: Vec<Found>) -> Result<Vec<MatchOut>, WebError> {
    let ids: Vec<i64> = hits.iter().map(|f| f.hash.id).collect();
    let feedback = state.store.feedback_counts_of(&ids).await?;
    Ok(match_outs(hits, &feedback))
}

/// Matches as answered, with the feedback counts already fetched.
fn match_outs(
    hits: Vec<Found>,
    feedback: &std::collections::HashMap<i64, FeedbackCounts>,
) -> Vec<MatchOut> {
    hits.into_iter()
        .map(|f| MatchOut {
            feedback: feedback.get(&f.hash.id).copied().unwrap_or_default(),
            bank: f.hash.bank,
            hash_id: f.hash.id,
            distance: f.distance,
            vpdq: f.shares.map(|s| VpdqShares {
                query_match_percent: s.query_percent,
                compared_match_percent: s.target_percent,
            }),
            labels: f.hash.labels,
        })
        .collect()
}

/// How many index probes a signal costs, for the per-token allowance: one,
/// or one per frame of a video.
fn probes(kind: SignalType, signal: &str) -> usize {
    match kind {
        SignalType::Vpdq => accord_hashes::parse_vpdq_signal(signal).map_or(1, |f| f.len()),
        _ => 1,
    }
}

pub async fn api_lookup(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<LookupBody>,
) -> Result<Json<Vec<SignalOut>>, WebError> {
    if body.signals.is_empty() || body.signals.len() > MAX_BATCH {
        return Err(Invalid::field(
            "signals",
            format!(
                "send 1 to {MAX_BATCH} signals in one lookup, not {}",
                body.signals.len()
            ),
        )
        .into());
    }
    let distance = body.distance.unwrap_or(DEFAULT_DISTANCE);
    if distance > MAX_DISTANCE {
        return Err(Invalid::field("distance", format!("must be at most {MAX_DISTANCE}")).into());
    }
    // Every signal checked before any is looked up: one bad signal refuses the batch.
    let mut errors = Vec::new();
    let mut kinds = Vec::new();
    // Index probes the batch will cost: one a signal, one a video's frame.
    let mut cost = 0;
    for (i, s) in body.signals.iter().enumerate() {
        match s.signal_type.parse::<SignalType>() {
            Ok(k) => {
                let ok = match k {
                    SignalType::Pdq => accord_hashes::PdqHash::parse(&s.signal).map(|_| 1),
                    SignalType::Md5 => accord_hashes::Md5Digest::parse(&s.signal).map(|_| 1),
                    SignalType::Sha256 => accord_hashes::Sha256Digest::parse(&s.signal).map(|_| 1),
                    SignalType::Vpdq => {
                        accord_hashes::parse_vpdq_signal(&s.signal).map(|f| f.len())
                    }
                };
                cost += ok.as_ref().map_or(0, |n| *n);
                if let Err(e) = ok {
                    errors.push(FieldError {
                        field: format!("signals[{i}].signal"),
                        message: e.to_string(),
                    });
                }
                kinds.push(k);
            }
            Err(e) => errors.push(FieldError {
                field: format!("signals[{i}].signal_type"),
                message: e.to_string(),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(Invalid { errors }.into());
    }
    admit(&state, &ctx, cost)?;
    state.hashes.refresh(&state.store).await?;
    let banks = readable_banks(&state, &ctx).await?;
    // The batch's PDQ hashes in one pass over the index; the rest one by one.
    let pdq: Vec<accord_hashes::PdqHash> = body
        .signals
        .iter()
        .zip(&kinds)
        .filter(|(_, k)| **k == SignalType::Pdq)
        .filter_map(|(s, _)| accord_hashes::PdqHash::parse(&s.signal).ok())
        .collect();
    let mut pdq_found = state
        .hashes
        .lookup_pdq_batch(&pdq, distance)
        .await
        .into_iter();
    let mut found = Vec::with_capacity(body.signals.len());
    for (s, kind) in body.signals.iter().zip(kinds) {
        let (hits, vetoed_by) = if kind == SignalType::Pdq {
            readable_matches(&banks, pdq_found.next().unwrap_or_default())
        } else {
            match_one(&state, &banks, kind, &s.signal, distance)
                .await
                .map_err(|e| WebError::BadRequest(e.to_string()))?
        };
        found.push((s, kind, hits, vetoed_by));
    }
    // Every match's feedback in one query for the whole batch.
    let ids: Vec<i64> = found
        .iter()
        .flat_map(|(_, _, hits, _)| hits.iter().map(|f| f.hash.id))
        .collect();
    let feedback = state.store.feedback_counts_of(&ids).await?;
    let matched = found.iter().filter(|f| !f.2.is_empty()).count();
    let out = found
        .into_iter()
        .map(|(s, kind, hits, vetoed_by)| SignalOut {
            signal_type: kind.as_str().into(),
            signal: s.signal.trim().to_ascii_lowercase(),
            matches: match_outs(hits, &feedback),
            vetoed_by,
        })
        .collect();
    tally(&state, &ctx, body.signals.len(), matched, ids);
    Ok(Json(out))
}

/// Takes a lookup's signals from the caller's allowance ([`crate::lookups`]),
/// or refuses it with 429 and how long to wait.
fn admit(state: &AppState, ctx: &Ctx, signals: usize) -> Result<(), WebError> {
    let Some(caller) = crate::lookups::Caller::of(ctx) else {
        return Ok(());
    };
    match state
        .lookups
        .admit(&caller, signals as u64, accord_store::now_ms())
    {
        Ok(()) => Ok(()),
        Err(u64::MAX) => Err(Invalid::field(
            "signals",
            format!(
                "more signals than this platform allows per minute ({})",
                state.config.hash_lookups_per_minute
            ),
        )
        .into()),
        Err(wait) => Err(WebError::Busy {
            what: "this token's hash lookups for the minute are used up",
            seconds: i64::try_from(wait).unwrap_or(60),
        }),
    }
}

/// Counts a lookup for the per-minute audit record and the hashes' pages.
fn tally(state: &AppState, ctx: &Ctx, signals: usize, matched: usize, hashes: Vec<i64>) {
    state.metrics.hash_lookups(signals, matched);
    if let Some(caller) = crate::lookups::Caller::of(ctx) {
        state.lookups.record(
            &caller,
            &ctx.actor(),
            signals as u64,
            matched as u64,
            hashes,
            accord_store::now_ms(),
        );
    }
}

#[derive(Deserialize)]
pub struct HmaQuery {
    signal_type: String,
    signal: String,
}

/// `GET /m/lookup`: one signal, answered in the shape HMA's clients read:
/// `{bank: [{bank_content_id, distance}]}`.
pub async fn hma_lookup(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<HmaQuery>,
) -> Result<Json<BTreeMap<String, Vec<serde_json::Value>>>, WebError> {
    let kind: SignalType = q
        .signal_type
        .parse()
        .map_err(|e: accord_hashes::HashError| Invalid::field("signal_type", e.to_string()))?;
    let cost = probes(kind, &q.signal);
    admit(&state, &ctx, cost)?;
    state.hashes.refresh(&state.store).await?;
    let banks = readable_banks(&state, &ctx).await?;
    let (hits, _) = match_one(&state, &banks, kind, &q.signal, DEFAULT_DISTANCE)
        .await
        .map_err(|e| Invalid::field("signal", e.to_string()))?;
    let mut out: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
    let ids: Vec<i64> = hits.iter().map(|f| f.hash.id).collect();
    tally(&state, &ctx, cost, usize::from(!ids.is_empty()), ids);
    for f in hits {
        // HMA writes a video's "distance" as both shares, `80%[45%]`
        // (ThreatExchange's `VPDQSimilarityInfo.pretty_str`).
        let distance = match f.shares {
            Some(s) => format!("{:.0}%[{:.0}%]", s.query_percent, s.target_percent),
            None => f.distance.to_string(),
        };
        out.entry(f.hash.bank.to_string())
            .or_default()
            .push(serde_json::json!({ "bank_content_id": f.hash.id, "distance": distance }));
    }
    Ok(Json(out))
}

#[derive(Deserialize)]
pub struct ChangesQuery {
    #[serde(default)]
    checkpoint: Option<String>,
    #[serde(default)]
    limit: Option<i64>,
}

#[derive(Serialize)]
pub struct ChangeOut {
    id: i64,
    bank: BankId,
    hash_digest: String,
    algorithm: String,
    labels: bank::Labels,
    deleted: bool,
    state: HashState,
    updated_on: String,
}

#[derive(Serialize)]
pub struct ChangesOut {
    changes: Vec<ChangeOut>,
    /// Pass it back to get what changed after these.
    checkpoint: String,
    /// More changes wait after this page.
    more: bool,
}

/// `GET /api/hashes/changes`: every change of a hash in the banks the
/// caller may read, after `checkpoint`, in order. Held and retracted hashes
/// come as `deleted` for a copy that matches (they must stop matching).
pub async fn api_changes(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ChangesQuery>,
) -> Result<Json<ChangesOut>, WebError> {
    let checkpoint: i64 = match q
        .checkpoint
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => 0,
        Some(c) => c
            .parse()
            .map_err(|_| Invalid::field("checkpoint", "must be a checkpoint this feed returned"))?,
    };
    let limit = q.limit.unwrap_or(1000).clamp(1, 10_000);
    let banks: Vec<BankId> = readable_banks(&state, &ctx).await?.into_keys().collect();
    let page = state
        .store
        .hash_changes_in(checkpoint, &banks, limit + 1)
        .await?;
    let more = page.len() as i64 > limit;
    let page: Vec<HashRecord> = page.into_iter().take(limit as usize).collect();
    let next = page.last().map_or(checkpoint, |h| h.seq);
    let changes = page
        .into_iter()
        .map(|h| ChangeOut {
            id: h.id,
            bank: h.bank,
            hash_digest: h.signal,
            algorithm: h.signal_type.as_str().into(),
            labels: h.labels,
            deleted: h.state != HashState::Active,
            state: h.state,
            updated_on: crate::render::format_ms(h.updated_at),
        })
        .collect();
    Ok(Json(ChangesOut {
        changes,
        checkpoint: next.to_string(),
        more,
    }))
}

// ---- hashing uploaded content, and the pages ----

/// What an upload hashes to; the content itself is dropped when this is built.
#[derive(Serialize)]
pub struct Hashed {
    md5: String,
    sha256: String,
    pdq: Option<String>,
    pdq_quality: Option<u8>,
    /// With `dihedral=true`: the PDQ hash of each rotation and flip of the
    /// image (`rotate90`, `flipx`…), looked up too when matching.
    #[serde(skip_serializing_if = "Option::is_none")]
    pdq_dihedral: Option<BTreeMap<&'static str, String>>,
    /// For a video: its vPDQ hash (one PDQ hash a second, the JSON form a
    /// bank takes and ThreatExchange reads) and how many frames it has.
    vpdq: Option<String>,
    vpdq_frames: Option<usize>,
    /// Why a video has no vPDQ hash here (no ffmpeg on this server).
    #[serde(skip_serializing_if = "Option::is_none")]
    vpdq_unavailable: Option<String>,
    /// With `match=true`: the matches of each hash, in the caller's banks.
    matches: Option<Vec<SignalOut>>,
}

/// What hashing one upload gives, computed off the async workers.
struct UploadHashes {
    content: accord_hashes::ContentHashes,
    dihedral: Option<BTreeMap<&'static str, String>>,
    vpdq: Option<Result<Vec<accord_hashes::VpdqFrame>, accord_video::VideoError>>,
}

/// Digests; PDQ (and, when asked, its variants) of an image; vPDQ of a
/// video. CPU-bound (a video takes seconds), so run on a blocking thread.
fn hash_bytes(
    bytes: &[u8],
    dihedral: bool,
    video: &accord_video::VideoOptions,
) -> Result<UploadHashes, accord_hashes::HashError> {
    let limits = video.limits;
    let content = accord_hashes::hash_content(bytes, limits)?;
    // The variants come from the image's DCT (a hash alone cannot be
    // rotated); only for images that hashed, and only when asked.
    let dihedral = match (&content.pdq, dihedral) {
        (Some(_), true) => Some(
            accord_hashes::pdq_dct_of_image(bytes, limits)?
                .all_dihedral()
                .into_iter()
                .filter(|(d, _)| *d != accord_hashes::Dihedral::Original)
                .map(|(d, h)| (d.as_str(), h.to_hex()))
                .collect(),
        ),
        _ => None,
    };
    let vpdq =
        accord_hashes::looks_like_video(bytes).then(|| accord_video::vpdq_of_video(bytes, video));
    Ok(UploadHashes {
        content,
        dihedral,
        vpdq,
    })
}

/// Hashes uploaded content in memory (never written anywhere) and, when
/// asked, looks its hashes up.
async fn hash_upload(
    state: &AppState,
    ctx: &Ctx,
    bytes: &[u8],
    with_matches: bool,
    dihedral: bool,
) -> Result<Hashed, WebError> {
    let owned = bytes.to_vec();
    let video = state.config.video.clone();
    // A video holds one of the decoding permits while ffmpeg runs; when all
    // are taken the upload is refused at once rather than queued.
    let permit = if accord_hashes::looks_like_video(bytes) {
        Some(
            Arc::clone(&state.upload_decodes)
                .try_acquire_owned()
                .map_err(|_| WebError::Busy {
                    what: "the server is decoding as many videos as it has cores",
                    seconds: 10,
                })?,
        )
    } else {
        None
    };
    let hashed = tokio::task::spawn_blocking(move || {
        let hashed = hash_bytes(&owned, dihedral, &video);
        drop(permit);
        hashed
    })
    .await
    .map_err(|e| WebError::Internal(format!("hashing an upload: {e}")))?
    .map_err(|e| Invalid::field("file", e.to_string()))?;
    let (vpdq, vpdq_unavailable) = match hashed.vpdq {
        None => (None, None),
        Some(Ok(frames)) => (Some(frames), None),
        // Without ffmpeg a video still gets its digests, and says why it
        // has no vPDQ hash.
        Some(Err(e @ accord_video::VideoError::NoFfmpeg { .. })) => (None, Some(e.to_string())),
        Some(Err(e)) => return Err(Invalid::field("file", e.to_string()).into()),
    };
    let pdq = hashed
        .content
        .pdq
        .as_ref()
        .map(|p| (p.hash.to_hex(), p.quality));
    let mut out = Hashed {
        md5: hashed.content.digests.md5.to_hex(),
        sha256: hashed.content.digests.sha256.to_hex(),
        pdq: pdq.as_ref().map(|p| p.0.clone()),
        pdq_quality: pdq.as_ref().map(|p| p.1),
        pdq_dihedral: hashed.dihedral,
        vpdq: vpdq.as_deref().map(accord_hashes::vpdq_signal),
        vpdq_frames: vpdq.as_ref().map(Vec::len),
        vpdq_unavailable,
        matches: None,
    };
    if with_matches {
        let mut signals = vec![
            (SignalType::Md5, out.md5.clone()),
            (SignalType::Sha256, out.sha256.clone()),
        ];
        if let Some((hex, q)) = &pdq
            && *q >= accord_hashes::MIN_QUALITY
        {
            signals.push((SignalType::Pdq, hex.clone()));
            for h in out.pdq_dihedral.iter().flat_map(|v| v.values()) {
                signals.push((SignalType::Pdq, h.clone()));
            }
        }
        if let Some(signal) = &out.vpdq {
            signals.push((SignalType::Vpdq, signal.clone()));
        }
        let cost = signals.iter().map(|(k, s)| probes(*k, s)).sum();
        admit(state, ctx, cost)?;
        state.hashes.refresh(&state.store).await?;
        let banks = readable_banks(state, ctx).await?;
        let mut all = Vec::new();
        let mut ids = Vec::new();
        for (kind, signal) in signals {
            let (hits, vetoed_by) = match_one(state, &banks, kind, &signal, DEFAULT_DISTANCE)
                .await
                .map_err(|e| WebError::BadRequest(e.to_string()))?;
            ids.extend(hits.iter().map(|f| f.hash.id));
            let matches = with_feedback(state, hits).await?;
            all.push(SignalOut {
                signal_type: kind.as_str().into(),
                signal,
                matches,
                vetoed_by,
            });
        }
        let matched = all.iter().filter(|s| !s.matches.is_empty()).count();
        tally(state, ctx, all.len(), matched, ids);
        out.matches = Some(all);
    }
    Ok(out)
}

pub async fn api_hash_upload(
    State(state): State<AppState>,
    ctx: Ctx,
    upload: crate::forms::Upload,
) -> Result<Json<Hashed>, WebError> {
    let bytes = upload
        .get("file")
        .ok_or_else(|| Invalid::field("file", "send the content as the file field"))?;
    let yes = |field: &str| matches!(upload.text(field).trim(), "true" | "1" | "on" | "yes");
    Ok(Json(
        hash_upload(&state, &ctx, bytes, yes("match"), yes("dihedral")).await?,
    ))
}

use crate::render::{csrf_field, page};
use axum::response::Html;
use maud::{PreEscaped, html};

/// A stored signal in a line: a hash's first digits, a video's frame count.
fn short_signal(l: crate::i18n::Lang, h: &HashRecord) -> maud::Markup {
    match h.signal_type {
        SignalType::Vpdq => {
            // Stored in the JSON form, one string a frame: count them
            // rather than parse kilobytes for each row of a bank's page.
            let n = h.signal.matches("\",\"").count() + 1;
            html! { "vpdq · " (l.tf("hashes.vpdq_frame_count", &[("n", &n.to_string())])) }
        }
        _ => {
            html! { (h.signal_type.as_str()) " " code title=(h.signal) { (h.signal.get(..16).unwrap_or(&h.signal)) "…" } }
        }
    }
}

fn behaviour_label(l: crate::i18n::Lang, b: bank::Behaviour) -> &'static str {
    match b {
        bank::Behaviour::Recruitment => l.t("hashes.b_recruitment"),
        bank::Behaviour::Glorification => l.t("hashes.b_glorification"),
        bank::Behaviour::Instruction => l.t("hashes.b_instruction"),
        bank::Behaviour::Threat => l.t("hashes.b_threat"),
        bank::Behaviour::Manifesto => l.t("hashes.b_manifesto"),
        bank::Behaviour::LivestreamedAttack => l.t("hashes.b_livestreamed_attack"),
        bank::Behaviour::Other => l.t("hashes.b_other"),
    }
}

fn state_label(l: crate::i18n::Lang, s: HashState) -> &'static str {
    match s {
        HashState::Active => l.t("hashes.s_active"),
        HashState::Held => l.t("hashes.s_held"),
        HashState::Retracted => l.t("hashes.s_retracted"),
        HashState::Deleted => l.t("hashes.s_deleted"),
    }
}

/// A bank writer's buttons for one hash: release a held or retracted hash,
/// remove any that is not removed yet.
fn owner_buttons(ctx: &Ctx, h: &HashRecord) -> maud::Markup {
    let l = ctx.lang;
    html! {
        @if matches!(h.state, HashState::Held | HashState::Retracted) {
            form.inline method="post" action={ "/banks/" (h.bank) "/hashes/" (h.id) "/release" } {
                (csrf_field(ctx))
                button.secondary type="submit" { (l.t("hashes.release")) }
            }
            " "
        }
        @if h.state != HashState::Deleted {
            form.inline method="post" action={ "/banks/" (h.bank) "/hashes/" (h.id) "/remove" } {
                (csrf_field(ctx))
                button.secondary type="submit" { (l.t("hashes.remove")) }
            }
        }
    }
}

fn entity(l: crate::i18n::Lang, e: &bank::Entity) -> maud::Markup {
    html! {
        @match e {
            bank::Entity::Listed(id) => { code { (id) } " " span.muted { (l.t("hashes.on_the_list")) } }
            bank::Entity::Named(n) => { (n) }
            bank::Entity::Unknown => { span.muted { (l.t("hashes.unknown_entity")) } }
        }
    }
}

pub async fn banks_page(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, WebError> {
    let l = ctx.lang;
    let banks = readable_banks(&state, &ctx).await?;
    let mut counts = Vec::new();
    for b in banks.values() {
        let hashes = state.store.bank_hashes(&b.bank.id, 100_000).await?;
        let active = hashes
            .iter()
            .filter(|h| h.state == HashState::Active)
            .count();
        let review = hashes
            .iter()
            .filter(|h| matches!(h.state, HashState::Held | HashState::Retracted))
            .count();
        counts.push((b, active, review));
    }
    Ok(page(
        &ctx,
        l.t("hashes.title"),
        html! {
            h1 { (l.t("hashes.title")) }
            p { (l.t("hashes.intro")) }
            p.actions { a.button href="/hashes/check" { (l.t("hashes.check")) } " " a href="/hashes/review" { (l.t("hashes.review_title")) } }
            @if counts.is_empty() { p.muted { (l.t("hashes.no_banks")) } } @else {
                div.table-scroll { table {
                    thead { tr {
                        th scope="col" { (l.t("hashes.bank")) } th scope="col" { (l.t("hashes.owner")) } th scope="col" { "TLP" }
                        th scope="col" { (l.t("hashes.active")) } th scope="col" { (l.t("hashes.to_review")) }
                    } }
                    tbody { @for (b, active, review) in &counts {
                        tr {
                            td { a href={ "/banks/" (b.bank.id) } { (b.bank.name) } @if b.bank.allow { " " span.badge { (l.t("hashes.allow_bank")) } } }
                            td { (b.bank.owner.as_ref().map(|m| m.to_string()).unwrap_or_else(|| l.t("hashes.secretariat").to_string())) }
                            td { "TLP:" (b.bank.tlp) }
                            td { (active) }
                            td { (review) }
                        }
                    } }
                } }
            }
        },
    ))
}

pub async fn bank_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let l = ctx.lang;
    let b = readable_bank(&state, &ctx, &id).await?;
    let hashes = state.store.bank_hashes(&b.bank.id, 1000).await?;
    let writer = bank::may_write(b.bank.owner.as_ref(), &ctx.principal);
    // The review queue: hashes attributed to a subject since delisted.
    let delisted: Vec<(i64, time::Date)> = state
        .store
        .hashes_of_delisted()
        .await?
        .into_iter()
        .filter(|(_, bank, _)| *bank == b.bank.id)
        .map(|(id, _, d)| (id, d))
        .collect();
    let ids: Vec<i64> = hashes.iter().map(|h| h.id).collect();
    let feedback = state.store.feedback_counts_of(&ids).await?;
    let rows: Vec<(HashRecord, FeedbackCounts)> = hashes
        .into_iter()
        .map(|h| {
            let f = feedback.get(&h.id).copied().unwrap_or_default();
            (h, f)
        })
        .collect();
    Ok(page(
        &ctx,
        &b.bank.name,
        html! {
            h1 { (b.bank.name) }
            dl.facts {
                dt { (l.t("hashes.owner")) } dd { (b.bank.owner.as_ref().map(|m| m.to_string()).unwrap_or_else(|| l.t("hashes.secretariat").to_string())) }
                dt { "TLP" } dd { "TLP:" (b.bank.tlp) }
                dt { (l.t("hashes.shared_with")) } dd { @match &b.bank.distribution {
                    accord_core::Distribution::Members { members } => { (members.iter().map(|m| m.to_string()).collect::<Vec<_>>().join(", ")) }
                    _ => { (l.t("hashes.whole_platform")) }
                } }
                @if b.bank.allow { dt { (l.t("hashes.allow_bank")) } dd { (l.t("hashes.allow_explained")) } }
                dt { (l.t("hashes.hold_after")) } dd { (b.bank.hold_after) }
            }
            @if !delisted.is_empty() {
                section id="delisted-review" class="notice" {
                    h2 { (l.t("hashes.review_delisted")) }
                    p { (l.tf("hashes.review_delisted_intro", &[("days", &b.bank.grace_days.to_string())])) }
                    ul { @for (id, d) in &delisted {
                        @if let Some((h, _)) = rows.iter().find(|(h, _)| h.id == *id) {
                            li { (short_signal(l, h)) " — " (entity(l, &h.labels.entity)) ", " (l.t("hashes.delisted_on")) " " (d) }
                        }
                    } }
                }
            }
            div.table-scroll { table {
                thead { tr {
                    th scope="col" { (l.t("hashes.signal")) } th scope="col" { (l.t("hashes.entity")) } th scope="col" { (l.t("hashes.behaviour")) }
                    th scope="col" { (l.t("hashes.state")) } th scope="col" { (l.t("hashes.feedback")) } th scope="col" {}
                } }
                tbody { @for (h, f) in &rows {
                    tr {
                        td { a href={ "/hashes/" (h.id) } { (short_signal(l, h)) } }
                        td { (entity(l, &h.labels.entity)) }
                        td { (behaviour_label(l, h.labels.behaviour)) }
                        td { (state_label(l, h.state)) }
                        td { "✓ " (f.agree) " · ✗ " (f.disagree) " · ⚑ " (f.actioned) }
                        td { @if writer { (owner_buttons(&ctx, h)) } }
                    }
                } }
            } }
            p { a href="/banks" { (l.t("hashes.back")) } }
        },
    ))
}

pub async fn remove_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, hash)): Path<(String, i64)>,
    crate::forms::PostedForm(_): crate::forms::PostedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let b = writable_bank(&state, &ctx, &id).await?;
    state
        .store
        .set_hash_state(
            &ctx.actor(),
            &b.bank.id,
            hash,
            &[HashState::Active, HashState::Held, HashState::Retracted],
            HashState::Deleted,
        )
        .await?;
    state.hashes.refresh(&state.store).await?;
    Ok(axum::response::Redirect::to(&format!("/banks/{}", b.bank.id)).into_response())
}

fn check_view(ctx: &Ctx, result: Option<&Hashed>, error: Option<&Invalid>) -> Html<String> {
    let l = ctx.lang;
    page(
        ctx,
        l.t("hashes.check"),
        html! {
            h1 { (l.t("hashes.check")) }
            p { (l.t("hashes.check_intro")) }
            (crate::render::form_errors(l, error))
            form method="post" action="/hashes/check" enctype="multipart/form-data" {
                (csrf_field(ctx))
                div.field {
                    label for="file" { (l.t("reports.file")) }
                    input type="file" id="file" name="file" required;
                }
                button type="submit" { (l.t("hashes.check_button")) }
            }
            @if let Some(r) = result {
                h2 { (l.t("hashes.its_hashes")) }
                dl.facts {
                    dt { "MD5" } dd { code { (r.md5) } }
                    dt { "SHA-256" } dd { code { (r.sha256) } }
                    dt { "PDQ" } dd { @if let Some(p) = &r.pdq { code { (p) } " (" (l.t("hashes.quality")) " " (r.pdq_quality.unwrap_or(0)) ")" } @else { (l.t("hashes.not_an_image")) } }
                    dt { "vPDQ" } dd {
                        @if let Some(n) = r.vpdq_frames { (l.tf("hashes.vpdq_frames", &[("n", &n.to_string())])) }
                        @else if let Some(why) = &r.vpdq_unavailable { (l.message(why)) }
                        @else { (l.t("hashes.not_a_video")) }
                    }
                }
                h2 { (l.t("hashes.matches")) }
                @let all: Vec<&MatchOut> = r.matches.iter().flatten().flat_map(|s| &s.matches).collect();
                @let vetoes: Vec<&BankId> = r.matches.iter().flatten().flat_map(|s| &s.vetoed_by).collect();
                @if !vetoes.is_empty() { p.notice { (l.t("hashes.vetoed")) " " @for v in &vetoes { (v) " " } } }
                @if all.is_empty() { p { strong { (l.t("hashes.no_match")) } } } @else {
                    div.table-scroll { table {
                        thead { tr { th scope="col" { (l.t("hashes.bank")) } th scope="col" { (l.t("hashes.distance")) } th scope="col" { (l.t("hashes.entity")) } th scope="col" { (l.t("hashes.behaviour")) } } }
                        tbody { @for m in &all {
                            tr { td { a href={ "/banks/" (m.bank) } { (m.bank) } } td { @if let Some(v) = &m.vpdq { (l.tf("hashes.vpdq_shares", &[("query", &format!("{:.0}", v.query_match_percent)), ("stored", &format!("{:.0}", v.compared_match_percent))])) } @else { (m.distance) } } td { (entity(l, &m.labels.entity)) } td { (behaviour_label(l, m.labels.behaviour)) } }
                        } }
                    } }
                }
            }
        },
    )
}

pub async fn check_page(
    State(_state): State<AppState>,
    ctx: Ctx,
) -> Result<Html<String>, WebError> {
    Ok(check_view(&ctx, None, None))
}

pub async fn check_upload(
    State(state): State<AppState>,
    ctx: Ctx,
    upload: crate::forms::Upload,
) -> Result<Response, WebError> {
    let result = match upload.get("file") {
        None => Err(Invalid::field(
            "file",
            ctx.lang.t("hashes.choose_file").to_string(),
        )),
        Some(bytes) => match hash_upload(&state, &ctx, bytes, true, true).await {
            Ok(r) => Ok(r),
            Err(WebError::Invalid(i)) => Err(i),
            Err(e) => return Err(e),
        },
    };
    Ok(match result {
        Ok(r) => check_view(&ctx, Some(&r), None).into_response(),
        Err(i) => {
            let mut r = check_view(&ctx, None, Some(&i)).into_response();
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            r
        }
    })
}

/// `GET /hashes/{id}`: one hash — its labels, state and members' feedback,
/// and how often platforms matched it, per day, as a chart. Only for those
/// who may read its bank (404 for the others: a hidden hash does not exist).
pub async fn hash_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let l = ctx.lang;
    let (h, b) = readable_hash(&state, &ctx, id).await?;
    let writer = bank::may_write(b.bank.owner.as_ref(), &ctx.principal);
    let feedback = state.store.feedback_counts(id).await?;
    let days: Vec<(time::Date, u64)> = state
        .store
        .hash_match_days(id)
        .await?
        .into_iter()
        .filter_map(|(d, n)| {
            let date =
                time::Date::parse(&d, &time::format_description::well_known::Iso8601::DATE).ok()?;
            Some((date, u64::try_from(n).unwrap_or_default()))
        })
        .collect();
    // The last 90 days with matches.
    let since = days.last().map(|(d, _)| *d - time::Duration::days(89));
    let recent: Vec<(time::Date, u64)> = days
        .iter()
        .copied()
        .filter(|(d, _)| since.is_none_or(|s| *d >= s))
        .collect();
    let total: u64 = days.iter().map(|(_, n)| n).sum();
    let bar = |n: u64, d: &str| l.tf("hashes.matches_on", &[("n", &n.to_string()), ("day", d)]);
    let chart = accord_hashes::svg::matches_chart(
        "hash-matches",
        &recent,
        &accord_hashes::svg::MatchWords {
            title: l.t("hashes.matches_over_time"),
            bar: &bar,
            none: l.t("hashes.no_matches_yet"),
        },
    );
    let title = format!("{} {}", l.t("hashes.hash"), h.signal_type.as_str());
    let frames = (h.signal_type == SignalType::Vpdq)
        .then(|| accord_hashes::parse_vpdq_signal(&h.signal).ok())
        .flatten();
    Ok(page(
        &ctx,
        &title,
        html! {
            h1 { (l.t("hashes.hash")) " " (short_signal(l, &h)) }
            dl.facts {
                dt { (l.t("hashes.bank")) } dd { a href={ "/banks/" (b.bank.id) } { (b.bank.name) } " (TLP:" (b.bank.tlp) ")" }
                dt { (l.t("hashes.signal")) } dd {
                    @if let Some(frames) = &frames {
                        // A video's hash is a PDQ hash a frame: the count
                        // first, every frame on demand.
                        details {
                            summary { "vpdq · " (l.tf("hashes.vpdq_stored_frames", &[("n", &frames.len().to_string()), ("seconds", &format!("{:.1}", frames.last().map_or(0.0, |f| f.timestamp)))])) }
                            pre.wrap { (accord_hashes::vpdq_lines(frames)) }
                        }
                    } @else {
                        (h.signal_type.as_str()) " " code.wrap { (h.signal) }
                    }
                }
                @if let Some(q) = h.quality { dt { (l.t("hashes.quality")) } dd { (q) } }
                dt { (l.t("hashes.state")) } dd { span.badge { (state_label(l, h.state)) } }
                dt { (l.t("hashes.entity")) } dd { (entity(l, &h.labels.entity)) }
                dt { (l.t("hashes.behaviour")) } dd { (behaviour_label(l, h.labels.behaviour)) }
                dt { (l.t("hashes.content_type")) } dd { (h.labels.content_type.as_str()) @if let Some(t) = &h.labels.file_type { " (" (t) ")" } }
                @if let Some(d) = &h.labels.first_seen { dt { (l.t("hashes.first_seen")) } dd { (d) } }
                @if !h.labels.note.is_empty() { dt { (l.t("hashes.note")) } dd { (h.labels.note) } }
                @if writer { dt { (l.t("hashes.added_by")) } dd { (h.added_by) ", " (crate::render::format_ms(h.added_at)) } }
                dt { (l.t("hashes.feedback")) } dd { "✓ " (feedback.agree) " · ✗ " (feedback.disagree) " · ⚑ " (feedback.actioned) }
                dt { (l.t("hashes.total_matches")) } dd { (total) }
            }
            figure.chart { (PreEscaped(chart)) }
            p { a href={ "/banks/" (b.bank.id) } { (l.t("hashes.back_to_bank")) } }
        },
    ))
}

/// `GET /hashes/review`: across every bank the user may write to, the hashes
/// waiting for their owner — held by disagreements, or retracted after their
/// subject was delisted — with the buttons to release or remove them.
pub async fn review_page(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Html<String>, WebError> {
    let l = ctx.lang;
    let writable: BTreeMap<BankId, BankRecord> = readable_banks(&state, &ctx)
        .await?
        .into_iter()
        .filter(|(_, b)| bank::may_write(b.bank.owner.as_ref(), &ctx.principal))
        .collect();
    let ids: Vec<BankId> = writable.keys().cloned().collect();
    let waiting = state.store.hashes_for_review(&ids, 1000).await?;
    let feedback = state
        .store
        .feedback_counts_of(&waiting.iter().map(|h| h.id).collect::<Vec<_>>())
        .await?;
    Ok(page(
        &ctx,
        l.t("hashes.review_title"),
        html! {
            h1 { (l.t("hashes.review_title")) }
            p.hint { (l.t("hashes.review_intro")) }
            @if waiting.is_empty() { p.muted { (l.t("hashes.review_empty")) } } @else {
                div.table-scroll { table {
                    thead { tr {
                        th scope="col" { (l.t("hashes.bank")) } th scope="col" { (l.t("hashes.signal")) } th scope="col" { (l.t("hashes.entity")) }
                        th scope="col" { (l.t("hashes.state")) } th scope="col" { (l.t("hashes.feedback")) } th scope="col" {}
                    } }
                    tbody { @for h in &waiting {
                        @let f = feedback.get(&h.id).copied().unwrap_or_default();
                        tr {
                            td { a href={ "/banks/" (h.bank) } { (writable.get(&h.bank).map(|b| b.bank.name.as_str()).unwrap_or(h.bank.as_str())) } }
                            td { a href={ "/hashes/" (h.id) } { (h.signal_type.as_str()) " " code { (h.signal.get(..16).unwrap_or(&h.signal)) "…" } } }
                            td { (entity(l, &h.labels.entity)) }
                            td { (state_label(l, h.state)) }
                            td { "✓ " (f.agree) " · ✗ " (f.disagree) " · ⚑ " (f.actioned) }
                            td { (owner_buttons(&ctx, h)) }
                        }
                    } }
                } }
            }
        },
    ))
}
