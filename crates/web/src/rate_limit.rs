//! The per-client request rate limit: anonymous callers by client network,
//! API tokens by token, answered `429 Too Many Requests` with `Retry-After`.
//!
//! Why in memory (the `governor` crate's GCRA, one keyed limiter per kind
//! of caller) and not a bucket in the database: the limit guards the
//! server's own CPU and database against floods, so it must cost less than
//! the requests it refuses — a database write per request would be the
//! flood's multiplier. The price is that each node keeps its own buckets,
//! so behind a balancer a caller gets the limit once per node. What must
//! hold across nodes is counted in the database instead: sign-in attempts
//! (`sign_in_throttle`) and the petition budget (`petition_budget`).
//!
//! Signed-in browser sessions are not limited here (they are accounts the
//! platform made, throttled at sign-in), nor are static assets and health
//! checks, which cost nothing to answer.

use std::num::NonZeroU32;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::context::{Auth, Ctx};
use crate::error::WebError;
use crate::state::AppState;

/// The limiters of one node. A limit of 0 per minute turns that kind off.
pub struct RateLimits {
    anonymous: Option<DefaultKeyedRateLimiter<String>>,
    tokens: Option<DefaultKeyedRateLimiter<i64>>,
}

fn quota(per_minute: u32) -> Option<Quota> {
    // A minute's allowance may be spent at once (the burst), then it
    // refills evenly: a client that pauses is never punished for it.
    NonZeroU32::new(per_minute).map(Quota::per_minute)
}

impl RateLimits {
    pub fn new(anonymous_per_minute: u32, token_per_minute: u32) -> RateLimits {
        RateLimits {
            anonymous: quota(anonymous_per_minute).map(RateLimiter::keyed),
            tokens: quota(token_per_minute).map(RateLimiter::keyed),
        }
    }

    /// `Err(seconds)` to wait when `caller` is over its limit.
    fn check(&self, caller: &Caller) -> Result<(), u64> {
        let clock = DefaultClock::default();
        let outcome = match caller {
            Caller::Anonymous(network) => self.anonymous.as_ref().map(|l| l.check_key(network)),
            Caller::Token(id) => self.tokens.as_ref().map(|l| l.check_key(id)),
        };
        match outcome {
            None | Some(Ok(())) => Ok(()),
            Some(Err(not_until)) => {
                let wait = not_until.wait_time_from(clock.now());
                Err(wait.as_secs() + u64::from(wait.subsec_nanos() > 0))
            }
        }
    }

    /// Charges a request whose credentials did not resolve (an unknown or
    /// revoked token) to its client network's anonymous allowance:
    /// `Err(seconds)` when that network is over it. A flood of made-up
    /// tokens is thus limited like any anonymous flood.
    pub fn charge_anonymous(&self, ip: &str) -> Result<(), u64> {
        self.check(&Caller::Anonymous(accord_core::client::client_network(ip)))
    }

    /// Forgets clients whose buckets are full again, so the maps hold only
    /// recent callers (called by the node's sweep).
    pub fn forget_idle(&self) {
        if let Some(l) = &self.anonymous {
            l.retain_recent();
        }
        if let Some(l) = &self.tokens {
            l.retain_recent();
        }
    }
}

enum Caller {
    Anonymous(String),
    Token(i64),
}

impl Caller {
    fn label(&self) -> &'static str {
        match self {
            Caller::Anonymous(_) => "anonymous",
            Caller::Token(_) => "token",
        }
    }
}

/// Paths that are never limited: static files and the health check.
fn exempt(path: &str) -> bool {
    path.starts_with("/static/") || path == "/healthz" || path == "/favicon.ico"
}

/// The middleware: runs after the caller is known and before the route's
/// gate, so a flood is refused before any rule, body or handler runs.
pub async fn limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let caller = match request.extensions().get::<Ctx>() {
        Some(ctx) if !exempt(request.uri().path()) => match &ctx.auth {
            Auth::Token { id, .. } => Some(Caller::Token(*id)),
            _ if ctx.user.is_none() => Some(Caller::Anonymous(
                accord_core::client::client_network(&ctx.ip),
            )),
            _ => None,
        },
        _ => None,
    };
    if let Some(caller) = caller
        && let Err(seconds) = state.rate_limits.check(&caller)
    {
        state.metrics.rate_limited(caller.label());
        return WebError::TooManyRequests {
            seconds: i64::try_from(seconds.max(1)).unwrap_or(i64::MAX),
        }
        .into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caller_over_its_minute_waits_and_others_do_not() {
        let limits = RateLimits::new(3, 2);
        let a = Caller::Anonymous("192.0.2.1".into());
        let b = Caller::Anonymous("192.0.2.2".into());
        for _ in 0..3 {
            assert_eq!(limits.check(&a), Ok(()));
        }
        let wait = limits.check(&a).unwrap_err();
        // One request's share of a minute at 3 a minute: 20 s.
        assert!((1..=20).contains(&wait), "{wait}");
        assert_eq!(limits.check(&b), Ok(()));
        assert_eq!(limits.check(&Caller::Token(7)), Ok(()));
        assert_eq!(limits.check(&Caller::Token(7)), Ok(()));
        assert!(limits.check(&Caller::Token(7)).is_err());
        assert_eq!(limits.check(&Caller::Token(8)), Ok(()));
    }

    #[test]
    fn a_limit_of_zero_is_off() {
        let limits = RateLimits::new(0, 0);
        for _ in 0..1000 {
            assert_eq!(limits.check(&Caller::Anonymous("x".into())), Ok(()));
            assert_eq!(limits.check(&Caller::Token(1)), Ok(()));
        }
    }
}
