//! Shared by the black-box tests: the real server on a random port with a
//! fresh database, spoken to over HTTP as a browser or an API client would.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;

use accord_core::user::NewUser;
use accord_store::testing::TestDatabase;
use accord_store::{Actor, Backend, Store};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};

pub const PASSWORD: &str = "a long test password";

pub struct TestApp {
    pub url: String,
    pub http: reqwest::Client,
    pub store: Store,
    pub db: Option<TestDatabase>,
}

/// A signed-in browser: its cookies and the CSRF token its pages carry.
pub struct Browser {
    pub cookies: HashMap<String, String>,
    pub csrf: String,
}

impl Browser {
    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn absorb(&mut self, response: &reqwest::Response) {
        for v in response.headers().get_all(SET_COOKIE) {
            let header = v.to_str().unwrap();
            let pair = header.split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            // As a browser does: a cookie cleared is gone.
            if header.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), v.to_string());
            }
        }
    }
}

pub fn csrf_in(html: &str) -> String {
    let marker = r#"name="csrf" value=""#;
    let start = html.find(marker).expect("page has a CSRF field") + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        TestApp::spawn_with(backend, |_| {}).await
    }

    /// The test app with its configuration changed by `configure`.
    pub async fn spawn_with(
        backend: Backend,
        configure: impl FnOnce(&mut accord_web::Config),
    ) -> Option<TestApp> {
        let db = TestDatabase::new(backend).await?;
        let store = Store::open(&db.url).await.unwrap();
        store.seed_members().await.unwrap();
        store.seed_plan().await.unwrap();
        store.seed_library().await.unwrap();
        for (user, member, role) in [
            ("kaz.admin", "KAZ", "member_admin"),
            ("kgz.admin", "KGZ", "member_admin"),
            ("usa.reader", "USA", "reader"),
            ("sec", "", "secretariat_admin"),
            ("ombuds", "", "ombudsperson"),
        ] {
            let new = NewUser::parse(user, "Test", member, role).unwrap();
            store
                .create_user(&Actor::system("test"), &new, PASSWORD, false)
                .await
                .unwrap();
        }
        let mut config = accord_web::Config {
            // Room for a batch of 1,001 hashes (refused by count, not size).
            max_body_bytes: 160 * 1024,
            max_upload_bytes: 256 * 1024,
            screening_refresh: std::time::Duration::from_millis(200),
            signing_key: Some(std::sync::Arc::new(accord_proof::SecretKey::generate())),
            // Off, so that the log holds only what a test makes (the clock's
            // first tick is at start); tests of the schedule turn it on.
            audit_anchor_interval: None,
            // Lookups tallied and audited per 300 ms instead of a minute.
            lookup_tally_period: std::time::Duration::from_millis(300),
            // A batch over it fits in the upload limit.
            screening_max_rows: 1_000,
            // Off: the access matrix alone makes thousands of anonymous
            // requests from 127.0.0.1; `rate_limit.rs` turns it on.
            anonymous_requests_per_minute: 0,
            token_requests_per_minute: 0,
            ..Default::default()
        };
        configure(&mut config);
        // A few real UN entries (see crates/screening/tests/fixtures/README.md).
        let un = accord_lists::load_path(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../screening/tests/fixtures/un_screening.xml"
        ))
        .unwrap();
        let app = accord_web::app(store.clone(), config, vec![("un".to_string(), un)])
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        tokio::spawn(accord_web::serve(listener, app));
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Some(TestApp {
            url: format!("http://{addr}"),
            http,
            store,
            db: Some(db),
        })
    }

    pub async fn finish(mut self) {
        self.store.close().await;
        if let Some(db) = self.db.take() {
            db.drop_database().await;
        }
    }

    /// Another node on the same database, with its own (in-memory) library
    /// index that follows the database every 200 ms: the second of two
    /// `accord serve` behind one load balancer.
    pub async fn second_node(&self) -> TestApp {
        let url = self.db.as_ref().expect("a test database").url.clone();
        let store = Store::open(&url).await.unwrap();
        let config = accord_web::Config {
            audit_anchor_interval: None,
            library_follow: std::time::Duration::from_millis(200),
            anonymous_requests_per_minute: 0,
            token_requests_per_minute: 0,
            ..Default::default()
        };
        let app = accord_web::app(store.clone(), config, Vec::new())
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        tokio::spawn(accord_web::serve(listener, app));
        TestApp {
            url: format!("http://{addr}"),
            http: self.http.clone(),
            store,
            db: None,
        }
    }

    /// Creates an account (password [`PASSWORD`]) for a test's own cast.
    pub async fn add_user(&self, username: &str, member: &str, role: &str) {
        let new = NewUser::parse(username, "Test", member, role).unwrap();
        self.store
            .create_user(&Actor::system("test"), &new, PASSWORD, false)
            .await
            .unwrap();
    }

    /// The SQLite database file, when the app runs on SQLite.
    pub fn sqlite_path(&self) -> Option<std::path::PathBuf> {
        let url = &self.db.as_ref()?.url;
        url.strip_prefix("sqlite://")
            .map(|p| std::path::PathBuf::from(p.split('?').next().unwrap_or(p)))
    }

    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    pub async fn anonymous(&self) -> Browser {
        let mut b = Browser {
            cookies: HashMap::new(),
            csrf: String::new(),
        };
        let r = self.http.get(self.at("/login")).send().await.unwrap();
        b.absorb(&r);
        b.csrf = csrf_in(&r.text().await.unwrap());
        b
    }

    pub async fn sign_in(&self, username: &str) -> Browser {
        let mut b = self.anonymous().await;
        let r = self
            .post_form(
                &b,
                "/login",
                &[("username", username), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "sign-in of {username}");
        b.absorb(&r);
        let page = self.get(&b, "/profile").await.text().await.unwrap();
        b.csrf = csrf_in(&page);
        b
    }

    pub async fn get(&self, b: &Browser, path: &str) -> reqwest::Response {
        self.http
            .get(self.at(path))
            .header(COOKIE, b.cookie_header())
            .send()
            .await
            .unwrap()
    }

    pub async fn post_form(
        &self,
        b: &Browser,
        path: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut all: Vec<(&str, &str)> = vec![("csrf", b.csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw_form(b, path, &all).await
    }

    pub async fn post_raw_form(
        &self,
        b: &Browser,
        path: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let body = serde_urlencoded::to_string(fields).unwrap();
        self.http
            .post(self.at(path))
            .header(COOKIE, b.cookie_header())
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn api_token(&self, username: &str) -> String {
        let user = self
            .store
            .user_by_username(&accord_core::Username::parse(username).unwrap())
            .await
            .unwrap();
        self.store
            .create_token(
                &Actor::system("test"),
                user.id,
                &accord_core::token::TokenRequest::full("test"),
            )
            .await
            .unwrap()
            .secret
    }

    pub async fn focal_point_count(&self, member: &str) -> usize {
        let code = accord_core::MemberCode::parse(member).unwrap();
        self.store
            .focal_points(&Actor::system("test"), &code)
            .await
            .unwrap()
            .len()
    }

    pub async fn denied_records(&self) -> usize {
        let q = accord_store::AuditQuery {
            limit: 1000,
            ..Default::default()
        };
        self.store
            .audit_records(&q)
            .await
            .unwrap()
            .iter()
            .filter(|r| r.outcome == "denied")
            .count()
    }
}

impl TestApp {
    /// Kazakhstan's proposal; with `adopt`, the deadline passes and it is
    /// adopted by silence (the way the procedure lists when no state objects).
    pub async fn propose_as_kaz(
        &self,
        proposal: accord_store::common_list::NewProposal,
        adopt: bool,
    ) -> accord_store::common_list::ProposalRecord {
        let kaz = accord_core::Principal::member_user(
            1,
            "kaz.admin",
            accord_core::MemberCode::parse("KAZ").unwrap(),
            accord_core::MemberKind::RegionalState,
            accord_core::Role::MemberAdmin,
        );
        let p = self
            .store
            .create_proposal(
                &Actor::system("test"),
                &kaz,
                proposal,
                time::OffsetDateTime::now_utc(),
            )
            .await
            .unwrap();
        if adopt {
            self.store
                .advance_due(
                    &Actor::system("test"),
                    p.state.deadline + time::Duration::minutes(1),
                )
                .await
                .unwrap();
        }
        p
    }

    /// Kazakhstan proposes listing `name`; the proposal stays pending.
    pub async fn propose_listing(
        &self,
        kind: accord_store::common_list::SubjectKind,
        name: &str,
        statement: &str,
        summary: &str,
    ) -> accord_store::common_list::ProposalRecord {
        self.propose_named(kind, name, statement, summary, false)
            .await
    }

    /// Kazakhstan proposes listing `name`, adopted by silence at its deadline.
    pub async fn list_by_silence(
        &self,
        kind: accord_store::common_list::SubjectKind,
        name: &str,
        statement: &str,
        summary: &str,
    ) {
        self.propose_named(kind, name, statement, summary, true)
            .await;
    }

    async fn propose_named(
        &self,
        kind: accord_store::common_list::SubjectKind,
        name: &str,
        statement: &str,
        summary: &str,
        adopt: bool,
    ) -> accord_store::common_list::ProposalRecord {
        use accord_store::common_list::{NewProposal, SubjectKind};
        let schema = if kind == SubjectKind::Individual {
            accord_lists::EntrySchema::Person
        } else {
            accord_lists::EntrySchema::Organization
        };
        let mut entry = accord_lists::ListEntry::new("draft", schema);
        entry.push_name(accord_lists::EntryName::new(
            name,
            accord_lists::NameKind::Primary,
        ));
        self.propose_as_kaz(NewProposal::list(kind, entry, statement, summary), adopt)
            .await
    }
}

pub fn focal_fields(name: &str) -> Vec<(&'static str, String)> {
    vec![
        ("name", name.to_string()),
        ("title", "Head of division".into()),
        ("agency", "MFA".into()),
        ("languages", "kk, ru".into()),
        ("email", "fp@mfa.example".into()),
        ("phone", "+7 7172 000000".into()),
        ("last_verified", "2026-01-15".into()),
    ]
}

/// Each named test once on SQLite and once on PostgreSQL, against a fresh app.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        accord_store::on_both_backends!(|backend, test| {
            if let Some(app) = super::TestApp::spawn(backend).await {
                test(&app).await;
                app.finish().await;
            }
        }; $($name),*);
    };
}

