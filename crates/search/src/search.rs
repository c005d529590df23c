//! Running a search: the query (words, filters, the reader's rights as one
//! boolean query), the collection, the hits' titles and snippets.

use std::collections::HashSet;
use std::ops::Bound;
use std::sync::Arc;

use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query, QueryParserError, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

use crate::analysis::{GROUPS, Group, MIXED_ANALYZER};
use crate::collect::{LibraryCollector, sorted};
use crate::index::{Fields, group_index};
use crate::snippet::{self, Matcher, SNIPPET_CHARS};
use crate::visible::{RightsQuery, VisibleStats};
use crate::{
    Facets, Hit, LibraryIndex, MAX_LIMIT, MAX_OFFSET, MAX_QUERY_CHARS, Order, SearchError,
    SearchQuery, SearchResults, VisibleSet,
};

/// A filter: matches or not, adds nothing to the score.
fn filter(query: Box<dyn Query>) -> (Occur, Box<dyn Query>) {
    (Occur::Must, Box::new(ConstScoreQuery::new(query, 0.0)))
}

fn term_filter(field: Field, value: &str) -> (Occur, Box<dyn Query>) {
    filter(Box::new(TermQuery::new(
        Term::from_field_text(field, value.trim()),
        IndexRecordOption::Basic,
    )))
}

/// The user-facing sentence for a query the parser refused.
fn syntax_error(e: QueryParserError) -> SearchError {
    let detail = match e {
        QueryParserError::SyntaxError(_) => "check that every quotation mark and parenthesis is closed, and that AND, OR and NOT stand between words.".to_string(),
        QueryParserError::FieldDoesNotExist(name) => format!(
            "\u{201c}{name}:\u{201d} is read as the name of a field, and there is no such field; put the words in quotation marks to search for them as written."
        ),
        QueryParserError::AllButQueryForbidden => {
            "a search cannot consist only of excluded words (-word); add a word to look for.".to_string()
        }
        QueryParserError::FieldNotIndexed(name) => format!(
            "the field \u{201c}{name}\u{201d} cannot be searched; put the words in quotation marks to search for them as written."
        ),
        e => format!("it uses something the library search does not support ({e}); try plain words."),
    };
    SearchError::QuerySyntax { detail }
}

/// The stored attachment excerpt.
fn attachment(doc: &TantivyDocument, field: Field) -> Option<String> {
    Some(doc.get_first(field)?.as_str()?.to_string())
}

/// The query's terms, per analyser: what to highlight where.
struct MatchTerms {
    /// Per [`Group::ALL`] entry (title and text fields together).
    groups: [HashSet<String>; GROUPS],
    attach: HashSet<String>,
}

impl MatchTerms {
    fn of(query: Option<&dyn Query>, fields: &Fields) -> MatchTerms {
        let mut terms = MatchTerms {
            groups: Default::default(),
            attach: HashSet::new(),
        };
        let Some(query) = query else { return terms };
        query.query_terms(&mut |term, _| {
            let value = term.value();
            let Some(text) = value.as_str() else {
                return;
            };
            let field = term.field();
            if field == fields.attach {
                terms.attach.insert(text.to_string());
            } else if let Some(g) =
                (0..GROUPS).find(|&g| fields.title[g] == field || fields.text[g] == field)
            {
                terms.groups[g].insert(text.to_string());
            }
        });
        terms
    }
}

