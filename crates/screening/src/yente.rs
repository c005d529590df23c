//! yente-compatible `POST /match/{dataset}`: the wire types and the logic,
//! without HTTP. The contract is yente 5.5.0's (see
//! `/work/shared/data/formats/yente/MATCH_CONTRACT.md`); what still differs
//! is written down in `crates/screening/YENTE.md`.
//!
//! The HTTP layer deserializes the body into [`MatchRequest`] (a body that
//! does not fit is a 422, as FastAPI would answer), the query string into
//! [`MatchParams`], calls [`match_request`], and answers either the
//! [`MatchResponse`] with the header `x-batch-size:`
//! [`MatchResponse::batch_size`], or `YenteError::status()` with
//! `{"detail": YenteError::to_string()}` ([`ErrorResponse`]).

use std::collections::{BTreeMap, HashMap};

use accord_lists::{EntrySchema, NameKind, NameQuality};
use accord_match::countries::normalize_country;
use accord_match::{Candidate, DateSpec, Query, QueryError, Schema, ScreenOptions};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::screener::{Screener, ScreenerEntry};

/// Most queries in one request (`YENTE_MAX_BATCH`).
pub const MAX_BATCH: usize = 100;
/// Largest `limit` (`YENTE_MAX_MATCHES`).
pub const MAX_LIMIT: usize = 500;
/// Most `exclude_entity_ids`.
pub const MAX_EXCLUDE_IDS: usize = 50;
/// Most distinct names screened for one query example.
pub const MAX_NAMES_PER_QUERY: usize = 10;
/// The collection that means "every dataset of the screener".
pub const DEFAULT_COLLECTION: &str = "default";
/// The algorithms yente 5.5.0 accepts; all are served by Accord's engine.
pub const ALGORITHMS: [&str; 6] = [
    "best",
    "logic-v2",
    "name-based",
    "name-qualified",
    "logic-v1",
    "regression-v1",
];
/// The config keys logic-v2 (and so `best`) accepts; the others accept none.
pub const LOGIC_V2_CONFIG: [&str; 6] = [
    "nm_name_property",
    "nm_number_mismatch",
    "nm_extra_query_name",
    "nm_extra_result_name",
    "nm_family_name_weight",
    "nm_fuzzy_cutoff_factor",
];

// ---------------------------------------------------------------- request

/// The request body (`EntityMatchQuery`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchRequest {
    /// Client-chosen key → example. Answered under the same keys.
    pub queries: BTreeMap<String, EntityExample>,
    /// Accepted for compatibility; Accord's engine has no per-feature weights.
    #[serde(default)]
    pub weights: BTreeMap<String, f64>,
    /// Keys are checked against the algorithm's config; values are ignored.
    #[serde(default)]
    pub config: BTreeMap<String, Value>,
}

/// One property's value(s) as a client may send them: a string or a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PropertyValues {
    One(String),
    Many(Vec<Value>),
}

impl PropertyValues {
    /// The values as strings (numbers are written out, nulls, lists and
    /// objects are dropped), trimmed, empty ones dropped.
    pub fn strings(&self) -> Vec<String> {
        let one = |v: &Value| match v {
            Value::String(s) => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        };
        match self {
            PropertyValues::One(s) => vec![s.trim().to_string()],
            PropertyValues::Many(vs) => vs.iter().filter_map(one).collect(),
        }
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect()
    }
}

/// A query example (`EntityExample`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntityExample {
    #[serde(default)]
    pub id: Option<String>,
    pub schema: String,
    pub properties: BTreeMap<String, PropertyValues>,
}

fn default_limit() -> usize {
    5
}
fn default_threshold() -> f64 {
    0.7
}
fn default_algorithm() -> String {
    "best".into()
}

/// The query-string parameters, with yente's defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchParams {
    #[serde(default = "default_limit")]
    pub limit: usize,
    /// A result has `match: true` when its score is at least this.
    #[serde(default = "default_threshold")]
    pub threshold: f64,
    /// Deprecated: results scoring `<= min(cutoff, threshold)` are dropped.
    #[serde(default = "default_threshold")]
    pub cutoff: f64,
    #[serde(default = "default_algorithm")]
    pub algorithm: String,
    #[serde(default)]
    pub include_dataset: Vec<String>,
    #[serde(default)]
    pub exclude_dataset: Vec<String>,
    #[serde(default)]
    pub exclude_schema: Vec<String>,
    #[serde(default)]
    pub topics: Vec<String>,
    #[serde(default)]
    pub changed_since: Option<String>,
    #[serde(default)]
    pub exclude_entity_ids: Vec<String>,
}

