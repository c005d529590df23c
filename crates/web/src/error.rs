//! The web layer's one error type. A handler returns it; the response is a
//! JSON error for API paths and a full page (in the user's language) for the
//! rest — see [`render_errors`].

use std::sync::Arc;

use accord_core::{Denied, Invalid};
use accord_store::StoreError;
use axum::Json;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

use crate::context::Ctx;
use crate::i18n::Lang;
use crate::render;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("{0} not found")]
    NotFound(String),
    #[error("sign in to do this")]
    NotSignedIn,
    /// An `Authorization` header whose token is unknown, revoked or expired
    /// (or names another user): not "sign in", which would mislead a
    /// machine's operator.
    #[error("the API token is invalid, revoked or expired")]
    InvalidToken,
    #[error("you do not have permission to do this")]
    Forbidden,
    #[error(
        "this account has a one-time password: change it (POST /api/me/password) before anything else"
    )]
    PasswordChangeRequired,
    #[error("the form has expired or did not come from this site; reload the page and try again")]
    Csrf,
    /// An API token used beyond its scopes.
    #[error("this API token does not have the {0} scope: create a token with it")]
    TokenScope(accord_core::token::Scope),
    /// What no API token may do.
    #[error("API tokens cannot do this (make credentials, use the pages): sign in to do it")]
    NotForTokens,
    #[error("{0}")]
    BadRequest(String),
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("{0}")]
    Conflict(String),
    #[error("too many requests; try again in {seconds} seconds")]
    TooManyRequests { seconds: i64 },
    /// An `Idempotency-Key` that cannot be honoured (crate::idempotency).
    #[error("{}", .0.message())]
    Idempotency(IdempotencyRefusal),
    /// A limit other than sign-in failures: what is used up, and when to
    /// come back.
    #[error("{what}; try again in {seconds} seconds")]
    Busy { what: &'static str, seconds: i64 },
    #[error("the request body is larger than allowed")]
    PayloadTooLarge,
    #[error("send the body as {expected}")]
    UnsupportedMediaType { expected: &'static str },
    /// The client accepts no media type the route answers in.
    #[error("this answers in {offered} only: accept it")]
    NotAcceptable { offered: &'static str },
    #[error("{0} does not accept this method")]
    MethodNotAllowed(String),
    #[error("internal error")]
    Internal(String),
}

/// Why a request's `Idempotency-Key` could not be honoured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdempotencyRefusal {
    /// The key was used for a different request (another path or body).
    Reused,
    /// The first request with this key is still being answered.
    InProgress,
    /// The first request committed a write and its answer was lost.
    OutcomeUnknown,
}

impl IdempotencyRefusal {
    fn code(self) -> &'static str {
        match self {
            IdempotencyRefusal::Reused => "idempotency_key_reused",
            IdempotencyRefusal::InProgress => "idempotency_key_in_progress",
            IdempotencyRefusal::OutcomeUnknown => "idempotency_outcome_unknown",
        }
    }

    fn message(self) -> &'static str {
        match self {
            IdempotencyRefusal::Reused => {
                "this Idempotency-Key was used for another request: use a new key for a new request"
            }
            IdempotencyRefusal::InProgress => {
                "the first request with this Idempotency-Key is still being answered: retry shortly"
            }
            IdempotencyRefusal::OutcomeUnknown => {
                "the first request with this Idempotency-Key made its change but its answer was lost: read the resource to see the result; it will not be made twice"
            }
        }
    }
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::NotSignedIn | WebError::InvalidToken => StatusCode::UNAUTHORIZED,
            WebError::Forbidden
            | WebError::Csrf
            | WebError::PasswordChangeRequired
            | WebError::TokenScope(_)
            | WebError::NotForTokens => StatusCode::FORBIDDEN,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::Conflict(_) => StatusCode::CONFLICT,
            WebError::TooManyRequests { .. } | WebError::Busy { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            WebError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::Idempotency(IdempotencyRefusal::Reused) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::Idempotency(_) => StatusCode::CONFLICT,
            WebError::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            WebError::NotAcceptable { .. } => StatusCode::NOT_ACCEPTABLE,
            WebError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            WebError::NotFound(_) => "not_found",
            WebError::NotSignedIn => "not_signed_in",
            WebError::InvalidToken => "invalid_token",
            WebError::Forbidden => "forbidden",
            WebError::Csrf => "csrf",
            WebError::TokenScope(_) => "token_scope",
            WebError::NotForTokens => "not_for_tokens",
            WebError::PasswordChangeRequired => "password_change_required",
            WebError::BadRequest(_) => "bad_request",
            WebError::Invalid(_) => "invalid",
            WebError::Conflict(_) => "conflict",
            WebError::TooManyRequests { .. } | WebError::Busy { .. } => "too_many_requests",
            WebError::PayloadTooLarge => "payload_too_large",
            WebError::Idempotency(r) => r.code(),
            WebError::UnsupportedMediaType { .. } => "unsupported_media_type",
            WebError::NotAcceptable { .. } => "not_acceptable",
            WebError::MethodNotAllowed(_) => "method_not_allowed",
            WebError::Internal(_) => "internal",
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        let fields = match self {
            WebError::Invalid(i) => serde_json::to_value(&i.errors).unwrap_or_default(),
            _ => json!([]),
        };
        json!({ "error": { "status": self.status().as_u16(), "code": self.code(), "message": self.to_string(), "fields": fields } })
    }

    /// The message shown on an error page, translated where it is generic.
    pub fn page_message(&self, lang: Lang) -> String {
        match self {
            WebError::NotFound(what) => lang.tf("error.not_found", &[("what", what)]),
            WebError::NotSignedIn => lang.t("error.not_signed_in").into(),
            WebError::InvalidToken => lang.t("error.invalid_token").into(),
            WebError::Forbidden => lang.t("error.forbidden").into(),
            WebError::Csrf => lang.t("error.csrf").into(),
            WebError::PasswordChangeRequired => lang.t("password.forced").into(),
            WebError::TooManyRequests { seconds } => {
                lang.tf("error.too_many", &[("seconds", &seconds.to_string())])
            }
            WebError::PayloadTooLarge => lang.t("error.too_large").into(),
            // A page's form sent twice at once, or sent again after its
            // change was made and the answer lost (crate::idempotency).
            WebError::Idempotency(IdempotencyRefusal::OutcomeUnknown) => {
                lang.t("error.form_outcome_unknown").into()
            }
            WebError::Idempotency(_) => lang.t("error.form_in_progress").into(),
            // The domain's words, translated by their shape.
            WebError::Busy { .. } | WebError::TokenScope(_) | WebError::NotForTokens => {
                lang.message(&self.to_string())
            }
            WebError::Internal(_) => lang.t("error.internal").into(),
            other => other.to_string(),
        }
    }
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> WebError {
        match e {
            StoreError::NotFound(what) => WebError::NotFound(what),
            StoreError::Invalid(i) => WebError::Invalid(i),
            StoreError::Conflict(m) | StoreError::Stale(m) => WebError::Conflict(m),
            StoreError::TooManyAttempts { wait_ms } => WebError::TooManyRequests {
                seconds: (wait_ms + 999) / 1000,
            },
            StoreError::Forbidden(why) => {
                tracing::info!(reason = %why, "refused by a domain rule");
                WebError::Forbidden
            }
            other => {
                tracing::error!(error = %other, "storage failure");
                WebError::Internal(other.to_string())
            }
        }
    }
}

