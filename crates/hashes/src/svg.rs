//! A hash's matches over time as a standalone SVG bar chart, drawn on the
//! server in the habits of the other charts (`accord-plan`, `accord-programmes`):
//! no scripts or external references, `role="img"` with a `<title>` and a
//! `<desc>` that states every value in words, a `<title>` on every bar, and
//! the values written on the chart so it prints in black and white.

use std::fmt::Write as _;

/// XML text and attribute escaping (this crate draws only this chart).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// The chart's words in the reader's language.
pub struct MatchWords<'a> {
    pub title: &'a str,
    /// "{n} matches on {day}" with `{n}` and `{day}` filled in.
    pub bar: &'a dyn Fn(u64, &str) -> String,
    pub none: &'a str,
}

/// Matches per day (`YYYY-MM-DD`, oldest first) as bars, one per day from
/// the first to the last day given (days without matches drawn as gaps).
pub fn matches_chart(chart_id: &str, days: &[(time::Date, u64)], words: &MatchWords) -> String {
    let id: String = chart_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let (w, h, left, top, bottom) = (640.0_f64, 220.0_f64, 48.0, 34.0, 40.0);
    let mut out = String::new();
    let desc = if days.is_empty() {
        words.none.to_string()
    } else {
        days.iter()
            .map(|(d, n)| (words.bar)(*n, &d.to_string()))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" id="{id}" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-title {id}-desc" font-family="sans-serif" font-size="12"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc><rect width="100%" height="100%" fill="#ffffff"/><text x="8" y="18" font-size="14" font-weight="bold">{}</text>"##,
        escape(words.title),
        escape(&desc),
        escape(words.title)
    );
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        let _ = write!(
            out,
            r##"<text x="{}" y="{}" text-anchor="middle">{}</text></svg>"##,
            w / 2.0,
            h / 2.0,
            escape(words.none)
        );
        return out;
    };
    let span = ((last.0 - first.0).whole_days().max(0) + 1) as f64;
    let max = days.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1) as f64;
    let plot_w = w - left - 12.0;
    let plot_h = h - top - bottom;
    let bar_w = (plot_w / span).max(1.0);
    // Axis and its maximum.
    let _ = write!(
        out,
        r##"<line x1="{left}" y1="{top}" x2="{left}" y2="{y0}" stroke="#000000"/><line x1="{left}" y1="{y0}" x2="{x1}" y2="{y0}" stroke="#000000"/><text x="{lx}" y="{ty}" text-anchor="end">{max}</text><text x="{lx}" y="{y0}" text-anchor="end">0</text>"##,
        y0 = top + plot_h,
        x1 = left + plot_w,
        lx = left - 4.0,
        ty = top + 4.0,
    );
    for (d, n) in days {
        let x = left + (*d - first.0).whole_days() as f64 * bar_w;
        let bh = (*n as f64 / max) * plot_h;
        let _ = write!(
            out,
            r##"<rect x="{x:.1}" y="{y:.1}" width="{bw:.1}" height="{bh:.1}" fill="#1f5f8b" stroke="#000000" stroke-width="0.5"><title>{}</title></rect>"##,
            escape(&(words.bar)(*n, &d.to_string())),
            y = top + plot_h - bh,
            bw = (bar_w - 1.0).max(1.0),
        );
    }
    let _ = write!(
        out,
        r##"<text x="{left}" y="{ly}">{}</text><text x="{rx}" y="{ly}" text-anchor="end">{}</text></svg>"##,
        first.0,
        last.0,
        ly = h - 16.0,
        rx = left + plot_w,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn words() -> (impl Fn(u64, &str) -> String, &'static str) {
        (|n, d: &str| format!("{n} matches on {d}"), "No matches yet")
    }

    #[test]
    fn every_day_is_a_bar_with_its_value_in_words() {
        let (bar, none) = words();
        let w = MatchWords {
            title: "Matches <per day>",
            bar: &bar,
            none,
        };
        let svg = matches_chart(
            "m",
            &[(date!(2026 - 11 - 01), 3), (date!(2026 - 11 - 03), 9)],
            &w,
        );
        assert_eq!(svg.matches("<rect x=").count(), 2);
        assert!(svg.contains("3 matches on 2026-11-01; 9 matches on 2026-11-03"));
        assert!(svg.contains("Matches &lt;per day&gt;"), "escaped");
        assert!(!svg.contains("<script"));
    }

    #[test]
    fn no_matches_says_so() {
        let (bar, none) = words();
        let svg = matches_chart(
            "m",
            &[],
            &MatchWords {
                title: "t",
                bar: &bar,
                none,
            },
        );
        assert!(svg.contains("No matches yet"));
    }
}
