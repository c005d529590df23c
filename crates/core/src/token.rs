//! What an API token may do: its scopes, its lifetime, and the scope each
//! request needs — the token half of the one policy.
//!
//! A token acts with its owner's rights *narrowed to its scopes*: a border
//! post's token with only `screen` screens names and nothing else, however
//! much its owner may do. The policy ([`crate::authorize`]) still decides
//! what the owner may do; [`token_may`] decides what the token may ask at
//! all, from the route alone, before anything is read.
//!
//! Tokens are for machines: no token can make credentials — tokens,
//! accounts (whose one-time password would let it sign in and make tokens),
//! passwords, a member's signing key — so a leaked token cannot plant
//! successors, and revoking it ends what it could do. Nor can a token post
//! the pages' forms; it may read pages (a CSV export is a page) under the
//! scope of their feature: the banks' and hashes' pages need `hashes`, the
//! screening pages `screen`, the rest `read`.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Denied, FieldError, Invalid};

/// A token's lifetime when none is asked for, in days.
pub const DEFAULT_TOKEN_DAYS: u32 = 90;
/// The longest lifetime a token may have, in days.
pub const MAX_TOKEN_DAYS: u32 = 730;

/// One kind of use a token may be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Screening names and manifests (`/api/screen`, `/match/…`, `/api/manifests`).
    Screen,
    /// Reading through the API (every other `GET`).
    Read,
    /// Writing through the API (every other `POST`, `PUT`, `DELETE`).
    Write,
    /// The TAXII 2.1 server (`/taxii2/…`): reading collections and posting
    /// to an inbox.
    Taxii,
    /// Hash sharing: lookups, banks, feeds (`/api/hashes…`, `/api/banks…`, `/m/…`).
    Hashes,
    /// The Prometheus metrics (`/metrics`).
    Metrics,
}

impl Scope {
    pub const ALL: [Scope; 6] = [
        Scope::Screen,
        Scope::Read,
        Scope::Write,
        Scope::Taxii,
        Scope::Hashes,
        Scope::Metrics,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Screen => "screen",
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Taxii => "taxii",
            Scope::Hashes => "hashes",
            Scope::Metrics => "metrics",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|c| c.as_str() == s.trim())
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A token's scopes: never empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scopes(BTreeSet<Scope>);

impl Scopes {
    /// Every scope (what tokens made before scopes existed were given).
    pub fn all() -> Scopes {
        Scopes(Scope::ALL.into_iter().collect())
    }

    pub fn of(scopes: &[Scope]) -> Scopes {
        Scopes(scopes.iter().copied().collect())
    }

    pub fn contains(&self, scope: Scope) -> bool {
        self.0.contains(&scope)
    }

    pub fn iter(&self) -> impl Iterator<Item = Scope> + '_ {
        self.0.iter().copied()
    }

    /// The stored form: names separated by spaces (as OAuth writes scopes).
    pub fn to_text(&self) -> String {
        self.iter().map(Scope::as_str).collect::<Vec<_>>().join(" ")
    }

    /// Reads the stored form; unknown names are dropped (a scope removed in
    /// a later version grants nothing), and nothing left is `None`.
    pub fn from_text(text: &str) -> Option<Scopes> {
        let set: BTreeSet<Scope> = text.split_whitespace().filter_map(Scope::parse).collect();
        (!set.is_empty()).then_some(Scopes(set))
    }
}

/// A new token as a form or a JSON client sends it: a name, the scopes
/// (names), and the lifetime in days (empty for the default).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TokenInput {
    pub name: String,
    pub scopes: Vec<String>,
    /// Days until it expires; a number or its text (forms send text).
    pub days: Option<serde_json::Value>,
}

/// A checked request for a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRequest {
    pub name: String,
    pub scopes: Scopes,
    pub days: u32,
}

impl TokenRequest {
    /// A token with every scope and the default lifetime (the command line's
    /// and the tests' plain token).
    pub fn full(name: &str) -> TokenRequest {
        TokenRequest {
            name: name.trim().to_string(),
            scopes: Scopes::all(),
            days: DEFAULT_TOKEN_DAYS,
        }
    }
}

