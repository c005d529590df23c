//! `Idempotency-Key` on API writes made with an API token: a retried
//! request with the same key gets the first answer back instead of writing
//! twice (the header of the IETF httpapi draft, as Stripe and others use it).
//!
//! Only token callers send the header: an anonymous caller has no identity
//! a key could belong to. Pages' forms get the same guarantee from a
//! one-time form token ([`FORM_FIELD`], in every form [`crate::render::csrf_field`]
//! draws): the form sent twice by a signed-in user (a double click, the back
//! button and the button again) is written once, and the second sending is
//! sent where the first went ([`form_replay`]). The key is the token's: another token's identical key
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

/// The hidden field that carries a form's one-time token.
pub const FORM_FIELD: &str = "form_token";

/// Pages' POST forms that are not kept by their form token: signing in and
/// out (the session cookie is the point of their answer); the forms that
/// ask rather than write (screening, a manifest, a file's hashes), whose
/// answers are pages of results; and the petition, which is anonymous, finds
/// a petition sent twice itself, and whose answer names its tracking number.
const FORM_QUESTIONS: &[&str] = &["/login", "/logout", "/screen", "/hashes/check", "/petition"];

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
    if writes && !is_api_path(path) {
        return form_replay(state, request, next).await;
    }
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

/// A page's form sent by a signed-in user with its one-time token: the first
/// sending that succeeded (a redirect, as every write's page answers) is
/// kept, and the same form sent again is sent where the first went, nothing
/// written twice. A refusal (the form again with its errors, a 4xx) is not
/// kept: the corrected form, which carries the same token, is sent anew.
/// The token is the key whatever the fields say, so a form changed after it
/// was sent is still the form that was sent.
async fn form_replay(state: AppState, request: Request, next: Next) -> Response {
    let user = match request.extensions().get::<Ctx>() {
        Some(Ctx {
            auth: Auth::Session { .. },
            user: Some(user),
            ..
        }) => user.id,
        _ => return next.run(request).await,
    };
    let path = request.uri().path();
    if FORM_QUESTIONS
        .iter()
        .any(|q| path == *q || path.starts_with(&format!("{q}/")))
    {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let limit = if content_type_is(&parts.headers, "multipart/") {
        state.config.max_upload_bytes
    } else {
        state.config.max_body_bytes
    };
    let bytes = match to_bytes(body, limit).await {
        Ok(b) => b,
        Err(_) => return WebError::PayloadTooLarge.into_response(),
    };
    let key = if content_type_is(&parts.headers, "multipart/") {
        multipart_text(&bytes, FORM_FIELD)
    } else {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .ok()
            .and_then(|fields| fields.into_iter().find(|(k, _)| k == FORM_FIELD))
            .map(|(_, v)| v)
    };
    let request = Request::from_parts(parts, Body::from(bytes));
    let Some(key) = key.filter(|k| valid_key(k)) else {
        return next.run(request).await;
    };
    let claim = Claim {
        caller: format!("user:{user}"),
        key,
    };
    match form_answer(&state, request, next, claim).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn form_answer(
    state: &AppState,
    request: Request,
    next: Next,
    claim: Claim,
) -> Result<Response, WebError> {
    // One fingerprint for every sending of a form: see [`form_replay`].
    match state.store.claim_idempotency_key(&claim, "form").await? {
        Claimed::Fresh => {}
        Claimed::Answered(stored) => return Ok(replayed(stored)),
        Claimed::Reused | Claimed::InProgress => {
            return Err(WebError::Idempotency(IdempotencyRefusal::InProgress));
        }
        Claimed::OutcomeUnknown => {
            return Err(WebError::Idempotency(IdempotencyRefusal::OutcomeUnknown));
        }
    }
    let response = accord_store::idempotency::scope(claim.clone(), next.run(request)).await;
    let location = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    match location {
        // Only the redirect is kept, never a page: pages may hold what is
        // not to be stored twice (a new token's secret is in a cookie, not
        // in the redirect).
        Some(location) if response.status().is_redirection() => {
            state
                .store
                .keep_idempotent_answer(
                    &claim,
                    &StoredAnswer {
                        status: response.status().as_u16(),
                        content_type: None,
                        location: Some(location),
                        body: Vec::new(),
                    },
                )
                .await?;
        }
        _ => state.store.release_idempotency_key(&claim).await?,
    }
    Ok(response)
}

fn content_type_is(headers: &axum::http::HeaderMap, prefix: &str) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(prefix))
}

/// A text part's value in a `multipart/form-data` body, found by its name
/// (the part's headers end at the first blank line, its value at the next
/// line break). Enough for the short token field; the handlers read the
/// body with the real parser.
fn multipart_text(body: &[u8], name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\"");
    let at = body
        .windows(marker.len())
        .position(|w| w == marker.as_bytes())?;
    let rest = &body[at..];
    let start = rest.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let value = &rest[start..];
    let end = value.windows(2).position(|w| w == b"\r\n")?;
    String::from_utf8(value[..end].to_vec()).ok()
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
    use super::{multipart_text, valid_key};

    #[test]
    fn a_form_token_is_read_from_a_multipart_body() {
        let body = b"--b\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nc1\r\n--b\r\nContent-Disposition: form-data; name=\"form_token\"\r\n\r\n0123abcd\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF\r\n--b--\r\n";
        assert_eq!(
            multipart_text(body, "form_token").as_deref(),
            Some("0123abcd")
        );
        assert_eq!(multipart_text(body, "csrf").as_deref(), Some("c1"));
        assert_eq!(multipart_text(body, "absent"), None);
    }

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