impl From<Denied> for WebError {
    fn from(d: Denied) -> WebError {
        match d {
            Denied::NotSignedIn => WebError::NotSignedIn,
            Denied::Forbidden => WebError::Forbidden,
            Denied::TokenScope(scope) => WebError::TokenScope(scope),
            Denied::NotForTokens => WebError::NotForTokens,
        }
    }
}

/// Marks a response as an error so that [`render_errors`] can give it its final form.
#[derive(Clone)]
struct ErrorMarker(Arc<WebError>);

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut response = (status, Json(self.to_json())).into_response();
        if let WebError::TooManyRequests { seconds } | WebError::Busy { seconds, .. } = &self
            && let Ok(v) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        // RFC 6750: say which authentication failed and why.
        if let WebError::InvalidToken = &self {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(r#"Bearer error="invalid_token""#),
            );
        }
        response
            .extensions_mut()
            .insert(ErrorMarker(Arc::new(self)));
        response
    }
}

pub fn is_api_path(path: &str) -> bool {
    path.starts_with("/api/") || path == "/api" || is_yente_path(path) || is_taxii_path(path)
}

/// The paths of yente's API (`/match/{dataset}`, `/search/{dataset}`,
/// `/entities/…`, `/catalog`, `/algorithms`, `/reconcile/…`): their errors
/// are JSON in yente's shape, `{"detail": "…"}`, which yente's clients read.
pub fn is_yente_path(path: &str) -> bool {
    ["/match/", "/search/", "/entities/", "/reconcile/"]
        .iter()
        .any(|p| path.starts_with(p))
        || matches!(path, "/catalog" | "/algorithms")
}