impl Default for MatchParams {
    fn default() -> Self {
        MatchParams {
            limit: default_limit(),
            threshold: default_threshold(),
            cutoff: default_threshold(),
            algorithm: default_algorithm(),
            include_dataset: Vec::new(),
            exclude_dataset: Vec::new(),
            exclude_schema: Vec::new(),
            topics: Vec::new(),
            changed_since: None,
            exclude_entity_ids: Vec::new(),
        }
    }
}

// --------------------------------------------------------------- response

/// The response body (`EntityMatchResponse`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchResponse {
    pub responses: BTreeMap<String, EntityMatches>,
    pub limit: usize,
}

impl MatchResponse {
    /// The value of the `x-batch-size` response header.
    pub fn batch_size(&self) -> usize {
        self.responses.len()
    }
}

/// The answer to one query (`EntityMatches`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntityMatches {
    /// 200, or 400 when this query could not be screened (see `detail`).
    pub status: u16,
    pub results: Vec<ScoredEntity>,
    pub total: TotalSpec,
    /// The example as understood: known properties, cleaned values.
    pub query: QueryEcho,
    /// Accord extension: why `status` is not 200.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The cleaned query example echoed back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryEcho {
    pub id: Option<String>,
    pub schema: String,
    pub properties: BTreeMap<String, Vec<String>>,
}

/// `{"value": n, "relation": "eq"}`: `n` results have `match: true`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotalSpec {
    pub value: u64,
    pub relation: String,
}

/// One result (`ScoredEntityResponse`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoredEntity {
    /// `<dataset>-<reference>`.
    pub id: String,
    pub caption: String,
    /// FtM schema: Person, Organization, Vessel or Airplane.
    pub schema: String,
    pub properties: BTreeMap<String, Vec<String>>,
    pub datasets: Vec<String>,
    /// The list's own reference.
    pub referents: Vec<String>,
    pub target: bool,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub last_change: Option<String>,
    pub score: f64,
    #[serde(rename = "match")]
    pub is_match: bool,
    pub explanations: BTreeMap<String, FeatureResult>,
}

/// One explained feature (`FeatureResult`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureResult {
    pub detail: Option<String>,
    pub score: f64,
    #[serde(default)]
    pub query: Option<String>,
    #[serde(default)]
    pub candidate: Option<String>,
}

/// Why a whole request is refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum YenteError {
    #[error("Dataset not found: {0:?}")]
    UnknownDataset(String),
    #[error(
        "Invalid algorithm: {0:?} (options: logic-v2, name-based, name-qualified, logic-v1, regression-v1)"
    )]
    UnknownAlgorithm(String),
    #[error("Invalid config key for algorithm {algorithm}: {key:?}")]
    UnknownConfig { algorithm: String, key: String },
    #[error("No queries provided.")]
    NoQueries,
    #[error("Too many queries: {got}, at most {MAX_BATCH} per request")]
    TooManyQueries { got: usize },
    #[error("Cannot parse example entity {key:?}: invalid or non-matchable schema {schema:?}")]
    InvalidSchema { key: String, schema: String },
    /// A parameter outside its range (FastAPI would answer 422).
    #[error("Invalid parameter {param}: {message}")]
    InvalidParam {
        param: &'static str,
        message: String,
    },
}

impl YenteError {
    /// The HTTP status yente answers.
    pub fn status(&self) -> u16 {
        match self {
            YenteError::UnknownDataset(_) => 404,
            YenteError::InvalidParam { .. } => 422,
            _ => 400,
        }
    }

    /// The body yente answers: `{"detail": "…"}`, or for a parameter out
    /// of range FastAPI's validation shape `{"detail": [{"loc": ["query",
    /// param], "msg": …, "type": "value_error"}]}`.
    pub fn body(&self) -> Value {
        match self {
            YenteError::InvalidParam { param, message } => {
                validation_error(&["query", param], message, "value_error")
            }
            other => serde_json::json!({ "detail": other.to_string() }),
        }
    }
}

