//! Highlighting: the words of a text that produce one of the query's terms
//! (under the same analyser the field was indexed with) are wrapped in
//! `<mark>`; everything else is HTML-escaped.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use tantivy::tokenizer::{TextAnalyzer, TokenStream, Tokenizer};

use crate::analysis::{GROUPS, Group, MIXED_ANALYZER, WordTokenizer};

/// The longest snippet, in characters (without the `…` marks).
pub const SNIPPET_CHARS: usize = 200;

/// A highlighted piece of text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Highlighted {
    pub html: String,
    /// Distinct query terms found in the whole text (not just the fragment).
    pub distinct: usize,
}

/// Distinct words whose analysis a thread remembers, per analyser, across
/// searches (about 64 bytes each); past that the memory is cleared.
const WORDS_REMEMBERED: usize = 100_000;

/// One remembered-words map per analyser: the groups', then the mixed one.
const SLOTS: usize = GROUPS + 1;

/// Raw word → the term an analyser makes of it (`None`: no term).
type Analysed = HashMap<Box<str>, Option<Box<str>>>;

thread_local! {
    /// [`Analysed`] per analyser. Analysis is per word and deterministic, so
    /// this is exact.
    static ANALYSED: RefCell<[Analysed; SLOTS]> = RefCell::new(Default::default());
}

/// Recognises the words of a text that produce one of the query's terms
/// under one analyser. Each distinct word is analysed once per thread
/// (the analysers work word by word, so a word's term does not depend on
/// its context; see [`WORDS_REMEMBERED`]); after that, recognising it is
/// one hash lookup and a comparison with each query term.
pub(crate) struct Matcher<'a> {
    /// Which remembered-words map; `None`: an analyser not of ours, not remembered.
    slot: Option<usize>,
    analyzer: TextAnalyzer,
    terms: Vec<&'a str>,
    words: WordTokenizer,
}

impl<'a> Matcher<'a> {
    /// `name` is the analyser's registered name: one name, one analyser.
    pub fn new(name: &str, analyzer: TextAnalyzer, terms: &'a HashSet<String>) -> Self {
        let slot = Group::ALL
            .iter()
            .position(|g| g.analyzer_name() == name)
            .or((name == MIXED_ANALYZER).then_some(GROUPS));
        let mut terms: Vec<&str> = terms.iter().map(String::as_str).collect();
        terms.sort_unstable();
        Matcher {
            slot,
            analyzer,
            terms,
            words: WordTokenizer::default(),
        }
    }

    /// How many terms it looks for.
    pub fn term_count(&self) -> usize {
        self.terms.len()
    }

    /// Byte ranges of the words in `text` whose term is a query term, with
    /// the term's number.
    fn matches(&mut self, text: &str) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        if self.terms.is_empty() || text.is_empty() {
            return out;
        }
        let (terms, analyzer) = (&self.terms, &mut self.analyzer);
        let mut analyse = |word: &str| -> Option<Box<str>> {
            analyzer
                .token_stream(word)
                .next()
                .map(|t| t.text.as_str().into())
        };
        let position = |term: &str| terms.iter().position(|t| *t == term);
        let mut words = self.words.clone();
        let mut stream = words.token_stream(text);
        match self.slot {
            Some(slot) => ANALYSED.with(|cell| {
                let mut maps = cell.borrow_mut();
                let known = &mut maps[slot];
                if known.len() >= WORDS_REMEMBERED {
                    known.clear();
                }
                while let Some(token) = stream.next() {
                    let (from, to) = (token.offset_from, token.offset_to);
                    let word = &text[from..to];
                    let term = match known.get(word) {
                        Some(term) => term.as_deref(),
                        None => {
                            let term = analyse(word);
                            known.entry(word.into()).or_insert(term).as_deref()
                        }
                    };
                    if let Some(k) = term.and_then(position) {
                        out.push((from, to, k));
                    }
                }
            }),
            None => {
                while let Some(token) = stream.next() {
                    let (from, to) = (token.offset_from, token.offset_to);
                    if let Some(k) = analyse(&text[from..to]).as_deref().and_then(position) {
                        out.push((from, to, k));
                    }
                }
            }
        }
        out
    }
}

