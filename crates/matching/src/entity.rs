//! Whole-entity scoring: the best of a record's names, then the secondary
//! features the query has (birth date, country, schema) raise or lower it.
//!
//! Effects (added to the name score, result clamped to [0, 1]):
//!
//! | feature | agrees | disagrees |
//! | --- | --- | --- |
//! | birth date | same day +0.06, same year +0.03, within range or ±1 year +0.01 | same year other day −0.05, other year −0.15 … −0.25 |
//! | country | +0.03 | −0.05 … −0.21 |
//! | schema | 0 | person vs organization/vessel/aircraft −0.25, organization vs vessel/aircraft −0.10 |
//!
//! Features only act when both the query and the record have them, and a
//! boost is only given to names that already match (name score ≥ 0.5):
//! a shared birthday never turns two different names into a match.
//!
//! A contradiction weighs more the weaker the name match: a birth year or
//! a nationality that the record contradicts is strong evidence against a
//! name that only partly agrees (name score 0.9 or less: the full
//! penalty, −0.25 for the year, −0.21 for the country, which puts any
//! such name under the default threshold), and little against an exact
//! name (1.0: −0.15, −0.05; lists get dates and nationalities wrong too).

use crate::countries::same_country;
use crate::dates::{DateAgreement, DateSpec, best_agreement};
use crate::error::QueryError;
use crate::explain::{Explanation, FeatureEffect, round3};
use crate::prepare::{
    PreparedName, Reading, prepare_all, prepare_forms, prepare_list_forms, prepare_names,
};
use crate::score::compare_prepared;
use crate::types::{Query, Record, Schema};

/// A query checked and prepared once, then compared with many records.
#[derive(Debug, Clone)]
pub struct PreparedQuery {
    pub query: Query,
    pub name: PreparedName,
    pub birth_date: Option<DateSpec>,
    pub is_org: bool,
    /// How the query's non-Latin words were read.
    pub readings: Vec<Reading>,
    /// Other readings of a name in Han characters (Sino-Korean, Japanese:
    /// `prepare::prepare_all`); the query matches if any reading does.
    pub alternates: Vec<(PreparedName, Vec<Reading>)>,
}

impl PreparedQuery {
    pub fn new(query: &Query) -> Result<Self, QueryError> {
        let is_org = query.schema.is_some_and(Schema::is_org_like);
        let mut all = prepare_all(&query.name, is_org)?.into_iter();
        let (mut name, readings) = all.next().ok_or(QueryError::NoLetters)?;
        let mut alternates: Vec<(PreparedName, Vec<Reading>)> = all.collect();
        if may_be_truncated(&query.name) {
            name.truncated_last = true;
            for (a, _) in &mut alternates {
                a.truncated_last = true;
            }
        }
        // "LLC" or "Mr" alone would match every company or every person.
        if name.tokens.iter().all(|t| {
            matches!(
                t.class,
                crate::tokens::TokenClass::LegalForm | crate::tokens::TokenClass::Title
            ) || crate::tokens::is_legal_form(&t.text)
        }) {
            return Err(QueryError::OnlyStopWords);
        }
        let birth_date = match query.birth_date.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => {
                Some(DateSpec::parse(s).ok_or_else(|| QueryError::BadBirthDate(s.to_string()))?)
            }
        };
        Ok(PreparedQuery {
            query: query.clone(),
            name,
            birth_date,
            is_org,
            readings,
            alternates,
        })
    }

    /// Number of readings of the query's name (1 unless it has Han
    /// characters that read several ways).
    pub fn reading_count(&self) -> usize {
        1 + self.alternates.len()
    }

    /// Reading `i` of the query's name and how its words were read.
    pub fn reading(&self, i: usize) -> (&PreparedName, &[Reading]) {
        match i {
            0 => (&self.name, &self.readings),
            _ => {
                let (n, r) = &self.alternates[i - 1];
                (n, r)
            }
        }
    }
}

/// The most the secondary features can add to a name score for this query
/// (a birth date +0.06, a country +0.03; everything else only lowers).
pub(crate) fn max_boost(q: &PreparedQuery) -> f64 {
    let date = if q.birth_date.is_some() { 0.06 } else { 0.0 };
    let country = match q.query.country.as_deref() {
        Some(c) if !c.trim().is_empty() => 0.03,
        _ => 0.0,
    };
    date + country
}

