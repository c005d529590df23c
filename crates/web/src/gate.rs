//! Every route's access rule, checked before the handler runs — so before
//! its body is read or parsed — and kept beside the route in one table.
//!
//! A route is registered with [`Routes`] and a [`Gate`]; there is no other
//! way to add one. The table is the router's own (the access-matrix test
//! walks it), and a request whose route has no rule is refused (fail closed).
//! The gate is the coarse check of the one policy ([`accord_core::authorize`]);
//! handlers then decide what depends on stored data (whose focal point,
//! which report's marking) through the same policy.

use std::collections::HashMap;
use std::sync::Arc;

use accord_core::{Action, Denied, MemberCode, Principal, authorize};
use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, RawPathParams, Request, State};
use axum::handler::Handler;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, on};

use crate::context::Ctx;
use crate::error::WebError;
use crate::state::AppState;

/// A route's path parameters by name.
pub type Params = HashMap<String, String>;

/// Who may reach a route at all.
#[derive(Clone, Copy)]
pub enum Gate {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in user; the handler decides the rest from stored data.
    SignedIn,
    /// An action that depends on nothing in the request.
    Action(fn() -> Action),
    /// An action built from the path (for example the member in the URL).
    /// A path parameter that is not valid answers like a refusal would, so
    /// a malformed URL tells nothing more than a forbidden one.
    Path(fn(&Params) -> Option<Action>),
    /// A rule on who is asking alone, for routes whose exact action depends
    /// on stored data but whose audience is known (for example, only those who
    /// edit some member's strategies may upload a strategy document).
    Rule(fn(&Principal) -> Result<(), Denied>),
}

impl Gate {
    /// The gate's answer for `who` on a route with these path parameters.
    pub fn check(&self, who: &Principal, params: &Params) -> Result<(), Denied> {
        match self {
            Gate::Public => Ok(()),
            Gate::SignedIn if who.is_signed_in() => Ok(()),
            Gate::SignedIn => Err(Denied::NotSignedIn),
            Gate::Action(action) => authorize(who, &action()),
            Gate::Path(action) => match action(params) {
                Some(a) => authorize(who, &a),
                None if who.is_signed_in() => Err(Denied::Forbidden),
                None => Err(Denied::NotSignedIn),
            },
            Gate::Rule(rule) => rule(who),
        }
    }

    /// The action the gate asks for, if it asks one (for the audit record).
    pub fn action(&self, params: &Params) -> Option<Action> {
        match self {
            Gate::Public | Gate::SignedIn | Gate::Rule(_) => None,
            Gate::Action(a) => Some(a()),
            Gate::Path(a) => a(params),
        }
    }

    /// Whether the gate decides the whole answer (the handler refuses nothing
    /// more for who is asking); `SignedIn` routes refine in the handler.
    pub fn is_exact(&self) -> bool {
        !matches!(self, Gate::SignedIn)
    }
}

/// One route's rule.
#[derive(Clone)]
pub struct Rule {
    pub method: Method,
    pub path: &'static str,
    pub gate: Gate,
    /// Whether the route takes uploads (its body limit is the upload limit).
    pub upload: bool,
}

/// The router being built and its table of rules.
pub struct Routes {
    router: Router<AppState>,
    rules: Vec<Rule>,
    upload_limit: usize,
}

impl Routes {
    pub fn new(upload_limit: usize) -> Routes {
        Routes {
            router: Router::new(),
            rules: Vec::new(),
            upload_limit,
        }
    }

    fn add(
        mut self,
        method: Method,
        path: &'static str,
        gate: Gate,
        upload: bool,
        route: MethodRouter<AppState>,
    ) -> Routes {
        assert!(
            !self
                .rules
                .iter()
                .any(|r| r.method == method && r.path == path),
            "{method} {path} is registered twice"
        );
        self.router = self.router.route(path, route);
        self.rules.push(Rule {
            method,
            path,
            gate,
            upload,
        });
        self
    }

    pub fn get<H, T>(self, path: &'static str, gate: Gate, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let route = on(axum::routing::MethodFilter::GET, handler);
        self.add(Method::GET, path, gate, false, route)
    }

    pub fn post<H, T>(self, path: &'static str, gate: Gate, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let route = on(axum::routing::MethodFilter::POST, handler);
        self.add(Method::POST, path, gate, false, route)
    }

    pub fn put<H, T>(self, path: &'static str, gate: Gate, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let route = on(axum::routing::MethodFilter::PUT, handler);
        self.add(Method::PUT, path, gate, false, route)
    }