/// The whole of `text`, highlighted (titles).
pub(crate) fn highlight_all(text: &str, matcher: &mut Matcher<'_>) -> Highlighted {
    let found = matcher.matches(text);
    Highlighted {
        html: render(text, 0, text.len(), &found),
        distinct: distinct(&found),
    }
}

fn distinct(found: &[(usize, usize, usize)]) -> usize {
    let mut seen: Vec<usize> = found.iter().map(|m| m.2).collect();
    seen.sort_unstable();
    seen.dedup();
    seen.len()
}

/// The best fragment of at most `max_chars` characters of `text`: the
/// window with the most distinct query terms (then the most matches),
/// centred, cut at spaces where possible.
pub(crate) fn fragment(text: &str, matcher: &mut Matcher<'_>, max_chars: usize) -> Highlighted {
    let found = matcher.matches(text);
    // Work in bytes; measure in characters only over short stretches.
    let chars_in = |a: usize, b: usize| text[a..b].chars().count();
    // The byte `n` characters after `from` (or the end).
    let forward = |from: usize, n: usize| {
        text[from..]
            .char_indices()
            .nth(n)
            .map_or(text.len(), |(i, _)| from + i)
    };
    // The byte `n` characters before `to` (or the start).
    let backward = |to: usize, n: usize| {
        if n == 0 {
            return to;
        }
        text[..to]
            .char_indices()
            .rev()
            .nth(n - 1)
            .map_or(0, |(i, _)| i)
    };
    const SNAP_BYTES: usize = 60;

    let (mut start, mut end);
    if found.is_empty() {
        start = 0;
        end = forward(0, max_chars);
        if end < text.len() {
            let from = ceil_char(text, end.saturating_sub(SNAP_BYTES));
            if let Some(k) = text[from..end].rfind(char::is_whitespace) {
                end = from + k;
            }
        }
    } else {
        // The window of matches with the most distinct terms, then the most
        // matches, that fits in `max_chars`.
        let mut best = (0usize, 0usize, 0usize, 0usize); // (distinct, count, i, j)
        let mut counts: HashMap<usize, usize> = HashMap::new();
        let mut j = 0;
        for i in 0..found.len() {
            if j < i {
                j = i;
            }
            while j < found.len() && (j == i || chars_in(found[i].0, found[j].1) <= max_chars) {
                *counts.entry(found[j].2).or_insert(0) += 1;
                j += 1;
            }
            let d = counts.len();
            if (d, j - i) > (best.0, best.1) {
                best = (d, j - i, i, j);
            }
            if let Some(c) = counts.get_mut(&found[i].2) {
                *c -= 1;
                if *c == 0 {
                    counts.remove(&found[i].2);
                }
            }
        }
        let (_, _, i, j) = best;
        let (first, last) = (found[i].0, found[j - 1].1);
        let slack = max_chars.saturating_sub(chars_in(first, last));
        start = backward(first, slack / 2);
        end = forward(start, max_chars);
        if end == text.len() {
            // Room left at the end: give it to the start.
            start = backward(start, max_chars.saturating_sub(chars_in(start, end)));
        }
        // Cut at a space when one is near, never inside the matches.
        if start > 0 {
            let limit = ceil_char(text, first.min(start + SNAP_BYTES));
            if let Some(k) = text[start..limit].find(char::is_whitespace) {
                start += k + 1;
            }
        }
        if end < text.len() {
            let from = ceil_char(text, last.max(end.saturating_sub(SNAP_BYTES)));
            if let Some(k) = text[from..end].rfind(char::is_whitespace) {
                end = from + k;
            }
        }
    }
    let mut html = String::new();
    if start > 0 {
        html.push('…');
    }
    html.push_str(render(text, start, end, &found).trim());
    if end < text.len() {
        html.push('…');
    }
    Highlighted {
        html,
        distinct: distinct(&found),
    }
}

