//! Counter-narratives: the message's audience and channel, the campaign it
//! belongs to, and its reach over time (per period and channel), entered by
//! hand or imported as CSV, drawn as a server-side SVG chart.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use time::Date;

use accord_core::MemberCode;
use accord_core::validation::{self, FieldError, Invalid};

use crate::item::{Known, members, push};

#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub enum AgeBand {
    #[default]
    #[serde(rename = "all")]
    All,
    #[serde(rename = "under-15")]
    Under15,
    #[serde(rename = "15-24")]
    From15To24,
    #[serde(rename = "25-34")]
    From25To34,
    #[serde(rename = "35-54")]
    From35To54,
    #[serde(rename = "55+")]
    From55,
}

impl AgeBand {
    pub const ALL: [AgeBand; 6] = [
        AgeBand::All,
        AgeBand::Under15,
        AgeBand::From15To24,
        AgeBand::From25To34,
        AgeBand::From35To54,
        AgeBand::From55,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            AgeBand::All => "all",
            AgeBand::Under15 => "under-15",
            AgeBand::From15To24 => "15-24",
            AgeBand::From25To34 => "25-34",
            AgeBand::From35To54 => "35-54",
            AgeBand::From55 => "55+",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Gender {
    #[default]
    All,
    Women,
    Men,
}

impl Gender {
    pub const ALL: [Gender; 3] = [Gender::All, Gender::Women, Gender::Men];
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::All => "all",
            Gender::Women => "women",
            Gender::Men => "men",
        }
    }
}

/// Where the message goes out.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Channel {
    #[default]
    SocialNetwork,
    Messenger,
    Radio,
    Tv,
    Sermon,
    School,
    CommunityEvent,
}

