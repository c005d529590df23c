//! Who is asking, in which language, from where: resolved once per request
//! from the session cookie or API token, and handed to every handler as [`Ctx`].

use std::net::SocketAddr;
use std::sync::Arc;

use accord_core::audit::Outcome;
use accord_core::user::User;
use accord_core::{Action, Principal, authorize};
use accord_store::{Actor, credentials::random_secret};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use crate::error::{WebError, early_error, is_api_path};
use crate::forms::{CSRF_HEADER, same};
use crate::i18n::Lang;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "accord_session";
pub const CSRF_COOKIE: &str = "accord_csrf";
pub const LANG_COOKIE: &str = "accord_lang";
/// The one API call an account with a one-time password may make.
pub const PASSWORD_API: &str = "/api/me/password";

/// How the request proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    None,
    /// A browser session; state-changing requests must carry the CSRF token.
    Session {
        token: String,
    },
    /// A bearer API token; not sent automatically by browsers, so no CSRF
    /// risk. What it may ask is its scopes (checked by the route gate).
    Token {
        id: i64,
        scopes: accord_core::token::Scopes,
    },
}

#[derive(Clone)]
pub struct Ctx {
    pub principal: Principal,
    pub user: Option<Arc<User>>,
    pub auth: Auth,
    /// The token forms must echo: the session's, or the anonymous cookie's.
    pub csrf_token: String,
    pub lang: Lang,
    pub ip: String,
    /// The path of this request, for language links and redirects back.
    pub path: String,
    /// Notices the signed-in reader has not read, for the navigation's
    /// badge: counted for pages only (a signed-in `GET` outside the API).
    pub unread: Option<i64>,
}

/// Whose notices a principal reads: the secretariat's, the ombudsperson's,
/// or its member's.
pub(crate) fn notice_recipient(
    principal: &Principal,
) -> Option<accord_store::common_list::Recipient> {
    use accord_store::common_list::Recipient;
    if principal.is_secretariat() {
        return Some(Recipient::Secretariat);
    }
    if principal.role() == Some(accord_core::Role::Ombudsperson) {
        return Some(Recipient::Ombudsperson);
    }
    principal.member().cloned().map(Recipient::Member)
}

impl Ctx {
    pub fn actor(&self) -> Actor {
        Actor::new(&self.principal, self.ip.clone())
    }

    /// The one access check: asks the domain's [`authorize`], and records
    /// every refusal in the audit log before answering 401 or 403.
    pub async fn require(&self, state: &AppState, action: &Action) -> Result<(), WebError> {
        match authorize(&self.principal, action) {
            Ok(()) => Ok(()),
            Err(denied) => {
                self.refused(state, Some(action)).await;
                Err(denied.into())
            }
        }
    }

    /// Records a refusal, whichever rule made it (a route's gate, the
    /// policy in a handler, a domain rule): a signed-in user's refusal is
    /// appended to the audit log; an anonymous one is only counted and
    /// logged, so that nobody can fill the hash-chained log from outside.
    pub async fn refused(&self, state: &AppState, action: Option<&Action>) {
        let name = action.map_or("route", Action::name);
        if !self.principal.is_signed_in() {
            state.metrics.anonymous_refusal(name);
            tracing::info!(action = name, path = %self.path, ip = %self.ip, "refused an anonymous request");
            return;
        }
        let details = action
            .and_then(|a| serde_json::to_value(a).ok())
            .unwrap_or_default();
        if let Err(e) = state
            .store
            .audit(&self.actor(), name, &self.path, Outcome::Denied, details)
            .await
        {
            tracing::error!(error = %e, "could not audit a refused request");
        }
    }

    /// The signed-in user, or "sign in" for the anonymous.
    pub fn user(&self) -> Result<&User, WebError> {
        self.user.as_deref().ok_or(WebError::NotSignedIn)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Ctx, WebError> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| WebError::Internal("request context missing".into()))
    }
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value. Session and CSRF cookies are HttpOnly; all are SameSite=Lax.
pub fn set_cookie(name: &str, value: &str, max_age_secs: Option<i64>, secure: bool) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if secure {
        c.push_str("; Secure");
    }
    if let Some(age) = max_age_secs {
        c.push_str(&format!("; Max-Age={age}"));
    }
    HeaderValue::from_str(&c).expect("cookie values are URL-safe")
}

fn query_param<'a>(query: Option<&'a str>, name: &str) -> Option<&'a str> {
    query?
        .split('&')
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The API token an `Authorization` header presents, and for Basic the user
/// it names: `Bearer <token>`; `Basic` with the token as the password (what
/// many TAXII clients, MISP's and OpenCTI's feeds among them, offer); and
/// `ApiKey <token>` (yente's client).
fn presented_token(value: &str) -> Option<(String, Option<String>)> {
    let (scheme, rest) = value.trim().split_once(' ')?;
    let rest = rest.trim();
    match scheme.to_ascii_lowercase().as_str() {
        "bearer" | "apikey" => Some((rest.to_string(), None)),
        "basic" => {
            use base64::Engine;
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(rest)
                .ok()?;
            let text = String::from_utf8(decoded).ok()?;
            let (user, password) = text.split_once(':')?;
            Some((password.to_string(), Some(user.to_string())))
        }
        _ => None,
    }
}