/// A match on a weak alias (UN "low quality", OFAC weak a.k.a.: a kunya,
/// a nickname, a partial name) is less evidence of identity than one on a
/// full name: its name score counts this much. An exact weak alias still
/// alerts (0.95), a partial one rarely does, and of two records sharing a
/// name the one that carries it as a full name ranks first.
pub const WEAK_ALIAS_FACTOR: f64 = 0.95;

/// The name score of a match on `name`, weak aliases discounted.
pub(crate) fn name_evidence(score: f64, weak: bool) -> f64 {
    if weak {
        score * WEAK_ALIAS_FACTOR
    } else {
        score
    }
}

/// How weak a name match is, for the weight of a contradiction: 0 for an
/// exact name (1.0), 1 at 0.9 and below, linear between.
fn weakness(name_score: f64) -> f64 {
    ((1.0 - name_score) / 0.1).clamp(0.0, 1.0)
}

/// Applies the secondary features; returns the adjusted score and effects.
pub(crate) fn secondary(
    q: &PreparedQuery,
    record: &Record,
    name_score: f64,
) -> (f64, Vec<FeatureEffect>) {
    let mut effects = Vec::new();
    let may_boost = name_score >= 0.5;
    if let Some(qd) = &q.birth_date
        && let Some(a) = best_agreement(qd, &record.birth_dates)
    {
        let (e, what) = match a {
            DateAgreement::SameDay => (0.06, "same day"),
            DateAgreement::SameYear => (0.03, "same year"),
            DateAgreement::Close => (0.01, "within the listed range or one year apart"),
            DateAgreement::SameYearDifferentDay => (-0.05, "same year, different day"),
            DateAgreement::Different => (-0.15 - 0.10 * weakness(name_score), "different year"),
        };
        if e < 0.0 || may_boost {
            let listed: Vec<String> = record.birth_dates.iter().map(|d| d.to_string()).collect();
            effects.push(FeatureEffect {
                feature: "birth_date",
                effect: e,
                detail: format!("{what}: query {qd}, list {}", listed.join(" / ")),
            });
        }
    }
    if let Some(qc) = q.query.country.as_deref().filter(|c| !c.trim().is_empty())
        && !record.countries.is_empty()
    {
        let hit = record.countries.iter().find(|c| same_country(qc, c));
        match hit {
            Some(c) if may_boost => effects.push(FeatureEffect {
                feature: "country",
                effect: 0.03,
                detail: format!("query {qc} matches list {c}"),
            }),
            Some(_) => {}
            None => effects.push(FeatureEffect {
                feature: "country",
                effect: -0.05 - 0.16 * weakness(name_score),
                detail: format!("query {qc} not among list {}", record.countries.join(" / ")),
            }),
        }
    }
    if let Some(qs) = q.query.schema {
        let rs = record.schema;
        if qs != Schema::Unknown && rs != Schema::Unknown && qs != rs {
            let e = if qs == Schema::Person || rs == Schema::Person {
                -0.25
            } else {
                -0.10
            };
            effects.push(FeatureEffect {
                feature: "schema",
                effect: e,
                detail: format!("query is {qs:?}, list entry is {rs:?}"),
            });
        }
    }
    let total: f64 = effects.iter().map(|e| e.effect).sum();
    ((name_score + total).clamp(0.0, 1.0), effects)
}

/// Shortest name field of a machine-readable travel document (TD1: 30
/// characters; TD2 31, TD3 passports 39).
const MRZ_MIN_FIELD: usize = 30;

/// Whether the query's last part may be cut short: the name is written in
/// a machine-readable form — MRZ filler `<` ("IVANOV<<SERGEI") or the
/// UN/EDIFACT component separator `:` of a PAXLST name ("IVANOV:SERGEI")
/// — and, written as an MRZ name field (surname, `<<`, given names joined
/// by `<`), it fills at least the shortest field, so the issuer may have
/// cut it there.
pub fn may_be_truncated(name: &str) -> bool {
    let name = name.trim();
    if !name.contains(['<', ':']) {
        return false;
    }
    let mrz: usize = name.trim_end_matches(['<', ':']).chars().count();
    // ":" stands for "<<" between surname and given names.
    let seps = name.matches(':').count();
    mrz + seps >= MRZ_MIN_FIELD
}