    pub fn delete<H, T>(self, path: &'static str, gate: Gate, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let route = on(axum::routing::MethodFilter::DELETE, handler);
        self.add(Method::DELETE, path, gate, false, route)
    }

    /// A POST that takes a file: the upload limit instead of the body limit.
    pub fn upload<H, T>(self, path: &'static str, gate: Gate, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let route = on(axum::routing::MethodFilter::POST, handler)
            .layer(DefaultBodyLimit::max(self.upload_limit));
        self.add(Method::POST, path, gate, true, route)
    }

    /// The router and its rules; [`check`] is layered over it by the caller,
    /// which has the application state.
    pub fn finish(self) -> (Router<AppState>, Arc<RuleTable>) {
        (self.router, Arc::new(RuleTable::new(self.rules)))
    }
}

/// The rules by route pattern and method.
pub struct RuleTable {
    by_route: HashMap<&'static str, Vec<Rule>>,
}

impl RuleTable {
    fn new(rules: Vec<Rule>) -> RuleTable {
        let mut by_route: HashMap<&'static str, Vec<Rule>> = HashMap::new();
        for r in rules {
            by_route.entry(r.path).or_default().push(r);
        }
        RuleTable { by_route }
    }

    /// Every rule, sorted by path and method (for the access matrix and docs).
    pub fn rules(&self) -> Vec<Rule> {
        let mut all: Vec<Rule> = self.by_route.values().flatten().cloned().collect();
        all.sort_by(|a, b| (a.path, a.method.as_str()).cmp(&(b.path, b.method.as_str())));
        all
    }

    fn gate(&self, route: &str, method: &Method) -> Lookup {
        let Some(rules) = self.by_route.get(route) else {
            return Lookup::NoRule;
        };
        // HEAD is answered by the GET handler, under its rule.
        let method = if method == Method::HEAD {
            &Method::GET
        } else {
            method
        };
        match rules.iter().find(|r| r.method == method) {
            Some(r) => Lookup::Gate(r.gate),
            // The router answers 405 for a method the route does not take.
            None => Lookup::OtherMethod,
        }
    }
}

enum Lookup {
    Gate(Gate),
    OtherMethod,
    NoRule,
}

/// The middleware: finds the route's rule and asks it, before the handler
/// (and so before any body is read). Refusals are audited like every other
/// (see [`Ctx::refused`]).
pub async fn check(
    State((state, table)): State<(AppState, Arc<RuleTable>)>,
    matched: Option<MatchedPath>,
    params: RawPathParams,
    request: Request,
    next: Next,
) -> Response {
    let Some(matched) = matched else {
        return next.run(request).await;
    };
    let gate = match table.gate(matched.as_str(), request.method()) {
        Lookup::Gate(g) => g,
        Lookup::OtherMethod => return next.run(request).await,
        Lookup::NoRule => {
            tracing::error!(route = matched.as_str(), "a route without an access rule");
            return WebError::Internal(format!("{} has no access rule", matched.as_str()))
                .into_response();
        }
    };
    let Some(ctx) = request.extensions().get::<Ctx>().cloned() else {
        return WebError::Internal("request context missing".into()).into_response();
    };
    let params: Params = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    // A token may ask only what its scopes cover, whoever its owner is.
    let scoped = match &ctx.auth {
        crate::context::Auth::Token { scopes, .. } => {
            let reads = matches!(*request.method(), Method::GET | Method::HEAD);
            accord_core::token::token_may(scopes, reads, matched.as_str())
        }
        _ => Ok(()),
    };
    match scoped.and_then(|()| gate.check(&ctx.principal, &params)) {
        Ok(()) => next.run(request).await,
        Err(denied) => {
            ctx.refused(&state, gate.action(&params).as_ref()).await;
            WebError::from(denied).into_response()
        }
    }
}

/// The member named by the `{code}` or `{member}` path parameter.
pub fn member_param(params: &Params) -> Option<MemberCode> {
    params
        .get("code")
        .or_else(|| params.get("member"))
        .and_then(|c| MemberCode::parse(c).ok())
}

/// Whether `who` may edit some member's strategies (its own, or any for the
/// secretariat); which member is checked by the handler against the record.
pub fn edits_strategies(who: &Principal) -> Result<(), Denied> {
    match who.member() {
        Some(m) => authorize(who, &Action::EditStrategies { member: m.clone() }),
        None => authorize(who, &Action::ManagePlan),
    }
}
