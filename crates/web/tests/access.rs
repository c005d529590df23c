//! The access matrix, generated from the router's own table of rules: every
//! route × every kind of principal gets exactly what the route's gate says,
//! whatever the body; plus the refusals that must come before any input is
//! read, and the roles only the secretariat may grant.

mod support;

use accord_core::{Denied, Principal};
use accord_store::Actor;
use accord_web::gate::{Gate, Params, Rule};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, LOCATION};
use reqwest::{Method, StatusCode};
use serde_json::json;
use support::*;

on_both_backends!(
    every_route_answers_every_principal_as_its_rule_says,
    a_member_administrator_cannot_grant_platform_wide_roles,
    refusals_come_before_the_body_is_read,
    anonymous_callers_learn_nothing_from_ids,
);

/// The values put in path parameters: existing members, and ids that exist
/// nowhere, so that no request of the walk changes a stored thing it names.
fn fill(path: &str) -> (String, Params) {
    let mut params = Params::new();
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').expect("closed parameter") + start;
        let name = rest[start + 1..end].trim_start_matches('*');
        let value = match name {
            "code" | "member" => "KAZ",
            "commitment" => "astana2015.step.1",
            "format" => "csv",
            "dataset" | "kind" => "un",
            "username" => "nobody.here",
            "tracking" => "ACC-NONE-0000",
            "sha256" => "0000000000000000000000000000000000000000000000000000000000000000",
            "path" => "nothing.css",
            _ => "999999",
        };
        params.insert(name.to_string(), value.to_string());
        out.push_str(value);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    (out, params)
}

/// The machine interfaces: Accord's API, yente's and TAXII's.
fn is_api(path: &str) -> bool {
    [
        "/api/",
        "/match/",
        "/search/",
        "/entities/",
        "/reconcile/",
        "/taxii2/",
    ]
    .iter()
    .any(|p| path.starts_with(p))
        || matches!(path, "/catalog" | "/algorithms")
}

/// Who the walk asks as: one of each role, of a regional state, a partner
/// state and the platform.
const PRINCIPALS: [&str; 7] = [
    "",
    "kaz.admin",
    "kaz.analyst",
    "kgz.admin",
    "usa.reader",
    "sec",
    "ombuds",
];