/// Pairwise score of two names in [0, 1]; 0 when either is not a usable name.
/// A name in Han characters is compared in each of its readings (Mandarin,
/// Sino-Korean, Japanese) and the best counts.
pub fn compare_names(a: &str, b: &str, schema: Schema) -> f64 {
    let is_org = schema.is_org_like();
    match (prepare_names(a, is_org), prepare_list_forms(b, is_org)) {
        (Ok(pa), Ok(pb)) => pa
            .iter()
            .flat_map(|x| pb.iter().map(move |y| (x, y)))
            .map(|(x, y)| compare_prepared(x, y, is_org).score)
            .fold(0.0, f64::max),
        _ => 0.0,
    }
}

/// Whole-entity score of a query against one record, with its explanation;
/// `None` when the query is not screenable or the record has no usable name.
pub fn compare(query: &Query, record: &Record) -> Option<(f64, Explanation)> {
    let q = PreparedQuery::new(query).ok()?;
    compare_prepared_query(&q, record)
}

pub(crate) fn compare_prepared_query(
    q: &PreparedQuery,
    record: &Record,
) -> Option<(f64, Explanation)> {
    let is_org = q.is_org || record.schema.is_org_like();
    // (score, query reading, name, list reading)
    let mut best: Option<(f64, usize, usize, usize)> = None;
    // Weak aliases are screened too; on a tie the strong name is reported.
    for (i, n) in record.names.iter().enumerate() {
        let Ok(pns) = prepare_list_forms(&n.text, is_org) else {
            continue;
        };
        for (lr, pn) in pns.iter().enumerate() {
            for qr in 0..q.reading_count() {
                let ns = name_evidence(compare_prepared(q.reading(qr).0, pn, is_org).score, n.weak);
                if best
                    .as_ref()
                    .is_none_or(|b| ns > b.0 || (ns == b.0 && record.names[b.2].weak && !n.weak))
                {
                    best = Some((ns, qr, i, lr));
                }
            }
        }
    }
    let (_, qr, i, lr) = best?;
    Some(explain_record(q, qr, record, i, lr, None))
}

