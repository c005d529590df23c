//! E-mail notices through a real SMTP server — Python's aiosmtpd from the
//! peer tools' environment (`scripts/peers/requirements.txt`), writing what
//! it receives to a maildir — on both databases: a user's settings on the
//! profile (bad input refused on the form, kept), each notice mailed once
//! by the background mailer, the daily digest once a day after its hour,
//! and no name of a listed or proposed person in any message.

mod support;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use accord_store::common_list::SubjectKind;
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use serde_json::json;
use support::*;

accord_store::on_both_backends!(|backend, test| {
    let Some(python) = crate::support::peer_python() else { return };
    let sink = super::SmtpSink::start(&python).await;
    test(backend, &sink).await;
};
    each_notice_is_mailed_once_to_the_address_the_user_set_with_no_names,
    the_daily_digest_goes_once_a_day_after_its_hour_with_what_is_unread,
);

/// aiosmtpd on a free local port, delivering into a maildir.
pub struct SmtpSink {
    child: Child,
    dir: PathBuf,
    port: u16,
}

impl SmtpSink {
    async fn start(python: &str) -> SmtpSink {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let dir =
            std::env::temp_dir().join(format!("accord-maildir-{}-{port}", std::process::id()));
        let mut child = Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("aiosmtpd starts (scripts/test.sh setup installs it)");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return SmtpSink { child, dir, port };
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        child.kill().ok();
        child.wait().ok();
        panic!("aiosmtpd did not listen on port {port}");
    }

    fn config(&self, every: Duration) -> accord_web::MailConfig {
        accord_web::MailConfig {
            smtp_url: format!("smtp://127.0.0.1:{}", self.port),
            from: "Accord <accord@accord.test>".into(),
            public_url: "https://accord.test".into(),
            every,
            digest_hour_utc: 6,
        }
    }

    /// The messages received so far, oldest first (by file time).
    fn messages(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.dir.join("new")) else {
            return Vec::new();
        };
        let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
            .flatten()
            .map(|e| (e.metadata().unwrap().modified().unwrap(), e.path()))
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|(_, p)| decoded(&std::fs::read_to_string(p).unwrap()))
            .collect()
    }

    /// Waits until `n` messages have arrived (up to 30 s): them all.
    async fn wait_for(&self, n: usize) -> Vec<String> {
        for _ in 0..300 {
            let m = self.messages();
            if m.len() >= n {
                return m;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{n} message(s) expected, {} arrived", self.messages().len());
    }
}

/// `PUT /api/me/mail` in the browser session `b` (with its CSRF header).
async fn put_mail(
    app: &TestApp,
    b: &Browser,
    body: serde_json::Value,
) -> (StatusCode, serde_json::Value) {
    let r = app
        .http
        .put(app.at("/api/me/mail"))
        .header(reqwest::header::COOKIE, b.cookie_header())
        .header("x-csrf-token", &b.csrf)
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap())
}

/// A received message with its body decoded from base64 when lettre chose
/// that encoding (it picks the shortest for the text), headers as sent.
fn decoded(raw: &str) -> String {
    use base64::Engine;
    let raw = raw.replace("\r\n", "\n");
    let (head, body) = raw.split_once("\n\n").unwrap_or((&raw, ""));
    if head.contains("Content-Transfer-Encoding: quoted-printable") {
        return format!("{head}\n\n{}", quoted_printable(body));
    }
    if !head.contains("Content-Transfer-Encoding: base64") {
        return raw.clone();
    }
    let packed: String = body.split_whitespace().collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(packed)
        .expect("a base64 body");
    format!(
        "{head}\n\n{}",
        String::from_utf8(bytes).expect("UTF-8 text")
    )
}

/// Quoted-printable (RFC 2045 §6.7) read back: soft line breaks joined,
/// `=XX` turned into its byte.
fn quoted_printable(body: &str) -> String {
    let joined = body.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).expect("UTF-8 text")
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
        std::fs::remove_dir_all(&self.dir).ok();
    }
}