async fn every_route_answers_every_principal_as_its_rule_says(app: &TestApp) {
    let new =
        accord_core::user::NewUser::parse("kaz.analyst", "Analyst", "KAZ", "contributor").unwrap();
    app.store
        .create_user(&Actor::system("test"), &new, PASSWORD, false)
        .await
        .unwrap();
    let rules: Vec<Rule> = accord_web::route_rules();
    assert!(rules.len() > 100, "the router has {} rules", rules.len());
    let mut checked = 0;
    for username in PRINCIPALS {
        let (principal, browser, token) = if username.is_empty() {
            (Principal::Anonymous, app.anonymous().await, None)
        } else {
            let user = app
                .store
                .user_by_username(&accord_core::Username::parse(username).unwrap())
                .await
                .unwrap();
            (
                Principal::of_user(&user),
                app.sign_in(username).await,
                Some(app.api_token(username).await),
            )
        };
        for rule in &rules {
            // Signing in and out would change who the rest of the walk is.
            if rule.path == "/login" && rule.method == Method::POST || rule.path == "/logout" {
                continue;
            }
            let (path, params) = fill(rule.path);
            // API routes are walked with a token of every scope: the token
            // rule comes first (no token may create tokens), then the gate.
            let reads = rule.method == Method::GET;
            let expected = match &token {
                Some(_) if is_api(&path) => accord_core::token::token_may(
                    &accord_core::token::Scopes::all(),
                    reads,
                    rule.path,
                )
                .and_then(|()| rule.gate.check(&principal, &params)),
                _ => rule.gate.check(&principal, &params),
            };
            let mut request = app.http.request(rule.method.clone(), app.at(&path));
            if is_api(&path) {
                if let Some(t) = &token {
                    request = request.header(AUTHORIZATION, format!("Bearer {t}"));
                }
                if rule.method != Method::GET && rule.method != Method::DELETE {
                    request = request
                        .header(CONTENT_TYPE, "application/json")
                        .body("{\"junk\": [1, 2");
                }
            } else {
                request = request.header(COOKIE, browser.cookie_header());
                if rule.method == Method::POST {
                    let body =
                        serde_urlencoded::to_string([("csrf", browser.csrf.as_str())]).unwrap();
                    request = request
                        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                        .body(body);
                }
            }
            let response = request.send().await.unwrap();
            let status = response.status();
            let to_login = status == StatusCode::SEE_OTHER
                && response
                    .headers()
                    .get(LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .is_some_and(|l| l.starts_with("/login"));
            let what = format!(
                "{} {} as {:?} (gate says {:?})",
                rule.method,
                path,
                if username.is_empty() {
                    "anonymous"
                } else {
                    username
                },
                expected
            );
            assert!(status.as_u16() < 500, "{what}: {status}");
            match expected {
                Err(Denied::NotSignedIn) if is_api(&path) => {
                    assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}");
                    let ct = response
                        .headers()
                        .get(CONTENT_TYPE)
                        .unwrap()
                        .to_str()
                        .unwrap();
                    let json = if path.starts_with("/taxii2/") {
                        "application/taxii+json"
                    } else {
                        "application/json"
                    };
                    assert!(ct.starts_with(json), "{what}: {ct}");
                }
                Err(Denied::NotSignedIn) => assert!(to_login, "{what}: {status}"),
                Err(Denied::Forbidden | Denied::TokenScope(_) | Denied::NotForTokens) => {
                    assert_eq!(status, StatusCode::FORBIDDEN, "{what}")
                }
                Ok(()) => {
                    assert!(
                        status != StatusCode::UNAUTHORIZED && !to_login,
                        "{what}: {status}"
                    );
                    if rule.gate.is_exact() {
                        assert_ne!(status, StatusCode::FORBIDDEN, "{what}");
                    }
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 700, "{checked} requests checked");
}

#[test]
fn every_route_has_exactly_one_rule_per_method_and_writes_are_never_public_by_accident() {
    let rules = accord_web::route_rules();
    let mut seen = std::collections::HashSet::new();
    for r in &rules {
        assert!(
            seen.insert((r.method.clone(), r.path)),
            "{} {}",
            r.method,
            r.path
        );
    }
    // The writes anyone may make without an account, named here so that a
    // new public write is a deliberate change of this list.
    let public_writes: Vec<String> = rules
        .iter()
        .filter(|r| r.method != Method::GET && matches!(r.gate, Gate::Public))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        public_writes,
        [
            "POST /api/petitions",
            // The petitioner's answer: the tracking number is the credential.
            "POST /api/petitions/{tracking}/reply",
            "POST /login",
            "POST /logout",
            "POST /petition",
            "POST /petition/status/{tracking}/reply",
            // A sign-in for hash-list clients, with an API token as password.
            "POST /token-auth/tcap/"
        ]
    );
    // What must never be reachable without an account, or by a plain member
    // user: the gate itself is checked here, not only its enforcement.
    let reader = Principal::member_user(
        1,
        "reader",
        accord_core::MemberCode::parse("USA").unwrap(),
        accord_core::MemberKind::PartnerState,
        accord_core::Role::Reader,
    );
    for r in &rules {
        let (_, params) = fill(r.path);
        let sensitive = [
            "/admin",
            "/api/users",
            "/api/audit",
            "/ombudsperson",
            "/api/tokens",
            "/profile",
        ]
        .iter()
        .any(|p| r.path.starts_with(p))
            || r.path.contains("/statement")
            || r.path.contains("/evidence")
            || r.path.contains("focal-points");
        if sensitive {
            assert!(
                r.gate.check(&Principal::Anonymous, &params).is_err(),
                "{} {} is open to anonymous callers",
                r.method,
                r.path
            );
        }
        let secretariat_only = [
            "/admin",
            "/api/audit",
            "/ombudsperson",
            "/subjects/merge",
            "/lists/import",
        ]
        .iter()
        .any(|p| r.path.starts_with(p));
        // Opening, reopening and cancelling reporting rounds (the routes
        // under /rounds and /api/rounds that are not reports) are the
        // secretariat's: `Action::ManagePlan`.
        let manages_rounds = (r.path.starts_with("/rounds/") || r.path.starts_with("/api/rounds"))
            && (r.method != Method::GET || r.path.ends_with("/cancel") || r.path.ends_with("/new"))
            && !r.path.contains("/reports/");
        if manages_rounds {
            let admin = Principal::member_user(
                2,
                "kaz.admin",
                accord_core::MemberCode::parse("KAZ").unwrap(),
                accord_core::MemberKind::RegionalState,
                accord_core::Role::MemberAdmin,
            );
            assert!(
                r.gate.check(&admin, &params).is_err() && r.gate.check(&reader, &params).is_err(),
                "{} {} is open to a member",
                r.method,
                r.path
            );
        }
        if secretariat_only {
            assert!(
                r.gate.check(&reader, &params).is_err(),
                "{} {} is open to a member's reader",
                r.method,
                r.path
            );
        }
    }
    // Uploads are for the signed-in only.
    for r in rules.iter().filter(|r| r.upload) {
        assert!(
            r.gate.check(&Principal::Anonymous, &Params::new()).is_err(),
            "{} {}",
            r.method,
            r.path
        );
    }
}

async fn a_member_administrator_cannot_grant_platform_wide_roles(app: &TestApp) {
    // Accounts are made by people signed in (no API token makes them).
    let kaz_admin = app.sign_in("kaz.admin").await;
    let sec = app.sign_in("sec").await;
    let create = async |b: &Browser, body: serde_json::Value| {
        api_as(app, b, Method::POST, "/api/users", Some(&body))
            .await
            .0
    };
    for role in ["ombudsperson", "secretariat_admin"] {
        // With the member's own code: the role acts for no member.
        let status = create(
            &kaz_admin,
            json!({"username": format!("x.{role}"), "display_name": "X", "member": "KAZ", "role": role}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{role} for KAZ");
        // Without a member: only the secretariat grants it.
        let status = create(
            &kaz_admin,
            json!({"username": format!("y.{role}"), "display_name": "Y", "member": "", "role": role}),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role} by a member admin");
        for name in [format!("x.{role}"), format!("y.{role}")] {
            assert!(
                app.store
                    .user_by_username(&accord_core::Username::parse(&name).unwrap())
                    .await
                    .is_err(),
                "{name} was created"
            );
        }
    }
    // The member's own roles, and the secretariat granting a platform role.
    let status = create(
        &kaz_admin,
        json!({"username": "kaz.reader2", "display_name": "R", "member": "KAZ", "role": "reader"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let status = create(
        &sec,
        json!({"username": "ombuds2", "display_name": "O", "member": "", "role": "ombudsperson"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
}

async fn refusals_come_before_the_body_is_read(app: &TestApp) {
    // An anonymous junk body: 401, not 422.
    let r = app
        .http
        .post(app.at("/api/members"))
        .header(CONTENT_TYPE, "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // An upload larger than allowed from someone who may not upload: 403
    // before the body is read (a body read first would answer 413).
    let token = app.api_token("kaz.admin").await;
    // Just over the test server's upload limit (256 KiB): small enough to sit
    // in the socket buffers, so the client reads the answer, not a reset.
    let big = vec![b'x'; 256 * 1024 + 1];
    let r = app
        .http
        .post(app.at("/lists/import/un"))
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .header(CONTENT_TYPE, "multipart/form-data; boundary=x")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

async fn anonymous_callers_learn_nothing_from_ids(app: &TestApp) {
    let token = app.api_token("kaz.admin").await;
    let r = app
        .http
        .post(app.at("/api/members/KAZ/focal-points"))
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .json(&json!({"name": "Aigerim", "title": "Head", "agency": "MFA", "languages": "kk",
                      "email": "a@mfa.example", "phone": "+7 7172 000000", "last_verified": "2026-01-15"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let existing = app
        .http
        .get(app.at(&format!("/api/focal-points/{id}")))
        .send()
        .await
        .unwrap();
    let missing = app
        .http
        .get(app.at("/api/focal-points/999999"))
        .send()
        .await
        .unwrap();
    assert_eq!(existing.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        existing.text().await.unwrap(),
        missing.text().await.unwrap()
    );
}