/// FastAPI's 422 body (`HTTPValidationError`) with one `ValidationError`.
pub fn validation_error(loc: &[&str], msg: &str, kind: &str) -> Value {
    serde_json::json!({ "detail": [{ "loc": loc, "msg": msg, "type": kind }] })
}

// ------------------------------------------------------------------ logic

/// What a query schema may match, and the engine schema it screens as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QuerySchema {
    Thing,
    LegalEntity,
    Person,
    Organization,
    Vessel,
    Airplane,
}

impl QuerySchema {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "Thing" => QuerySchema::Thing,
            "LegalEntity" => QuerySchema::LegalEntity,
            "Person" => QuerySchema::Person,
            "Organization" | "Company" | "PublicBody" => QuerySchema::Organization,
            "Vessel" => QuerySchema::Vessel,
            "Airplane" => QuerySchema::Airplane,
            _ => return None,
        })
    }

    fn engine(self) -> Option<Schema> {
        match self {
            QuerySchema::Thing | QuerySchema::LegalEntity => None,
            QuerySchema::Person => Some(Schema::Person),
            QuerySchema::Organization => Some(Schema::Organization),
            QuerySchema::Vessel => Some(Schema::Vessel),
            QuerySchema::Airplane => Some(Schema::Aircraft),
        }
    }

    /// yente only returns entities of a schema the query can match.
    fn admits(self, s: EntrySchema) -> bool {
        match self {
            QuerySchema::Thing => true,
            QuerySchema::LegalEntity => {
                matches!(s, EntrySchema::Person | EntrySchema::Organization)
            }
            QuerySchema::Person => s == EntrySchema::Person,
            QuerySchema::Organization => s == EntrySchema::Organization,
            QuerySchema::Vessel => s == EntrySchema::Vessel,
            QuerySchema::Airplane => s == EntrySchema::Aircraft,
        }
    }
}

/// FtM schema name of a list entry.
pub fn ftm_schema(s: EntrySchema) -> &'static str {
    match s {
        EntrySchema::Person => "Person",
        EntrySchema::Organization => "Organization",
        EntrySchema::Vessel => "Vessel",
        EntrySchema::Aircraft => "Airplane",
    }
}

const NAME_PROPS: [&str; 3] = ["name", "alias", "previousName"];
const NAME_PART_PROPS: [&str; 5] = [
    "firstName",
    "secondName",
    "middleName",
    "fatherName",
    "lastName",
];
const COUNTRY_PROPS: [&str; 5] = [
    "nationality",
    "citizenship",
    "country",
    "jurisdiction",
    "birthCountry",
];
const DATE_PROPS: [&str; 3] = ["birthDate", "incorporationDate", "buildDate"];
/// Identifier properties a query without a name is searched by (echoed
/// like the [`OTHER_PROPS`]).
const IDENTIFIER_PROPS: [&str; 6] = [
    "idNumber",
    "passportNumber",
    "taxNumber",
    "registrationNumber",
    "imoNumber",
    "mmsi",
];
/// Other properties echoed back as given (not used for scoring).
const OTHER_PROPS: [&str; 10] = [
    "weakAlias",
    "title",
    "motherName",
    "gender",
    "birthPlace",
    "address",
    "email",
    "phone",
    "position",
    "notes",
];

/// The score of a result found by an identifier alone (no name to compare):
/// the coefficient of `identifier_match` in yente 5.5.0's logic-v2
/// (`/algorithms`), the score logic-v2 gives such a pair.
pub const IDENTIFIER_MATCH_SCORE: f64 = 0.85;

/// The FtM country code of a country as written: FtM's full table
/// (`accord_lists::country`), then the engine's demonyms and Cyrillic names.
fn country_code(text: &str) -> Option<String> {
    accord_lists::country::code(text)
        .map(str::to_string)
        .or_else(|| normalize_country(text).map(str::to_ascii_lowercase))
}

/// An example parsed: what is screened and what is echoed.
struct Parsed {
    schema: QuerySchema,
    names: Vec<String>,
    /// Identifier values, searched when the example has no name.
    identifiers: Vec<String>,
    birth_date: Option<String>,
    country: Option<String>,
    echo: QueryEcho,
}