/// Resolves the [`Ctx`] of a request and sets the cookies it implies.
pub async fn resolve(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let headers = request.headers().clone();
    let ip = match request.extensions().get::<ConnectInfo<SocketAddr>>() {
        Some(peer) => {
            let forwarded: Vec<&str> = headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect();
            crate::config::client_address(peer.0.ip(), &forwarded, &state.config.trusted_proxies)
                .to_string()
        }
        None => "unknown".into(),
    };
    let path = request.uri().path().to_string();
    let secure = state.config.secure_cookies;
    let mut set_cookies = Vec::new();

    let chosen_lang = query_param(request.uri().query(), "lang").and_then(Lang::from_code);
    if let Some(l) = chosen_lang {
        set_cookies.push(set_cookie(
            LANG_COOKIE,
            l.code(),
            Some(365 * 24 * 3600),
            secure,
        ));
    }
    let lang = chosen_lang
        .or_else(|| cookie(&headers, LANG_COOKIE).and_then(Lang::from_code))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or(Lang::En);

    let mut auth = Auth::None;
    let mut user = None;
    let mut csrf_token = None;
    if let Some(authorization) = headers.get(header::AUTHORIZATION) {
        let presented = authorization.to_str().ok().and_then(presented_token);
        let found = match &presented {
            Some((secret, _)) => state.store.token_owner(secret).await,
            None => Ok(None),
        };
        // Basic names the user too: it must be the token's.
        let found = found.map(|f| {
            f.filter(|(u, _)| {
                presented
                    .as_ref()
                    .and_then(|(_, user)| user.as_deref())
                    .is_none_or(|name| name == u.username.as_str())
            })
        });
        match found {
            Ok(Some((u, grant))) => {
                auth = Auth::Token {
                    id: grant.id,
                    scopes: grant.scopes,
                };
                user = Some(u);
            }
            Ok(None) => {
                // A bad token is an anonymous request: limited as one.
                if let Err(seconds) = state.rate_limits.charge_anonymous(&ip) {
                    state.metrics.rate_limited("anonymous");
                    let seconds = i64::try_from(seconds.max(1)).unwrap_or(i64::MAX);
                    return early_error(&path, WebError::TooManyRequests { seconds });
                }
                return early_error(&path, WebError::InvalidToken);
            }
            Err(e) => return early_error(&path, WebError::from(e)),
        }
    } else if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        match state.store.session(token).await {
            Ok(Some(s)) => {
                auth = Auth::Session {
                    token: token.to_string(),
                };
                csrf_token = Some(s.csrf_token);
                user = Some(s.user);
            }
            Ok(None) => set_cookies.push(set_cookie(SESSION_COOKIE, "", Some(0), secure)),
            Err(e) => return early_error(&path, WebError::from(e)),
        }
    }
    let csrf_token = match csrf_token.or_else(|| cookie(&headers, CSRF_COOKIE).map(str::to_string))
    {
        Some(t) => t,
        None => {
            let t = random_secret();
            set_cookies.push(set_cookie(CSRF_COOKIE, &t, None, secure));
            t
        }
    };

    let principal = user
        .as_ref()
        .map_or(Principal::Anonymous, Principal::of_user);
    let must_change = user.as_ref().is_some_and(|u| u.must_change_password);
    let page_view = request.method() == axum::http::Method::GET
        && !is_api_path(&path)
        && !path.starts_with("/static/");
    let unread = match (&user, page_view) {
        (Some(u), true) => match notice_recipient(&principal) {
            Some(who) => state.store.unread_notifications(&who, u.id).await.ok(),
            None => None,
        },
        _ => None,
    };
    let ctx = Ctx {
        principal,
        user: user.map(Arc::new),
        auth,
        csrf_token,
        lang,
        ip,
        path: path.clone(),
        unread,
    };
    // Browsers send cookies by themselves; an API write that relies on the
    // session cookie must prove it came from our pages by echoing the token.
    let safe_method = matches!(request.method().as_str(), "GET" | "HEAD" | "OPTIONS");
    if !safe_method && is_api_path(&path) && matches!(ctx.auth, Auth::Session { .. }) {
        let sent = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
        if !sent.is_some_and(|t| same(t, &ctx.csrf_token)) {
            return early_error(&path, WebError::Csrf);
        }
    }
    request.extensions_mut().insert(ctx);

    // A one-time password must be replaced before anything else is done:
    // pages send the user to the form, the API refuses every call but the
    // password change itself (whichever credential, session or token, is used).
    let exempt = path == "/profile/password"
        || path == PASSWORD_API
        || path == "/logout"
        || path.starts_with("/static/");
    let mut response = if must_change && !exempt {
        if is_api_path(&path) {
            early_error(&path, WebError::PasswordChangeRequired)
        } else {
            Redirect::to("/profile/password").into_response()
        }
    } else {
        next.run(request).await
    };
    for c in set_cookies {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_among_several() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; accord_lang=ru; b=2"),
        );
        assert_eq!(cookie(&h, LANG_COOKIE), Some("ru"));
        assert_eq!(cookie(&h, "missing"), None);
    }

    #[test]
    fn session_cookies_are_http_only_lax_and_secure() {
        let c = set_cookie(SESSION_COOKIE, "t", None, true);
        let c = c.to_str().unwrap();
        assert!(
            c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Secure"),
            "{c}"
        );
    }

    #[test]
    fn tokens_are_read_from_bearer_basic_and_apikey() {
        assert_eq!(presented_token("Bearer abc"), Some(("abc".into(), None)));
        assert_eq!(presented_token("ApiKey abc"), Some(("abc".into(), None)));
        // "kaz.admin:abc"
        assert_eq!(
            presented_token("Basic a2F6LmFkbWluOmFiYw=="),
            Some(("abc".into(), Some("kaz.admin".into())))
        );
        assert_eq!(presented_token("Basic not-base64"), None);
        assert_eq!(presented_token("Digest x"), None);
    }

    #[test]
    fn query_parameters_are_read() {
        assert_eq!(query_param(Some("x=1&lang=ru"), "lang"), Some("ru"));
        assert_eq!(query_param(None, "lang"), None);
    }
}
