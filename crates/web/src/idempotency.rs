//! `Idempotency-Key` on API writes made with an API token: a retried
//! request with the same key gets the first answer back instead of writing
//! twice (the header of the IETF httpapi draft, as Stripe and others use it).
//!
//! Only token callers: browsers do not send the header (pages are guarded
//! by their own forms), and an anonymous caller has no identity a key
//! could belong to. The key is the token's: another token's identical key
//! is another key. The first answer is kept a day
//! ([`accord_store::idempotency::KEPT_MS`]); a server error or a `429` is not
//! kept when nothing was written, so the retry runs again. How a killed
//! node's half-answered request is told apart is in the store's module.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use accord_store::idempotency::{Claim, Claimed, StoredAnswer};

use crate::context::{Auth, Ctx};
use crate::error::{IdempotencyRefusal, WebError, is_api_path};
use crate::state::AppState;

pub const HEADER: &str = "idempotency-key";

/// POST routes that ask rather than write: screening, manifests, yente's
/// `/match`, hash lookups and uploads hashed in memory. Their answers hold
/// the names (or files' hashes) asked about, which are kept only as each
/// feature's retention allows (docs/screening.md), never in
/// `idempotency_keys`; and repeating a question changes nothing anyway.
const QUERIES: &[&str] = &[
    "/api/screen",
    "/api/manifests",
    "/match/",
    "/api/hashes/lookup",
    "/api/hashes/hash",
];

// No kept answer holds a secret: only requests made with an API token are
// kept, and a token may not create tokens (`WebError::NotForTokens`), so the
// one answer that carries a new secret is never made to such a request.

fn is_query(path: &str) -> bool {
    QUERIES.iter().any(|q| path.starts_with(q))
}

/// A key is 1 to 255 visible ASCII characters (a UUID, typically).
fn valid_key(key: &str) -> bool {
    (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

/// The middleware, after the route's gate (so a refused caller never gets
/// this far) and before the handler.
pub async fn replay(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let writes = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    let token = match request.extensions().get::<Ctx>().map(|c| &c.auth) {
        Some(Auth::Token { id, .. }) => Some(*id),
        _ => None,
    };
    let path = request.uri().path();
    let (Some(key), Some(token), true, true) = (
        request.headers().get(HEADER).cloned(),
        token,
        writes,
        is_api_path(path) && !is_query(path),
    ) else {
        return next.run(request).await;
    };
    match answer(&state, request, next, &key, token).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn answer(
    state: &AppState,
    request: Request,
    next: Next,
    key: &HeaderValue,
    token: i64,
) -> Result<Response, WebError> {
    let key = key.to_str().ok().filter(|k| valid_key(k)).ok_or_else(|| {
        accord_core::Invalid::field(
            "Idempotency-Key",
            "must be 1 to 255 visible ASCII characters",
        )
    })?;
    let claim = Claim {
        caller: format!("token:{token}"),
        key: key.to_string(),
    };
    let (parts, body) = request.into_parts();
    // The body is read here to fingerprint it, within the limit its route
    // would apply (uploads are multipart).
    let multipart = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/"));
    let limit = if multipart {
        state.config.max_upload_bytes
    } else {
        state.config.max_body_bytes
    };
    let bytes = to_bytes(body, limit)
        .await
        .map_err(|_| WebError::PayloadTooLarge)?;
    let mut digest = Sha256::new();
    digest.update(parts.method.as_str());
    digest.update(b"\n");
    digest.update(parts.uri.path_and_query().map_or("", |p| p.as_str()));
    digest.update(b"\n");
    digest.update(&bytes);
    let fingerprint = hex::encode(digest.finalize());

    match state
        .store
        .claim_idempotency_key(&claim, &fingerprint)
        .await?
    {
        Claimed::Fresh => {}
        Claimed::Answered(stored) => return Ok(replayed(stored)),
        Claimed::Reused => return Err(WebError::Idempotency(IdempotencyRefusal::Reused)),
        Claimed::InProgress => return Err(WebError::Idempotency(IdempotencyRefusal::InProgress)),
        Claimed::OutcomeUnknown => {
            return Err(WebError::Idempotency(IdempotencyRefusal::OutcomeUnknown));
        }
    }
    let request = Request::from_parts(parts, Body::from(bytes));
    let response = accord_store::idempotency::scope(claim.clone(), next.run(request)).await;
    let status = response.status();
    if status.is_server_error() || status == axum::http::StatusCode::TOO_MANY_REQUESTS {
        state.store.release_idempotency_key(&claim).await?;
        return Ok(response);
    }
    let (parts, body) = response.into_parts();
    let bytes = to_bytes(body, usize::MAX)
        .await
        .map_err(|e| WebError::Internal(format!("reading an answer: {e}")))?;
    let header_text = |name: header::HeaderName| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    state
        .store
        .keep_idempotent_answer(
            &claim,
            &StoredAnswer {
                status: parts.status.as_u16(),
                content_type: header_text(header::CONTENT_TYPE),
                location: header_text(header::LOCATION),
                body: bytes.to_vec(),
            },
        )
        .await?;
    Ok(Response::from_parts(parts, Body::from(bytes)))
}

/// The first answer again, marked as a replay.
fn replayed(stored: StoredAnswer) -> Response {
    let mut response = Response::new(Body::from(stored.body));
    *response.status_mut() =
        axum::http::StatusCode::from_u16(stored.status).unwrap_or(axum::http::StatusCode::OK);
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, stored.content_type),
        (header::LOCATION, stored.location),
    ] {
        if let Some(v) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
            headers.insert(name, v);
        }
    }
    headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}

#[cfg(test)]
mod tests {
    use super::valid_key;

    #[test]
    fn questions_asked_by_post_are_not_kept() {
        for path in [
            "/api/screen",
            "/api/screen/batch",
            "/api/manifests",
            "/match/default",
            "/api/hashes/lookup",
        ] {
            assert!(super::is_query(path), "{path}");
        }
        for path in [
            "/api/members/KAZ/focal-points",
            "/api/proposals",
            "/api/petitions",
        ] {
            assert!(!super::is_query(path), "{path}");
        }
    }

    #[test]
    fn keys_are_short_visible_ascii() {
        assert!(valid_key("4f0c1f7e-5a4e-4d0e-9a77-2b8f3f0d9e11"));
        assert!(!valid_key(""));
        assert!(!valid_key("has space"));
        assert!(!valid_key(&"k".repeat(256)));
        assert!(!valid_key("ключ"));
    }
}
