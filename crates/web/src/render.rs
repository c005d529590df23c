//! The one way to render a page: [`page`] wraps a body in the site's layout,
//! in the user's language; the helpers here draw the pieces forms share.

use accord_core::{Action, FieldError, Invalid, authorize};
use axum::response::Html;
use maud::{DOCTYPE, Markup, html};

use crate::context::Ctx;
use crate::error::WebError;
use crate::forms::CSRF_FIELD;
use crate::i18n::Lang;

/// A full page: header with navigation, language switch and account, then `body`.
pub fn page(ctx: &Ctx, title: &str, body: Markup) -> Html<String> {
    let l = ctx.lang;
    let nav: Vec<(&str, &str)> = {
        // Home is the brand, the profile is the user's name, the API is in
        // the footer: the bar keeps the places people work in.
        let mut items = vec![
            ("/members", l.t("nav.members")),
            ("/list", l.t("nav.list")),
            ("/rounds", l.t("nav.commitments")),
            ("/programmes", l.t("nav.programmes")),
            ("/library", l.t("nav.library")),
        ];
        if authorize(&ctx.principal, &Action::ReviewPetitions).is_ok() {
            items.push(("/ombudsperson", l.t("nav.ombudsperson")));
        }
        if authorize(&ctx.principal, &Action::ViewProposals).is_ok() {
            // The procedure's rule and the merges are reached from /proposals.
            items.push(("/proposals", l.t("nav.proposals")));
            items.push(("/notifications", l.t("nav.notifications")));
        }
        if authorize(&ctx.principal, &Action::Screen).is_ok() {
            items.push(("/screen", l.t("nav.screen")));
            items.push(("/lists", l.t("nav.lists")));
            items.push(("/banks", l.t("nav.banks")));
        }
        if authorize(&ctx.principal, &Action::ViewUsers).is_ok() {
            items.push(("/admin/users", l.t("nav.users")));
        }
        if authorize(&ctx.principal, &Action::ViewAuditLog).is_ok() {
            items.push(("/admin/audit", l.t("nav.audit")));
        }
        items
    };
    let current = |href: &str| {
        let section: &[&str] = match href {
            "/rounds" => &["/rounds", "/commitments", "/strategies"],
            "/proposals" => &["/proposals", "/procedure", "/subjects/merge"],
            "/banks" => &["/banks", "/hashes"],
            _ => &[],
        };
        ctx.path == href || section.iter().any(|p| ctx.path.starts_with(p))
    };
    let markup = html! {
        (DOCTYPE)
        html lang=(l.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — Accord" }
                link rel="stylesheet" href="/static/accord.css";
                link rel="icon" href="/static/favicon.svg" type="image/svg+xml";
            }
            body {
                a.skip href="#main" { (l.t("layout.skip")) }
                header.site {
                    div.bar {
                        a.brand href="/" { "Accord" }
                        // Shown by menu.js on narrow screens only.
                        button.menu type="button" aria-expanded="false" aria-controls="site-nav" hidden {
                            (l.t("layout.menu"))
                            @if let Some(n) = ctx.unread.filter(|n| *n > 0) { " " span.badge.warn { (n) } }
                        }
                        nav #site-nav aria-label=(l.t("layout.navigation")) {
                            ul {
                                @for (href, label) in &nav {
                                    li { a href=(href) aria-current=[current(href).then_some("page")] {
                                        (label)
                                        // The unread count beside Notifications, said in words too.
                                        @if *href == "/notifications" && let Some(n) = ctx.unread.filter(|n| *n > 0) {
                                            " " span.badge.warn aria-label=(l.tf("notice.unread", &[("n", &n.to_string())])) { (n) }
                                        }
                                    } }
                                }
                            }
                        }
                        div.account {
                            span.langs role="group" aria-label=(l.t("layout.language")) {
                                @for other in Lang::ALL {
                                    " "
                                    a href={ (same_origin_path(&ctx.path).unwrap_or("/")) "?lang=" (other.code()) } hreflang=(other.code()) lang=(other.code())
                                        aria-current=[(other == l).then_some("true")] { (other.endonym()) }
                                }
                            }
                            @if let Some(user) = &ctx.user {
                                a.user href="/profile" title=(l.t("nav.profile")) { (user.display_name) " (" (user.username) ")" }
                                form method="post" action="/logout" {
                                    (csrf_field(ctx))
                                    button.link type="submit" { (l.t("nav.sign_out")) }
                                }
                            } @else {
                                a href="/login" { (l.t("nav.sign_in")) }
                            }
                        }
                    }
                }
                main id="main" { (body) }
                footer.site {
                    (l.t("layout.footer")) " · " a href="/api/docs" { (l.t("nav.api")) }
                }
                script src="/static/menu.js" defer {}
                script src="/static/confirm.js" defer {}
            }
        }
    };
    Html(markup.into_string())
}