impl TokenInput {
    /// Checks every field, naming each bad one: a name of 1 to 100
    /// characters, at least one known scope, and 1 to 730 days (`default_days`
    /// when empty).
    pub fn validate(&self, default_days: u32) -> Result<TokenRequest, Invalid> {
        let mut errors = Vec::new();
        // The one check of names: length, control and hidden characters.
        let name = crate::validation::name("name", &self.name, true, 100)
            .map_err(|invalid| errors.extend(invalid.errors))
            .unwrap_or_default();
        let mut problem = |field: &str, message: String| {
            errors.push(FieldError {
                field: field.into(),
                message,
            })
        };
        let mut scopes = BTreeSet::new();
        for s in &self.scopes {
            match Scope::parse(s) {
                Some(scope) => {
                    scopes.insert(scope);
                }
                None => problem(
                    "scopes",
                    format!(
                        "{s:?} is not a scope: use {}",
                        Scope::ALL.map(Scope::as_str).join(", ")
                    ),
                ),
            }
        }
        if self.scopes.is_empty() {
            problem("scopes", "choose at least one scope".into());
        }
        let days = match &self.days {
            None | Some(serde_json::Value::Null) => Some(default_days),
            Some(serde_json::Value::String(s)) if s.trim().is_empty() => Some(default_days),
            Some(serde_json::Value::String(s)) => s.trim().parse::<u32>().ok(),
            Some(serde_json::Value::Number(n)) => n.as_u64().and_then(|d| u32::try_from(d).ok()),
            Some(_) => None,
        };
        let days = match days {
            Some(d) if (1..=MAX_TOKEN_DAYS).contains(&d) => Some(d),
            _ => {
                problem(
                    "days",
                    format!("must be a whole number of days from 1 to {MAX_TOKEN_DAYS}"),
                );
                None
            }
        };
        if !errors.is_empty() {
            return Err(Invalid { errors });
        }
        Ok(TokenRequest {
            name,
            scopes: Scopes(scopes),
            days: days.expect("checked"),
        })
    }
}

/// The scope a request needs from a token, from its route pattern (as
/// registered, `/api/banks/{id}`) and whether its method only reads
/// (`GET`, `HEAD`). Making credentials and the pages are not for tokens at
/// all (see the module description).
pub fn scope_needed(reads: bool, route: &str) -> Result<Scope, Denied> {
    let under = |prefix: &str| route == prefix || route.starts_with(&format!("{prefix}/"));
    if under("/api/tokens") && !reads {
        // DELETE (revoking) is allowed: a token may end tokens, never make them.
        return if route == "/api/tokens" {
            Err(Denied::NotForTokens)
        } else {
            Ok(Scope::Write)
        };
    }
    // Where the account's notices are mailed counts too: a leaked token must
    // not redirect them to an outside address.
    let makes_credentials = under("/api/users")
        || under("/api/me/password")
        || under("/api/me/mail")
        || (route.starts_with("/api/members/") && route.ends_with("/keys"));
    if makes_credentials && !reads {
        return Err(Denied::NotForTokens);
    }
    if route == "/metrics" {
        return Ok(Scope::Metrics);
    }
    // yente's API is screening's: a `screen` token is what its clients hold.
    if under("/api/screen")
        || under("/api/manifests")
        || under("/match")
        || under("/search")
        || under("/entities")
        || under("/reconcile")
        || route == "/catalog"
        || route == "/algorithms"
    {
        return Ok(Scope::Screen);
    }
    if under("/api/hashes")
        || under("/api/banks")
        || under("/api/hash-list")
        || under("/m")
        || under("/token-auth")
    {
        return Ok(Scope::Hashes);
    }
    if under("/taxii2") || under("/taxii") {
        return Ok(Scope::Taxii);
    }
    if under("/api") {
        return Ok(if reads { Scope::Read } else { Scope::Write });
    }
    // The pages: read under their feature's scope, forms never.
    if !reads {
        return Err(Denied::NotForTokens);
    }
    Ok(if under("/banks") || under("/hashes") {
        Scope::Hashes
    } else if under("/screen") {
        Scope::Screen
    } else {
        Scope::Read
    })
}