fn parse_example(key: &str, ex: &EntityExample) -> Result<Parsed, YenteError> {
    let schema = QuerySchema::parse(ex.schema.trim()).ok_or_else(|| YenteError::InvalidSchema {
        key: key.to_string(),
        schema: ex.schema.clone(),
    })?;
    let get = |p: &str| {
        ex.properties
            .get(p)
            .map(|v| v.strings())
            .unwrap_or_default()
    };
    let mut echo: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut names: Vec<String> = Vec::new();
    let mut push_name = |n: &str| {
        if !names.iter().any(|x| x == n) {
            names.push(n.to_string());
        }
    };
    for p in NAME_PROPS {
        let vs = get(p);
        vs.iter().for_each(|v| push_name(v));
        if !vs.is_empty() {
            echo.insert(p.into(), vs);
        }
    }
    let mut parts = Vec::new();
    for p in NAME_PART_PROPS {
        let vs = get(p);
        if let Some(v) = vs.first() {
            parts.push(v.clone());
        }
        if !vs.is_empty() {
            echo.insert(p.into(), vs);
        }
    }
    if !parts.is_empty() {
        push_name(&parts.join(" "));
    }
    names.truncate(MAX_NAMES_PER_QUERY);

    // Dates are cleaned as FtM does: values that are not dates are dropped.
    let mut birth_date = None;
    for p in DATE_PROPS {
        let vs: Vec<String> = get(p)
            .into_iter()
            .filter(|v| DateSpec::parse(v).is_some())
            .collect();
        if p == "birthDate" {
            birth_date = vs.first().cloned();
        }
        if !vs.is_empty() {
            echo.insert(p.into(), vs);
        }
    }
    // Countries are cleaned to lowercase ISO codes; unknown ones dropped.
    let mut country = None;
    for p in COUNTRY_PROPS {
        let vs: Vec<String> = get(p).iter().filter_map(|v| country_code(v)).collect();
        if country.is_none() {
            country = vs.first().cloned();
        }
        if !vs.is_empty() {
            echo.insert(p.into(), vs);
        }
    }
    for p in IDENTIFIER_PROPS.into_iter().chain(OTHER_PROPS) {
        let vs = get(p);
        if !vs.is_empty() {
            echo.insert(p.into(), vs);
        }
    }
    let identifiers = IDENTIFIER_PROPS.iter().flat_map(|p| get(p)).collect();
    Ok(Parsed {
        schema,
        names,
        identifiers,
        birth_date,
        country,
        echo: QueryEcho {
            id: ex.id.clone(),
            schema: ex.schema.clone(),
            properties: echo,
        },
    })
}

fn check_params(params: &MatchParams) -> Result<(), YenteError> {
    let bad = |param, message: String| Err(YenteError::InvalidParam { param, message });
    if params.limit > MAX_LIMIT {
        return bad(
            "limit",
            format!("{} is more than {MAX_LIMIT}", params.limit),
        );
    }
    for (name, v) in [("threshold", params.threshold), ("cutoff", params.cutoff)] {
        if !v.is_finite() {
            return bad(name, "not a number".into());
        }
    }
    if params.exclude_entity_ids.len() > MAX_EXCLUDE_IDS {
        return bad(
            "exclude_entity_ids",
            format!("more than {MAX_EXCLUDE_IDS} ids"),
        );
    }
    if let Some(cs) = &params.changed_since
        && !changed_since_ok(cs)
    {
        return bad(
            "changed_since",
            format!("{cs:?} is not YYYY-MM-DD[THH[:MM[:SS]]]"),
        );
    }
    if !ALGORITHMS.contains(&params.algorithm.as_str()) {
        return Err(YenteError::UnknownAlgorithm(params.algorithm.clone()));
    }
    Ok(())
}

/// `^\d{4}-\d{2}-\d{2}(T\d{2}(:\d{2}(:\d{2})?)?)?$`
fn changed_since_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let date = b.len() >= 10 && digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-';
    date && digits(8..10)
        && match b.len() {
            10 => true,
            13 => b[10] == b'T' && digits(11..13),
            16 => b[10] == b'T' && digits(11..13) && b[13] == b':' && digits(14..16),
            19 => {
                b[10] == b'T'
                    && digits(11..13)
                    && b[13] == b':'
                    && digits(14..16)
                    && b[16] == b':'
                    && digits(17..19)
            }
            _ => false,
        }
}