/// A JSON API call, with a bearer token when given: the status and the
/// body (JSON, or its text as a JSON string when it is not JSON).
pub async fn api(
    app: &TestApp,
    token: Option<&str>,
    method: reqwest::Method,
    path: &str,
    body: Option<&serde_json::Value>,
) -> (StatusCode, serde_json::Value) {
    let mut r = app.http.request(method, app.at(path));
    if let Some(t) = token {
        r = r.header(reqwest::header::AUTHORIZATION, format!("Bearer {t}"));
    }
    if let Some(b) = body {
        r = r.json(b);
    }
    let resp = r.send().await.unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
    )
}

/// A multipart/form-data body: text fields (blank ones left out), then one
/// file. Returns the content type and the body.
pub fn multipart_form(fields: &[(&str, &str)], file_name: &str, file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "accord-test-boundary-5f1c";
    let mut body = Vec::new();
    for (name, value) in fields.iter().filter(|(_, v)| !v.is_empty()) {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// What `member` signs, with its test key (registered first if the member
/// has none), to take `action` (a form value: concur, object, hold,
/// extend_hold, lift_hold) with `reason` on proposal `id` now: the `at` and
/// `signature` fields of the decision form and API.
pub async fn sign_decision(
    app: &TestApp,
    member: &str,
    id: i64,
    action: &str,
    reason: &str,
) -> (i64, String) {
    use accord_procedure::Action;
    let code = accord_core::MemberCode::parse(member).unwrap();
    let reason = Some(reason.trim().to_string()).filter(|r| !r.is_empty());
    let action = match action {
        "concur" => Action::Concur,
        "object" => Action::Object { reason },
        "hold" => Action::PlaceHold { reason },
        "extend_hold" => Action::ExtendHold,
        "lift_hold" => Action::LiftHold,
        other => panic!("{other} is not signed"),
    };
    let key = accord_store::testing::member_test_key(&code);
    if app.store.member_keys(Some(&code)).await.unwrap().is_empty() {
        app.store
            .register_member_key(
                &Actor::system("test"),
                &code,
                &key.public_key(),
                time::OffsetDateTime::UNIX_EPOCH,
            )
            .await
            .unwrap();
    }
    let at = time::OffsetDateTime::now_utc().unix_timestamp();
    let decision = accord_store::common_list::decision_to_sign(id, &code, &action, at).unwrap();
    let signed = accord_proof::Signed::sign(decision, &key).unwrap();
    (at, signed.signature)
}

impl TestApp {
    /// Posts a file to a page's upload form as `b`, in `lang` (`en`, `ru`).
    pub async fn post_upload_page(
        &self,
        b: &Browser,
        path: &str,
        file_name: &str,
        file: &[u8],
        lang: &str,
    ) -> reqwest::Response {
        let (content_type, body) = multipart_form(&[("csrf", &b.csrf)], file_name, file);
        self.http
            .post(self.at(path))
            .header(COOKIE, b.cookie_header())
            .header(reqwest::header::ACCEPT_LANGUAGE, lang)
            .header(CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .unwrap()
    }

    /// Posts a file to an API upload route with a bearer token, with the
    /// form fields given: the status and the JSON answer.
    pub async fn post_upload_api(
        &self,
        token: &str,
        path: &str,
        fields: &[(&str, &str)],
        file_name: &str,
        file: &[u8],
    ) -> (StatusCode, serde_json::Value) {
        let (content_type, body) = multipart_form(fields, file_name, file);
        let r = self
            .http
            .post(self.at(path))
            .bearer_auth(token)
            .header(CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// Asserts that no file of the (SQLite) database holds a piece from the
    /// middle of `content`: uploads for hashing are never stored.
    pub fn assert_not_stored(&self, content: &[u8]) {
        let needle = &content[content.len() / 2..content.len() / 2 + 64];
        if let Some(path) = self.sqlite_path() {
            for entry in std::fs::read_dir(path.parent().unwrap()).unwrap() {
                let file = entry.unwrap().path();
                let bytes = std::fs::read(&file).unwrap();
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == needle),
                    "the uploaded bytes are in {}",
                    file.display()
                );
            }
        }
    }
}

/// A JSON API call as a signed-in browser (its cookie and CSRF header):
/// for what no API token may do, such as creating accounts.
pub async fn api_as(
    app: &TestApp,
    b: &Browser,
    method: reqwest::Method,
    path: &str,
    body: Option<&serde_json::Value>,
) -> (StatusCode, serde_json::Value) {
    let mut r = app
        .http
        .request(method, app.at(path))
        .header(COOKIE, b.cookie_header())
        .header("x-csrf-token", &b.csrf);
    if let Some(body) = body {
        r = r.json(body);
    }
    let resp = r.send().await.unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
    )
}

/// The Python of the peer tools' virtual environment (`scripts/test.sh`
/// creates it and sets `ACCORD_PEER_PYTHON`); `None` (skipped) without it,
/// except under CI.
pub fn peer_python() -> Option<String> {
    match std::env::var("ACCORD_PEER_PYTHON") {
        Ok(p) if !p.is_empty() => Some(p),
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "ACCORD_PEER_PYTHON is not set: CI must install the peer tools (scripts/test.sh)"
            );
            eprintln!("SKIPPED: the peer tools are not installed (scripts/test.sh setup)");
            None
        }
    }
}

