//! What the lists of work share (proposals, petitions, users, the audit
//! log): the query string read once into filters, an order and a page, with
//! a translated error for each bad parameter instead of a 400; the filter
//! form that keeps what was typed; and the pager, "1–50 of 312" with links
//! that keep the query. The API routes read the same parameters and answer
//! [`Listed`]: the page's rows and how many match in all.

use accord_core::Invalid;
use accord_store::Window;
use maud::{Markup, html};
use serde::Serialize;
use time::Date;

use crate::error::WebError;
use crate::i18n::Lang;
use crate::render::url_encode;

/// Rows on a page unless `per_page` says otherwise.
pub const PER_PAGE: i64 = 50;
/// The most rows a page may have.
pub const MAX_PER_PAGE: i64 = 500;

/// The parameter of a page's size, kept as a hidden input of the filter form.
const PER_PAGE_PARAM: &str = "per_page";

/// The parameters of a list's query string, as sent, and what was wrong
/// with them (each message already in the reader's language).
pub struct ListQuery {
    params: Vec<(String, String)>,
    lang: Lang,
    invalid: Invalid,
}

impl ListQuery {
    pub fn parse(raw: Option<&str>, lang: Lang) -> ListQuery {
        let params = url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
            .into_owned()
            .collect();
        ListQuery {
            params,
            lang,
            invalid: Invalid { errors: Vec::new() },
        }
    }

    /// A parameter as typed (the first, trimmed), or `""`.
    pub fn raw(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .unwrap_or("")
    }

    /// A free-text filter: `None` when empty.
    pub fn text(&self, name: &str) -> Option<String> {
        Some(self.raw(name).to_string()).filter(|v| !v.is_empty())
    }

    /// Records that `name` is wrong, with a message in the reader's language.
    pub fn reject(&mut self, name: &str, message: String) {
        if !self.invalid.errors.iter().any(|e| e.field == name) {
            self.invalid.errors.push(accord_core::FieldError {
                field: name.to_string(),
                message,
            });
        }
    }

    /// One of `options` by its value; `None` when empty or not one of them
    /// (then an error).
    pub fn choice<T: Copy>(&mut self, name: &str, options: &[(&str, T)]) -> Option<T> {
        let raw = self.raw(name);
        if raw.is_empty() {
            return None;
        }
        let found = options.iter().find(|(v, _)| *v == raw).map(|(_, t)| *t);
        if found.is_none() {
            let message = self.lang.t("work_lists.err_choice").to_string();
            self.reject(name, message);
        }
        found
    }

    /// The order, from `sort`: one of `options`, or the first when none is asked.
    pub fn sort<T: Copy>(&mut self, options: &[SortOption<T>]) -> T {
        let pairs: Vec<(&str, T)> = options.iter().map(|o| (o.value, o.order)).collect();
        self.choice("sort", &pairs).unwrap_or(options[0].order)
    }

    /// A calendar date as `YYYY-MM-DD`; `None` when empty or wrong (then an error).
    pub fn date(&mut self, name: &str) -> Option<Date> {
        let raw = self.raw(name);
        if raw.is_empty() {
            return None;
        }
        let parsed = Date::parse(
            raw,
            time::macros::format_description!("[year]-[month]-[day]"),
        );
        if parsed.is_err() {
            let message = self.lang.t("work_lists.err_date").to_string();
            self.reject(name, message);
        }
        parsed.ok()
    }

    /// A date range `from`–`to` (both days included) as Unix milliseconds,
    /// start inclusive and end exclusive; `from` after `to` is an error.
    pub fn date_range(&mut self, from: &str, to: &str) -> (Option<i64>, Option<i64>) {
        let start = self.date(from);
        let end = self.date(to);
        if let (Some(s), Some(e)) = (start, end)
            && s > e
        {
            let message = self.lang.t("work_lists.err_from_after_to").to_string();
            self.reject(from, message);
            return (None, None);
        }
        let ms = |d: Date| d.midnight().assume_utc().unix_timestamp() * 1000;
        (start.map(ms), end.map(|d| ms(d) + 24 * 60 * 60 * 1000))
    }

