//! Screening over HTTP: the name form and the batch upload of a table
//! (CSV in the encodings and separators spreadsheets save, or XLSX) on the
//! /screen pages, against the test app's UN fixture (dataset "un",
//! crates/screening/tests/fixtures/un_screening.xml).

mod support;

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION};
use support::*;

on_both_backends!(
    a_csv_screened_on_the_page_shows_progress_and_its_results_download_for_the_owner_only,
    a_russian_spreadsheet_csv_is_read_in_its_encoding_and_separator,
    an_xlsx_workbook_is_screened_from_its_first_sheet,
    a_file_whose_every_row_fails_is_not_reported_as_done,
    the_name_form_shows_a_verdict_the_kind_and_what_was_searched_under_the_form,
);

async fn upload_table(
    app: &TestApp,
    b: &Browser,
    file_name: &str,
    bytes: &[u8],
    threshold: &str,
) -> reqwest::Response {
    let (content_type, body) = multipart_form(
        &[("csrf", &b.csrf), ("threshold", threshold)],
        file_name,
        bytes,
    );
    app.http
        .post(app.at("/screen/batch"))
        .header(COOKIE, b.cookie_header())
        .header(CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

/// The job page once the job has ended (it refreshes itself while running).
async fn finished_page(app: &TestApp, b: &Browser, job: &str) -> String {
    for _ in 0..100 {
        let page = app.get(b, job).await.text().await.unwrap();
        if !page.contains("<progress") {
            return page;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the screening job {job} did not end");
}

/// The page from the heading `title` to the next heading (or the end).
fn section<'a>(page: &'a str, title: &str) -> &'a str {
    let start = page
        .find(&format!(">{title}</h2>"))
        .unwrap_or_else(|| panic!("no heading {title:?} in {page}"));
    let rest = &page[start..];
    let end = rest[1..].find("<h2").map_or(rest.len(), |i| i + 1);
    &rest[..end]
}

async fn started_job(app: &TestApp, b: &Browser, file_name: &str, bytes: &[u8]) -> String {
    let r = upload_table(app, b, file_name, bytes, "").await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    r.headers()[LOCATION].to_str().unwrap().to_string()
}

async fn a_csv_screened_on_the_page_shows_progress_and_its_results_download_for_the_owner_only(
    app: &TestApp,
) {
    let b = app.sign_in("kaz.admin").await;
    let csv = "id,name,birth_date\nq1,Мухаммад Тахир,\nq2,Nobody Atall Here,\nq3,???,\n"
        .as_bytes()
        .to_vec();
    let r = upload_table(app, &b, "names.csv", &csv, "").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let job = r.headers()[LOCATION].to_str().unwrap().to_string();
    let page = finished_page(app, &b, &job).await;
    assert!(
        page.contains("3 rows screened: 1 with candidates, 1 could not be screened."),
        "{page}"
    );
    assert!(
        page.contains("Read as CSV in UTF-8, separated by commas."),
        "{page}"
    );
    // The candidate is on the page, and the row that failed with its reason.
    let hits = section(&page, "Candidates");
    assert!(hits.contains("TAi.005") && hits.contains("q1"), "{hits}");
    assert!(!hits.contains("q2") && !hits.contains("q3"), "{hits}");
    let failed = section(&page, "Rows that could not be screened");
    assert!(
        failed.contains("q3") && failed.contains("letters"),
        "{failed}"
    );
    let result = app.get(&b, &format!("{job}/result.csv")).await;
    assert_eq!(result.headers()[CONTENT_TYPE], "text/csv; charset=utf-8");
    let text = result.text().await.unwrap();
    // A download for a spreadsheet: UTF-8 with a byte-order mark.
    assert!(text.starts_with("\u{feff}id,name,rank,match_id"), "{text}");
    assert!(text.contains("q1,Мухаммад Тахир,1,TAi.005"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("q3,") && l.contains("letters")),
        "{text}"
    );
    let other = app.sign_in("kgz.admin").await;
    assert_eq!(
        app.get(&other, &format!("{job}/result.csv")).await.status(),
        StatusCode::NOT_FOUND
    );
    // Past the retention the result is deleted, with the names in it; the
    // job keeps its counts.
    app.store
        .expire_screening_results(accord_store::now_ms() + 1)
        .await
        .unwrap();
    let page = app.get(&b, &job).await.text().await.unwrap();
    assert!(
        page.contains("3 rows screened: 1 with candidates, 1 could not be screened."),
        "{page}"
    );
    assert!(page.contains("The results were deleted 24 hours"), "{page}");
    assert!(!page.contains("TAi.005"), "{page}");
    assert!(!page.contains("result.csv"), "{page}");
    assert_eq!(
        app.get(&b, &format!("{job}/result.csv")).await.status(),
        StatusCode::NOT_FOUND
    );

    // A file over the row limit is refused before anything runs.
    let mut many = String::from("id,name\n");
    for i in 0..1_001 {
        many.push_str(&format!("{i},x\n"));
    }
    let r = upload_table(app, &b, "many.csv", many.as_bytes(), "0.8").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    // On the file form, with the threshold as typed.
    assert!(page.contains("at most 1000 rows at once"), "{page}");
    assert!(page.contains(r#"name="threshold" value="0.8""#), "{page}");
    // Markup in a name is text on the page.
    let job = started_job(
        app,
        &b,
        "markup.csv",
        b"id,name,birth_date\nx1,<script>alert(1)</script> Karimov,not a date\n",
    )
    .await;
    let page = finished_page(app, &b, &job).await;
    let failed = section(&page, "Rows that could not be screened");
    assert!(
        failed.contains("&lt;script&gt;alert(1)&lt;/script&gt; Karimov"),
        "{failed}"
    );
    assert!(!page.contains("<script>alert(1)"), "{page}");
    // A file without a name column is refused on the form, before any job.
    let r = upload_table(app, &b, "bad.csv", b"id,nom\n1,x\n", "").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("no \"name\" column") || page.contains("no &quot;name&quot; column"),
        "{page}"
    );
    // Two screenings running for the user: a third waits.
    let kaz = app
        .store
        .user_by_username(&accord_core::Username::parse("kaz.admin").unwrap())
        .await
        .unwrap();
    for _ in 0..2 {
        app.store
            .create_screening_job(kaz.id, "running.csv", Some(1))
            .await
            .unwrap();
    }
    let r = upload_table(app, &b, "third.csv", b"id,name\n1,x\n", "").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("at most 2 screenings may run at once"),
    );
    assert_eq!(app.store.running_screening_jobs(kaz.id).await.unwrap(), 2);
}

async fn a_russian_spreadsheet_csv_is_read_in_its_encoding_and_separator(app: &TestApp) {
    let b = app.sign_in("kaz.admin").await;
    // As Russian-locale Excel saves "CSV (разделители — точка с запятой)".
    let text = "id;name;country\r\nк-1;Мухаммад Тахир Анвари;Афганистан\r\nк-2;Иван Петров;RU\r\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(text);
    let job = started_job(app, &b, "клиенты.csv", &bytes).await;
    let page = finished_page(app, &b, &job).await;
    assert!(
        page.contains("2 rows screened: 1 with candidates, 0 could not be screened."),
        "{page}"
    );
    assert!(
        page.contains("Read as CSV in windows-1251, separated by semicolons."),
        "{page}"
    );
    let hits = section(&page, "Candidates");
    assert!(
        hits.contains("Мухаммад Тахир Анвари") && hits.contains("TAi.005"),
        "{hits}"
    );
    // The download is UTF-8 whatever the upload was.
    let csv = app
        .get(&b, &format!("{job}/result.csv"))
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains("к-1,Мухаммад Тахир Анвари,1,TAi.005"), "{csv}");

    // And in Russian, the page says so in Russian.
    let page = finished_page(app, &b, &format!("{job}?lang=ru")).await;
    assert!(
        page.contains("Проверено строк: 2; с кандидатами: 1; не удалось проверить: 0."),
        "{page}"
    );
    assert!(page.contains("разделители — точками с запятой"), "{page}");
}

async fn an_xlsx_workbook_is_screened_from_its_first_sheet(app: &TestApp) {
    let b = app.sign_in("kaz.admin").await;
    let xlsx = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../screening/tests/fixtures/batch.xlsx"
    ))
    .unwrap();
    let job = started_job(app, &b, "travellers.xlsx", &xlsx).await;
    let page = finished_page(app, &b, &job).await;
    assert!(
        page.contains("3 rows screened: 1 with candidates, 0 could not be screened."),
        "{page}"
    );
    assert!(
        page.contains("Read from the Excel sheet “Travellers”."),
        "{page}"
    );
    assert!(section(&page, "Candidates").contains("TAi.005"), "{page}");

    // A workbook that is not one is refused on the form.
    let r = upload_table(app, &b, "broken.xlsx", &xlsx[..xlsx.len() / 2], "").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("the XLSX workbook could not be read"),
        "{page}"
    );
}