/// Opens a reporting round (KAZ and KGZ, Astana steps 1 and 2) through the
/// secretariat's form: the round's page.
pub async fn open_round_by_form(app: &TestApp, id: &str, deadline: &str) -> String {
    let sec = app.sign_in("sec").await;
    let r = app
        .post_form(
            &sec,
            "/rounds/new",
            &[
                ("id", id),
                ("name", "Spring review"),
                ("period_start", "2026-01-01"),
                ("period_end", "2026-06-30"),
                ("deadline", deadline),
                ("commitments", "astana2015.step.1"),
                ("commitments", "astana2015.step.2"),
                ("members", "KAZ"),
                ("members", "KGZ"),
            ],
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let to = r.headers()[LOCATION].to_str().unwrap().to_string();
    assert_eq!(to, format!("/rounds/{id}"));
    to
}

/// Opens the round [`open_round_by_form`] opens (KAZ and KGZ, Astana steps
/// 1 and 2), for the last quarter of 2019 with its deadline on 31 January
/// 2020: a round that has closed. The server refuses a deadline already
/// past, so it is opened through the store as the secretariat did on
/// 1 October 2019, when the deadline was ahead.
pub async fn open_closed_round(app: &TestApp, id: &str) {
    let sec = app
        .store
        .user_by_username(&accord_core::Username::parse("sec").unwrap())
        .await
        .unwrap();
    let who = accord_core::Principal::of_user(&sec);
    app.store
        .open_plan_round(
            &accord_store::Actor::new(&who, "127.0.0.1"),
            &who,
            &accord_plan::NewRound {
                id,
                name: "Autumn review 2019",
                period_start: "2019-10-01",
                period_end: "2019-12-31",
                deadline: "2020-01-31",
                commitments: &["astana2015.step.1", "astana2015.step.2"],
                members: &["KAZ", "KGZ"],
            },
            time::macros::datetime!(2019-10-01 09:00 UTC),
        )
        .await
        .unwrap();
}

/// A deadline a month away.
pub fn far_deadline() -> String {
    (time::OffsetDateTime::now_utc() + time::Duration::days(30))
        .date()
        .to_string()
}

/// Creates, submits and (as `reviewer`) approves a library item: its id.
pub async fn published(
    app: &TestApp,
    author: &str,
    reviewer: &str,
    body: &serde_json::Value,
) -> i64 {
    let (s, v) = api(
        app,
        Some(author),
        reqwest::Method::POST,
        "/api/library/items",
        Some(body),
    )
    .await;
    assert_eq!(s, reqwest::StatusCode::CREATED, "{v}");
    let id = v["id"].as_i64().unwrap();
    let (s, v) = api(
        app,
        Some(author),
        reqwest::Method::POST,
        &format!("/api/library/items/{id}/submit"),
        None,
    )
    .await;
    assert_eq!(s, reqwest::StatusCode::OK, "{v}");
    let (s, v) = api(
        app,
        Some(reviewer),
        reqwest::Method::POST,
        &format!("/api/library/items/{id}/approve"),
        None,
    )
    .await;
    assert_eq!(s, reqwest::StatusCode::OK, "{v}");
    assert_eq!(v["status"], "published");
    id
}