    /// A whole number 1 or more; `None` when empty or wrong (then an error).
    pub fn whole_number(&mut self, name: &str) -> Option<i64> {
        let raw = self.raw(name);
        if raw.is_empty() {
            return None;
        }
        let n = raw.parse::<i64>().ok().filter(|n| *n >= 1);
        if n.is_none() {
            let message = self.lang.t("work_lists.err_number").to_string();
            self.reject(name, message);
        }
        n
    }

    fn number(&mut self, name: &str, default: i64, max: i64, message: String) -> i64 {
        let raw = self.raw(name);
        if raw.is_empty() {
            return default;
        }
        match raw.parse::<i64>() {
            Ok(n) if (1..=max).contains(&n) => n,
            _ => {
                self.reject(name, message);
                default
            }
        }
    }

    /// The page asked for (`page`, from 1) and its size (`per_page`).
    pub fn window(&mut self) -> Window {
        let per_page = self.number(
            PER_PAGE_PARAM,
            PER_PAGE,
            MAX_PER_PAGE,
            self.lang.tf(
                "work_lists.err_per_page",
                &[("max", &MAX_PER_PAGE.to_string())],
            ),
        );
        let page = self.number(
            "page",
            1,
            i64::MAX / MAX_PER_PAGE,
            self.lang.t("work_lists.err_page").to_string(),
        );
        Window::new(per_page, (page - 1) * per_page)
    }

    /// What was wrong, if anything.
    pub fn errors(&self) -> Option<&Invalid> {
        (!self.invalid.errors.is_empty()).then_some(&self.invalid)
    }

    /// For the API: the errors as a 422, or nothing.
    pub fn check(&self) -> Result<(), WebError> {
        match self.errors() {
            Some(invalid) => Err(WebError::Invalid(invalid.clone())),
            None => Ok(()),
        }
    }

    /// `path` with this query, `page` replaced (left out when `None`) and
    /// the language switch dropped.
    pub fn href(&self, path: &str, page: Option<i64>) -> String {
        let mut parts: Vec<String> = self
            .params
            .iter()
            .filter(|(k, v)| k != "page" && k != "lang" && !v.trim().is_empty())
            .map(|(k, v)| format!("{}={}", url_encode(k), url_encode(v.trim())))
            .collect();
        if let Some(p) = page {
            parts.push(format!("page={p}"));
        }
        if parts.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{}", parts.join("&"))
        }
    }
}

/// One way a list can be ordered, as the sort menu offers it.
pub struct SortOption<T> {
    pub value: &'static str,
    pub label: &'static str,
    pub order: T,
}

impl<T> SortOption<T> {
    /// The order `order` as `sort=value`, labelled by the catalogue's `key`.
    pub fn new(l: Lang, value: &'static str, key: &'static str, order: T) -> SortOption<T> {
        SortOption {
            value,
            label: l.t(key),
            order,
        }
    }
}

/// A list's page: 422 when a parameter was wrong (the page says which).
pub fn respond(q: &ListQuery, page: axum::response::Html<String>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut response = page.into_response();
    if q.errors().is_some() {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

/// An input of a list's filter form.
pub enum Control {
    /// A menu: "All" (empty) then `(value, label)` choices.
    Select(Vec<(String, String)>),
    /// The sort menu: its choices, no "All".
    Sort(Vec<(String, String)>),
    Text,
    Date,
}

/// A labelled input of a filter form, named as its query parameter.
pub struct Filter<'a> {
    pub name: &'a str,
    pub label: &'a str,
    pub control: Control,
}

impl<'a> Filter<'a> {
    pub fn select(name: &'a str, label: &'a str, options: Vec<(String, String)>) -> Filter<'a> {
        Filter {
            name,
            label,
            control: Control::Select(options),
        }
    }

    pub fn text(name: &'a str, label: &'a str) -> Filter<'a> {
        Filter {
            name,
            label,
            control: Control::Text,
        }
    }

    pub fn date(name: &'a str, label: &'a str) -> Filter<'a> {
        Filter {
            name,
            label,
            control: Control::Date,
        }
    }

    /// The sort menu of `options`.
    pub fn sort<T>(l: Lang, options: &[SortOption<T>]) -> Filter<'static> {
        Filter {
            name: "sort",
            label: l.t("work_lists.sort"),
            control: Control::Sort(
                options
                    .iter()
                    .map(|o| (o.value.to_string(), o.label.to_string()))
                    .collect(),
            ),
        }
    }
}