pub fn error_page(ctx: &Ctx, error: &WebError) -> Html<String> {
    let l = ctx.lang;
    let title = match error.status().as_u16() {
        404 => l.t("error.title_not_found"),
        403 => l.t("error.title_forbidden"),
        _ => l.t("error.title"),
    };
    page(
        ctx,
        title,
        html! {
            h1 { (title) }
            div.notice.error role="alert" {
                p { (error.page_message(l)) }
                @if let WebError::Invalid(invalid) = error {
                    ul { @for e in &invalid.errors { li { strong { (l.field_label(&e.field)) } ": " (l.message(&e.message)) } } }
                }
            }
            p { a href="/" { (l.t("error.home")) } }
        },
    )
}

/// The hidden fields every POST form carries: the CSRF token, and a
/// one-time form token, new each time the form is drawn, by which the same
/// form sent twice is written once ([`crate::idempotency::form_replay`]).
pub fn csrf_field(ctx: &Ctx) -> Markup {
    use rand::RngCore;
    let mut once = [0u8; 16];
    rand::rng().fill_bytes(&mut once);
    html! {
        input type="hidden" name=(CSRF_FIELD) value=(ctx.csrf_token);
        input type="hidden" name=(crate::idempotency::FORM_FIELD) value=(hex::encode(once));
    }
}

/// A summary of a rejected form, above the form.
pub fn form_errors(lang: Lang, errors: Option<&Invalid>) -> Markup {
    html! {
        @if let Some(invalid) = errors {
            div.notice.error role="alert" {
                p { strong { (lang.t("form.fix_errors")) } }
                ul { @for e in &invalid.errors { li { a href={ "#" (e.field) } { (lang.field_label(&e.field)) } ": " (lang.message(&e.message)) } } }
            }
        }
    }
}

/// One labelled input with its hint and its error.
pub struct Field<'a> {
    pub name: &'a str,
    pub label: &'a str,
    pub value: &'a str,
    pub kind: &'a str,
    pub required: bool,
    pub hint: Option<&'a str>,
    /// Focused when the page opens (the one field a page is for).
    pub autofocus: bool,
}