/// An error answered before the handlers' layers (by the request context):
/// in TAXII's or yente's shape on their paths, else as usual.
pub fn early_error(path: &str, error: WebError) -> Response {
    if is_taxii_path(path) {
        crate::routes::taxii_error(&error)
    } else if is_yente_path(path) {
        (error.status(), Json(json!({ "detail": error.to_string() }))).into_response()
    } else {
        error.into_response()
    }
}

/// The TAXII server's paths, whose errors are TAXII error resources.
pub fn is_taxii_path(path: &str) -> bool {
    path == "/taxii2" || path.starts_with("/taxii2/")
}

/// Gives error responses their final form: JSON stays for the API; pages get
/// an HTML error page in the user's language, and "sign in" becomes a redirect
/// to the sign-in form. Errors raised outside handlers — the body too large,
/// a method the route does not take, and axum's own rejections of a path
/// parameter, query string or body it could not read (plain text by
/// themselves) — are caught here too, so every error has the same shape.
pub async fn render_errors(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let query = request
        .uri()
        .query()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    let ctx = request.extensions().get::<Ctx>().cloned();
    let api = is_api_path(&path);
    let mut response = next.run(request).await;
    let error = match response.extensions().get::<ErrorMarker>() {
        Some(marker) => marker.0.clone(),
        None => {
            let status = response.status();
            let allow = response.headers().get(header::ALLOW).cloned();
            let synthesized = match status {
                StatusCode::PAYLOAD_TOO_LARGE => WebError::PayloadTooLarge,
                StatusCode::METHOD_NOT_ALLOWED => WebError::MethodNotAllowed(path.clone()),
                // axum's own rejections are plain text; our pages are HTML
                // and carry their errors already.
                StatusCode::BAD_REQUEST
                | StatusCode::UNPROCESSABLE_ENTITY
                | StatusCode::UNSUPPORTED_MEDIA_TYPE
                    if response
                        .headers()
                        .get(header::CONTENT_TYPE)
                        .and_then(|v| v.to_str().ok())
                        .is_some_and(|v| v.starts_with("text/plain")) =>
                {
                    let (_, body) = response.into_parts();
                    let text = axum::body::to_bytes(body, 4096)
                        .await
                        .map(|b| String::from_utf8_lossy(&b).into_owned())
                        .unwrap_or_default();
                    let text = if text.trim().is_empty() {
                        "the request could not be read".to_string()
                    } else {
                        text
                    };
                    WebError::BadRequest(text)
                }
                _ => return response,
            };
            let mut replaced = synthesized.into_response();
            if let Some(allow) = allow {
                replaced.headers_mut().insert(header::ALLOW, allow);
            }
            let marker = replaced.extensions().get::<ErrorMarker>().cloned();
            response = replaced;
            match marker {
                Some(m) => m.0,
                None => return response,
            }
        }
    };
    if is_taxii_path(&path) {
        let mut taxii = crate::routes::taxii_error(&error);
        if let Some(allow) = response.headers().get(header::ALLOW) {
            taxii.headers_mut().insert(header::ALLOW, allow.clone());
        }
        return taxii;
    }
    if is_yente_path(&path) {
        let mut yente =
            (error.status(), Json(json!({ "detail": error.to_string() }))).into_response();
        for name in [header::RETRY_AFTER, header::ALLOW, header::WWW_AUTHENTICATE] {
            if let Some(v) = response.headers().get(&name) {
                yente.headers_mut().insert(name, v.clone());
            }
        }
        return yente;
    }
    if api {
        return response;
    }
    let Some(ctx) = ctx else { return response };
    if matches!(*error, WebError::NotSignedIn) {
        let next = format!("{path}{query}");
        return Redirect::to(&format!("/login?next={}", render::url_encode(&next))).into_response();
    }
    let mut page = render::error_page(&ctx, &error).into_response();
    *page.status_mut() = error.status();
    if let Some(retry) = response.headers().get(header::RETRY_AFTER) {
        page.headers_mut()
            .insert(header::RETRY_AFTER, retry.clone());
    }
    page
}
