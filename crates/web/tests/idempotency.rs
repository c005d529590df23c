//! `Idempotency-Key` over HTTP, on both databases: a retried API write with
//! the same key is made once and answered as the first time; the key is
//! its token's; a key reused for another request is refused; a request
//! still running is reported, not run twice; a malformed key is refused
//! naming the header.

mod support;

use accord_store::idempotency::Claim;
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::*;

on_both_backends!(
    a_retried_write_with_the_same_key_is_made_once,
    a_key_reused_for_another_request_or_still_running_is_refused,
);

fn focal_point(name: &str) -> Value {
    let fields: serde_json::Map<String, Value> = focal_fields(name)
        .into_iter()
        .map(|(k, v)| (k.to_string(), Value::String(v)))
        .collect();
    Value::Object(fields)
}

async fn post(app: &TestApp, token: &str, key: Option<&str>, body: &Value) -> reqwest::Response {
    let mut r = app
        .http
        .post(app.at("/api/members/KAZ/focal-points"))
        .bearer_auth(token)
        .json(body);
    if let Some(k) = key {
        r = r.header("Idempotency-Key", k);
    }
    r.send().await.unwrap()
}

async fn a_retried_write_with_the_same_key_is_made_once(app: &TestApp) {
    let token = app.api_token("kaz.admin").await;
    let before = app.focal_point_count("KAZ").await;
    let body = focal_point("Aigerim Sultanova");
    let first = post(app, &token, Some("retry-1"), &body).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(!first.headers().contains_key("idempotent-replayed"));
    let first_body: Value = first.json().await.unwrap();
    // The answer was lost on the way; the client sends the same again.
    let again = post(app, &token, Some("retry-1"), &body).await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again_body: Value = again.json().await.unwrap();
    assert_eq!(again_body, first_body, "the first answer, as it was");
    assert_eq!(app.focal_point_count("KAZ").await, before + 1, "made once");
    // Without a key, or with a new one, a write is a new write.
    assert_eq!(
        post(app, &token, Some("retry-2"), &body).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(app.focal_point_count("KAZ").await, before + 2);
    // The key is its token's: another token's same key is another request.
    let other = app.api_token("kaz.admin").await;
    assert_eq!(
        post(app, &other, Some("retry-1"), &body).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(app.focal_point_count("KAZ").await, before + 3);
    // A refused request's answer is kept too: the retry is refused alike.
    let bad = json!({ "name": "" });
    let r1 = post(app, &token, Some("bad-1"), &bad).await;
    assert_eq!(r1.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r2 = post(app, &token, Some("bad-1"), &bad).await;
    assert_eq!(r2.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r2.headers()["idempotent-replayed"], "true");
}

async fn a_key_reused_for_another_request_or_still_running_is_refused(app: &TestApp) {
    let token = app.api_token("kaz.admin").await;
    let before = app.focal_point_count("KAZ").await;
    assert_eq!(
        post(app, &token, Some("k"), &focal_point("First Person"))
            .await
            .status(),
        StatusCode::CREATED
    );
    let reused = post(app, &token, Some("k"), &focal_point("Second Person")).await;
    assert_eq!(reused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = reused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "idempotency_key_reused", "{body}");

    // The same request while the first is still being answered: its claim
    // is pending (made here as the first request would have).
    let (_, grant) = app.store.token_owner(&token).await.unwrap().unwrap();
    let body = focal_point("Third Person");
    let fingerprint = {
        use sha2::{Digest, Sha256};
        let mut d = Sha256::new();
        d.update("POST\n/api/members/KAZ/focal-points\n");
        d.update(serde_json::to_vec(&body).unwrap());
        hex::encode(d.finalize())
    };
    let claim = Claim {
        caller: format!("token:{}", grant.id),
        key: "running".into(),
    };
    app.store
        .claim_idempotency_key(&claim, &fingerprint)
        .await
        .unwrap();
    let running = post(app, &token, Some("running"), &body).await;
    assert_eq!(running.status(), StatusCode::CONFLICT);
    let answer: Value = running.json().await.unwrap();
    assert_eq!(
        answer["error"]["code"], "idempotency_key_in_progress",
        "{answer}"
    );
    assert_eq!(app.focal_point_count("KAZ").await, before + 1);

    let bad_key = post(app, &token, Some("has spaces"), &focal_point("X Y")).await;
    assert_eq!(bad_key.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let answer: Value = bad_key.json().await.unwrap();
    assert_eq!(answer["error"]["fields"][0]["field"], "Idempotency-Key");
    assert_eq!(app.focal_point_count("KAZ").await, before + 1);
}