impl Channel {
    pub const ALL: [Channel; 7] = [
        Channel::SocialNetwork,
        Channel::Messenger,
        Channel::Radio,
        Channel::Tv,
        Channel::Sermon,
        Channel::School,
        Channel::CommunityEvent,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::SocialNetwork => "social-network",
            Channel::Messenger => "messenger",
            Channel::Radio => "radio",
            Channel::Tv => "tv",
            Channel::Sermon => "sermon",
            Channel::School => "school",
            Channel::CommunityEvent => "community-event",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Audience {
    pub age: AgeBand,
    pub gender: Gender,
    /// The region targeted ("Fergana Valley").
    pub region: String,
    /// The at-risk group ("returnees' families").
    pub at_risk: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterNarrative {
    pub audience: Audience,
    pub channel: Channel,
    /// The channel's name: the social network, station or messenger.
    pub channel_name: String,
    /// The propaganda theme it answers.
    pub answers: String,
    pub campaign: Option<i64>,
    /// Where the media are published (links).
    pub links: Vec<String>,
}

impl CounterNarrative {
    pub fn to_input(&self) -> CounterNarrativeInput {
        CounterNarrativeInput {
            age: self.audience.age.as_str().into(),
            gender: self.audience.gender.as_str().into(),
            region: self.audience.region.clone(),
            at_risk: self.audience.at_risk.clone(),
            channel: self.channel.as_str().into(),
            channel_name: self.channel_name.clone(),
            answers: self.answers.clone(),
            campaign: self.campaign.map(|c| c.to_string()).unwrap_or_default(),
            links: self.links.join("\n"),
        }
    }
}

/// A counter-narrative's fields as written (every field a text, as a form
/// sends them; JSON clients send the same strings).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CounterNarrativeInput {
    pub age: String,
    pub gender: String,
    pub region: String,
    pub at_risk: String,
    pub channel: String,
    pub channel_name: String,
    pub answers: String,
    /// A campaign's id; blank for none.
    pub campaign: String,
    /// Links, one a line.
    pub links: String,
}

impl CounterNarrativeInput {
    pub fn is_empty(&self) -> bool {
        *self == CounterNarrativeInput::default()
    }

    pub fn validate(&self, known: &Known<'_>) -> Result<CounterNarrative, Invalid> {
        let mut errors: Vec<FieldError> = Vec::new();
        let age = match self.age.trim() {
            "" => AgeBand::All,
            s => AgeBand::ALL
                .into_iter()
                .find(|a| a.as_str() == s)
                .unwrap_or_else(|| {
                    push(
                        &mut errors,
                        "counter.age",
                        "is not an age band: all, under-15, 15-24, 25-34, 35-54 or 55+",
                    );
                    AgeBand::All
                }),
        };
        let gender = match self.gender.trim() {
            "" => Gender::All,
            s => Gender::ALL
                .into_iter()
                .find(|g| g.as_str() == s)
                .unwrap_or_else(|| {
                    push(&mut errors, "counter.gender", "is all, women or men");
                    Gender::All
                }),
        };
        let channel = match self.channel.trim() {
            "" => Channel::SocialNetwork,
            s => Channel::ALL.into_iter().find(|c| c.as_str() == s).unwrap_or_else(|| {
                push(
                    &mut errors,
                    "counter.channel",
                    "is not a channel: social-network, messenger, radio, tv, sermon, school or community-event",
                );
                Channel::SocialNetwork
            }),
        };
        let mut text = |field: &str, v: &str| {
            validation::name(field, v, false, 200)
                .map_err(|e| errors.extend(e.errors))
                .unwrap_or_default()
        };
        let region = text("counter.region", &self.region);
        let at_risk = text("counter.at_risk", &self.at_risk);
        let channel_name = text("counter.channel_name", &self.channel_name);
        let answers = text("counter.answers", &self.answers);
        let campaign = match self.campaign.trim() {
            "" => None,
            s => match s.parse::<i64>() {
                Ok(id) if (known.campaign)(id) => Some(id),
                _ => {
                    push(&mut errors, "counter.campaign", "is not a campaign");
                    None
                }
            },
        };
        let mut links = Vec::new();
        for l in self.links.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if (l.starts_with("https://") || l.starts_with("http://"))
                && l.len() <= 2_000
                && !l.contains(char::is_whitespace)
            {
                links.push(l.to_string());
            } else {
                push(
                    &mut errors,
                    "counter.links",
                    format!("{l} is not a web address (https://…)"),
                );
            }
        }
        if !errors.is_empty() {
            return Err(Invalid { errors });
        }
        Ok(CounterNarrative {
            audience: Audience {
                age,
                gender,
                region,
                at_risk,
            },
            channel,
            channel_name,
            answers,
            campaign,
            links,
        })
    }
}

/// A campaign groups counter-narratives, with its dates and partners.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Campaign {
    pub id: i64,
    pub name: String,
    pub description: String,
    #[serde(with = "crate::iso_date")]
    pub starts: Date,
    #[serde(with = "crate::iso_date")]
    pub ends: Date,
    /// The member that runs it; `None`: the secretariat.
    pub owner: Option<MemberCode>,
    pub partners: BTreeSet<MemberCode>,
}

impl Campaign {
    /// Who may change or delete it: the platform's one policy says (its
    /// owner's administrators and the secretariat).
    pub fn may_manage(&self, who: &accord_core::Principal) -> bool {
        accord_core::authorize(who, &self.keeping()).is_ok()
    }

    /// The action changing or deleting it is, for the policy to decide.
    pub fn keeping(&self) -> accord_core::Action {
        accord_core::Action::KeepGroupOrCampaign {
            owner: self.owner.clone(),
        }
    }