impl<'a> Field<'a> {
    pub fn text(name: &'a str, label: &'a str, value: &'a str) -> Field<'a> {
        Field {
            name,
            label,
            value,
            kind: "text",
            required: false,
            hint: None,
            autofocus: false,
        }
    }

    /// A multi-line text: a `textarea` with the same label, hint and error.
    pub fn textarea(name: &'a str, label: &'a str, value: &'a str) -> Field<'a> {
        Field::text(name, label, value).kind("textarea")
    }

    pub fn kind(mut self, kind: &'a str) -> Self {
        self.kind = kind;
        self
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn hint(mut self, hint: &'a str) -> Self {
        self.hint = Some(hint);
        self
    }

    pub fn autofocus(mut self) -> Self {
        self.autofocus = true;
        self
    }

    pub fn render(&self, errors: Option<&Invalid>) -> Markup {
        self.render_in(Lang::En, errors)
    }

    /// Renders with the field's error message in `lang`.
    pub fn render_in(&self, lang: Lang, errors: Option<&Invalid>) -> Markup {
        let error: Option<&FieldError> =
            errors.and_then(|i| i.errors.iter().find(|e| e.field == self.name));
        let hint_id = format!("{}-hint", self.name);
        let error_id = format!("{}-error", self.name);
        let described = [
            self.hint.map(|_| hint_id.as_str()),
            error.map(|_| error_id.as_str()),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        html! {
            div.field {
                label for=(self.name) { (self.label) @if self.required { " *" } }
                @if let Some(h) = self.hint { div.hint id=(hint_id) { (h) } }
                @if let Some(e) = error { div.error-text id=(error_id) { (lang.message(&e.message)) } }
                @if self.kind == "textarea" {
                    textarea id=(self.name) name=(self.name) rows="8"
                        required[self.required] autofocus[self.autofocus] aria-invalid=[error.map(|_| "true")]
                        aria-describedby=[(!described.is_empty()).then_some(described.as_str())] { (self.value) }
                } @else {
                    input type=(self.kind) id=(self.name) name=(self.name) value=(self.value)
                        required[self.required] autofocus[self.autofocus] aria-invalid=[error.map(|_| "true")]
                        aria-describedby=[(!described.is_empty()).then_some(described.as_str())];
                }
            }
        }
    }
}

/// What [`url_encode`] escapes: everything but the RFC 3986 unreserved
/// characters and `/`, which is left alone so that a `next=/members/KAZ`
/// stays readable; `?`, `&`, `=` and `#` are escaped so a value cannot end
/// its parameter or start another.
const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// `target` if it is a path on this site that is safe to send a browser to
/// (a redirect after sign-in, a language link), else `None`. It must start
/// with one `/` and parse, relative to this origin, as a URL of this origin;
/// no control character or backslash may appear in it, raw or
/// percent-encoded, nor raw whitespace (browsers strip tabs and newlines from URLs, so
/// `/\t/evil.example/` would become `//evil.example/`, and treat `\` as `/`).
pub fn same_origin_path(target: &str) -> Option<&str> {
    let unsafe_char = |c: char| c.is_control() || c == '\\';
    let decoded = percent_encoding::percent_decode_str(target).decode_utf8_lossy();
    if !target.starts_with('/')
        || target.starts_with("//")
        || decoded.starts_with("//")
        || target.chars().any(|c| unsafe_char(c) || c.is_whitespace())
        || decoded.chars().any(unsafe_char)
    {
        return None;
    }
    let base = url::Url::parse("https://accord.invalid/").expect("a valid base URL");
    let joined = base.join(target).ok()?;
    (joined.origin() == base.origin()).then_some(target)
}

/// Percent-encodes a string for use in a query parameter.
pub fn url_encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, QUERY_VALUE).to_string()
}

/// An instant as `YYYY-MM-DD HH:MM UTC`: the one way pages show a time.
pub fn format_instant(t: time::OffsetDateTime) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    t.to_offset(time::UtcOffset::UTC)
        .format(fmt)
        .unwrap_or_default()
}

/// A stored Unix-milliseconds time as [`format_instant`] shows it.
pub fn format_ms(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map(format_instant)
        .unwrap_or_default()
}

/// A file size as people read it: "840 B", "12 KB", "3.4 MB" ("3,4 МБ"
/// in Russian), in units of 1,024.
pub fn file_size(lang: Lang, bytes: u64) -> String {
    let (value, unit) = match bytes {
        b if b < 1024 => return format!("{b} {}", lang.t("units.bytes")),
        b if b < 1024 * 1024 => (b as f64 / 1024.0, lang.t("units.kilobytes")),
        b if b < 1024 * 1024 * 1024 => (b as f64 / (1024.0 * 1024.0), lang.t("units.megabytes")),
        b => (
            b as f64 / (1024.0 * 1024.0 * 1024.0),
            lang.t("units.gigabytes"),
        ),
    };
    let number = if value < 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.0}")
    };
    let number = match lang {
        Lang::Ru => number.replace('.', ","),
        Lang::En => number,
    };
    format!("{number} {unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_sizes_read_in_units_with_the_languages_decimal_mark() {
        assert_eq!(file_size(Lang::En, 840), "840 B");
        assert_eq!(file_size(Lang::En, 12 * 1024 + 100), "12 KB");
        assert_eq!(file_size(Lang::En, 3_565_158), "3.4 MB");
        assert_eq!(file_size(Lang::Ru, 3_565_158), "3,4 МБ");
        assert_eq!(file_size(Lang::Ru, 5 * 1024 * 1024 * 1024), "5,0 ГБ");
    }

    #[test]
    fn urls_are_encoded() {
        assert_eq!(url_encode("/members/KAZ?x=1&y"), "/members/KAZ%3Fx%3D1%26y");
    }

    #[test]
    fn url_encoding_keeps_unreserved_characters_and_escapes_the_rest_as_utf8() {
        assert_eq!(url_encode("aZ09-_.~/"), "aZ09-_.~/");
        assert_eq!(url_encode("a b+c#d%"), "a%20b%2Bc%23d%25");
        assert_eq!(url_encode("Иван"), "%D0%98%D0%B2%D0%B0%D0%BD");
    }

    #[test]
    fn times_are_shown_in_utc() {
        assert_eq!(format_ms(0), "1970-01-01 00:00 UTC");
    }
}

#[cfg(test)]
mod path_tests {
    use super::same_origin_path;

    #[test]
    fn only_paths_of_this_site_are_followed() {
        for ok in [
            "/",
            "/members/KAZ",
            "/proposals?state=open",
            "/a%20b",
            "/search?q=%D0%B0",
        ] {
            assert_eq!(same_origin_path(ok), Some(ok), "{ok:?}");
        }
        for bad in [
            "",
            "members",
            "//evil.example/",
            "///evil.example/",
            "/\\evil.example",
            "\\\\evil.example",
            "https://evil.example/",
            "/\t/evil.example/",
            "/%09/evil.example/",
            "/%0a/evil.example/",
            "/\n/evil.example/",
            "/\r\nSet-Cookie: x=1",
            "/%2F/evil.example/",
            "/%5Cevil.example",
            "/ evil",
            "/\u{0}",
            "/\u{85}x",
            "/\u{3000}evil",
        ] {
            assert_eq!(same_origin_path(bad), None, "{bad:?}");
        }
    }
}