/// The datasets in scope: the collection, narrowed by include/exclude.
fn scope(
    screener: &Screener,
    dataset: &str,
    params: &MatchParams,
) -> Result<Vec<String>, YenteError> {
    let all: Vec<String> = screener.datasets().iter().map(|d| d.name.clone()).collect();
    let mut scope = if screener.has_dataset(dataset) {
        vec![dataset.to_string()]
    } else if dataset == DEFAULT_COLLECTION {
        all
    } else {
        return Err(YenteError::UnknownDataset(dataset.to_string()));
    };
    if !params.include_dataset.is_empty() {
        scope.retain(|d| params.include_dataset.contains(d));
    }
    scope.retain(|d| !params.exclude_dataset.contains(d));
    Ok(scope)
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// A list date or timestamp as yente writes `first_seen`, `last_seen` and
/// `last_change`: `YYYY-MM-DDTHH:MM:SS`, in UTC, without offset or fraction
/// — one format for the three fields, so that a client can compare them
/// after parsing (Python refuses to compare a datetime with an offset to
/// one without). A day is midnight; a date with an XML offset
/// (`2015-04-07-04:00`) is its day. `None` for text that is neither.
pub fn yente_time(d: &str) -> Option<String> {
    use time::format_description::well_known::Rfc3339;
    use time::macros::format_description;
    let d = d.trim();
    let day = format_description!("[year]-[month]-[day]");
    let out = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    if let Ok(t) = time::OffsetDateTime::parse(d, &Rfc3339) {
        return t.to_offset(time::UtcOffset::UTC).format(&out).ok();
    }
    // Already in this form (a timestamp without offset is taken as UTC).
    if let Ok(t) = time::PrimitiveDateTime::parse(d, &out) {
        return t.format(&out).ok();
    }
    let date = d.get(..10).and_then(|p| time::Date::parse(p, &day).ok())?;
    let rest = &d[10..];
    let offset_only = rest.is_empty()
        || rest == "Z"
        || (rest.len() == 6 && (rest.starts_with('+') || rest.starts_with('-')));
    offset_only
        .then(|| date.midnight().format(&out).ok())
        .flatten()
}

fn entity_properties(e: &ScreenerEntry) -> BTreeMap<String, Vec<String>> {
    let mut p: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut add = |k: &str, v: &str| {
        let vs = p.entry(k.to_string()).or_default();
        if !vs.iter().any(|x| x == v) {
            vs.push(v.to_string());
        }
    };
    for n in &e.names {
        let key = match (n.kind, n.quality) {
            (_, NameQuality::Weak) => "weakAlias",
            (NameKind::Primary, _) => "name",
            (NameKind::Alias | NameKind::OriginalScript, _) => "alias",
            (NameKind::FormerName, _) => "previousName",
        };
        add(key, &n.text);
    }
    let country_key = if e.schema == EntrySchema::Person {
        for d in &e.birth_dates {
            add("birthDate", d);
        }
        "nationality"
    } else {
        "country"
    };
    // FtM country codes only: a country without one would be an invalid
    // value of a country-typed property.
    for code in e.nationalities.iter().filter_map(|c| country_code(c)) {
        add(country_key, &code);
    }
    for prog in &e.programs {
        add("program", prog);
    }
    add("topics", "sanction");
    if let Some(m) = &e.last_updated {
        add("modifiedAt", m);
    }
    p
}

fn explanations(c: &Candidate, query_name: &str) -> BTreeMap<String, FeatureResult> {
    let ex = &c.explanation;
    let mut out = BTreeMap::new();
    out.insert(
        "name_match".to_string(),
        FeatureResult {
            detail: Some(ex.to_string()),
            score: ex.name_score,
            query: Some(query_name.to_string()),
            candidate: Some(ex.matched_name.clone()),
        },
    );
    for f in &ex.features {
        // yente's features are scores in [0, 1] weighted by a coefficient;
        // the engine's are signed effects added to the name score.
        let key = match (f.feature, f.effect < 0.0) {
            ("country", true) => "country_mismatch".to_string(),
            ("birth_date", true) => "dob_disjoint".to_string(),
            ("schema", true) => "schema_mismatch".to_string(),
            (other, _) => format!("{other}_match"),
        };
        out.insert(
            key,
            FeatureResult {
                detail: Some(format!("{:+.3}: {}", f.effect, f.detail)),
                score: round3(f.effect.abs()),
                query: None,
                candidate: None,
            },
        );
    }
    out
}

/// Entries carrying a document numbered as one of `identifiers`, in the
/// datasets of `scope`, each once, with an `identifier_match` explanation.
fn identifier_hits<'a>(
    screener: &'a Screener,
    scope: &[String],
    identifiers: &[String],
) -> Vec<(&'a ScreenerEntry, f64, BTreeMap<String, FeatureResult>)> {
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for id in identifiers {
        for listed in screener.documents_numbered(id) {
            let Some(e) = screener.entries().get(listed.entry) else {
                continue;
            };
            if seen.contains(&listed.entry) || !scope.iter().any(|d| d == screener.dataset_name(e))
            {
                continue;
            }
            seen.push(listed.entry);
            let feature = FeatureResult {
                detail: Some(format!(
                    "{} {} of the entry equals the query's identifier",
                    listed.document.kind, listed.document.number
                )),
                score: IDENTIFIER_MATCH_SCORE,
                query: Some(id.clone()),
                candidate: Some(listed.document.number.clone()),
            };
            let explanations = BTreeMap::from([("identifier_match".to_string(), feature)]);
            out.push((e, IDENTIFIER_MATCH_SCORE, explanations));
        }
    }
    out
}