    /// The campaign as its form shows it.
    pub fn to_input(&self) -> CampaignInput {
        CampaignInput {
            name: self.name.clone(),
            description: self.description.clone(),
            starts: self.starts.to_string(),
            ends: self.ends.to_string(),
            partners: self
                .partners
                .iter()
                .map(MemberCode::as_str)
                .collect::<Vec<_>>()
                .join(" "),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CampaignInput {
    pub name: String,
    pub description: String,
    pub starts: String,
    pub ends: String,
    /// Member codes, separated by spaces or commas.
    pub partners: String,
}

/// A campaign's checked fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedCampaign {
    pub name: String,
    pub description: String,
    pub starts: Date,
    pub ends: Date,
    pub partners: BTreeSet<MemberCode>,
}

fn date(errors: &mut Vec<FieldError>, field: &str, raw: &str) -> Option<Date> {
    Date::parse(
        raw.trim(),
        &time::format_description::well_known::Iso8601::DATE,
    )
    .map_err(|_| push(errors, field, "is not a date (YYYY-MM-DD)"))
    .ok()
}

impl CampaignInput {
    pub fn validate(&self) -> Result<CheckedCampaign, Invalid> {
        let mut errors = Vec::new();
        let name = validation::name("name", &self.name, true, 200)
            .map_err(|e| errors.extend(e.errors))
            .unwrap_or_default();
        let description = validation::text("description", &self.description, false, 4_000)
            .map_err(|e| errors.extend(e.errors))
            .unwrap_or_default();
        let starts = date(&mut errors, "starts", &self.starts);
        let ends = date(&mut errors, "ends", &self.ends);
        if let (Some(s), Some(e)) = (starts, ends)
            && e < s
        {
            push(&mut errors, "ends", "is before the start");
        }
        let codes: Vec<String> = self
            .partners
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        let partners = members(&mut errors, "partners", &codes);
        match (errors.is_empty(), starts, ends) {
            (true, Some(starts), Some(ends)) => Ok(CheckedCampaign {
                name,
                description,
                starts,
                ends,
                partners,
            }),
            _ => Err(Invalid { errors }),
        }
    }
}

impl CheckedCampaign {
    /// A changed period must still hold the reach already recorded for the
    /// campaign's items: the same rule as entering a row, so no row is left
    /// outside its campaign. A row outside is refused on the date that
    /// excludes it, saying how many rows and the first of them.
    pub fn check_reach(&self, recorded: &[ReachRow]) -> Result<(), Invalid> {
        let before: Vec<&ReachRow> = recorded
            .iter()
            .filter(|r| r.period_start < self.starts)
            .collect();
        let after: Vec<&ReachRow> = recorded
            .iter()
            .filter(|r| r.period_end > self.ends)
            .collect();
        let mut errors = Vec::new();
        for (field, rows) in [("starts", before), ("ends", after)] {
            if let Some(first) = rows.iter().min_by_key(|r| (r.period_start, r.period_end)) {
                push(
                    &mut errors,
                    field,
                    format!(
                        "{} reach rows of the campaign's items fall outside the new period (the first from {} to {}): keep them inside or correct them first",
                        rows.len(),
                        first.period_start,
                        first.period_end
                    ),
                );
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Invalid { errors })
        }
    }
}

/// One period's reach on one channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReachRow {
    #[serde(with = "crate::iso_date")]
    pub period_start: Date,
    #[serde(with = "crate::iso_date")]
    pub period_end: Date,
    /// The channel's name as the platform reports it ("Telegram", "Radio Azattyk").
    pub channel: String,
    pub impressions: u64,
    pub views: u64,
    pub reactions: u64,
    pub shares: u64,
    pub comments: u64,
    pub clicks: u64,
    /// Where the platform reports it.
    pub watch_seconds: Option<u64>,
}

impl ReachRow {
    pub fn engagements(&self) -> u64 {
        self.reactions + self.shares + self.comments
    }

    /// Clicks per impression, where there were impressions.
    pub fn click_through(&self) -> Option<f64> {
        (self.impressions > 0).then(|| self.clicks as f64 / self.impressions as f64)
    }
}

/// A reach row as written: every number a text, so that "-5" or "many" is
/// named in the error instead of failing the whole body's parse.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReachRowInput {
    pub period_start: String,
    pub period_end: String,
    pub channel: String,
    #[serde(deserialize_with = "number_text")]
    pub impressions: String,
    #[serde(deserialize_with = "number_text")]
    pub views: String,
    #[serde(deserialize_with = "number_text")]
    pub reactions: String,
    #[serde(deserialize_with = "number_text")]
    pub shares: String,
    #[serde(deserialize_with = "number_text")]
    pub comments: String,
    #[serde(deserialize_with = "number_text")]
    pub clicks: String,
    #[serde(deserialize_with = "number_text")]
    pub watch_seconds: String,
}