impl LibraryIndex {
    /// Searches the items `visible` lets the reader see. Every count, facet,
    /// page and snippet is computed over visible items only: the rights are
    /// a clause of the query, not a filter on its results.
    pub fn search(
        &self,
        query: &SearchQuery,
        visible: &VisibleSet,
    ) -> Result<SearchResults, SearchError> {
        if query.text.chars().count() > MAX_QUERY_CHARS {
            return Err(SearchError::QueryTooLong {
                max: MAX_QUERY_CHARS,
            });
        }
        if query.limit == 0 || query.limit > MAX_LIMIT {
            return Err(SearchError::BadPaging {
                detail: format!("ask for between 1 and {MAX_LIMIT} results per page."),
            });
        }
        if query.offset > MAX_OFFSET {
            return Err(SearchError::BadPaging {
                detail: format!(
                    "results past the first {MAX_OFFSET} cannot be paged to; narrow the search."
                ),
            });
        }
        let f = &self.fields;
        let text = query.text.trim();
        let words: Option<Box<dyn Query>> = if text.is_empty() {
            None
        } else {
            Some(self.parser.parse_query(text).map_err(syntax_error)?)
        };

        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(words) = &words {
            clauses.push((Occur::Must, words.box_clone()));
        }
        if let Some(kind) = &query.kind {
            clauses.push(term_filter(f.kind, kind));
        }
        for theme in &query.themes {
            clauses.push(term_filter(f.theme, theme));
        }
        if let Some(country) = &query.country {
            clauses.push(term_filter(f.country, country));
        }
        if let Some(language) = &query.language {
            clauses.push(term_filter(f.lang, &language.trim().to_lowercase()));
        }
        if let Some(marking) = &query.marking {
            clauses.push(term_filter(f.marking, marking));
        }
        if query.from.is_some() || query.to.is_some() {
            let day = |d: time::Date| Term::from_field_i64(f.day, i64::from(d.to_julian_day()));
            let lower = query
                .from
                .map_or(Bound::Unbounded, |d| Bound::Included(day(d)));
            let upper = query
                .to
                .map_or(Bound::Unbounded, |d| Bound::Included(day(d)));
            clauses.push(filter(Box::new(RangeQuery::new(lower, upper))));
        }
        // The reader's rights, for the very searcher (generation) used below.
        let searcher = self.searcher();
        let rights = if visible.is_all() {
            None
        } else {
            let rights =
                self.rights
                    .rights(&searcher, visible, &self.cache, &self.text_fields())?;
            clauses.push((Occur::Must, Box::new(RightsQuery(Arc::clone(&rights)))));
            Some(rights)
        };
        let full: Box<dyn Query> = if clauses.is_empty() {
            Box::new(AllQuery)
        } else {
            Box::new(BooleanQuery::new(clauses))
        };

        let order = match (query.order, &words) {
            (Order::Relevance, None) => Order::Newest,
            (order, _) => order,
        };
        let collector = LibraryCollector {
            order,
            keep: query.offset + query.limit,
            cache: self.cache.clone(),
        };
        let collected = match &rights {
            Some(rights) if order == Order::Relevance => {
                // Scores as if the hidden items did not exist.
                let stats = VisibleStats::new(&searcher, rights);
                searcher.search_with_statistics_provider(&*full, &collector, &stats)?
            }
            _ => searcher.search(&*full, &collector)?,
        };

        let terms = MatchTerms::of(words.as_deref(), f);
        let mut matchers: [Matcher<'_>; GROUPS] = std::array::from_fn(|g| {
            let name = Group::ALL[g].analyzer_name();
            Matcher::new(name, self.analyzer(name), &terms.groups[g])
        });
        let mut mixed = Matcher::new(MIXED_ANALYZER, self.analyzer(MIXED_ANALYZER), &terms.attach);
        let preferred = query.language.as_deref().map(|l| l.trim().to_lowercase());
        let mut hits = Vec::new();
        for ranked in collected.top.iter().skip(query.offset) {
            let doc: TantivyDocument = searcher.doc(ranked.doc)?;
            let mut hit = self.hit(
                &doc,
                &terms,
                &mut matchers,
                &mut mixed,
                preferred.as_deref(),
            );
            hit.id = ranked.id;
            hit.score = if order == Order::Relevance {
                ranked.score
            } else {
                0.0
            };
            hits.push(hit);
        }
        let [kind, theme, country, language, marking] = collected.facets.map(sorted);
        Ok(SearchResults {
            total: collected.total,
            hits,
            facets: Facets {
                kind,
                theme,
                country,
                language,
                marking,
            },
        })
    }

    /// Title and snippet of one hit, from its stored versions.
    fn hit(
        &self,
        doc: &TantivyDocument,
        terms: &MatchTerms,
        matchers: &mut [Matcher<'_>; GROUPS],
        mixed: &mut Matcher<'_>,
        preferred: Option<&str>,
    ) -> Hit {
        let f = &self.fields;
        let texts =
            |field: Field| -> Vec<&str> { doc.get_all(field).filter_map(|v| v.as_str()).collect() };
        let (langs, titles, summaries, bodies) = (
            texts(f.v_lang),
            texts(f.v_title),
            texts(f.v_summary),
            texts(f.v_body),
        );
        let n = langs
            .len()
            .min(titles.len())
            .min(summaries.len())
            .min(bodies.len());

        // (weight, preferred, -index) per version; highest wins.
        let mut best: Option<((usize, bool, i64), Hit)> = None;
        for v in 0..n {
            let g = group_index(Group::for_lang(langs[v]));
            let matcher = &mut matchers[g];
            let title = snippet::highlight_all(titles[v], matcher);
            let summary = snippet::fragment(summaries[v], matcher, SNIPPET_CHARS);
            // A summary holding every term cannot be beaten by the body.
            let body = if summary.distinct > 0 && summary.distinct == matcher.term_count() {
                snippet::Highlighted::default()
            } else {
                snippet::fragment(bodies[v], matcher, SNIPPET_CHARS)
            };
            let weight = 3 * title.distinct + summary.distinct.max(body.distinct);
            let is_preferred = preferred.is_some_and(|p| langs[v].eq_ignore_ascii_case(p));
            let key = (weight, is_preferred, -(v as i64));
            if best.as_ref().is_some_and(|(k, _)| *k >= key) {
                continue;
            }
            let snippet_html = if body.distinct > summary.distinct || summaries[v].trim().is_empty()
            {
                body.html
            } else {
                summary.html
            };
            best = Some((
                key,
                Hit {
                    id: 0,
                    score: 0.0,
                    lang: Some(langs[v].to_string()),
                    title_html: title.html,
                    snippet_html,
                },
            ));
        }
        let Some(((weight, _, _), mut hit)) = best else {
            // No version at all: what the attachment offers.
            let text = attachment(doc, f.s_attach).unwrap_or_default();
            return Hit {
                id: 0,
                score: 0.0,
                lang: None,
                title_html: String::new(),
                snippet_html: snippet::fragment(&text, mixed, SNIPPET_CHARS).html,
            };
        };
        let any_words = terms.groups.iter().any(|t| !t.is_empty()) || !terms.attach.is_empty();
        if weight == 0 && any_words {
            // The words matched no version: the attachment text did.
            if let Some(text) = attachment(doc, f.s_attach) {
                let from_attachment = snippet::fragment(&text, mixed, SNIPPET_CHARS);
                if from_attachment.distinct > 0 {
                    hit.snippet_html = from_attachment.html;
                    hit.lang = None;
                }
            }
        }
        hit
    }
}
