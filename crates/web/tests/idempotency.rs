//! `Idempotency-Key` over HTTP, on both databases: a retried API write with
//! the same key is made once and answered as the first time; the key is
//! its token's; a key reused for another request is refused; a request
//! still running is reported, not run twice; a malformed key is refused
//! naming the header. A page's form sent twice by a signed-in user (its
//! one-time form token) is written once, the second sending going where the
//! first went; a refused sending is not kept.

mod support;

use accord_store::idempotency::Claim;
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::*;

on_both_backends!(
    a_retried_write_with_the_same_key_is_made_once,
    a_key_reused_for_another_request_or_still_running_is_refused,
    a_form_sent_twice_is_written_once_and_the_second_goes_where_the_first_went,
);

/// The one-time token of the first form on a page.
fn form_token_in(html: &str) -> String {
    let marker = r#"name="form_token" value=""#;
    let start = html.find(marker).expect("the form has a form token") + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

async fn a_form_sent_twice_is_written_once_and_the_second_goes_where_the_first_went(app: &TestApp) {
    let kaz = app.sign_in("kaz.admin").await;
    let running = || async { app.store.proposals(false).await.unwrap().len() };
    let before = running().await;

    // A proposal: the form drawn once, sent twice (the back button and the
    // button again).
    let html = app.get(&kaz, "/proposals/new").await.text().await.unwrap();
    let once = form_token_in(&html);
    let fields = [
        ("form_token", once.as_str()),
        ("kind", "list"),
        ("subject_kind", "organization"),
        ("name", "Eastern Steppe Brigade"),
        ("statement_of_case", "Our file."),
        ("tlp", "AMBER"),
        ("narrative_summary", "Attacks on border posts."),
    ];
    let first = app.post_form(&kaz, "/proposals/new", &fields).await;
    assert_eq!(
        first.status(),
        StatusCode::SEE_OTHER,
        "{}",
        first.text().await.unwrap()
    );
    let went = first.headers()["location"].to_str().unwrap().to_string();
    assert!(went.starts_with("/proposals/"), "{went}");
    let again = app.post_form(&kaz, "/proposals/new", &fields).await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    assert_eq!(again.headers()["location"], went.as_str());
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(running().await, before + 1, "one proposal, not two");
    // A form drawn anew is a new form.
    let html = app.get(&kaz, "/proposals/new").await.text().await.unwrap();
    let other = form_token_in(&html);
    assert_ne!(other, once);

    // A refused sending is not kept: the form comes back with its errors
    // and the same token, and the corrected form is written.
    let html = app
        .get(&kaz, "/members/KAZ/focal-points/new")
        .await
        .text()
        .await
        .unwrap();
    let once = form_token_in(&html);
    let r = app
        .post_form(
            &kaz,
            "/members/KAZ/focal-points/new",
            &[
                ("form_token", once.as_str()),
                ("name", ""),
                ("email", "nope"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = focal_fields("Dana Form");
    fields.push(("form_token", once.clone()));
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    for _ in 0..2 {
        let r = app
            .post_form(&kaz, "/members/KAZ/focal-points/new", &borrowed)
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    assert_eq!(app.focal_point_count("KAZ").await, 1, "written once");

    // The token is the user's: another user sending it is another form.
    let kgz = app.sign_in("kgz.admin").await;
    let mut fields = focal_fields("Bakyt Form");
    fields.push(("form_token", once.clone()));
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = app
        .post_form(&kgz, "/members/KGZ/focal-points/new", &borrowed)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(r.headers().get("idempotent-replayed").is_none());
    assert_eq!(app.focal_point_count("KGZ").await, 1);
}

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
