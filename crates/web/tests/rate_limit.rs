//! The per-client request rate limit over HTTP, on both databases:
//! anonymous callers are counted by client network (an IPv6 /64 is one
//! client), API tokens by token; over the limit is `429` with `Retry-After`,
//! as JSON on the API and a translated page elsewhere; signed-in sessions,
//! static files and the health check are not limited.

mod support;

use reqwest::StatusCode;
use reqwest::header::{ACCEPT_LANGUAGE, AUTHORIZATION, RETRY_AFTER};
use support::*;

accord_store::on_both_backends!(|backend, test| {
    let app = super::TestApp::spawn_with(backend, |c| {
        c.anonymous_requests_per_minute = 4;
        c.token_requests_per_minute = 3;
        c.trusted_proxies = vec![accord_web::TrustedProxy::parse("127.0.0.0/8").unwrap()];
    })
    .await;
    if let Some(app) = app {
        test(&app).await;
        app.finish().await;
    }
};
    anonymous_clients_are_limited_per_network_with_retry_after,
    tokens_are_limited_per_token_and_sessions_are_not,
    made_up_tokens_are_limited_like_anonymous_callers,
);

async fn from(app: &TestApp, client: &str, path: &str) -> reqwest::Response {
    app.http
        .get(app.at(path))
        .header("x-forwarded-for", client)
        .header(ACCEPT_LANGUAGE, "ru")
        .send()
        .await
        .unwrap()
}

async fn anonymous_clients_are_limited_per_network_with_retry_after(app: &TestApp) {
    for _ in 0..4 {
        assert_eq!(
            from(app, "203.0.113.5", "/api/members").await.status(),
            StatusCode::OK
        );
    }
    let refused = from(app, "203.0.113.5", "/api/members").await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = refused.headers()[RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    // One request's share of a minute at 4 a minute.
    assert!((1..=15).contains(&wait), "Retry-After {wait}");
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_many_requests", "{body}");

    // A page says so in the reader's language.
    let page = from(app, "203.0.113.5", "/members").await;
    assert_eq!(page.status(), StatusCode::TOO_MANY_REQUESTS);
    let html = page.text().await.unwrap();
    assert!(html.contains("Слишком много попыток"), "{html}");

    // Static files and the health check cost nothing: never limited.
    assert_eq!(
        from(app, "203.0.113.5", "/healthz").await.status(),
        StatusCode::OK
    );
    // Another client is not affected.
    assert_eq!(
        from(app, "203.0.113.6", "/api/members").await.status(),
        StatusCode::OK
    );

    // An IPv6 client gets one allowance for its whole /64, however many
    // addresses it picks in it.
    for i in 0..4 {
        let client = format!("2001:db8:7:9::{:x}", i + 1);
        assert_eq!(
            from(app, &client, "/api/members").await.status(),
            StatusCode::OK
        );
    }
    assert_eq!(
        from(app, "2001:db8:7:9:ffff::99", "/api/members")
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        from(app, "2001:db8:7:a::1", "/api/members").await.status(),
        StatusCode::OK,
        "the next /64 is another client"
    );
}

async fn tokens_are_limited_per_token_and_sessions_are_not(app: &TestApp) {
    let token = app.api_token("kaz.admin").await;
    let other = app.api_token("usa.reader").await;
    let call = |t: &str| {
        app.http
            .get(app.at("/api/members"))
            .header(AUTHORIZATION, format!("Bearer {t}"))
            // All from one address: the token is what counts.
            .header("x-forwarded-for", "198.51.100.1")
            .send()
    };
    for _ in 0..3 {
        assert_eq!(call(&token).await.unwrap().status(), StatusCode::OK);
    }
    let refused = call(&token).await.unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key(RETRY_AFTER));
    assert_eq!(call(&other).await.unwrap().status(), StatusCode::OK);

    // A signed-in browser is not limited (it was throttled at sign-in).
    let b = app.sign_in("kgz.admin").await;
    for _ in 0..10 {
        assert_eq!(app.get(&b, "/members").await.status(), StatusCode::OK);
    }
}

async fn made_up_tokens_are_limited_like_anonymous_callers(app: &TestApp) {
    let call = || {
        app.http
            .get(app.at("/api/members"))
            .header(AUTHORIZATION, "Bearer acc_made_up_token_0000000000000000")
            .header("x-forwarded-for", "192.0.2.77")
            .send()
    };
    for _ in 0..4 {
        assert_eq!(call().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    }
    let refused = call().await.unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key(RETRY_AFTER));
}
