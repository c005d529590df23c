//! Charts as standalone SVG strings, rendered on the server.
//!
//! - No scripts, no event attributes, no external references: the markup is
//!   static and safe to inline in a page under a strict CSP or to serve as
//!   `image/svg+xml`.
//! - Accessible: `role="img"`, a `<title>` and a `<desc>` that states the data
//!   in words, a `<title>` on every bar segment and point, text labels.
//! - Printable in black and white: every status has a pattern (solid, hatched,
//!   dotted, ...) as well as a colour, and every pillar a dash style and a
//!   marker shape, with the values written next to them.
//! - All text is XML-escaped; ids are derived from a sanitized chart id so
//!   several charts can share a page.

use std::fmt::Write as _;

use crate::framework::Catalogue;
use crate::progress::{Cell, Matrix, PillarSeries, StatusCounts};
use crate::report::ReportStatus;
use crate::round::ReportingRound;

/// Escapes text for XML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 forbids are dropped.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// Keeps `[a-z0-9-]` so the id is safe inside attributes and `url(#...)`.
fn slug(id: &str) -> String {
    let s: String = id
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')
        .collect();
    if s.is_empty() { "chart".into() } else { s }
}

fn fmt_pct(v: f64) -> String {
    format!("{}%", (v * 100.0).round() as i64)
}

/// Status order in the stacked bars, most advanced first.
const STACK: [Cell; 8] = Cell::ALL;

fn pattern_id(prefix: &str, cell: Cell) -> String {
    format!("{prefix}-{}", cell.as_str().replace('_', "-"))
}

/// Colour and pattern of each status: distinct in colour and in black and white.
fn pattern_defs(prefix: &str) -> String {
    let mut d = String::from("<defs>");
    for cell in STACK {
        let id = pattern_id(prefix, cell);
        let body = match cell {
            Cell::Reported(ReportStatus::Implemented) => {
                r##"<rect width="8" height="8" fill="#1b5e20"/>"##.to_string()
            }
            Cell::Reported(ReportStatus::InProgress) => {
                r##"<rect width="8" height="8" fill="#a5d6a7"/><path d="M0,8 L8,0 M-2,2 L2,-2 M6,10 L10,6" stroke="#1b5e20" stroke-width="2"/>"##.to_string()
            }
            Cell::Reported(ReportStatus::Planned) => {
                r##"<rect width="8" height="8" fill="#fff59d"/><circle cx="4" cy="4" r="1.6" fill="#5d4037"/>"##.to_string()
            }
            Cell::Reported(ReportStatus::NotStarted) => {
                r##"<rect width="8" height="8" fill="#ffcc80"/><path d="M0,4 L8,4" stroke="#6d4c41" stroke-width="1.5"/>"##.to_string()
            }
            Cell::Reported(ReportStatus::NotApplicable) => {
                r##"<rect width="8" height="8" fill="#e0e0e0"/><path d="M0,0 L8,8 M8,0 L0,8" stroke="#616161" stroke-width="0.8"/>"##.to_string()
            }
            // Reported, status withheld: grey with vertical bars, nothing
            // like any status's colour so it reads as no status at all.
            Cell::Restricted => {
                r##"<rect width="8" height="8" fill="#b0bec5"/><path d="M2,0 L2,8 M6,0 L6,8" stroke="#37474f" stroke-width="1.2"/>"##.to_string()
            }
            // Awaited: pale blue with a sparse dot, distinct from the blank
            // of a report that never came.
            Cell::NotYetReported => {
                r##"<rect width="8" height="8" fill="#e3f2fd"/><circle cx="2" cy="2" r="0.9" fill="#1565c0"/>"##.to_string()
            }
            Cell::NotReported => r##"<rect width="8" height="8" fill="#ffffff"/>"##.to_string(),
        };
        let _ = write!(
            d,
            r#"<pattern id="{id}" patternUnits="userSpaceOnUse" width="8" height="8">{body}</pattern>"#
        );
    }
    d.push_str("</defs>");
    d
}

