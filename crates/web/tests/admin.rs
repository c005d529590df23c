//! The accounts list and the audit log as their readers use them, on both
//! databases: filters, orders and pages kept in the query; a bad parameter
//! said in the reader's language with the input kept; the filtered log as
//! CSV; and a member's administrator never sees, nor counts, another
//! member's accounts.

mod support;

use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, StatusCode};
use support::*;

on_both_backends!(
    the_secretariat_filters_accounts_by_member_role_and_state_sorted_and_paged,
    a_member_administrator_neither_sees_nor_counts_another_members_accounts,
    the_audit_log_is_filtered_by_action_actor_and_days_and_paged,
    a_bad_date_range_on_the_audit_page_is_said_in_the_readers_language_with_the_input_kept,
    the_filtered_audit_log_downloads_as_csv_with_user_names_and_minute_times,
);

async fn more_accounts(app: &TestApp) {
    app.add_user("kaz.reader", "KAZ", "reader").await;
    app.add_user("kaz.writer", "KAZ", "contributor").await;
    app.add_user("kgz.reader", "KGZ", "reader").await;
    app.store
        .set_user_disabled(
            &accord_store::Actor::system("test"),
            &accord_core::Username::parse("kaz.reader").unwrap(),
            true,
        )
        .await
        .unwrap();
}

/// The first cell of each row of the page's table, in the page's order:
/// the user names of the accounts, the sequence numbers of the log.
fn first_cells(html: &str) -> Vec<String> {
    let table = html
        .split("<tbody>")
        .nth(1)
        .and_then(|t| t.split("</tbody>").next())
        .unwrap_or("");
    table
        .split("<tr><td>")
        .skip(1)
        .map(|row| row.split("</td>").next().unwrap().to_string())
        .collect()
}

fn usernames(html: &str) -> Vec<String> {
    first_cells(html)
}