/// Scores one name of a record against the query and explains it:
/// `query_reading` and `list_reading` pick the readings of a name in Han
/// characters (0 otherwise); `prepared` is the list name's reading already
/// prepared (as the index holds it).
pub(crate) fn explain_record(
    q: &PreparedQuery,
    query_reading: usize,
    record: &Record,
    name_idx: usize,
    list_reading: usize,
    prepared: Option<&PreparedName>,
) -> (f64, Explanation) {
    let is_org = q.is_org || record.schema.is_org_like();
    let rn = &record.names[name_idx];
    let (qname, qreadings) = q.reading(query_reading);
    let mut readings = qreadings.to_vec();
    // Only a non-ASCII list name has readings worth re-deriving.
    let ln = match prepared {
        Some(p) if rn.text.is_ascii() => p.clone(),
        _ => match prepare_forms(&rn.text, is_org) {
            Ok(mut all) if list_reading < all.len() => {
                let (p, r) = all.swap_remove(list_reading);
                readings.extend(r);
                p
            }
            _ => qname.clone(),
        },
    };
    let ns = compare_prepared(qname, &ln, is_org);
    let name_score = name_evidence(ns.score, rn.weak);
    let (score, effects) = secondary(q, record, name_score);
    let mut ex = Explanation::from_parts(&rn.text, rn.kind, qname, &ln, &ns, readings);
    ex.name_score = round3(name_score);
    ex.features = effects;
    ex.weak_alias = rn.weak;
    ex.score = round3(score);
    (score, ex)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_name_with_number_words_matches_the_words_spelled_out() {
        // "second" was only the digit 2, which "Sekond" cannot be.
        let s = compare_names(
            "Sekond Veldan Committee",
            "SECOND VELDAN COMMITTEE",
            Schema::Organization,
        );
        assert!(s >= 0.9, "{s}");
        assert!(
            compare_names(
                "2nd Veldan Committee",
                "SECOND VELDAN COMMITTEE",
                Schema::Organization
            ) >= 0.9
        );
    }
    use crate::types::RecordName;

    fn rec() -> Record {
        Record {
            id: "1".into(),
            dataset: "un".into(),
            schema: Schema::Person,
            names: vec![RecordName::primary("Abdul Rahman Yasin")],
            birth_dates: vec![DateSpec::Year(1960)],
            countries: vec!["IQ".into()],
        }
    }

    #[test]
    fn matching_birth_year_and_country_raise_the_score() {
        let plain = compare(&Query::name("Abdul Rahman Yasin"), &rec())
            .unwrap()
            .0;
        let q = Query {
            name: "Abdul Rahman Yaseen".into(),
            birth_date: Some("1960".into()),
            country: Some("Iraq".into()),
            schema: Some(Schema::Person),
        };
        let (s, ex) = compare(&q, &rec()).unwrap();
        assert!(ex.features.iter().all(|f| f.effect > 0.0));
        assert!(s >= ex.name_score && plain > 0.9);
    }

    #[test]
    fn different_birth_year_lowers_but_does_not_replace_the_name() {
        let q = Query {
            name: "Abdul Rahman Yasin".into(),
            birth_date: Some("1985".into()),
            ..Query::default()
        };
        let (s, ex) = compare(&q, &rec()).unwrap();
        assert!(s < ex.name_score);
        assert!(s > 0.7);
    }

    #[test]
    fn organization_query_against_person_is_penalized() {
        let q = Query {
            name: "Abdul Rahman Yasin".into(),
            schema: Some(Schema::Organization),
            ..Query::default()
        };
        let (s, _) = compare(&q, &rec()).unwrap();
        assert!(s < 0.8);
    }

    #[test]
    fn a_shared_birthday_never_makes_different_names_match() {
        let q = Query {
            name: "Maria Gonzalez".into(),
            birth_date: Some("1960".into()),
            country: Some("IQ".into()),
            ..Query::default()
        };
        let s = compare(&q, &rec()).map(|r| r.0).unwrap_or(0.0);
        assert!(s < 0.5);
    }

    #[test]
    fn han_names_match_in_their_korean_reading() {
        let s = |a, b| compare_names(a, b, Schema::Person);
        assert!(s("文在寅", "Moon Jae-in") >= 0.85);
        assert!(s("朴槿惠", "Park Geun-hye") >= 0.85);
        assert!(s("李明博", "Lee Myung-bak") >= 0.85);
        // North Korean spelling: no initial-sound rule.
        assert!(s("崔龍海", "Choe Ryong Hae") >= 0.95);
        assert!(s("李英浩", "Ri Yong Ho") >= 0.85);
    }

    #[test]
    fn han_names_match_in_their_japanese_reading() {
        let s = |a, b| compare_names(a, b, Schema::Person);
        assert!(s("安倍晋三", "Shinzo Abe") >= 0.95);
        assert!(s("鈴木一郎", "Suzuki Ichiro") >= 0.95);
        assert!(s("佐藤健二", "Kenji Sato") >= 0.95);
        // Kyujitai and simplified forms of a surname read the same.
        assert!(s("齋藤美香", "Saito Mika") >= 0.95);
    }

    #[test]
    fn han_names_still_match_in_mandarin_and_readings_do_not_mix_people() {
        let s = |a, b| compare_names(a, b, Schema::Person);
        assert!(s("李克强", "Li Keqiang") >= 0.9);
        assert!(s("山田太郎", "Suzuki Ichiro") < 0.5);
        // Chinese "Li" as a given name is not the Korean surname Ri.
        assert!(s("孙丽", "Ri Je Son") < DEFAULT_THRESHOLD_FOR_TESTS);
        assert!(s("Lee Myung-bak", "Ri Myong Bak") >= 0.9);
        assert!(s("金大中", "Kim Jong Un") < DEFAULT_THRESHOLD_FOR_TESTS);
    }

    const DEFAULT_THRESHOLD_FOR_TESTS: f64 = crate::DEFAULT_THRESHOLD;

    #[test]
    fn explanation_names_the_reading_of_han_characters() {
        let r = Record {
            id: "KPi.1".into(),
            dataset: "un".into(),
            schema: Schema::Person,
            names: vec![RecordName::primary("CHOE RYONG HAE")],
            birth_dates: vec![],
            countries: vec![],
        };
        let (score, ex) = compare(&Query::name("崔龍海"), &r).unwrap();
        assert!(score >= 0.95);
        let line = ex.to_string();
        assert!(line.contains("North Korean spelling"), "{line}");
        assert_eq!(ex.query_reading, "choe ryong hae");
    }

    #[test]
    fn legal_form_alone_is_not_a_query() {
        assert_eq!(
            PreparedQuery::new(&Query::name("LLC")).unwrap_err(),
            QueryError::OnlyStopWords
        );
        assert!(PreparedQuery::new(&Query::name("1970")).is_err());
    }

    #[test]
    fn unreadable_birth_date_is_a_typed_error() {
        let q = Query {
            name: "Ivan".into(),
            birth_date: Some("yesterday".into()),
            ..Query::default()
        };
        assert!(matches!(
            PreparedQuery::new(&q),
            Err(QueryError::BadBirthDate(_))
        ));
    }

    #[test]
    fn a_chinese_two_character_name_does_not_match_a_korean_name_on_one_syllable() {
        let s = |a, b| compare_names(a, b, Schema::Person);
        // 宁博 reads "yeong bak" in Sino-Korean: two syllables of a
        // three-syllable Korean name, one of them as a given name.
        assert!(s("宁博", "PAK YONG CHOL") < 0.65);
        assert!(s("宋文", "RI UN SONG") < 0.65);
        // A Korean name in hanja still finds its romanization.
        assert!(s("朴奉珠", "PAK PONG JU") > 0.9);
    }

    fn dated(name: &str) -> Record {
        Record {
            id: "QDi.9".into(),
            dataset: "un".into(),
            schema: Schema::Person,
            names: vec![RecordName::primary(name)],
            birth_dates: vec![DateSpec::Year(1971)],
            countries: vec!["Tajikistan".into()],
        }
    }

    #[test]
    fn a_contradicting_birth_date_pulls_a_weak_name_match_under_the_threshold() {
        let r = dated("Qodir Bekmurodovich Sattorov");
        let name_only = compare(&Query::name("Qodir Sattori"), &r).unwrap().0;
        assert!(name_only >= crate::DEFAULT_THRESHOLD, "{name_only}");
        let q = Query {
            name: "Qodir Sattori".into(),
            birth_date: Some("1990-05-04".into()),
            ..Query::default()
        };
        let (s, ex) = compare(&q, &r).unwrap();
        assert!(s < crate::DEFAULT_THRESHOLD, "{s} {ex}");
        // The exact name with the same contradiction stays a hit to review.
        let exact = Query {
            name: "Qodir Bekmurodovich Sattorov".into(),
            ..q
        };
        assert!(compare(&exact, &r).unwrap().0 >= 0.8);
    }

    #[test]
    fn a_contradicting_nationality_pulls_a_weak_name_match_under_the_threshold() {
        let r = dated("Qodir Bekmurodovich Sattorov");
        let q = Query {
            name: "Qodir Sattori".into(),
            country: Some("KZ".into()),
            ..Query::default()
        };
        let (s, ex) = compare(&q, &r).unwrap();
        assert!(s < crate::DEFAULT_THRESHOLD, "{s} {ex}");
        let agrees = Query {
            country: Some("TJ".into()),
            ..q
        };
        assert!(compare(&agrees, &r).unwrap().0 >= crate::DEFAULT_THRESHOLD);
    }

    #[test]
    fn machine_readable_names_filling_a_field_may_be_cut() {
        assert!(may_be_truncated("ABDURAKHMONOV<<MUKHAMMADSHARIF<ABDUKARI"));
        assert!(may_be_truncated("ABDURAKHMONOV:MUKHAMMADSHARIF:ABDUKARI"));
        // Too short to have been cut, or not machine-readable at all.
        assert!(!may_be_truncated("IVANOV:PETR"));
        assert!(!may_be_truncated("Abdurakhmonov Mukhammadsharif Abdukari"));
    }
}
