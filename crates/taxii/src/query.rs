//! The query parameters of `objects`, `objects/{id}`, `versions` and
//! `manifest` (TAXII 2.1, 3.4), checked once into an [`ObjectQuery`].

use std::collections::BTreeSet;

use sha2_011::{Digest, Sha256};

use crate::{MAX_PAGE, is_stix_id, is_type_name, parse_timestamp};

/// Which versions of each object to return (`match[version]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Versions {
    pub first: bool,
    pub last: bool,
    pub all: bool,
    /// Exact `modified` timestamps, in milliseconds.
    pub at: BTreeSet<i64>,
}

impl Versions {
    /// The default: the latest version of each object.
    pub fn last() -> Versions {
        Versions {
            last: true,
            ..Versions::default()
        }
    }

    fn text(&self) -> String {
        let mut parts = Vec::new();
        if self.all {
            parts.push("all".to_string());
        }
        if self.first {
            parts.push("first".to_string());
        }
        if self.last {
            parts.push("last".to_string());
        }
        parts.extend(self.at.iter().map(|t| t.to_string()));
        parts.join(",")
    }
}

/// A checked query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectQuery {
    /// Only what was added after this instant (microseconds since the epoch).
    pub added_after: Option<i64>,
    pub limit: u32,
    /// The `next` token, still to be checked against the query (see
    /// [`crate::cursor`]).
    pub next: Option<String>,
    pub ids: BTreeSet<String>,
    pub types: BTreeSet<String>,
    pub versions: Versions,
    /// `match[spec_version]`; empty: any (every object here is 2.1).
    pub spec_versions: BTreeSet<String>,
}

/// A parameter that is not what TAXII says it must be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{parameter}: {reason}")]
pub struct QueryError {
    pub parameter: String,
    pub reason: String,
}

fn bad(parameter: &str, reason: impl Into<String>) -> QueryError {
    QueryError {
        parameter: parameter.into(),
        reason: reason.into(),
    }
}

/// The values of a filter: every occurrence, split at commas.
fn values<'a>(pairs: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .collect()
}

fn single<'a>(pairs: &'a [(String, String)], name: &str) -> Result<Option<&'a str>, QueryError> {
    let mut found = pairs
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str());
    let first = found.next();
    if found.next().is_some() {
        return Err(bad(name, "give it once"));
    }
    Ok(first)
}

impl ObjectQuery {
    /// Reads the query string's pairs. Parameters TAXII does not define are
    /// ignored, as the specification asks; a `match[…]` field Accord does not
    /// filter on is refused, so a client never takes an unfiltered answer
    /// for a filtered one.
    pub fn parse(pairs: &[(String, String)]) -> Result<ObjectQuery, QueryError> {
        for (k, _) in pairs {
            if let Some(field) = k.strip_prefix("match[").and_then(|f| f.strip_suffix(']'))
                && !matches!(field, "id" | "type" | "version" | "spec_version")
            {
                return Err(bad(
                    k,
                    "Accord filters on match[id], match[type], match[version] and match[spec_version] only",
                ));
            }
        }
        let added_after = match single(pairs, "added_after")? {
            None => None,
            Some(t) => Some(parse_timestamp(t).ok_or_else(|| {
                bad("added_after", format!("{t:?} is not a timestamp: use RFC 3339 in UTC, e.g. 2026-12-01T00:00:00.000Z"))
            })?),
        };
        let limit = match single(pairs, "limit")? {
            None => MAX_PAGE,
            Some(l) => match l.trim().parse::<u64>() {
                Ok(n) if (1..=u64::from(MAX_PAGE)).contains(&n) => n as u32,
                _ => {
                    return Err(bad(
                        "limit",
                        format!("{l:?} is not a whole number from 1 to {MAX_PAGE}"),
                    ));
                }
            },
        };
        let next = single(pairs, "next")?.map(str::to_string);
        let mut ids = BTreeSet::new();
        for id in values(pairs, "match[id]") {
            if !is_stix_id(id) {
                return Err(bad(
                    "match[id]",
                    format!("{id:?} is not a STIX identifier (type--UUID)"),
                ));
            }
            ids.insert(id.to_string());
        }
        let mut types = BTreeSet::new();
        for t in values(pairs, "match[type]") {
            if !is_type_name(t) {
                return Err(bad("match[type]", format!("{t:?} is not a STIX type name")));
            }
            types.insert(t.to_string());
        }
        let asked = values(pairs, "match[version]");
        let versions = if asked.is_empty() {
            Versions::last()
        } else {
            let mut v = Versions::default();
            for a in asked {
                match a {
                    "all" => v.all = true,
                    "first" => v.first = true,
                    "last" => v.last = true,
                    t => match parse_timestamp(t) {
                        // `modified` is kept to the millisecond (STIX's precision).
                        Some(us) if us % 1_000 == 0 => {
                            v.at.insert(us / 1_000);
                        }
                        _ => {
                            return Err(bad(
                                "match[version]",
                                format!("{t:?} is not last, first, all or a timestamp"),
                            ));
                        }
                    },
                }
            }
            v
        };
        let mut spec_versions = BTreeSet::new();
        for s in values(pairs, "match[spec_version]") {
            if !matches!(s, "2.0" | "2.1") {
                return Err(bad(
                    "match[spec_version]",
                    format!("{s:?} is not a STIX version (2.0 or 2.1)"),
                ));
            }
            spec_versions.insert(s.to_string());
        }
        Ok(ObjectQuery {
            added_after,
            limit,
            next,
            ids,
            types,
            versions,
            spec_versions,
        })
    }

