//! The hash banks in the shape of Tech Against Terrorism's hash list API v2
//! (TCAP), so that a platform already pulling that list — e.g. with the Tech
//! Against Terrorism client of Meta's `threatexchange` library — pulls from
//! Accord by pointing its base URL here (docs/hashes.md). Same rows and the
//! same rights as `GET /api/hashes/changes`: the banks the caller may read.
//!
//! Sign-in: `POST /token-auth/tcap/` with the form fields `username` (an
//! Accord user) and `password` (one of that user's API tokens) answers
//! `{"token": …}` — that same API token, which the client then sends as
//! `Authorization: Bearer`. Minting a new credential instead would leave one
//! behind on every page the client fetches (it signs in for each).

use accord_hashes::SignalType;
use accord_hashes::bank::{BankId, HashState};
use accord_store::SignInFailure;
use accord_store::hash_banks::HashRecord;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::context::Ctx;
use crate::error::WebError;
use crate::state::AppState;

/// Results per page unless `limit` asks for fewer (or more, up to 10,000).
const PAGE: i64 = 1000;

#[derive(Deserialize)]
pub struct TokenAuth {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

/// `POST /token-auth/tcap/` (form): an Accord user and one of its API tokens.
/// A plain form, not [`crate::forms::PostedForm`]: the caller is a program
/// with no session and no page to take a CSRF token from, and the answer
/// carries nothing a cookie could have obtained.
pub async fn token_auth(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::Form(form): axum::Form<TokenAuth>,
) -> Result<Response, WebError> {
    let refused = |status: StatusCode, message: &str| {
        (status, Json(json!({ "error": message }))).into_response()
    };
    if form.username.trim().is_empty() || form.password.trim().is_empty() {
        return Ok(refused(
            StatusCode::BAD_REQUEST,
            "username and password (an API token) are required",
        ));
    }
    match state
        .store
        .token_sign_in(
            &ctx.actor(),
            &state.config.login_throttle,
            &form.username,
            &form.password,
        )
        .await?
    {
        Ok(user) => Ok(Json(json!({
            "token": form.password.trim(),
            "user": { "username": user.username.as_str() },
        }))
        .into_response()),
        Err(SignInFailure::BadCredentials) => Ok(refused(
            StatusCode::UNAUTHORIZED,
            "unknown username, or the password is not one of its API tokens",
        )),
        Err(SignInFailure::Disabled) => {
            Ok(refused(StatusCode::UNAUTHORIZED, "the account is disabled"))
        }
    }
}

/// The query of `GET /api/hash-list/v2/all`. Unknown parameters are ignored
/// (the client sends `?None&…` on its first page).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct HashListQuery {
    order: Option<String>,
    /// A checkpoint this feed returned: `<unix seconds>,<change number>`.
    after: Option<String>,
    /// Set by `next`: the change number the next page starts after.
    cursor: Option<i64>,
    limit: Option<i64>,
}

/// One result, exactly the fields the client's dataclass takes.
#[derive(Serialize)]
pub struct HashListEntry {
    id: i64,
    hash_digest: String,
    /// `PDQ`, `MD5` or `SHA256`.
    algorithm: &'static str,
    /// TCAP classifies by ideology; Accord's banks do not, so every hash is
    /// `all` (the client's own value for no particular one).
    ideology: &'static str,
    /// The file's extension when the hash's labels name it, else its content
    /// type (`image`, `video`, `file`).
    file_type: String,
    /// Removed, held or retracted: platforms stop matching it.
    deleted: bool,
    /// Unix seconds.
    updated_on: f64,
    created_on: String,
}

#[derive(Serialize)]
pub struct HashListPage {
    /// The results on this page.
    count: usize,
    /// The next page's query string (the client appends it to
    /// `…/api/hash-list/v2/all?`), or null on the last page.
    next: Option<String>,
    previous: Option<String>,
    /// Where this page ends: `<unix seconds>,<change number>`; give it as
    /// `after` to resume.
    checkpoint: String,
    results: Vec<HashListEntry>,
}

fn parse_after(raw: &str) -> Result<i64, WebError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(0);
    }
    let bad = || {
        WebError::Invalid(accord_core::Invalid::field(
            "after",
            "must be a checkpoint this feed returned (<unix seconds>,<change number>)",
        ))
    };
    let (_, seq) = raw.split_once(',').ok_or_else(bad)?;
    seq.trim()
        .parse::<i64>()
        .ok()
        .filter(|s| *s >= 0)
        .ok_or_else(bad)
}

/// Unix milliseconds as RFC 3339 (what TCAP's `created_on` carries).
fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

fn entry(h: HashRecord) -> HashListEntry {
    let algorithm = match h.signal_type {
        SignalType::Pdq => "PDQ",
        SignalType::Md5 => "MD5",
        SignalType::Sha256 => "SHA256",
        // TCAP's own list has no video hashes. Ours are sent under a name
        // of their own rather than left out, so a copy sees every change of
        // the banks; TCAP's clients skip algorithms they do not know
        // (threatexchange's maps only PDQ and MD5).
        SignalType::Vpdq => "VPDQ",
    };
    let file_type = h
        .labels
        .file_type
        .clone()
        .unwrap_or_else(|| h.labels.content_type.as_str().to_string());
    HashListEntry {
        id: h.id,
        hash_digest: h.signal,
        algorithm,
        ideology: "all",
        file_type,
        deleted: h.state != HashState::Active,
        updated_on: h.updated_at as f64 / 1000.0,
        created_on: rfc3339(h.added_at),
    }
}

/// `GET /api/hash-list/v2/all?order=asc&after=CHECKPOINT`.
pub async fn hash_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<HashListQuery>,
) -> Result<Json<HashListPage>, WebError> {
    if q.order.as_deref().is_some_and(|o| o != "asc") {
        return Err(WebError::Invalid(accord_core::Invalid::field(
            "order",
            "only asc: the list is read forward from a checkpoint",
        )));
    }
    let start = match q.cursor {
        Some(c) if c >= 0 => c,
        Some(_) => return Err(WebError::BadRequest("cursor must be positive".into())),
        None => parse_after(q.after.as_deref().unwrap_or_default())?,
    };
    let limit = q.limit.unwrap_or(PAGE).clamp(1, 10_000);
    let banks: Vec<BankId> = super::hashes::readable_banks(&state, &ctx)
        .await?
        .into_keys()
        .collect();
    let mut rows = state
        .store
        .hash_changes_in(start, &banks, limit + 1)
        .await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let checkpoint = match rows.last() {
        Some(h) => format!("{},{}", h.updated_at / 1000, h.seq),
        None if start == 0 => String::new(),
        None => q.after.clone().unwrap_or_else(|| format!("0,{start}")),
    };
    let next = more
        .then(|| {
            rows.last()
                .map(|h| format!("cursor={}&limit={limit}", h.seq))
        })
        .flatten();
    let results: Vec<HashListEntry> = rows.into_iter().map(entry).collect();
    Ok(Json(HashListPage {
        count: results.len(),
        next,
        previous: None,
        checkpoint,
        results,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_is_seconds_and_a_change_number() {
        assert_eq!(parse_after("").unwrap(), 0);
        assert_eq!(parse_after("1704085200,124").unwrap(), 124);
        assert!(parse_after("1704085200").is_err());
        assert!(parse_after("x,y").is_err());
        assert!(parse_after("1,-3").is_err());
    }
}
