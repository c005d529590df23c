//! The agreement procedure's rule, as data: everyone who follows proposals
//! reads the rule in force and its history; the secretariat edits it. New
//! proposals take the rule in force; open ones keep the rule they began with.

use std::collections::HashMap;

use accord_core::validation::Collector;
use accord_core::{Action, Invalid};
use accord_procedure::{
    Calendar, DeadlineZone, DecisionRule, HoldPolicy, OffsetPeriod, OnHoldLapse, ReasonsRequired,
    Rule, Span, Visibility,
};
use accord_store::StoreError;
use accord_store::common_list::{ProcedureSettings, ProcedureVersion};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};
use time::macros::format_description;
use time::{Date, Time, UtcOffset, Weekday};

use crate::context::Ctx;
use crate::error::WebError;
use crate::forms::{ApiJson, PostedForm};
use crate::i18n::Lang;
use crate::render::{csrf_field, form_errors, format_ms, page};
use crate::state::AppState;

const WEEKDAYS: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];

fn weekday_key(d: Weekday) -> &'static str {
    match d {
        Weekday::Monday => "procedure.mon",
        Weekday::Tuesday => "procedure.tue",
        Weekday::Wednesday => "procedure.wed",
        Weekday::Thursday => "procedure.thu",
        Weekday::Friday => "procedure.fri",
        Weekday::Saturday => "procedure.sat",
        Weekday::Sunday => "procedure.sun",
    }
}

fn iso_date(d: Date) -> String {
    d.format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}

fn offset_text(o: UtcOffset) -> String {
    o.format(format_description!(
        "[offset_hour sign:mandatory]:[offset_minute]"
    ))
    .unwrap_or_default()
}

fn clock_text(t: Time) -> String {
    t.format(format_description!("[hour]:[minute]"))
        .unwrap_or_default()
}

fn span_parts(s: Span) -> (u32, &'static str) {
    match s {
        Span::WorkingDays(n) => (n, "working_days"),
        Span::Days(n) => (n, "days"),
        Span::Months(n) => (n, "months"),
    }
}

fn span_text(l: Lang, s: Span) -> String {
    let (n, unit) = span_parts(s);
    l.tf(
        match unit {
            "working_days" => "procedure.n_working_days",
            "days" => "procedure.n_days",
            _ => "procedure.n_months",
        },
        &[("n", &n.to_string())],
    )
}

/// The form's fields, name → values (a checkbox group has several).
type Values = HashMap<String, Vec<String>>;

fn get<'a>(v: &'a Values, k: &str) -> &'a str {
    v.get(k)
        .and_then(|x| x.first())
        .map(String::as_str)
        .unwrap_or("")
}

