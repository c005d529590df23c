//! Prometheus metrics: requests, latencies and errors per route.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::state::AppState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ActionLabels {
    action: String,
}

pub struct Metrics {
    registry: Registry,
    anonymous_refusals: Family<ActionLabels, Counter>,
    requests: Family<RequestLabels, Counter>,
    errors: Family<RouteLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    /// Hash lookups in aggregate: platforms send millions of signals, so
    /// they are counted, not audited one by one.
    hash_signals: Counter,
    hash_signals_matched: Counter,
    /// Requests refused by the per-client rate limit, by kind of caller.
    rate_limited: Family<ActionLabels, Counter>,
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("accord_http");
        let requests = Family::<RequestLabels, Counter>::default();
        let errors = Family::<RouteLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            // 0.5 ms to about 16 s.
            Histogram::new(exponential_buckets(0.0005, 2.0, 16))
        });
        registry.register("requests", "HTTP requests answered", requests.clone());
        registry.register(
            "server_errors",
            "HTTP requests answered with a 5xx status",
            errors.clone(),
        );
        registry.register(
            "request_duration_seconds",
            "Time to answer an HTTP request",
            latency.clone(),
        );
        let anonymous_refusals = Family::<ActionLabels, Counter>::default();
        registry.register(
            "anonymous_refusals",
            "Requests refused to callers who are not signed in (counted here, not in the audit log)",
            anonymous_refusals.clone(),
        );
        let hash_signals = Counter::default();
        let hash_signals_matched = Counter::default();
        registry.register(
            "hash_signals",
            "Signals looked up in the hash banks",
            hash_signals.clone(),
        );
        registry.register(
            "hash_signals_matched",
            "Signals looked up in the hash banks that matched at least one hash",
            hash_signals_matched.clone(),
        );
        let rate_limited = Family::<ActionLabels, Counter>::default();
        registry.register(
            "rate_limited",
            "Requests refused with 429 by the per-client rate limit (label: anonymous or token)",
            rate_limited.clone(),
        );
        Metrics {
            rate_limited,
            registry,
            hash_signals,
            hash_signals_matched,
            anonymous_refusals,
            requests,
            errors,
            latency,
        }
    }

    pub fn anonymous_refusal(&self, action: &str) {
        self.anonymous_refusals
            .get_or_create(&ActionLabels {
                action: action.to_string(),
            })
            .inc();
    }

    pub fn rate_limited(&self, caller: &str) {
        self.rate_limited
            .get_or_create(&ActionLabels {
                action: caller.to_string(),
            })
            .inc();
    }

    pub fn hash_lookups(&self, signals: usize, matched: usize) {
        self.hash_signals.inc_by(signals as u64);
        self.hash_signals_matched.inc_by(matched as u64);
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        encode(&mut out, &self.registry).expect("writing to a String cannot fail");
        out
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

/// Counts and times every request under its route pattern (not its raw
/// path, which would make one series per focal point).
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let m = &state.metrics;
    let route_labels = RouteLabels {
        method: method.clone(),
        route: route.clone(),
    };
    m.requests
        .get_or_create(&RequestLabels {
            method,
            route,
            status,
        })
        .inc();
    if status >= 500 {
        m.errors.get_or_create(&route_labels).inc();
    }
    m.latency
        .get_or_create(&route_labels)
        .observe(started.elapsed().as_secs_f64());
    response
}

pub async fn endpoint(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    )
}