async fn each_notice_is_mailed_once_to_the_address_the_user_set_with_no_names(
    backend: accord_store::Backend,
    sink: &SmtpSink,
) {
    let Some(app) = TestApp::spawn_with(backend, |c| {
        c.mail = Some(sink.config(Duration::from_millis(200)));
    })
    .await
    else {
        return;
    };
    let kgz = app.sign_in("kgz.admin").await;
    // A bad address is refused on the form, with what was typed kept.
    let r = app
        .post_form(
            &kgz,
            "/profile/mail",
            &[
                ("address", "bakyt at kgz"),
                ("mode", "each"),
                ("lang", "en"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("value=\"bakyt at kgz\"") && page.contains("is not an e-mail address"),
        "{page}"
    );
    let r = app
        .post_form(
            &kgz,
            "/profile/mail?lang=ru",
            &[
                ("address", "mode-each@kgz.example"),
                ("mode", "hourly"),
                ("lang", "ru"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Как часто"));
    assert!(sink.messages().is_empty());

    let r = app
        .post_form(
            &kgz,
            "/profile/mail",
            &[
                ("address", "bakyt@kgz.example"),
                ("mode", "each"),
                ("lang", "en"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], "/profile/mail?saved=1");
    let page = app
        .get(&kgz, "/profile/mail?saved=1")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Your e-mail settings were saved.") && page.contains("bakyt@kgz.example"),
        "{page}"
    );

    // Kazakhstan proposes a listing: Kyrgyzstan's administrator is mailed.
    let p = app
        .propose_listing(
            SubjectKind::Individual,
            "Abdullah Testov",
            "Statement of case.",
            "Recruits for a listed group.",
        )
        .await;
    let messages = sink.wait_for(1).await;
    let m = &messages[0];
    assert!(m.contains("To: bakyt@kgz.example"), "{m}");
    assert!(m.contains("From: Accord <accord@accord.test>"), "{m}");
    assert!(m.contains("Subject: Accord"), "{m}");
    assert!(
        m.contains("A proposal was opened: your state is asked to decide.")
            && m.contains(&format!("https://accord.test/proposals/{}", p.id))
            && m.contains("https://accord.test/profile/mail"),
        "{m}"
    );
    // What e-mail must not carry out of the platform.
    assert!(
        !m.contains("Abdullah") && !m.contains("Testov") && !m.contains("Recruits"),
        "{m}"
    );
    // Mailed once: later ticks send nothing more.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(sink.messages().len(), 1);
    // Kazakhstan's administrator asked for no mail and gets none.
    assert!(!sink.messages()[0].contains("kaz.admin"));
    app.finish().await;
}

async fn the_daily_digest_goes_once_a_day_after_its_hour_with_what_is_unread(
    backend: accord_store::Backend,
    sink: &SmtpSink,
) {
    // The background mailer looks once, at start; the test then drives the
    // same mailer itself at chosen times of day.
    let config = sink.config(Duration::from_secs(3600));
    let Some(app) = TestApp::spawn_with(backend, |c| c.mail = Some(config.clone())).await else {
        return;
    };
    let mailer = accord_web::mail::Mailer::new(&config).unwrap();
    // An API token may read the settings, never change where mail goes.
    let token = app.api_token("kgz.admin").await;
    let (s, v) = api(
        &app,
        Some(&token),
        reqwest::Method::PUT,
        "/api/me/mail",
        Some(&json!({ "address": "thief@elsewhere.example", "mode": "each", "lang": "en" })),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (s, v) = api(
        &app,
        Some(&token),
        reqwest::Method::GET,
        "/api/me/mail",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["mode"], "off", "{v}");
    // The signed-in user sets them through the API.
    let kgz = app.sign_in("kgz.admin").await;
    let (s, v) = put_mail(
        &app,
        &kgz,
        json!({ "address": "digest@kgz.example", "mode": "daily", "lang": "ru" }),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["mode"], "daily");
    assert_eq!(v["server_sends_mail"], true);
    let (s, v) = put_mail(
        &app,
        &kgz,
        json!({ "address": "", "mode": "daily", "lang": "ru" }),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["fields"][0]["field"], "address", "{v}");

    for name in ["First Person", "Second Person"] {
        app.propose_listing(SubjectKind::Individual, name, "case", "x")
            .await;
    }
    let day = time::OffsetDateTime::now_utc().date();
    let at = |d: time::Date, hour: u8| d.with_hms(hour, 0, 0).unwrap().assume_utc();
    assert_eq!(
        mailer.send_due(&app.store, at(day, 5)).await.unwrap(),
        0,
        "before its hour"
    );
    assert_eq!(mailer.send_due(&app.store, at(day, 7)).await.unwrap(), 1);
    assert_eq!(
        mailer.send_due(&app.store, at(day, 9)).await.unwrap(),
        0,
        "once a day"
    );
    let m = &sink.wait_for(1).await[0];
    assert!(m.contains("To: digest@kgz.example"), "{m}");
    // In Russian, as asked; both notices in one message.
    assert!(
        m.contains("Ваши непрочитанные уведомления в Accord за сегодня (2)"),
        "{m}"
    );
    assert_eq!(m.matches("Открыто предложение").count(), 2, "{m}");
    assert!(
        !m.contains("First Person") && !m.contains("Second Person"),
        "{m}"
    );

    // The next day: only what came since, and nothing already read.
    app.propose_listing(SubjectKind::Individual, "Third Person", "case", "x")
        .await;
    let next = day.next_day().unwrap();
    assert_eq!(mailer.send_due(&app.store, at(next, 7)).await.unwrap(), 1);
    let m = &sink.wait_for(2).await[1];
    assert!(m.contains("(1)"), "{m}");
    app.propose_listing(SubjectKind::Individual, "Fourth Person", "case", "x")
        .await;
    let r = app.post_form(&kgz, "/notifications/read", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let after = next.next_day().unwrap();
    assert_eq!(mailer.send_due(&app.store, at(after, 7)).await.unwrap(), 0);

    // Turned off: nothing more, whatever comes.
    let (s, _) = put_mail(
        &app,
        &kgz,
        json!({ "address": "digest@kgz.example", "mode": "off", "lang": "ru" }),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    app.propose_listing(SubjectKind::Individual, "Fifth Person", "case", "x")
        .await;
    let later = after.next_day().unwrap();
    assert_eq!(mailer.send_due(&app.store, at(later, 7)).await.unwrap(), 0);
    assert_eq!(sink.messages().len(), 2);
    app.finish().await;
}
