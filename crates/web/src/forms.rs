//! Request bodies: HTML forms (which must carry the CSRF token) and JSON
//! (which must carry it in a header when sent with a session cookie). Both
//! answer a malformed body with an error that names the field.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use crate::context::Ctx;
use crate::error::WebError;

pub const CSRF_FIELD: &str = "csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

async fn body_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, WebError> {
    Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            WebError::PayloadTooLarge
        } else {
            WebError::BadRequest(rejection.body_text())
        }
    })
}

fn content_type(req: &Request) -> String {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Constant-time comparison, so that the token cannot be guessed byte by
/// byte. Only the length may show (tokens all have the same length).
pub fn same(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// A URL-encoded form whose `csrf` field matched the request's token.
pub struct PostedForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for PostedForm<T> {
    type Rejection = WebError;
    async fn from_request(req: Request, state: &S) -> Result<Self, WebError> {
        let ctx = req
            .extensions()
            .get::<Ctx>()
            .cloned()
            .ok_or(WebError::Csrf)?;
        if !content_type(&req).starts_with("application/x-www-form-urlencoded") {
            return Err(WebError::UnsupportedMediaType {
                expected: "application/x-www-form-urlencoded",
            });
        }
        let bytes = body_bytes(req, state).await?;
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| WebError::BadRequest(format!("malformed form: {e}")))?;
        let token = fields
            .iter()
            .find(|(k, _)| k == CSRF_FIELD)
            .map(|(_, v)| v.as_str());
        if !token.is_some_and(|t| same(t, &ctx.csrf_token)) {
            return Err(WebError::Csrf);
        }
        // The one-time form token is the middleware's
        // (crate::idempotency), never a field of the form itself.
        let fields: Vec<(String, String)> = fields
            .into_iter()
            .filter(|(k, _)| k != crate::idempotency::FORM_FIELD)
            .collect();
        let bytes = serde_urlencoded::to_string(&fields)
            .map_err(|e| WebError::BadRequest(format!("malformed form: {e}")))?;
        serde_urlencoded::from_str(&bytes)
            .map(PostedForm)
            .map_err(|e| WebError::BadRequest(format!("malformed form: {e}")))
    }
}

/// A textarea's non-empty lines, trimmed: "one per line" fields.
pub fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// A posted form's fields in order, for forms whose names repeat
/// (checkboxes, rows of inputs): `PostedForm<Vec<(String, String)>>`.
pub struct FormFields<'a>(pub &'a [(String, String)]);

impl FormFields<'_> {
    /// Every value of a repeated field, in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The first value of a field, or empty.
    pub fn first(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// A field's non-empty lines ([`lines`]).
    pub fn lines(&self, name: &str) -> Vec<String> {
        lines(&self.first(name))
    }

    /// An optional whole number (a revision): absent or malformed is `None`.
    pub fn number(&self, name: &str) -> Option<i64> {
        self.first(name).trim().parse().ok()
    }
}

/// The body of a form that carries nothing but its CSRF token (sign out,
/// disable, mark as read…).
#[derive(serde::Deserialize)]
pub struct NoFields {}

/// A `multipart/form-data` upload whose `csrf` field matched the request's
/// token. Fields are read whole, within the route's body limit.
pub struct Upload {
    pub fields: Vec<(String, Option<String>, Vec<u8>)>,
}

impl Upload {
    /// The bytes of a non-empty file or text field.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.fields
            .iter()
            .find(|(n, _, data)| n == name && !data.is_empty())
            .map(|(_, _, d)| d.as_slice())
    }

    pub fn text(&self, name: &str) -> String {
        self.get(name)
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default()
    }
}

impl<S: Send + Sync> FromRequest<S> for Upload {
    type Rejection = WebError;
    async fn from_request(req: Request, state: &S) -> Result<Self, WebError> {
        let ctx = req
            .extensions()
            .get::<Ctx>()
            .cloned()
            .ok_or(WebError::Csrf)?;
        if !content_type(&req).starts_with("multipart/form-data") {
            return Err(WebError::UnsupportedMediaType {
                expected: "multipart/form-data",
            });
        }
        let mut multipart = axum::extract::Multipart::from_request(req, state)
            .await
            .map_err(|e| WebError::BadRequest(e.body_text()))?;
        let mut fields = Vec::new();
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    return Err(WebError::PayloadTooLarge);
                }
                Err(e) => return Err(WebError::BadRequest(e.body_text())),
            };
            let name = field.name().unwrap_or("").to_string();
            let file_name = field.file_name().map(str::to_string);
            let data = field.bytes().await.map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    WebError::PayloadTooLarge
                } else {
                    WebError::BadRequest(e.body_text())
                }
            })?;
            fields.push((name, file_name, data.to_vec()));
        }
        let upload = Upload { fields };
        // A bearer token is never sent by a browser on its own: no CSRF risk.
        if !matches!(ctx.auth, crate::context::Auth::Token { .. })
            && !same(&upload.text(CSRF_FIELD), &ctx.csrf_token)
        {
            return Err(WebError::Csrf);
        }
        Ok(upload)
    }
}

/// A JSON body. (The CSRF header of session-authenticated API writes is
/// checked for every method in [`crate::context::resolve`].)
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = WebError;
    async fn from_request(req: Request, state: &S) -> Result<Self, WebError> {
        if !content_type(&req).starts_with("application/json") {
            return Err(WebError::UnsupportedMediaType {
                expected: "application/json",
            });
        }
        let bytes = body_bytes(req, state).await?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Parses JSON, turning serde's message ("missing field `name` at line 1
/// column 2") into a 422 that names the field, or a 400 for broken syntax.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, WebError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        use serde_json::error::Category;
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            Category::Data => {
                let msg = inner.to_string();
                // A missing field is reported at its parent; name the field itself.
                let field = match msg.split('`').nth(1) {
                    Some(missing) if msg.starts_with("missing field") => {
                        if path == "." {
                            missing.to_string()
                        } else {
                            format!("{path}.{missing}")
                        }
                    }
                    _ if path == "." => "body".to_string(),
                    _ => path,
                };
                WebError::Invalid(accord_core::Invalid::field(&field, msg))
            }
            _ => WebError::BadRequest(format!("malformed JSON: {inner}")),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        count: u32,
    }

    #[test]
    fn a_missing_field_is_named() {
        match parse_json::<Body>(br#"{"count": 1}"#) {
            Err(WebError::Invalid(i)) => assert_eq!(i.errors[0].field, "name"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_wrongly_typed_field_is_named() {
        match parse_json::<Body>(br#"{"name": "x", "count": "many"}"#) {
            Err(WebError::Invalid(i)) => assert_eq!(i.errors[0].field, "count"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn broken_syntax_is_a_bad_request() {
        assert!(matches!(
            parse_json::<Body>(b"{\"name\": "),
            Err(WebError::BadRequest(_))
        ));
    }

    #[test]
    fn tokens_compare_exactly() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
    }
}
