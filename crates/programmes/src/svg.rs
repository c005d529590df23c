//! Charts as standalone SVG strings, drawn on the server with the habits of
//! `accord-plan`'s charts (whose `escape` is reused): no scripts, no event
//! attributes, no external references (only `url(#…)` to the chart's own
//! patterns); `role="img"`, a `<title>` and a `<desc>` stating every value
//! in words, a `<title>` on every bar; patterns as well as colours, and the
//! values written beside the bars, so they print in black and white.
//!
//! `accord-plan`'s own charts draw report statuses and 0–100 % lines; these
//! draw counts and money on a numeric axis, so they are separate functions
//! on the same conventions rather than a second engine's worth of options.

use std::fmt::Write as _;

use accord_plan::svg::escape;

use crate::aggregate::{IndicatorSeries, MoneyTotals, YearCounts, group_thousands};
use crate::model::{Amount, Measure, ProgrammeKind};

fn slug(id: &str) -> String {
    let s: String = id
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')
        .collect();
    if s.is_empty() { "chart".into() } else { s }
}

fn open(out: &mut String, id: &str, w: u32, h: u32, title: &str, desc: &str) {
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" id="{id}" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-title {id}-desc" font-family="sans-serif" font-size="12"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc><rect width="100%" height="100%" fill="#ffffff"/><text x="8" y="18" font-size="14" font-weight="bold">{}</text>"##,
        escape(title),
        escape(desc),
        escape(title)
    );
}

fn label(out: &mut String, x: f64, y: f64, anchor: &str, text: &str) {
    let _ = write!(
        out,
        r##"<text x="{x:.1}" y="{y:.1}" text-anchor="{anchor}" stroke="#ffffff" stroke-width="3" paint-order="stroke" fill="#000000">{}</text>"##,
        escape(text)
    );
}

/// A round axis maximum at or above `v` (1, 2 or 5 times a power of ten).
fn nice_max(v: f64) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|m| *m >= v)
        .unwrap_or(10.0 * p)
}

/// The words of the charts, so a page in another language draws them in
/// that language. `Default` is English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Words {
    pub target: String,
    pub actual: String,
    pub baseline: String,
    pub budget: String,
    pub spent: String,
    pub committed: String,
    pub no_data: String,
    /// The label of each programme kind, in the order of [`ProgrammeKind::ALL`].
    pub kinds: [String; 10],
}

impl Default for Words {
    fn default() -> Words {
        Words {
            target: "Target".into(),
            actual: "Actual".into(),
            baseline: "Baseline".into(),
            budget: "Budget".into(),
            spent: "Spent".into(),
            committed: "Committed".into(),
            no_data: "No data.".into(),
            kinds: ProgrammeKind::ALL.map(|k| k.label().to_string()),
        }
    }
}

impl Words {
    fn kind(&self, k: ProgrammeKind) -> &str {
        let i = ProgrammeKind::ALL.iter().position(|x| *x == k).unwrap_or(0);
        &self.kinds[i]
    }
}

fn value_text(v: f64, measure: Measure) -> String {
    match measure {
        Measure::Percentage => format!("{}%", crate::programme::fmt_number(v)),
        _ => group_thousands(v),
    }
}

