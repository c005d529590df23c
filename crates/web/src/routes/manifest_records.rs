//! Kept manifest screenings: `/screen/manifests`, `/screen/manifests/{id}`
//! and their API twins. A border post goes back to an alert after the
//! flight has landed; what it finds is what the issue of retention allows:
//! the flight, the totals and the travellers who had candidates, always;
//! every traveller only for `manifest_retention_days` (0 by default: never).
//!
//! Who reads a record: the user who ran the screening and their member's
//! administrators (`Action::ReadManifestScreening`; not the secretariat);
//! anyone else gets 404.
//! Each read of a record is audited: it holds travellers' names.

use accord_core::Action;
use accord_core::audit::Outcome;
use accord_screening::ManifestScreening;
use accord_store::manifest_screenings::{ManifestRecord, NewManifestRecord};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Html;
use maud::{Markup, html};
use serde_json::{Value, json};

use crate::context::Ctx;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::render::{format_ms, page};
use crate::state::AppState;

/// Keeps what a screening may leave behind; returns the record's id.
pub(super) async fn keep(
    state: &AppState,
    ctx: &Ctx,
    s: &ManifestScreening,
) -> Result<i64, WebError> {
    let user_id = ctx.user()?.id;
    let flights: Vec<Value> = s
        .messages
        .iter()
        .map(|m| json!({ "reference": m.reference, "kind": to_json(&m.kind), "flight": to_json(&m.flight), "totals": to_json(&m.totals) }))
        .collect();
    let hits: Vec<Value> = s
        .travellers()
        .filter(|t| !t.hits.is_empty())
        .map(to_json)
        .collect();
    let days = state.config.manifest_retention_days;
    let travellers = (days > 0).then(|| {
        let all: Vec<Value> = s.travellers().map(to_json).collect();
        (
            Value::Array(all),
            accord_store::now_ms() + i64::from(days) * 86_400_000,
        )
    });
    let record = NewManifestRecord {
        user_id,
        member: ctx.principal.member().map(|m| m.as_str().to_string()),
        flights: Value::Array(flights),
        traveller_count: s.totals.travellers as i64,
        with_hits: s.totals.with_hits as i64,
        hits: Value::Array(hits),
        travellers,
    };
    Ok(state
        .store
        .save_manifest_screening(&ctx.actor(), &record)
        .await?)
}

/// A part of the screening as the API answered it (all are `Serialize`).
fn to_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn action(r: &ManifestRecord) -> Action {
    Action::ReadManifestScreening {
        member: r
            .member
            .as_deref()
            .and_then(|m| accord_core::MemberCode::parse(m).ok()),
        user_id: r.user_id,
    }
}

/// The records `ctx` may read, newest first, with expired travellers gone.
async fn readable(state: &AppState, ctx: &Ctx) -> Result<Vec<ManifestRecord>, WebError> {
    let user = ctx.user()?;
    let admin_of = ctx
        .principal
        .member()
        .filter(|m| ctx.principal.is_admin_of(m))
        .map(|m| m.as_str().to_string());
    let all = state
        .store
        .manifest_screenings(user.id, admin_of.as_deref(), 200)
        .await?;
    Ok(all
        .into_iter()
        .filter(|r| accord_core::authorize(&ctx.principal, &action(r)).is_ok())
        .map(unexpired)
        .collect())
}

/// One record, if `ctx` may read it (404 otherwise); the read is audited.
async fn one(state: &AppState, ctx: &Ctx, id: i64) -> Result<ManifestRecord, WebError> {
    let not_found = || WebError::NotFound(format!("manifest screening {id}"));
    let record = state
        .store
        .manifest_screening(id)
        .await
        .map_err(|e| match e {
            accord_store::StoreError::NotFound(_) => not_found(),
            e => e.into(),
        })?;
    if accord_core::authorize(&ctx.principal, &action(&record)).is_err() {
        return Err(not_found());
    }
    state
        .store
        .audit(
            &ctx.actor(),
            "screening.manifest.read",
            &format!("manifest_screening:{id}"),
            Outcome::Ok,
            json!({ "with_hits": record.with_hits, "travellers_kept": record.travellers.is_some() }),
        )
        .await?;
    Ok(unexpired(record))
}