/// The form's fields for settings (and the version they are read at).
fn to_values(version: i64, s: &ProcedureSettings) -> Values {
    let r = &s.rule;
    let mut v: Values = HashMap::new();
    let mut set = |k: &str, x: String| {
        v.insert(k.to_string(), vec![x]);
    };
    set("version", version.to_string());
    set("name", r.name.clone());
    let (decision, num, den, quorum) = match r.decision {
        DecisionRule::NoObjection => ("no_objection", 2, 3, 1),
        DecisionRule::Consensus => ("consensus", 2, 3, 1),
        DecisionRule::QualifiedMajority {
            numerator,
            denominator,
            quorum,
        } => ("qualified_majority", numerator, denominator, quorum),
        DecisionRule::ReverseConsensus => ("reverse_consensus", 2, 3, 1),
    };
    set("decision", decision.into());
    set("majority_numerator", num.to_string());
    set("majority_denominator", den.to_string());
    set("majority_quorum", quorum.to_string());
    for (prefix, span) in [
        ("period", r.period),
        ("hold_max", r.holds.max_duration),
        ("hold_extension", r.holds.extension),
    ] {
        let (n, unit) = span_parts(span);
        set(&format!("{prefix}_value"), n.to_string());
        set(&format!("{prefix}_unit"), unit.into());
    }
    set(
        "holidays",
        r.calendar
            .holidays
            .iter()
            .map(|d| iso_date(*d))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    set("zone_label", r.zone.label.clone());
    set("zone_offset", offset_text(r.zone.standard_offset));
    set("deadline_time", clock_text(r.zone.deadline_time));
    set(
        "summer_time",
        r.zone
            .summer_time
            .iter()
            .map(|p| {
                format!(
                    "{} {} {}",
                    iso_date(p.from),
                    iso_date(p.until),
                    offset_text(p.utc_offset)
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
    );
    if r.holds.allowed {
        set("holds_allowed", "1".into());
    }
    set("hold_extensions", r.holds.extensions.to_string());
    set(
        "hold_on_lapse",
        match r.holds.on_lapse {
            OnHoldLapse::Adopt => "adopt",
            OnHoldLapse::Lapse => "lapse",
            OnHoldLapse::CountAsObjection => "count_as_objection",
        }
        .into(),
    );
    if r.reasons_required.objection {
        set("reasons_objection", "1".into());
    }
    if r.reasons_required.hold {
        set("reasons_hold", "1".into());
    }
    set(
        "visibility",
        match r.visibility {
            Visibility::Open => "open",
            Visibility::DecidersOnly => "deciders_only",
            Visibility::SecretariatOnly => "secretariat_only",
        }
        .into(),
    );
    set(
        "reminders",
        r.reminders
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    );
    set(
        "reverse_consensus_days",
        s.reverse_consensus_days.to_string(),
    );
    set("review_years", s.review_years.to_string());
    v.insert(
        "weekend".into(),
        r.calendar.weekend.iter().map(|d| d.to_string()).collect(),
    );
    v
}

fn number(c: &mut Collector, v: &Values, k: &str) -> u32 {
    match get(v, k).trim().parse::<u32>() {
        Ok(n) => n,
        Err(_) => {
            c.push(k, "must be a whole number");
            0
        }
    }
}

fn span(c: &mut Collector, v: &Values, prefix: &str) -> Span {
    let n = number(c, v, &format!("{prefix}_value"));
    match get(v, &format!("{prefix}_unit")) {
        "working_days" => Span::WorkingDays(n),
        "days" => Span::Days(n),
        "months" => Span::Months(n),
        _ => {
            c.push(
                &format!("{prefix}_unit"),
                "must be working_days, days or months",
            );
            Span::Days(n)
        }
    }
}

fn parse_date(s: &str) -> Option<Date> {
    Date::parse(s.trim(), format_description!("[year]-[month]-[day]")).ok()
}

fn parse_offset(s: &str) -> Option<UtcOffset> {
    UtcOffset::parse(
        s.trim(),
        format_description!("[offset_hour sign:mandatory]:[offset_minute]"),
    )
    .ok()
}

/// Reads the form into settings. Who proposes and who decides are not on
/// the form: they are kept from the rule in force.
fn from_values(current: &Rule, v: &Values) -> Result<(i64, ProcedureSettings, String), Invalid> {
    let mut c = Collector::default();
    let version = get(v, "version").trim().parse::<i64>().unwrap_or_else(|_| {
        c.push("version", "must be a whole number");
        -1
    });
    let decision = match get(v, "decision") {
        "no_objection" => DecisionRule::NoObjection,
        "consensus" => DecisionRule::Consensus,
        "qualified_majority" => DecisionRule::QualifiedMajority {
            numerator: number(&mut c, v, "majority_numerator"),
            denominator: number(&mut c, v, "majority_denominator"),
            quorum: number(&mut c, v, "majority_quorum"),
        },
        _ => {
            c.push(
                "decision",
                "must be no_objection, consensus or qualified_majority",
            );
            DecisionRule::NoObjection
        }
    };
    let period = span(&mut c, v, "period");
    let max_duration = span(&mut c, v, "hold_max");
    let extension = span(&mut c, v, "hold_extension");
    let mut weekend = Vec::new();
    for day in v.get("weekend").into_iter().flatten() {
        match WEEKDAYS.iter().find(|d| d.to_string() == *day) {
            Some(d) if !weekend.contains(d) => weekend.push(*d),
            Some(_) => {}
            None => c.push("weekend", "must be days of the week"),
        }
    }
    let mut holidays = Vec::new();
    for line in get(v, "holidays")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        match parse_date(line) {
            Some(d) if !holidays.contains(&d) => holidays.push(d),
            Some(_) => {}
            None => c.push("holidays", "each line must be a date as YYYY-MM-DD"),
        }
    }
    holidays.sort();
    let standard_offset = parse_offset(get(v, "zone_offset")).unwrap_or_else(|| {
        c.push("zone_offset", "must be an offset from UTC such as +05:00");
        UtcOffset::UTC
    });
    let deadline_time = Time::parse(
        get(v, "deadline_time").trim(),
        format_description!("[hour]:[minute]"),
    )
    .unwrap_or_else(|_| {
        c.push("deadline_time", "must be a time of day such as 15:00");
        Time::MIDNIGHT
    });
    let mut summer_time = Vec::new();
    for line in get(v, "summer_time")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        let parts: Vec<&str> = line.split_whitespace().collect();
        match parts.as_slice() {
            [from, until, offset] => {
                match (parse_date(from), parse_date(until), parse_offset(offset)) {
                    (Some(from), Some(until), Some(utc_offset)) => summer_time.push(OffsetPeriod {
                        from,
                        until,
                        utc_offset,
                    }),
                    _ => c.push(
                        "summer_time",
                        "each line must be: first day, day after the last, offset (2026-03-08 2026-11-01 -04:00)",
                    ),
                }
            }
            _ => c.push(
                "summer_time",
                "each line must be: first day, day after the last, offset (2026-03-08 2026-11-01 -04:00)",
            ),
        }
    }
    let on_lapse = match get(v, "hold_on_lapse") {
        "adopt" => OnHoldLapse::Adopt,
        "lapse" => OnHoldLapse::Lapse,
        "count_as_objection" => OnHoldLapse::CountAsObjection,
        _ => {
            c.push(
                "hold_on_lapse",
                "must be adopt, lapse or count_as_objection",
            );
            OnHoldLapse::Adopt
        }
    };
    let visibility = match get(v, "visibility") {
        "open" => Visibility::Open,
        "deciders_only" => Visibility::DecidersOnly,
        "secretariat_only" => Visibility::SecretariatOnly,
        _ => {
            c.push(
                "visibility",
                "must be open, deciders_only or secretariat_only",
            );
            Visibility::DecidersOnly
        }
    };
    let mut reminders = Vec::new();
    for part in get(v, "reminders")
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        match part.parse::<u32>() {
            Ok(n) => reminders.push(n),
            Err(_) => c.push("reminders", "must be whole numbers separated by commas"),
        }
    }
    let hold_extensions = number(&mut c, v, "hold_extensions");
    let reverse_consensus_days = number(&mut c, v, "reverse_consensus_days");
    let review_years = number(&mut c, v, "review_years");
    let reason = get(v, "reason").to_string();
    c.finish()?;
    let rule = Rule {
        name: get(v, "name").trim().to_string(),
        proposers: current.proposers.clone(),
        deciders: current.deciders.clone(),
        decision,
        period,
        calendar: Calendar { weekend, holidays },
        zone: DeadlineZone {
            label: get(v, "zone_label").trim().to_string(),
            standard_offset,
            summer_time,
            deadline_time,
        },
        holds: HoldPolicy {
            allowed: !get(v, "holds_allowed").is_empty(),
            max_duration,
            extensions: hold_extensions,
            extension,
            on_lapse,
        },
        reasons_required: ReasonsRequired {
            objection: !get(v, "reasons_objection").is_empty(),
            hold: !get(v, "reasons_hold").is_empty(),
        },
        visibility,
        reminders,
    };
    if rule.zone.label.is_empty() {
        return Err(Invalid::field("zone_label", "is required"));
    }
    Ok((
        version,
        ProcedureSettings {
            rule,
            reverse_consensus_days,
            review_years,
        },
        reason,
    ))
}

fn decision_text(l: Lang, d: DecisionRule) -> String {
    match d {
        DecisionRule::NoObjection => l.t("procedure.d_no_objection").to_string(),
        DecisionRule::Consensus => l.t("procedure.d_consensus").to_string(),
        DecisionRule::QualifiedMajority {
            numerator,
            denominator,
            quorum,
        } => l.tf(
            "procedure.d_majority_text",
            &[
                ("num", &numerator.to_string()),
                ("den", &denominator.to_string()),
                ("quorum", &quorum.to_string()),
            ],
        ),
        DecisionRule::ReverseConsensus => l.t("procedure.d_reverse").to_string(),
    }
}

fn on_lapse_key(o: OnHoldLapse) -> &'static str {
    match o {
        OnHoldLapse::Adopt => "procedure.lapse_adopt",
        OnHoldLapse::Lapse => "procedure.lapse_lapse",
        OnHoldLapse::CountAsObjection => "procedure.lapse_object",
    }
}