/// Targets (hatched outline) and actuals (solid) side by side for each
/// period, and the baseline as a dashed line; values written on the bars.
pub fn indicator_chart(chart_id: &str, title: &str, s: &IndicatorSeries, words: &Words) -> String {
    let id = slug(chart_id);
    let (left, top, plot_h, group_w) = (70.0, 64.0, 220.0, 110.0);
    let n = s.points.len();
    let plot_w = (group_w * n.max(1) as f64).max(220.0);
    let width = (left + plot_w + 30.0) as u32;
    let height = (top + plot_h + 50.0) as u32;
    let max = s
        .points
        .iter()
        .flat_map(|p| [p.target, p.actual])
        .flatten()
        .chain(s.baseline.map(|b| b.1))
        .fold(0.0, f64::max);
    let max = if s.measure == Measure::Percentage {
        100.0
    } else {
        nice_max(max)
    };
    let y = |v: f64| top + plot_h * (1.0 - (v / max).clamp(0.0, 1.0));

    let mut desc: Vec<String> = Vec::new();
    if let Some((year, v)) = s.baseline {
        desc.push(format!(
            "{} {year}: {}",
            words.baseline,
            value_text(v, s.measure)
        ));
    }
    for p in &s.points {
        let t = p.target.map_or("–".into(), |v| value_text(v, s.measure));
        let a = p.actual.map_or("–".into(), |v| value_text(v, s.measure));
        desc.push(format!(
            "{}: {} {t}, {} {a}",
            p.label,
            words.target.to_lowercase(),
            words.actual.to_lowercase()
        ));
    }
    let desc = if desc.is_empty() {
        words.no_data.clone()
    } else {
        desc.join("; ") + "."
    };

    let mut o = String::new();
    open(&mut o, &id, width, height, title, &desc);
    let _ = write!(
        o,
        r##"<defs><pattern id="{id}-target" patternUnits="userSpaceOnUse" width="6" height="6"><rect width="6" height="6" fill="#e3f2fd"/><path d="M0,6 L6,0" stroke="#0d47a1" stroke-width="1.2"/></pattern></defs>"##
    );
    // Legend.
    let _ = write!(
        o,
        r##"<g class="legend"><rect x="8" y="30" width="14" height="14" fill="url(#{id}-target)" stroke="#0d47a1"/><text x="26" y="41">{}</text><rect x="100" y="30" width="14" height="14" fill="#0d47a1"/><text x="118" y="41">{}</text><line x1="190" y1="37" x2="214" y2="37" stroke="#000000" stroke-width="2" stroke-dasharray="6 3"/><text x="218" y="41">{}</text></g>"##,
        escape(&words.target),
        escape(&words.actual),
        escape(&words.baseline)
    );
    for k in 0..=4 {
        let v = max * k as f64 / 4.0;
        let yy = y(v);
        let _ = write!(
            o,
            r##"<line x1="{left}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="#bdbdbd" stroke-width="0.8"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            left + plot_w,
            left - 6.0,
            yy + 4.0,
            escape(&value_text(v, s.measure))
        );
    }
    let _ = write!(
        o,
        r##"<line x1="{left}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#000000"/>"##,
        top + plot_h,
        left + plot_w,
        top + plot_h
    );
    for (i, p) in s.points.iter().enumerate() {
        let gx = left + group_w * i as f64 + 15.0;
        for (j, (v, fill, name)) in [
            (p.target, format!("url(#{id}-target)"), &words.target),
            (p.actual, "#0d47a1".to_string(), &words.actual),
        ]
        .into_iter()
        .enumerate()
        {
            let Some(v) = v else { continue };
            let x = gx + j as f64 * 40.0;
            let yy = y(v);
            let text = value_text(v, s.measure);
            let _ = write!(
                o,
                r##"<rect class="bar" x="{x:.1}" y="{yy:.1}" width="36" height="{:.1}" fill="{fill}" stroke="#0d47a1"><title>{}</title></rect>"##,
                (top + plot_h - yy).max(0.0),
                escape(&format!("{}, {}: {text}", p.label, name.to_lowercase()))
            );
            label(&mut o, x + 18.0, yy - 4.0, "middle", &text);
        }
        label(&mut o, gx + 38.0, top + plot_h + 18.0, "middle", &p.label);
    }
    if let Some((year, v)) = s.baseline {
        let yy = y(v);
        let _ = write!(
            o,
            r##"<line class="baseline" x1="{left}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="#000000" stroke-width="2" stroke-dasharray="6 3"><title>{}</title></line>"##,
            left + plot_w,
            escape(&format!(
                "{} {year}: {}",
                words.baseline,
                value_text(v, s.measure)
            ))
        );
    }
    o.push_str("</svg>");
    o
}