/// A record as read: travellers past their date are not shown even before
/// the sweep (every ten minutes) has cleared them.
fn unexpired(mut r: ManifestRecord) -> ManifestRecord {
    if r.travellers_until
        .is_some_and(|u| u <= accord_store::now_ms())
    {
        r.travellers = None;
        r.travellers_until = None;
    }
    r
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

fn flight_line(l: Lang, f: &Value) -> Markup {
    html! {
        strong { (l.tf("manifest.flight", &[("flight", text(&f["flight"]["number"]))])) }
        @for leg in f["flight"]["legs"].as_array().into_iter().flatten() {
            " · " (text(&leg["departure"])) " " (text(&leg["departure_time"]).replace('T', " "))
            " → " (text(&leg["arrival"])) " " (text(&leg["arrival_time"]).replace('T', " "))
        }
    }
}

fn flights_text(r: &ManifestRecord) -> String {
    r.flights
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| text(&f["flight"]["number"]).to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn travellers_table(l: Lang, travellers: &Value) -> Markup {
    html! {
        div style="overflow-x:auto" {
            table {
                thead { tr {
                    th scope="col" { (l.t("manifest.traveller")) }
                    th scope="col" { (l.t("manifest.match")) }
                    th scope="col" { (l.t("manifest.score")) }
                } }
                tbody {
                    @for t in travellers.as_array().into_iter().flatten() {
                        @let hits = t["hits"].as_array().cloned().unwrap_or_default();
                        tr {
                            td {
                                strong { (text(&t["name"])) } br; code { (text(&t["id"])) } br;
                                span.muted {
                                    @if let Some(b) = t["birth_date"].as_str() { (l.t("manifest.born")) " " (b) " " }
                                    @if let Some(n) = t["nationality"].as_str() { (n) " " }
                                    @for d in t["documents"].as_array().into_iter().flatten() { (text(&d["kind"])) " " (text(&d["number"])) " " }
                                }
                            }
                            td {
                                @if hits.is_empty() { span.badge.good { (l.t("manifest.no_hit")) } }
                                @for h in &hits {
                                    (text(&h["match_name"])) " " (super::common_list::hit_reference(text(&h["match_id"]), text(&h["dataset"])))
                                    @if h["document_match"].is_object() { " " span.badge.bad { (l.t("manifest.verdict_document")) } }
                                    @if h["low_confidence"].as_bool() == Some(true) { " " span.badge.warn { (l.t("manifest.verdict_weak_alias")) } }
                                    br;
                                }
                            }
                            td { @for h in &hits { (format!("{:.2}", h["score"].as_f64().unwrap_or(0.0))) br; } }
                        }
                    }
                }
            }
        }
    }
}

pub async fn list_page(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, WebError> {
    ctx.require(&state, &Action::Screen).await?;
    let l = ctx.lang;
    let records = readable(&state, &ctx).await?;
    Ok(page(
        &ctx,
        l.t("manifest.records"),
        html! {
            h1 { (l.t("manifest.records")) }
            p { (l.tf("manifest.records_intro", &[("days", &state.config.manifest_retention_days.to_string())])) }
            @if records.is_empty() { p.muted { (l.t("manifest.records_none")) } } @else {
                div style="overflow-x:auto" { table {
                    thead { tr {
                        th scope="col" { "#" } th scope="col" { (l.t("manifest.screened_at")) }
                        th scope="col" { (l.t("manifest.flights")) } th scope="col" { (l.t("manifest.travellers")) }
                        th scope="col" { (l.t("manifest.with_hits")) } th scope="col" { (l.t("manifest.by")) }
                    } }
                    tbody { @for r in &records { tr {
                        td { a href={ "/screen/manifests/" (r.id) } { (r.id) } }
                        td { (format_ms(r.created_at)) }
                        td { (flights_text(r)) }
                        td { (r.traveller_count) }
                        td { @if r.with_hits > 0 { span.badge.warn { (r.with_hits) } } @else { (r.with_hits) } }
                        td { (r.username) }
                    } } }
                } }
            }
            p { a href="/screen/manifest" { (l.t("manifest.title")) } }
        },
    ))
}

pub async fn record_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    ctx.require(&state, &Action::Screen).await?;
    let l = ctx.lang;
    let r = one(&state, &ctx, id).await?;
    Ok(page(
        &ctx,
        &l.tf("manifest.record_title", &[("id", &r.id.to_string())]),
        html! {
            h1 { (l.tf("manifest.record_title", &[("id", &r.id.to_string())])) }
            @for f in r.flights.as_array().into_iter().flatten() { p { (flight_line(l, f)) } }
            dl.facts {
                dt { (l.t("manifest.screened_at")) } dd { (format_ms(r.created_at)) " · " (r.username) }
                dt { (l.t("manifest.travellers")) } dd { (r.traveller_count) }
                dt { (l.t("manifest.with_hits")) } dd { (r.with_hits) }
            }
            h2 { (l.t("manifest.kept_hits")) }
            @if r.with_hits == 0 { p.muted { (l.t("manifest.nobody")) } } @else { (travellers_table(l, &r.hits)) }
            h2 { (l.t("manifest.kept_travellers")) }
            @match (&r.travellers, r.travellers_until) {
                (Some(all), Some(until)) => {
                    p { (l.tf("manifest.kept_until", &[("until", &format_ms(until))])) }
                    (travellers_table(l, all))
                }
                _ => { p.muted { (l.t("manifest.not_kept")) } }
            }
            p { a href="/screen/manifests" { (l.t("manifest.records")) } }
        },
    ))
}

pub async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Json<Vec<Value>>, WebError> {
    ctx.require(&state, &Action::Screen).await?;
    let records = readable(&state, &ctx).await?;
    Ok(Json(
        records
            .iter()
            .map(|r| json!({ "id": r.id, "created_at": r.created_at, "user": r.username, "member": r.member, "flights": r.flights, "travellers": r.traveller_count, "with_hits": r.with_hits, "travellers_kept_until": r.travellers_until }))
            .collect(),
    ))
}

pub async fn api_get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Json<ManifestRecord>, WebError> {
    ctx.require(&state, &Action::Screen).await?;
    Ok(Json(one(&state, &ctx, id).await?))
}