fn visibility_key(v: Visibility) -> &'static str {
    match v {
        Visibility::Open => "procedure.vis_open",
        Visibility::DecidersOnly => "procedure.vis_deciders",
        Visibility::SecretariatOnly => "procedure.vis_secretariat",
    }
}

fn yes_no(l: Lang, b: bool) -> &'static str {
    if b {
        l.t("procedure.yes")
    } else {
        l.t("procedure.no")
    }
}

/// The rule in force, in words.
fn summary(l: Lang, v: &ProcedureVersion) -> Markup {
    let s = &v.settings;
    let r = &s.rule;
    html! {
        dl.facts {
            dt { (l.t("procedure.version")) }
            dd {
                (v.version)
                @if v.version == 0 { " " span.muted { (l.t("procedure.builtin")) } }
                @else { " — " (v.changed_by) ", " (format_ms(v.changed_at)) ": " (v.reason) }
            }
            dt { (l.t("procedure.name")) } dd { (r.name) }
            dt { (l.t("procedure.decision")) } dd { (decision_text(l, r.decision)) }
            dt { (l.t("procedure.period")) } dd { (span_text(l, r.period)) }
            dt { (l.t("procedure.weekend")) }
            dd { (r.calendar.weekend.iter().map(|d| l.t(weekday_key(*d))).collect::<Vec<_>>().join(", ")) }
            dt { (l.t("procedure.holidays")) }
            dd { @if r.calendar.holidays.is_empty() { "—" } @else { (r.calendar.holidays.iter().map(|d| iso_date(*d)).collect::<Vec<_>>().join(", ")) } }
            dt { (l.t("procedure.zone")) }
            dd {
                (l.tf("procedure.zone_text", &[("time", &clock_text(r.zone.deadline_time)), ("label", &r.zone.label), ("offset", &offset_text(r.zone.standard_offset))]))
                @if !r.zone.summer_time.is_empty() { " " (l.tf("procedure.summer_periods", &[("n", &r.zone.summer_time.len().to_string())])) }
            }
            dt { (l.t("procedure.holds")) }
            dd {
                @if r.holds.allowed {
                    (l.tf("procedure.holds_text", &[
                        ("max", &span_text(l, r.holds.max_duration)),
                        ("extensions", &r.holds.extensions.to_string()),
                        ("extension", &span_text(l, r.holds.extension)),
                    ]))
                    " " (l.t(on_lapse_key(r.holds.on_lapse)))
                } @else { (l.t("procedure.holds_not_allowed")) }
            }
            dt { (l.t("procedure.reasons")) }
            dd { (l.t("procedure.reasons_objection")) ": " (yes_no(l, r.reasons_required.objection)) "; " (l.t("procedure.reasons_hold")) ": " (yes_no(l, r.reasons_required.hold)) }
            dt { (l.t("procedure.visibility")) } dd { (l.t(visibility_key(r.visibility))) }
            dt { (l.t("procedure.reminders")) } dd { (r.reminders.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")) }
            dt { (l.t("procedure.reverse_days")) } dd { (l.tf("procedure.n_days", &[("n", &s.reverse_consensus_days.to_string())])) }
            dt { (l.t("procedure.review_years")) } dd { (s.review_years) }
        }
    }
}

fn text_input(name: &str, label: &str, v: &Values, errors: Option<&Invalid>, l: Lang) -> Markup {
    let error = errors.and_then(|i| i.errors.iter().find(|e| e.field == name));
    html! {
        div.field {
            label for=(name) { (label) }
            @if let Some(e) = error { div.error-text { (l.message(&e.message)) } }
            input type="text" id=(name) name=(name) value=(get(v, name)) aria-invalid=[error.map(|_| "true")];
        }
    }
}

fn select(name: &str, label: &str, v: &Values, options: &[(&str, &str)]) -> Markup {
    html! {
        div.field {
            label for=(name) { (label) }
            select id=(name) name=(name) {
                @for (value, text) in options { option value=(value) selected[get(v, name) == *value] { (text) } }
            }
        }
    }
}

fn checkbox(name: &str, label: &str, v: &Values) -> Markup {
    html! {
        div.field {
            label { input type="checkbox" name=(name) value="1" checked[!get(v, name).is_empty()]; " " (label) }
        }
    }
}

fn span_input(prefix: &str, label: &str, v: &Values, errors: Option<&Invalid>, l: Lang) -> Markup {
    let units = [
        ("working_days", l.t("procedure.u_working_days")),
        ("days", l.t("procedure.u_days")),
        ("months", l.t("procedure.u_months")),
    ];
    html! {
        div.row {
            (text_input(&format!("{prefix}_value"), label, v, errors, l))
            (select(&format!("{prefix}_unit"), l.t("procedure.unit"), v, &units))
        }
    }
}

fn textarea(
    name: &str,
    label: &str,
    hint: &str,
    v: &Values,
    errors: Option<&Invalid>,
    l: Lang,
) -> Markup {
    let error = errors.and_then(|i| i.errors.iter().find(|e| e.field == name));
    html! {
        div.field {
            label for=(name) { (label) }
            div.hint { (hint) }
            @if let Some(e) = error { div.error-text { (l.message(&e.message)) } }
            textarea id=(name) name=(name) rows="3" aria-invalid=[error.map(|_| "true")] { (get(v, name)) }
        }
    }
}

fn edit_form(ctx: &Ctx, v: &Values, errors: Option<&Invalid>) -> Markup {
    let l = ctx.lang;
    let weekend: Vec<String> = v.get("weekend").cloned().unwrap_or_default();
    html! {
        h2 { (l.t("procedure.edit")) }
        p.muted { (l.t("procedure.edit_hint")) }
        (form_errors(l, errors))
        form.stacked method="post" action="/procedure" novalidate {
            (csrf_field(ctx))
            input type="hidden" name="version" value=(get(v, "version"));
            (text_input("name", l.t("procedure.name"), v, errors, l))
            (select("decision", l.t("procedure.decision"), v, &[
                ("no_objection", l.t("procedure.d_no_objection")),
                ("consensus", l.t("procedure.d_consensus")),
                ("qualified_majority", l.t("procedure.d_majority")),
            ]))
            div.row {
                (text_input("majority_numerator", l.t("procedure.numerator"), v, errors, l))
                (text_input("majority_denominator", l.t("procedure.denominator"), v, errors, l))
                (text_input("majority_quorum", l.t("procedure.quorum"), v, errors, l))
            }
            (span_input("period", l.t("procedure.period"), v, errors, l))
            fieldset {
                legend { (l.t("procedure.weekend")) }
                @for d in WEEKDAYS {
                    label { input type="checkbox" name="weekend" value=(d.to_string()) checked[weekend.contains(&d.to_string())]; " " (l.t(weekday_key(d))) } " "
                }
            }
            (textarea("holidays", l.t("procedure.holidays"), l.t("procedure.holidays_hint"), v, errors, l))
            div.row {
                (text_input("zone_label", l.t("procedure.zone_label"), v, errors, l))
                (text_input("zone_offset", l.t("procedure.zone_offset"), v, errors, l))
                (text_input("deadline_time", l.t("procedure.deadline_time"), v, errors, l))
            }
            (textarea("summer_time", l.t("procedure.summer_time"), l.t("procedure.summer_time_hint"), v, errors, l))
            fieldset {
                legend { (l.t("procedure.holds")) }
                (checkbox("holds_allowed", l.t("procedure.holds_allowed"), v))
                (span_input("hold_max", l.t("procedure.hold_max"), v, errors, l))
                (text_input("hold_extensions", l.t("procedure.hold_extensions"), v, errors, l))
                (span_input("hold_extension", l.t("procedure.hold_extension"), v, errors, l))
                (select("hold_on_lapse", l.t("procedure.hold_on_lapse"), v, &[
                    ("adopt", l.t("procedure.lapse_adopt")),
                    ("lapse", l.t("procedure.lapse_lapse")),
                    ("count_as_objection", l.t("procedure.lapse_object")),
                ]))
            }
            fieldset {
                legend { (l.t("procedure.reasons")) }
                (checkbox("reasons_objection", l.t("procedure.reasons_objection"), v))
                (checkbox("reasons_hold", l.t("procedure.reasons_hold"), v))
            }
            (select("visibility", l.t("procedure.visibility"), v, &[
                ("open", l.t("procedure.vis_open")),
                ("deciders_only", l.t("procedure.vis_deciders")),
                ("secretariat_only", l.t("procedure.vis_secretariat")),
            ]))
            (text_input("reminders", l.t("procedure.reminders_input"), v, errors, l))
            (text_input("reverse_consensus_days", l.t("procedure.reverse_days_input"), v, errors, l))
            (text_input("review_years", l.t("procedure.review_years"), v, errors, l))
            (textarea("reason", l.t("procedure.reason"), l.t("procedure.reason_hint"), v, errors, l))
            button type="submit" { (l.t("procedure.save")) }
        }
    }
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    form: Option<(&Values, &Invalid)>,
) -> Result<Html<String>, WebError> {
    let l = ctx.lang;
    let current = state.store.procedure_settings().await?;
    let history = state.store.procedure_history().await?;
    let may_edit = accord_core::authorize(&ctx.principal, &Action::EditProcedureRule).is_ok();
    let initial = to_values(current.version, &current.settings);
    let (values, errors) = match form {
        Some((v, e)) => (v, Some(e)),
        None => (&initial, None),
    };
    Ok(page(
        ctx,
        l.t("procedure.title"),
        html! {
            h1 { (l.t("procedure.title")) }
            p { (l.t("procedure.intro")) }
            (summary(l, &current))
            @if may_edit { (edit_form(ctx, values, errors)) }
            h2 { (l.t("procedure.history")) }
            @if history.is_empty() { p.muted { (l.t("procedure.no_history")) } } @else {
                table {
                    thead { tr {
                        th scope="col" { (l.t("procedure.version")) } th scope="col" { (l.t("procedure.changed_by")) }
                        th scope="col" { (l.t("procedure.reason")) } th scope="col" { (l.t("procedure.name")) }
                        th scope="col" { (l.t("procedure.period")) }
                    } }
                    tbody { @for h in &history {
                        tr {
                            td { (h.version) }
                            td { (h.changed_by) " " span.muted { (format_ms(h.changed_at)) } }
                            td { (h.reason) }
                            td { (h.settings.rule.name) }
                            td { (span_text(l, h.settings.rule.period)) }
                        }
                    } }
                }
            }
        },
    ))
}

pub async fn page_handler(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Html<String>, WebError> {
    ctx.require(&state, &Action::ViewProposals).await?;
    render(&state, &ctx, None).await
}

pub async fn update_from_form(
    State(state): State<AppState>,
    ctx: Ctx,
    PostedForm(pairs): PostedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    ctx.require(&state, &Action::EditProcedureRule).await?;
    let mut values: Values = HashMap::new();
    for (k, v) in pairs {
        if k != crate::forms::CSRF_FIELD {
            values.entry(k).or_default().push(v);
        }
    }
    let current = state.store.procedure_settings().await?;
    let outcome = match from_values(&current.settings.rule, &values) {
        Ok((version, settings, reason)) => {
            state
                .store
                .update_procedure_settings(&ctx.actor(), version, settings, &reason)
                .await
        }
        Err(invalid) => Err(StoreError::Invalid(invalid)),
    };
    match outcome {
        Ok(_) => Ok(Redirect::to("/procedure").into_response()),
        Err(StoreError::Invalid(invalid)) => {
            let mut r = render(&state, &ctx, Some((&values, &invalid)))
                .await?
                .into_response();
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

/// The rule in force as the API shows it, with the delisting rule derived from it.
#[derive(Serialize)]
pub struct ProcedureJson {
    #[serde(flatten)]
    current: ProcedureVersion,
    delisting_rule: Rule,
}

fn to_json(v: ProcedureVersion) -> ProcedureJson {
    let delisting_rule = v.settings.delisting_rule();
    ProcedureJson {
        current: v,
        delisting_rule,
    }
}

pub async fn api_get(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Json<ProcedureJson>, WebError> {
    ctx.require(&state, &Action::ViewProposals).await?;
    Ok(Json(to_json(state.store.procedure_settings().await?)))
}

pub async fn api_versions(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Json<Vec<ProcedureVersion>>, WebError> {
    ctx.require(&state, &Action::ViewProposals).await?;
    Ok(Json(state.store.procedure_history().await?))
}

#[derive(Deserialize)]
pub struct ProcedureUpdate {
    /// The version the change is based on (409 if it is no longer current).
    version: i64,
    reason: String,
    settings: ProcedureSettings,
}

pub async fn api_update(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<ProcedureUpdate>,
) -> Result<Json<ProcedureJson>, WebError> {
    ctx.require(&state, &Action::EditProcedureRule).await?;
    let v = state
        .store
        .update_procedure_settings(&ctx.actor(), body.version, body.settings, &body.reason)
        .await?;
    Ok(Json(to_json(v)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_reads_back_what_it_shows() {
        let settings = ProcedureSettings::default();
        let mut values = to_values(4, &settings);
        values.insert("reason".into(), vec!["why".into()]);
        let (version, back, reason) = from_values(&settings.rule, &values).unwrap();
        assert_eq!(version, 4);
        assert_eq!(back, settings);
        assert_eq!(reason, "why");
    }

    #[test]
    fn bad_fields_are_named() {
        let settings = ProcedureSettings::default();
        let mut values = to_values(0, &settings);
        for (k, v) in [
            ("period_value", "ten"),
            ("hold_max_unit", "weeks"),
            ("holidays", "2026-02-30"),
            ("zone_offset", "EST"),
            ("deadline_time", "3pm"),
            ("summer_time", "2026-03-08 -04:00"),
            ("visibility", "public"),
            ("reminders", "3, x"),
            ("decision", "vote"),
        ] {
            values.insert(k.into(), vec![v.into()]);
        }
        values.insert("weekend".into(), vec!["Caturday".into()]);
        let fields: Vec<String> = from_values(&settings.rule, &values)
            .unwrap_err()
            .errors
            .into_iter()
            .map(|e| e.field)
            .collect();
        for f in [
            "period_value",
            "hold_max_unit",
            "holidays",
            "zone_offset",
            "deadline_time",
            "summer_time",
            "visibility",
            "reminders",
            "decision",
            "weekend",
        ] {
            assert!(fields.iter().any(|x| x == f), "{f} in {fields:?}");
        }
    }
}