/// The filter form of a list at `action`: what was sent kept in each input,
/// a summary of what was wrong above it and each error beside its input.
pub fn filter_form(l: Lang, q: &ListQuery, action: &str, filters: &[Filter]) -> Markup {
    let error = |name: &str| {
        q.errors()
            .and_then(|i| i.errors.iter().find(|e| e.field == name))
            .map(|e| e.message.clone())
    };
    // The parameters without an input of their own are named too.
    let label_of = |name: &str| match filters.iter().find(|f| f.name == name) {
        Some(f) => f.label.to_string(),
        None => match name {
            "page" => l.t("work_lists.page").to_string(),
            "per_page" => l.t("work_lists.per_page").to_string(),
            "before" => l.t("work_lists.before").to_string(),
            other => l.field_label(other),
        },
    };
    html! {
        @if let Some(invalid) = q.errors() {
            div.notice.error role="alert" {
                p { strong { (l.t("work_lists.fix_filters")) } }
                ul { @for e in &invalid.errors {
                    li { a href={ "#filter-" (e.field) } { (label_of(&e.field)) } ": " (e.message) }
                } }
            }
        }
        form.filters method="get" action=(action) role="search" aria-label=(l.t("work_lists.filters")) {
            @for f in filters {
                @let id = format!("filter-{}", f.name);
                @let value = q.raw(f.name);
                @let err = error(f.name);
                @let err_id = format!("{id}-error");
                div.field {
                    label for=(id) { (f.label) }
                    @if let Some(e) = &err { div.error-text id=(err_id) { (e) } }
                    @match &f.control {
                        Control::Select(options) | Control::Sort(options) => {
                            select id=(id) name=(f.name) aria-invalid=[err.as_ref().map(|_| "true")]
                                aria-describedby=[err.as_ref().map(|_| err_id.as_str())] {
                                @if matches!(f.control, Control::Select(_)) {
                                    option value="" { (l.t("work_lists.all")) }
                                }
                                @for (v, text) in options { option value=(v) selected[value == v] { (text) } }
                                // A value not offered stays visible, marked wrong.
                                @if !value.is_empty() && !options.iter().any(|(v, _)| v == value) {
                                    option value=(value) selected { (value) }
                                }
                            }
                        }
                        Control::Text => {
                            input type="search" id=(id) name=(f.name) value=(value)
                                aria-invalid=[err.as_ref().map(|_| "true")]
                                aria-describedby=[err.as_ref().map(|_| err_id.as_str())];
                        }
                        Control::Date => {
                            // A text input, so that a wrong date comes back as typed.
                            input type="text" inputmode="numeric" placeholder="YYYY-MM-DD" pattern="[0-9]{4}-[0-9]{2}-[0-9]{2}"
                                id=(id) name=(f.name) value=(value) size="10"
                                aria-invalid=[err.as_ref().map(|_| "true")]
                                aria-describedby=[err.as_ref().map(|_| err_id.as_str())];
                        }
                    }
                }
            }
            @if !q.raw(PER_PAGE_PARAM).is_empty() {
                input type="hidden" name=(PER_PAGE_PARAM) value=(q.raw(PER_PAGE_PARAM));
            }
            div.filter-actions {
                button type="submit" { (l.t("work_lists.apply")) }
                " " a href=(action) { (l.t("work_lists.clear")) }
            }
        }
    }
}

/// "1–50 of 312" and links to the pages before and after, keeping the query.
pub fn pager(l: Lang, q: &ListQuery, path: &str, window: Window, total: i64) -> Markup {
    let per_page = window.limit.max(1);
    let page = window.offset / per_page + 1;
    let first = (window.offset + 1).min(total);
    let last = (window.offset + per_page).min(total);
    let range = l.tf(
        "work_lists.range",
        &[
            ("first", &first.to_string()),
            ("last", &last.to_string()),
            ("total", &total.to_string()),
        ],
    );
    // Past the end (an old link, a typed page number): say so and lead to
    // the last page, rather than "no rows" as if the list were empty.
    let pages = (total + per_page - 1) / per_page;
    if total > 0 && window.offset >= total {
        return html! {
            nav.pager aria-label=(l.t("work_lists.pages")) {
                span.range { (l.tf("work_lists.past_end", &[("page", &page.to_string()), ("pages", &pages.to_string()), ("total", &total.to_string())])) }
                " " a rel="prev" href=(q.href(path, Some(pages))) { "← " (l.t("work_lists.last_page")) }
            }
        };
    }
    html! {
        nav.pager aria-label=(l.t("work_lists.pages")) {
            span.range { (range) }
            @if page > 1 {
                " " a rel="prev" href=(q.href(path, Some((page - 1).min((total + per_page - 1) / per_page).max(1)))) { "← " (l.t("work_lists.previous")) }
            }
            @if window.offset + per_page < total {
                " " a rel="next" href=(q.href(path, Some(page + 1))) { (l.t("work_lists.next")) " →" }
            }
        }
    }
}