async fn a_file_whose_every_row_fails_is_not_reported_as_done(app: &TestApp) {
    let b = app.sign_in("kaz.admin").await;
    let job = started_job(app, &b, "junk.csv", b"id,name\n1,???\n2,!!!\n3,\n").await;
    let page = finished_page(app, &b, &job).await;
    assert!(
        page.contains("3 rows screened: 0 with candidates, 3 could not be screened."),
        "{page}"
    );
    assert!(page.contains("No row could be screened"), "{page}");
    assert!(page.contains(r#"class="notice error""#), "{page}");
    assert!(!page.contains("Done"), "{page}");
    let failed = section(&page, "Rows that could not be screened");
    for id in ["<td>1</td>", "<td>2</td>", "<td>3</td>"] {
        assert!(failed.contains(id), "{id} in {failed}");
    }
    // The reasons in the reader's language.
    let page = finished_page(app, &b, &format!("{job}?lang=ru")).await;
    assert!(page.contains("в имени нет букв"), "{page}");
    assert!(page.contains("имя пустое"), "{page}");
    // Another user learns nothing of the job, not even that it exists.
    let other = app.sign_in("kgz.admin").await;
    assert_eq!(app.get(&other, &job).await.status(), StatusCode::NOT_FOUND);
}

async fn the_name_form_shows_a_verdict_the_kind_and_what_was_searched_under_the_form(
    app: &TestApp,
) {
    let b = app.sign_in("kaz.admin").await;
    let r = app
        .post_form(&b, "/screen", &[("name", "Мухаммад Тахир Анвари")])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    let results = page.find(r#"id="results""#).expect("a results heading");
    let batch = page.find(r#"id="batch""#).expect("the file form's heading");
    assert!(results < batch, "the answer comes before the file form");
    let answer = &page[results..batch];
    assert!(answer.contains("Probable match: review"), "{answer}");
    assert!(answer.contains("Person"), "{answer}");
    assert!(answer.contains("<details>"), "{answer}");
    assert!(answer.contains("weak aliases too"), "{answer}");
}
