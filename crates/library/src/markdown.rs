//! Item bodies are Markdown, rendered safely: raw HTML is shown as text,
//! never passed through; links go only to web, mail or same-site addresses
//! and carry `rel="noopener noreferrer nofollow"`; images become links
//! (a page never loads a picture from elsewhere).

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};

/// Whether a link target is one a reader may be sent to.
fn safe_url(url: &str) -> bool {
    let u = url.trim().to_ascii_lowercase();
    if let Some((scheme, _)) = u.split_once(':') {
        // "a/b:c" is a path, not a scheme.
        if !scheme.contains('/') && !scheme.contains('?') && !scheme.contains('#') {
            return matches!(scheme, "http" | "https" | "mailto");
        }
    }
    true
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The body as HTML that is safe to put in a page.
pub fn render(markdown: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES;
    let mut in_bad_link = Vec::new();
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        // Raw HTML, block or inline, is shown as the text it is.
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            dest_url, title, ..
        })
        | Event::Start(Tag::Image {
            dest_url, title, ..
        }) => {
            if safe_url(&dest_url) {
                in_bad_link.push(false);
                let title = if title.is_empty() {
                    String::new()
                } else {
                    format!(" title=\"{}\"", escape(&title))
                };
                Event::InlineHtml(CowStr::from(format!(
                    "<a href=\"{}\"{title} rel=\"noopener noreferrer nofollow\">",
                    escape(&dest_url)
                )))
            } else {
                in_bad_link.push(true);
                Event::Text(CowStr::from(""))
            }
        }
        Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => {
            if in_bad_link.pop().unwrap_or(true) {
                Event::Text(CowStr::from(""))
            } else {
                Event::InlineHtml(CowStr::from("</a>"))
            }
        }
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

/// The body as plain text: what the search index and snippets read.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::new();
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                out.push_str(&t)
            }
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::BlockQuote(_)
                | TagEnd::CodeBlock,
            ) => out.push(' '),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_shown_as_text() {
        let html = render("Hello <script>alert(1)</script>\n\n<div onclick=x>hi</div>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<div"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn links_open_safely_and_javascript_links_are_dropped() {
        let html =
            render("[report](https://unrcca.unmissions.org/x) and [bad](javascript:alert(1))");
        assert!(html.contains(
            "<a href=\"https://unrcca.unmissions.org/x\" rel=\"noopener noreferrer nofollow\">report</a>"
        ));
        assert!(!html.contains("javascript"), "{html}");
        assert!(html.contains("bad"));
    }

    #[test]
    fn images_are_links_not_loaded_pictures() {
        let html = render("![poster](https://example.org/p.png)");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("<a href=\"https://example.org/p.png\""));
    }

    #[test]
    fn attribute_quotes_in_urls_are_escaped() {
        let html = render("[x](https://a.org/\"onmouseover=\"alert(1))");
        assert!(!html.contains("\"onmouseover"), "{html}");
    }

    #[test]
    fn headings_lists_and_tables_render() {
        let html = render("## Findings\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
        assert!(html.contains("<h2>Findings</h2>"));
        assert!(html.contains("<li>one</li>"));
        assert!(html.contains("<table>"));
    }

    #[test]
    fn plain_text_drops_the_markup() {
        assert_eq!(
            plain_text("## Findings\n\n*Young* people [online](https://x.org)."),
            "Findings Young people online."
        );
    }
}