/// A page of a list as the API answers it.
#[derive(Serialize)]
pub struct Listed<T> {
    /// How many match the filters in all.
    pub total: i64,
    /// The page, from 1.
    pub page: i64,
    pub per_page: i64,
    pub items: Vec<T>,
}

impl<T> Listed<T> {
    pub fn new(window: Window, total: i64, items: Vec<T>) -> Listed<T> {
        let per_page = window.limit.max(1);
        Listed {
            total,
            page: window.offset / per_page + 1,
            per_page,
            items,
        }
    }
}

/// The rows of `window` out of a list already in memory (a short one: the
/// accounts), and how many there are.
pub fn slice<T>(rows: Vec<T>, window: Window) -> (Vec<T>, i64) {
    let total = rows.len() as i64;
    let items = rows
        .into_iter()
        .skip(usize::try_from(window.offset).unwrap_or(usize::MAX))
        .take(usize::try_from(window.limit).unwrap_or(0))
        .collect();
    (items, total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_page_a_bad_choice_and_a_bad_date_are_each_named_in_the_readers_language() {
        let mut q = ListQuery::parse(Some("page=0&status=nope&from=2026-13-01"), Lang::Ru);
        assert_eq!(q.window(), Window::new(PER_PAGE, 0));
        assert_eq!(q.choice("status", &[("open", 1)]), None);
        assert_eq!(q.date("from"), None);
        let fields: Vec<&str> = q
            .errors()
            .unwrap()
            .errors
            .iter()
            .map(|e| e.field.as_str())
            .collect();
        assert_eq!(fields, ["page", "status", "from"]);
        assert_eq!(
            q.errors().unwrap().errors[2].message,
            Lang::Ru.t("work_lists.err_date")
        );
    }

    #[test]
    fn a_range_from_after_to_is_refused_and_the_to_day_is_included() {
        let mut q = ListQuery::parse(Some("from=2026-03-02&to=2026-03-01"), Lang::En);
        assert_eq!(q.date_range("from", "to"), (None, None));
        assert_eq!(q.errors().unwrap().errors[0].field, "from");
        let mut q = ListQuery::parse(Some("from=1970-01-01&to=1970-01-01"), Lang::En);
        assert_eq!(q.date_range("from", "to"), (Some(0), Some(86_400_000)));
        assert!(q.errors().is_none());
    }

    #[test]
    fn paging_links_keep_the_query_and_replace_the_page() {
        let q = ListQuery::parse(
            Some("status=open&page=3&lang=ru&actor=a%20b&empty="),
            Lang::En,
        );
        assert_eq!(q.href("/x", Some(4)), "/x?status=open&actor=a%20b&page=4");
        assert_eq!(q.href("/x.csv", None), "/x.csv?status=open&actor=a%20b");
    }

    #[test]
    fn the_pager_counts_the_rows_shown_and_links_only_where_there_are_more() {
        let q = ListQuery::parse(Some("page=2"), Lang::En);
        let html = pager(Lang::En, &q, "/l", Window::new(50, 50), 120).into_string();
        assert!(html.contains("51–100 of 120"), "{html}");
        assert!(html.contains("href=\"/l?page=1\"") && html.contains("href=\"/l?page=3\""));
        let html = pager(Lang::En, &q, "/l", Window::new(50, 0), 0).into_string();
        assert!(
            html.contains("0–0 of 0") && !html.contains("href"),
            "{html}"
        );
    }

    #[test]
    fn a_slice_is_the_windows_rows_and_the_count_of_all() {
        assert_eq!(
            slice((1..=7).collect(), Window::new(3, 3)),
            (vec![4, 5, 6], 7)
        );
    }
}