    /// Whether nothing can match (a spec version Accord does not serve).
    pub fn matches_nothing(&self) -> bool {
        !self.spec_versions.is_empty() && !self.spec_versions.contains("2.1")
    }

    /// What a `next` token is bound to: the endpoint, the collection and
    /// every filter (not the limit, which a client may change between pages).
    pub fn fingerprint(&self, endpoint: &str, collection: &str) -> String {
        let text = format!(
            "{endpoint}\n{collection}\n{:?}\n{}\n{}\n{}\n{}",
            self.added_after,
            self.ids.iter().cloned().collect::<Vec<_>>().join(","),
            self.types.iter().cloned().collect::<Vec<_>>().join(","),
            self.versions.text(),
            self.spec_versions
                .iter()
                .cloned()
                .collect::<Vec<_>>()
                .join(","),
        );
        let digest = Sha256::digest(text.as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Result<ObjectQuery, QueryError> {
        let pairs: Vec<(String, String)> = s
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.to_string(), v.to_string())
            })
            .collect();
        ObjectQuery::parse(&pairs)
    }

    #[test]
    fn the_defaults_are_the_last_versions_a_full_page() {
        let d = q("").unwrap();
        assert_eq!(d.limit, MAX_PAGE);
        assert_eq!(d.versions, Versions::last());
        assert!(d.added_after.is_none() && d.next.is_none() && d.ids.is_empty());
    }

    #[test]
    fn filters_are_read_from_lists_and_repeats() {
        let r = q("match[type]=report,note&match[type]=identity&match[version]=first,2026-01-01T00:00:00.000Z&limit=5&added_after=2026-01-01T00:00:00Z").unwrap();
        assert_eq!(r.types.len(), 3);
        assert!(r.versions.first && !r.versions.last);
        assert_eq!(r.versions.at.len(), 1);
        assert_eq!(r.limit, 5);
        assert_eq!(r.added_after, Some(1_767_225_600_000_000));
    }

    #[test]
    fn bad_parameters_are_named() {
        for (query, parameter) in [
            ("limit=0", "limit"),
            ("limit=10000000", "limit"),
            ("limit=ten", "limit"),
            ("added_after=yesterday", "added_after"),
            (
                "added_after=2026-01-01T00:00:00Z&added_after=2026-01-02T00:00:00Z",
                "added_after",
            ),
            ("match[id]=report--x", "match[id]"),
            ("match[type]=Report", "match[type]"),
            ("match[version]=newest", "match[version]"),
            ("match[spec_version]=3.0", "match[spec_version]"),
            ("match[labels]=x", "match[labels]"),
        ] {
            assert_eq!(q(query).unwrap_err().parameter, parameter, "{query}");
        }
        assert!(
            q("unknown=1").is_ok(),
            "parameters TAXII does not define are ignored"
        );
    }

    #[test]
    fn the_fingerprint_changes_with_filters_but_not_the_limit() {
        let a = q("match[type]=report&limit=5").unwrap();
        let b = q("match[type]=report&limit=50").unwrap();
        let c = q("match[type]=note").unwrap();
        assert_eq!(
            a.fingerprint("objects", "c1"),
            b.fingerprint("objects", "c1")
        );
        assert_ne!(
            a.fingerprint("objects", "c1"),
            c.fingerprint("objects", "c1")
        );
        assert_ne!(
            a.fingerprint("objects", "c1"),
            a.fingerprint("objects", "c2")
        );
        assert_ne!(
            a.fingerprint("objects", "c1"),
            a.fingerprint("manifest", "c1")
        );
    }

    #[test]
    fn only_stix_2_0_matches_nothing() {
        assert!(q("match[spec_version]=2.0").unwrap().matches_nothing());
        assert!(!q("match[spec_version]=2.0,2.1").unwrap().matches_nothing());
    }
}