/// The first character boundary at or after byte `b`.
fn ceil_char(text: &str, mut b: usize) -> usize {
    while b < text.len() && !text.is_char_boundary(b) {
        b += 1;
    }
    b.min(text.len())
}

/// `text[from..to]` escaped, with the matches inside it marked; runs of
/// whitespace become one space.
fn render(text: &str, from: usize, to: usize, found: &[(usize, usize, usize)]) -> String {
    let mut out = String::with_capacity(to - from + 16);
    let mut at = from;
    for &(s, e, _) in found {
        if s < at || e > to {
            continue;
        }
        escape_into(&text[at..s], &mut out);
        out.push_str("<mark>");
        escape_into(&text[s..e], &mut out);
        out.push_str("</mark>");
        at = e;
    }
    escape_into(&text[at..to], &mut out);
    out
}

/// HTML-escapes `s` onto `out`, collapsing whitespace runs.
pub(crate) fn escape_into(s: &str, out: &mut String) {
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            if !space {
                out.push(' ');
            }
            space = true;
            continue;
        }
        space = false;
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Group, analyzer};

    fn terms(words: &[&str]) -> HashSet<String> {
        let mut a = analyzer(Group::En);
        words
            .iter()
            .flat_map(|w| crate::analysis::terms(&mut a, w))
            .collect()
    }

    #[test]
    fn escapes_everything_but_the_marks() {
        let t = terms(&["radical"]);
        let mut m = Matcher::new(Group::En.analyzer_name(), analyzer(Group::En), &t);
        let h = highlight_all("<b>Radical</b> & \"quoted\" it's", &mut m);
        assert_eq!(
            h.html,
            "&lt;b&gt;<mark>Radical</mark>&lt;/b&gt; &amp; &quot;quoted&quot; it&#39;s"
        );
        assert_eq!(h.distinct, 1);
    }

    #[test]
    fn fragment_centres_on_the_densest_window() {
        let filler = "lorem ipsum dolor sit amet ".repeat(40);
        let text = format!("{filler}prevention of violent extremism online {filler}");
        let t = terms(&["violent", "extremism"]);
        let mut m = Matcher::new(Group::En.analyzer_name(), analyzer(Group::En), &t);
        let h = fragment(&text, &mut m, 80);
        assert!(
            h.html.starts_with('…') && h.html.ends_with('…'),
            "{}",
            h.html
        );
        assert!(
            h.html
                .contains("<mark>violent</mark> <mark>extremism</mark>"),
            "{}",
            h.html
        );
        assert!(h.html.chars().count() <= 80 + 2 + "<mark></mark>".len() * 2);
        assert_eq!(h.distinct, 2);
    }

    #[test]
    fn no_match_gives_the_start() {
        let t = terms(&["absent"]);
        let mut m = Matcher::new(Group::En.analyzer_name(), analyzer(Group::En), &t);
        let h = fragment("short text here", &mut m, 200);
        assert_eq!(h.html, "short text here");
        assert_eq!(h.distinct, 0);
        let long = "word ".repeat(100);
        let none = HashSet::new();
        let h = fragment(
            &long,
            &mut Matcher::new(Group::En.analyzer_name(), analyzer(Group::En), &none),
            50,
        );
        assert!(h.html.ends_with('…') && h.html.len() <= 50 + '…'.len_utf8());
    }

    #[test]
    fn multibyte_text_is_cut_on_characters() {
        let mut a = analyzer(Group::Ru);
        let text = format!("{} экстремизм {}", "слово ".repeat(60), "слово ".repeat(60));
        let t: HashSet<String> = crate::analysis::terms(&mut a, "экстремизма")
            .into_iter()
            .collect();
        let h = fragment(
            &text,
            &mut Matcher::new(Group::Ru.analyzer_name(), analyzer(Group::Ru), &t),
            60,
        );
        assert!(h.html.contains("<mark>экстремизм</mark>"), "{}", h.html);
    }
}