/// Reach as an API client or a form sends it: rows, or a CSV text with the
/// header [`REACH_CSV_HEADER`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReachInput {
    pub rows: Vec<ReachRowInput>,
    pub csv: String,
}

/// The columns of a reach CSV file, in order.
pub const REACH_CSV_HEADER: &str = "period_start,period_end,channel,impressions,views,reactions,shares,comments,clicks,watch_seconds";

/// The most rows one submission may carry.
pub const MAX_REACH_ROWS: usize = 10_000;

fn number_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum N {
        I(i64),
        F(f64),
        S(String),
    }
    Ok(match Option::<N>::deserialize(d)? {
        None => String::new(),
        Some(N::I(i)) => i.to_string(),
        Some(N::F(f)) => f.to_string(),
        Some(N::S(s)) => s,
    })
}

impl ReachInput {
    /// Every row checked, each error named by its row (`rows[3].views`, or
    /// `csv` with the line); rows must fall inside `within` (the campaign's
    /// dates) when the item belongs to one.
    pub fn validate(&self, within: Option<(Date, Date)>) -> Result<Vec<ReachRow>, Invalid> {
        let mut errors = Vec::new();
        let mut rows_in: Vec<(String, ReachRowInput)> = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| (format!("rows[{i}]"), r.clone()))
            .collect();
        if !self.csv.trim().is_empty() {
            let mut reader = csv::ReaderBuilder::new()
                .trim(csv::Trim::All)
                .flexible(false)
                .from_reader(self.csv.as_bytes());
            match reader.headers() {
                Ok(h) if h.iter().collect::<Vec<_>>().join(",") == REACH_CSV_HEADER => {}
                _ => push(
                    &mut errors,
                    "csv",
                    format!("the first line must be the header {REACH_CSV_HEADER}"),
                ),
            }
            if errors.is_empty() {
                for (i, rec) in reader.deserialize::<ReachRowInput>().enumerate() {
                    match rec {
                        Ok(r) => rows_in.push((format!("csv line {}", i + 2), r)),
                        Err(e) => push(&mut errors, "csv", format!("line {}: {e}", i + 2)),
                    }
                }
            }
        }
        if rows_in.is_empty() && errors.is_empty() {
            push(&mut errors, "rows", "give at least one row");
        }
        if rows_in.len() > MAX_REACH_ROWS {
            push(
                &mut errors,
                "rows",
                format!("at most {MAX_REACH_ROWS} rows at once"),
            );
            return Err(Invalid { errors });
        }
        let mut out = Vec::new();
        for (at, r) in rows_in {
            let f = |name: &str| format!("{at}.{name}");
            let start = date(&mut errors, &f("period_start"), &r.period_start);
            let end = date(&mut errors, &f("period_end"), &r.period_end);
            if let (Some(s), Some(e)) = (start, end) {
                if e < s {
                    push(
                        &mut errors,
                        &f("period_end"),
                        "is before the period's start",
                    );
                }
                if let Some((from, to)) = within
                    && (s < from || e > to)
                {
                    push(
                        &mut errors,
                        &f("period_start"),
                        format!("the period is outside the campaign ({from} to {to})"),
                    );
                }
            }
            let channel = validation::name(&f("channel"), &r.channel, true, 100)
                .map_err(|e| errors.extend(e.errors))
                .unwrap_or_default();
            let mut count = |name: &str, v: &str, required: bool| -> Option<u64> {
                let v = v.trim();
                if v.is_empty() && !required {
                    return None;
                }
                let v = if v.is_empty() { "0" } else { v };
                match v.parse::<u64>() {
                    Ok(n) if n <= 1_000_000_000_000 => Some(n),
                    _ => {
                        push(&mut errors, &f(name), "must be a whole number, 0 or more");
                        None
                    }
                }
            };
            let impressions = count("impressions", &r.impressions, true);
            let views = count("views", &r.views, true);
            let reactions = count("reactions", &r.reactions, true);
            let shares = count("shares", &r.shares, true);
            let comments = count("comments", &r.comments, true);
            let clicks = count("clicks", &r.clicks, true);
            let watch_seconds = count("watch_seconds", &r.watch_seconds, false);
            if let (
                Some(s),
                Some(e),
                Some(impressions),
                Some(views),
                Some(reactions),
                Some(shares),
                Some(comments),
                Some(clicks),
            ) = (
                start,
                end,
                impressions,
                views,
                reactions,
                shares,
                comments,
                clicks,
            ) {
                out.push(ReachRow {
                    period_start: s,
                    period_end: e,
                    channel,
                    impressions,
                    views,
                    reactions,
                    shares,
                    comments,
                    clicks,
                    watch_seconds,
                });
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(Invalid { errors })
        }
    }
}