async fn the_secretariat_filters_accounts_by_member_role_and_state_sorted_and_paged(app: &TestApp) {
    more_accounts(app).await;
    let sec = app.sign_in("sec").await;
    let sec = &sec;
    let page = |path: &'static str| async move {
        let r = app.get(sec, path).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        r.text().await.unwrap()
    };
    let html = page("/admin/users?member=KAZ").await;
    assert_eq!(usernames(&html), ["kaz.admin", "kaz.reader", "kaz.writer"]);
    assert!(html.contains("1–3 of 3"), "{html}");
    assert!(html.contains(r#"<option value="KAZ" selected>KAZ</option>"#));
    let html = page("/admin/users?role=reader&sort=-username").await;
    assert_eq!(usernames(&html), ["usa.reader", "kgz.reader", "kaz.reader"]);
    let html = page("/admin/users?status=disabled").await;
    assert_eq!(usernames(&html), ["kaz.reader"]);
    let html = page("/admin/users?member=none").await;
    assert_eq!(usernames(&html), ["ombuds", "sec"]);
    let html = page("/admin/users?per_page=3&page=2").await;
    assert_eq!(usernames(&html), ["kgz.admin", "kgz.reader", "ombuds"]);
    assert!(html.contains("4–6 of 8"), "{html}");
    assert!(html.contains(r#"href="/admin/users?per_page=3&amp;page=1""#));
    assert!(html.contains(r#"href="/admin/users?per_page=3&amp;page=3""#));
    // A role that does not exist: said, kept, and the list unfiltered.
    let r = app.get(sec, "/admin/users?role=king&lang=ru").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("не входит в предложенные варианты"), "{html}");
    assert!(html.contains(r#"<option value="king" selected>king</option>"#));
    assert_eq!(usernames(&html).len(), 8);
}

async fn a_member_administrator_neither_sees_nor_counts_another_members_accounts(app: &TestApp) {
    more_accounts(app).await;
    let kaz = app.sign_in("kaz.admin").await;
    let html = app.get(&kaz, "/admin/users").await.text().await.unwrap();
    assert_eq!(usernames(&html), ["kaz.admin", "kaz.reader", "kaz.writer"]);
    assert!(html.contains("1–3 of 3"), "{html}");
    assert!(
        !html.contains("id=\"filter-member\""),
        "no member to choose"
    );
    for path in [
        "/admin/users?member=KGZ",
        "/admin/users?role=reader&member=KGZ",
    ] {
        let r = app.get(&kaz, path).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        let html = r.text().await.unwrap();
        assert!(
            !html.contains("kgz.") && !html.contains("usa.reader"),
            "{path}: {html}"
        );
        assert!(
            !html.contains("of 8") && !html.contains("of 4"),
            "{path}: {html}"
        );
    }
    let html = app
        .get(&kaz, "/admin/users?role=reader")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(usernames(&html), ["kaz.reader"]);
    assert!(html.contains("1–1 of 1"), "{html}");
    // The page's other readers: the API still shows the member's accounts only.
    let token = app.api_token("kaz.admin").await;
    let (_, all) = api(app, Some(&token), Method::GET, "/api/users", None).await;
    assert_eq!(all.as_array().unwrap().len(), 3, "{all}");
}

fn seqs(html: &str) -> Vec<i64> {
    first_cells(html)
        .iter()
        .map(|c| c.parse().unwrap())
        .collect()
}

async fn the_audit_log_is_filtered_by_action_actor_and_days_and_paged(app: &TestApp) {
    let _ = app.sign_in("kaz.admin").await;
    let _ = app.sign_in("kgz.admin").await;
    let sec = app.sign_in("sec").await;
    let html = app.get(&sec, "/admin/audit").await.text().await.unwrap();
    // The actions the log holds, by their labels.
    assert!(
        html.contains(r#"<option value="auth.sign_in">Sign-in (auth.sign_in)</option>"#),
        "{html}"
    );
    let html = app
        .get(&sec, "/admin/audit?action=auth.sign_in&actor=kgz.admin")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(seqs(&html).len(), 1, "{html}");
    assert!(html.contains("1–1 of 1"));
    assert!(html.contains(r#"value="kgz.admin""#), "the actor kept");
    let html = app
        .get(&sec, "/admin/audit?action=auth.sign_in&per_page=2")
        .await
        .text()
        .await
        .unwrap();
    let first = seqs(&html);
    assert_eq!(first.len(), 2);
    assert!(first[0] > first[1], "newest first");
    assert!(html.contains("1–2 of 3"), "{html}");
    assert!(
        html.contains(r#"href="/admin/audit?action=auth.sign_in&amp;per_page=2&amp;page=2""#),
        "{html}"
    );
    assert!(
        html.contains(r#"href="/admin/audit.csv?action=auth.sign_in&amp;per_page=2""#),
        "the CSV of the same filter: {html}"
    );
    let html = app
        .get(&sec, "/admin/audit?action=auth.sign_in&per_page=2&page=2")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(seqs(&html).len(), 1);
    assert!(seqs(&html)[0] < first[1]);
    // Days in UTC: today holds them all, tomorrow none.
    let today = time::OffsetDateTime::now_utc().date();
    let tomorrow = today.next_day().unwrap();
    let html = app
        .get(
            &sec,
            &format!("/admin/audit?action=auth.sign_in&from={today}&to={today}"),
        )
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(seqs(&html).len(), 3);
    let html = app
        .get(&sec, &format!("/admin/audit?from={tomorrow}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(seqs(&html).is_empty() && html.contains("Nothing matches these filters."));

    // The API: the same parameters, the page and the count.
    let token = app.api_token("sec").await;
    let (status, body) = api(
        app,
        Some(&token),
        Method::GET,
        "/api/audit?action=auth.sign_in&per_page=1&page=2",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["total"], 3);
    assert_eq!(body["page"], 2);
    assert_eq!(body["items"][0]["seq"], first[1]);
    let (status, body) = api(
        app,
        Some(&token),
        Method::GET,
        "/api/audit?from=yesterday",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"][0]["field"], "from", "{body}");
}

async fn a_bad_date_range_on_the_audit_page_is_said_in_the_readers_language_with_the_input_kept(
    app: &TestApp,
) {
    let sec = app.sign_in("sec").await;
    let r = app
        .get(&sec, "/admin/audit?from=2026-03-02&to=2026-03-01&lang=ru")
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("не может быть позже, чем «Дата по»"),
        "{html}"
    );
    assert!(html.contains(r#"value="2026-03-02""#) && html.contains(r#"value="2026-03-01""#));
    assert!(!seqs(&html).is_empty(), "the log shown without the range");
    let r = app.get(&sec, "/admin/audit?to=2026-02-30&lang=en").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("must be a date as YYYY-MM-DD"), "{html}");
    assert!(html.contains(r#"value="2026-02-30""#));
    let r = app.get(&sec, "/admin/audit?action=no.such&page=x").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("is not one of the choices offered"));
    assert!(html.contains("must be a page number"));
}

async fn the_filtered_audit_log_downloads_as_csv_with_user_names_and_minute_times(app: &TestApp) {
    let _ = app.sign_in("kaz.admin").await;
    let sec = app.sign_in("sec").await;
    let r = app.get(&sec, "/admin/audit.csv?action=auth.sign_in").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[CONTENT_TYPE], "text/csv; charset=utf-8");
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a BOM for spreadsheets");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("seq,time_utc,user,action,target,outcome,ip,details")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.splitn(8, ',').collect()).collect();
    assert_eq!(rows.len(), 2, "{text}");
    assert_eq!(rows[0][2], "sec", "newest first, by user name");
    assert_eq!(rows[1][2], "kaz.admin");
    for row in &rows {
        assert_eq!(row[3], "auth.sign_in");
        let when = row[1];
        assert_eq!(when.len(), 16, "to the minute: {when}");
        assert!(
            time::PrimitiveDateTime::parse(
                when,
                time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]")
            )
            .is_ok(),
            "{when}"
        );
    }
    // The download is itself recorded: who took which part, how many rows.
    let r = app
        .get(&sec, "/admin/audit.csv?action=audit.exported")
        .await;
    let text = r.text().await.unwrap();
    let rows: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "the first download, recorded: {text}");
    assert!(
        rows[0].contains(",sec,audit.exported,audit_log,ok,"),
        "{text}"
    );
    assert!(
        rows[0].contains("auth.sign_in") && rows[0].contains("rows"),
        "{text}"
    );
    // A bad filter is refused, as on the page; others may not download it.
    let r = app.get(&sec, "/admin/audit.csv?from=2026-13-01").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let kaz = app.sign_in("kaz.admin").await;
    let r = app.get(&kaz, "/admin/audit.csv").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