/// One name of an example and what the engine answered for it.
type NameAnswer = (String, Result<Vec<Candidate>, QueryError>);

/// Answers a match request against `dataset` (a dataset of the screener, or
/// `default` for all of them).
///
/// Whole-request errors are typed ([`YenteError`], with the HTTP status
/// yente gives). A query without any name is searched by its identifiers
/// (`idNumber`, `passportNumber`, ... against the listed documents; such a
/// result scores [`IDENTIFIER_MATCH_SCORE`]) and answered with `status: 200`
/// like any other, with no results when nothing carries its numbers. A
/// query whose names the engine refuses (e.g. punctuation only) is answered
/// with `status: 400`, no results and a `detail`, and the other queries are
/// still answered.
pub fn match_request(
    screener: &Screener,
    dataset: &str,
    request: MatchRequest,
    params: MatchParams,
) -> Result<MatchResponse, YenteError> {
    check_params(&params)?;
    let allowed: &[&str] = if matches!(params.algorithm.as_str(), "best" | "logic-v2") {
        &LOGIC_V2_CONFIG
    } else {
        &[]
    };
    if let Some(key) = request
        .config
        .keys()
        .find(|k| !allowed.contains(&k.as_str()))
    {
        return Err(YenteError::UnknownConfig {
            algorithm: params.algorithm.clone(),
            key: key.clone(),
        });
    }
    let scope = scope(screener, dataset, &params)?;
    if request.queries.is_empty() {
        return Err(YenteError::NoQueries);
    }
    if request.queries.len() > MAX_BATCH {
        return Err(YenteError::TooManyQueries {
            got: request.queries.len(),
        });
    }
    let mut parsed = Vec::with_capacity(request.queries.len());
    for (key, ex) in &request.queries {
        parsed.push((key.clone(), parse_example(key, ex)?));
    }

    // One engine query per (example, name), all screened in one batch.
    let cutoff = params.cutoff.min(params.threshold);
    let engine_opts = ScreenOptions {
        threshold: cutoff.max(0.0),
        limit: (params.limit * 3).clamp(20, MAX_LIMIT),
        datasets: Some(scope.clone()),
    };
    let mut queries = Vec::new();
    let mut owner = Vec::new();
    if !scope.is_empty() {
        for (i, (_, p)) in parsed.iter().enumerate() {
            for n in &p.names {
                queries.push(Query {
                    name: n.clone(),
                    birth_date: p.birth_date.clone(),
                    country: p.country.clone(),
                    schema: p.schema.engine(),
                });
                owner.push(i);
            }
        }
    }
    let results = screener.screen_batch(&queries, &engine_opts);
    let mut per_query: Vec<Vec<NameAnswer>> = (0..parsed.len()).map(|_| Vec::new()).collect();
    for ((q, r), i) in queries.into_iter().zip(results).zip(owner) {
        per_query[i].push((q.name, r));
    }

    let topics_ok = params.topics.is_empty() || params.topics.iter().any(|t| t == "sanction");
    let last_seen = |e: &ScreenerEntry| {
        screener.datasets()[e.dataset as usize]
            .generated
            .as_deref()
            .and_then(yente_time)
    };
    let mut responses = BTreeMap::new();
    for ((key, p), answers) in parsed.into_iter().zip(per_query) {
        let mut detail = None;
        if !p.names.is_empty() && !scope.is_empty() && answers.iter().all(|(_, r)| r.is_err()) {
            let why: Vec<String> = answers
                .iter()
                .filter_map(|(n, r)| r.as_ref().err().map(|e| format!("{n:?}: {e}")))
                .collect();
            detail = Some(format!("no name could be screened: {}", why.join("; ")));
        }
        // Best candidate per entry over the example's names.
        let mut best: HashMap<usize, (&Candidate, &str)> = HashMap::new();
        for (name, r) in &answers {
            for c in r.iter().flatten() {
                let slot = best.entry(c.record).or_insert((c, name));
                if c.score > slot.0.score {
                    *slot = (c, name);
                }
            }
        }
        let mut hits: Vec<(&ScreenerEntry, f64, BTreeMap<String, FeatureResult>)> = best
            .into_values()
            .filter_map(|(c, qname)| Some((screener.entry(c)?, c.score, explanations(c, qname))))
            .collect();
        // yente searches an example without a name by its other properties;
        // Accord's engine compares names, so such an example is searched by
        // its identifiers (document numbers) in the datasets in scope.
        if p.names.is_empty() {
            hits.extend(identifier_hits(screener, &scope, &p.identifiers));
        }
        let mut results: Vec<ScoredEntity> = Vec::new();
        let mut total = 0;
        for (e, score, explanations) in hits {
            let ds = screener.dataset_name(e);
            let id = format!("{ds}-{}", e.reference);
            let schema = ftm_schema(e.schema);
            let last_change = e.last_updated.as_deref().or(e.listed_on.as_deref());
            let excluded = params
                .exclude_entity_ids
                .iter()
                .any(|x| *x == id || *x == e.reference)
                || params.exclude_schema.iter().any(|s| s == schema)
                || !p.schema.admits(e.schema)
                || !topics_ok
                || params
                    .changed_since
                    .as_deref()
                    .is_some_and(|cs| last_change.is_none_or(|lc| lc < cs));
            let score = round3(score);
            if excluded || score <= cutoff {
                continue;
            }
            let is_match = score >= params.threshold;
            total += u64::from(is_match);
            results.push(ScoredEntity {
                id,
                caption: e.caption().to_string(),
                schema: schema.to_string(),
                properties: entity_properties(e),
                datasets: vec![ds.to_string()],
                referents: vec![e.reference.clone()],
                target: true,
                first_seen: e.listed_on.as_deref().and_then(yente_time),
                last_seen: last_seen(e),
                last_change: last_change.and_then(yente_time),
                score,
                is_match,
                explanations,
            });
        }
        results.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
        results.truncate(params.limit);
        responses.insert(
            key,
            EntityMatches {
                status: if detail.is_some() { 400 } else { 200 },
                results,
                total: TotalSpec {
                    value: total,
                    relation: "eq".into(),
                },
                query: p.echo,
                detail,
            },
        );
    }
    Ok(MatchResponse {
        responses,
        limit: params.limit,
    })
}

