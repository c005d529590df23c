//! Sign-in and sessions over HTTP, on both databases: the throttle reserves
//! each password check before argon2 runs, per (account, client) with the
//! client read through trusted proxies only; a password change ends the
//! other sessions and rotates this one; a one-time password opens nothing
//! but its change; redirects and language links stay on this site.

mod support;

use accord_core::user::NewUser;
use accord_store::Actor;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::{Value, json};
use support::*;

on_both_backends!(
    concurrent_wrong_passwords_are_verified_at_most_five_times,
    one_throttled_client_does_not_lock_the_account_and_proxies_are_believed_only_when_trusted,
    a_password_change_ends_other_sessions_rotates_this_one_and_may_revoke_tokens,
    the_current_password_check_is_throttled_with_sign_ins_and_audited,
    a_one_time_password_opens_only_the_password_change,
    redirects_and_language_links_stay_on_this_site,
);

const WRONG: &str = "wrong password!";

async fn login(
    app: &TestApp,
    b: &Browser,
    username: &str,
    password: &str,
    forwarded_for: Option<&str>,
) -> reqwest::Response {
    login_request(app, b, username, password, forwarded_for)
        .send()
        .await
        .unwrap()
}

fn login_request(
    app: &TestApp,
    b: &Browser,
    username: &str,
    password: &str,
    forwarded_for: Option<&str>,
) -> reqwest::RequestBuilder {
    let body = serde_urlencoded::to_string([
        ("csrf", b.csrf.as_str()),
        ("username", username),
        ("password", password),
    ])
    .unwrap();
    let mut r = app
        .http
        .post(app.at("/login"))
        .header(COOKIE, b.cookie_header())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    if let Some(xff) = forwarded_for {
        r = r.header("x-forwarded-for", xff);
    }
    r
}