fn open_svg(out: &mut String, id: &str, width: u32, height: u32, title: &str, desc: &str) {
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" id="{id}" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{id}-title {id}-desc" font-family="sans-serif" font-size="12"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(title),
        escape(desc)
    );
}

/// Text with a white halo, readable over patterns.
fn label(out: &mut String, x: f64, y: f64, anchor: &str, extra: &str, text: &str) {
    let _ = write!(
        out,
        r##"<text x="{x:.1}" y="{y:.1}" text-anchor="{anchor}" stroke="#ffffff" stroke-width="3" paint-order="stroke" fill="#000000"{extra}>{}</text>"##,
        escape(text)
    );
}

/// The words of a status chart, so that a page in another language draws it
/// in that language. [`ChartWords::default`] is English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartWords {
    /// The name of each status, in the order of [`Cell::ALL`].
    pub statuses: [String; 8],
    /// The implemented share after a bar; `{pct}` becomes "40%".
    pub implemented: String,
    pub no_data: String,
    pub no_commitments: String,
}

impl Default for ChartWords {
    fn default() -> ChartWords {
        ChartWords {
            statuses: Cell::ALL.map(|c| c.label().to_string()),
            implemented: "{pct} impl.".into(),
            no_data: "No data.".into(),
            no_commitments: "no commitments".into(),
        }
    }
}

impl ChartWords {
    fn status(&self, cell: Cell) -> &str {
        let i = Cell::ALL.iter().position(|c| *c == cell).unwrap_or(0);
        &self.statuses[i]
    }
}

