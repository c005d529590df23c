//! Reporting rounds over HTTP, on both databases: what the tracker says of a
//! state that has not reported (yet) and of a report the viewer may not
//! read, the deadline a round may be opened with, and cancelling a round
//! opened by mistake.

mod support;

use reqwest::StatusCode;
use reqwest::header::LOCATION;
use serde_json::{Value, json};
use support::*;

on_both_backends!(
    a_state_without_a_report_in_an_open_round_is_not_yet_reported_and_a_hidden_report_is_reported_restricted,
    a_round_with_a_deadline_past_or_before_its_period_ends_is_refused_on_its_form_and_by_the_api,
    the_secretariat_cancels_a_round_opened_by_mistake_until_a_report_is_submitted,
);

async fn api_call(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    api(app, Some(token), method, path, body.as_ref()).await
}

/// Drafts and submits a report as the member's administrator (alone in the
/// test's members, so separation of duties does not apply).
async fn report(app: &TestApp, token: &str, at: &str, status: &str, tlp: &str) {
    let (s, v) = api_call(
        app,
        token,
        reqwest::Method::PUT,
        at,
        Some(json!({ "status": status, "tlp": tlp, "narrative": "Done as agreed." })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = api_call(
        app,
        token,
        reqwest::Method::POST,
        &format!("{at}/submit"),
        Some(json!({})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

/// The text of a GET with an API token.
async fn bearer_text(app: &TestApp, token: &str, path: &str) -> String {
    app.http
        .get(app.at(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn text(app: &TestApp, b: &Browser, path: &str) -> String {
    let r = app.get(b, path).await;
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.text().await.unwrap()
}

async fn a_state_without_a_report_in_an_open_round_is_not_yet_reported_and_a_hidden_report_is_reported_restricted(
    app: &TestApp,
) {
    // The previous round: closed, Kazakhstan reported step 1 implemented
    // (late, in the reopened round), Kyrgyzstan did not report.
    open_closed_round(app, "2019-autumn").await;
    let sec = app.api_token("sec").await;
    let kaz = app.api_token("kaz.admin").await;
    let kgz = app.api_token("kgz.admin").await;
    let usa = app.api_token("usa.reader").await;
    let reopen = |on: bool| {
        api_call(
            app,
            &sec,
            reqwest::Method::POST,
            "/api/rounds/2019-autumn/reopen",
            Some(json!({ "reopened": on })),
        )
    };
    assert_eq!(reopen(true).await.0, StatusCode::OK);
    report(
        app,
        &kaz,
        "/api/rounds/2019-autumn/reports/KAZ/astana2015.step.1",
        "implemented",
        "CLEAR",
    )
    .await;
    assert_eq!(reopen(false).await.0, StatusCode::OK);
    // The current round is open; Kyrgyzstan reports under TLP:RED,
    // Kazakhstan has not reported yet.
    open_round_by_form(app, "2026-spring", &far_deadline()).await;
    report(
        app,
        &kgz,
        "/api/rounds/2026-spring/reports/KGZ/astana2015.step.1",
        "planned",
        "RED",
    )
    .await;

    // The API: awaited, restricted, and counted so.
    let (_, m) = api_call(
        app,
        &usa,
        reqwest::Method::GET,
        "/api/rounds/2026-spring/matrix",
        None,
    )
    .await;
    assert_eq!(m["members"], json!(["KAZ", "KGZ"]));
    assert_eq!(m["cells"][0][0], "not_yet_reported", "{m}");
    assert_eq!(m["cells"][1][0], "restricted", "{m}");
    assert_eq!(m["totals"]["restricted"], 1, "{m}");
    assert_eq!(m["totals"]["not_yet_reported"], 3, "{m}");
    assert_eq!(m["totals"]["planned"], 0, "the status is not leaked: {m}");
    // Its own member reads it.
    let (_, own) = api_call(
        app,
        &kgz,
        reqwest::Method::GET,
        "/api/rounds/2026-spring/matrix",
        None,
    )
    .await;
    assert_eq!(
        own["cells"][1][0],
        json!({ "reported": "planned" }),
        "{own}"
    );
    // The closed round: a report that never came is "not reported".
    let (_, old) = api_call(
        app,
        &usa,
        reqwest::Method::GET,
        "/api/rounds/2019-autumn/matrix",
        None,
    )
    .await;
    assert_eq!(old["cells"][0][0], json!({ "reported": "implemented" }));
    assert_eq!(old["cells"][1][0], "not_reported", "{old}");

    // The page, in both languages: nothing "regressed", each cell named truly.
    let reader = app.sign_in("usa.reader").await;
    let page = text(app, &reader, "/rounds/2026-spring").await;
    assert!(page.contains("Not yet reported"), "{page}");
    assert!(page.contains("Reported (restricted)"), "{page}");
    assert!(
        page.contains("not yet reported (the round is open)"),
        "the change since the previous round says why there is no comparison: {page}"
    );
    assert!(!page.contains("regressed"), "{page}");
    assert!(
        !page.contains("Planned"),
        "the restricted status leaks: {page}"
    );
    let ru = text(app, &reader, "/rounds/2026-spring?lang=ru").await;
    assert!(ru.contains("Отчёт ещё не подан"), "{ru}");
    assert!(ru.contains("Отчёт подан (доступ ограничен)"), "{ru}");
    assert!(!ru.contains("ухудшение"), "{ru}");
    // The report's own page and the commitment's page say it too.
    let report_page = text(
        app,
        &reader,
        "/rounds/2026-spring/reports/KGZ/astana2015.step.1",
    )
    .await;
    assert!(
        report_page.contains("Reported (restricted)"),
        "{report_page}"
    );
    assert!(!report_page.contains("Done as agreed."), "{report_page}");
    let commitment = text(app, &reader, "/commitments/astana2015.step.1").await;
    assert!(commitment.contains("Reported (restricted)"), "{commitment}");
    // Anonymous readers of the public tracker are told the same.
    let anonymous = app.anonymous().await;
    let public = text(app, &anonymous, "/rounds/2026-spring").await;
    assert!(public.contains("Reported (restricted)") && !public.contains("regressed"));

    // The exports and the chart say the same.
    let csv = bearer_text(app, &usa, "/rounds/2026-spring/matrix.csv").await;
    assert!(
        csv.contains("KAZ,not_yet_reported,not_yet_reported"),
        "{csv}"
    );
    assert!(csv.contains("KGZ,restricted,not_yet_reported"), "{csv}");
    let chart = bearer_text(app, &usa, "/rounds/2026-spring/status.svg?lang=ru").await;
    assert!(
        chart.contains("Отчёт подан (доступ ограничен)") && chart.contains("Отчёт ещё не подан"),
        "{chart}"
    );
    // Over the rounds, the open one is named so: its point is progress so far.
    let page = text(app, &reader, "/rounds").await;
    assert!(page.contains("Spring review (open)"), "{page}");
}

async fn a_round_with_a_deadline_past_or_before_its_period_ends_is_refused_on_its_form_and_by_the_api(
    app: &TestApp,
) {
    let today = time::OffsetDateTime::now_utc();
    let yesterday = (today - time::Duration::days(1)).date().to_string();
    let in_a_month = (today + time::Duration::days(30)).date().to_string();
    let in_two_months = (today + time::Duration::days(60)).date().to_string();
    let sec = app.sign_in("sec").await;
    // A deadline that has passed: refused in the reader's language, the
    // input kept, nothing stored, nobody notified.
    let r = app
        .post_form(
            &sec,
            "/rounds/new?lang=ru",
            &[
                ("id", "2025-oops"),
                ("name", "Opened too late"),
                ("period_start", "2025-01-01"),
                ("period_end", "2025-06-30"),
                ("deadline", &yesterday),
                ("commitments", "astana2015.step.1"),
                ("members", "KAZ"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("уже прошёл: цикл открылся бы сразу закрытым"),
        "{page}"
    );
    assert!(
        page.contains("value=\"2025-oops\"") && page.contains("Opened too late"),
        "{page}"
    );
    assert!(page.contains(&format!("value=\"{yesterday}\"")), "{page}");
    // A deadline before the period ends.
    let r = app
        .post_form(
            &sec,
            "/rounds/new",
            &[
                ("id", "2026-early"),
                ("name", "Deadline too early"),
                ("period_start", "2026-01-01"),
                ("period_end", &in_two_months),
                ("deadline", &in_a_month),
                ("commitments", "astana2015.step.1"),
                ("members", "KAZ"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("must not be before the end of the period"),
        "{page}"
    );
    // The same through the API: 422 naming the deadline.
    let token = app.api_token("sec").await;
    for (end, deadline) in [
        ("2025-06-30", yesterday.clone()),
        (in_two_months.as_str(), in_a_month.clone()),
    ] {
        let (s, e) = api_call(
            app,
            &token,
            reqwest::Method::POST,
            "/api/rounds",
            Some(json!({
                "id": "2026-api", "name": "API", "period_start": "2025-01-01", "period_end": end,
                "deadline": deadline, "commitments": ["astana2015.step.1"], "members": ["KAZ"]
            })),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["error"]["fields"][0]["field"], "deadline", "{e}");
    }
    // Nothing was opened, nobody was told.
    let (_, rounds) = api_call(app, &token, reqwest::Method::GET, "/api/rounds", None).await;
    assert_eq!(rounds, json!([]));
    let kaz = app.sign_in("kaz.admin").await;
    let inbox = text(app, &kaz, "/notifications").await;
    assert!(!inbox.contains("/rounds/"), "{inbox}");
    // A deadline on the period's last day, still ahead, is accepted.
    let (s, v) = api_call(
        app,
        &token,
        reqwest::Method::POST,
        "/api/rounds",
        Some(json!({
            "id": "2026-ok", "name": "OK", "period_start": "2026-01-01", "period_end": in_a_month,
            "deadline": in_a_month, "commitments": ["astana2015.step.1"], "members": ["KAZ"]
        })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["state"], "open", "{v}");
}

async fn the_secretariat_cancels_a_round_opened_by_mistake_until_a_report_is_submitted(
    app: &TestApp,
) {
    open_round_by_form(app, "2026-oops", &far_deadline()).await;
    open_round_by_form(app, "2026-real", &far_deadline()).await;
    let sec = app.sign_in("sec").await;
    let sec_token = app.api_token("sec").await;
    let kaz = app.api_token("kaz.admin").await;
    let kaz_b = app.sign_in("kaz.admin").await;
    // Offered to the secretariat only, behind a confirmation.
    let page = text(app, &sec, "/rounds/2026-oops").await;
    assert!(page.contains("href=\"/rounds/2026-oops/cancel\""), "{page}");
    let member_page = text(app, &kaz_b, "/rounds/2026-oops").await;
    assert!(!member_page.contains("/cancel"), "{member_page}");
    let confirm = text(app, &sec, "/rounds/2026-oops/cancel?lang=ru").await;
    assert!(confirm.contains("Да, отменить цикл"), "{confirm}");
    assert_eq!(
        app.get(&kaz_b, "/rounds/2026-oops/cancel").await.status(),
        StatusCode::FORBIDDEN
    );
    // Cancelled.
    let r = app.post_form(&sec, "/rounds/2026-oops/cancel", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], "/rounds/2026-oops");
    let page = text(app, &kaz_b, "/rounds/2026-oops").await;
    assert!(page.contains("This round was cancelled"), "{page}");
    assert!(
        !page.contains("Reports of KAZ"),
        "no report is asked: {page}"
    );
    let (_, round) = api_call(
        app,
        &kaz,
        reqwest::Method::GET,
        "/api/rounds/2026-oops",
        None,
    )
    .await;
    assert_eq!(round["state"], "cancelled", "{round}");
    assert_eq!(round["open"], false);
    assert_eq!(round["cancelled"]["by"], "sec");
    // Listed as cancelled, so the notice that opened it still leads somewhere.
    let list = text(app, &kaz_b, "/rounds").await;
    assert!(list.contains("cancelled"), "{list}");
    // It takes no report.
    let (s, e) = api_call(
        app,
        &kaz,
        reqwest::Method::PUT,
        "/api/rounds/2026-oops/reports/KAZ/astana2015.step.1",
        Some(json!({ "status": "planned", "tlp": "GREEN" })),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    let report_page = text(
        app,
        &kaz_b,
        "/rounds/2026-oops/reports/KAZ/astana2015.step.1",
    )
    .await;
    assert!(
        report_page.contains("The secretariat cancelled this round")
            && !report_page.contains("can reopen"),
        "{report_page}"
    );
    // The members were told; it is audited.
    let inbox = text(app, &kaz_b, "/notifications").await;
    assert!(
        inbox.contains("A reporting round was cancelled by the secretariat"),
        "{inbox}"
    );
    let records = app
        .store
        .audit_records(&accord_store::AuditQuery {
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        records.iter().any(|r| r.action == "plan.round.cancel"
            && r.target == "round:2026-oops"
            && r.actor == "sec"
            && r.outcome == "ok"),
        "{records:?}"
    );
    // Its notices are not sent again: near the deadline the clock reminds
    // the members of the live round only (KAZ and KGZ, once).
    let deadline = time::OffsetDateTime::parse(
        round["deadline"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let reminded = app
        .store
        .remind_plan_deadlines(deadline - time::Duration::days(1))
        .await
        .unwrap();
    assert_eq!(reminded, 2);
    // Cancelling twice is refused.
    let (s, _) = api_call(
        app,
        &sec_token,
        reqwest::Method::POST,
        "/api/rounds/2026-oops/cancel",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    // A cancelled round has no matrix: its summary, CSV, chart and the
    // API's matrix say it was cancelled rather than "not reported".
    for path in [
        "/rounds/2026-oops/summary",
        "/rounds/2026-oops/matrix.csv",
        "/rounds/2026-oops/reports.csv",
        "/rounds/2026-oops/status.svg",
        "/api/rounds/2026-oops/matrix",
    ] {
        let r = app.get(&sec, path).await;
        assert_eq!(r.status(), StatusCode::CONFLICT, "{path}");
        assert!(r.text().await.unwrap().contains("was cancelled"), "{path}");
    }

    // Once a report is submitted, the round stays: refused on the page it
    // came from in the reader's language, and by the API; nothing changed.
    report(
        app,
        &kaz,
        "/api/rounds/2026-real/reports/KAZ/astana2015.step.1",
        "planned",
        "GREEN",
    )
    .await;
    let page = text(app, &sec, "/rounds/2026-real").await;
    assert!(!page.contains("/rounds/2026-real/cancel"), "{page}");
    let r = app
        .post_form(&sec, "/rounds/2026-real/cancel?lang=ru", &[])
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let refused = r.text().await.unwrap();
    assert!(
        refused.contains("цикл 2026-real нельзя отменить"),
        "{refused}"
    );
    let (s, e) = api_call(
        app,
        &sec_token,
        reqwest::Method::POST,
        "/api/rounds/2026-real/cancel",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    let (_, round) = api_call(
        app,
        &kaz,
        reqwest::Method::GET,
        "/api/rounds/2026-real",
        None,
    )
    .await;
    assert_eq!(round["state"], "open", "{round}");

    // Through the API, for the secretariat only.
    open_round_by_form(app, "2026-api", &far_deadline()).await;
    let (s, _) = api_call(
        app,
        &kaz,
        reqwest::Method::POST,
        "/api/rounds/2026-api/cancel",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = api_call(
        app,
        &sec_token,
        reqwest::Method::POST,
        "/api/rounds/2026-api/cancel",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "cancelled", "{v}");
}