async fn audit(app: &TestApp) -> Vec<accord_core::audit::AuditRecord> {
    app.store
        .audit_records(&accord_store::AuditQuery {
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap()
}

async fn concurrent_wrong_passwords_are_verified_at_most_five_times(app: &TestApp) {
    let b = app.anonymous().await;
    let before = app.store.password_verifications();
    let attempts: Vec<_> = (0..40)
        .map(|_| tokio::spawn(login_request(app, &b, "kaz.admin", WRONG, None).send()))
        .collect();
    let mut statuses = Vec::new();
    for a in attempts {
        let r = a.await.unwrap().unwrap();
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(r.headers().contains_key("retry-after"));
        }
        statuses.push(r.status());
    }
    let count = |s: StatusCode| statuses.iter().filter(|x| **x == s).count();
    assert_eq!(
        (
            count(StatusCode::UNAUTHORIZED),
            count(StatusCode::TOO_MANY_REQUESTS)
        ),
        (5, 35),
        "{statuses:?}"
    );
    assert_eq!(app.store.password_verifications() - before, 5);
}

async fn one_throttled_client_does_not_lock_the_account_and_proxies_are_believed_only_when_trusted(
    app: &TestApp,
) {
    // Without trusted proxies the header is ignored: forging it evades nothing.
    let b = app.anonymous().await;
    for _ in 0..5 {
        let r = login(app, &b, "kaz.admin", WRONG, Some("198.51.100.1")).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = login(app, &b, "kaz.admin", PASSWORD, Some("198.51.100.2")).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    // The operator forgets the failures: the account signs in at once.
    app.store
        .unlock_user(
            &Actor::system("operator"),
            &accord_core::Username::parse("kaz.admin").unwrap(),
        )
        .await
        .unwrap();
    let r = login(app, &b, "kaz.admin", PASSWORD, None).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // Behind a trusted proxy, each client behind it has its own count.
    let proxied = TestApp::spawn_with(app.store.backend(), |c| {
        c.trusted_proxies = vec![accord_web::TrustedProxy::parse("127.0.0.0/8").unwrap()];
    })
    .await
    .unwrap();
    let b = proxied.anonymous().await;
    for _ in 0..5 {
        let r = login(&proxied, &b, "kaz.admin", WRONG, Some("198.51.100.1")).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = login(&proxied, &b, "kaz.admin", PASSWORD, Some("198.51.100.1")).await;
    assert_eq!(
        r.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the attacker waits"
    );
    // A client forging an earlier hop is still the address the proxy saw.
    let r = login(
        &proxied,
        &b,
        "kaz.admin",
        PASSWORD,
        Some("203.0.113.9, 198.51.100.1"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    // The account's owner, elsewhere, signs in with the right password.
    let r = login(&proxied, &b, "kaz.admin", PASSWORD, Some("198.51.100.2")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "no lockout");
    let records = audit(&proxied).await;
    let signed_in = records
        .iter()
        .find(|r| r.action == "auth.sign_in" && r.outcome == "ok")
        .unwrap();
    assert_eq!(
        signed_in.ip, "198.51.100.2",
        "the audit log names the client"
    );
    assert!(
        records
            .iter()
            .filter(|r| r.action == "auth.sign_in" && r.outcome == "denied")
            .all(|r| r.ip == "198.51.100.1")
    );
    proxied.finish().await;
}

async fn a_password_change_ends_other_sessions_rotates_this_one_and_may_revoke_tokens(
    app: &TestApp,
) {
    let mut here = app.sign_in("kaz.admin").await;
    let elsewhere = app.sign_in("kaz.admin").await;
    let kept = app.api_token("kaz.admin").await;
    let old_cookie = here.cookie_header();
    // A new password typed differently twice changes nothing.
    let r = app
        .post_form(
            &here,
            "/profile/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a second long password"),
                ("confirm_password", "a second long pasword"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("does not match the new password"), "{page}");
    assert!(
        page.contains(r##"href="#confirm_password">New password again</a>"##),
        "{page}"
    );
    assert_eq!(
        app.get(&elsewhere, "/profile").await.status(),
        StatusCode::OK
    );
    // The sign-in page opens with the cursor in the user name.
    let login = app
        .http
        .get(app.at("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let input = &login[login.find(r#"id="username""#).unwrap()..];
    assert!(
        input[..input.find('>').unwrap()].contains("autofocus"),
        "{login}"
    );
    // First without revoking the tokens.
    let r = app
        .post_form(
            &here,
            "/profile/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a second long password"),
                ("confirm_password", "a second long password"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], "/profile");
    let rotated = r
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .any(|c| c.to_str().unwrap().starts_with("accord_session="));
    assert!(rotated, "a new session cookie");
    here.absorb(&r);
    assert_ne!(here.cookie_header(), old_cookie);
    let signed_in = |b: String| async move {
        app.http
            .get(app.at("/profile"))
            .header(COOKIE, b)
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(signed_in(here.cookie_header()).await, StatusCode::OK);
    assert_eq!(
        signed_in(old_cookie).await,
        StatusCode::SEE_OTHER,
        "rotated"
    );
    assert_eq!(
        signed_in(elsewhere.cookie_header()).await,
        StatusCode::SEE_OTHER,
        "the other session ended"
    );
    let me = |t: String| async move {
        app.http
            .get(app.at("/api/me"))
            .bearer_auth(t)
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(me(kept.clone()).await, StatusCode::OK, "tokens kept");
    // Then with the box ticked: the tokens are revoked too.
    here.csrf = csrf_in(&app.get(&here, "/profile").await.text().await.unwrap());
    let r = app
        .post_form(
            &here,
            "/profile/password",
            &[
                ("current_password", "a second long password"),
                ("new_password", "a third long password"),
                ("confirm_password", "a third long password"),
                ("revoke_tokens", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    here.absorb(&r);
    assert_eq!(me(kept).await, StatusCode::UNAUTHORIZED, "tokens revoked");
    assert_eq!(signed_in(here.cookie_header()).await, StatusCode::OK);
    // The form offers the choice.
    let html = app
        .get(&here, "/profile/password")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"name="revoke_tokens""#));
}

async fn the_current_password_check_is_throttled_with_sign_ins_and_audited(app: &TestApp) {
    let b = app.sign_in("kaz.admin").await;
    let denied_before = audit(app)
        .await
        .iter()
        .filter(|r| r.action == "users.password" && r.outcome == "denied")
        .count();
    for _ in 0..5 {
        let r = app
            .post_form(
                &b,
                "/profile/password",
                &[
                    ("current_password", "not my password"),
                    ("new_password", "a second long password"),
                    ("confirm_password", "a second long password"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let r = app
        .post_form(
            &b,
            "/profile/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a second long password"),
                ("confirm_password", "a second long password"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    // Counted with the sign-in failures of this account from this client.
    let anon = app.anonymous().await;
    let r = login(app, &anon, "kaz.admin", PASSWORD, None).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let denied = audit(app)
        .await
        .iter()
        .filter(|r| r.action == "users.password" && r.outcome == "denied")
        .count();
    assert_eq!(
        denied - denied_before,
        5,
        "each wrong current password audited"
    );
}

async fn a_one_time_password_opens_only_the_password_change(app: &TestApp) {
    let new = NewUser::parse("new.user", "New User", "TJK", "reader").unwrap();
    app.store
        .create_user(&Actor::system("test"), &new, "a one-time password", true)
        .await
        .unwrap();
    let mut b = app.anonymous().await;
    let r = login(app, &b, "new.user", "a one-time password", None).await;
    assert_eq!(r.headers()[LOCATION], "/profile/password");
    b.absorb(&r);
    b.csrf = csrf_in(&app.get(&b, "/profile/password").await.text().await.unwrap());
    let api = |method: reqwest::Method, path: &str, body: Option<Value>| {
        let mut r = app
            .http
            .request(method, app.at(path))
            .header(COOKIE, b.cookie_header())
            .header("x-csrf-token", &b.csrf);
        if let Some(body) = body {
            r = r.json(&body);
        }
        r.send()
    };
    for (method, path, body) in [
        (reqwest::Method::GET, "/api/me", None),
        (reqwest::Method::GET, "/api/members", None),
        (reqwest::Method::GET, "/api/tokens", None),
        (
            reqwest::Method::POST,
            "/api/tokens",
            Some(json!({ "name": "early" })),
        ),
    ] {
        let r = api(method, path, body).await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"]["code"], "password_change_required", "{path}");
    }
    // Nor through the profile's form.
    let r = app
        .post_form(&b, "/profile/tokens", &[("name", "early")])
        .await;
    assert_eq!(r.headers()[LOCATION], "/profile/password");
    let user = app
        .store
        .user_by_username(&accord_core::Username::parse("new.user").unwrap())
        .await
        .unwrap();
    assert!(app.store.tokens(user.id).await.unwrap().is_empty());
    // The password change is the one call that answers.
    let r = api(
        reqwest::Method::POST,
        "/api/me/password",
        Some(json!({ "current_password": "a one-time password", "new_password": "my own long password" })),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    b.absorb(&r);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["tokens_revoked"], 0);
    let r = app
        .http
        .get(app.at("/api/me"))
        .header(COOKIE, b.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "the rotated session works");
    let me: Value = r.json().await.unwrap();
    assert_eq!(me["must_change_password"], false);
}

async fn redirects_and_language_links_stay_on_this_site(app: &TestApp) {
    for (next, expected) in [
        ("/members/KAZ", "/members/KAZ"),
        ("/\t/evil.example/", "/"),
        ("/%09/evil.example/", "/"),
        ("//evil.example/", "/"),
        ("\\\\evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/x\ny", "/"),
        ("/x\r\nSet-Cookie: a=b", "/"),
        ("/ /evil.example/", "/"),
    ] {
        let b = app.anonymous().await;
        let r = app
            .post_form(
                &b,
                "/login",
                &[
                    ("username", "kaz.admin"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(r.headers()[LOCATION], expected, "{next:?}");
    }
    // Already signed in, the sign-in page forwards only to this site too.
    let b = app.sign_in("kaz.admin").await;
    for query in [
        "next=%2F%09%2Fevil.example%2F",
        "next=%2F%0Ax",
        "next=//evil",
    ] {
        let r = app.get(&b, &format!("/login?{query}")).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{query}");
        assert_eq!(r.headers()[LOCATION], "/", "{query}");
    }
    // A page reached at `//evil.example/` links its languages on this site.
    for path in ["//evil.example/", "/\\evil.example/"] {
        let r = app.http.get(app.at(path)).send().await.unwrap();
        assert!(r.status().is_client_error(), "{path}: {}", r.status());
        let html = r.text().await.unwrap();
        assert!(
            html.contains("?lang=ru"),
            "{path}: the page has language links"
        );
        assert!(
            !html.contains("href=\"//") && !html.contains("href=\"/\\"),
            "{path}: no off-site link"
        );
    }
}
