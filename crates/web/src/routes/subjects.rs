//! Subjects of the common list and their merges. Aliases are never merged
//! automatically: merging two subjects is an explicit act of the secretariat,
//! audited and reversible.

use accord_core::Action;
use accord_store::common_list::{Merge, Subject};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

use crate::context::Ctx;
use crate::error::WebError;
use crate::forms::ApiJson;
use crate::state::AppState;

/// A subject as published: its entry, status and merges (no statement of case).
pub async fn api_get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, WebError> {
    ctx.require(&state, &Action::ViewProposals).await?;
    let id = id.trim().to_uppercase();
    let subject: Subject = state.store.subject(&id).await?;
    let merges: Vec<Merge> = state.store.merges(&id).await?;
    Ok(Json(
        serde_json::json!({ "subject": subject, "merges": merges }),
    ))
}

#[derive(Deserialize)]
pub struct MergeBody {
    into: String,
    reason: String,
}

pub async fn api_merge(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(from): Path<String>,
    ApiJson(body): ApiJson<MergeBody>,
) -> Result<(StatusCode, Json<Merge>), WebError> {
    ctx.require(&state, &Action::MergeSubjects).await?;
    let merge = state
        .store
        .merge_subjects(
            &ctx.actor(),
            &from.trim().to_uppercase(),
            &body.into.trim().to_uppercase(),
            &body.reason,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(merge)))
}

pub async fn api_unmerge(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Json<Merge>, WebError> {
    ctx.require(&state, &Action::MergeSubjects).await?;
    Ok(Json(state.store.unmerge_subjects(&ctx.actor(), id).await?))
}
