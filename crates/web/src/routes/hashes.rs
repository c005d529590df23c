//! Hash sharing's API: banks, their hashes and members' feedback, lookups
//! for platforms (Accord's batch shape and the shape HMA's clients expect),
//! and the change feed platforms keep a local copy with. Every answer holds
//! only banks the caller may read (`bank::may_read`, the one visibility
//! rule); writing needs `bank::may_write`.

use std::collections::{BTreeMap, BTreeSet};

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
use crate::state::AppState;

/// The largest PDQ distance a lookup may ask for: the index is exact to 31.
pub const MAX_DISTANCE: u32 = 31;
/// The distance a lookup uses when it names none.
pub const DEFAULT_DISTANCE: u32 = 31;

async fn readable_banks(
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
    let b = readable_bank(&state, &ctx, &id).await?;
    let hashes = state.store.bank_hashes(&b.bank.id, 1000).await?;
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
        .set_hash_state(&ctx.actor(), &b.bank.id, hash, HashState::Deleted)
        .await?;
    state.hashes.refresh(&state.store).await?;
    Ok(Json(removed))
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
    let (hash, _) = readable_hash(&state, &ctx, id).await?;
    let feedback = state.store.feedback_counts(id).await?;
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
        return Err(WebError::Forbidden);
    }
    let (hash, feedback) = state
        .store
        .hash_feedback(&ctx.actor(), &ctx.principal, id, verdict, b.bank.hold_after)
        .await?;
    state.hashes.refresh(&state.store).await?;
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
    labels: bank::Labels,
    feedback: FeedbackCounts,
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
) -> Result<(Vec<(HashRecord, u32)>, Vec<BankId>), accord_hashes::HashError> {
    let found = state.hashes.lookup(kind, signal, distance).await?;
    let mut hits: Vec<(HashRecord, u32)> = found
        .into_iter()
        .filter(|f| banks.contains_key(&f.hash.bank))
        .map(|f| (f.hash, f.distance))
        .collect();
    let vetoes: BTreeSet<BankId> = hits
        .iter()
        .filter(|(h, _)| banks.get(&h.bank).is_some_and(|b| b.bank.allow))
        .map(|(h, _)| h.bank.clone())
        .collect();
    if !vetoes.is_empty() {
        hits.clear();
    }
    hits.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.id.cmp(&b.0.id)));
    Ok((hits, vetoes.into_iter().collect()))
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
    for (i, s) in body.signals.iter().enumerate() {
        match s.signal_type.parse::<SignalType>() {
            Ok(SignalType::Vpdq) => errors.push(FieldError {
                field: format!("signals[{i}].signal_type"),
                message: "vpdq is matched by uploading the video".into(),
            }),
            Ok(k) => {
                let ok = match k {
                    SignalType::Pdq => accord_hashes::PdqHash::parse(&s.signal).map(|_| ()),
                    SignalType::Md5 => accord_hashes::Md5Digest::parse(&s.signal).map(|_| ()),
                    _ => accord_hashes::Sha256Digest::parse(&s.signal).map(|_| ()),
                };
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
    state.hashes.refresh(&state.store).await?;
    let banks = readable_banks(&state, &ctx).await?;
    let mut out = Vec::with_capacity(body.signals.len());
    let mut matched = 0usize;
    for (s, kind) in body.signals.iter().zip(kinds) {
        let (hits, vetoed_by) = match_one(&state, &banks, kind, &s.signal, distance)
            .await
            .map_err(|e| WebError::BadRequest(e.to_string()))?;
        let mut matches = Vec::with_capacity(hits.len());
        for (h, d) in hits {
            let feedback = state.store.feedback_counts(h.id).await?;
            matches.push(MatchOut {
                bank: h.bank,
                hash_id: h.id,
                distance: d,
                labels: h.labels,
                feedback,
            });
        }
        matched += usize::from(!matches.is_empty());
        out.push(SignalOut {
            signal_type: kind.as_str().into(),
            signal: s.signal.trim().to_ascii_lowercase(),
            matches,
            vetoed_by,
        });
    }
    state.metrics.hash_lookups(body.signals.len(), matched);
    Ok(Json(out))
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
    state.hashes.refresh(&state.store).await?;
    let banks = readable_banks(&state, &ctx).await?;
    let (hits, _) = match_one(&state, &banks, kind, &q.signal, DEFAULT_DISTANCE)
        .await
        .map_err(|e| Invalid::field("signal", e.to_string()))?;
    let mut out: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
    for (h, d) in hits {
        out.entry(h.bank.to_string())
            .or_default()
            .push(serde_json::json!({ "bank_content_id": h.id, "distance": d.to_string() }));
    }
    state.metrics.hash_lookups(1, usize::from(!out.is_empty()));
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
    let banks = readable_banks(&state, &ctx).await?;
    let page = state.store.hash_changes(checkpoint, limit + 1).await?;
    let more = page.len() as i64 > limit;
    let page: Vec<HashRecord> = page.into_iter().take(limit as usize).collect();
    let next = page.last().map_or(checkpoint, |h| h.seq);
    let changes = page
        .into_iter()
        .filter(|h| banks.contains_key(&h.bank))
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