// ------------------------------------------------------ other endpoints

/// `GET /algorithms` (`AlgorithmResponse`): the names yente accepts, each
/// described as what it is here (Accord's engine serves them all), with
/// `best` → `logic-v2` as yente answers.
pub fn algorithms() -> Value {
    let algorithms: Vec<Value> = ALGORITHMS
        .iter()
        .filter(|a| **a != "best")
        .map(|name| {
            let description = format!(
                "Accepted for compatibility with yente: {name} is served by Accord's screening \
                 engine (explained name scores, then birth date, country and schema effects)."
            );
            let config: serde_json::Map<String, Value> = if *name == "logic-v2" {
                LOGIC_V2_CONFIG
                    .iter()
                    .map(|k| {
                        let doc = serde_json::json!({
                            "type": "string",
                            "description": "accepted and ignored by Accord's engine",
                            "default": null
                        });
                        (k.to_string(), doc)
                    })
                    .collect()
            } else {
                serde_json::Map::new()
            };
            serde_json::json!({
                "name": name,
                "description": description,
                "features": {},
                "docs": { "name": name, "description": description, "config": config, "features": {} }
            })
        })
        .collect();
    serde_json::json!({ "algorithms": algorithms, "default": "best", "best": "logic-v2" })
}

/// `GET /catalog` (`DataCatalogModel`): every dataset of the screener, all
/// loaded and current, plus the `default` collection of them all.
pub fn catalog(screener: &Screener) -> Value {
    let mut datasets: Vec<Value> = screener
        .datasets()
        .iter()
        .map(|d| {
            serde_json::json!({
                "name": d.name,
                "title": d.name,
                "entity_count": d.entries,
                "thing_count": d.entries,
                "updated_at": d.generated.as_deref().and_then(yente_time),
                "version": d.generated,
                "load": true,
                "index_current": true,
                "children": [],
            })
        })
        .collect();
    let names: Vec<String> = screener.datasets().iter().map(|d| d.name.clone()).collect();
    let total: usize = screener.datasets().iter().map(|d| d.entries).sum();
    datasets.push(serde_json::json!({
        "name": DEFAULT_COLLECTION,
        "title": "All the lists Accord screens",
        "entity_count": total,
        "thing_count": total,
        "load": true,
        "index_current": true,
        "children": names,
    }));
    let mut current = names;
    current.push(DEFAULT_COLLECTION.to_string());
    serde_json::json!({ "datasets": datasets, "current": current, "outdated": [], "index_stale": false })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_since_pattern() {
        for ok in [
            "2024-01-02",
            "2024-01-02T10",
            "2024-01-02T10:11",
            "2024-01-02T10:11:12",
        ] {
            assert!(changed_since_ok(ok), "{ok}");
        }
        for bad in [
            "2024-1-02",
            "2024-01-02T",
            "2024-01-02 10:11",
            "x",
            "2024-01-02T10:11:12Z",
        ] {
            assert!(!changed_since_ok(bad), "{bad}");
        }
    }

    #[test]
    fn properties_accept_string_or_list() {
        let ex: EntityExample = serde_json::from_str(
            r#"{"schema":"Person","properties":{"name":"A B","birthDate":["1965", 1966, null, ""],"country":"Russia"}}"#,
        )
        .unwrap();
        assert_eq!(ex.properties["name"].strings(), vec!["A B"]);
        assert_eq!(ex.properties["birthDate"].strings(), vec!["1965", "1966"]);
        let p = parse_example("k", &ex).unwrap();
        assert_eq!(p.names, vec!["A B"]);
        assert_eq!(p.birth_date.as_deref(), Some("1965"));
        assert_eq!(p.country.as_deref(), Some("ru"));
        assert_eq!(p.echo.properties["country"], vec!["ru"]);
    }

    #[test]
    fn name_parts_make_a_name_and_bad_dates_are_dropped() {
        let ex: EntityExample = serde_json::from_str(
            r#"{"schema":"Person","properties":{"firstName":["Aleksandr"],"lastName":["Zacharov"],"birthDate":["not a date"]}}"#,
        )
        .unwrap();
        let p = parse_example("q", &ex).unwrap();
        assert_eq!(p.names, vec!["Aleksandr Zacharov"]);
        assert_eq!(p.birth_date, None);
        assert!(!p.echo.properties.contains_key("birthDate"));
    }

    #[test]
    fn schemas() {
        let ex = |s: &str| EntityExample {
            id: None,
            schema: s.into(),
            properties: BTreeMap::new(),
        };
        assert!(parse_example("k", &ex("Company")).is_ok());
        assert!(parse_example("k", &ex("LegalEntity")).is_ok());
        let e = parse_example("k", &ex("Planet")).err().unwrap();
        assert_eq!(e.status(), 400);
        assert!(QuerySchema::LegalEntity.admits(EntrySchema::Person));
        assert!(!QuerySchema::Person.admits(EntrySchema::Organization));
    }
}