/// Whether a token with `scopes` may make this request (see [`scope_needed`]).
pub fn token_may(scopes: &Scopes, reads: bool, route: &str) -> Result<(), Denied> {
    let needed = scope_needed(reads, route)?;
    if scopes.contains(needed) {
        Ok(())
    } else {
        Err(Denied::TokenScope(needed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_route_needs_the_scope_of_its_kind() {
        for (reads, route, scope) in [
            (false, "/api/screen", Scope::Screen),
            (false, "/match/{dataset}", Scope::Screen),
            (false, "/api/manifests", Scope::Screen),
            (false, "/api/hashes/lookup", Scope::Hashes),
            (true, "/m/lookup", Scope::Hashes),
            (true, "/api/hash-list/v2/all", Scope::Hashes),
            (false, "/api/banks/{id}/hashes", Scope::Hashes),
            (true, "/metrics", Scope::Metrics),
            (true, "/api/list", Scope::Read),
            (false, "/api/proposals", Scope::Write),
            (true, "/api/tokens", Scope::Read),
            (false, "/api/tokens/{id}", Scope::Write),
            (true, "/api/users", Scope::Read),
            // Pages under their feature's scope.
            (true, "/banks/{id}", Scope::Hashes),
            (true, "/hashes/review", Scope::Hashes),
            (true, "/screen/jobs/{id}/result.csv", Scope::Screen),
            (true, "/rounds/{id}/reports.csv", Scope::Read),
            (true, "/api/members/{code}/keys", Scope::Read),
        ] {
            assert_eq!(scope_needed(reads, route), Ok(scope), "{route}");
        }
        // A prefix is a whole path segment.
        assert_eq!(scope_needed(true, "/api/screening-stats"), Ok(Scope::Read));
    }

    #[test]
    fn tokens_cannot_make_tokens_nor_post_forms() {
        for (reads, route) in [
            (false, "/api/tokens"),
            // An account comes with a one-time password to sign in with.
            (false, "/api/users"),
            (false, "/api/users/{username}/disable"),
            (false, "/api/me/password"),
            (false, "/api/me/mail"),
            (false, "/api/members/{code}/keys"),
            (false, "/profile/tokens"),
            (false, "/proposals/{id}/decide"),
        ] {
            assert_eq!(
                scope_needed(reads, route),
                Err(Denied::NotForTokens),
                "{route}"
            );
        }
    }

    #[test]
    fn a_screening_token_screens_and_does_nothing_else() {
        let border = Scopes::of(&[Scope::Screen]);
        assert_eq!(token_may(&border, false, "/api/screen"), Ok(()));
        assert_eq!(
            token_may(&border, true, "/api/list"),
            Err(Denied::TokenScope(Scope::Read))
        );
        assert_eq!(
            token_may(&border, false, "/api/hashes/lookup"),
            Err(Denied::TokenScope(Scope::Hashes))
        );
        assert!(token_may(&Scopes::all(), false, "/api/proposals").is_ok());
    }

    #[test]
    fn scopes_are_stored_as_names_and_unknown_ones_grant_nothing() {
        let s = Scopes::of(&[Scope::Write, Scope::Screen]);
        assert_eq!(s.to_text(), "screen write");
        assert_eq!(Scopes::from_text("screen write"), Some(s));
        assert_eq!(
            Scopes::from_text("admin screen"),
            Some(Scopes::of(&[Scope::Screen]))
        );
        assert_eq!(Scopes::from_text("admin"), None);
    }

    #[test]
    fn a_token_request_names_every_bad_field() {
        let input = TokenInput {
            name: " ".into(),
            scopes: vec!["screen".into(), "root".into()],
            days: Some(serde_json::json!("1000")),
        };
        let err = input.validate(DEFAULT_TOKEN_DAYS).unwrap_err();
        let fields: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "scopes", "days"]);
        assert!(err.errors[1].message.contains("\"root\" is not a scope"));
        let none = TokenInput {
            name: "border".into(),
            ..Default::default()
        };
        assert_eq!(
            none.validate(90).unwrap_err().errors[0].message,
            "choose at least one scope"
        );
        let ok = TokenInput {
            name: "border post".into(),
            scopes: vec!["screen".into()],
            days: Some(serde_json::json!("")),
        }
        .validate(30)
        .unwrap();
        assert_eq!(ok.days, 30);
        assert_eq!(ok.scopes, Scopes::of(&[Scope::Screen]));
        let json_days = TokenInput {
            name: "b".into(),
            scopes: vec!["read".into()],
            days: Some(serde_json::json!(7)),
        };
        assert_eq!(json_days.validate(90).unwrap().days, 7);
    }
}