/// Per currency, the budget (hatched) against what was spent (solid:
/// disbursements and expenditure) and committed (outline); amounts written.
pub fn budget_chart(chart_id: &str, title: &str, totals: &[MoneyTotals], words: &Words) -> String {
    let id = slug(chart_id);
    let (left, top, bar_h, plot_w) = (110.0, 64.0, 16.0, 420.0);
    let group_h = bar_h * 3.0 + 18.0;
    let width = (left + plot_w + 150.0) as u32;
    let height = (top + group_h * totals.len().max(1) as f64 + 10.0) as u32;
    let money = |h: i64| group_thousands(Amount::from_hundredths(h).as_f64());
    let desc = if totals.is_empty() {
        words.no_data.clone()
    } else {
        totals
            .iter()
            .map(|t| {
                format!(
                    "{}: {} {}, {} {}, {} {}",
                    t.currency,
                    words.budget.to_lowercase(),
                    money(t.budget),
                    words.committed.to_lowercase(),
                    money(t.committed),
                    words.spent.to_lowercase(),
                    money(t.spent())
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
            + "."
    };
    let mut o = String::new();
    open(&mut o, &id, width, height, title, &desc);
    let _ = write!(
        o,
        r##"<defs><pattern id="{id}-budget" patternUnits="userSpaceOnUse" width="6" height="6"><rect width="6" height="6" fill="#fff8e1"/><path d="M0,6 L6,0" stroke="#e65100" stroke-width="1.2"/></pattern></defs><g class="legend"><rect x="8" y="30" width="14" height="14" fill="url(#{id}-budget)" stroke="#e65100"/><text x="26" y="41">{}</text><rect x="110" y="30" width="14" height="14" fill="#ffffff" stroke="#e65100" stroke-width="2"/><text x="128" y="41">{}</text><rect x="220" y="30" width="14" height="14" fill="#e65100"/><text x="238" y="41">{}</text></g>"##,
        escape(&words.budget),
        escape(&words.committed),
        escape(&words.spent)
    );
    for (i, t) in totals.iter().enumerate() {
        let gy = top + group_h * i as f64;
        let max = [t.budget, t.committed, t.spent()]
            .into_iter()
            .max()
            .unwrap_or(0)
            .max(1) as f64;
        label(&mut o, left - 8.0, gy + bar_h * 1.8, "end", &t.currency);
        for (j, (v, fill, stroke_w, name)) in [
            (t.budget, format!("url(#{id}-budget)"), 1.0, &words.budget),
            (t.committed, "#ffffff".to_string(), 2.0, &words.committed),
            (t.spent(), "#e65100".to_string(), 1.0, &words.spent),
        ]
        .into_iter()
        .enumerate()
        {
            let y = gy + j as f64 * bar_h;
            let w = plot_w * v.max(0) as f64 / max;
            let text = format!("{} {}", money(v), t.currency);
            let _ = write!(
                o,
                r##"<rect class="bar" x="{left}" y="{y:.1}" width="{w:.1}" height="{:.1}" fill="{fill}" stroke="#e65100" stroke-width="{stroke_w}"><title>{}</title></rect>"##,
                bar_h - 2.0,
                escape(&format!("{name}: {text}"))
            );
            label(&mut o, left + w + 6.0, y + bar_h - 4.0, "start", &text);
        }
    }
    o.push_str("</svg>");
    o
}

/// Ten fills that stay distinct in black and white: five hatch styles on a
/// light and on a dark ground.
fn kind_pattern(prefix: &str, i: usize) -> String {
    let colours = [
        "#1b5e20", "#0d47a1", "#b71c1c", "#4a148c", "#e65100", "#006064", "#3e2723", "#827717",
        "#263238", "#880e4f",
    ];
    let marks = [
        "",
        r##"<path d="M0,8 L8,0" stroke="#ffffff" stroke-width="1.5"/>"##,
        r##"<circle cx="4" cy="4" r="1.6" fill="#ffffff"/>"##,
        r##"<path d="M0,4 L8,4" stroke="#ffffff" stroke-width="1.5"/>"##,
        r##"<path d="M0,0 L8,8 M8,0 L0,8" stroke="#ffffff" stroke-width="1"/>"##,
    ];
    let ground = if i < 5 { colours[i] } else { "#ffffff" };
    let mark = if i < 5 {
        marks[i].to_string()
    } else {
        marks[i - 5].replace("#ffffff", colours[i])
    };
    // The light grounds get a tint of their colour, so the plain one is
    // not mistaken for the page.
    let tint = if i >= 5 {
        format!(
            r#"<rect width="8" height="8" fill="{}" opacity="0.25"/>"#,
            colours[i]
        )
    } else {
        String::new()
    };
    format!(
        r#"<pattern id="{prefix}-k{i}" patternUnits="userSpaceOnUse" width="8" height="8"><rect width="8" height="8" fill="{ground}"/>{tint}{mark}</pattern>"#
    )
}

/// A stacked bar per year: how many programmes of each kind ran in it.
pub fn kinds_by_year_chart(
    chart_id: &str,
    title: &str,
    years: &[YearCounts],
    words: &Words,
) -> String {
    let id = slug(chart_id);
    let kinds: Vec<ProgrammeKind> = ProgrammeKind::ALL
        .into_iter()
        .filter(|k| {
            years
                .iter()
                .any(|y| y.counts.get(k).is_some_and(|n| *n > 0))
        })
        .collect();
    let (left, top, plot_h, bar_w, gap) =
        (50.0, 56.0 + 18.0 * kinds.len() as f64, 220.0, 44.0, 18.0);
    let plot_w = ((bar_w + gap) * years.len().max(1) as f64).max(200.0);
    let width = (left + plot_w + 20.0).max(420.0) as u32;
    let height = (top + plot_h + 40.0) as u32;
    // Counts: whole-number ticks (the axis maximum is a multiple of 4).
    let most = years.iter().map(|y| y.total()).max().unwrap_or(0).max(1) as f64;
    let max = (most / 4.0).ceil() * 4.0;
    let desc = if years.is_empty() {
        words.no_data.clone()
    } else {
        years
            .iter()
            .map(|y| {
                let parts: Vec<String> = y
                    .counts
                    .iter()
                    .filter(|(_, n)| **n > 0)
                    .map(|(k, n)| format!("{n} {}", words.kind(*k).to_lowercase()))
                    .collect();
                format!(
                    "{}: {}",
                    y.year,
                    if parts.is_empty() {
                        "0".into()
                    } else {
                        parts.join(", ")
                    }
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
            + "."
    };
    let mut o = String::new();
    open(&mut o, &id, width, height, title, &desc);
    o.push_str("<defs>");
    for (i, _) in ProgrammeKind::ALL.iter().enumerate() {
        o.push_str(&kind_pattern(&id, i));
    }
    o.push_str("</defs>");
    for (row, k) in kinds.iter().enumerate() {
        let i = ProgrammeKind::ALL.iter().position(|x| x == k).unwrap_or(0);
        let y = 30.0 + 18.0 * row as f64;
        let _ = write!(
            o,
            r##"<g class="legend"><rect x="8" y="{y:.1}" width="14" height="14" fill="url(#{id}-k{i})" stroke="#000000" stroke-width="0.8"/><text x="26" y="{:.1}">{}</text></g>"##,
            y + 11.0,
            escape(words.kind(*k))
        );
    }
    let ys = |v: f64| top + plot_h * (1.0 - (v / max).clamp(0.0, 1.0));
    for k in 0..=4 {
        let v = max * k as f64 / 4.0;
        let _ = write!(
            o,
            r##"<line x1="{left}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#bdbdbd" stroke-width="0.8"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            ys(v),
            left + plot_w,
            ys(v),
            left - 6.0,
            ys(v) + 4.0,
            crate::programme::fmt_number(v)
        );
    }
    for (i, y) in years.iter().enumerate() {
        let x = left + gap / 2.0 + (bar_w + gap) * i as f64;
        let mut acc = 0.0;
        for k in &kinds {
            let n = y.counts.get(k).copied().unwrap_or(0);
            if n == 0 {
                continue;
            }
            let ki = ProgrammeKind::ALL.iter().position(|x| x == k).unwrap_or(0);
            let (y0, y1) = (ys(acc), ys(acc + n as f64));
            let _ = write!(
                o,
                r##"<rect class="segment" x="{x:.1}" y="{y1:.1}" width="{bar_w}" height="{:.1}" fill="url(#{id}-k{ki})" stroke="#000000" stroke-width="0.8"><title>{}</title></rect>"##,
                y0 - y1,
                escape(&format!(
                    "{}: {n} {}",
                    y.year,
                    words.kind(*k).to_lowercase()
                ))
            );
            if y0 - y1 >= 14.0 {
                label(
                    &mut o,
                    x + bar_w / 2.0,
                    (y0 + y1) / 2.0 + 4.0,
                    "middle",
                    &n.to_string(),
                );
            }
            acc += n as f64;
        }
        label(
            &mut o,
            x + bar_w / 2.0,
            ys(acc) - 4.0,
            "middle",
            &y.total().to_string(),
        );
        label(
            &mut o,
            x + bar_w / 2.0,
            top + plot_h + 18.0,
            "middle",
            &y.year.to_string(),
        );
    }
    o.push_str("</svg>");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_maxima_are_round() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(7.0), 10.0);
        assert_eq!(nice_max(150.0), 200.0);
        assert_eq!(nice_max(1240.0), 2000.0);
        assert_eq!(nice_max(5000.0), 5000.0);
    }

    #[test]
    fn chart_ids_are_sanitized() {
        assert_eq!(slug("Budget \"><script>"), "budgetscript");
    }
}