/// Reach summed: per channel, and in all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReachTotals {
    pub impressions: u64,
    pub views: u64,
    pub engagements: u64,
    pub clicks: u64,
    pub watch_seconds: u64,
}

pub fn totals<'a>(rows: impl IntoIterator<Item = &'a ReachRow>) -> ReachTotals {
    let mut t = ReachTotals::default();
    for r in rows {
        t.impressions += r.impressions;
        t.views += r.views;
        t.engagements += r.engagements();
        t.clicks += r.clicks;
        t.watch_seconds += r.watch_seconds.unwrap_or(0);
    }
    t
}

/// The words a chart is drawn with, in the reader's language.
pub struct ChartWords<'a> {
    pub title: &'a str,
    pub impressions: &'a str,
    pub engagements: &'a str,
    pub no_data: &'a str,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// Dash patterns, so channels stay apart in black and white.
const DASHES: [&str; 5] = ["", "6 3", "2 3", "8 3 2 3", "1 2"];
const COLOURS: [&str; 5] = ["#1f5f8b", "#b5522b", "#2e7d32", "#6a3d9a", "#8c6d1f"];

/// Impressions per period and channel as lines, engagements in all as
/// bars: a standalone SVG (no scripts, no external references, every value
/// in a `<title>` and the data in words in `<desc>`).
pub fn reach_chart(rows: &[ReachRow], words: &ChartWords<'_>) -> String {
    let (w, h, left, right, top, bottom) = (720.0_f64, 300.0_f64, 70.0, 160.0, 30.0, 50.0);
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" class=\"chart\"><title>{}</title>",
        escape(words.title)
    );
    if rows.is_empty() {
        let _ = write!(
            svg,
            "<desc>{0}</desc><text x=\"{1}\" y=\"{2}\" text-anchor=\"middle\">{0}</text></svg>",
            escape(words.no_data),
            w / 2.0,
            h / 2.0
        );
        return svg;
    }
    let periods: BTreeSet<Date> = rows.iter().map(|r| r.period_start).collect();
    let periods: Vec<Date> = periods.into_iter().collect();
    let mut by_channel: BTreeMap<&str, BTreeMap<Date, u64>> = BTreeMap::new();
    let mut engaged: BTreeMap<Date, u64> = BTreeMap::new();
    for r in rows {
        *by_channel
            .entry(&r.channel)
            .or_default()
            .entry(r.period_start)
            .or_default() += r.impressions;
        *engaged.entry(r.period_start).or_default() += r.engagements();
    }
    let max = by_channel
        .values()
        .flat_map(|m| m.values().copied())
        .chain(engaged.values().copied())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let plot_w = w - left - right;
    let plot_h = h - top - bottom;
    let step = plot_w / periods.len() as f64;
    let x = |i: usize| left + step * (i as f64 + 0.5);
    let y = |v: u64| top + plot_h - plot_h * (v as f64 / max);
    let desc: Vec<String> = by_channel
        .iter()
        .map(|(ch, m)| {
            format!(
                "{ch}: {}",
                m.iter()
                    .map(|(d, v)| format!("{d} {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect();
    let _ = write!(
        svg,
        "<desc>{}: {}</desc>",
        escape(words.impressions),
        escape(&desc.join("; "))
    );
    // Axes and a scale of four steps.
    for k in 0..=4 {
        let v = (max * k as f64 / 4.0).round() as u64;
        let yy = y(v);
        let _ = write!(
            svg,
            "<line x1=\"{left}\" y1=\"{yy:.1}\" x2=\"{:.1}\" y2=\"{yy:.1}\" stroke=\"#ddd\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"11\">{v}</text>",
            left + plot_w,
            left - 6.0,
            yy + 4.0
        );
    }
    for (i, d) in periods.iter().enumerate() {
        let e = engaged.get(d).copied().unwrap_or(0);
        let bw = (step * 0.5).min(40.0);
        let _ = write!(
            svg,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{bw:.1}\" height=\"{:.1}\" fill=\"#cfd8dc\"><title>{d}: {} {e}</title></rect><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"11\">{d}</text>",
            x(i) - bw / 2.0,
            y(e),
            top + plot_h - y(e),
            escape(words.engagements),
            x(i),
            top + plot_h + 16.0
        );
    }
    for (n, (ch, values)) in by_channel.iter().enumerate() {
        let colour = COLOURS[n % COLOURS.len()];
        let dash = DASHES[n % DASHES.len()];
        let points: Vec<String> = periods
            .iter()
            .enumerate()
            .filter_map(|(i, d)| values.get(d).map(|v| format!("{:.1},{:.1}", x(i), y(*v))))
            .collect();
        let _ = write!(
            svg,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" stroke-dasharray=\"{dash}\"/>",
            points.join(" ")
        );
        for (i, d) in periods.iter().enumerate() {
            if let Some(v) = values.get(d) {
                let _ = write!(
                    svg,
                    "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{colour}\"><title>{} {d}: {} {v}</title></circle>",
                    x(i),
                    y(*v),
                    escape(ch),
                    escape(words.impressions)
                );
            }
        }
        let ly = top + 14.0 * n as f64;
        let _ = write!(
            svg,
            "<line x1=\"{0:.1}\" y1=\"{ly:.1}\" x2=\"{1:.1}\" y2=\"{ly:.1}\" stroke=\"{colour}\" stroke-width=\"2\" stroke-dasharray=\"{dash}\"/><text x=\"{2:.1}\" y=\"{3:.1}\" font-size=\"11\">{4}</text>",
            w - right + 10.0,
            w - right + 34.0,
            w - right + 40.0,
            ly + 4.0,
            escape(ch)
        );
    }
    let ly = top + 14.0 * by_channel.len() as f64;
    let _ = write!(
        svg,
        "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"24\" height=\"8\" fill=\"#cfd8dc\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\">{}</text></svg>",
        w - right + 10.0,
        ly - 4.0,
        w - right + 40.0,
        ly + 4.0,
        escape(words.engagements)
    );
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const WORDS: ChartWords<'static> = ChartWords {
        title: "Reach",
        impressions: "impressions",
        engagements: "engagements",
        no_data: "No reach yet",
    };

    #[test]
    fn csv_rows_read_with_their_numbers() {
        let input = ReachInput {
            csv: format!(
                "{REACH_CSV_HEADER}\n2026-01-01,2026-01-31,Telegram,1000,400,50,10,5,20,\n"
            ),
            ..ReachInput::default()
        };
        let rows = input.validate(None).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].engagements(), 65);
        assert_eq!(rows[0].click_through(), Some(0.02));
        assert_eq!(rows[0].watch_seconds, None);
    }

    #[test]
    fn negative_numbers_are_refused_by_row_and_column() {
        let input = ReachInput {
            rows: vec![ReachRowInput {
                period_start: "2026-01-01".into(),
                period_end: "2026-01-31".into(),
                channel: "Telegram".into(),
                impressions: "-5".into(),
                ..ReachRowInput::default()
            }],
            ..ReachInput::default()
        };
        let e = input.validate(None).unwrap_err();
        assert_eq!(e.errors[0].field, "rows[0].impressions");
    }

    #[test]
    fn json_numbers_negative_or_not_are_read_as_written() {
        let input: ReachInput = serde_json::from_str(
            r#"{"rows":[{"period_start":"2026-01-01","period_end":"2026-01-31","channel":"TV","impressions":-1,"views":3}]}"#,
        )
        .unwrap();
        assert_eq!(input.rows[0].impressions, "-1");
        assert!(input.validate(None).is_err());
    }

    #[test]
    fn a_period_outside_the_campaign_is_refused() {
        let input = ReachInput {
            csv: format!("{REACH_CSV_HEADER}\n2025-12-01,2025-12-31,Telegram,1,1,0,0,0,0,\n"),
            ..ReachInput::default()
        };
        let e = input
            .validate(Some((date!(2026 - 01 - 01), date!(2026 - 06 - 30))))
            .unwrap_err();
        assert!(e.errors[0].message.contains("outside the campaign"));
    }

    #[test]
    fn a_wrong_header_is_refused() {
        let input = ReachInput {
            csv: "a,b\n1,2\n".into(),
            ..ReachInput::default()
        };
        assert_eq!(input.validate(None).unwrap_err().errors[0].field, "csv");
    }

    #[test]
    fn the_chart_states_its_data_and_escapes_names() {
        let rows = ReachInput {
            csv: format!(
                "{REACH_CSV_HEADER}\n2026-01-01,2026-01-31,<Telegram>,1000,400,50,10,5,20,\n2026-02-01,2026-02-28,<Telegram>,1500,600,80,10,5,20,\n2026-01-01,2026-01-31,Radio,300,0,0,0,0,0,\n"
            ),
            ..ReachInput::default()
        }
        .validate(None)
        .unwrap();
        let svg = reach_chart(&rows, &WORDS);
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("&lt;Telegram&gt;: 2026-01-01 1000, 2026-02-01 1500"));
        assert!(!svg.contains("<Telegram>"));
        assert!(!svg.contains("<script"));
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(reach_chart(&[], &WORDS).contains("No reach yet"));
    }

    #[test]
    fn campaign_dates_must_be_in_order() {
        let c = CampaignInput {
            name: "Voices of returnees".into(),
            starts: "2026-06-01".into(),
            ends: "2026-01-01".into(),
            partners: "KAZ KGZ".into(),
            ..CampaignInput::default()
        };
        assert_eq!(c.validate().unwrap_err().errors[0].field, "ends");
    }

    #[test]
    fn a_changed_period_must_keep_the_recorded_reach_inside() {
        let c = CampaignInput {
            name: "Voices".into(),
            starts: "2026-03-01".into(),
            ends: "2026-03-31".into(),
            ..CampaignInput::default()
        }
        .validate()
        .unwrap();
        let row = |s: &str, e: &str| ReachRow {
            period_start: Date::parse(s, &time::format_description::well_known::Iso8601::DATE)
                .unwrap(),
            period_end: Date::parse(e, &time::format_description::well_known::Iso8601::DATE)
                .unwrap(),
            channel: "Telegram".into(),
            impressions: 1,
            views: 0,
            reactions: 0,
            shares: 0,
            comments: 0,
            clicks: 0,
            watch_seconds: None,
        };
        assert!(c.check_reach(&[row("2026-03-01", "2026-03-31")]).is_ok());
        let e = c
            .check_reach(&[
                row("2026-02-01", "2026-02-28"),
                row("2026-01-01", "2026-01-31"),
                row("2026-03-01", "2026-03-31"),
            ])
            .unwrap_err();
        assert_eq!(e.errors.len(), 1);
        assert_eq!(e.errors[0].field, "starts");
        assert!(
            e.errors[0].message.starts_with("2 reach rows")
                && e.errors[0]
                    .message
                    .contains("from 2026-01-01 to 2026-01-31"),
            "{}",
            e.errors[0].message
        );
    }
}