fn counts_sentence(c: &StatusCounts, words: &ChartWords) -> String {
    STACK
        .iter()
        .filter(|s| c.get(**s) > 0)
        .map(|s| format!("{} {}", c.get(*s), words.status(*s).to_lowercase()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A horizontal stacked bar per row (member): how many commitments have each
/// status, with the implemented share at the end of the bar.
pub fn status_bars(
    chart_id: &str,
    title: &str,
    rows: &[(String, StatusCounts)],
    words: &ChartWords,
) -> String {
    let id = slug(chart_id);
    let (left, right, bar_h, gap) = (150.0, 90.0, 22.0, 12.0);
    let plot_w = 480.0;
    let width = (left + plot_w + right) as u32;
    // The legend names the statuses the chart shows (all of them when it
    // shows none), wrapped to the chart's width: with eight statuses, and
    // Russian names, one line would run off the right edge.
    let present: Vec<Cell> = STACK
        .iter()
        .copied()
        .filter(|c| rows.iter().any(|(_, n)| n.get(*c) > 0))
        .collect();
    let legend_cells = if present.is_empty() {
        STACK.to_vec()
    } else {
        present
    };
    let mut legend = Vec::new();
    let (mut lx, mut ly) = (8.0, 30.0);
    for cell in &legend_cells {
        let w = 18.0 + words.status(*cell).chars().count() as f64 * 6.6 + 14.0;
        if lx > 8.0 && lx + w > f64::from(width) - 8.0 {
            lx = 8.0;
            ly += 20.0;
        }
        legend.push((*cell, lx, ly));
        lx += w;
    }
    let top = ly + 34.0;
    let height = (top + rows.len() as f64 * (bar_h + gap) + 24.0) as u32;
    let max = rows
        .iter()
        .map(|(_, c)| c.total())
        .max()
        .unwrap_or(0)
        .max(1) as f64;

    let desc = if rows.is_empty() {
        words.no_data.clone()
    } else {
        rows.iter()
            .map(|(l, c)| {
                format!(
                    "{l}: {}",
                    if c.total() == 0 {
                        words.no_commitments.clone()
                    } else {
                        counts_sentence(c, words)
                    }
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
            + "."
    };
    let mut s = String::new();
    open_svg(&mut s, &id, width, height, title, &desc);
    s.push_str(&pattern_defs(&id));
    s.push_str(r##"<rect width="100%" height="100%" fill="#ffffff"/>"##);
    let _ = write!(
        s,
        r#"<text x="8" y="18" font-size="14" font-weight="bold">{}</text>"#,
        escape(title)
    );
    // Legend: swatch (pattern) and name of every status shown.
    for (cell, lx, ly) in legend {
        let _ = write!(
            s,
            r##"<g class="legend"><rect x="{lx:.1}" y="{ly:.1}" width="14" height="14" fill="url(#{})" stroke="#000000" stroke-width="0.8"/><text x="{:.1}" y="{:.1}">{}</text></g>"##,
            pattern_id(&id, cell),
            lx + 18.0,
            ly + 11.0,
            escape(words.status(cell))
        );
    }
    for (i, (row_label, counts)) in rows.iter().enumerate() {
        let y = top + i as f64 * (bar_h + gap);
        label(&mut s, left - 8.0, y + bar_h * 0.7, "end", "", row_label);
        let mut x = left;
        for cell in STACK {
            let n = counts.get(cell);
            if n == 0 {
                continue;
            }
            let w = plot_w * n as f64 / max;
            let _ = write!(
                s,
                r##"<rect class="segment" x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{bar_h:.1}" fill="url(#{})" stroke="#000000" stroke-width="0.8"><title>{}</title></rect>"##,
                pattern_id(&id, cell),
                escape(&format!(
                    "{row_label}: {n} {}",
                    words.status(cell).to_lowercase()
                ))
            );
            if w >= 18.0 {
                label(
                    &mut s,
                    x + w / 2.0,
                    y + bar_h * 0.7,
                    "middle",
                    "",
                    &n.to_string(),
                );
            }
            x += w;
        }
        let share = counts
            .progress()
            .implemented_share
            .map(|v| words.implemented.replace("{pct}", &fmt_pct(v)))
            .unwrap_or_else(|| "n/a".into());
        label(
            &mut s,
            left + plot_w + 6.0,
            y + bar_h * 0.7,
            "start",
            "",
            &share,
        );
    }
    s.push_str("</svg>");
    s
}

/// [`status_bars`] for a matrix: one bar per member.
pub fn status_bars_for(chart_id: &str, title: &str, m: &Matrix, words: &ChartWords) -> String {
    let rows: Vec<(String, StatusCounts)> = m
        .counts_by_member()
        .into_iter()
        .map(|(code, c)| (code.to_string(), c))
        .collect();
    status_bars(chart_id, title, &rows, words)
}

const DASHES: [&str; 6] = ["", "8 4", "2 3", "10 3 2 3", "4 4", "1 6"];

fn marker(out: &mut String, shape: usize, x: f64, y: f64, tip: &str) {
    let t = format!("<title>{}</title>", escape(tip));
    let _ = match shape % 4 {
        0 => write!(
            out,
            r##"<circle cx="{x:.1}" cy="{y:.1}" r="4.5" fill="#000000">{t}</circle>"##
        ),
        1 => write!(
            out,
            r##"<rect x="{:.1}" y="{:.1}" width="9" height="9" fill="#ffffff" stroke="#000000" stroke-width="1.5">{t}</rect>"##,
            x - 4.5,
            y - 4.5
        ),
        2 => write!(
            out,
            r##"<path d="M{x:.1},{:.1} L{:.1},{:.1} L{:.1},{:.1} Z" fill="#000000">{t}</path>"##,
            y - 5.5,
            x + 5.0,
            y + 4.0,
            x - 5.0,
            y + 4.0
        ),
        _ => write!(
            out,
            r##"<path d="M{x:.1},{:.1} L{:.1},{y:.1} L{x:.1},{:.1} L{:.1},{y:.1} Z" fill="#ffffff" stroke="#000000" stroke-width="1.5">{t}</path>"##,
            y - 5.5,
            x + 5.5,
            y + 5.5,
            x - 5.5
        ),
    };
}

/// A line chart of progress (0–100 %) per series (pillar) over rounds.
/// `values[i]` is the share in round `rounds[i]`, `None` where there is none
/// (the line breaks there). Under the plot, a legend row per series (dash
/// style, marker, name) carries its values in the rounds' columns, so the
/// chart reads as a table on paper and labels never collide with the lines.
pub fn progress_lines(
    chart_id: &str,
    title: &str,
    rounds: &[String],
    series: &[(String, Vec<Option<f64>>)],
) -> String {
    let id = slug(chart_id);
    let (left, right, top) = (262.0, 40.0, 40.0);
    let plot_w = 440.0_f64;
    let plot_h = 220.0_f64;
    let table_top = top + plot_h + 46.0;
    let row_h = 20.0;
    let width = (left + plot_w + right) as u32;
    let height = (table_top + row_h * series.len() as f64 + 10.0) as u32;
    let n = rounds.len();
    let xs = |i: usize| {
        if n <= 1 {
            left + plot_w / 2.0
        } else {
            left + 20.0 + (plot_w - 40.0) * i as f64 / (n - 1) as f64
        }
    };
    let ys = |v: f64| top + plot_h * (1.0 - v.clamp(0.0, 1.0));

    let desc = if series.is_empty() || rounds.is_empty() {
        "No data.".to_string()
    } else {
        series
            .iter()
            .map(|(name, vals)| {
                let pts: Vec<String> = rounds
                    .iter()
                    .zip(vals)
                    .map(|(r, v)| {
                        format!("{r} {}", v.map(fmt_pct).unwrap_or_else(|| "no data".into()))
                    })
                    .collect();
                format!("{name}: {}", pts.join(", "))
            })
            .collect::<Vec<_>>()
            .join("; ")
            + "."
    };
    let mut s = String::new();
    open_svg(&mut s, &id, width, height, title, &desc);
    s.push_str(r##"<rect width="100%" height="100%" fill="#ffffff"/>"##);
    let _ = write!(
        s,
        r#"<text x="8" y="18" font-size="14" font-weight="bold">{}</text>"#,
        escape(title)
    );
    // Axes and grid.
    for k in 0..=4 {
        let v = k as f64 / 4.0;
        let y = ys(v);
        let _ = write!(
            s,
            r##"<line x1="{left:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#bdbdbd" stroke-width="0.8"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            left + plot_w,
            left - 6.0,
            y + 4.0,
            fmt_pct(v)
        );
    }
    let _ = write!(
        s,
        r##"<line x1="{left:.1}" y1="{top:.1}" x2="{left:.1}" y2="{:.1}" stroke="#000000"/><line x1="{left:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#000000"/>"##,
        top + plot_h,
        top + plot_h,
        left + plot_w,
        top + plot_h
    );
    for (i, r) in rounds.iter().enumerate() {
        // The rounds at the ends lean inward, so that a long name (or one
        // marked "(open)", or in Russian) is not cut at the chart's edge.
        let anchor = match i {
            0 if rounds.len() > 1 => "start",
            i if i + 1 == rounds.len() && i > 0 => "end",
            _ => "middle",
        };
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="{anchor}" font-weight="bold">{}</text>"#,
            xs(i),
            top + plot_h + 18.0,
            escape(r)
        );
    }
    if !series.is_empty() {
        let _ = write!(
            s,
            r##"<line x1="8" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#bdbdbd" stroke-width="0.8"/>"##,
            table_top - 14.0,
            left + plot_w,
            table_top - 14.0
        );
    }
    for (k, (name, vals)) in series.iter().enumerate() {
        let dash = DASHES[k % DASHES.len()];
        let dash_attr = if dash.is_empty() {
            String::new()
        } else {
            format!(r#" stroke-dasharray="{dash}""#)
        };
        // The line, broken where a round has no value.
        let mut run: Vec<(f64, f64)> = Vec::new();
        let flush = |run: &mut Vec<(f64, f64)>, s: &mut String| {
            if run.len() >= 2 {
                let pts: Vec<String> = run.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
                let _ = write!(
                    s,
                    r##"<polyline points="{}" fill="none" stroke="#000000" stroke-width="2"{dash_attr}/>"##,
                    pts.join(" ")
                );
            }
            run.clear();
        };
        for (i, v) in vals.iter().enumerate().take(n) {
            match v {
                Some(v) => run.push((xs(i), ys(*v))),
                None => flush(&mut run, &mut s),
            }
        }
        flush(&mut run, &mut s);
        for (i, v) in vals.iter().enumerate().take(n) {
            if let Some(v) = v {
                marker(
                    &mut s,
                    k,
                    xs(i),
                    ys(*v),
                    &format!("{name}, {}: {}", rounds[i], fmt_pct(*v)),
                );
            }
        }
        // Its legend row: dash sample with marker, name, then the values
        // under the rounds' columns.
        let ly = table_top + row_h * k as f64;
        let _ = write!(
            s,
            r##"<g class="legend"><line x1="8" y1="{:.1}" x2="44" y2="{:.1}" stroke="#000000" stroke-width="2"{dash_attr}/>"##,
            ly - 4.0,
            ly - 4.0
        );
        marker(&mut s, k, 26.0, ly - 4.0, name);
        let shown: String = if name.chars().count() > 32 {
            name.chars().take(31).collect::<String>() + "…"
        } else {
            name.clone()
        };
        let _ = write!(s, r#"<text x="52" y="{ly:.1}">{}</text>"#, escape(&shown));
        for i in 0..n {
            let v = vals.get(i).copied().flatten();
            let _ = write!(
                s,
                r#"<text x="{:.1}" y="{ly:.1}" text-anchor="middle">{}</text>"#,
                xs(i),
                v.map(fmt_pct).unwrap_or_else(|| "–".into())
            );
        }
        s.push_str("</g>");
    }
    s.push_str("</svg>");
    s
}

/// [`progress_lines`] for pillar series: the weighted progress of each pillar
/// per round, labelled "I Conditions conducive" etc. and the rounds by name.
pub fn pillar_progress_for(
    chart_id: &str,
    title: &str,
    series: &[PillarSeries],
    catalogue: &Catalogue,
    rounds: &[ReportingRound],
) -> String {
    let round_ids: Vec<_> = series
        .first()
        .map(|s| s.points.iter().map(|(r, _)| r.clone()).collect())
        .unwrap_or_default();
    let round_labels: Vec<String> = round_ids
        .iter()
        .map(|id| {
            rounds
                .iter()
                .find(|r| &r.id == id)
                .map(|r| r.name.clone())
                .unwrap_or_else(|| id.to_string())
        })
        .collect();
    let lines: Vec<(String, Vec<Option<f64>>)> = series
        .iter()
        .map(|s| {
            let name = catalogue
                .pillar(&s.pillar)
                .map(|p| format!("{} {}", p.roman(), p.short_label))
                .unwrap_or_else(|| s.pillar.to_string());
            (
                name,
                s.points
                    .iter()
                    .map(|(_, p)| p.and_then(|p| p.weighted))
                    .collect(),
            )
        })
        .collect();
    progress_lines(chart_id, title, &round_labels, &lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_and_drops_forbidden_characters() {
        assert_eq!(
            escape("<a href=\"x\">&'\u{1}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;"
        );
    }

    #[test]
    fn ids_are_sanitized() {
        assert_eq!(slug("Progress \"><script>"), "progressscript");
        assert_eq!(slug("!!"), "chart");
    }
}
